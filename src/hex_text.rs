//! Hex text as people paste it: `80 3F 10`, `803F10`, `80:3F:10`, `0x80, 0x3F`.

/// Bytes from hex text, or one sentence saying what is wrong and how to write it. The tokens
/// are checked here, for the message; [`kmp::from_hex`](crate::kmp::from_hex) pairs the digits.
pub fn parse(text: &str) -> Result<Vec<u8>, String> {
    let mut digits = String::new();
    for token in text.split(|c: char| c.is_whitespace() || c == ':' || c == ',') {
        let token = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
            .unwrap_or(token);
        if let Some(c) = token.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!(
                "{c:?} in {token:?} is not a hex digit; write the frame as hex bytes, e.g. 80 3F 10 01 00 44 4D C0 0D"
            ));
        }
        // Each token pairs up on its own, so "6" is not silently joined to the next token's digit.
        if token.len() % 2 == 1 {
            return Err(format!(
                "{token:?} has an odd number of hex digits; each byte is two digits, e.g. 06 rather than 6"
            ));
        }
        digits.push_str(token);
    }
    match crate::kmp::from_hex(&digits) {
        Some(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => Err(
            "no hex digits given; pass the frame as hex bytes, e.g. 80 3F 10 01 00 44 4D C0 0D"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_the_ways_people_write_hex() {
        let expected = vec![0x80, 0x3F, 0x10];
        for text in [
            "80 3F 10",
            "803F10",
            "80:3f:10",
            "0x80, 0x3F, 0x10",
            "  80\t3F\n10 ",
        ] {
            assert_eq!(parse(text), Ok(expected.clone()), "{text:?}");
        }
    }

    #[test]
    fn rejects_odd_digit_counts_and_non_hex() {
        assert!(parse("80 3F 1").unwrap_err().contains("odd number"));
        assert!(parse("80 3G").unwrap_err().contains("'G'"));
        assert!(parse("   ").unwrap_err().contains("no hex digits"));
    }
}
