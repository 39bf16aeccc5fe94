use super::{is_reserved, stuff, unstuff};
use crate::kmp::DecodeError;
use proptest::prelude::*;

fn stuffed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    stuff(bytes, &mut out);
    out
}

#[test]
fn every_reserved_byte_is_stuffed_as_escape_and_complement() {
    assert_eq!(
        stuffed(&[0x06, 0x0D, 0x1B, 0x40, 0x80]),
        [0x1B, 0xF9, 0x1B, 0xF2, 0x1B, 0xE4, 0x1B, 0xBF, 0x1B, 0x7F]
    );
}

#[test]
fn ordinary_bytes_pass_through() {
    assert_eq!(stuffed(&[0x3F, 0x10, 0x00, 0x44]), [0x3F, 0x10, 0x00, 0x44]);
}

#[test]
fn unstuffing_is_single_pass_and_does_not_double_decode() {
    // 1B E4 is an escaped 0x1B; the F9 after it is an ordinary byte, not part of an escape.
    assert_eq!(unstuff(&[0x1B, 0xE4, 0xF9], 0), Ok(vec![0x1B, 0xF9]));
}

#[test]
fn rejects_escape_of_a_byte_that_is_not_reserved() {
    assert_eq!(
        unstuff(&[0x01, 0x1B, 0x41], 1),
        Err(DecodeError::InvalidEscape {
            offset: 2,
            byte: 0x41
        })
    );
}

#[test]
fn rejects_escape_cut_off_at_the_end() {
    assert_eq!(
        unstuff(&[0x3F, 0x1B], 1),
        Err(DecodeError::TruncatedEscape { offset: 2 })
    );
}

#[test]
fn rejects_unescaped_reserved_byte() {
    assert_eq!(
        unstuff(&[0x3F, 0x06], 1),
        Err(DecodeError::UnescapedReserved {
            offset: 2,
            byte: 0x06
        })
    );
}

proptest! {
    #[test]
    fn prop_unstuff_undoes_stuff(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        prop_assert_eq!(unstuff(&stuffed(&bytes), 0), Ok(bytes));
    }

    #[test]
    fn prop_stuffed_bytes_hold_no_reserved_byte_but_escapes(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let out = stuffed(&bytes);
        prop_assert!(out.iter().all(|&b| b == 0x1B || !is_reserved(b)));
    }

    #[test]
    fn prop_unstuff_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = unstuff(&bytes, 0);
    }
}
