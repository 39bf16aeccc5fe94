use jiff::Timestamp;

use super::*;
use crate::link::traffic::{TrafficRecord, TrafficWriter};
use std::fs::OpenOptions;
use std::io::Write as _;

fn record(ms: i64, direction: TrafficDirection, bytes: &[u8]) -> TrafficRecord {
    TrafficRecord {
        at: Timestamp::from_millisecond(ms).unwrap(),
        direction,
        bytes: bytes.to_vec(),
        meaning: format!("record {ms}"),
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kmp-tl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("traffic.journal")
}

#[test]
fn lines_appended_are_read_back_by_index_and_the_reader_catches_up() {
    let path = scratch("reopen");
    let mut journal = TrafficWriter::create_new(&path, HEADER).unwrap();
    journal
        .write(&record(1_000, TrafficDirection::Tx, &[0x80, 0x3F]))
        .unwrap();
    journal
        .write(&record(1_100, TrafficDirection::Echo, &[0x80, 0x3F]))
        .unwrap();
    let mut log = TrafficLog::open(&path).unwrap();
    assert_eq!(log.len(), 2);
    journal
        .write(&record(1_200, TrafficDirection::Rx, &[0x40, 0x3F]))
        .unwrap();
    assert_eq!(log.len(), 2, "new lines wait for a refresh");
    assert_eq!(log.refresh().unwrap(), 1);
    assert_eq!(log.len(), 3);
    let middle = log.lines(1, 1).unwrap();
    assert!(
        middle.len() == 1 && middle[0].contains("ECHO") && middle[0].contains("record 1100"),
        "{middle:?}"
    );
    assert_eq!(log.direction(2), Some(TrafficDirection::Rx));
    assert_eq!(log.lines(0, 10).unwrap().len(), 3);
}

#[test]
fn a_line_still_being_written_waits_for_its_end() {
    let path = scratch("partial");
    let mut journal = TrafficWriter::create_new(&path, HEADER).unwrap();
    journal
        .write(&record(1_000, TrafficDirection::Tx, &[0x80]))
        .unwrap();
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"2026-11-22T10:00:00.000Z RX   40 3")
        .unwrap();
    let mut log = TrafficLog::open(&path).unwrap();
    assert_eq!(log.len(), 1);
    file.write_all(b"F  answer\n").unwrap();
    assert_eq!(log.refresh().unwrap(), 1);
    assert!(log.lines(1, 1).unwrap()[0].ends_with("40 3F  answer"));
}

#[test]
fn a_file_that_is_not_a_traffic_journal_is_refused() {
    let path = scratch("garbage");
    std::fs::write(&path, "hello\n").unwrap();
    assert!(TrafficLog::open(&path).is_err());
    std::fs::write(&path, format!("{HEADER}\nnot a traffic line\n")).unwrap();
    let error = TrafficLog::open(&path).unwrap_err();
    assert!(error.to_string().contains("line 2"), "{error}");
}

#[test]
fn export_writes_the_chosen_lines_in_order() {
    let path = scratch("export");
    let mut journal = TrafficWriter::create_new(&path, HEADER).unwrap();
    for ms in 0..10 {
        journal
            .write(&record(ms, TrafficDirection::Tx, &[0x80]))
            .unwrap();
    }
    let log = TrafficLog::open(&path).unwrap();
    let mut out = Vec::new();
    log.export(&[0, 1, 2, 5, 7, 8], &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .map(|line| line.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(kept, ["0", "1", "2", "5", "7", "8"]);
}
