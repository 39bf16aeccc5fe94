//! Known answers from the public sources of docs/protocols.md §7, minimal bad inputs for each error,
//! properties, and seeded fuzzing of the receiver.

use proptest::prelude::*;

use super::*;

/// A block of `lines` (each `address(value*unit)`) with its XOR check character.
fn block(lines: &[&str]) -> Vec<u8> {
    let mut bytes = vec![STX];
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"!\r\n");
    bytes.push(ETX);
    bytes.push(bcc_xor(&bytes[1..]));
    bytes
}

#[test]
fn the_sign_on_and_the_readout_option_select_are_what_clients_send() {
    assert_eq!(Request::sign_on(None).encode(), b"/?!\r\n");
    assert_eq!(
        Request::sign_on(Some("12345678")).encode(),
        b"/?12345678!\r\n"
    );
    // An address cannot smuggle in another message.
    assert_eq!(
        Request::sign_on(Some("1!\r\n\x01P1")).encode(),
        b"/?1P1!\r\n"
    );
    assert_eq!(
        Request::readout_at(b'5').encode(),
        [ACK, b'0', b'5', b'0', b'\r', b'\n']
    );
    assert_eq!(
        Request::readout_at(b'x').encode()[2],
        b'0',
        "an unknown rate asks for 300"
    );
}

#[test]
fn every_buildable_request_is_a_sign_on_or_a_data_readout() {
    let requests = (0..=255u8)
        .map(Request::readout_at)
        .chain([Request::sign_on(None), Request::sign_on(Some("42"))]);
    for request in requests {
        match ClientMessage::decode(&request.encode()) {
            Ok(ClientMessage::SignOn { .. }) => {}
            Ok(ClientMessage::OptionSelect { protocol, mode, .. }) => {
                assert_eq!((protocol, mode), (b'0', b'0'), "only the data readout");
            }
            other => panic!("{request:?} decodes as {other:?}"),
        }
    }
}

#[test]
fn client_messages_read_back_including_those_the_program_never_sends() {
    assert_eq!(
        ClientMessage::decode(b"/?!\r\n"),
        Ok(ClientMessage::SignOn {
            address: String::new()
        })
    );
    assert_eq!(
        ClientMessage::decode(&[ACK, b'0', b'5', b'1', b'\r', b'\n']),
        Ok(ClientMessage::OptionSelect {
            protocol: b'0',
            baud_character: b'5',
            mode: b'1'
        })
    );
    let mut break_message = vec![SOH, b'B', b'0', ETX];
    break_message.push(bcc_xor(&break_message[1..]));
    assert_eq!(
        ClientMessage::decode(&break_message),
        Ok(ClientMessage::Break)
    );
    assert_eq!(ClientMessage::decode(b"/?!"), Err(IecError::Unknown));
}

#[test]
fn identification_lines_of_kamstrup_meters_read_with_their_mode() {
    // OMNIPOWER P1 telegrams start `/KAM5` (docs/protocols.md §7).
    let p1 = Identification::decode(b"/KAM5\r\n").unwrap();
    assert_eq!((p1.manufacturer.as_str(), p1.baud_character), ("KAM", b'5'));
    assert_eq!(p1.mode(), Mode::C(9600));
    // The MULTICAL 41's, as its technical description writes it (`/KAM [0] MCC`).
    let mc41 = Identification::decode(b"/KAM0MCC\r\n").unwrap();
    assert_eq!((mc41.mode(), mc41.ident.as_str()), (Mode::A, "MCC"));
    assert!(!mc41.fast_reaction());
    let fast = Identification::decode(b"/ISk5MT174-0001\r\n").unwrap();
    assert!(fast.fast_reaction());
    assert_eq!(fast.ident, "MT174-0001");
    assert_eq!(
        Identification::decode(b"/KAME685-382\n").unwrap().mode(),
        Mode::B(9600)
    );
    for bad in [&b"KAM5\r\n"[..], b"/KA\r\n", b"/K4M5\r\n", b"/KAM5\x01\r\n"] {
        assert_eq!(
            Identification::decode(bad),
            Err(IecError::Identification),
            "{bad:?}"
        );
    }
    assert_eq!(
        Identification::decode(b"/KAM5\xC3\r\n"),
        Err(IecError::NotText(0xC3))
    );
}

#[test]
fn a_382c_readout_reads_every_line_exactly() {
    // The lines the public 382C readout holds (docs/protocols.md §7), with invented values.
    let bytes = block(&[
        "0.0.0(12345678)",
        "1.8.0(0012345.678*kWh)",
        "1.8.1(0001234.500*kWh)",
        "96.8.0(00012345*h)",
        "0.128.1(0)",
        "1.6.0(0002.345*kW)(24-11-22 10:15)",
    ]);
    let readout = Readout::decode(&bytes).unwrap();
    assert_eq!(readout.bcc, Bcc::Xor);
    let energy = &readout.lines[1];
    assert_eq!(energy.address.as_str(), "1.8.0");
    assert_eq!(energy.values[0].text, "0012345.678");
    assert_eq!(energy.values[0].unit.as_deref(), Some("kWh"));
    assert_eq!(energy.values[0].number().unwrap().to_string(), "12345.678");
    let peak = &readout.lines[5];
    assert_eq!(peak.values.len(), 2, "a value and its time");
    assert_eq!(peak.values[1].number(), None);
    assert_eq!(peak.text(), "1.6.0(0002.345*kW)(24-11-22 10:15)");
    assert_eq!(readout.lines[0].values[0].unit, None);
    assert_eq!(
        readout.encode(),
        bytes,
        "a readout re-encodes to its own bytes"
    );
}

#[test]
fn addresses_without_the_c_groups_dots_are_kept_as_they_came() {
    // The Kamstrup 685-382 writes `1.20`, `1.6*1` (docs/protocols.md §7).
    let readout = Readout::decode(&block(&[
        "0.0(685382)",
        "1.20(123.4*kWh)",
        "1.6*1(1.2*kW)",
        "F.F(00)",
    ]))
    .unwrap();
    let addresses: Vec<&str> = readout.lines.iter().map(|l| l.address.as_str()).collect();
    assert_eq!(addresses, ["0.0", "1.20", "1.6*1", "F.F"]);
}

#[test]
fn an_arithmetic_check_character_is_told_apart_from_a_wrong_one() {
    let mut bytes = block(&["1.8.0(12*kWh)"]);
    let last = bytes.len() - 1;
    bytes[last] = bcc_sum(&bytes[1..last]);
    assert_ne!(
        bytes[last],
        bcc_xor(&bytes[1..last]),
        "the example must tell them apart"
    );
    assert_eq!(Readout::decode(&bytes).unwrap().bcc, Bcc::Sum);
    bytes[last] ^= 0x40;
    assert!(matches!(Readout::decode(&bytes), Err(IecError::Bcc { .. })));
}

#[test]
fn damaged_blocks_say_what_is_wrong() {
    let good = block(&["1.8.0(12*kWh)", "1.8.1(3*kWh)"]);
    assert_eq!(
        Readout::decode(&good[..good.len() - 1]),
        Err(IecError::CutShort)
    );
    assert_eq!(Readout::decode(&good[..10]), Err(IecError::CutShort));
    assert_eq!(
        Readout::decode(&block(&["1.8.0(12*kWh"])),
        Err(IecError::Line { line: 1 })
    );
    assert_eq!(
        Readout::decode(&block(&["1.8.0(1)", "no parentheses"])),
        Err(IecError::Line { line: 2 })
    );
    assert_eq!(
        Readout::decode(&block(&["(12)"])),
        Err(IecError::Line { line: 1 })
    );
    let mut no_end = vec![STX];
    no_end.extend_from_slice(b"1.8.0(1)\r\n");
    no_end.push(ETX);
    no_end.push(bcc_xor(&no_end[1..]));
    assert_eq!(
        Readout::decode(&no_end),
        Err(IecError::CutShort),
        "no `!` line"
    );
    let mut high = block(&["1.8.0(1)"]);
    high[3] = 0xB8;
    let last = high.len() - 1;
    high[last] = bcc_xor(&high[1..last]);
    assert_eq!(Readout::decode(&high), Err(IecError::NotText(0xB8)));
}

#[test]
fn the_receiver_finds_each_message_in_a_stream_with_noise() {
    let mut stream = vec![0xFF, 0x00];
    stream.extend_from_slice(b"/KAM0382C\r\n");
    stream.extend(block(&["1.8.0(1*kWh)"]));
    stream.push(NAK);
    let mut receiver = Receiver::new();
    let received: Vec<Received> = stream.iter().filter_map(|&b| receiver.push(b)).collect();
    assert!(matches!(&received[0], Received::Identification(Ok(id)) if id.ident == "382C"));
    assert!(matches!(&received[1], Received::Readout(Ok(r)) if r.lines.len() == 1));
    assert_eq!(received[2], Received::Nak);
    assert_eq!(receiver.discarded(), 2);
    assert_eq!(receiver.pending(), 0);
}

#[test]
fn the_receiver_drops_what_grows_past_the_protocols_longest_message() {
    let mut receiver = Receiver::new();
    let mut last = None;
    receiver.push(b'/');
    for _ in 0..200 {
        last = last.or(receiver.push(b'x'));
    }
    assert_eq!(
        last,
        Some(Received::Identification(Err(IecError::TooLong(80))))
    );
    receiver.push(STX);
    let mut last = None;
    for _ in 0..MAX_READOUT_LEN + 10 {
        last = last.or(receiver.push(b'1'));
    }
    assert_eq!(
        last,
        Some(Received::Readout(Err(IecError::TooLong(MAX_READOUT_LEN))))
    );
}

fn value() -> impl Strategy<Value = DataValue> {
    (
        "[0-9]{1,10}(\\.[0-9]{1,4})?",
        proptest::option::of("[A-Za-z]{1,4}"),
    )
        .prop_map(|(text, unit)| DataValue { text, unit })
}

fn line() -> impl Strategy<Value = DataLine> {
    (
        "[0-9C-F]{1,3}\\.[0-9]{1,3}(\\.[0-9]{1,3})?",
        proptest::collection::vec(value(), 1..3),
    )
        .prop_map(|(address, values)| DataLine {
            address: address.parse().unwrap(),
            values,
        })
}

proptest! {
    #[test]
    fn prop_any_readout_encoded_decodes_to_the_same_values(
        lines in proptest::collection::vec(line(), 0..20),
        sum in any::<bool>(),
    ) {
        let bcc = if sum { Bcc::Sum } else { Bcc::Xor };
        let readout = Readout { lines, bcc };
        let decoded = Readout::decode(&readout.encode()).unwrap();
        prop_assert_eq!(&decoded.lines, &readout.lines);
        // When XOR and sum happen to agree, the standard's reading wins.
        prop_assert!(decoded.bcc == bcc || decoded.bcc == Bcc::Xor);
    }

    #[test]
    fn prop_the_receiver_finds_a_readout_however_it_is_cut(
        lines in proptest::collection::vec(line(), 1..8),
        cuts in proptest::collection::vec(1usize..20, 1..30),
    ) {
        let bytes = Readout { lines: lines.clone(), bcc: Bcc::Xor }.encode();
        let mut receiver = Receiver::new();
        let mut found = Vec::new();
        let mut at = 0;
        for cut in cuts.iter().cycle() {
            if at >= bytes.len() {
                break;
            }
            let end = (at + cut).min(bytes.len());
            found.extend(bytes[at..end].iter().filter_map(|&b| receiver.push(b)));
            at = end;
        }
        prop_assert_eq!(found, vec![Received::Readout(Ok(Readout { lines, bcc: Bcc::Xor }))]);
    }
}

#[test]
fn no_bytes_make_the_codec_panic() {
    let mut rng = fastrand::Rng::with_seed(62056);
    let seeds = [
        block(&["1.8.0(0012345.678*kWh)", "0.0.0(1)"]),
        b"/KAM5382C\r\n".to_vec(),
        vec![ACK, b'0', b'5', b'0', b'\r', b'\n'],
    ];
    for round in 0..50_000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..rng.usize(1..6) {
            let idx = rng.usize(..bytes.len());
            match rng.u8(..3) {
                0 => bytes[idx] = rng.u8(..),
                1 => {
                    bytes.remove(idx);
                }
                _ => bytes.insert(idx, rng.u8(..)),
            }
            if bytes.is_empty() {
                bytes.push(STX);
            }
        }
        let _ = Readout::decode(&bytes);
        let _ = Identification::decode(&bytes);
        let _ = ClientMessage::decode(&bytes);
        let mut receiver = Receiver::new();
        for &byte in &bytes {
            if let Some(Received::Readout(Ok(readout))) = receiver.push(byte) {
                // Whatever is accepted reads back the same.
                assert_eq!(
                    Readout::decode(&readout.encode()).map(|r| r.lines),
                    Ok(readout.lines)
                );
            }
        }
    }
}

/// A mode D telegram as an eBZ DD3 pushes it: identification, an empty line, the data lines
/// with their full OBIS codes, `!` (the values are ours).
const MODE_D: &[u8] = b"/EBZ5DD3BZ06ETA_107\r\n\r\n1-0:0.0.0*255(1EBZ0100507409)\r\n\
1-0:1.8.0*255(000125.25688570*kWh)\r\n1-0:16.7.0*255(000123.45*W)\r\n!\r\n";

#[test]
fn a_mode_d_telegram_reads_without_a_check_character() {
    let telegram = Telegram::decode(MODE_D).unwrap();
    assert_eq!(telegram.identification.line, "EBZ5DD3BZ06ETA_107");
    assert_eq!(telegram.bcc, None);
    let energy = &telegram.lines[1];
    assert_eq!(energy.address.as_str(), "1-0:1.8.0*255");
    assert_eq!(
        energy.values[0].number().unwrap().to_string(),
        "125.25688570"
    );
    assert_eq!(energy.values[0].unit.as_deref(), Some("kWh"));
    assert_eq!(telegram.lines.len(), 3);
}

#[test]
fn a_mode_d_telegram_in_a_block_has_its_check_character_checked() {
    let lines: Vec<DataLine> = Telegram::decode(MODE_D).unwrap().lines;
    let mut framed = b"/EBZ5DD3BZ06ETA_107\r\n\r\n".to_vec();
    framed.extend(encode_readout(&lines, Bcc::Xor));
    let telegram = Telegram::decode(&framed).unwrap();
    assert_eq!(telegram.bcc, Some(Bcc::Xor));
    assert_eq!(telegram.lines, lines);
    // Whole through the receiver too.
    let mut receiver = TelegramReceiver::new();
    let through: Vec<_> = framed
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .collect();
    assert_eq!(through, [Ok(telegram.clone())]);
    let last = framed.len() - 1;
    framed[last] ^= 0x01;
    assert!(matches!(
        Telegram::decode(&framed),
        Err(IecError::Bcc { .. })
    ));
}

#[test]
fn mode_d_telegrams_arrive_in_pieces_between_noise() {
    let mut stream = b"\x00garbage".to_vec();
    stream.extend_from_slice(MODE_D);
    // Cut short by the next telegram's start.
    stream.extend_from_slice(&MODE_D[..40]);
    stream.extend_from_slice(MODE_D);
    let mut receiver = TelegramReceiver::new();
    let results: Vec<_> = stream
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[0].is_ok());
    assert_eq!(results[1], Err(IecError::CutShort));
    assert!(results[2].is_ok());
    assert_eq!(receiver.discarded(), 8 + 40);
}

#[test]
fn a_7e1_character_read_at_eight_data_bits_loses_its_parity_bit() {
    // 'A' (0x41) has two ones: its parity bit is 0. 'C' (0x43) has three: its parity bit is 1.
    assert_eq!(strip_parity(0x41), Ok(b'A'));
    assert_eq!(strip_parity(0xC3), Ok(b'C'));
    assert_eq!(strip_parity(0x43), Err(IecError::Parity(0x43)));
    let with_parity: Vec<u8> = MODE_D
        .iter()
        .map(|&byte| {
            if byte.count_ones() % 2 == 1 {
                byte | 0x80
            } else {
                byte
            }
        })
        .collect();
    let stripped: Vec<u8> = with_parity
        .iter()
        .map(|&byte| strip_parity(byte).unwrap())
        .collect();
    assert_eq!(stripped, MODE_D);
}

proptest! {
    #[test]
    fn no_bytes_make_the_mode_d_decoder_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Telegram::decode(&bytes);
        let mut receiver = TelegramReceiver::new();
        for byte in bytes {
            let _ = receiver.push(byte);
        }
    }
}
