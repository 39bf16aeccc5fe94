use jiff::Timestamp;

use super::*;
use crate::kmp::{Number, RegisterId, Unit};
use crate::link::traffic::TrafficDirection;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmp-session-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn register(id: RegisterId, unit: u8, mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, -2).unwrap();
    Register::from_number(id, Unit::from_code(unit), number, 4).unwrap()
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

fn recorded(dir: &Path) -> (Readings, RegisterMap) {
    let mut map = RegisterMap::default();
    map.set_name(RegisterId::V1_VOLUME, "Kitchen");
    let mut session = Session::create(dir, Manifest::default(), &map).unwrap();
    let mut readings = Readings::default();
    for i in 0..5 {
        let registers = [
            register(RegisterId::V1_VOLUME, 0x28, 6344 + i),
            register(RegisterId::FLOW_V1, 0x29, 100 * i),
        ];
        session
            .record_poll(at(1_000 * i as i64), &registers)
            .unwrap();
        readings.record(at(1_000 * i as i64), &registers);
        session
            .record_traffic(&TrafficRecord {
                at: at(1_000 * i as i64),
                direction: TrafficDirection::Tx,
                bytes: vec![0x80, 0x3F],
                meaning: "GetRegister 68, 74".into(),
            })
            .unwrap();
    }
    (readings, map)
}

#[test]
fn a_session_opens_with_the_readings_map_and_traffic_it_recorded() {
    let dir = scratch("roundtrip");
    let (readings, map) = recorded(&dir);
    let opened = Session::open(&dir).unwrap();
    assert_eq!(opened.readings, readings);
    assert_eq!(opened.map, map);
    assert!(!opened.report.cut_short);
    assert_eq!(opened.traffic.len(), 5);
    // Opening by the manifest's path works too.
    assert!(Session::open(&dir.join("session.ron")).is_ok());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn save_as_copies_the_session_and_records_on_there() {
    let dir = scratch("from");
    let to = scratch("to");
    let (_, map) = recorded(&dir);
    let mut session = Session::open(&dir).unwrap().session;
    session.save_as(&to, &map).unwrap();
    session
        .record_poll(at(9_000), &[register(RegisterId::V1_VOLUME, 0x28, 1)])
        .unwrap();
    assert_eq!(Session::open(&to).unwrap().readings.polls(), 6);
    assert_eq!(
        Session::open(&dir).unwrap().readings.polls(),
        5,
        "the old one is kept"
    );
    assert!(matches!(
        session.save_as(&dir, &map),
        Err(SessionError::Exists { .. })
    ));
    // A save as that fails leaves recording where it was.
    session
        .record_poll(at(10_000), &[register(RegisterId::V1_VOLUME, 0x28, 2)])
        .unwrap();
    assert_eq!(Session::open(&to).unwrap().readings.polls(), 7);
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_dir_all(&to).unwrap();
}

#[test]
fn logger_records_are_kept_across_save_as_and_a_session_from_before_loggers_gains_them() {
    let dir = scratch("history-from");
    let to = scratch("history-to");
    let (_, map) = recorded(&dir);
    let month = Logger::Period(crate::kmp::logger::PeriodLogger::Month);
    let records = |ids: std::ops::RangeInclusive<u32>| -> Vec<HistoryRecord> {
        ids.rev()
            .map(|id| HistoryRecord {
                id,
                registers: vec![register(RegisterId::V1_VOLUME, 0x28, u128::from(id) * 10)],
            })
            .collect()
    };
    // A session recorded before logger reads existed has no history journal.
    fs::remove_file(dir.join(HISTORY)).unwrap();
    let opened = Session::open(&dir).unwrap();
    assert!(opened.history.is_empty());
    let mut session = opened.session;
    session
        .record_history(at(20_000), month, &records(11..=12))
        .unwrap();
    session.save_as(&to, &map).unwrap();
    session
        .record_history(at(21_000), month, &records(9..=10))
        .unwrap();

    let ids = |dir: &Path| -> Vec<u32> {
        let history = Session::open(dir).unwrap().history;
        assert!(history.iter().all(|log| log.logger() == month));
        history
            .iter()
            .flat_map(|log| log.records().iter().map(|record| record.id))
            .collect()
    };
    assert_eq!(ids(&dir), [12, 11], "the old one keeps what it had");
    assert_eq!(ids(&to), [12, 11, 10, 9], "the copy records on");
    let opened = Session::open(&to).unwrap();
    assert_eq!(
        opened.history[0].records(),
        [records(9..=12)].concat().as_slice()
    );
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_dir_all(&to).unwrap();
}

#[test]
fn a_poll_cut_short_by_a_crash_is_left_out_and_recording_goes_on_cleanly() {
    let dir = scratch("cut");
    recorded(&dir);
    let journal = dir.join(READINGS);
    let mut text = fs::read_to_string(&journal).unwrap();
    text.push_str("5000 68:28044");
    fs::write(&journal, &text).unwrap();
    // Only looking changes nothing.
    assert_eq!(Contents::read(&dir).unwrap().readings.polls(), 5);
    assert_eq!(fs::read_to_string(&journal).unwrap(), text);
    let opened = Session::open(&dir).unwrap();
    assert!(opened.report.cut_short);
    assert_eq!(opened.readings.polls(), 5);
    let mut session = opened.session;
    session
        .record_poll(at(6_000), &[register(RegisterId::V1_VOLUME, 0x28, 7)])
        .unwrap();
    let again = Session::open(&dir).unwrap();
    assert!(!again.report.cut_short);
    assert_eq!(again.readings.polls(), 6);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_traffic_line_cut_short_is_left_out_and_the_next_one_starts_clean() {
    let dir = scratch("cut-traffic");
    recorded(&dir);
    let journal = dir.join(TRAFFIC);
    let mut text = fs::read_to_string(&journal).unwrap();
    text.push_str("2026-11-22T10:00:00.000Z RX   40 3");
    fs::write(&journal, text).unwrap();
    let opened = Session::open(&dir).unwrap();
    assert_eq!(opened.traffic.len(), 5);
    let mut session = opened.session;
    session
        .record_traffic(&TrafficRecord {
            at: at(9_000),
            direction: TrafficDirection::Rx,
            bytes: vec![0x40, 0x3F],
            meaning: "answer".into(),
        })
        .unwrap();
    let again = Session::open(&dir).unwrap();
    assert_eq!(again.traffic.len(), 6);
    assert!(again.traffic.lines(5, 1).unwrap()[0].ends_with("40 3F  answer"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_newer_and_foreign_folders_are_refused_with_a_reason() {
    let dir = scratch("damaged");
    recorded(&dir);
    let manifest = dir.join(MANIFEST);
    let good = fs::read_to_string(&manifest).unwrap();

    fs::write(&manifest, good.replace("version: 1", "version: 5")).unwrap();
    assert!(matches!(
        Session::open(&dir),
        Err(SessionError::TooNew { version: 5, .. })
    ));

    fs::write(&manifest, &good[..good.len() / 2]).unwrap();
    assert!(matches!(
        Session::open(&dir),
        Err(SessionError::Invalid { .. })
    ));

    fs::write(&manifest, vec![b'x'; 2 * 1024 * 1024]).unwrap();
    assert!(matches!(
        Session::open(&dir),
        Err(SessionError::TooLarge { .. })
    ));

    fs::write(&manifest, &good).unwrap();
    fs::write(dir.join(READINGS), "kmp-workbench readings 1\nnonsense\n").unwrap();
    let error = Session::open(&dir).unwrap_err();
    assert!(error.to_string().contains("line 2"), "{error}");

    let empty = scratch("empty");
    fs::create_dir_all(&empty).unwrap();
    assert!(matches!(
        Session::open(&empty),
        Err(SessionError::NotASession { .. })
    ));
    assert!(matches!(
        Session::create(&dir, Manifest::default(), &RegisterMap::default()),
        Err(SessionError::Exists { .. })
    ));
    fs::remove_dir_all(&dir).unwrap();
    fs::remove_dir_all(&empty).unwrap();
}
