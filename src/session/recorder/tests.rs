//! The recorder's thread with real files: what the link's tap hands it is on disk when asked,
//! in order with the register map, the manifest and save as.

use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::*;
use crate::kmp::{Number, RegisterId, Unit};
use crate::link::traffic::TrafficDirection;
use crate::link::{JobId, ReadReport};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmp-recorder-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn volume(mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, -3).unwrap();
    Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
}

fn polled(ms: i64, registers: Vec<Register>) -> Event {
    polled_by(JobId::new(1), ms, registers)
}

fn polled_by(job: JobId, ms: i64, registers: Vec<Register>) -> Event {
    let report = ReadReport {
        at: Timestamp::from_millisecond(ms).unwrap(),
        registers,
        missing: Vec::new(),
        failed: Vec::new(),
        failure: None,
        diagnosis: crate::link::diagnosis::diagnose(
            &crate::link::diagnosis::Evidence::default(),
            std::time::Instant::now(),
        ),
        interrupted: false,
    };
    Event::Job {
        id: job,
        event: JobEvent::Polled(report),
    }
}

fn traffic(ms: i64) -> Event {
    Event::Job {
        id: JobId::new(1),
        event: JobEvent::Traffic(TrafficRecord {
            at: Timestamp::from_millisecond(ms).unwrap(),
            direction: TrafficDirection::Tx,
            bytes: vec![0x80, 0x3F, 0x10],
            meaning: "GetRegister 68".into(),
        }),
    }
}

fn recorder() -> Recorder {
    Recorder::spawn(Box::new(|| {})).unwrap()
}

#[test]
fn what_the_tap_hands_over_is_journaled_in_order() {
    let dir = scratch("tap");
    let recorder = recorder();
    let mut tap = recorder.tap();
    tap(&traffic(1));
    recorder.begin(
        Session::create(&dir, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(0),
    );
    for i in 0..3 {
        tap(&traffic(1_000 + i));
        tap(&polled(1_000 + i, vec![volume(100 + i as u128)]));
    }
    tap(&polled(5_000, Vec::new()));
    assert!(recorder.sync(Duration::from_secs(5)));
    let opened = Session::open(&dir).unwrap();
    assert_eq!(
        opened.readings.polls(),
        4,
        "the silent poll counts as a poll"
    );
    assert_eq!(
        opened.traffic.len(),
        3,
        "traffic before the session began is not in it"
    );
    let series = opened.readings.get(RegisterId::V1_VOLUME.into()).unwrap();
    assert_eq!(series.latest().unwrap().value.to_string(), "0.102");
    drop(recorder);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn save_as_records_on_in_the_new_folder_and_says_so() {
    let (from, to) = (scratch("from"), scratch("to"));
    let recorder = recorder();
    let mut tap = recorder.tap();
    recorder.begin(
        Session::create(&from, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(0),
    );
    tap(&polled(1_000, vec![volume(1)]));
    let mut map = RegisterMap::default();
    map.set_name(RegisterId::V1_VOLUME, "Cold water");
    recorder.save_as(to.clone(), &map);
    tap(&polled(2_000, vec![volume(2)]));
    assert!(recorder.sync(Duration::from_secs(5)));
    match recorder.try_report() {
        Some(RecorderReport::SavedAs(Ok(dir))) => assert_eq!(dir, to),
        other => panic!("{other:?}"),
    }
    assert_eq!(Session::open(&to).unwrap().readings.polls(), 2);
    assert_eq!(
        Session::open(&to).unwrap().map.name(RegisterId::V1_VOLUME),
        "Cold water"
    );
    assert_eq!(
        Session::open(&from).unwrap().readings.polls(),
        1,
        "the old one is kept"
    );

    recorder.save_as(from.clone(), &map);
    assert!(recorder.sync(Duration::from_secs(5)));
    assert!(
        matches!(recorder.try_report(), Some(RecorderReport::SavedAs(Err(_)))),
        "a folder that holds something is never written into"
    );
    drop(recorder);
    std::fs::remove_dir_all(&from).unwrap();
    std::fs::remove_dir_all(&to).unwrap();
}

#[test]
fn a_failure_to_write_is_reported_once() {
    let dir = scratch("gone");
    let recorder = recorder();
    recorder.begin(
        Session::create(&dir, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(0),
    );
    std::fs::remove_dir_all(&dir).unwrap();
    for _ in 0..3 {
        recorder.save_map(&RegisterMap::default());
    }
    assert!(recorder.sync(Duration::from_secs(5)));
    assert!(matches!(
        recorder.try_report(),
        Some(RecorderReport::Failed(_))
    ));
    assert!(recorder.try_report().is_none());
}

#[test]
fn a_session_holds_the_polls_of_the_jobs_started_for_it() {
    let (old, new) = (scratch("old-jobs"), scratch("new-jobs"));
    let recorder = recorder();
    let mut tap = recorder.tap();
    recorder.begin(
        Session::create(&old, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(1),
    );
    tap(&polled_by(JobId::new(2), 1_000, vec![volume(1)]));
    recorder.begin(
        Session::create(&new, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(3),
    );
    // The last reading of job 2 arrives after the move: it belongs to neither session now.
    tap(&polled_by(JobId::new(2), 2_000, vec![volume(2)]));
    tap(&polled_by(JobId::new(3), 3_000, vec![volume(3)]));
    assert!(recorder.sync(Duration::from_secs(5)));
    assert_eq!(Session::open(&old).unwrap().readings.polls(), 1);
    assert_eq!(Session::open(&new).unwrap().readings.polls(), 1);
    drop(recorder);
    std::fs::remove_dir_all(&old).unwrap();
    std::fs::remove_dir_all(&new).unwrap();
}

#[test]
fn a_logger_read_of_the_session_is_journaled_when_it_ends_even_when_cut_short() {
    let dir = scratch("history");
    let recorder = recorder();
    let mut tap = recorder.tap();
    let month = Logger::Period(crate::kmp::logger::PeriodLogger::Month);
    let ended = |job: u64, ids: &[u32], interrupted: bool| Event::Job {
        id: JobId::new(job),
        event: JobEvent::Ended(JobEnd {
            reason: if interrupted {
                crate::link::EndReason::Cancelled
            } else {
                crate::link::EndReason::Done
            },
            report: Some(Report::History(crate::link::HistoryReport {
                // Each read ends at its own time, which the journal keeps.
                at: jiff::Timestamp::from_second(1_790_000_000 + job as i64).unwrap(),
                logger: month,
                answered: true,
                listing: false,
                depth: Some(36),
                holds: vec![RegisterId::V1_VOLUME],
                not_held: Vec::new(),
                newest_id: Some(12),
                requests: 1,
                flags: Vec::new(),
                failure: None,
                diagnosis: crate::link::diagnosis::diagnose(
                    &crate::link::diagnosis::Evidence::default(),
                    std::time::Instant::now(),
                ),
                interrupted,
                records: ids
                    .iter()
                    .map(|&id| HistoryRecord {
                        id,
                        registers: vec![volume(u128::from(id))],
                    })
                    .collect(),
                resume: None,
            })),
        }),
    };
    recorder.begin(
        Session::create(&dir, Manifest::default(), &RegisterMap::default()).unwrap(),
        JobId::new(2),
    );
    // A read started before the session began belongs to the one before.
    tap(&ended(1, &[5], false));
    tap(&ended(2, &[12, 11], true));
    tap(&ended(3, &[], false));
    tap(&ended(4, &[10], false));
    assert!(recorder.sync(Duration::from_secs(5)));
    let history = Session::open(&dir).unwrap().history;
    let ids: Vec<u32> = history[0]
        .records()
        .iter()
        .map(|record| record.id)
        .collect();
    assert_eq!((history.len(), ids), (1, vec![12, 11, 10]));
    let stamps: Vec<String> = std::fs::read_to_string(dir.join("history.journal"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(
        stamps,
        ["1790000002000", "1790000002000", "1790000004000"],
        "each record is stamped with the time its read ended"
    );
    drop(recorder);
    std::fs::remove_dir_all(&dir).unwrap();
}
