use proptest::prelude::*;

use super::*;

fn frames(bytes: &[u8]) -> Vec<Result<Frame, SmlError>> {
    let mut receiver = Receiver::new();
    bytes
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .collect()
}

fn entry(obis: [u8; 6], unit: u8, scaler: i8, value: Value) -> Entry {
    Entry {
        name: obis.to_vec(),
        status: None,
        unit: Some(unit),
        scaler: Some(scaler),
        value,
    }
}

/// A telegram as an eHZ-like meter pushes it: open, the value list, close.
fn telegram(entries: Vec<Entry>) -> File {
    let server_id = vec![0x0A, 0x01, 0x45, 0x4D, 0x48, 0x00, 0x00, 0x7A, 0xC7, 0x0E];
    let message = |id: u8, body| Message {
        transaction_id: vec![0x00, 0x4A, 0x3B, id],
        group: 0,
        abort_on_error: 0,
        body,
    };
    File {
        messages: vec![
            message(
                1,
                Body::OpenResponse {
                    file_id: vec![0x05, 0x12],
                    server_id: server_id.clone(),
                },
            ),
            message(
                2,
                Body::GetListResponse(ValueList {
                    server_id,
                    name: Some(vec![1, 0, 98, 11, 0, 255]),
                    entries,
                }),
            ),
            message(3, Body::CloseResponse),
        ],
    }
}

fn one_frame(bytes: &[u8]) -> Frame {
    let mut all = frames(bytes);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0).expect("a valid frame")
}

#[test]
fn a_telegram_goes_through_the_frame_and_back() {
    let file = telegram(vec![
        entry([1, 0, 1, 8, 0, 255], 30, -1, Value::UInt(123_456_789, 5)),
        entry([1, 0, 16, 7, 0, 255], 27, 0, Value::Int(-1234, 2)),
    ]);
    let frame = one_frame(&encode_frame(&file.encode()));
    assert!(!frame.crc_swapped);
    let decoded = File::decode(&frame.payload).unwrap();
    assert_eq!(decoded, file);
    let values: Vec<(String, String, &str)> = decoded
        .entries()
        .map(|entry| {
            (
                entry.obis().unwrap().short(),
                entry.number().unwrap().to_string(),
                entry.unit_symbol().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("1.8.0".into(), "12345678.9".into(), "Wh"),
            ("16.7.0".into(), "-1234".into(), "W"),
        ]
    );
    assert_eq!(decoded.server_id().unwrap()[..2], [0x0A, 0x01]);
}

#[test]
fn the_frame_crc_goes_low_byte_first_as_meters_send_it() {
    // The example frame of sml-rs's transport documentation: four payload bytes, CRC b8 7b.
    let wire = [
        0x1B, 0x1B, 0x1B, 0x1B, 0x01, 0x01, 0x01, 0x01, 0x12, 0x34, 0x56, 0x78, 0x1B, 0x1B, 0x1B,
        0x1B, 0x1A, 0x00, 0xB8, 0x7B,
    ];
    assert_eq!(encode_frame(&[0x12, 0x34, 0x56, 0x78]), wire);
    let frame = one_frame(&wire);
    assert_eq!(frame.payload, [0x12, 0x34, 0x56, 0x78]);
    assert_eq!(frame.wire_len, wire.len());
    // High byte first, as some meters send it: taken, and said.
    let mut swapped = wire;
    swapped.swap(18, 19);
    assert!(one_frame(&swapped).crc_swapped);
}

#[test]
fn a_damaged_frame_is_reported_and_the_next_one_read() {
    let good = encode_frame(&[1, 2, 3, 4, 5]);
    let mut damaged = good.clone();
    damaged[9] ^= 0x40;
    let mut stream = b"noise".to_vec();
    stream.extend_from_slice(&damaged);
    stream.extend_from_slice(&good);
    let mut receiver = Receiver::new();
    let results: Vec<_> = stream
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .collect();
    assert!(
        matches!(results[0], Err(SmlError::Crc { .. })),
        "{results:?}"
    );
    assert_eq!(results[1].as_ref().unwrap().payload, [1, 2, 3, 4, 5]);
    assert_eq!(results.len(), 2);
    assert_eq!(receiver.discarded(), 5 + damaged.len());
    assert_eq!(receiver.pending(), 0);
}

#[test]
fn escapes_padding_and_a_new_start_mid_frame() {
    // Four 1b bytes in the payload, on a word boundary, go out escaped and come back.
    let payload = [0x1B, 0x1B, 0x1B, 0x1B, 0x42];
    let wire = encode_frame(&payload);
    assert_eq!(wire[8..16], [0x1B; 8]);
    assert_eq!(one_frame(&wire).payload, payload);
    // A meter that restarts mid-frame, on a word boundary: the first is cut short, the second
    // read whole.
    let mut stream = wire[..16].to_vec();
    stream.extend_from_slice(&wire);
    let results = frames(&stream);
    assert_eq!(results[0], Err(SmlError::CutShort));
    assert_eq!(results[1].as_ref().unwrap().payload, payload);
    // Off a word boundary the restart is not seen: that frame is lost, the next read.
    let mut stream = wire[..14].to_vec();
    stream.extend_from_slice(&wire);
    stream.extend_from_slice(&wire);
    let results = frames(&stream);
    assert!(results[0].is_err(), "{results:?}");
    assert_eq!(results.last().unwrap().as_ref().unwrap().payload, payload);
}

#[test]
fn a_message_crc_covers_the_message_up_to_its_crc_field() {
    // The CloseResponse of sml-rs's parser documentation, its CRC fd 56.
    let message = [
        0x76, 0x05, 0xDD, 0x43, 0x44, 0x00, 0x62, 0x00, 0x62, 0x00, 0x72, 0x63, 0x02, 0x01, 0x71,
        0x01, 0x63, 0xFD, 0x56, 0x00,
    ];
    let file = File::decode(&message).unwrap();
    assert_eq!(file.messages[0].body, Body::CloseResponse);
    assert_eq!(file.messages[0].transaction_id, [0xDD, 0x43, 0x44, 0x00]);
    // Sent low byte first, as the frame's CRC: 646 of the 648 messages of the public dumps
    // (libsml-testing) have it so.
    assert_eq!(transport::X25.checksum(&message[..16]).swap_bytes(), 0xFD56);
}

#[test]
fn type_length_fields_of_every_kind() {
    let cases: [(&[u8], Value); 6] = [
        (&[0x52, 0xFF], Value::Int(-1, 1)),
        (&[0x53, 0xFF, 0x38], Value::Int(-200, 2)),
        (&[0x64, 0x01, 0x02, 0x03], Value::UInt(0x010203, 3)),
        (&[0x42, 0x01], Value::Bool(true)),
        (&[0x01], Value::Bytes(Vec::new())),
        (&[0x00], Value::EndOfMessage),
    ];
    for (bytes, value) in cases {
        let mut pos = 0;
        assert_eq!(tlf::decode(bytes, &mut pos).unwrap(), value, "{bytes:02X?}");
        assert_eq!(pos, bytes.len());
        let mut out = Vec::new();
        tlf::encode(&value, &mut out);
        assert_eq!(out, bytes);
    }
    // An octet string longer than fifteen bytes takes two TL bytes, its length counting both.
    let long = Value::Bytes(vec![0xAB; 20]);
    let mut out = Vec::new();
    tlf::encode(&long, &mut out);
    assert_eq!(out[..2], [0x81, 0x06]);
    assert_eq!(tlf::decode(&out, &mut 0).unwrap(), long);
}

#[test]
fn bad_inputs_are_errors() {
    let cases: [(&[u8], SmlError); 5] = [
        (&[0x72, 0x62], SmlError::CutShort),
        (&[0x59, 0x01], SmlError::CutShort),
        (&[0x30], SmlError::TypeLength(0x30)),
        (
            &[0x5A, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            SmlError::TypeLength(0x5A),
        ),
        (&[0x71, 0x01], SmlError::Shape("list")),
    ];
    for (bytes, error) in cases {
        assert_eq!(File::decode(bytes), Err(error), "{bytes:02X?}");
    }
    let deep = [0x71; 40];
    assert_eq!(File::decode(&deep), Err(SmlError::TooDeep));
}

#[test]
fn unknown_messages_are_kept_as_they_came() {
    let mut file = telegram(Vec::new());
    file.messages[1].body = Body::Other {
        tag: 0x0401,
        body: Value::List(vec![Value::Bytes(b"profile".to_vec()), Value::UInt(7, 1)]),
    };
    assert_eq!(File::decode(&file.encode()).unwrap(), file);
}

#[test]
fn random_bytes_and_damaged_frames_never_panic() {
    let good = encode_frame(
        &telegram(vec![entry([1, 0, 1, 8, 0, 255], 30, -1, Value::UInt(5, 4))]).encode(),
    );
    let mut rng = fastrand::Rng::with_seed(0x534D_4C00_2026);
    let mut receiver = Receiver::new();
    for _ in 0..20_000 {
        let mut bytes = if rng.bool() {
            good.clone()
        } else {
            (0..rng.usize(0..200)).map(|_| rng.u8(..)).collect()
        };
        for _ in 0..rng.usize(0..4) {
            if !bytes.is_empty() {
                let at = rng.usize(0..bytes.len());
                bytes[at] = rng.u8(..);
            }
        }
        for &byte in &bytes {
            if let Some(Ok(frame)) = receiver.push(byte) {
                let _ = File::decode(&frame.payload);
            }
        }
        let _ = File::decode(&bytes);
    }
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i16>().prop_map(|value| Value::Int(i64::from(value), 2)),
        any::<u32>().prop_map(|value| Value::UInt(u64::from(value), 4)),
        any::<i64>().prop_map(|value| Value::Int(value, 8)),
        any::<u64>().prop_map(|value| Value::UInt(value, 8)),
        prop::collection::vec(any::<u8>(), 1..40).prop_map(Value::Bytes),
        any::<bool>().prop_map(Value::Bool),
    ]
}

fn any_entry() -> impl Strategy<Value = Entry> {
    (
        any::<[u8; 6]>(),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u8>()),
        proptest::option::of(-9i8..=9),
        any_value(),
    )
        .prop_map(|(obis, status, unit, scaler, value)| Entry {
            name: obis.to_vec(),
            status: status.map(u64::from),
            unit,
            scaler,
            value,
        })
}

proptest! {
    #[test]
    fn any_value_list_encoded_decodes_to_the_same_values(
        entries in prop::collection::vec(any_entry(), 0..20)
    ) {
        let file = telegram(entries);
        let frame = one_frame(&encode_frame(&file.encode()));
        prop_assert_eq!(File::decode(&frame.payload).unwrap(), file);
    }
}
