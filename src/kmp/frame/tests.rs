use super::{Direction, Frame};
use crate::kmp::DecodeError;
use crate::kmp::test_util::hex;
use proptest::prelude::*;

fn check(input: &str, expected: Result<Frame, DecodeError>) {
    assert_eq!(Frame::decode(&hex(input)), expected, "decoding {input}");
}

#[test]
fn decodes_a_captured_get_register_request() {
    check(
        "80 3F 10 01 00 44 4D C0 0D",
        Ok(Frame {
            direction: Direction::ToMeter,
            destination: 0x3F,
            cid: 0x10,
            data: hex("01 00 44"),
        }),
    );
}

#[test]
fn decodes_a_frame_whose_crc_is_stuffed() {
    // CRC 0x402B travels as 1B BF 2B (PyKMP fork vectors).
    check(
        "80 3F 10 02 01 5A 00 9A 1B BF 2B 0D",
        Ok(Frame {
            direction: Direction::ToMeter,
            destination: 0x3F,
            cid: 0x10,
            data: hex("02 01 5A 00 9A"),
        }),
    );
}

#[test]
fn decodes_an_answer_with_no_data() {
    // 382Lx7 answer to an unknown register.
    check(
        "40 3F 10 07 9A 0D",
        Ok(Frame {
            direction: Direction::FromMeter,
            destination: 0x3F,
            cid: 0x10,
            data: vec![],
        }),
    );
}

#[test]
fn rejects_frame_with_bad_crc() {
    check(
        "80 3F 10 01 00 44 4D C1 0D",
        Err(DecodeError::CrcMismatch {
            computed: 0x4DC0,
            frame: 0x4DC1,
        }),
    );
}

#[test]
fn rejects_frame_with_unknown_start_byte() {
    check("81 3F 10 0D", Err(DecodeError::BadStart { found: 0x81 }));
}

#[test]
fn rejects_frame_without_stop_byte() {
    check(
        "80 3F 10 01 00 44 4D C0",
        Err(DecodeError::MissingStop { found: 0xC0 }),
    );
    check("80", Err(DecodeError::MissingStop { found: 0x80 }));
}

#[test]
fn rejects_empty_input() {
    check("", Err(DecodeError::Empty));
}

#[test]
fn rejects_frame_too_short_for_address_command_and_crc() {
    check("40 3F 10 0D", Err(DecodeError::TooShort { len: 2, min: 4 }));
}

#[test]
fn rejects_frame_longer_than_the_limit() {
    let mut long = vec![0x40];
    long.resize(crate::kmp::MAX_FRAME_LEN, 0x11);
    long.push(0x0D);
    assert_eq!(
        Frame::decode(&long),
        Err(DecodeError::TooLong {
            len: 1025,
            max: 1024
        })
    );
}

#[test]
fn rejects_the_invalid_frame_from_golles_97() {
    // "The meter keeps sending exactly the same response": not KMP at all.
    check(
        "80 02 12 F0 00 02 00 00 42 00 60 03 C0 03 C8 1A 00 0D",
        Err(DecodeError::CrcMismatch {
            computed: 0x8EC4,
            frame: 0x1A00,
        }),
    );
}

#[test]
fn encodes_a_request_with_a_reserved_byte_in_the_data() {
    let frame = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x10,
        data: hex("01 04 06"),
    };
    assert_eq!(frame.encode(), hex("80 3F 10 01 04 1B F9 E9 82 0D"));
}

proptest! {
    #[test]
    fn prop_decode_undoes_encode(
        to_meter in any::<bool>(),
        destination in any::<u8>(),
        cid in any::<u8>(),
        data in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let direction = if to_meter { Direction::ToMeter } else { Direction::FromMeter };
        let frame = Frame { direction, destination, cid, data };
        prop_assert_eq!(Frame::decode(&frame.encode()), Ok(frame));
    }
}
