use super::Number;
use proptest::prelude::*;

fn text(sign_exponent: u8, mantissa: u128) -> String {
    Number::from_parts(sign_exponent, mantissa).to_string()
}

#[test]
fn negative_exponent_keeps_the_meters_resolution() {
    assert_eq!(text(0x43, 8541), "8.541");
    assert_eq!(text(0x43, 8540), "8.540");
    assert_eq!(text(0x41, 0), "0.0");
    assert_eq!(text(0x42, 187_556), "1875.56");
    assert_eq!(text(0x43, 5), "0.005");
}

#[test]
fn negative_values_carry_a_minus_and_zero_never_does() {
    assert_eq!(text(0xC2, 125), "-1.25");
    assert_eq!(text(0xC1, 0), "0.0");
    assert_eq!(text(0x80, 0), "0");
}

#[test]
fn positive_exponent_gives_an_integer_never_scientific_notation() {
    assert_eq!(text(0x01, 12), "120");
    assert_eq!(text(0x00, 200_243), "200243");
    assert_eq!(text(0x03, 0), "0");
    assert_eq!(text(0x3F, 1), format!("1{}", "0".repeat(63)));
}

#[test]
fn sixteen_byte_mantissas_are_exact() {
    assert_eq!(
        text(0x00, u128::MAX),
        "340282366920938463463374607431768211455"
    );
}

#[test]
fn sign_exponent_byte_round_trips() {
    for byte in 0..=255u8 {
        let number = Number::from_parts(byte, 1);
        // 0x40 is "minus zero" as an exponent; it reads as exponent 0 and is written as 0x00.
        let expected = if byte & 0x3F == 0 { byte & 0x80 } else { byte };
        assert_eq!(number.sign_exponent(), expected, "byte {byte:#04X}");
    }
}

#[test]
fn rejects_text_that_is_not_plain_notation() {
    for bad in ["", "-", ".5", "5.", "1e3", "1,5", "+1", "0x10", " 1"] {
        assert!(bad.parse::<Number>().is_err(), "{bad:?} parsed");
    }
}

proptest! {
    #[test]
    fn prop_value_text_parses_back_to_the_same_number(negative in any::<bool>(), mantissa in any::<u128>(), exponent in -63i8..=63) {
        let number = Number::new(negative, mantissa, exponent).unwrap();
        let text = number.to_string();
        let parsed: Result<Number, _> = text.parse();
        if exponent < 0 {
            // The digits after the point are the resolution: mantissa and exponent come back as they were.
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.mantissa(), mantissa);
            prop_assert_eq!(parsed.exponent(), exponent);
            prop_assert_eq!(parsed.is_negative(), negative && mantissa != 0);
        } else if let Ok(parsed) = parsed {
            // An integer: the same value, printed the same way.
            prop_assert_eq!(parsed.to_string(), text);
        } else {
            // Only integers beyond 128 bits fail to parse back.
            prop_assert!(text.trim_start_matches('-').len() > 38);
        }
    }
}
