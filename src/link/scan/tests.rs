//! Scans through the worker against in-process simulated meters at full speed.

use std::time::{Duration, Instant};

use crate::kmp::RegisterId;
use crate::link::port::FixedSimOpener;
use crate::link::{Command, Event, LinkConfig, LinkHandle, ScanOptions, ScanReport};
use crate::sim::{MeterConfig, Profile};

fn link(meter: MeterConfig) -> LinkHandle {
    let link = LinkHandle::spawn(Box::new(FixedSimOpener(meter)), Box::new(|| {})).unwrap();
    let mut config = LinkConfig::new("test");
    config.timeout = Duration::from_millis(50);
    link.send(Command::Open(config));
    link
}

fn quick(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.magnet_delay = Duration::ZERO;
    config.echo = true;
    config
}

fn scan(link: &LinkHandle, options: ScanOptions) -> (ScanReport, Vec<Event>) {
    link.send(Command::Scan(options));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match link.event_timeout(Duration::from_millis(50)) {
            Some(Event::Scanned(report)) => return (report, seen),
            Some(event) => seen.push(event),
            None => {}
        }
    }
    panic!("no scan report");
}

fn ids(report: &ScanReport) -> Vec<u16> {
    report.found.iter().map(|r| r.id().value()).collect()
}

#[test]
fn every_profile_scan_finds_exactly_its_register_table() {
    for profile in Profile::ALL {
        let link = link(quick(profile));
        let (report, seen) = scan(
            &link,
            ScanOptions {
                from: 0,
                to: 1100,
                wait: Duration::from_secs(1),
            },
        );
        let expected: Vec<u16> = profile
            .registers()
            .iter()
            .map(|spec| spec.id.value())
            .filter(|id| *id <= 1100 && !profile.silencing_ids().iter().any(|s| s.value() == *id))
            .collect();
        assert_eq!(ids(&report), expected, "{profile}");
        assert_eq!(report.scanned, 1101);
        assert!(!report.interrupted);
        assert!(
            seen.iter()
                .any(|event| matches!(event, Event::ScanProgress(p) if p.done > 0))
        );
        let streamed: usize = seen
            .iter()
            .map(|event| {
                if let Event::ScanFound(found) = event {
                    found.len()
                } else {
                    0
                }
            })
            .sum();
        assert_eq!(
            streamed,
            report.found.len(),
            "{profile}: every register is reported as it is found"
        );
        if profile.silencing_ids().is_empty() {
            assert_eq!(
                report.requests,
                1101u32.div_ceil(8),
                "{profile}: no gaps, no extra requests"
            );
        }
    }
}

#[test]
fn a_silencing_register_is_found_by_splitting_its_batch() {
    let link = link(quick(Profile::Multical403));
    let (report, _) = scan(
        &link,
        ScanOptions {
            from: 144,
            to: 167,
            wait: Duration::from_secs(1),
        },
    );
    assert_eq!(report.silencing, [RegisterId::new(155)]);
    assert_eq!(report.scanned, 24);
    // Halves, quarters, eighths: 4 + 2 + 2 + 2 requests for the batch 152..=159 around 155.
    assert!(
        report.requests > 3 && report.requests < 12,
        "{} requests",
        report.requests
    );
}

#[test]
fn a_scan_pauses_while_the_meter_is_silent_and_gives_up_after_the_wait() {
    let mut meter = quick(Profile::Multical21);
    meter.budget = Some(5);
    let link = link(meter);
    let (report, seen) = scan(
        &link,
        ScanOptions {
            from: 0,
            to: 200,
            wait: Duration::from_millis(500),
        },
    );
    assert!(report.interrupted);
    assert!(
        seen.iter()
            .any(|event| matches!(event, Event::ScanProgress(p) if p.paused)),
        "no pause reported"
    );
    let resume = report.resume_from.unwrap();
    assert!(resume > 0 && resume <= 40, "resume from {resume}");
    assert!(
        report
            .found
            .iter()
            .all(|register| register.id().value() < resume)
    );
}

#[test]
fn a_cancelled_scan_reports_what_it_found_and_where_to_resume() {
    let link = link(quick(Profile::Kamstrup382));
    link.send(Command::Scan(ScanOptions {
        from: 0,
        to: 65_535,
        wait: Duration::from_secs(1),
    }));
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(Event::ScanProgress(progress)) = link.event_timeout(Duration::from_millis(50))
            && progress.done > 100
        {
            break;
        }
    }
    link.send(Command::Cancel);
    let (report, _) = scan_result(&link);
    assert!(report.interrupted);
    let resume = report.resume_from.unwrap();
    assert_eq!(
        u32::from(resume),
        report.scanned,
        "resume where the scan stopped"
    );
    assert!(ids(&report).contains(&1) && ids(&report).contains(&13));
}

fn scan_result(link: &LinkHandle) -> (ScanReport, ()) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(Event::Scanned(report)) = link.event_timeout(Duration::from_millis(50)) {
            return (report, ());
        }
    }
    panic!("no scan report");
}
