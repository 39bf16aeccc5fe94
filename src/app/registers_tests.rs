//! The Registers screen clicked through: a scan filling the table (the catalogue's registers
//! first), names typed and exported, register maps saved and opened again (by a typed path when
//! no file dialog answers), ticked registers read again.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use super::tests::{
    FixedPicker, click, connected, connected_to, meter, scratch_dir, wait_for_text, wait_until,
};
use super::*;
use crate::kmp::RegisterId;

/// A harness on the Registers screen of a simulated MULTICAL 21 whose scan of 0..=1100 is done.
fn scanned(picker: FixedPicker) -> Harness<'static, MeterApp> {
    scanned_in(picker, None)
}

/// As [`scanned`], recording into a session under `sessions_dir` when given.
fn scanned_in(
    picker: FixedPicker,
    sessions_dir: Option<std::path::PathBuf>,
) -> Harness<'static, MeterApp> {
    let mut harness = connected(Profile::Multical21, Screen::Registers, picker, sessions_dir);
    harness.get_by_label("Scan").click();
    wait_until(&mut harness, "the scan", |h| {
        !h.state().controller().scanning()
            && !h
                .state()
                .controller()
                .workspace()
                .map()
                .registers
                .is_empty()
    });
    harness.run_steps(2);
    harness
}

/// The table row of a register, found by its tick box, which carries the ID.
fn row<'h>(harness: &'h Harness<'static, MeterApp>, id: &'h str) -> Option<egui_kittest::Node<'h>> {
    harness.query_by(|node| {
        node.role() == egui::accesskit::Role::CheckBox && node.label().as_deref() == Some(id)
    })
}

/// Types `name` into the name field of register `id`.
fn rename(harness: &mut Harness<'static, MeterApp>, id: &str, name: &str) {
    name_field(harness, id).click();
    harness.run_steps(2);
    name_field(harness, id).type_text(name);
    harness.run_steps(2);
}

fn name_field<'h>(harness: &'h Harness<'static, MeterApp>, id: &'h str) -> egui_kittest::Node<'h> {
    harness.get_by(|node| {
        node.role() == egui::accesskit::Role::TextInput && node.label().as_deref() == Some(id)
    })
}

/// Replaces the prompt's path with `path` and presses Write.
fn write_typed_path(harness: &mut Harness<'static, MeterApp>, path: &std::path::Path) {
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Path")
        .click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Path")
        .type_text(path.to_str().unwrap());
    harness.run_steps(2);
    click(harness, "Write");
}

#[test]
fn a_scan_of_the_common_range_lists_the_meters_registers_and_the_filter_narrows_them() {
    let mut harness = scanned(FixedPicker(None));
    assert!(harness.query_by_label("9 registers found").is_some());
    assert!(row(&harness, "68").is_some());
    assert!(row(&harness, "99").is_some());
    // The info code in words: the simulated water meter reports no condition.
    assert!(
        harness
            .query_by_label_contains("no condition present")
            .is_some()
    );
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Filter")
        .click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Filter")
        .type_text("volume");
    harness.run_steps(3);
    assert!(row(&harness, "68").is_some(), "V1 volume stays");
    assert!(row(&harness, "99").is_none(), "the filter hides other rows");
}

#[test]
fn a_register_renamed_in_the_table_is_named_so_in_the_exported_csv() {
    let dir = scratch_dir("rename");
    let csv = dir.join("map.csv");
    let mut harness = scanned(FixedPicker(Some(csv.clone())));
    rename(&mut harness, "68", "=Kitchen cold water");
    assert_eq!(
        harness
            .state()
            .controller()
            .workspace()
            .map()
            .user_name(RegisterId::V1_VOLUME),
        Some("=Kitchen cold water")
    );
    click(&mut harness, "Export CSV…");
    let text = std::fs::read_to_string(&csv).unwrap();
    let row = text.lines().find(|line| line.starts_with("68,")).unwrap();
    // The name starts with "=", so it is neutralised for spreadsheets.
    assert!(row.contains(",'=Kitchen cold water,m³,"), "{row}");
    assert!(
        harness
            .query_by_label_contains("Exported 9 registers")
            .is_some()
    );
}

#[test]
fn without_a_file_dialog_a_typed_path_is_used_and_never_overwrites() {
    let dir = scratch_dir("typed");
    let path = dir.join("typed.ron");
    let mut harness = scanned(FixedPicker(None));
    click(&mut harness, "Save map…");
    assert!(
        harness
            .query_by_label_contains("No file was chosen")
            .is_some()
    );
    write_typed_path(&mut harness, &path);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("version: 1"));
    assert!(
        harness
            .query_by_label_contains("No file was chosen")
            .is_none()
    );

    // The same name again: refused, and the file stays as it was.
    std::fs::write(&path, "kept").unwrap();
    click(&mut harness, "Save map…");
    write_typed_path(&mut harness, &path);
    assert!(harness.query_by_label_contains("exists already").is_some());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
}

#[test]
fn a_saved_map_opens_again_and_a_damaged_one_is_refused_with_the_map_kept() {
    let dir = scratch_dir("reopen");
    let path = dir.join("map.ron");
    let mut harness = scanned(FixedPicker(Some(path.clone())));
    rename(&mut harness, "74", "Flow, flat 3");
    click(&mut harness, "Save map…");
    let before = harness.state().controller().workspace().map().clone();

    std::fs::write(
        &path,
        "(version: 1, registers: [(id: 68, block: Some(\"2804",
    )
    .unwrap();
    click(&mut harness, "Open map…");
    assert!(
        harness
            .query_by_label_contains("is not a register map")
            .is_some()
    );
    assert_eq!(
        harness.state().controller().workspace().map(),
        &before,
        "the map on screen is kept"
    );

    std::fs::write(&path, before.to_ron()).unwrap();
    click(&mut harness, "Open map…");
    assert_eq!(harness.state().controller().workspace().map(), &before);
    assert_eq!(
        harness
            .state()
            .controller()
            .workspace()
            .map()
            .user_name(RegisterId::FLOW_V1),
        Some("Flow, flat 3")
    );
    assert!(harness.query_by_label_contains("Opened").is_some());
}

#[test]
fn ticked_registers_are_read_again() {
    let dir = scratch_dir("read-again");
    let mut harness = scanned_in(FixedPicker(None), Some(dir.clone()));
    row(&harness, "68").unwrap().click();
    row(&harness, "1004").unwrap().click();
    harness.run_steps(2);
    harness.get_by_label("Read 2 ticked again").click();
    wait_for_text(&mut harness, "Read 2 registers again");
    click(&mut harness, "Dismiss");
    assert!(
        harness
            .query_by_label_contains("Read 2 registers again")
            .is_none()
    );
    // The Traffic screen shows what went to the meter: one request for the two ticked
    // registers, and their answer.
    harness.get_by_label("Traffic").click();
    // The list sticks to its bottom from the frame after it is first laid out.
    harness.run_steps(4);
    let lines: Vec<String> = harness
        .query_all_by_label_contains("GetRegister")
        .filter_map(|node| node.accesskit_node().value())
        .collect();
    let asked: Vec<&String> = lines
        .iter()
        .filter(|line| line.split_whitespace().nth(1) == Some("TX"))
        .filter(|line| line.ends_with("GetRegister 68, 1004"))
        .collect();
    assert_eq!(asked.len(), 1, "{lines:#?}");
    let answers: Vec<String> = harness
        .query_all_by_label_contains("68 = ")
        .filter_map(|node| node.accesskit_node().value())
        .collect();
    assert!(
        answers
            .last()
            .is_some_and(|line| line.contains(" RX ") && line.contains(", 1004 = ")),
        "the two registers answered: {answers:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scan_fills_the_table_with_the_catalogues_registers_before_the_rest_of_the_range() {
    let mut config = meter(Profile::Multical21, Duration::ZERO);
    config.timing = crate::sim::Timing::realtime(Duration::from_millis(60));
    let mut harness = connected_to(config, Screen::Registers, FixedPicker(None), None);
    harness.get_by_label("Scan").click();
    let wanted = [1001, 1002, 1003, 1004, 68, 74, 99].map(RegisterId::new);
    wait_until(&mut harness, "the registers wanted", |h| {
        let map = h.state().controller().workspace().map();
        wanted.iter().all(|id| map.registers.contains_key(id))
    });
    // The water catalogue's IDs of 0..=1100 come first; the range after them.
    let catalogue = crate::link::ScanOptions::catalogue_first(
        0,
        1100,
        Duration::ZERO,
        Some(crate::kmp::Family::Water),
    )
    .first
    .len() as u32;
    let done = harness
        .state()
        .controller()
        .scans()
        .progress()
        .map_or(0, |p| p.done);
    assert!(
        done <= catalogue,
        "{done} IDs asked before the catalogue's {catalogue} were in"
    );
    harness.run_steps(2);
    assert!(row(&harness, "1004").is_some() && row(&harness, "68").is_some());
    click(&mut harness, "Cancel scan");
}
