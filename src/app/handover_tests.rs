//! The Hand over screen clicked through with egui_kittest: a meter found pushing mode D and its
//! readout read, then written for a reader that cannot read it (refused, with why) and for one
//! that can (previewed, saved).

use egui_kittest::kittest::Queryable as _;

use super::tests::{
    FixedPicker, click, connected, disconnect, scratch_dir, wait_for_text, wait_until,
};
use super::*;
use crate::sim::Profile;

#[test]
fn what_was_proven_is_refused_by_esphome_and_saved_for_smartmeter_obis() {
    let path = scratch_dir("handover").join("smartmeter.json");
    let mut harness = connected(
        Profile::IecModeD,
        Screen::LinkCheck,
        FixedPicker(Some(path.clone())),
        None,
    );
    wait_for_text(&mut harness, "Pushes mode D text (/SIM5MODED)");

    click(&mut harness, "Hand over");
    wait_for_text(&mut harness, "No register of this meter is read yet");

    click(&mut harness, "Registers");
    harness.get_by_label("Read the readout").click();
    wait_until(&mut harness, "the telegram's values", |h| {
        h.query_by_label("active power").is_some()
    });

    click(&mut harness, "Hand over");
    wait_for_text(&mut harness, "esphome cannot read this meter");
    click(&mut harness, "Reader");
    click(&mut harness, "smartmeter-obis");
    wait_for_text(&mut harness, "\"protocol\": \"D0Protocol\"");
    click(&mut harness, "Save…");
    wait_until(&mut harness, "the file", |_| path.exists());
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(options["transport"], "SerialResponseTransport");
    assert_eq!(options["transportSerialBaudrate"], 9600);
    let notes = options["_handedOver"].as_array().unwrap();
    assert!(
        notes.iter().any(|note| note
            .as_str()
            .unwrap()
            .contains("register 1-0:16.7.0*255: active power")),
        "{notes:?}"
    );
}

#[test]
fn a_recorded_session_is_handed_over_after_the_meter_is_gone() {
    let sessions = scratch_dir("handover-session");
    let mut harness = connected(
        Profile::Multical21,
        Screen::Live,
        FixedPicker(None),
        Some(sessions),
    );
    harness.get_by_label("Start polling").click();
    wait_until(&mut harness, "the polls", |h| {
        h.state().controller().workspace().readings().polls() >= 2
    });
    harness.get_by_label("Stop polling").click();
    disconnect(&mut harness);

    // The session on disk keeps what the link check found, for `config --session` too.
    let dir = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    wait_until(&mut harness, "the manifest", |_| {
        crate::session::Contents::read(&dir)
            .is_ok_and(|contents| contents.manifest.spoken.is_some_and(|s| !s.is_text()))
    });
    click(&mut harness, "Hand over");
    click(&mut harness, "Reader");
    click(&mut harness, "tasmota");
    wait_for_text(&mut harness, ";   interval: 5s (measured)");
    wait_for_text(
        &mut harness,
        ";   register 68: V1 volume [m³] (measured: it answered)",
    );
}
