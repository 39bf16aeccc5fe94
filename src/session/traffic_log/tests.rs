use jiff::Timestamp;

use super::*;

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
fn lines_appended_read_back_by_index_and_after_reopening() {
    let path = scratch("reopen");
    let mut log = TrafficLog::create(&path).unwrap();
    log.append(&record(1_000, TrafficDirection::Tx, &[0x80, 0x3F]))
        .unwrap();
    log.append(&record(1_100, TrafficDirection::Echo, &[0x80, 0x3F]))
        .unwrap();
    log.append(&record(1_200, TrafficDirection::Rx, &[0x40, 0x3F]))
        .unwrap();
    assert_eq!(log.len(), 3);
    let middle = log.lines(1, 1).unwrap();
    assert_eq!(middle.len(), 1);
    assert!(
        middle[0].contains("ECHO") && middle[0].contains("record 1100"),
        "{middle:?}"
    );
    drop(log);

    let mut log = TrafficLog::open(&path).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log.direction(2), Some(TrafficDirection::Rx));
    assert_eq!(log.lines(0, 10).unwrap().len(), 3);
    log.append(&record(1_300, TrafficDirection::Tx, &[0x80]))
        .unwrap();
    assert!(log.lines(3, 1).unwrap()[0].contains("record 1300"));
}

#[test]
fn a_line_cut_short_is_dropped_and_the_next_one_starts_clean() {
    let path = scratch("cut");
    let mut log = TrafficLog::create(&path).unwrap();
    log.append(&record(1_000, TrafficDirection::Tx, &[0x80]))
        .unwrap();
    drop(log);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"2026-11-22T10:00:00.000Z RX   40 3")
        .unwrap();
    drop(file);
    let mut log = TrafficLog::open(&path).unwrap();
    assert_eq!(log.len(), 1);
    log.append(&record(2_000, TrafficDirection::Rx, &[0x40]))
        .unwrap();
    let reopened = TrafficLog::open(&path).unwrap();
    assert_eq!(reopened.len(), 2);
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
    let mut log = TrafficLog::create(&path).unwrap();
    for ms in 0..10 {
        log.append(&record(ms, TrafficDirection::Tx, &[0x80]))
            .unwrap();
    }
    let mut out = Vec::new();
    log.export(&[0, 1, 2, 5, 7, 8], &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .map(|line| line.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(kept, ["0", "1", "2", "5", "7", "8"]);
}
