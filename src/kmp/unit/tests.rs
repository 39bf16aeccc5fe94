use super::*;

#[test]
fn unit_0x15_is_watt_per_kamstrup_document() {
    assert_eq!(Unit::from_code(0x15), Unit::W);
    assert_eq!(Unit::W.symbol(), "W");
}

#[test]
fn unit_0x19_is_var_per_kamstrup_document() {
    assert_eq!(Unit::VAR.symbol(), "var");
    assert_eq!(Unit::KVAR.symbol(), "kvar");
}

#[test]
fn unit_0x26_is_kelvin_without_degree_sign() {
    assert_eq!(Unit::KELVIN.symbol(), "K");
}

#[test]
fn energy_codes_at_the_start_of_the_table_have_their_symbols() {
    assert_eq!(Unit::WH.symbol(), "Wh");
    assert_eq!(Unit::KWH.symbol(), "kWh");
    assert_eq!(Unit::MWH.symbol(), "MWh");
    assert_eq!(Unit::GJ.symbol(), "GJ");
    assert_eq!(Unit::from_code(0x0C).symbol(), "Gcal");
    assert_eq!(Unit::from_code(0x0E).symbol(), "kvarh");
}

#[test]
fn water_and_heat_codes_use_proper_characters() {
    assert_eq!(Unit::M3.symbol(), "m³");
    assert_eq!(Unit::L_PER_H.symbol(), "l/h");
    assert_eq!(Unit::M3_PER_H.symbol(), "m³/h");
    assert_eq!(Unit::CELSIUS.symbol(), "°C");
    assert_eq!(Unit::M3_CELSIUS.symbol(), "m³×°C");
    assert_eq!(Unit::from_code(0x37).symbol(), "m³×10");
    assert_eq!(Unit::from_code(0x39).symbol(), "GJ×10");
}

#[test]
fn date_and_time_codes_keep_a_symbol() {
    assert_eq!(Unit::TIME_HHMMSS.symbol(), "hh:mm:ss");
    assert_eq!(Unit::DATE_YYMMDD.symbol(), "yy:mm:dd");
    assert_eq!(Unit::DATE_YYYYMMDD.symbol(), "yyyy:mm:dd");
    assert_eq!(Unit::DATE_MMDD.symbol(), "mm:dd");
    assert_eq!(Unit::DST_DATETIME.symbol(), "DST datetime");
}

#[test]
fn later_codes_from_the_kamstrup_document_are_known() {
    assert_eq!(Unit::from_code(0x55).symbol(), "%RH");
    assert_eq!(Unit::from_code(0x56).symbol(), "%O₂");
    assert_eq!(Unit::from_code(0x5A).symbol(), "g/kg");
}

#[test]
fn plain_numbers_are_known_but_have_no_symbol() {
    for unit in [Unit::NONE, Unit::NUMBER] {
        assert!(unit.is_known());
        assert_eq!(unit.symbol(), "");
        assert_eq!(unit.kind(), UnitKind::Quantity);
    }
}

#[test]
fn unknown_codes_have_no_symbol_and_are_not_known() {
    for code in [0x41, 0x4E, 0x50, 0x54, 0x5B, 0xFF] {
        let unit = Unit::from_code(code);
        assert!(!unit.is_known(), "0x{code:02X}");
        assert_eq!(unit.symbol(), "");
        assert_eq!(unit.kind(), UnitKind::Quantity);
    }
}

#[test]
fn every_known_code_except_plain_numbers_has_a_symbol() {
    for code in 0..=u8::MAX {
        let unit = Unit::from_code(code);
        let plain_number = code == 0x00 || code == 0x33;
        if unit.is_known() && !plain_number {
            assert!(!unit.symbol().is_empty(), "0x{code:02X}");
        }
    }
}

#[test]
fn whole_base_table_and_later_codes_are_known() {
    let known = (0..=u8::MAX).filter(|&code| Unit::from_code(code).is_known());
    let expected = (0x00..=0x40).chain([0x4F]).chain(0x55..=0x5A);
    assert!(known.eq(expected));
}

#[test]
fn special_codes_have_their_kinds() {
    assert_eq!(Unit::TIME_HHMMSS.kind(), UnitKind::TimeOfDay);
    assert_eq!(Unit::DATE_YYMMDD.kind(), UnitKind::DateYymmdd);
    assert_eq!(Unit::DATE_YYYYMMDD.kind(), UnitKind::DateYyyymmdd);
    assert_eq!(Unit::DATE_MMDD.kind(), UnitKind::MonthDay);
    assert_eq!(Unit::ASCII.kind(), UnitKind::Ascii);
    assert_eq!(Unit::BITFIELD.kind(), UnitKind::Bitfield);
    assert_eq!(Unit::DST_DATETIME.kind(), UnitKind::DstDateTime);
    assert_eq!(Unit::M3.kind(), UnitKind::Quantity);
}

#[test]
fn code_round_trips_through_from_code() {
    for code in 0..=u8::MAX {
        assert_eq!(Unit::from_code(code).code(), code);
    }
}
