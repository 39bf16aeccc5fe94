//! Scans in invented time: every profile's table, silencing IDs found by splitting, pauses that
//! resume after the magnet or give up, and cancelling with where to resume.

use std::time::Duration;

use super::{finish, meter, opened, run, scan_report};
use crate::kmp::RegisterId;
use crate::link::{Command, EndReason, Event, Job, JobEvent, ScanOptions};
use crate::sim::Profile;

fn scan(from: u16, to: u16, wait: Duration) -> Job {
    Job::Scan(ScanOptions {
        from,
        to,
        wait,
        first: Vec::new(),
    })
}

#[test]
fn every_profile_scan_finds_exactly_its_register_table_at_the_speed_of_the_line() {
    for profile in Profile::KMP {
        let mut link = opened(meter(profile));
        let started = link.now().instant;
        let (end, events) = run(
            &mut link,
            scan(0, 1100, Duration::from_secs(1)),
            Duration::from_secs(600),
        );
        let report = scan_report(&end);
        let expected: Vec<u16> = profile
            .registers()
            .iter()
            .map(|spec| spec.id.value())
            .filter(|id| *id <= 1100 && !profile.silencing_ids().iter().any(|s| s.value() == *id))
            .collect();
        let found: Vec<u16> = report.found.iter().map(|r| r.id().value()).collect();
        assert_eq!(found, expected, "{profile}");
        assert_eq!((report.scanned, report.interrupted), (1101, false));
        assert_eq!(end.reason, EndReason::Done);
        let streamed: usize = events
            .iter()
            .map(|event| match event {
                JobEvent::ScanFound(found) => found.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(
            streamed,
            report.found.len(),
            "{profile}: each register reported as found"
        );
        if profile.silencing_ids().is_empty() {
            assert_eq!(
                report.requests,
                1101u32.div_ceil(8),
                "{profile}: no extra requests"
            );
            // 138 requests of 23 bytes and their echo and answers, at 1200 baud 8N2, with 60 ms
            // of latency each: the scan takes the time of the line, and no more.
            let took = link.now().instant - started;
            assert!(took < Duration::from_secs(80), "{profile}: {took:?}");
        }
    }
}

#[test]
fn a_silencing_register_is_found_by_splitting_its_batch() {
    let mut link = opened(meter(Profile::Multical403));
    let (end, _) = run(
        &mut link,
        scan(144, 167, Duration::from_secs(1)),
        Duration::from_secs(60),
    );
    let report = scan_report(&end);
    assert_eq!(report.silencing, [RegisterId::new(155)]);
    assert_eq!(report.scanned, 24);
    // 3 batches; the one holding 155 is split into halves, quarters and single IDs.
    assert!(
        report.requests > 3 && report.requests < 12,
        "{} requests",
        report.requests
    );
}

#[test]
fn a_scan_pauses_while_the_meter_is_silent_and_gives_up_after_the_wait() {
    let mut config = meter(Profile::Multical21);
    config.budget = Some(5);
    let mut link = opened(config);
    let started = link.now().instant;
    let (end, events) = run(
        &mut link,
        scan(0, 200, Duration::from_secs(10)),
        Duration::from_secs(60),
    );
    let report = scan_report(&end);
    assert_eq!(
        end.reason,
        EndReason::Done,
        "giving up is the end of the scan"
    );
    assert!(report.interrupted);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, JobEvent::ScanProgress(p) if p.paused))
    );
    let countdown = events
        .iter()
        .filter(|e| matches!(e, JobEvent::Waiting { .. }))
        .count();
    assert!(
        (2..=5).contains(&countdown),
        "asked again every 2 s: {countdown}"
    );
    let resume = report.resume_from.unwrap();
    assert!(resume > 0 && resume <= 40, "resume from {resume}");
    assert!(
        report
            .found
            .iter()
            .all(|register| register.id().value() < resume)
    );
    let took = link.now().instant - started;
    assert!(
        took > Duration::from_secs(10) && took < Duration::from_secs(16),
        "{took:?}"
    );
}

#[test]
fn a_paused_scan_goes_on_after_the_magnet_and_misses_nothing() {
    let mut config = meter(Profile::Multical21);
    // Enough for the rest of the scan once the magnet renews it.
    config.budget = Some(20);
    let mut link = opened(config);
    let id = link.start(scan(0, 200, Duration::from_secs(60)));
    let (paused, _) = link.run_until_event(Duration::from_secs(30), |event| {
        matches!(event, Event::Job { event: JobEvent::ScanProgress(p), .. } if p.paused)
            .then_some(())
    });
    assert!(paused.is_some());
    link.run_for(Duration::from_secs(5), |_| {});
    link.place_magnet();
    let (end, _) = finish(&mut link, id, Duration::from_secs(120));
    let report = scan_report(&end);
    assert!(!report.interrupted);
    assert_eq!(report.scanned, 201);
    let found: Vec<u16> = report.found.iter().map(|r| r.id().value()).collect();
    let expected: Vec<u16> = Profile::Multical21
        .registers()
        .iter()
        .map(|spec| spec.id.value())
        .filter(|id| *id <= 200)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_scan_started_before_the_eye_wakes_begins_the_moment_it_answers() {
    let expected: Vec<u16> = Profile::Multical21
        .registers()
        .iter()
        .map(|spec| spec.id.value())
        .filter(|id| *id <= 200)
        .collect();
    let took = |magnet_delay: Duration| {
        let mut config = meter(Profile::Multical21);
        config.magnet_delay = magnet_delay;
        let mut link = opened(config);
        let started = link.now().instant;
        let (end, events) = run(
            &mut link,
            scan(0, 200, Duration::from_secs(30)),
            Duration::from_secs(120),
        );
        let report = scan_report(&end);
        let found: Vec<u16> = report.found.iter().map(|r| r.id().value()).collect();
        assert_eq!(found, expected, "nothing missed: {magnet_delay:?}");
        assert!(!report.interrupted);
        (link.now().instant - started, events)
    };
    let (awake, _) = took(Duration::ZERO);
    let (waking, events) = took(Duration::from_secs(4));
    assert!(
        events
            .iter()
            .any(|event| matches!(event, JobEvent::Waiting { .. })),
        "the wait is shown"
    );
    // Asked back to back while the eye wakes: the scan loses at most one unanswered request
    // (400 ms and its time on the wire) beyond the eye's 4 s, not a 2 s pause.
    let lost = waking - awake - Duration::from_secs(4);
    assert!(lost < Duration::from_millis(700), "{lost:?} lost");
}

#[test]
fn a_cancelled_scan_reports_what_it_found_and_where_to_resume() {
    let mut link = opened(meter(Profile::Kamstrup382));
    let id = link.start(scan(0, 65_535, Duration::from_secs(1)));
    let (_, _) = link.run_until_event(Duration::from_secs(60), |event| {
        matches!(event, Event::Job { event: JobEvent::ScanProgress(p), .. } if p.done > 100)
            .then_some(())
    });
    link.send(Command::Cancel(id));
    let (end, _) = finish(&mut link, id, Duration::from_secs(5));
    assert_eq!(end.reason, EndReason::Cancelled);
    let report = scan_report(&end);
    assert!(report.interrupted);
    assert_eq!(
        u32::from(report.resume_from.unwrap()),
        report.scanned,
        "resume where the scan stopped"
    );
    let found: Vec<u16> = report.found.iter().map(|r| r.id().value()).collect();
    assert!(found.contains(&1) && found.contains(&13));
}

#[test]
fn the_catalogues_ids_are_asked_for_before_the_rest_of_the_range_and_not_again() {
    let mut link = opened(meter(Profile::Multical603));
    link.keep_io();
    let options = ScanOptions::catalogue_first(0, 1100, Duration::from_secs(1), None);
    let first: Vec<u16> = options.first.iter().map(|id| id.value()).collect();
    let (end, _) = run(&mut link, Job::Scan(options), Duration::from_secs(600));
    let report = scan_report(&end);
    let asked: Vec<Vec<u16>> = link
        .io_log()
        .iter()
        .filter_map(|io| match io {
            crate::link::machine::Io::Transmit(bytes) => match crate::kmp::decode(bytes) {
                Ok(crate::kmp::Message::Request {
                    request: crate::kmp::Request::GetRegister(list),
                    ..
                }) => Some(list.as_slice().iter().map(|id| id.value()).collect()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let catalogue_requests = first.len().div_ceil(8);
    let in_order: Vec<u16> = asked[..catalogue_requests].concat();
    assert_eq!(in_order, first, "the catalogue first, in its order");
    assert_eq!(
        &in_order[..4],
        [1001, 1002, 1003, 1004],
        "the most asked-for first"
    );
    let rest: Vec<u16> = asked[catalogue_requests..].concat();
    assert!(
        rest.iter().all(|id| !first.contains(id)),
        "nothing asked twice"
    );
    assert_eq!(rest.len() + first.len(), 1101, "the whole range, once");
    assert_eq!((report.scanned, report.interrupted), (1101, false));
    let found: Vec<u16> = report.found.iter().map(|r| r.id().value()).collect();
    assert!(
        found.windows(2).all(|pair| pair[0] < pair[1]),
        "found sorted by ID"
    );
    let expected: Vec<u16> = Profile::Multical603
        .registers()
        .iter()
        .map(|spec| spec.id.value())
        .filter(|id| *id <= 1100)
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_scan_stopped_among_the_catalogues_ids_resumes_from_the_start_of_its_range() {
    let mut link = opened(meter(Profile::Multical603));
    let options = ScanOptions::catalogue_first(500, 1100, Duration::from_secs(1), None);
    let id = link.start(Job::Scan(options));
    link.run_until_event(Duration::from_secs(30), |event| {
        matches!(event, Event::Job { event: JobEvent::ScanProgress(p), .. } if p.done > 0)
            .then_some(())
    });
    link.send(Command::Cancel(id));
    let (end, _) = finish(&mut link, id, Duration::from_secs(5));
    let report = scan_report(&end);
    assert_eq!(report.resume_from, Some(500));
    assert!(report.found.iter().any(|r| r.id().value() == 1001));
}

#[test]
fn the_catalogue_first_order_follows_the_family_and_the_range() {
    let water =
        ScanOptions::catalogue_first(0, 1100, Duration::ZERO, Some(crate::kmp::Family::Water));
    let ids: Vec<u16> = water.first.iter().map(|id| id.value()).collect();
    assert_eq!(
        &ids[..7],
        [1001, 1002, 1003, 1004, 68, 74, 99],
        "no energy or temperatures on water"
    );
    assert!(ids[7..].windows(2).all(|pair| pair[0] < pair[1]));
    let narrow = ScanOptions::catalogue_first(60, 90, Duration::ZERO, None);
    let ids: Vec<u16> = narrow.first.iter().map(|id| id.value()).collect();
    assert_eq!(&ids[..5], [60, 68, 74, 86, 87]);
    assert!(ids.iter().all(|id| (60..=90).contains(id)));
}
