//! The public logger vectors (PyKMP's captured `B8` frames, the `A0`–`A3` frames built from the
//! Kamstrup document's examples; docs/protocols.md §4), minimal bad inputs, what can and cannot be built, and round
//! trips of answers the simulated meters will send.

use proptest::prelude::*;

use super::*;
use crate::kmp::test_util::hex;
use crate::kmp::{DecodeError, Message, Number, Register, RegisterId, RegisterList, Unit, decode};

fn logger_response(frame: &str) -> LoggerResponse {
    match decode(&hex(frame)) {
        Ok(Message::LoggerResponse { response, .. }) => response,
        other => panic!("{frame} is no logger answer: {other:?}"),
    }
}

fn logger_request(frame: &str) -> LoggerRequest {
    match decode(&hex(frame)) {
        Ok(Message::LoggerRequest { request, .. }) => request,
        other => panic!("{frame} is no logger request: {other:?}"),
    }
}

fn displays(row: &[Register]) -> Vec<String> {
    row.iter().map(Register::display_text).collect()
}

fn list(ids: &[u16]) -> RegisterList {
    let ids: Vec<RegisterId> = ids.iter().copied().map(RegisterId::new).collect();
    RegisterList::new(&ids).unwrap()
}

const YEAR_CONFIG: &str = "40 3f b8 05 02 01 01 01 01 00 00 01 00 01 00 00 14 2b 00 3c 00 3f 00 61 00 6e 00 1b bf 00 41 01 6a 00 44 00 54 00 55 01 71 00 63 00 7b 01 7f 00 7c 00 7d 01 1b 7f 00 7e 00 7f 01 81 00 1b 7f 00 81 01 82 00 82 03 ec 00 af 00 5e 00 3d 00 3e 00 5f 00 60 01 d9 01 da 00 45 00 e0 00 e1 00 48 00 49 02 03 01 52 01 5c 03 eb 03 ea d5 64 0d";
const EMPTY_MINUTE2: &str =
    "40 3f b8 07 07 00 01 01 00 00 00 00 00 00 00 00 00 01 03 ea 2f 04 00 00 00 00 00 1f 2f 0d";
const YEAR_ROWS: &str = "40 3f b8 1b f9 02 00 02 01 00 00 00 02 00 00 00 02 00 c0 03 eb 30 04 00 00 03 f8 05 00 03 d0 f5 aa 3a 0d";
const DAY_ROWS: &str = "403FB81BF904000303000000BC00000285001BBF03EA2F04000000000403EB3004000003AE4F015C4F070000180C1F000004000000040003AE4E00180C1E000004000000040003AE4D00180C1D000004F22D0D";
const A0_ANSWER: &str = "40 7F A0 01 02 10 F3 00 3C 08 04 00 FF 1B F9 86 62 00 44 27 04 00 E9 93 DC 05 10 F4 B5 0A 5C 5E 93 E0 50 47 10 F5 CF 1B F9 53 96 F2 58 4C 96 10 F5 11 02 00 E2 AA 0D";
const A3_ANSWER: &str = "40 7F A3 01 02 10 F5 00 3C 08 04 00 CF 1B F9 53 96 00 44 27 04 00 F2 58 4C 96 10 F4 B5 0A 5C 5E 93 E0 50 47 10 F3 FF 1B F9 86 62 E9 93 DC 05 10 F3 11 02 00 33 0A 0D";

#[test]
fn the_year_loggers_configuration_holds_43_registers_and_20_entries() {
    let LoggerResponse::Configuration(config) = logger_response(YEAR_CONFIG) else {
        panic!("a configuration");
    };
    assert_eq!(config.logger.history(), Some(PeriodLogger::Year));
    assert_eq!(config.depth, 20);
    assert_eq!(config.registers.len(), 43);
    let ids: Vec<u16> = config.registers.iter().map(|id| id.value()).collect();
    assert_eq!(&ids[..4], [60, 63, 97, 110]);
    assert_eq!(&ids[ids.len() - 2..], [1003, 1002]);
}

#[test]
fn an_empty_minute_log_says_no_entries() {
    let LoggerResponse::Readout(readout) = logger_response(EMPTY_MINUTE2) else {
        panic!("a readout");
    };
    assert_eq!(readout.kind, RowsKind::LastEntryPast);
    assert_eq!(readout.logger.history(), Some(PeriodLogger::Minute2));
    assert!(readout.info.has(B8Info::NO_ENTRIES));
    assert_eq!(readout.info.names(), ["no entries"]);
    assert_eq!((readout.first_id, readout.newest_id), (0, 0));
    let records: Vec<_> = readout.records().collect();
    assert_eq!(records.len(), 1);
    assert_eq!(displays(records[0].1), ["00:00:00"]);
}

#[test]
fn the_year_rows_are_the_first_days_of_2026_and_2025_newest_first() {
    let LoggerResponse::Readout(readout) = logger_response(YEAR_ROWS) else {
        panic!("a readout");
    };
    assert_eq!(readout.kind, RowsKind::PastById);
    assert_eq!(readout.info.0, 0x00C0);
    let records: Vec<(u32, Vec<String>)> = readout
        .records()
        .map(|(id, row)| (id, displays(row)))
        .collect();
    assert_eq!(
        records,
        [
            (2, vec!["2026-01-01".to_string()]),
            (1, vec!["2025-01-01".to_string()])
        ]
    );
}

#[test]
fn the_day_rows_are_records_188_to_186_with_their_dates_and_date_times() {
    let LoggerResponse::Readout(readout) = logger_response(DAY_ROWS) else {
        panic!("a readout");
    };
    assert_eq!(readout.logger.history(), Some(PeriodLogger::Day));
    assert_eq!((readout.first_id, readout.newest_id), (188, 645));
    assert_eq!(readout.register_count(), 3);
    let records: Vec<(u32, Vec<String>)> = readout
        .records()
        .map(|(id, row)| (id, displays(row)))
        .collect();
    assert_eq!(
        records,
        [
            (
                188,
                vec![
                    "00:00:04".into(),
                    "2024-12-31".into(),
                    "2024-12-31 00:00:04".into()
                ]
            ),
            (
                187,
                vec![
                    "00:00:04".into(),
                    "2024-12-30".into(),
                    "2024-12-30 00:00:04".into()
                ]
            ),
            (
                186,
                vec![
                    "00:00:04".into(),
                    "2024-12-29".into(),
                    "2024-12-29 00:00:04".into()
                ]
            ),
        ]
    );
    // The 7-byte date-time register keeps its length in every row.
    assert!(
        readout
            .table()
            .rows()
            .iter()
            .all(|row| row[2].mantissa_bytes().len() == 7)
    );
}

#[test]
fn the_b8_reads_build_exactly_the_captured_requests() {
    assert_eq!(
        LoggerRead::Configuration(PeriodLogger::Year).encode(0x3F),
        hex("80 3f b8 05 02 70 ee 0d")
    );
    assert_eq!(
        LoggerRead::Newest {
            logger: PeriodLogger::Minute2,
            count: 1,
            registers: list(&[1002]),
        }
        .encode(0x3F),
        hex("80 3f b8 07 07 ff ff 00 01 01 03 ea b8 5e 0d")
    );
    assert_eq!(
        LoggerRead::PastById {
            logger: PeriodLogger::Year,
            log_id: 2,
            count: 2,
            registers: list(&[1003]),
        }
        .encode(0x3F),
        hex("80 3f b8 1b f9 02 00 00 00 02 00 02 01 03 eb 75 07 0d")
    );
}

#[test]
fn the_a1_a2_and_9b_reads_build_the_frames_of_the_documents_examples() {
    let query = IntervalQuery {
        log: 1,
        registers: list(&[0x3C, 0x44]),
        records: 3,
        max_len: 0x80,
    };
    assert_eq!(
        LoggerRead::LastPresent(query).encode(0x7F),
        hex("80 7F A1 01 02 00 3C 00 44 03 1B 7F DF 1E 0D")
    );
    assert_eq!(
        LoggerRead::IdPresent {
            query,
            from_id: 0x10F3
        }
        .encode(0x7F),
        hex("80 7F A2 01 02 00 3C 00 44 03 1B 7F 10 F3 52 13 0D")
    );
    assert_eq!(
        LoggerRead::EventStatus.encode(0x7F),
        hex("80 7F 9B 2A B5 0D")
    );
}

#[test]
fn the_a0_answer_holds_three_records_with_the_formats_in_the_first() {
    let LoggerResponse::Interval(readout) = logger_response(A0_ANSWER) else {
        panic!("an interval readout");
    };
    assert_eq!((readout.cid, readout.log), (0xA0, 1));
    assert_eq!((readout.last_id, readout.newest_id), (0x10F5, 0x1102));
    assert_eq!(readout.info, IntervalInfo(0));
    let records: Vec<(u32, Vec<String>)> = readout
        .records()
        .map(|(id, row)| (id, row.iter().map(|r| r.value_text().unwrap()).collect()))
        .collect();
    assert_eq!(
        records,
        [
            (
                0x10F3,
                vec!["4278617698".to_string(), "3918781445".to_string()]
            ),
            (
                0x10F4,
                vec!["3037355102".to_string(), "2480951367".to_string()]
            ),
            (
                0x10F5,
                vec!["3473298326".to_string(), "4065873046".to_string()]
            ),
        ]
    );
    let units: Vec<Unit> = readout.table().rows()[2]
        .iter()
        .map(Register::unit)
        .collect();
    assert_eq!(units, [Unit::from_code(0x08), Unit::from_code(0x27)]);
}

#[test]
fn the_a3_answer_reads_newest_first() {
    let LoggerResponse::Interval(readout) = logger_response(A3_ANSWER) else {
        panic!("an interval readout");
    };
    let ids: Vec<u32> = readout.records().map(|(id, _)| id).collect();
    assert_eq!(ids, [0x10F5, 0x10F4, 0x10F3]);
    assert_eq!(readout.last_id, 0x10F3);
}

#[test]
fn a0_a3_and_9c_decode_but_are_no_read_the_program_may_send() {
    let a0 = logger_request("80 7F A0 01 02 00 3C 00 44 03 1B 7F 07 05 18 0A 1E 00 00 00 AC 1C 0D");
    let LoggerRequest::TimePresent { query, time } = &a0 else {
        panic!("A0");
    };
    assert_eq!(
        query.registers.as_slice(),
        [RegisterId::new(60), RegisterId::new(68)]
    );
    assert_eq!(time, &[0x07, 0x05, 0x18, 0x0A, 0x1E, 0, 0, 0]);
    let a3 = logger_request(
        "80 7F A3 01 02 00 3C 00 44 03 1B 7F 07 05 18 13 2D 00 00 00 00 1B F9 64 B3 0D",
    );
    assert!(matches!(a3, LoggerRequest::TimePast { offset: 6, .. }));
    let nine_c = logger_request("80 7F 9C 00 00 01 00 00 00 00 00 95 CC 0D");
    assert_eq!(
        nine_c,
        LoggerRequest::ClearEventStatus([0, 0, 1, 0, 0, 0, 0, 0])
    );
    let lookup = logger_request("80 3F A0 01 01 04 17 02 FF 00 01 01 00 00 00 00 00 35 22 0D");
    assert!(matches!(lookup, LoggerRequest::TimePresent { query, .. } if query.max_len == 0xFF));
    for request in [a0, a3, nine_c, lookup] {
        assert!(!request.is_allowed_read(), "{request:?}");
    }
    // 07 from an offset no source explains is decoded, never sent.
    let odd_offset = LoggerRequest::LastEntryPast {
        logger: LoggerType(3),
        offset: 5,
        count: 1,
        registers: vec![RegisterId::new(68)],
    };
    assert!(!odd_offset.is_allowed_read());
}

/// Every variant of `LoggerRead`, by an exhaustive match: a new variant fails to compile here
/// until it is added, and then must pass the checks below.
fn every_log_read() -> Vec<LoggerRead> {
    let registers = list(&[60, 68]);
    let query = IntervalQuery {
        log: 1,
        registers,
        records: 8,
        max_len: 0xFF,
    };
    let all = vec![
        LoggerRead::Configuration(PeriodLogger::Month),
        LoggerRead::PastById {
            logger: PeriodLogger::Day,
            log_id: 188,
            count: 3,
            registers,
        },
        LoggerRead::Newest {
            logger: PeriodLogger::Hour,
            count: 1,
            registers,
        },
        LoggerRead::LastPresent(query),
        LoggerRead::IdPresent {
            query,
            from_id: 4339,
        },
        LoggerRead::EventStatus,
    ];
    for read in &all {
        match read {
            LoggerRead::Configuration(_)
            | LoggerRead::PastById { .. }
            | LoggerRead::Newest { .. }
            | LoggerRead::LastPresent(_)
            | LoggerRead::IdPresent { .. }
            | LoggerRead::EventStatus => {}
        }
    }
    all
}

#[test]
fn every_buildable_logger_read_decodes_as_an_allowed_read_and_never_as_a0_a3_or_9c() {
    for read in every_log_read() {
        let bytes = read.encode(0x3F);
        let request = logger_request(&crate::kmp::to_hex(&bytes));
        assert!(request.is_allowed_read(), "{read:?}");
        assert!(![0xA0, 0xA3, 0x9C].contains(&request.cid()), "{read:?}");
        assert_eq!(request, LoggerRequest::from(read));
    }
}

#[test]
fn the_other_b8_dialect_and_unknown_sub_commands_stay_raw_frames() {
    for frame in [
        "80 3F B8 00 1B F9 01 04 17 00 01 00 00 00 00 01 E8 0D",
        "40 3f b8 ff 60 c0 0d",
    ] {
        assert!(
            matches!(decode(&hex(frame)), Ok(Message::Other(_))),
            "{frame}"
        );
    }
}

#[test]
fn answers_cut_short_or_with_bytes_left_over_are_errors_naming_the_command() {
    // The year rows without their last value byte (CRC recomputed by re-framing).
    let LoggerResponse::Readout(readout) = logger_response(YEAR_ROWS) else {
        panic!("a readout");
    };
    let mut data = LoggerResponse::Readout(readout).data();
    data.pop();
    let cut = crate::kmp::Frame {
        direction: crate::kmp::Direction::FromMeter,
        destination: 0x3F,
        cid: CID_LOGGER,
        data: data.clone(),
    }
    .encode();
    assert!(matches!(
        decode(&cut),
        Err(DecodeError::DataLength { cid: 0xB8, .. })
    ));
    data.extend([0, 0]);
    let long = crate::kmp::Frame {
        direction: crate::kmp::Direction::FromMeter,
        destination: 0x3F,
        cid: CID_LOGGER,
        data,
    }
    .encode();
    assert!(matches!(
        decode(&long),
        Err(DecodeError::DataLength { cid: 0xB8, .. })
    ));
    // A configuration that ends inside its register list.
    let config = crate::kmp::Frame {
        direction: crate::kmp::Direction::FromMeter,
        destination: 0x3F,
        cid: CID_LOGGER,
        data: hex("05 02 01 01 01 01 00 00 01 00 01 00 00 14 02 00 3C"),
    }
    .encode();
    assert!(matches!(
        decode(&config),
        Err(DecodeError::DataLength { .. })
    ));
    // An A1 request asking for no register.
    let none = crate::kmp::Frame {
        direction: crate::kmp::Direction::ToMeter,
        destination: 0x7F,
        cid: CID_LOG_LAST_PRESENT,
        data: hex("01 00 03 80"),
    }
    .encode();
    assert_eq!(decode(&none), Err(DecodeError::RegisterCount { count: 0 }));
}

#[test]
fn an_interval_answer_whose_info_is_set_may_vary_and_stays_a_raw_frame() {
    // One byte too many for the layout, INFO "out of range": the source says such answers
    // "can vary", so the frame is kept, not rejected.
    let frame = crate::kmp::Frame {
        direction: crate::kmp::Direction::FromMeter,
        destination: 0x7F,
        cid: CID_LOG_ID_PRESENT,
        data: hex("01 02 EE 10 F5 11 02 04"),
    }
    .encode();
    assert!(matches!(decode(&frame), Ok(Message::Other(_))));
}

#[test]
fn rows_must_share_the_first_rows_formats() {
    let volume = |mantissa: u32, exponent: i8| {
        Register::from_number(
            RegisterId::new(68),
            Unit::from_code(0x28),
            Number::new(false, u128::from(mantissa), exponent).unwrap(),
            4,
        )
        .unwrap()
    };
    assert!(RowTable::new(vec![vec![volume(1, -2)], vec![volume(2, -2)]]).is_ok());
    assert_eq!(
        RowTable::new(vec![vec![volume(1, -2)], vec![volume(2, -3)]]),
        Err(crate::kmp::EncodeError::LoggerRowFormat { row: 1 })
    );
}

#[test]
fn logger_names_read_back_and_unknown_types_are_named_by_number() {
    for logger in PeriodLogger::ALL {
        assert_eq!(logger.name().parse::<PeriodLogger>(), Ok(logger));
        assert_eq!(logger.logger_type().history(), Some(logger));
    }
    assert!("weekly".parse::<PeriodLogger>().is_err());
    assert_eq!(LoggerType(0x11).name(), "type 17");
    assert_eq!(B8Info(0x0404).names(), ["bit 2", "bit 10"]);
}

fn arb_readout() -> impl Strategy<Value = LoggerResponse> {
    (
        1u8..=4,
        0usize..12,
        any::<u32>(),
        any::<u16>(),
        prop::collection::vec(any::<u32>(), 48),
    )
        .prop_map(|(registers, rows, first_id, info, values)| {
            let table = (0..rows)
                .map(|row| {
                    (0..registers)
                        .map(|column| {
                            let value = values[(row * 4 + usize::from(column)) % values.len()];
                            Register::from_number(
                                RegisterId::new(1000 + u16::from(column)),
                                Unit::from_code(0x28),
                                Number::new(false, u128::from(value), -2).unwrap(),
                                4,
                            )
                            .unwrap()
                        })
                        .collect()
                })
                .collect();
            LoggerResponse::Readout(
                LoggerRows::new(
                    RowsKind::PastById,
                    PeriodLogger::Month.logger_type(),
                    first_id,
                    first_id,
                    B8Info(info),
                    RowTable::new(table).unwrap(),
                )
                .unwrap(),
            )
        })
}

proptest! {
    #[test]
    fn any_readout_built_decodes_to_itself_and_reencodes_to_its_bytes(response in arb_readout()) {
        let bytes = response.encode(0x3F);
        let Ok(Message::LoggerResponse { response: decoded, .. }) = decode(&bytes) else {
            panic!("{bytes:02X?} does not decode");
        };
        if let (LoggerResponse::Readout(built), LoggerResponse::Readout(read)) = (&response, &decoded) {
            prop_assert_eq!(built.table(), read.table());
            prop_assert_eq!(built.info, read.info);
        }
        prop_assert_eq!(decoded.encode(0x3F), bytes);
    }

    #[test]
    fn no_logger_data_makes_the_decoders_panic(
        cid in prop::sample::select(vec![0x9B_u8, 0x9C, 0xA0, 0xA1, 0xA2, 0xA3, 0xB8]),
        data in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        for request in [true, false] {
            if request {
                if let Ok(Some(decoded)) = LoggerRequest::decode(cid, &data) {
                    prop_assert_eq!(decoded.data(), data.clone());
                }
            } else if let Ok(Some(decoded)) = LoggerResponse::decode(cid, &data) {
                prop_assert_eq!(decoded.data(), data.clone());
            }
        }
    }
}
