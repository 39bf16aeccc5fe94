//! Reading the simulated MULTICAL 603's loggers and the Kamstrup 382's load profile through
//! the link's machine in invented time:
//! the records asked for, newest first, agreeing with the meter's registers; paging through
//! answers cut short without losing or repeating a record; clean ends; and a trace holding
//! nothing but logger reads.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{finish, ids, meter, opened, run};
use crate::kmp::logger::{LoggerRequest, PeriodLogger};
use crate::kmp::{self, Message, Register};
use crate::link::machine::Io;
use crate::link::{
    Command, Cost, EndReason, Event, HistoryOptions, HistoryReport, HistorySpan, Job, JobEvent,
    Logger, ReadOptions, Report,
};
use crate::sim::Profile;

fn history(
    profile: Profile,
    logger: PeriodLogger,
    registers: Option<&[u16]>,
    span: HistorySpan,
) -> (HistoryReport, Vec<JobEvent>, Vec<Io>) {
    let mut link = opened(meter(profile));
    link.keep_io();
    let options = HistoryOptions {
        logger: Logger::Period(logger),
        registers: registers.map(ids),
        span,
        wait: Duration::from_secs(2),
    };
    let (end, events) = run(&mut link, Job::History(options), Duration::from_secs(600));
    let Some(Report::History(report)) = end.report else {
        panic!("no history report: {:?}", end.report);
    };
    (report, events, link.io_log().to_vec())
}

fn value(registers: &[Register], id: u16) -> f64 {
    registers
        .iter()
        .find(|register| register.id().value() == id)
        .and_then(Register::number)
        .map(|number| number.to_f64())
        .unwrap_or_else(|| panic!("no register {id} in {registers:?}"))
}

#[test]
fn twelve_months_come_newest_first_with_dates_and_volumes_that_never_fall() {
    let (report, events, _) = history(
        Profile::Multical603,
        PeriodLogger::Month,
        Some(&[68, 60]),
        HistorySpan::Last(12),
    );
    assert_eq!(report.depth, Some(36));
    assert_eq!(report.records.len(), 12);
    let got: Vec<u32> = report.records.iter().map(|record| record.id).collect();
    let newest = report.newest_id.unwrap();
    assert_eq!(got, (0..12).map(|back| newest - back).collect::<Vec<_>>());
    let first = &report.records[0].registers;
    // The logger's own clock and date come first, then the registers asked for.
    assert_eq!(first[0].display_text(), "00:00:00");
    assert_eq!(first[1].id().value(), 1003);
    assert_eq!(first[1].display_text(), "2026-01-01");
    assert_eq!(first[2].id().value(), 68);
    let volumes: Vec<f64> = report
        .records
        .iter()
        .map(|record| value(&record.registers, 68))
        .collect();
    assert!(
        volumes.windows(2).all(|pair| pair[0] >= pair[1]),
        "{volumes:?}"
    );
    assert!(
        events
            .iter()
            .any(|event| matches!(event, JobEvent::HistoryProgress(p) if p.records == 12))
    );

    // Not above the volume register read just after.
    let mut link = opened(meter(Profile::Multical603));
    let read = ReadOptions {
        ids: ids(&[68]),
        wait: Duration::from_secs(2),
    };
    let (end, _) = run(&mut link, Job::Read(read), Duration::from_secs(60));
    let Some(Report::Read(now)) = end.report else {
        panic!("no read");
    };
    assert!(volumes[0] <= value(&now.registers, 68));
}

#[test]
fn paging_through_answers_cut_short_loses_and_repeats_no_record() {
    let (report, _, io) = history(
        Profile::Multical603,
        PeriodLogger::Day,
        Some(&[60, 63, 68, 69, 97, 110, 1004]),
        HistorySpan::Last(60),
    );
    assert!(report.flags.iter().any(|flag| flag == "truncated entries"));
    let newest = report.newest_id.unwrap();
    let ids: Vec<u32> = report.records.iter().map(|record| record.id).collect();
    assert_eq!(ids, (0..60).map(|back| newest - back).collect::<Vec<_>>());
    // Two groups of registers (clock, date and seven asked), each record holding all nine.
    assert!(
        report
            .records
            .iter()
            .all(|record| record.registers.len() == 9)
    );
    assert!(report.requests > 3, "{} requests", report.requests);
    // Nothing but logger reads the program may send, besides the link's echo handling.
    for io in io {
        if let Io::Transmit(bytes) = io {
            match kmp::decode(&bytes) {
                Ok(Message::LoggerRequest { request, .. }) => {
                    assert!(request.is_allowed_read(), "{request:?}");
                    assert!(!matches!(request, LoggerRequest::ClearEventStatus(_)));
                }
                other => panic!("sent {bytes:02X?}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_span_of_ids_reads_exactly_those_and_the_oldest_entry_ends_the_read() {
    let (listing, _, _) = history(
        Profile::Multical603,
        PeriodLogger::Year,
        None,
        HistorySpan::Last(1),
    );
    assert_eq!(listing.depth, Some(20));
    assert!(listing.records.is_empty());
    assert!(listing.holds.contains(&crate::kmp::RegisterId::new(68)));

    let (years, _, _) = history(
        Profile::Multical603,
        PeriodLogger::Year,
        Some(&[68]),
        HistorySpan::Last(50),
    );
    assert_eq!(years.records.len(), 20, "the logger holds 20 years");
    assert!(years.flags.iter().any(|flag| flag == "tail included"));

    let newest = years.newest_id.unwrap();
    let (span, _, _) = history(
        Profile::Multical603,
        PeriodLogger::Year,
        Some(&[68]),
        HistorySpan::Ids {
            from: newest - 4,
            to: newest - 2,
        },
    );
    let ids: Vec<u32> = span.records.iter().map(|record| record.id).collect();
    assert_eq!(ids, [newest - 2, newest - 3, newest - 4]);
}

#[test]
fn a_meter_without_loggers_answers_none_of_the_reads() {
    let (report, _, _) = history(
        Profile::Multical21,
        PeriodLogger::Month,
        Some(&[68]),
        HistorySpan::Last(12),
    );
    assert!(!report.answered);
    assert!(report.records.is_empty());
    assert!(report.failure.is_some());
}

#[test]
fn registers_the_logger_does_not_hold_are_named() {
    let (report, _, _) = history(
        Profile::Multical603,
        PeriodLogger::Month,
        Some(&[68, 74]),
        HistorySpan::Last(2),
    );
    assert_eq!(report.not_held, ids(&[74]));
    assert_eq!(report.records.len(), 2);
}

#[test]
fn the_load_profile_is_read_by_an_a1_then_a2_pages_oldest_first_and_reported_newest_first() {
    let mut link = opened(meter(Profile::Kamstrup382));
    link.keep_io();
    let options = HistoryOptions {
        logger: Logger::Interval(6),
        registers: Some(ids(&[1, 1023])),
        span: HistorySpan::Last(30),
        wait: Duration::from_secs(2),
    };
    let (end, _) = run(&mut link, Job::History(options), Duration::from_secs(600));
    let Some(Report::History(report)) = end.report else {
        panic!("no history report");
    };
    assert!(report.answered);
    let newest = report.newest_id.unwrap();
    let got: Vec<u32> = report.records.iter().map(|record| record.id).collect();
    assert_eq!(got, (0..30).map(|back| newest - back).collect::<Vec<_>>());
    let energies: Vec<f64> = report
        .records
        .iter()
        .map(|record| value(&record.registers, 1))
        .collect();
    assert!(
        energies.windows(2).all(|pair| pair[0] >= pair[1]),
        "{energies:?}"
    );
    assert!(
        report.requests >= 3,
        "the answers were cut to MaxL: {}",
        report.requests
    );
    // An A1 first, then A2s; never A0, A3 or 9C.
    let sent: Vec<LoggerRequest> = link
        .io_log()
        .iter()
        .filter_map(|io| match io {
            Io::Transmit(bytes) => match kmp::decode(bytes) {
                Ok(Message::LoggerRequest { request, .. }) => Some(request),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert!(
        matches!(sent[0], LoggerRequest::LastPresent(_)),
        "{:?}",
        sent[0]
    );
    assert!(
        sent[1..]
            .iter()
            .all(|request| matches!(request, LoggerRequest::IdPresent { .. }))
    );
}

#[test]
fn the_cost_is_said_before_the_first_page_and_reckoned_after_it() {
    let (report, events, _) = history(
        Profile::Multical603,
        PeriodLogger::Day,
        Some(&[60, 63, 68, 69, 97, 110, 1004]),
        HistorySpan::Last(60),
    );
    let costs: Vec<(u32, Cost)> = events
        .iter()
        .filter_map(|event| match event {
            JobEvent::HistoryProgress(progress) => Some((progress.records, progress.cost)),
            _ => None,
        })
        .collect();
    // The configuration answered: two groups of registers, so at least three reads in all.
    assert_eq!(costs[0], (0, Cost::AtLeast(3)));
    let Some(&(_, Cost::About(about))) = costs.get(1) else {
        panic!("{costs:?}");
    };
    assert_eq!(about, report.requests, "{costs:?}");
}

/// Reads `options`, cancelled once `records` of the first group are in; then reads the span
/// the report says is left. Returns the first report and the records, the complete ones of the
/// first read merged with the second's.
fn cancel_and_resume(
    profile: Profile,
    options: HistoryOptions,
    records: u32,
) -> (HistoryReport, BTreeMap<u32, Vec<Register>>) {
    let mut link = opened(meter(profile));
    let id = link.start(Job::History(options.clone()));
    let (progress, _) = link.run_until_event(Duration::from_secs(600), |event| match event {
        Event::Job {
            event: JobEvent::HistoryProgress(progress),
            ..
        } if progress.records >= records => Some(()),
        _ => None,
    });
    assert!(progress.is_some(), "the read never came that far");
    link.send(Command::Cancel(id));
    let (end, _) = finish(&mut link, id, Duration::from_secs(60));
    assert_eq!(end.reason, EndReason::Cancelled);
    let Some(Report::History(first)) = end.report else {
        panic!("no history report");
    };
    let Some(span) = first.resume else {
        panic!("no span to resume: {first:?}");
    };
    let (end, _) = run(
        &mut link,
        Job::History(HistoryOptions { span, ..options }),
        Duration::from_secs(600),
    );
    let Some(Report::History(second)) = end.report else {
        panic!("no history report");
    };
    let mut merged: BTreeMap<u32, Vec<Register>> = first
        .records
        .iter()
        .map(|record| (record.id, record.registers.clone()))
        .collect();
    for record in &second.records {
        merged.insert(record.id, record.registers.clone());
    }
    (first, merged)
}

#[test]
fn a_cancelled_read_says_which_ids_are_left_and_reading_them_completes_every_record() {
    let options = HistoryOptions {
        logger: Logger::Period(PeriodLogger::Day),
        registers: Some(ids(&[60, 63, 68, 69, 97, 110, 1004])),
        span: HistorySpan::Last(60),
        wait: Duration::from_secs(2),
    };
    // Cancelled once the first of two groups of registers is through: only the records the
    // second group has reached are complete.
    let (first, merged) = cancel_and_resume(Profile::Multical603, options.clone(), 60);
    assert!(first.interrupted);
    let newest = first.newest_id.unwrap();
    let Some(HistorySpan::Ids { from, to }) = first.resume else {
        panic!("{:?}", first.resume);
    };
    assert_eq!(from, newest - 59);
    assert!(to <= newest && to >= from, "{to}");
    assert_eq!(
        merged.keys().rev().copied().collect::<Vec<_>>(),
        (0..60).map(|back| newest - back).collect::<Vec<_>>()
    );
    assert!(merged.values().all(|registers| registers.len() == 9));

    // One group, cancelled part of the way down: the newest records are complete.
    let options = HistoryOptions {
        registers: Some(ids(&[68, 60])),
        ..options
    };
    let (first, merged) = cancel_and_resume(Profile::Multical603, options, 20);
    let Some(HistorySpan::Ids { from, to }) = first.resume else {
        panic!("{:?}", first.resume);
    };
    assert_eq!(from, newest - 59);
    assert!(to < newest - 19, "{to}: the newest twenty were read");
    assert_eq!(
        merged.keys().rev().copied().collect::<Vec<_>>(),
        (0..60).map(|back| newest - back).collect::<Vec<_>>()
    );
    assert!(merged.values().all(|registers| registers.len() == 4));
}

#[test]
fn a_cancelled_load_profile_read_resumes_from_the_oldest_record_left() {
    let options = HistoryOptions {
        logger: Logger::Interval(6),
        registers: Some(ids(&[1, 1023])),
        span: HistorySpan::Last(30),
        wait: Duration::from_secs(2),
    };
    let (first, merged) = cancel_and_resume(Profile::Kamstrup382, options, 1);
    let newest = first.newest_id.unwrap();
    let Some(HistorySpan::Ids { from, to }) = first.resume else {
        panic!("{:?}", first.resume);
    };
    assert_eq!(to, newest);
    assert!(
        from > newest - 29,
        "some records were read before the cancel"
    );
    assert_eq!(
        merged.keys().rev().copied().collect::<Vec<_>>(),
        (0..30).map(|back| newest - back).collect::<Vec<_>>()
    );
}
