//! The app clicked through as a technician would, with egui_kittest: real link thread, simulated
//! meters in the process, no window and no GPU.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use super::*;
use crate::kmp::RegisterId;
use crate::link::diagnosis::DiagnosisCode;
use crate::link::port::testing::FixedSimOpener;
use crate::sim::MeterConfig;

/// A simulated `profile` whose eye echoes and wakes `magnet_delay` after the magnet.
pub(super) fn meter(profile: Profile, magnet_delay: Duration) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.magnet_delay = magnet_delay;
    config
}

fn harness(meter: MeterConfig, options: GuiOptions) -> Harness<'static, MeterApp> {
    with_picker(meter, options, FixedPicker(None))
}

fn with_picker(
    meter: MeterConfig,
    options: GuiOptions,
    picker: FixedPicker,
) -> Harness<'static, MeterApp> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 800.0))
        .build_eframe(move |cc| {
            MeterApp::new(cc, Box::new(FixedSimOpener(meter)), &options)
                .unwrap()
                .with_picker(Box::new(picker))
        })
}

/// The app connected to a simulated `profile` (awake at once) on `screen`; files come from
/// `picker`, sessions go under `sessions_dir`.
pub(super) fn connected(
    profile: Profile,
    screen: Screen,
    picker: FixedPicker,
    sessions_dir: Option<std::path::PathBuf>,
) -> Harness<'static, MeterApp> {
    connected_to(meter(profile, Duration::ZERO), screen, picker, sessions_dir)
}

/// The app connected to the simulated meter `config`, on `screen`.
pub(super) fn connected_to(
    config: MeterConfig,
    screen: Screen,
    picker: FixedPicker,
    sessions_dir: Option<std::path::PathBuf>,
) -> Harness<'static, MeterApp> {
    let options = GuiOptions {
        simulate: Some(config.profile),
        screen: Some(screen),
        sessions_dir,
        ..GuiOptions::default()
    };
    let mut harness = with_picker(config, options, picker);
    wait_for_connection(&mut harness);
    harness
}

/// How long a test waits for what a user would wait for before it gives up: generous, since the
/// link thread and the simulated meters run on the real clock of a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// Steps the app until `done` holds (the link thread and the simulated meter run on the real
/// clock).
pub(super) fn wait_until(
    harness: &mut Harness<'static, MeterApp>,
    what: &str,
    done: impl Fn(&Harness<'static, MeterApp>) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    while !done(harness) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Steps the app until a label containing `text` shows.
pub(super) fn wait_for_text(harness: &mut Harness<'static, MeterApp>, text: &str) {
    wait_until(harness, text, |h| h.query_by_label_contains(text).is_some());
}

/// Clicks what is labelled `label` and lets the app draw what follows.
pub(super) fn click(harness: &mut Harness<'static, MeterApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

/// Steps the app until the port is open, and draws what that shows.
fn wait_for_connection(harness: &mut Harness<'static, MeterApp>) {
    wait_until(harness, "the connection", |h| {
        h.state().controller().link_view().is_connected()
    });
    harness.run_steps(2);
}

/// Presses Connect and waits for the port to open.
fn connect(harness: &mut Harness<'static, MeterApp>) {
    harness.get_by_label("Connect").click();
    wait_for_connection(harness);
}

/// Presses Disconnect (on the Connection screen) and waits for the port to close.
pub(super) fn disconnect(harness: &mut Harness<'static, MeterApp>) {
    if harness.query_by_label("Disconnect").is_none() {
        click(harness, "Connection");
    }
    harness.get_by_label("Disconnect").click();
    wait_until(harness, "the disconnection", |h| {
        matches!(
            h.state().controller().link_view().connection(),
            ConnectionState::Disconnected
        )
    });
    harness.run_steps(2);
}

/// A file dialog that always answers with the same path (or is never available).
pub(super) struct FixedPicker(pub(super) Option<std::path::PathBuf>);

impl FilePicker for FixedPicker {
    fn pick(&mut self, answer: PickAnswer) {
        answer.give(self.0.clone());
    }
}

pub(super) fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kmp-app-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
    assert_eq!(
        harness.state().controller().settings().connection.port,
        "sim:multical403"
    );
    connect(&mut harness);
    assert!(
        harness
            .query_by_label_contains("Connected to sim:multical403")
            .is_some()
    );
    // Connect leads to the link check, which runs at once.
    assert_eq!(
        harness.state().controller().settings().screen,
        Screen::LinkCheck
    );
    wait_for_text(&mut harness, "Echo clean");
    click(&mut harness, "Connection");
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
    wait_for_text(&mut harness, "Waking the eye: answer expected in");
    wait_for_text(&mut harness, "Meter 71234567");
    assert!(harness.query_by_label("The meter answers").is_some());
    assert!(harness.query_by_label_contains("Echo clean").is_some());
    assert_eq!(
        harness
            .state()
            .controller()
            .link_view()
            .diagnosis()
            .map(|d| d.code),
        Some(DiagnosisCode::Ok)
    );
}

#[test]
fn the_alignment_meter_counts_from_the_eyes_first_answer_and_starts_afresh_on_each_connection() {
    let mut harness = connected_to(
        meter(Profile::Multical21, Duration::from_millis(2500)),
        Screen::LinkCheck,
        FixedPicker(None),
        None,
    );
    assert!(
        harness
            .state()
            .controller()
            .link_view()
            .answers()
            .is_empty(),
        "nothing asked yet"
    );
    wait_for_text(&mut harness, "unanswered");
    wait_until(&mut harness, "three answered rounds", |h| {
        h.state().controller().link_view().answers().len() >= 3
    });
    harness.run_steps(2);
    // The silent requests while the eye woke are no misses: a well-placed head shows 100 %.
    let view = harness.state().controller().link_view();
    assert!(view.waking_requests() > 0);
    assert_eq!(view.answer_rate(), Some(1.0));
    assert_eq!(
        harness.query_all_by_label_contains("100% of ").count(),
        2,
        "the echo tests and the requests"
    );

    // Another connection (the next meter): its eye sleeps, and the last one's rounds are gone.
    disconnect(&mut harness);
    connect(&mut harness);
    let view = harness.state().controller().link_view();
    assert_eq!(view.answer_rate(), None);
    assert_eq!(view.identity(), None);
    assert!(harness.query_by_label_contains("Waking the eye").is_some());
}

#[test]
fn a_meter_at_another_address_is_found_by_the_search_and_checked_there() {
    let mut config = meter(Profile::Multical603, Duration::ZERO);
    config.address = 0x7F;
    let mut harness = connected_to(config, Screen::LinkCheck, FixedPicker(None), None);
    assert!(harness.query_by_label_contains("Asking at 0x3F").is_some());
    click(&mut harness, "Search every address");
    wait_for_text(&mut harness, "The meter answers at 0x7F, not at 0x3F");
    click(&mut harness, "Use 0x7F");
    assert_eq!(
        harness.state().controller().settings().connection.address,
        0x7F
    );
    // The check goes on at 0x7F, where the meter answers it.
    wait_until(&mut harness, "the meter's answer at 0x7F", |h| {
        h.query_by_label("The meter answers").is_some()
    });
    wait_until(&mut harness, "an answered round at 0x7F", |h| {
        h.state().controller().link_view().answer_rate() == Some(1.0)
    });
    assert!(
        harness.query_by_label("Search every address").is_none(),
        "a meter that answers has no use for the search"
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
    wait_until(&mut harness, "the echo-only diagnosis", |h| {
        h.query_by_label("The meter does not answer").is_some()
    });
    assert!(harness.query_by_label_contains("turn it over").is_some());
    assert!(
        harness
            .query_by_label_contains("receiver may not hear")
            .is_none()
    );
    // The magnet is on and the meter still silent: the head's receiver is the lead.
    click(&mut harness, "I placed the magnet");
    wait_for_text(&mut harness, "though the magnet was placed");
    assert!(
        harness
            .query_by_label_contains("The head's receiver may not hear the meter")
            .is_some()
    );
}

#[test]
fn disconnect_closes_the_port() {
    let mut harness = connected(
        Profile::Multical603,
        Screen::Connection,
        FixedPicker(None),
        None,
    );
    disconnect(&mut harness);
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
    click(&mut harness, "Link check");
    assert_eq!(
        harness.state().controller().settings().screen,
        Screen::LinkCheck
    );
    assert!(
        harness
            .query_by_label_contains("Connect to a port first")
            .is_some()
    );
}

#[test]
fn live_polling_shows_values_and_the_view_pauses_and_follows_again_with_space() {
    let mut harness = connected(Profile::Multical21, Screen::Live, FixedPicker(None), None);
    harness.get_by_label("Start polling").click();
    wait_until(&mut harness, "two polls", |h| {
        h.state().controller().workspace().readings().polls() >= 2
    });
    harness.run_steps(2);
    assert_eq!(
        harness.state().controller().polling(),
        Some(&[RegisterId::V1_VOLUME.into(), RegisterId::FLOW_V1.into()][..])
    );
    // The latest values in large type, one box a register.
    assert!(harness.query_by_label_contains(" m³").is_some());
    assert!(harness.query_by_label_contains(" l/h").is_some());
    assert_eq!(
        harness
            .query_all_by_label_contains("readings, newest")
            .count(),
        2
    );
    let readings = harness.state().controller().workspace().readings();
    for id in [RegisterId::V1_VOLUME, RegisterId::FLOW_V1] {
        let series = readings.get(id.into()).unwrap();
        assert_eq!(series.len() as u64, readings.polls(), "one reading a poll");
    }
    // The first window starts with the first reading, not minutes of empty axis before it.
    let first = readings
        .get(RegisterId::V1_VOLUME.into())
        .and_then(|series| series.times().first().copied())
        .unwrap();
    let window = harness.state().live_window().unwrap();
    assert_eq!(*window.start(), first, "{window:?}");
    assert!(window.end() - window.start() < 60.0, "{window:?}");

    // Space pauses the view; polling goes on underneath.
    harness.key_press(egui::Key::Space);
    harness.run_steps(2);
    assert!(!harness.state().following());
    assert!(harness.query_by_label("Follow latest (Space)").is_some());
    let polls = harness.state().controller().workspace().readings().polls();
    wait_until(&mut harness, "a poll while paused", |h| {
        h.state().controller().workspace().readings().polls() > polls
    });
    harness.key_press(egui::Key::Space);
    harness.run_steps(2);
    assert!(harness.state().following());

    click(&mut harness, "Stop polling");
    assert_eq!(harness.state().controller().polling(), None);
    assert!(harness.query_by_label("Start polling").is_some());
}

#[test]
fn the_link_check_pauses_itself_after_its_request_limit_and_resumes() {
    let mut harness = connected(
        Profile::Multical21,
        Screen::LinkCheck,
        FixedPicker(None),
        None,
    );
    // Paused first: the check may already have sent three requests when the limit is set.
    // Buttons are pressed through accesskit, not at a position: the meter's identity line
    // appears above them when its answer comes and moves them down.
    harness.get_by_label("Pause checking").click_accesskit();
    wait_until(&mut harness, "the check to stop", |h| {
        h.query_by_label("Resume checking").is_some()
    });
    // Set as assistive technology sets it: a click and typed text would race the meter's
    // answers, which grow the lines above the field and make egui discard a pass with its input.
    harness
        .get_by_label("Pause checking after")
        .set_value_accesskit(3.0);
    wait_until(&mut harness, "the new limit", |h| {
        h.state().controller().settings().check_request_limit == 3
    });
    harness.get_by_label("Resume checking").click_accesskit();
    wait_for_text(
        &mut harness,
        "Checking paused after 3 requests to spare the meter's battery",
    );
    let requests = harness.state().controller().link_view().requests();
    assert!(harness.state().controller().job().is_none());
    harness.get_by_label("Resume checking").click_accesskit();
    wait_until(&mut harness, "checking again", |h| {
        h.state().controller().link_view().requests() > requests
    });
    harness.run_steps(2);
    assert!(harness.query_by_label("Pause checking").is_some());
    assert!(harness.query_by_label_contains("Checking paused").is_none());
}

#[test]
fn an_iec_meter_is_found_on_the_link_check_read_by_its_readout_and_polled_live() {
    let mut harness = connected(
        Profile::Kamstrup382C,
        Screen::LinkCheck,
        FixedPicker(None),
        None,
    );
    // KMP first, for the magnet's wake-up; then the text protocols.
    wait_for_text(
        &mut harness,
        "Speaks IEC 62056-21, identification /KAM0382C",
    );
    assert_eq!(
        harness
            .state()
            .controller()
            .link_view()
            .diagnosis()
            .map(|d| d.code),
        Some(DiagnosisCode::Ok)
    );

    click(&mut harness, "Registers");
    assert!(
        harness.query_by_label("Scan").is_none(),
        "an IEC meter is not scanned"
    );
    harness.get_by_label("Read the readout").click();
    wait_until(&mut harness, "the readout", |h| {
        h.query_by_label("1.8.1(0008123.000*kWh)").is_some()
    });
    assert!(
        harness
            .query_by_label("active energy import, tariff 1")
            .is_some()
    );
    assert!(harness.query_by_label("8123.000").is_some());

    click(&mut harness, "Live");
    click(&mut harness, "Use the readout's numbers");
    harness.get_by_label("Start polling").click();
    wait_until(&mut harness, "a polled readout", |h| {
        h.state()
            .controller()
            .workspace()
            .readings()
            .get("1.8.1".parse().unwrap())
            .is_some_and(|series| !series.is_empty())
    });
    let series = harness
        .state()
        .controller()
        .workspace()
        .readings()
        .get("1.8.1".parse().unwrap())
        .unwrap();
    assert_eq!(series.latest().unwrap().value.to_string(), "8123.000");
    assert_eq!(series.unit(), "kWh");
}

#[test]
fn a_meter_that_pushes_sml_is_found_on_the_link_check_read_and_polled_live() {
    let mut harness = connected(Profile::SmlPush, Screen::LinkCheck, FixedPicker(None), None);
    wait_for_text(&mut harness, "Pushes SML (server ID 0A0153494D000000002A)");
    let diagnosis = harness
        .state()
        .controller()
        .link_view()
        .diagnosis()
        .cloned()
        .unwrap();
    assert_eq!(diagnosis.code, DiagnosisCode::Ok);
    assert!(diagnosis.finding.contains("pushes SML unasked"));

    click(&mut harness, "Registers");
    harness.get_by_label("Read the readout").click();
    wait_until(&mut harness, "the telegram's values", |h| {
        h.query_by_label("active power L1").is_some()
    });

    click(&mut harness, "Live");
    click(&mut harness, "Use the readout's numbers");
    harness.get_by_label("Start polling").click();
    wait_until(&mut harness, "a polled telegram", |h| {
        h.state()
            .controller()
            .workspace()
            .readings()
            .get("16.7.0".parse().unwrap())
            .is_some_and(|series| !series.is_empty())
    });
    let series = harness
        .state()
        .controller()
        .workspace()
        .readings()
        .get("16.7.0".parse().unwrap())
        .unwrap();
    assert_eq!(series.unit(), "W");
}

#[test]
fn a_meter_that_pushes_mode_d_is_found_and_its_telegrams_counted_on_the_link_check() {
    let mut harness = connected(
        Profile::IecModeD,
        Screen::LinkCheck,
        FixedPicker(None),
        None,
    );
    wait_for_text(&mut harness, "Pushes mode D text (/SIM5MODED)");
    wait_until(&mut harness, "telegrams counted", |h| {
        h.state().controller().link_view().answers().len() >= 2
    });
    let view = harness.state().controller().link_view();
    assert!(
        view.answers().iter().all(|&whole| whole),
        "{:?}",
        view.answers()
    );
    assert!(
        view.byte_rate().is_some_and(|rate| rate > 10.0),
        "{:?}",
        view.byte_rate()
    );
    harness.get_by_label("Telegrams heard");
    harness.get_by_label("Bytes heard");
}

/// The app opening ports as the program does: network heads for real.
fn with_system_opener() -> Harness<'static, MeterApp> {
    let opener = crate::link::port::SystemOpener {
        sim: crate::link::port::SimSettings {
            echo: true,
            realtime: false,
        },
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1100.0, 800.0))
        .build_eframe(move |cc| {
            MeterApp::new(cc, Box::new(opener), &GuiOptions::default()).unwrap()
        });
    harness.run_steps(2);
    harness
}

/// Replaces the text of the field labelled `label` with `text`.
pub(super) fn type_into(harness: &mut Harness<'static, MeterApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, label)
        .click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, label)
        .type_text(text);
    harness.run_steps(2);
}

#[test]
fn a_network_head_is_typed_chosen_connected_and_its_round_trip_shown() {
    use std::io::{Read as _, Write as _};
    // A bridge whose head sits on no meter: it hears its own requests and nothing else.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::Builder::new()
        .name("echo-bridge".into())
        .spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buffer = [0u8; 256];
                while let Ok(read) = stream.read(&mut buffer) {
                    if read == 0 || stream.write_all(&buffer[..read]).is_err() {
                        break;
                    }
                }
            }
        })
        .unwrap();
    let mut harness = with_system_opener();
    type_into(&mut harness, "Host", "127.0.0.1");
    type_into(&mut harness, "TCP port", &port.to_string());
    click(&mut harness, "Raw TCP");
    let name = format!("socket://127.0.0.1:{port}");
    assert_eq!(
        harness.state().controller().settings().connection.port,
        name
    );
    assert!(
        harness
            .query_by_label_contains("the bridge's own line settings apply")
            .is_some()
    );
    connect(&mut harness);
    assert!(
        harness
            .query_by_label_contains(&format!("Connected to {name}"))
            .is_some()
    );
    // The sweep changes the line, which a raw socket cannot: it is offered disabled, with why.
    assert!(
        harness
            .get_by_label("Sweep line settings")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, "Connection");
    assert!(
        harness
            .query_by_label_contains("network round trip")
            .is_some()
    );
    click(&mut harness, "Link check");
    assert!(
        harness
            .query_by_label_contains("the sweep cannot change them")
            .is_some()
    );
}

#[test]
fn a_network_head_where_nothing_listens_gets_the_advice_to_check_the_bridge() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut harness = with_system_opener();
    type_into(&mut harness, "Host", "127.0.0.1");
    type_into(&mut harness, "TCP port", &port.to_string());
    assert_eq!(
        harness.state().controller().settings().connection.port,
        format!("rfc2217://127.0.0.1:{port}")
    );
    harness.get_by_label("Connect").click();
    wait_until(&mut harness, "the refusal", |h| {
        h.query_all_by_label_contains("check that ser2net (or the bridge) runs")
            .next()
            .is_some()
    });
}
