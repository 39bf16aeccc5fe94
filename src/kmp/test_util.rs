//! Helpers for the codec's unit tests.

/// Bytes from hex text with optional white space; panics on bad hex, which only tests write.
pub fn hex(text: &str) -> Vec<u8> {
    super::from_hex(&text.split_whitespace().collect::<String>()).unwrap()
}
