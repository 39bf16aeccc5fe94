//! The app clicked through as a technician would, with egui_kittest: real link thread, simulated
//! meters in the process, no window and no GPU.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::*;
use crate::link::diagnosis::DiagnosisCode;
use crate::link::port::FixedSimOpener;
use crate::sim::MeterConfig;

fn meter(profile: Profile, magnet_delay: Duration) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.magnet_delay = magnet_delay;
    config
}

fn harness(meter: MeterConfig, options: GuiOptions) -> Harness<'static, MeterApp> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 800.0))
        .build_eframe(move |cc| {
            MeterApp::new(cc, Box::new(FixedSimOpener(meter)), &options).unwrap()
        })
}

/// Steps the app until `done` holds, for at most `limit` of real time (the link thread and the
/// simulated meter run on the real clock).
fn run_until(
    harness: &mut Harness<'static, MeterApp>,
    limit: Duration,
    what: &str,
    done: impl Fn(&Harness<'static, MeterApp>) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(harness) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn connect_button_opens_the_port_and_the_status_bar_says_so() {
    let mut harness = harness(
        meter(Profile::Multical403, Duration::ZERO),
        GuiOptions::default(),
    );
    harness.run_steps(2);
    harness.get_by_label_contains("MULTICAL 403").click();
    harness.run_steps(2);
    assert_eq!(harness.state().settings().port, "sim:multical403");
    harness.get_by_label("Connect").click();
    run_until(
        &mut harness,
        Duration::from_secs(5),
        "the connection",
        |h| h.state().view().is_connected(),
    );
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Connected to sim:multical403")
            .is_some()
    );
    assert!(harness.query_by_label("Disconnect").is_some());
}

#[test]
fn the_link_check_counts_down_while_the_eye_wakes_then_shows_the_meter() {
    let options = GuiOptions {
        simulate: Some(Profile::Multical21),
        ..GuiOptions::default()
    };
    let mut harness = harness(
        meter(Profile::Multical21, Duration::from_millis(1500)),
        options,
    );
    run_until(&mut harness, Duration::from_secs(5), "the countdown", |h| {
        h.query_by_label_contains("Waking the eye: answer expected in")
            .is_some()
    });
    run_until(
        &mut harness,
        Duration::from_secs(10),
        "the meter's identity",
        |h| h.query_by_label_contains("Meter 71234567").is_some(),
    );
    assert!(harness.query_by_label("The meter answers").is_some());
    assert!(harness.query_by_label_contains("Echo clean").is_some());
    assert_eq!(
        harness.state().view().diagnosis.as_ref().map(|d| d.code),
        Some(DiagnosisCode::Ok)
    );
}

#[test]
fn a_meter_that_never_answers_gets_the_echo_only_advice() {
    let options = GuiOptions {
        simulate: Some(Profile::FlowIq2200),
        ..GuiOptions::default()
    };
    let mut harness = harness(
        meter(Profile::FlowIq2200, Duration::from_secs(3600)),
        options,
    );
    run_until(
        &mut harness,
        Duration::from_secs(15),
        "the echo-only diagnosis",
        |h| h.query_by_label("The meter does not answer").is_some(),
    );
    assert!(harness.query_by_label_contains("turn it over").is_some());
}

#[test]
fn disconnect_closes_the_port() {
    let options = GuiOptions {
        simulate: Some(Profile::Multical603),
        screen: Some(Screen::Connection),
        ..GuiOptions::default()
    };
    let mut harness = harness(meter(Profile::Multical603, Duration::ZERO), options);
    run_until(
        &mut harness,
        Duration::from_secs(5),
        "the connection",
        |h| h.state().view().is_connected(),
    );
    harness.run_steps(2);
    harness.get_by_label("Disconnect").click();
    run_until(
        &mut harness,
        Duration::from_secs(5),
        "the disconnection",
        |h| matches!(h.state().view().connection, ConnectionState::Disconnected),
    );
    harness.run_steps(2);
    assert!(harness.query_by_label("Connect").is_some());
    assert!(harness.query_by_label_contains("Not connected").is_some());
}

#[test]
fn the_navigation_switches_screens() {
    let mut harness = harness(
        meter(Profile::Multical21, Duration::ZERO),
        GuiOptions::default(),
    );
    harness.run_steps(2);
    harness.get_by_label("Link check").click();
    harness.run_steps(2);
    assert_eq!(harness.state().settings().screen, Screen::LinkCheck);
    assert!(
        harness
            .query_by_label_contains("Connect to a port first")
            .is_some()
    );
}

#[test]
fn a_scan_of_the_common_range_lists_the_meters_registers_and_the_filter_narrows_them() {
    let options = GuiOptions {
        simulate: Some(Profile::Multical21),
        screen: Some(Screen::Registers),
        ..GuiOptions::default()
    };
    let mut harness = harness(meter(Profile::Multical21, Duration::ZERO), options);
    run_until(
        &mut harness,
        Duration::from_secs(5),
        "the connection",
        |h| h.state().view().is_connected(),
    );
    harness.run_steps(2);
    harness.get_by_label("Scan").click();
    run_until(&mut harness, Duration::from_secs(30), "the scan", |h| {
        !h.state().scans().running && !h.state().scans().found.is_empty()
    });
    harness.run_steps(2);
    assert!(harness.query_by_label("9 registers found").is_some());
    assert!(harness.query_by_label("V1 volume").is_some());
    assert!(harness.query_by_label("info code").is_some());
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Filter")
        .click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Filter")
        .type_text("volume");
    harness.run_steps(3);
    assert!(harness.query_by_label("V1 volume").is_some());
    assert!(
        harness.query_by_label("info code").is_none(),
        "the filter hides other rows"
    );
}
