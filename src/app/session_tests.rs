//! The session, traffic and export flows clicked through with egui_kittest: record on a
//! simulated meter, save, reopen; export CSV in both dialects and parse it back; a damaged
//! session refused; the traffic list filtered and exported.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::tests::{
    FixedPicker, click, connected, connected_to, disconnect, scratch_dir, wait_for_text, wait_until,
};
use super::*;
use crate::kmp::RegisterId;
use crate::kmp::logger::PeriodLogger;
use crate::link::{Job, Logger};

fn app(picker: Option<PathBuf>, sessions: &Path, screen: Screen) -> Harness<'static, MeterApp> {
    connected(
        Profile::Multical21,
        screen,
        FixedPicker(picker),
        Some(sessions.to_path_buf()),
    )
}

/// Polls volume and flow until `polls` polls are in, and stops.
fn record(harness: &mut Harness<'static, MeterApp>, polls: u64) {
    harness.get_by_label("Start polling").click();
    wait_until(harness, "the polls", |h| {
        h.state().controller().workspace().readings().polls() >= polls
    });
    harness.get_by_label("Stop polling").click();
    harness.run_steps(3);
}

#[test]
fn a_recorded_session_saved_and_reopened_shows_the_same_readings() {
    let dir = scratch_dir("session-roundtrip");
    let saved = dir.join("saved-session");
    let mut harness = app(Some(saved.clone()), &dir.join("auto"), Screen::Live);
    record(&mut harness, 2);
    let autosaved = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    assert!(autosaved.starts_with(dir.join("auto")), "{autosaved:?}");
    click(&mut harness, "Session");
    harness.get_by_label("Save as… (Ctrl+S)").click();
    // The recorder copies the session on its own thread and says when it is done.
    wait_for_text(&mut harness, "Saved the session to");
    let recorded = harness.state().controller().workspace().readings().clone();
    assert!(recorded.polls() >= 2);
    drop(harness);

    let mut reopened = app(Some(saved.clone()), &dir.join("auto2"), Screen::Session);
    reopened.run_steps(2);
    click(&mut reopened, "Open… (Ctrl+O)");
    assert!(reopened.query_by_label_contains("Opened").is_some());
    assert_eq!(
        reopened.state().controller().workspace().readings(),
        &recorded
    );
    assert_eq!(
        reopened.state().controller().workspace().session_dir(),
        Some(saved.as_path())
    );
}

#[test]
fn readings_export_to_csv_in_both_dialects_and_parse_back() {
    let dir = scratch_dir("csv-export");
    for (dialect, delimiter, path) in [
        ("comma, decimal point", b',', dir.join("rfc.csv")),
        (
            "semicolon, decimal comma (DK/SE/DE)",
            b';',
            dir.join("eu.csv"),
        ),
    ] {
        let mut harness = app(Some(path.clone()), &dir.join("auto"), Screen::Live);
        record(&mut harness, 2);
        click(&mut harness, "Session");
        if delimiter == b';' {
            harness.get_by_role(egui::accesskit::Role::ComboBox).click();
            harness.run_steps(2);
            harness.get_by_label(dialect).click();
            harness.run_steps(2);
        }
        // Ctrl+E, as a technician would.
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
        harness.run_steps(2);
        assert!(harness.query_by_label_contains("Exported").is_some());

        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.starts_with('\u{feff}'), delimiter == b';');
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[3], "V1 volume [m³] (68)");
        assert_eq!(&header[4], "flow V1 [l/h] (74)");
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let readings = harness.state().controller().workspace().readings();
        let volume = readings.get(RegisterId::V1_VOLUME.into()).unwrap();
        assert_eq!(rows.len(), volume.len());
        for (row, index) in rows.iter().zip(0..) {
            let exact = volume.get(index).unwrap().value.to_string();
            // The cell read back as a person's spreadsheet would: its own decimal mark only.
            let (mark, other) = if delimiter == b';' {
                (',', '.')
            } else {
                ('.', ',')
            };
            assert!(
                row[3].contains(mark) && !row[3].contains(other),
                "{:?}",
                &row[3]
            );
            assert_eq!(row[3].replacen(mark, ".", 1), exact);
        }
    }
}

#[test]
fn a_damaged_session_is_refused_and_the_app_goes_on() {
    let dir = scratch_dir("damaged-session");
    let damaged = dir.join("damaged");
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::write(damaged.join("session.ron"), "(version: 1, port: \"x").unwrap();
    let mut harness = app(Some(damaged), &dir.join("auto"), Screen::Live);
    record(&mut harness, 1);
    let before = harness.state().controller().workspace().readings().clone();
    click(&mut harness, "Session");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("is damaged").is_some());
    assert!(harness.query_by_label_contains("was kept").is_some());
    assert_eq!(harness.state().controller().workspace().readings(), &before);
}

#[test]
fn the_traffic_list_filters_by_kind_and_exports_what_it_shows() {
    let dir = scratch_dir("traffic");
    let export = dir.join("traffic.txt");
    let mut harness = app(Some(export.clone()), &dir.join("auto"), Screen::Live);
    record(&mut harness, 2);
    click(&mut harness, "Traffic");
    let requests =
        |h: &Harness<'static, MeterApp>| h.query_all_by_label_contains("GetRegister").count();
    assert!(requests(&harness) > 0);
    harness.get_by_label("TX").click();
    click(&mut harness, "ECHO");
    assert_eq!(requests(&harness), 0, "requests hidden");
    click(&mut harness, "Export…");
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(!text.is_empty());
    assert!(
        text.lines()
            .all(|line| line.split_whitespace().nth(1) == Some("RX")),
        "{text}"
    );
}

#[test]
fn a_new_session_starts_empty_and_the_old_one_stays_among_the_recent() {
    let dir = scratch_dir("new-session");
    let mut harness = app(None, &dir.join("auto"), Screen::Live);
    record(&mut harness, 1);
    let first = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    let polls = harness.state().controller().workspace().readings().polls();
    click(&mut harness, "Session");
    click(&mut harness, "New session");
    assert_eq!(
        harness.state().controller().workspace().readings().polls(),
        0
    );
    let second = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    assert_ne!(first, second);
    assert_eq!(
        harness
            .state()
            .controller()
            .settings()
            .recent_sessions
            .first(),
        Some(&first.display().to_string())
    );
    assert_eq!(
        crate::session::Session::open(&first)
            .unwrap()
            .readings
            .polls(),
        polls,
        "the old session keeps its polls"
    );
}

#[test]
fn a_stored_session_ticked_is_deleted_after_asking_and_never_the_one_recording() {
    let dir = scratch_dir("delete-stored");
    let sessions = dir.join("auto");
    let mut harness = app(None, &sessions, Screen::Live);
    record(&mut harness, 1);
    let first = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    click(&mut harness, "Session");
    harness.get_by_label("New session").click();
    harness.run_steps(3);
    let second = harness
        .state()
        .controller()
        .workspace()
        .session_dir()
        .unwrap()
        .to_path_buf();
    assert!(
        harness
            .query_by_label_contains("Stored sessions: 2")
            .is_some()
    );
    let name = |dir: &Path| dir.file_name().unwrap().to_str().unwrap().to_string();
    // The one recording cannot be ticked.
    harness.get_by_label(&name(&second)).click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Delete 0 ticked…").is_some());
    harness.get_by_label(&name(&first)).click();
    harness.run_steps(2);
    click(&mut harness, "Delete 1 ticked…");
    assert!(harness.query_by_label_contains("gone for good").is_some());
    assert!(first.is_dir(), "nothing is deleted before the answer");
    click(&mut harness, "Delete");
    assert!(!first.exists());
    assert!(second.is_dir());
    assert!(
        harness
            .query_by_label_contains("Deleted 1 session")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Stored sessions: 1")
            .is_some()
    );
}

#[test]
fn the_file_shortcuts_leave_a_text_field_alone() {
    let dir = scratch_dir("shortcut-in-field");
    let mut harness = app(None, &dir.join("auto"), Screen::Registers);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Filter")
        .click();
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("No file was chosen")
            .is_none(),
        "Ctrl+S in a text field does not save the session"
    );
    // Out of the field, the shortcut works: no dialog here, so the typed path is asked for.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Save the session as a new folder")
            .is_some()
    );
}

#[test]
fn the_history_screen_reads_a_year_of_months_plots_exports_and_keeps_them_in_the_session() {
    let dir = scratch_dir("history");
    let csv_path = dir.join("months.csv");
    let mut harness = connected(
        Profile::Multical603,
        Screen::History,
        FixedPicker(Some(csv_path.clone())),
        Some(dir.join("auto")),
    );
    harness.get_by_label("List its registers").click();
    wait_for_text(&mut harness, "The month logger keeps 36 entries");
    click(&mut harness, "V1 volume (68)");
    harness.get_by_label("Read history").click();
    wait_for_text(&mut harness, "Read 12 records of the month logger");
    harness.run_steps(2);
    let month = Logger::Period(PeriodLogger::Month);
    let workspace = harness.state().controller().workspace();
    let read = workspace.logger_history(month).unwrap().clone();
    let session = workspace.session_dir().unwrap().to_path_buf();
    let newest = read.records()[0].id;
    assert!(harness.query_by_label(&newest.to_string()).is_some());
    // The plot's title and the table's column.
    assert_eq!(
        harness
            .query_all_by_label_contains("V1 volume [m³]")
            .count(),
        2
    );

    harness
        .get_by_label_contains("Export CSV (comma, decimal point)")
        .click();
    wait_for_text(&mut harness, "Exported 12 records");
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, ["record_id", "meter_time", "V1 volume [m³] (68)"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0][0], newest.to_string());
    let volumes: Vec<f64> = rows.iter().map(|row| row[2].parse().unwrap()).collect();
    assert!(
        volumes.windows(2).all(|pair| pair[0] >= pair[1]),
        "{volumes:?}"
    );
    drop(harness);

    // Opened again, the session shows the same records on the History screen.
    let mut reopened = app(Some(session), &dir.join("auto2"), Screen::Session);
    click(&mut reopened, "Open… (Ctrl+O)");
    click(&mut reopened, "History");
    let workspace = reopened.state().controller().workspace();
    assert_eq!(workspace.logger_history(month), Some(&read));
    assert!(reopened.query_by_label(&newest.to_string()).is_some());
    assert!(
        reopened
            .query_by_label_contains("12 records, newest")
            .is_some()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_history_screen_reads_an_electricity_meters_load_profile_by_its_log_id() {
    let mut harness = connected(
        Profile::Kamstrup382,
        Screen::History,
        FixedPicker(None),
        None,
    );
    click(&mut harness, "interval log");
    harness.get_by_label("Log ID").click_accesskit();
    wait_until(&mut harness, "the field's focus", |h| {
        h.get_by_label("Log ID").is_focused()
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Log ID").type_text("6");
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    harness.get_by_label("Read the interval log").click();
    wait_for_text(&mut harness, "Read 12 records of interval log 6");
    harness.run_steps(2);
    let workspace = harness.state().controller().workspace();
    let log = workspace.logger_history(Logger::Interval(6)).unwrap();
    let ids: Vec<u32> = log.records().iter().map(|record| record.id).collect();
    let newest = workspace.history().unwrap().newest_id.unwrap();
    assert_eq!(ids, (0..12).map(|back| newest - back).collect::<Vec<_>>());
    // The energy and the power columns of the table, each with its plot's title.
    assert_eq!(
        harness
            .query_all_by_label_contains("active energy A14 (import) [kWh]")
            .count(),
        2
    );
}

#[test]
fn a_history_read_cancelled_part_way_is_resumed_with_the_same_registers_and_completes() {
    // Each answer a quarter of a second late: the read of sixty days takes seconds.
    let mut config = crate::sim::MeterConfig::new(Profile::Multical603);
    config.timing.latency = Duration::from_millis(250);
    let mut harness = connected_to(config, Screen::History, FixedPicker(None), None);
    click(&mut harness, "day");
    harness.get_by_label("List its registers").click();
    wait_for_text(&mut harness, "The day logger keeps");
    let holds = harness
        .state()
        .controller()
        .workspace()
        .history()
        .unwrap()
        .holds
        .clone();
    let map = harness.state().controller().workspace().map().clone();
    for id in holds
        .iter()
        .filter(|id| !crate::kmp::logger::is_stamp(**id))
    {
        harness
            .get_by_label(&format!("{} ({id})", map.name(*id)))
            .click_accesskit();
        harness.run_steps(1);
    }
    harness.get_by_label("Records").set_value_accesskit(60.0);
    harness.run_steps(2);
    harness.get_by_label("Read history").click_accesskit();
    wait_until(&mut harness, "the first page", |h| {
        h.state()
            .controller()
            .workspace()
            .history_progress()
            .is_some_and(|progress| progress.records > 0)
    });
    harness.get_by_label("Cancel").click_accesskit();
    wait_for_text(&mut harness, "the rest can be resumed");
    let day = Logger::Period(PeriodLogger::Day);
    let workspace = harness.state().controller().workspace();
    let part = workspace.logger_history(day).unwrap().len();
    assert!((1..60).contains(&part), "{part} records before the cancel");
    assert!(
        harness
            .query_by_label_contains("The last read was cut short before records")
            .is_some()
    );

    harness.get_by_label("Resume").click_accesskit();
    wait_until(&mut harness, "the rest", |h| {
        h.state()
            .controller()
            .workspace()
            .history_resume()
            .is_none()
            && !matches!(h.state().controller().job(), Some(Job::History(_)))
    });
    harness.run_steps(2);
    let log = harness
        .state()
        .controller()
        .workspace()
        .logger_history(day)
        .unwrap();
    let ids: Vec<u32> = log.records().iter().map(|record| record.id).collect();
    let newest = ids[0];
    assert_eq!(ids, (0..60).map(|back| newest - back).collect::<Vec<_>>());
    // Every record has every register ticked, the ones read before the cancel and after.
    let ticked = holds
        .iter()
        .filter(|id| !crate::kmp::logger::is_stamp(**id))
        .count();
    for record in log.records() {
        let values = record
            .registers
            .iter()
            .filter(|register| !crate::kmp::logger::is_stamp(register.id()))
            .count();
        assert_eq!(values, ticked, "record {}", record.id);
    }
    assert!(
        harness
            .query_by_label_contains("60 records, newest")
            .is_some()
    );
}

#[test]
fn a_capture_opened_on_the_traffic_screen_shows_its_diagnosis_frames_and_registers() {
    let dir = scratch_dir("capture");
    let recording = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures/pulseview/a_good.export_all.txt");
    let mut harness = app(Some(recording), &dir.join("auto"), Screen::Traffic);
    harness.get_by_label("Open capture…").click();
    wait_until(&mut harness, "the recording", |h| {
        h.state().controller().workspace().capture().is_some()
    });
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("(pulseview)").is_some());
    assert!(
        harness
            .query_by_label_contains("The meter answers (1 of 1 requests)")
            .is_some()
    );
    let answer = harness.query_by_label_contains("68 = 8.541 m³");
    assert!(
        answer.is_some(),
        "the answer's frame is listed with its value"
    );
    assert!(
        harness
            .query_by_label_contains("ECHO 80 3F 10 01")
            .is_some()
    );
    let map = harness.state().controller().workspace().map();
    assert!(
        map.registers.contains_key(&RegisterId::new(68)),
        "the recording's register is in the table, to export"
    );
    click(&mut harness, "Close recording");
    assert!(harness.state().controller().workspace().capture().is_none());
    assert!(harness.query_by_label_contains("68 = 8.541 m³").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readout_in_a_recording_of_an_iec_meter_is_shown_on_the_registers_screen() {
    let dir = scratch_dir("capture-readout");
    let recording = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures/own/iec_300_echo.socat.log");
    let mut harness = app(Some(recording), &dir.join("auto"), Screen::Connection);
    // A meter connected has its own registers: the recording's readout shows without one.
    disconnect(&mut harness);
    click(&mut harness, "Traffic");
    harness.get_by_label("Open capture…").click();
    wait_until(&mut harness, "the recording", |h| {
        h.state().controller().workspace().capture().is_some()
    });
    assert!(
        harness
            .query_by_label_contains("its readout of 9 values on the Registers screen")
            .is_some()
    );
    click(&mut harness, "Registers");
    assert!(
        harness
            .query_by_label_contains("The recorded meter speaks IEC 62056-21")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("9 values from the recording")
            .is_some()
    );
    assert!(harness.query_by_label("1.8.0").is_some());
    assert!(harness.query_by_label("23456.780").is_some());
    // Closing the recording takes its readout away.
    click(&mut harness, "Traffic");
    harness.get_by_label("Close recording").click();
    click(&mut harness, "Registers");
    assert!(harness.query_by_label("23456.780").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_no_recording_is_refused_and_the_one_shown_kept() {
    let dir = scratch_dir("capture-refused");
    let not_a_recording = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures/not_recordings/COMMANDS.txt");
    let mut harness = app(Some(not_a_recording), &dir.join("auto"), Screen::Traffic);
    harness.get_by_label("Open capture…").click();
    wait_for_text(&mut harness, "not a recording this program reads");
    assert!(harness.state().controller().workspace().capture().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_pasted_off_an_analyser_is_decoded_with_its_break_explained() {
    let dir = scratch_dir("pasted");
    let mut harness = app(None, &dir.join("auto"), Screen::Traffic);
    harness
        .get_by_label("Paste what your analyser shows")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Analyser text").click();
    harness.run_steps(1);
    harness.get_by_label("Analyser text").type_text(
        "TX: 0x80  0x3F[?]  0x10  0x01  BREAK 0x3C[<] 0xB2  0x5F[_]  0x0D\n\
         RX: 0x80  0x3F[?]  0x10  0x01  BREAK 0x3C[<] 0xB2  0x5F[_]  0x0D",
    );
    harness.run_steps(2);
    harness.get_by_label("Decode the text").click();
    wait_until(&mut harness, "the recording", |h| {
        h.state().controller().workspace().capture().is_some()
    });
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("(analyser-text)").is_some());
    assert!(
        harness
            .query_by_label_contains("The head hears its own transmission")
            .is_some()
    );
    // The request and its echo, each with the BREAK explained.
    assert_eq!(
        harness
            .query_all_by_label_contains("shown as a BREAK and read as 0x00")
            .count(),
        2
    );
}
