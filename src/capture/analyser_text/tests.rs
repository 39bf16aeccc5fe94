use super::*;

/// The events of `text` read whole.
fn read(text: &str) -> Result<Vec<Event>, ImportError> {
    let mut importer = AnalyserTextImporter::new();
    let mut events = Vec::new();
    for line in text.lines() {
        importer.line(line, &mut events)?;
    }
    importer.finish(&mut events);
    Ok(events)
}

fn marks(events: &[Event], direction: Direction) -> Vec<Mark> {
    events
        .iter()
        .filter(|event| event.direction == direction)
        .map(|event| event.mark)
        .collect()
}

/// GetRegister 60 as the forum user's analyser showed it: its 0x00 as a BREAK.
const SHOWN: &str = "0x80  0x3F[?]  0x10  0x01  BREAK 0x3C[<] 0xB2  0x5F[_]  0x0D";

#[test]
fn a_break_that_makes_the_frame_check_as_0x00_is_that_byte() {
    let events = read(&format!("TX: {SHOWN}\nRX: {SHOWN}")).unwrap();
    let expected = [
        Mark::Byte(0x80),
        Mark::Byte(0x3F),
        Mark::Byte(0x10),
        Mark::Byte(0x01),
        Mark::BreakAsZero,
        Mark::Byte(0x3C),
        Mark::Byte(0xB2),
        Mark::Byte(0x5F),
        Mark::Byte(0x0D),
    ];
    assert_eq!(marks(&events, Direction::Tx), expected);
    assert_eq!(marks(&events, Direction::Rx), expected);
    assert_eq!(frame_bytes(SHOWN).unwrap().1, 1);
    assert_eq!(
        frame_bytes(SHOWN).unwrap().0,
        [0x80, 0x3F, 0x10, 0x01, 0x00, 0x3C, 0xB2, 0x5F, 0x0D]
    );
}

#[test]
fn a_break_that_makes_no_frame_check_stays_a_break() {
    // One bit of the CRC wrong: no 0x00 makes it check.
    let events = read("0x80 0x3F 0x10 0x01 BREAK 0x3C 0xB2 0x5E 0x0D").unwrap();
    assert!(events.iter().any(|event| event.mark == Mark::Break));
    assert!(!events.iter().any(|event| event.mark == Mark::BreakAsZero));
    assert!(frame_bytes("0x80 0x3F 0x10 0x01 BREAK 0x3C 0xB2 0x5E 0x0D").is_err());
}

#[test]
fn a_label_names_its_line_or_the_lines_after_it() {
    let text =
        "sending\n80 3F 02\n35 E9 0D\n40 3F 02 sent\nreceiving\n40 3F 02 00 00 00 01 5A 3C 0D";
    let events = read(text).unwrap();
    let tx = marks(&events, Direction::Tx);
    assert_eq!(tx.len(), 9, "{tx:?}");
    let rx = marks(&events, Direction::Rx);
    assert_eq!(rx.first(), Some(&Mark::Byte(0x40)));
    assert_eq!(rx.len(), 10);
    assert!(marks(&events, Direction::Unknown).is_empty());
}

#[test]
fn errors_separators_and_the_ascii_beside_bytes_read_as_shown() {
    let events =
        read("RX: 0x40;0x3F[?] | 0x20[ ], 3F [FE] 3F framing error 3F [PE] 3F parity error")
            .unwrap();
    assert_eq!(
        marks(&events, Direction::Rx),
        [
            Mark::Byte(0x40),
            Mark::Byte(0x3F),
            Mark::Byte(0x20),
            Mark::Byte(0x3F),
            Mark::FramingError,
            Mark::Byte(0x3F),
            Mark::FramingError,
            Mark::Byte(0x3F),
            Mark::ParityError,
            Mark::Byte(0x3F),
            Mark::ParityError,
        ]
    );
}

#[test]
fn what_is_no_analyser_text_is_an_error_naming_the_line() {
    let error = read("80 3F\n80 3F 0x1G").unwrap_err();
    assert_eq!(error.line, 2);
    assert!(error.reason.contains("0x1G"), "{}", error.reason);
    assert!(read("0x80[?").unwrap_err().reason.contains("without its ]"));
    assert!(read("0x800").is_err());
}

#[test]
fn it_is_told_from_plain_hex_by_what_only_an_analyser_writes() {
    assert!(AnalyserTextImporter::is_analyser_line(&format!(
        "TX: {SHOWN}"
    )));
    assert!(AnalyserTextImporter::is_analyser_line(SHOWN));
    assert!(AnalyserTextImporter::is_analyser_line("80 3F BREAK"));
    assert!(!AnalyserTextImporter::is_analyser_line(
        "80 3F 10 01 00 44 4D C0 0D"
    ));
    assert!(!AnalyserTextImporter::is_analyser_line("uart-1: 80"));
}
