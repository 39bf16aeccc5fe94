use super::*;

fn name(family: Option<Family>, id: u16) -> Option<&'static str> {
    lookup(family, RegisterId::new(id)).map(|info| info.name)
}

#[test]
fn arrays_are_strictly_sorted_by_id() {
    for entries in [HEAT_WATER, ELECTRICITY] {
        assert!(
            entries
                .windows(2)
                .all(|pair| pair[0].info.id < pair[1].info.id)
        );
    }
}

#[test]
fn every_entry_belongs_to_a_family_of_its_array() {
    assert!(
        HEAT_WATER
            .iter()
            .all(|entry| entry.families & HW != 0 && entry.families & E == 0)
    );
    assert!(ELECTRICITY.iter().all(|entry| entry.families == E));
}

#[test]
fn names_are_unique_and_not_empty_within_each_catalogue() {
    let families = [
        None,
        Some(Family::Water),
        Some(Family::Heat),
        Some(Family::Electricity),
    ];
    for family in families {
        let mut names: Vec<&str> = catalogue(family).map(|info| info.name).collect();
        assert!(names.iter().all(|name| !name.is_empty()));
        let n_names = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n_names, "{family:?}");
    }
}

#[test]
fn catalogues_are_sorted_and_agree_with_lookup() {
    let families = [
        None,
        Some(Family::Water),
        Some(Family::Heat),
        Some(Family::Electricity),
    ];
    for family in families {
        let ids: Vec<RegisterId> = catalogue(family).map(|info| info.id).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
        for info in catalogue(family) {
            assert_eq!(lookup(family, info.id), Some(info));
        }
    }
}

#[test]
fn water_catalogue_has_the_multical_21_registers() {
    let water = Some(Family::Water);
    assert_eq!(name(water, 68), Some("V1 volume"));
    assert_eq!(name(water, 74), Some("flow V1"));
    assert_eq!(name(water, 99), Some("info code"));
    assert_eq!(name(water, 243), Some("V1 reverse volume"));
    assert_eq!(name(water, 582), Some("battery days left"));
    assert_eq!(name(water, 1004), Some("hour counter"));
    assert_eq!(name(water, 86), None, "a water meter has no T1");
}

#[test]
fn heat_catalogue_has_energy_and_temperatures_but_not_water_only_registers() {
    let heat = Some(Family::Heat);
    assert_eq!(name(heat, 60), Some("E1 heat energy"));
    assert_eq!(name(heat, 86), Some("T1 forward temperature"));
    assert_eq!(name(heat, 128), Some("max power (year)"));
    assert_eq!(name(heat, 68), Some("V1 volume"));
    assert_eq!(name(heat, 243), None);
    assert_eq!(name(heat, 582), None);
}

#[test]
fn electricity_catalogue_has_its_own_meanings() {
    let electricity = Some(Family::Electricity);
    assert_eq!(name(electricity, 1), Some("active energy A14 (import)"));
    assert_eq!(
        name(electricity, 13),
        Some("active energy A14, high resolution")
    );
    assert_eq!(name(electricity, 1055), Some("voltage L2"));
    assert_eq!(name(electricity, 1005), Some("software revision"));
    assert_eq!(name(electricity, 68), None);
}

#[test]
fn no_family_means_heat_and_water_combined() {
    let union: Vec<RegisterId> = catalogue(None).map(|info| info.id).collect();
    let mut expected: Vec<RegisterId> = catalogue(Some(Family::Heat))
        .chain(catalogue(Some(Family::Water)))
        .map(|info| info.id)
        .collect();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(union, expected);
    assert_eq!(name(None, 243), Some("V1 reverse volume"));
    assert_eq!(name(None, 86), Some("T1 forward temperature"));
    assert_eq!(
        name(None, 1),
        None,
        "electricity registers are not in the default catalogue"
    );
}

#[test]
fn unknown_ids_have_no_entry() {
    for family in [
        None,
        Some(Family::Water),
        Some(Family::Heat),
        Some(Family::Electricity),
    ] {
        for id in [0, 384, 9999, u16::MAX] {
            assert_eq!(lookup(family, RegisterId::new(id)), None, "{family:?} {id}");
        }
    }
}

#[test]
fn disputed_registers_say_what_other_sources_call_them() {
    let info_events = lookup(None, RegisterId::new(113));
    assert!(info_events.and_then(|info| info.disputed).is_some());
    let edition = lookup(Some(Family::Heat), RegisterId::new(1005));
    assert!(edition.and_then(|info| info.disputed).is_some());
    let export = lookup(Some(Family::Electricity), RegisterId::new(1024));
    assert!(export.and_then(|info| info.disputed).is_some());
    let volume = lookup(None, RegisterId::V1_VOLUME);
    assert_eq!(volume.and_then(|info| info.disputed), None);
}

#[test]
fn well_known_constants_have_their_ids() {
    assert_eq!(RegisterId::V1_VOLUME.value(), 68);
    assert_eq!(RegisterId::FLOW_V1.value(), 74);
    assert_eq!(RegisterId::INFO_CODE.value(), 99);
    assert_eq!(RegisterId::SERIAL_NUMBER.value(), 1001);
    assert_eq!(RegisterId::CLOCK.value(), 1002);
    assert_eq!(RegisterId::DATE.value(), 1003);
    assert_eq!(RegisterId::HOUR_COUNTER.value(), 1004);
}

#[test]
fn hex_has_four_upper_case_digits_and_display_is_decimal() {
    assert_eq!(RegisterId::V1_VOLUME.hex(), "0x0044");
    assert_eq!(RegisterId::new(0).hex(), "0x0000");
    assert_eq!(RegisterId::new(0x03EA).hex(), "0x03EA");
    assert_eq!(RegisterId::new(u16::MAX).hex(), "0xFFFF");
    assert_eq!(RegisterId::V1_VOLUME.to_string(), "68");
}

#[test]
fn family_parses_its_names_ignoring_case() {
    for family in Family::ALL {
        assert_eq!(family.name().parse(), Ok(family));
        assert_eq!(family.name().to_uppercase().parse(), Ok(family));
    }
    assert_eq!("Heat".parse(), Ok(Family::Heat));
}

#[test]
fn family_rejects_unknown_names() {
    assert_eq!("gas".parse::<Family>(), Err(UnknownFamily));
    assert_eq!("".parse::<Family>(), Err(UnknownFamily));
    let message = UnknownFamily.to_string();
    assert!(message.contains("water") && message.contains("electricity"));
}
