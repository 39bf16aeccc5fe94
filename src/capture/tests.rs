//! The importers against recordings the real tools made (copied from the shared capture
//! samples into `tests/data/captures/`): the same four exchanges in every format.

use std::path::PathBuf;

use super::sigrok::{JsonTraceImporter, SigrokTextImporter};
use super::socat::SocatImporter;
use super::{Direction, Event, ImportError, LineImporter as _, Mark, Stamp};

const REQUEST: [u8; 9] = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x44, 0x4D, 0xC0, 0x0D];
const ECHO_ONLY_REQUEST: [u8; 9] = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x3C, 0xB2, 0x5F, 0x0D];
const ANSWER: [u8; 15] = [
    0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x90, 0x0D,
];
/// The answer with two data bits flipped: byte 9 `00→02`, byte 11 `5D→4D`.
const GARBLED: [u8; 15] = [
    0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x02, 0x21, 0x4D, 0xA3, 0x90, 0x0D,
];

fn sample(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn read(
    path: &str,
    mut line: impl FnMut(&str, &mut Vec<Event>) -> Result<(), ImportError>,
) -> Result<Vec<Event>, ImportError> {
    let mut events = Vec::new();
    for text in sample(path).lines() {
        line(text, &mut events)?;
    }
    Ok(events)
}

fn socat(path: &str) -> Result<Vec<Event>, ImportError> {
    let mut importer = SocatImporter::new();
    read(path, |text, events| importer.line(text, events))
}

fn sigrok(path: &str) -> Vec<Event> {
    let mut importer = SigrokTextImporter::new();
    read(path, |text, events| importer.line(text, events)).unwrap()
}

fn jsontrace(path: &str) -> Vec<Event> {
    let mut importer = JsonTraceImporter::new();
    read(path, |text, events| importer.line(text, events)).unwrap()
}

/// The bytes of one direction, in order (the analog tests use it too).
pub(super) fn bytes(events: &[Event], direction: Direction) -> Vec<u8> {
    events
        .iter()
        .filter(|event| event.direction == direction)
        .filter_map(|event| match event.mark {
            Mark::Byte(byte) => Some(byte),
            _ => None,
        })
        .collect()
}

/// What the head sent and what came back, per scenario: TX, then RX (the echo, then the answer).
fn truth(scenario: &str) -> (Vec<u8>, Vec<u8>) {
    let (request, answer): (&[u8], &[u8]) = match scenario {
        "a_good" | "d_framing" => (&REQUEST, &ANSWER),
        "b_echo_only" => (&ECHO_ONLY_REQUEST, &[]),
        "c_garbled" => (&REQUEST, &GARBLED),
        other => panic!("no scenario {other}"),
    };
    (request.to_vec(), [request, answer].concat())
}

fn seconds(event: &Event) -> f64 {
    match event.at {
        Stamp::Seconds(seconds) => seconds,
        other => panic!("no time in seconds: {other:?}"),
    }
}

#[test]
fn socat_dumps_give_the_request_as_tx_and_the_echo_and_answer_as_rx() {
    for scenario in ["a_good", "b_echo_only", "c_garbled"] {
        let events = socat(&format!("socat/{scenario}.log")).unwrap();
        let (tx, rx) = truth(scenario);
        assert_eq!(bytes(&events, Direction::Tx), tx, "{scenario}");
        assert_eq!(bytes(&events, Direction::Rx), rx, "{scenario}");
    }
    for variant in ["a_good_x_only", "a_good_chunked"] {
        let events = socat(&format!("socat/{variant}.log")).unwrap();
        let (tx, rx) = truth("a_good");
        assert_eq!(bytes(&events, Direction::Tx), tx, "{variant}");
        assert_eq!(bytes(&events, Direction::Rx), rx, "{variant}");
    }
}

#[test]
fn socat_1_7_timestamps_are_microseconds_padded_to_nine_digits() {
    let events = socat("socat/a_good.log").unwrap();
    let answer = events
        .iter()
        .find(|event| event.mark == Mark::Byte(0x40))
        .unwrap();
    // 03:23:00.000647172 to 03:23:00.000708169: 61 ms (the meter's latency), not 61 µs.
    assert!(
        (seconds(answer) - 0.060_997).abs() < 1e-6,
        "{}",
        seconds(answer)
    );
    assert_eq!(seconds(&events[0]), 0.0, "time runs from the first chunk");
}

#[test]
fn socat_lines_wrap_after_16_bytes_and_after_a_line_feed() {
    let events = socat("socat/wrap_28bytes.log").unwrap();
    let sent = bytes(&events, Direction::Tx);
    assert_eq!(sent.len(), 28);
    assert_eq!(&sent[..9], REQUEST);
    assert_eq!(&sent[24..], [0x0A, 0x7F, 0xFF, 0x1B]);
}

#[test]
fn a_socat_dump_without_x_is_refused_with_the_advice_to_record_with_x() {
    let error = socat("socat/a_good_v_only.log").unwrap_err();
    assert_eq!(error.line, 2);
    assert!(error.reason.contains("socat -x -v"), "{error}");
}

#[test]
fn sigrok_class_lines_give_direction_and_sample_numbers() {
    for scenario in ["a_good", "b_echo_only", "c_garbled", "d_framing"] {
        for variant in ["ann_samplenum_l4", "ann_all_samplenum_l4"] {
            let events = sigrok(&format!("sigrok/{scenario}.{variant}.txt"));
            let (tx, rx) = truth(scenario);
            assert_eq!(bytes(&events, Direction::Tx), tx, "{scenario} {variant}");
            assert_eq!(bytes(&events, Direction::Rx), rx, "{scenario} {variant}");
            assert_eq!(events[0].at, Stamp::Sample(2084), "{scenario} {variant}");
        }
    }
}

#[test]
fn plain_sigrok_lines_have_neither_direction_nor_time_but_keep_the_order() {
    for scenario in ["a_good", "b_echo_only", "c_garbled", "d_framing"] {
        let plain = sigrok(&format!("sigrok/{scenario}.ann.txt"));
        let numbered = sigrok(&format!("sigrok/{scenario}.ann_samplenum.txt"));
        assert!(
            plain
                .iter()
                .all(|event| event.direction == Direction::Unknown && event.at == Stamp::None)
        );
        assert!(
            numbered
                .iter()
                .all(|event| matches!(event.at, Stamp::Sample(_)))
        );
        let marks = |events: &[Event]| events.iter().map(|e| e.mark).collect::<Vec<_>>();
        assert_eq!(marks(&plain), marks(&numbered), "{scenario}");
        let (tx, rx) = truth(scenario);
        assert_eq!(plain.len(), tx.len() + rx.len(), "{scenario}");
        // TX bytes and their echoes alternate.
        assert_eq!(plain[0].mark, Mark::Byte(0x80));
        assert_eq!(plain[1].mark, Mark::Byte(0x80));
    }
}

#[test]
fn a_framing_error_is_kept_after_the_answer_byte_it_hit_and_a_break_where_sigrok_saw_one() {
    let events = sigrok("sigrok/d_framing.ann_all_samplenum_l4.txt");
    let at = events
        .iter()
        .position(|event| event.mark == Mark::FramingError)
        .unwrap();
    assert_eq!(events[at].direction, Direction::Rx);
    assert_eq!(events[at].at, Stamp::Sample(24339));
    // Answer byte 8 (from 0) is the last RX byte before it: the ninth of the answer.
    let answer_bytes_before = events[..at]
        .iter()
        .filter(|event| event.direction == Direction::Rx && matches!(event.mark, Mark::Byte(_)))
        .count()
        - REQUEST.len();
    assert_eq!(answer_bytes_before, 9);
    assert!(!events.iter().any(|event| event.mark == Mark::Break));
    let one_stop_bit = sigrok("sigrok/d_framing.stopbits1.ann_all_samplenum_l4.txt");
    assert!(
        one_stop_bit
            .iter()
            .any(|event| event.mark == Mark::Break && event.at == Stamp::Sample(23588))
    );
}

#[test]
fn sigrok_packets_are_split_into_their_bytes() {
    let events = sigrok("sigrok/a_good.packets_l4.txt");
    let (tx, rx) = truth("a_good");
    assert_eq!(bytes(&events, Direction::Tx), tx);
    assert_eq!(bytes(&events, Direction::Rx), rx);
}

#[test]
fn a_jsontrace_gives_the_row_as_direction_and_microseconds_as_time() {
    for scenario in ["a_good", "b_echo_only", "c_garbled", "d_framing"] {
        let events = jsontrace(&format!("sigrok/{scenario}.jsontrace.json"));
        let (tx, rx) = truth(scenario);
        assert_eq!(bytes(&events, Direction::Tx), tx, "{scenario}");
        assert_eq!(bytes(&events, Direction::Rx), rx, "{scenario}");
        assert!((seconds(&events[0]) - 0.020_84).abs() < 1e-9, "{scenario}");
    }
}

#[test]
fn lines_that_are_no_annotation_are_errors_that_name_the_line() {
    let mut importer = SigrokTextImporter::new();
    let mut events = Vec::new();
    importer.line("2084-2750 uart-1: 80", &mut events).unwrap();
    let error = importer.line("hello world", &mut events).unwrap_err();
    assert_eq!(error.line, 2);
    assert!(SigrokTextImporter::is_annotation("uart-1: 80"));
    assert!(!SigrokTextImporter::is_annotation(
        "> 2026/12/01 03:23:00.000647172  length=9"
    ));
    assert!(SocatImporter::is_header(
        "> 2026/12/01 03:23:00.000647172  length=9 from=0 to=8"
    ));
}

fn recording(path: &str) -> Result<super::format::Recording, super::format::CaptureError> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures")
        .join(path);
    super::format::read(&std::fs::read(path).unwrap(), None, &Default::default())
}

#[test]
fn every_decoded_format_is_found_from_its_content_and_gives_the_exchange() {
    use super::format::Format::{
        Hexdump, Jpnevulator, Pulseview, SaleaeAnalyzer, SaleaeTable, SigrokBinary, SigrokJson,
        SigrokText, Socat,
    };
    let scenarios = ["a_good", "b_echo_only", "c_garbled", "d_framing"];
    let mut cases: Vec<(String, super::format::Format, &str, bool)> = Vec::new();
    for id in scenarios {
        cases.push((
            format!("pulseview/{id}.export_all.txt"),
            Pulseview,
            id,
            true,
        ));
        cases.push((
            format!("saleae/{id}.logic2_table.constructed.csv"),
            SaleaeTable,
            id,
            true,
        ));
        cases.push((
            format!("sigrok/{id}.ann_samplenum_l4.txt"),
            SigrokText,
            id,
            true,
        ));
        cases.push((format!("sigrok/{id}.jsontrace.json"), SigrokJson, id, true));
        cases.push((format!("sigrok/{id}.ann.txt"), SigrokText, id, false));
    }
    for id in ["a_good", "b_echo_only", "c_garbled"] {
        cases.push((format!("socat/{id}.log"), Socat, id, true));
    }
    cases.push(("jpnevulator/a_good.log".into(), Jpnevulator, "a_good", true));
    cases.push((
        "saleae/a_good.logic2_table_iso8601.constructed.csv".into(),
        SaleaeTable,
        "a_good",
        true,
    ));
    cases.push((
        "saleae/d_framing.logic1_decoded_protocols.constructed.csv".into(),
        SaleaeAnalyzer,
        "d_framing",
        true,
    ));
    for (path, format, id, directed) in cases {
        let read = recording(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
        assert_eq!(read.format, format, "{path}");
        let (tx, rx) = truth(id);
        if directed {
            assert_eq!(bytes(&read.events, Direction::Tx), tx, "{path}");
            assert_eq!(bytes(&read.events, Direction::Rx), rx, "{path}");
        } else {
            assert_eq!(
                bytes(&read.events, Direction::Unknown).len(),
                tx.len() + rx.len(),
                "{path}"
            );
        }
    }
    // One direction a file, or one stream: the bytes in order, the direction unknown.
    let (_, rx) = truth("a_good");
    for (path, format) in [
        ("misc/a_good.rx_stream.hexdump-C.txt", Hexdump),
        ("misc/a_good.rx_stream.xxd.txt", Hexdump),
        ("misc/a_good.rx_stream.bin", SigrokBinary),
        ("sigrok/a_good.rx.bin", SigrokBinary),
        ("saleae/a_good.logic1_RX.constructed.csv", SaleaeAnalyzer),
    ] {
        let read = recording(path).unwrap_or_else(|error| panic!("{path}: {error}"));
        assert_eq!(read.format, format, "{path}");
        assert_eq!(bytes(&read.events, Direction::Unknown), rx, "{path}");
    }
}

#[test]
fn pulseview_rows_are_sorted_back_into_time_order() {
    let read = recording("pulseview/a_good.export_all.txt").unwrap();
    let samples: Vec<u64> = read
        .events
        .iter()
        .map(|event| match event.at {
            Stamp::Sample(sample) => sample,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(samples.windows(2).all(|pair| pair[0] <= pair[1]));
    // The TX row comes last in the file, yet its first byte is the first event.
    assert_eq!(read.events[0].direction, Direction::Tx);
    let custom = recording("pulseview/a_good.export_all.custom_fmt.txt").unwrap();
    assert_eq!(custom.format, super::format::Format::Pulseview);
    assert_eq!(
        custom.events, read.events,
        "the quoted format with classes reads the same"
    );
}

#[test]
fn framing_errors_and_breaks_survive_every_format_that_records_them() {
    for path in [
        "pulseview/d_framing.export_all.txt",
        "saleae/d_framing.logic2_table.constructed.csv",
        "saleae/d_framing.logic1_RX.constructed.csv",
        "saleae/d_framing.logic1_decoded_protocols.constructed.csv",
        "sigrok/d_framing.ann_all_samplenum_l4.txt",
    ] {
        let read = recording(path).unwrap();
        assert_eq!(
            read.events
                .iter()
                .filter(|event| event.mark == Mark::FramingError)
                .count(),
            1,
            "{path}"
        );
    }
    let read = recording("pulseview/d_framing.stopbits1.export_all.txt").unwrap();
    assert!(read.events.iter().any(|event| event.mark == Mark::Break));
}

#[test]
fn a_file_that_is_no_recording_is_refused_naming_the_formats_known() {
    let error = recording("misc/a_good.rx_stream.cat-v.txt").unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("sigrok-text") && text.contains("socat"),
        "{text}"
    );
    assert!(matches!(
        recording("socat/a_good_v_only.log"),
        Err(super::format::CaptureError::Import(
            super::format::Format::Socat,
            _
        ))
    ));
}

#[test]
fn the_workbenchs_own_traffic_lines_and_plain_hex_are_read_back() {
    let traffic = "2026-11-22T10:00:00.000Z TX   80 3F 10 01 00 44 4D C0 0D  GetRegister 68\n\
                   2026-11-22T10:00:00.010Z ECHO 80 3F 10 01 00 44 4D C0 0D  echo\n\
                   2026-11-22T10:00:00.161Z RX   40 3F 10 00 44 28 04 43 00 00 21 5D A3 90 0D  68 = 8.541 m³\n";
    let read = super::format::read(traffic.as_bytes(), None, &Default::default()).unwrap();
    assert_eq!(read.format, super::format::Format::Traffic);
    let (tx, rx) = truth("a_good");
    assert_eq!(bytes(&read.events, Direction::Tx), tx);
    assert_eq!(bytes(&read.events, Direction::Rx), rx);
    assert!((seconds(read.events.last().unwrap()) - 0.161).abs() < 1e-9);
    let hex = "80 3F 10 01 00 44 4D C0 0D\n403F100044280443000021 5DA3900D\n";
    let read = super::format::read(hex.as_bytes(), None, &Default::default()).unwrap();
    assert_eq!(read.format, super::format::Format::Hex);
    assert_eq!(
        bytes(&read.events, Direction::Unknown),
        [REQUEST.as_slice(), ANSWER.as_slice()].concat()
    );
}

/// Every recording of every scenario the samples hold, in every format that keeps the exchange.
fn scenario_files(id: &str) -> Vec<String> {
    let mut files = vec![
        format!("logic/{id}.vcd"),
        format!("logic/{id}.sr"),
        format!("pulseview/{id}.export_all.txt"),
        format!("saleae/{id}.logic2_table.constructed.csv"),
        format!("sigrok/{id}.ann.txt"),
        format!("sigrok/{id}.ann_samplenum.txt"),
        format!("sigrok/{id}.ann_samplenum_l4.txt"),
        format!("sigrok/{id}.ann_all_samplenum_l4.txt"),
        format!("sigrok/{id}.jsontrace.json"),
    ];
    if id != "d_framing" {
        files.push(format!("socat/{id}.log"));
    }
    if id == "a_good" {
        files.push("jpnevulator/a_good.log".into());
        files.push("sigrok/a_good.packets_l4.txt".into());
        files.push("sigrok/a_good.from_bin_wrongnames.ann_samplenum_l4.txt".into());
        files.push("saleae/a_good.logic2_table_default_names.constructed.csv".into());
    }
    files
}

fn analysed(path: &str) -> super::analysis::Analysis {
    let read = recording(path).unwrap_or_else(|error| panic!("{path}: {error}"));
    super::analysis::analyse(&read.events, Some(100_000.0))
}

#[test]
fn each_scenario_gets_the_link_checks_diagnosis_from_every_format() {
    use super::analysis::FrameDirection::{Echo, Rx, Tx};
    use crate::link::diagnosis::DiagnosisCode;
    for (id, code, directions) in [
        ("a_good", DiagnosisCode::Ok, vec![Tx, Echo, Rx]),
        ("b_echo_only", DiagnosisCode::EchoOnly, vec![Tx, Echo]),
        ("c_garbled", DiagnosisCode::Garbled, vec![Tx, Echo, Rx]),
        ("d_framing", DiagnosisCode::Ok, vec![Tx, Echo, Rx]),
    ] {
        for path in scenario_files(id) {
            let analysis = analysed(&path);
            let shown: Vec<_> = analysis
                .frames
                .iter()
                .map(|frame| frame.direction)
                .collect();
            assert_eq!(shown, directions, "{path}");
            assert_eq!(
                analysis.diagnosis.code, code,
                "{path}: {:?}",
                analysis.diagnosis
            );
            assert_eq!(
                analysis.protocol,
                Some(crate::protocol::Protocol::Kmp),
                "{path}"
            );
            assert!(analysis.frames[0].meaning.contains("GetRegister"), "{path}");
            if id == "a_good" || id == "d_framing" {
                let answer = &analysis.frames[2];
                assert!(
                    answer.meaning.contains("8.541"),
                    "{path}: {}",
                    answer.meaning
                );
                assert_eq!(answer.error, None, "{path}");
            }
            if id == "c_garbled" {
                assert!(analysis.frames[2].error.is_some(), "{path}");
            }
        }
    }
}

#[test]
fn a_framing_error_on_an_answer_whose_crc_holds_is_ok_with_a_warning() {
    let analysis = analysed("sigrok/d_framing.ann_all_samplenum_l4.txt");
    let answer = &analysis.frames[2];
    assert_eq!(answer.error, None);
    assert_eq!(answer.warnings, ["framing error on byte 8"]);
    let saleae = analysed("saleae/d_framing.logic2_table.constructed.csv");
    assert_eq!(saleae.frames[2].warnings, ["framing error on byte 8"]);
}

#[test]
fn swapped_channels_are_put_right_by_the_start_bytes() {
    let analysis = analysed("sigrok/a_good.from_bin_wrongnames.ann_samplenum_l4.txt");
    assert!(analysis.swapped);
    assert_eq!(analysis.frames[0].bytes, REQUEST);
    let straight = analysed("sigrok/a_good.ann_samplenum_l4.txt");
    assert!(!straight.swapped);
}

#[test]
fn the_meters_reaction_is_measured_from_the_end_of_the_request() {
    for path in [
        "sigrok/a_good.ann_samplenum_l4.txt",
        "saleae/a_good.logic2_table.constructed.csv",
        "sigrok/a_good.jsontrace.json",
    ] {
        let analysis = analysed(path);
        // The answer starts 60 ms after the last echo stop bit, 50 µs behind TX.
        let reaction = analysis.reaction_s.unwrap();
        assert!((reaction - 0.060).abs() < 0.002, "{path}: {reaction}");
        assert_eq!(
            analysis.request_interval_s, None,
            "one request: no interval"
        );
    }
    let socat = analysed("socat/a_good.log");
    assert!((socat.reaction_s.unwrap() - 0.061).abs() < 0.002);
}

#[test]
fn raw_logic_is_decoded_at_the_rate_and_framing_found_from_the_signal() {
    for id in ["a_good", "b_echo_only", "c_garbled", "d_framing"] {
        for path in [format!("logic/{id}.vcd"), format!("logic/{id}.sr")] {
            let read = recording(&path).unwrap();
            let line = read.line.clone().unwrap();
            assert_eq!(line.text(), "1200 8N2", "{path}");
            assert!(line.idle_high);
            assert_eq!((line.tx.as_str(), line.rx.as_str()), ("D0", "D1"));
            let (tx, rx) = truth(id);
            assert_eq!(bytes(&read.events, Direction::Tx), tx, "{path}");
            assert_eq!(bytes(&read.events, Direction::Rx), rx, "{path}");
            // The TX start bit falls at 20 ms.
            assert!((seconds(&read.events[0]) - 0.020).abs() < 1e-9, "{path}");
        }
    }
    let framing = super::analysis::analyse(&recording("logic/d_framing.vcd").unwrap().events, None);
    assert_eq!(framing.frames[2].warnings, ["framing error on byte 8"]);
}

mod never_panics {
    use proptest::prelude::*;

    /// Lines made of the pieces the formats are made of, so that detection picks each format
    /// and its importer meets damaged lines of its own kind.
    fn line() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "> 2026/12/01 03:23:00.000647172  length=9 from=0 to=8",
            "< 2026/12/01 03:23:00.000708169",
            " 80 3f 10 01",
            "2089-2755 uart-1: rx-data: \"80\"",
            "uart-1: 40",
            "2089-2755 UART: RX: 80",
            "\"RX\",\"data\",0.02005,0.00875,0x80",
            "name,type,start_time,duration,\"data\"",
            "2026-12-01 03:23:11.071025: RX",
            "00000000  80 3f 10 01",
            "00000000: 803f 1001",
            "{\"ph\": \"B\", \"ts\": 1.0, \"pid\": \"uart-1\", \"tid\": \"RX\", \"name\": \"0D\"},",
            "$timescale 10 us $end",
            "$var wire 1 ! D0 $end",
            "$enddefinitions $end",
            "#2000",
            "0!",
            "é\u{301}",
            "0x",
            ": :",
            "--",
        ]);
        prop::collection::vec((piece, "[ -~]{0,6}"), 1..6).prop_map(|parts| {
            parts
                .into_iter()
                .map(|(p, junk)| format!("{p}{junk}"))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn any_bytes_read_and_analyse_without_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(read) = super::super::format::read(&bytes, None, &Default::default()) {
                super::super::analysis::analyse(&read.events, Some(1000.0));
            }
        }

        #[test]
        fn damaged_lines_of_every_format_read_without_a_panic(lines in prop::collection::vec(line(), 1..12)) {
            let text = lines.join("\n");
            for format in super::super::format::Format::ALL.into_iter().map(Some).chain([None]) {
                if let Ok(read) = super::super::format::read(text.as_bytes(), format, &Default::default()) {
                    super::super::analysis::analyse(&read.events, None);
                }
            }
        }
    }
}

/// An exchange with a simulated meter of `profile`, as a sniffer on the head would record it:
/// the request (TX), its echo and the meter's answer (RX), 33 ms a byte; the client listens at
/// `answer_baud` from 0.5 s on (a `/#1` answer comes at 1200 baud).
fn sim_exchange(
    profile: crate::sim::Profile,
    request: &[u8],
    answer_baud: Option<u32>,
) -> Vec<Event> {
    use crate::sim::{Meter, MeterConfig};
    let now = std::time::Instant::now();
    let mut meter = Meter::new(MeterConfig::new(profile), now);
    meter.handle_input(request, now);
    if let Some(baud) = answer_baud {
        let line = meter.client_line().at(baud);
        meter.set_line(line, now + std::time::Duration::from_millis(500));
    }
    let mut answer = Vec::new();
    let mut at = now;
    for _ in 0..200 {
        at += std::time::Duration::from_millis(100);
        if let Some(bytes) = meter.poll_transmit(at) {
            answer.extend(bytes);
        }
    }
    assert!(
        answer.len() > 20,
        "the simulated meter answered: {answer:?}"
    );
    let event = |byte, direction, t| Event {
        at: Stamp::Seconds(t),
        direction,
        mark: Mark::Byte(byte),
    };
    let mut events = Vec::new();
    for (k, &byte) in request.iter().enumerate() {
        events.push(event(byte, Direction::Tx, k as f64 * 0.033));
        events.push(event(byte, Direction::Rx, k as f64 * 0.033 + 0.001));
    }
    for (k, &byte) in answer.iter().enumerate() {
        events.push(event(byte, Direction::Rx, 0.4 + k as f64 * 0.033));
    }
    events
}

/// A mode A exchange with the simulated Kamstrup 382C.
fn iec_exchange() -> Vec<Event> {
    sim_exchange(crate::sim::Profile::Kamstrup382C, b"/?!\r\n", None)
}

fn undirected(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .map(|event| Event {
            direction: Direction::Unknown,
            ..event
        })
        .collect()
}

#[test]
fn an_iec_62056_21_exchange_is_read_as_that_protocols_messages() {
    use super::analysis::FrameDirection::{Echo, Rx, Tx};
    let analysis = super::analysis::analyse(&iec_exchange(), None);
    assert_eq!(analysis.protocol, Some(crate::protocol::Protocol::Iec));
    let shown: Vec<_> = analysis
        .frames
        .iter()
        .map(|frame| frame.direction)
        .collect();
    assert_eq!(shown, [Tx, Echo, Rx, Rx], "{:#?}", analysis.frames);
    assert_eq!(analysis.frames[0].meaning, "IEC 62056-21 sign-on");
    assert_eq!(analysis.identification.as_deref(), Some("KAM0382C"));
    let codes: Vec<String> = analysis.readout.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(codes.len(), 9, "{codes:?}");
    assert_eq!(codes[1], "1.8.0");
    assert!(analysis.frames[2].meaning.starts_with("identification KAM"));
    assert!(
        analysis.frames[3].meaning.starts_with("readout of"),
        "{}",
        analysis.frames[3].meaning
    );
    assert!(analysis.frames.iter().all(|frame| frame.error.is_none()));
    assert_eq!(
        analysis.diagnosis.code,
        crate::link::diagnosis::DiagnosisCode::Ok
    );
    // The same bytes with no direction: the sign-on and the echo are told apart by repetition.
    let analysis = super::analysis::analyse(&undirected(iec_exchange()), None);
    assert_eq!(analysis.protocol, Some(crate::protocol::Protocol::Iec));
    let shown: Vec<_> = analysis
        .frames
        .iter()
        .map(|frame| frame.direction)
        .collect();
    assert_eq!(shown, [Tx, Echo, Rx, Rx], "{:#?}", analysis.frames);
    assert_eq!(
        analysis.diagnosis.code,
        crate::link::diagnosis::DiagnosisCode::Ok
    );
}

#[test]
fn a_kamstrup_66c_recording_is_read_as_the_request_and_its_one_line_answer() {
    use super::analysis::FrameDirection::{Echo, Rx, Tx};
    use crate::link::diagnosis::DiagnosisCode;
    let exchange = || {
        sim_exchange(
            crate::sim::Profile::Multical66C,
            crate::mc66::REQUEST,
            Some(1200),
        )
    };
    for events in [exchange(), undirected(exchange())] {
        let analysis = super::analysis::analyse(&events, None);
        assert_eq!(analysis.protocol, Some(crate::protocol::Protocol::Mc66));
        let shown: Vec<_> = analysis
            .frames
            .iter()
            .map(|frame| frame.direction)
            .collect();
        assert_eq!(shown, [Tx, Echo, Rx], "{:#?}", analysis.frames);
        assert_eq!(analysis.frames[0].meaning, "Kamstrup /#1 request");
        let answer = &analysis.frames[2];
        assert!(
            answer
                .meaning
                .starts_with("/#1 answer of 10 fields: energy "),
            "{}",
            answer.meaning
        );
        assert_eq!(answer.error, None);
        let fields: Vec<_> = analysis.readout.iter().map(|r| r.key.to_string()).collect();
        assert_eq!(fields.len(), 10, "{fields:?}");
        assert_eq!(fields[0], "energy");
        // The answer came 0.4 s after the request's first byte: 0.3 s after the request left
        // the wire, the end of its echo's last byte (heard at 67 ms, 33 ms long).
        let reaction = analysis.reaction_s.unwrap();
        assert!((reaction - 0.300).abs() < 1e-9, "{reaction}");
        assert_eq!(analysis.diagnosis.code, DiagnosisCode::Ok);
    }
    // A digit damaged into a letter on the way: the answer fails, the link is garbled.
    let mut events = exchange();
    // The answer's first byte, after the request and its echo.
    let first_digit = 2 * crate::mc66::REQUEST.len();
    events[first_digit].mark = Mark::Byte(b'Q');
    let analysis = super::analysis::analyse(&events, None);
    let answer = analysis.frames.last().unwrap();
    assert_eq!(answer.meaning, "a /#1 answer that fails its checks");
    assert!(answer.error.is_some());
    assert_eq!(analysis.diagnosis.code, DiagnosisCode::Garbled);
}

#[test]
fn a_readout_damaged_on_the_way_fails_its_check_character_and_is_garbled() {
    let mut events = iec_exchange();
    // Flip a bit in the readout's middle.
    let last = events.len() - 10;
    if let Mark::Byte(byte) = events[last].mark {
        events[last].mark = Mark::Byte(byte ^ 0x04);
    }
    let analysis = super::analysis::analyse(&events, None);
    let readout = analysis.frames.last().unwrap();
    assert!(readout.error.is_some(), "{readout:?}");
    assert_eq!(
        analysis.diagnosis.code,
        crate::link::diagnosis::DiagnosisCode::Ok,
        "the identification still answered"
    );
    assert!(readout.meaning.contains("fails its checks"));
}

#[test]
fn a_recording_of_the_rx_line_alone_shows_the_echo_and_the_answer() {
    use super::analysis::FrameDirection::{Echo, Rx};
    use crate::link::diagnosis::DiagnosisCode;
    for (id, code) in [
        ("a_good", DiagnosisCode::Ok),
        ("c_garbled", DiagnosisCode::Garbled),
        ("d_framing", DiagnosisCode::Ok),
    ] {
        for path in [
            format!("saleae/{id}.logic1_RX.constructed.csv"),
            format!("sigrok/{id}.rx.bin"),
        ] {
            let analysis = analysed(&path);
            let shown: Vec<_> = analysis
                .frames
                .iter()
                .map(|frame| frame.direction)
                .collect();
            assert_eq!(shown, [Echo, Rx], "{path}");
            assert_eq!(analysis.diagnosis.code, code, "{path}");
            let gap = analysis.frames[1].gap_s;
            if path.ends_with(".csv") {
                assert!(
                    gap.is_some_and(|gap| (gap - 0.060).abs() < 0.002),
                    "{path}: {gap:?}"
                );
            }
        }
    }
    // The TX line alone holds requests only: what came back cannot be known from it.
    let tx_only = analysed("saleae/a_good.logic1_TX.constructed.csv");
    assert_eq!(tx_only.frames.len(), 1);
    assert_eq!(
        tx_only.frames[0].direction,
        super::analysis::FrameDirection::Tx
    );
}

#[test]
fn one_line_of_requests_only_says_it_cannot_tell_tx_from_an_rx_line_hearing_its_echo() {
    for path in [
        "saleae/b_echo_only.logic1_RX.constructed.csv",
        "saleae/b_echo_only.logic1_TX.constructed.csv",
        "sigrok/b_echo_only.rx.bin",
    ] {
        let analysis = analysed(path);
        let caveat = analysis.caveat.unwrap_or_default();
        assert!(caveat.contains("(echo_only)"), "{path}: {caveat:?}");
    }
    // Both lines, or answers on the one line: the file says enough.
    for path in [
        "pulseview/b_echo_only.export_all.txt",
        "saleae/a_good.logic1_RX.constructed.csv",
    ] {
        assert_eq!(analysed(path).caveat, None, "{path}");
    }
}

/// What a simulated pushing meter sends in its first `seconds`, as RX events a second apart.
fn pushed_events(profile: crate::sim::Profile, seconds: u64) -> Vec<Event> {
    use crate::line::LineSettings;
    use crate::sim::{Meter, MeterConfig};
    let start = std::time::Instant::now();
    let config = MeterConfig::new(profile);
    let line = if profile == crate::sim::Profile::SmlPush {
        LineSettings::SML
    } else {
        LineSettings::iec(1).at(9600)
    };
    let mut meter = Meter::new(config, start);
    meter.set_line(line, start);
    let until = start + std::time::Duration::from_millis(seconds * 1000 + 500);
    let mut events = Vec::new();
    while let Some(due) = meter.poll_timeout().filter(|&due| due <= until) {
        for byte in meter.poll_transmit(due).unwrap_or_default() {
            events.push(Event {
                at: Stamp::Seconds(due.duration_since(start).as_secs_f64()),
                direction: Direction::Rx,
                mark: Mark::Byte(byte),
            });
        }
    }
    events
}

#[test]
fn a_recording_of_a_pushing_meter_is_read_as_its_telegrams() {
    use crate::link::diagnosis::DiagnosisCode;
    use crate::protocol::Protocol;
    for (profile, protocol, first, known_as) in [
        (
            crate::sim::Profile::SmlPush,
            Protocol::Sml,
            "SML telegram: ",
            "0A0153494D000000002A",
        ),
        (
            crate::sim::Profile::IecModeD,
            Protocol::Iec,
            "mode D telegram /SIM5MODED of 4 lines: ",
            "SIM5MODED",
        ),
    ] {
        let analysis = super::analysis::analyse(&pushed_events(profile, 3), None);
        assert_eq!(analysis.protocol, Some(protocol), "{profile}");
        let meanings: Vec<&str> = analysis
            .frames
            .iter()
            .map(|frame| frame.meaning.as_str())
            .collect();
        assert_eq!(meanings.len(), 3, "{profile}: {meanings:?}");
        assert!(
            meanings.iter().all(|meaning| meaning.starts_with(first)),
            "{profile}: {meanings:?}"
        );
        let power = analysis
            .readout
            .iter()
            .find(|reading| reading.key.answers("16.7.0".parse().unwrap()))
            .unwrap_or_else(|| panic!("{profile}: {:?}", analysis.readout));
        assert_eq!(power.unit, "W");
        // Nobody asked: the telegrams say it all.
        assert_eq!(analysis.diagnosis.code, DiagnosisCode::Ok);
        assert!(
            analysis
                .diagnosis
                .finding
                .contains("a telegram every 1.0 s"),
            "{profile}: {}",
            analysis.diagnosis.finding
        );
        assert_eq!(analysis.identification.as_deref(), Some(known_as));
    }
}
