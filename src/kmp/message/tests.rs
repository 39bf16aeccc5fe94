use super::*;
use crate::kmp::test_util::hex;
use crate::kmp::{EncodeError, Number, Register};
use proptest::prelude::*;

fn check(input: &str, expected: Result<Message, DecodeError>) {
    assert_eq!(decode(&hex(input)), expected, "decoding {input}");
}

fn ids(values: &[u16]) -> RegisterList {
    let ids: Vec<RegisterId> = values.iter().copied().map(RegisterId::new).collect();
    RegisterList::new(&ids).unwrap()
}

#[test]
fn encodes_the_captured_requests_byte_for_byte() {
    assert_eq!(
        Request::GetRegister(ids(&[68])).encode(0x3F),
        hex("80 3F 10 01 00 44 4D C0 0D")
    );
    assert_eq!(
        Request::GetRegister(ids(&[60, 80, 86, 87, 89, 74, 99, 113])).encode(0x3F),
        hex("80 3F 10 08 00 3C 00 50 00 56 00 57 00 59 00 4A 00 63 00 71 CB A4 0D")
    );
    assert_eq!(
        Request::GetRegister(ids(&[128])).encode(0x3F),
        hex("80 3F 10 01 00 1B 7F D4 08 0D")
    );
    assert_eq!(Request::GetSerialNo.encode(0x3F), hex("80 3F 02 35 E9 0D"));
    assert_eq!(Request::GetType.encode(0x3F), hex("80 3F 01 05 8A 0D"));
}

#[test]
fn decodes_a_register_answer_block_by_block() {
    let Ok(Message::Response {
        destination: 0x3F,
        response: Response::Registers(registers),
    }) = decode(&hex("40 3F 10 00 44 28 04 43 00 00 21 5D A3 90 0D"))
    else {
        panic!("not a register answer");
    };
    assert_eq!(registers.len(), 1);
    assert_eq!(registers[0].id(), RegisterId::new(68));
    assert_eq!(registers[0].display_text(), "8.541 m³");
}

#[test]
fn an_answer_without_blocks_means_every_requested_id_is_absent() {
    check(
        "40 3F 10 07 9A 0D",
        Ok(Message::Response {
            destination: 0x3F,
            response: Response::Registers(vec![]),
        }),
    );
    assert_eq!(
        absent_ids(ids(&[1045]).as_slice(), &[]),
        [RegisterId::new(1045)]
    );
}

#[test]
fn absent_ids_are_found_by_id_not_by_position() {
    let answered =
        [Register::new(RegisterId::new(74), Unit::from_code(0x29), 0, vec![0, 0]).unwrap()];
    assert_eq!(
        absent_ids(ids(&[68, 74, 99]).as_slice(), &answered),
        [RegisterId::new(68), RegisterId::new(99)]
    );
}

#[test]
fn decodes_serial_number_and_type_answers() {
    check(
        "40 3F 02 01 23 45 67 E9 56 0D",
        Ok(Message::Response {
            destination: 0x3F,
            response: Response::SerialNo(0x0123_4567),
        }),
    );
    let frame = Response::Type(MeterType {
        meter_type: 0x002F,
        revision: 0x0102,
    })
    .encode(0x3F);
    let Ok(Message::Response {
        response: Response::Type(meter_type),
        ..
    }) = decode(&frame)
    else {
        panic!("not a type answer");
    };
    assert_eq!(meter_type.revision_text().as_deref(), Some("A2"));
    assert_eq!(
        MeterType {
            meter_type: 1,
            revision: 0
        }
        .revision_text(),
        None
    );
}

#[test]
fn a_command_not_interpreted_decodes_to_destination_command_and_data() {
    // SetClock: checked (CRC, stuffing) but never read into a message, and never built.
    let frame = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x09,
        data: hex("07 05 18 0A 1E 00"),
    };
    assert_eq!(decode(&frame.encode()), Ok(Message::Other(frame)));
}

#[test]
fn the_lone_ack_decodes() {
    check("06", Ok(Message::Ack));
}

#[test]
fn rejects_get_register_request_for_nine_registers() {
    let frame = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x10,
        data: hex("09"),
    }
    .encode();
    assert_eq!(decode(&frame), Err(DecodeError::RegisterCount { count: 9 }));
}

#[test]
fn rejects_get_register_request_with_missing_ids() {
    let frame = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x10,
        data: hex("02 00 44"),
    }
    .encode();
    assert_eq!(
        decode(&frame),
        Err(DecodeError::DataLength {
            cid: 0x10,
            expected: 5,
            actual: 3
        })
    );
}

#[test]
fn rejects_serial_answer_of_the_wrong_length() {
    let frame = Frame {
        direction: Direction::FromMeter,
        destination: 0x3F,
        cid: 0x02,
        data: hex("01 02"),
    }
    .encode();
    assert_eq!(
        decode(&frame),
        Err(DecodeError::DataLength {
            cid: 0x02,
            expected: 4,
            actual: 2
        })
    );
}

#[test]
fn rejects_register_block_cut_off() {
    let frame = Frame {
        direction: Direction::FromMeter,
        destination: 0x3F,
        cid: 0x10,
        data: hex("00 44 28 04 43 00 00"),
    }
    .encode();
    assert_eq!(
        decode(&frame),
        Err(DecodeError::TruncatedRegister {
            offset: 0,
            needed: 9,
            available: 7
        })
    );
    let frame = Frame {
        direction: Direction::FromMeter,
        destination: 0x3F,
        cid: 0x10,
        data: hex("00 44 28"),
    }
    .encode();
    assert_eq!(
        decode(&frame),
        Err(DecodeError::TruncatedRegister {
            offset: 0,
            needed: 5,
            available: 3
        })
    );
}

#[test]
fn register_list_holds_one_to_eight_ids() {
    assert_eq!(
        RegisterList::new(&[]),
        Err(EncodeError::RegisterCount { count: 0 })
    );
    assert_eq!(
        RegisterList::new(&[RegisterId::new(1); 9]),
        Err(EncodeError::RegisterCount { count: 9 })
    );
    assert_eq!(
        ids(&[1, 2, 3]).as_slice(),
        [RegisterId::new(1), RegisterId::new(2), RegisterId::new(3)]
    );
}

#[test]
fn only_read_commands_can_be_built() {
    // Every request the public API can build, of every variant (the match fails to compile
    // when one is added), goes out as one of the three read commands.
    let read_cid = |request: &Request| match request {
        Request::GetType => 0x01,
        Request::GetSerialNo => 0x02,
        Request::GetRegister(_) => 0x10,
    };
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(&(any_request(), any::<u8>()), |(request, address)| {
            let frame = Frame::decode(&request.encode(address)).unwrap();
            prop_assert_eq!(frame.cid, read_cid(&request));
            Ok(())
        })
        .unwrap();
}

fn any_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::GetType),
        Just(Request::GetSerialNo),
        proptest::collection::vec(any::<u16>(), 1..=8)
            .prop_map(|values| Request::GetRegister(ids(&values))),
    ]
}

fn any_register() -> impl Strategy<Value = Register> {
    (
        any::<u16>(),
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..20),
    )
        .prop_map(|(id, unit, sign_exponent, mantissa)| {
            Register::new(
                RegisterId::new(id),
                Unit::from_code(unit),
                sign_exponent,
                mantissa,
            )
            .unwrap()
        })
}

fn any_response() -> impl Strategy<Value = Response> {
    prop_oneof![
        (any::<u16>(), any::<u16>()).prop_map(|(meter_type, revision)| Response::Type(MeterType {
            meter_type,
            revision
        })),
        any::<u32>().prop_map(Response::SerialNo),
        proptest::collection::vec(any_register(), 0..8).prop_map(Response::Registers),
    ]
}

proptest! {
    #[test]
    fn prop_decode_undoes_encode_for_requests(request in any_request(), destination in any::<u8>()) {
        prop_assert_eq!(decode(&request.encode(destination)), Ok(Message::Request { destination, request }));
    }

    #[test]
    fn prop_decode_undoes_encode_for_responses(response in any_response(), destination in any::<u8>()) {
        prop_assert_eq!(decode(&response.encode(destination)), Ok(Message::Response { destination, response: response.clone() }));
    }

    #[test]
    fn prop_numbers_survive_a_register_block(negative in any::<bool>(), mantissa in any::<u32>(), exponent in -63i8..=63) {
        let number = Number::new(negative, u128::from(mantissa), exponent).unwrap();
        let register = Register::from_number(RegisterId::new(68), Unit::from_code(0x28), number, 4).unwrap();
        let frame = Response::Registers(vec![register]).encode(0x3F);
        let Ok(Message::Response { response: Response::Registers(decoded), .. }) = decode(&frame) else {
            panic!("not a register answer");
        };
        prop_assert_eq!(decoded[0].number(), Some(number));
    }
}
