use super::*;
use crate::kmp::{Number, Unit};

fn volume(mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, -2).unwrap();
    Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
}

fn sample_map() -> RegisterMap {
    let mut map = RegisterMap {
        family: Some(Family::Water),
        ..RegisterMap::default()
    };
    map.insert([volume(6344)]);
    map.add_silencing(&[RegisterId::new(155)]);
    map.set_name(RegisterId::V1_VOLUME, "Cold water, flat 3");
    map.set_name(RegisterId::new(1234), "=HYPERLINK(\"x\")");
    map
}

#[test]
fn a_saved_map_loads_back_the_same_registers_names_and_family() {
    let map = sample_map();
    let loaded = RegisterMap::from_ron(&map.to_ron(), "map.ron").unwrap();
    assert_eq!(loaded, map);
    assert_eq!(
        loaded.registers[&RegisterId::V1_VOLUME].display_text(),
        "63.44 m³"
    );
    assert_eq!(loaded.name(RegisterId::V1_VOLUME), "Cold water, flat 3");
}

#[test]
fn names_fall_back_to_the_catalogue_then_to_the_id() {
    let mut map = sample_map();
    map.set_name(RegisterId::V1_VOLUME, "  ");
    assert!(map.user_name(RegisterId::V1_VOLUME).is_none());
    assert!(map.name(RegisterId::V1_VOLUME).contains("olume"));
    assert_eq!(map.name(RegisterId::new(60_000)), "register 60000");
}

#[test]
fn names_are_kept_on_one_line_and_short() {
    let mut map = RegisterMap::default();
    map.set_name(RegisterId::FLOW_V1, &format!("a\nb{}", "x".repeat(500)));
    let name = map.user_name(RegisterId::FLOW_V1).unwrap();
    assert!(name.starts_with("a b"));
    assert_eq!(name.chars().count(), MAX_NAME_CHARS);
}

#[test]
fn newer_garbage_and_damaged_files_are_refused_with_a_reason() {
    let text = sample_map().to_ron().replace("version: 1", "version: 7");
    assert!(matches!(
        RegisterMap::from_ron(&text, "m.ron"),
        Err(MapFileError::TooNew { version: 7, .. })
    ));
    for bad in [
        "",
        "garbage",
        "(version: 1, registers: [(id: 68, block: Some(\"04\"))])",
    ] {
        let error = RegisterMap::from_ron(bad, "m.ron").unwrap_err();
        assert!(error.to_string().contains("m.ron"), "{error}");
    }
    let ron = sample_map().to_ron();
    let cut = &ron[..ron.len() / 2];
    assert!(matches!(
        RegisterMap::from_ron(cut, "m.ron"),
        Err(MapFileError::Invalid { .. })
    ));
}

#[test]
fn an_older_file_without_the_later_fields_opens() {
    let map = RegisterMap::from_ron("(version: 1)", "m.ron").unwrap();
    assert_eq!(map, RegisterMap::default());
}

#[test]
fn the_info_code_reads_in_words_for_water_meters_and_as_bits_for_others() {
    let number = Number::new(false, 4, 0).unwrap();
    let info = Register::from_number(RegisterId::INFO_CODE, Unit::from_code(0), number, 4).unwrap();
    let mut map = RegisterMap {
        family: Some(Family::Water),
        ..RegisterMap::default()
    };
    assert_eq!(map.value_text(&info), "4: LEAK");
    map.family = Some(Family::Heat);
    assert!(map.value_text(&info).contains("not public"));
    assert_eq!(map.value_text(&volume(8541)), volume(8541).display_text());
}

#[test]
fn a_map_file_over_its_size_limit_is_refused_before_it_is_read() {
    let dir = std::env::temp_dir().join(format!("kmp-map-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.ron");
    // Sparse: the size is what counts, and nothing of it is read.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    let error = RegisterMap::load(&path).unwrap_err();
    assert!(
        matches!(error, MapFileError::TooLarge { bytes, .. } if bytes == MAX_FILE_BYTES + 1),
        "{error}"
    );
    assert!(error.to_string().contains("too large for a register map"));
    // At the limit it is read, and refused for what it holds.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_FILE_BYTES)
        .unwrap();
    assert!(!matches!(
        RegisterMap::load(&path),
        Err(MapFileError::TooLarge { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
