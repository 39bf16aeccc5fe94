use super::{Register, Value};
use crate::kmp::{EncodeError, Number, RegisterId, Unit};

fn register(unit: u8, sign_exponent: u8, mantissa: &[u8]) -> Register {
    Register::new(
        RegisterId::new(1),
        Unit::from_code(unit),
        sign_exponent,
        mantissa.to_vec(),
    )
    .unwrap()
}

#[test]
fn volume_shows_with_its_unit() {
    let volume = register(0x28, 0x43, &[0x00, 0x00, 0x21, 0x5D]);
    assert_eq!(volume.value_text().as_deref(), Some("8.541"));
    assert_eq!(volume.display_text(), "8.541 m³");
    assert_eq!(volume.raw(), [0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D]);
}

#[test]
fn plain_numbers_show_without_a_unit() {
    assert_eq!(register(0x33, 0x00, &[0x00, 0x00]).display_text(), "0");
}

#[test]
fn unknown_units_show_the_bare_value() {
    assert_eq!(register(0xEE, 0x41, &[0x0C]).display_text(), "1.2");
}

#[test]
fn clock_shows_as_hh_mm_ss() {
    // PyKMP docs, MULTICAL 403: 200243 -> 20:02:43.
    assert_eq!(
        register(0x2F, 0x00, &[0x00, 0x03, 0x0E, 0x33]).display_text(),
        "20:02:43"
    );
}

#[test]
fn dates_show_in_calendar_form() {
    assert_eq!(
        register(0x30, 0x00, &260101u32.to_be_bytes()).display_text(),
        "2026-01-01"
    );
    assert_eq!(
        register(0x30, 0x00, &261122u32.to_be_bytes()).display_text(),
        "2026-11-22"
    );
    assert_eq!(
        register(0x31, 0x00, &20261122u32.to_be_bytes()).display_text(),
        "2026-11-22"
    );
    assert_eq!(
        register(0x32, 0x00, &1122u32.to_be_bytes()).display_text(),
        "11-22"
    );
}

#[test]
fn impossible_dates_fall_back_to_the_number_and_unit() {
    assert_eq!(
        register(0x2F, 0x00, &256199u32.to_be_bytes()).display_text(),
        "256199 hh:mm:ss"
    );
    assert_eq!(
        register(0x30, 0x00, &[0, 0, 0, 0]).display_text(),
        "0 yy:mm:dd"
    );
    assert_eq!(
        register(0x30, 0x41, &261122u32.to_be_bytes()).display_text(),
        "26112.2 yy:mm:dd"
    );
}

#[test]
fn dst_datetime_shows_date_and_time() {
    // PyKMP fork vectors, register 348: 00 18 0C 1F 00 00 04.
    assert_eq!(
        register(0x4F, 0x00, &[0x00, 0x18, 0x0C, 0x1F, 0x00, 0x00, 0x04]).display_text(),
        "2024-12-31 00:00:04"
    );
    assert_eq!(
        register(0x4F, 0x00, &[0x3C, 0x18, 0x06, 0x01, 0x0C, 0x00, 0x00]).display_text(),
        "2024-06-01 12:00:00 (DST +60 min)"
    );
}

#[test]
fn ascii_shows_as_text_with_padding_dropped_and_controls_escaped() {
    let text = register(0x36, 0x00, b"MC21 A\x01  \0\0");
    assert_eq!(text.value(), Value::Text("MC21 A\\x01".into()));
    assert_eq!(text.display_text(), "MC21 A\\x01");
}

#[test]
fn long_mantissas_give_no_value_and_no_panic() {
    let long = register(0x28, 0x00, &[0xFF; 17]);
    assert_eq!(long.value(), Value::TooLong { len: 17 });
    assert_eq!(long.value_text(), None);
    assert_eq!(long.raw().len(), 3 + 17);
}

#[test]
fn sixteen_byte_mantissa_is_exact() {
    assert_eq!(
        register(0x00, 0x00, &[0xFF; 16]).value_text().as_deref(),
        Some("340282366920938463463374607431768211455")
    );
}

#[test]
fn from_number_writes_a_fixed_length_mantissa() {
    let number = Number::new(false, 8541, -3).unwrap();
    let volume =
        Register::from_number(RegisterId::new(68), Unit::from_code(0x28), number, 4).unwrap();
    assert_eq!(volume.raw(), [0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D]);
    assert_eq!(
        Register::from_number(RegisterId::new(68), Unit::from_code(0x28), number, 1),
        Err(EncodeError::MantissaOverflow {
            mantissa: 8541,
            len: 1
        })
    );
}

#[test]
fn rejects_mantissa_longer_than_the_length_byte() {
    assert_eq!(
        Register::new(RegisterId::new(1), Unit::from_code(0), 0, vec![0; 256]),
        Err(EncodeError::MantissaTooLong { len: 256 })
    );
}
