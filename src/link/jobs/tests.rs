//! The jobs through the link's machine against simulated meters in invented time: real wire
//! times and wake-up delays, no thread and no waiting.

use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::kmp::RegisterId;
use crate::link::diagnosis::DiagnosisCode;
use crate::link::{
    CheckOptions, EndReason, Event, Exchange, Job, JobEnd, JobEvent, JobId, LinkConfig, Now,
    PollPlan, ProbeOptions, ReadOptions, Report, ScanOptions, VirtualLink,
};
use crate::protocol::Protocol;
use crate::sim::{MeterConfig, Profile, Timing};

mod history;
mod reliability;
mod scan;
mod text_protocols;

fn origin() -> Now {
    Now::new(
        Instant::now(),
        Timestamp::from_second(1_790_000_000).unwrap(),
    )
}

/// A meter that paces bytes at 1200 baud 8N2, answers after 60 ms and echoes like a head on
/// the glass; awake at once.
pub(super) fn meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.magnet_delay = Duration::ZERO;
    config
}

/// A link with the port open.
pub(super) fn opened(meter: MeterConfig) -> VirtualLink {
    let mut link = VirtualLink::new(meter, origin());
    link.open(LinkConfig::new("virtual"));
    let (opened, _) = link.run_until_event(Duration::from_secs(1), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    assert!(opened.is_some(), "the port did not open");
    link
}

pub(super) fn ids(ids: &[u16]) -> Vec<RegisterId> {
    ids.iter().copied().map(RegisterId::new).collect()
}

/// Runs `job` to its end; returns the end and the job's other events.
pub(super) fn run(link: &mut VirtualLink, job: Job, limit: Duration) -> (JobEnd, Vec<JobEvent>) {
    let id = link.start(job);
    finish(link, id, limit)
}

/// Runs until job `id` ends; returns the end and the job's other events.
pub(super) fn finish(
    link: &mut VirtualLink,
    id: JobId,
    limit: Duration,
) -> (JobEnd, Vec<JobEvent>) {
    let (end, seen) = link.run_until_event(limit, |event| match event {
        Event::Job {
            id: of,
            event: JobEvent::Ended(end),
        } if *of == id => Some(end.clone()),
        _ => None,
    });
    let events = seen
        .into_iter()
        .filter_map(|event| match event {
            Event::Job { id: of, event } if of == id => Some(event),
            _ => None,
        })
        .collect();
    (end.expect("the job never ended"), events)
}

pub(super) fn read_report(end: &JobEnd) -> &crate::link::ReadReport {
    match &end.report {
        Some(Report::Read(report)) => report,
        other => panic!("not a read report: {other:?}"),
    }
}

fn probe_report(end: &JobEnd) -> &crate::link::ProbeReport {
    match &end.report {
        Some(Report::Probe(report)) => report,
        other => panic!("not a probe report: {other:?}"),
    }
}

pub(super) fn scan_report(end: &JobEnd) -> &crate::link::ScanReport {
    match &end.report {
        Some(Report::Scan(report)) => report,
        other => panic!("not a scan report: {other:?}"),
    }
}

#[test]
fn a_read_returns_values_and_lists_the_ids_the_meter_lacks() {
    let mut link = opened(meter(Profile::Multical403));
    let job = Job::Read(ReadOptions {
        ids: ids(&[68, 74, 9999, 86]),
        wait: Duration::from_secs(1),
    });
    let (end, _) = run(&mut link, job, Duration::from_secs(10));
    assert_eq!(end.reason, EndReason::Done);
    let report = read_report(&end);
    let read: Vec<u16> = report.registers.iter().map(|r| r.id().value()).collect();
    assert_eq!(read, [68, 74, 86]);
    assert_eq!(report.missing, ids(&[9999]));
    assert!(report.failed.is_empty() && !report.interrupted);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn more_than_eight_registers_are_read_eight_to_a_request() {
    let mut link = opened(meter(Profile::Multical603));
    let wanted: Vec<u16> = (60..80).collect();
    let job = Job::Read(ReadOptions {
        ids: ids(&wanted),
        wait: Duration::ZERO,
    });
    let (end, events) = run(&mut link, job, Duration::from_secs(10));
    let requests = events
        .iter()
        .filter(|event| matches!(event, JobEvent::Exchanged { .. }))
        .count();
    assert_eq!(requests, 3, "20 registers take three requests");
    let report = read_report(&end);
    assert_eq!(
        report.registers.len() + report.missing.len(),
        wanted.len(),
        "every register is read or missing"
    );
}

#[test]
fn a_probe_waits_for_the_eye_counts_down_and_identifies_the_meter() {
    // An eye that answers 10 s after the magnet (placed as the link opened): the early round of
    // the other addresses, baud rates and protocols and the listening for a pushing meter is
    // over by then, and the wait counts down.
    let mut config = meter(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(10);
    let mut link = opened(config);
    let (end, events) = run(
        &mut link,
        Job::Probe(ProbeOptions {
            wait: Duration::from_secs(12),
            sweep: false,
            address_sweep: false,
            protocol: None,
        }),
        Duration::from_secs(30),
    );
    let lefts: Vec<Duration> = events
        .iter()
        .filter_map(|event| match event {
            JobEvent::Waiting { left } => Some(*left),
            _ => None,
        })
        .collect();
    assert!(lefts.len() >= 3, "the countdown: {lefts:?}");
    assert!(lefts.windows(2).all(|pair| pair[1] < pair[0]), "{lefts:?}");
    let report = probe_report(&end);
    assert_eq!(end.reason, EndReason::Done);
    assert!(report.echo && report.echo_clean && report.answered);
    assert_eq!(report.serial, Some(71_234_567));
    assert!(report.meter_type.is_some());
    let seconds = report.seconds_to_first_answer.unwrap();
    assert!(
        (9.6..10.4).contains(&seconds),
        "{seconds} s to the first answer, 10 s after the magnet"
    );
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

/// Probes `config`'s meter with `probe`'s defaults (a 10 s wait for the eye); gives the report and
/// how long the probe took.
fn probe_as_probe_does(config: MeterConfig) -> (crate::link::ProbeReport, Duration) {
    let mut link = opened(config);
    let began = link.now().instant;
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
        Duration::from_secs(30),
    );
    (probe_report(&end).clone(), link.now().instant - began)
}

#[test]
fn meters_awake_elsewhere_are_named_early_without_waiting_out_the_eye() {
    let mut elsewhere = meter(Profile::Multical603);
    elsewhere.address = 0x7F;
    let cases = [
        (elsewhere, Some(Protocol::Kmp), Duration::from_secs(2)),
        (
            meter(Profile::IecModeC),
            Some(Protocol::Iec),
            Duration::from_secs(6),
        ),
    ];
    for (config, protocol, within) in cases {
        let profile = config.profile;
        let (report, took) = probe_as_probe_does(config);
        assert_eq!(report.protocol, protocol, "{profile:?}");
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{profile:?}");
        assert!(took < within, "{profile:?} named after {took:?}");
    }
}

#[test]
fn a_silent_meter_is_a_finished_probe_with_its_diagnosis() {
    let mut config = meter(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(3600);
    let mut link = opened(config);
    let probe = |wait| {
        Job::Probe(ProbeOptions {
            protocol: Some(Protocol::Kmp),
            ..ProbeOptions::new(wait)
        })
    };
    let (end, _) = run(
        &mut link,
        probe(Duration::from_millis(600)),
        Duration::from_secs(5),
    );
    let report = probe_report(&end);
    assert!(!report.answered && report.echo);
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Waking,
        "within the wake-up window"
    );
    let (end, _) = run(
        &mut link,
        probe(Duration::from_secs(8)),
        Duration::from_secs(20),
    );
    assert_eq!(probe_report(&end).diagnosis.code, DiagnosisCode::EchoOnly);
}

#[test]
fn an_eye_that_answers_only_damaged_frames_is_garbled_without_waiting_out_the_wake_up() {
    let mut config = meter(Profile::Multical403);
    config.faults.corrupt = 1.0;
    let (report, took) = probe_as_probe_does(config);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Garbled);
    assert!(
        took < Duration::from_secs(4),
        "{took:?}: the 10 s wait was waited out"
    );
}

#[test]
fn the_sweep_says_which_settings_answer_and_returns_to_the_links_own() {
    let mut link = opened(meter(Profile::Kamstrup382));
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions {
            wait: Duration::from_secs(1),
            sweep: true,
            address_sweep: false,
            protocol: None,
        }),
        Duration::from_secs(30),
    );
    let report = probe_report(&end);
    let lines: Vec<String> = report.sweep.iter().map(|r| r.line.to_string()).collect();
    assert_eq!(lines, ["1200 8N2", "2400 8N2", "9600 8N2", "1200 8N1"]);
    let answered: Vec<bool> = report.sweep.iter().map(|r| r.answered).collect();
    assert_eq!(
        answered,
        [true, false, false, true],
        "a 1200 baud eye reads 8N1 and 8N2"
    );
    assert_eq!(report.line.to_string(), "1200 8N2");
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn the_sweep_alone_asks_once_at_each_setting_and_sends_no_echo_test() {
    let mut link = opened(meter(Profile::Kamstrup382));
    let (end, events) = run(&mut link, Job::Sweep, Duration::from_secs(30));
    let Some(Report::Sweep(rows)) = &end.report else {
        panic!("a sweep reports its rows: {end:?}");
    };
    let answered: Vec<(String, bool)> = rows
        .iter()
        .map(|row| (row.line.to_string(), row.answered))
        .collect();
    assert_eq!(
        answered,
        [
            ("1200 8N2".to_string(), true),
            ("2400 8N2".into(), false),
            ("9600 8N2".into(), false),
            ("1200 8N1".into(), true)
        ]
    );
    let exchanges: Vec<&Exchange> = events
        .iter()
        .filter_map(|event| match event {
            JobEvent::Exchanged { exchange, .. } => Some(exchange),
            _ => None,
        })
        .collect();
    assert_eq!(exchanges.len(), 4, "one exchange a setting: {exchanges:?}");
    assert!(
        !exchanges.contains(&&Exchange::EchoTest),
        "the link check the sweep interrupts has done the echo tests"
    );
}

#[test]
fn over_a_raw_socket_the_sweep_alone_ends_at_once_with_no_row() {
    let mut link = VirtualLink::new(meter(Profile::Kamstrup382), origin());
    link.open(LinkConfig::new("socket://bridge:2000"));
    let (end, events) = run(&mut link, Job::Sweep, Duration::from_secs(5));
    assert_eq!(end.report, Some(Report::Sweep(Vec::new())));
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, JobEvent::Exchanged { .. })),
        "{events:?}"
    );
}

#[test]
fn over_a_raw_socket_there_is_no_sweep_since_every_row_would_be_the_bridges_line() {
    let mut link = VirtualLink::new(meter(Profile::Kamstrup382), origin());
    link.open(LinkConfig::new("socket://bridge:2000"));
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions {
            wait: Duration::from_secs(1),
            sweep: true,
            address_sweep: false,
            protocol: None,
        }),
        Duration::from_secs(30),
    );
    let report = probe_report(&end);
    assert!(report.sweep.is_empty(), "{:?}", report.sweep);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn cancel_stops_a_probe_with_what_it_found_within_one_attempt() {
    let mut config = meter(Profile::FlowIq2200);
    config.magnet_delay = Duration::from_secs(3600);
    let mut link = opened(config);
    let id = link.start(Job::Probe(ProbeOptions {
        wait: Duration::from_secs(60),
        sweep: false,
        address_sweep: false,
        protocol: None,
    }));
    let (waiting, _) = link.run_until_event(Duration::from_secs(10), |event| {
        matches!(
            event,
            Event::Job {
                event: JobEvent::Waiting { .. },
                ..
            }
        )
        .then_some(())
    });
    assert!(waiting.is_some());
    let cancelled = link.now().instant;
    link.send(crate::link::Command::Cancel(id));
    let (end, _) = finish(&mut link, id, Duration::from_secs(10));
    assert_eq!(end.reason, EndReason::Cancelled);
    assert!(probe_report(&end).interrupted);
    assert!(link.now().instant - cancelled < Duration::from_secs(1));
}

#[test]
fn a_stale_cancel_does_not_stop_the_job_that_replaced_it() {
    let mut link = opened(meter(Profile::Multical603));
    let first = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    link.run_for(Duration::from_millis(300), |_| {});
    let second = link.start(Job::Poll(PollPlan {
        ids: ids(&[68]),
        interval: Duration::from_secs(1),
    }));
    link.send(crate::link::Command::Cancel(first));
    let mut polls = 0;
    let mut ended = Vec::new();
    link.run_for(Duration::from_secs(5), |event| match event {
        Event::Job {
            id,
            event: JobEvent::Polled(_),
        } if id == second => polls += 1,
        Event::Job {
            id,
            event: JobEvent::Ended(end),
        } => ended.push((id, end.reason)),
        _ => {}
    });
    assert_eq!(ended, [(first, EndReason::Replaced)]);
    assert!(polls >= 4, "{polls} polls");
}

#[test]
fn monitoring_reports_every_round_identifies_once_and_stops_on_cancel() {
    let mut link = opened(meter(Profile::Multical603));
    let id = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    let (mut echo_tests, mut answers, mut identified) = (0, 0, 0);
    link.run_for(Duration::from_millis(5500), |event| {
        if let Event::Job { event, .. } = event {
            match event {
                JobEvent::Exchanged {
                    exchange: Exchange::EchoTest,
                    ..
                } => echo_tests += 1,
                JobEvent::Exchanged { result: Ok(()), .. } => answers += 1,
                JobEvent::Identified { serial, meter_type } => {
                    assert_eq!(serial, 69_234_567);
                    assert!(meter_type.is_some());
                    identified += 1;
                }
                _ => {}
            }
        }
    });
    assert_eq!(echo_tests, 6, "one echo test a second");
    assert_eq!(answers, 7, "one serial number a second, and the type once");
    assert_eq!(identified, 1);
    link.send(crate::link::Command::Cancel(id));
    let (end, _) = finish(&mut link, id, Duration::from_secs(2));
    assert_eq!(
        end,
        JobEnd {
            reason: EndReason::Cancelled,
            report: None
        }
    );
}

#[test]
fn polling_slows_down_while_a_meter_that_answered_is_silent_and_recovers_after_the_magnet() {
    let mut config = meter(Profile::FlowIq2200);
    config.budget = Some(2);
    let mut link = opened(config);
    link.start(Job::Poll(PollPlan {
        ids: ids(&[68]),
        interval: Duration::from_secs(10),
    }));
    let polls = |link: &mut VirtualLink, duration| {
        let mut polls: Vec<(f64, usize)> = Vec::new();
        link.run_for(duration, |event| {
            if let Event::Job {
                event: JobEvent::Polled(report),
                ..
            } = event
            {
                let at = report.at.as_millisecond() as f64 / 1000.0;
                polls.push((at, report.registers.len()));
            }
        });
        polls
    };
    let before = polls(&mut link, Duration::from_secs(300));
    let answered: Vec<usize> = before.iter().map(|(_, n)| *n).collect();
    assert_eq!(
        answered,
        [1, 1, 0, 0, 0, 0],
        "polls at 0, 10, 20, 40, 80 and 160 s"
    );
    let gaps: Vec<f64> = before
        .windows(2)
        .map(|pair| pair[1].0 - pair[0].0)
        .collect();
    for (gap, expected) in gaps.iter().zip([10.0, 10.0, 20.0, 40.0, 80.0]) {
        assert!((gap - expected).abs() < 2.0, "gaps {gaps:?}");
    }
    link.place_magnet();
    let after = polls(&mut link, Duration::from_secs(200));
    let answered: Vec<usize> = after.iter().map(|(_, n)| *n).collect();
    // The magnet renews the budget of two answers.
    assert_eq!(answered[..3], [1, 1, 0], "{answered:?}");
    assert!(
        (after[0].0 - before[5].0 - 160.0).abs() < 2.0,
        "the slow pace until then"
    );
    assert!(
        (after[1].0 - after[0].0 - 10.0).abs() < 0.5,
        "back to the plan's pace: {after:?}"
    );
}

#[test]
fn polling_goes_on_by_itself_after_the_port_comes_back_with_the_same_job() {
    let mut link = opened(meter(Profile::Multical21));
    let id = link.start(Job::Poll(PollPlan {
        ids: ids(&[68, 74]),
        interval: Duration::from_secs(1),
    }));
    link.run_for(Duration::from_millis(2500), |_| {});
    link.unplug();
    let mut seen = Vec::new();
    link.run_for(Duration::from_secs(10), |event| seen.push(event));
    assert!(
        seen.iter().any(|event| matches!(event, Event::Lost(_))),
        "the loss is reported at the next poll"
    );
    assert!(
        !seen
            .iter()
            .any(|event| matches!(event, Event::Opened { .. }))
    );
    link.replug();
    let mut polls_after = 0;
    let mut ended = false;
    link.run_for(Duration::from_secs(10), |event| match event {
        Event::Job {
            id: of,
            event: JobEvent::Polled(report),
        } if of == id && report.registers.len() == 2 => polls_after += 1,
        Event::Job {
            event: JobEvent::Ended(_),
            ..
        } => ended = true,
        _ => {}
    });
    assert!(
        polls_after >= 5,
        "{polls_after} polls after the port came back"
    );
    assert!(!ended, "the poll outlives the lost port");
}

#[test]
fn a_lost_port_is_reopened_with_backoff_from_a_quarter_second_to_four_seconds() {
    let mut link = opened(meter(Profile::Multical603));
    link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    link.run_for(Duration::from_millis(1500), |_| {});
    link.unplug();
    let (lost, _) = link.run_until_event(Duration::from_secs(5), |event| {
        matches!(event, Event::Lost(_)).then_some(())
    });
    assert!(lost.is_some());
    let lost_at = link.now().instant;
    link.run_for(Duration::from_secs(20), |_| {});
    link.replug();
    let (opened, _) = link.run_until_event(Duration::from_secs(10), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    assert!(opened.is_some());
    // Tries at 0.25, 0.75, 1.75, 3.75, 7.75, 11.75, 15.75, 19.75 and 23.75 s after the loss: the
    // first try after the replug at 20 s is the one at 23.75 s.
    let reopened = link.now().instant - lost_at;
    assert!(
        reopened >= Duration::from_millis(23_700) && reopened <= Duration::from_millis(23_800),
        "reopened {reopened:?} after the loss"
    );
}

#[test]
fn a_read_that_loses_its_port_ends_saying_so_with_what_it_read() {
    let mut link = opened(meter(Profile::Multical603));
    let id = link.start(Job::Read(ReadOptions {
        ids: (1..=40).map(RegisterId::new).collect(),
        wait: Duration::ZERO,
    }));
    link.run_for(Duration::from_millis(400), |_| {});
    link.unplug();
    let (end, _) = finish(&mut link, id, Duration::from_secs(5));
    assert_eq!(end.reason, EndReason::PortLost);
    let report = read_report(&end);
    assert!(report.interrupted);
    assert_eq!(
        report.registers.len() + report.missing.len() + report.failed.len(),
        40,
        "every ID is read, missing or failed"
    );
}

#[test]
fn a_job_asked_for_with_no_port_open_ends_at_once_saying_so() {
    let mut link = VirtualLink::new(meter(Profile::Multical21), origin());
    let (end, _) = run(
        &mut link,
        Job::Read(ReadOptions {
            ids: ids(&[68]),
            wait: Duration::ZERO,
        }),
        Duration::from_secs(1),
    );
    assert_eq!(
        end,
        JobEnd {
            reason: EndReason::NotOpen,
            report: None
        }
    );
}

#[test]
fn a_port_that_cannot_be_opened_is_reported_and_nothing_waits_for_it() {
    let mut link = VirtualLink::new(meter(Profile::Multical21), origin());
    link.unplug();
    link.open(LinkConfig::new("virtual"));
    let (failed, _) = link.run_until_event(Duration::from_secs(1), |event| match event {
        Event::OpenFailed(error) => Some(error.clone()),
        _ => None,
    });
    assert!(failed.is_some());
    let mut events = 0;
    link.run_for(Duration::from_secs(30), |_| events += 1);
    assert_eq!(events, 0, "no retries after a port that never opened");
}

#[test]
fn every_job_ends_exactly_once_and_every_event_names_its_job() {
    let mut config = meter(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(3);
    let mut link = opened(config);
    let read = Job::Read(ReadOptions {
        ids: ids(&[1001, 1004]),
        wait: Duration::from_secs(10),
    });
    let poll = Job::Poll(PollPlan {
        ids: ids(&[68, 74]),
        interval: Duration::from_secs(1),
    });
    let scan = Job::Scan(ScanOptions {
        from: 0,
        to: 100,
        wait: Duration::from_secs(5),
        first: Vec::new(),
    });
    let mut started = Vec::new();
    let mut ends: Vec<(JobId, EndReason)> = Vec::new();
    let mut strangers = 0;
    let mut after_the_end = 0;
    for (job, after) in [
        (read.clone(), 500),
        (poll.clone(), 5000),
        (scan, 300),
        (read, 2000),
        (poll, 3000),
    ] {
        started.push(link.start(job));
        link.run_for(Duration::from_millis(after), |event| {
            if let Event::Job { id, event } = event {
                if !started.contains(&id) {
                    strangers += 1;
                }
                if ends.iter().any(|(ended, _)| *ended == id) {
                    after_the_end += 1;
                }
                if let JobEvent::Ended(end) = event {
                    ends.push((id, end.reason));
                }
            }
        });
    }
    assert_eq!(after_the_end, 0, "an event of a job after its end");
    assert_eq!(strangers, 0);
    let ended: Vec<JobId> = ends.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ended,
        started[..4],
        "each replaced job ended once, in order: {ends:?}"
    );
    assert_eq!(
        ends[0].1,
        EndReason::Replaced,
        "the read was still waiting for the eye"
    );
    assert_eq!(ends[1].1, EndReason::Replaced);
}

#[test]
fn a_read_asked_for_while_the_port_is_lost_ends_at_once_and_a_poll_waits_for_the_port() {
    let mut link = opened(meter(Profile::Multical603));
    link.unplug();
    link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    let (lost, _) = link.run_until_event(Duration::from_secs(5), |event| {
        matches!(event, Event::Lost(_)).then_some(())
    });
    assert!(lost.is_some());
    let read = link.start(Job::Read(ReadOptions {
        ids: ids(&[68]),
        wait: Duration::from_secs(10),
    }));
    let (end, _) = finish(&mut link, read, Duration::from_millis(1));
    assert_eq!(
        end,
        JobEnd {
            reason: EndReason::PortLost,
            report: None
        }
    );

    let poll = link.start(Job::Poll(PollPlan {
        ids: ids(&[68]),
        interval: Duration::from_secs(1),
    }));
    link.run_for(Duration::from_secs(10), |_| {});
    link.replug();
    let (polled, _) = link.run_until_event(Duration::from_secs(10), |event| match event {
        Event::Job {
            id,
            event: JobEvent::Polled(report),
        } if *id == poll => Some(report.registers.len()),
        _ => None,
    });
    assert_eq!(polled, Some(1), "the poll ran once the port was back");
}

#[test]
fn a_port_unplugged_between_polls_is_noticed_within_a_second() {
    let mut link = opened(meter(Profile::Multical603));
    link.start(Job::Poll(PollPlan {
        ids: ids(&[68]),
        interval: Duration::from_secs(300),
    }));
    link.run_for(Duration::from_secs(5), |_| {});
    let unplugged = link.now().instant;
    link.unplug();
    let (lost, _) = link.run_until_event(Duration::from_secs(5), |event| {
        matches!(event, Event::Lost(_)).then_some(())
    });
    assert!(
        lost.is_some(),
        "not noticed before the next poll, 300 s away"
    );
    assert!(link.now().instant - unplugged <= Duration::from_millis(1010));
}

#[test]
fn the_link_check_is_through_once_it_has_asked_the_meter_its_limit() {
    let mut link = opened(meter(Profile::Multical21));
    let id = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: Some(5),
        protocol: Some(Protocol::Kmp),
    }));
    let (end, events) = finish(&mut link, id, Duration::from_secs(30));
    assert_eq!(
        end,
        JobEnd {
            reason: EndReason::Done,
            report: None
        }
    );
    let requests: Vec<u64> = events
        .iter()
        .filter_map(|event| match event {
            JobEvent::Exchanged {
                exchange: Exchange::Request(_),
                requests,
                ..
            } => Some(*requests),
            _ => None,
        })
        .collect();
    // The serial number and the type, then a serial number a round.
    assert_eq!(requests, [1, 2, 3, 4, 5]);
}
