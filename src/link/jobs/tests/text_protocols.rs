//! Finding out which protocol a meter speaks and reading it: the link check and the readouts
//! against every simulated meter, in invented time at the protocols' own wire speeds, and a
//! trace of every byte written.

use std::time::Duration;

use super::{meter, opened, probe_report, run};
use crate::iec::{self, ClientMessage};
use crate::kmp::{self, Message};
use crate::line::LineSettings;
use crate::link::diagnosis::DiagnosisCode;
use crate::link::machine::Io;
use crate::link::{
    CheckOptions, ECHO_PATTERN, Event, Exchange, Job, JobEvent, ProbeOptions, ProbeReport,
    ReadoutOptions, ReadoutPlan, ReadoutReport, Report,
};
use crate::mc66;
use crate::protocol::Protocol;
use crate::sim::Profile;

fn probe(profile: Profile, options: ProbeOptions) -> (ProbeReport, Vec<JobEvent>, Vec<Io>) {
    let mut config = meter(profile);
    if profile == Profile::Multical21 {
        // Asleep: no magnet on the meter.
        config.magnet_delay = Duration::from_secs(3600);
    }
    let mut link = opened(config);
    link.keep_io();
    let (end, events) = run(&mut link, Job::Probe(options), Duration::from_secs(120));
    (probe_report(&end).clone(), events, link.io_log().to_vec())
}

fn auto(wait: Duration) -> ProbeOptions {
    ProbeOptions::new(wait)
}

#[test]
fn each_meter_is_found_speaking_its_protocol_at_its_line_settings() {
    // The text protocols are asked with two stop bits and heard with one: the 7E1 meters and
    // the 7E2 ones answer the same try.
    let cases = [
        (
            Profile::Multical603,
            Some(Protocol::Kmp),
            None,
            "1200 8N2",
            "1200 8N2",
        ),
        (
            Profile::Kamstrup382C,
            Some(Protocol::Iec),
            Some("KAM0382C"),
            "300 7E2",
            "300 7E1",
        ),
        (
            Profile::Multical41,
            Some(Protocol::Iec),
            Some("KAM0MCC"),
            "300 7E2",
            "300 7E1",
        ),
        (
            Profile::IecModeC,
            Some(Protocol::Iec),
            Some("SIM5MODEC"),
            "300 7E2",
            "9600 7E1",
        ),
        (
            Profile::Multical66C,
            Some(Protocol::Mc66),
            None,
            "300 7E2",
            "1200 7E1",
        ),
        (Profile::Multical21, None, None, "-", "1200 8N2"),
    ];
    for (profile, protocol, identification, asked_at, line) in cases {
        let (report, events, _) = probe(profile, auto(Duration::from_secs(2)));
        assert_eq!(
            report.asked_at.map_or("-".into(), |line| line.to_string()),
            asked_at,
            "{profile}"
        );
        assert_eq!(report.protocol, protocol, "{profile}");
        assert_eq!(
            report.identification.as_deref(),
            identification,
            "{profile}"
        );
        assert_eq!(report.line.to_string(), line, "{profile}");
        assert_eq!(report.answered, protocol.is_some(), "{profile}");
        let spoke = events.iter().any(
            |event| matches!(event, JobEvent::Spoke { protocol: p, .. } if Some(*p) == protocol),
        );
        assert_eq!(
            spoke,
            protocol.is_some(),
            "{profile}: the protocol is announced"
        );
        match protocol {
            Some(Protocol::Iec | Protocol::Mc66 | Protocol::Sml) => {
                assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{profile}");
                assert!(
                    report
                        .diagnosis
                        .finding
                        .contains("not KMP; it is read as such"),
                    "{profile}: {}",
                    report.diagnosis.finding
                );
            }
            Some(Protocol::Kmp) => assert_eq!(report.diagnosis.code, DiagnosisCode::Ok),
            None => {
                assert_eq!(report.diagnosis.code, DiagnosisCode::EchoOnly, "asleep");
                assert!(report.diagnosis.finding.contains("Neither IEC 62056-21"));
            }
        }
    }
}

#[test]
fn a_named_protocol_skips_the_others() {
    let only_iec = ProbeOptions {
        protocol: Some(Protocol::Iec),
        ..auto(Duration::from_secs(1))
    };
    let (report, _, io) = probe(Profile::Multical66C, only_iec);
    assert_eq!(
        report.protocol, None,
        "a /#1 meter does not answer the sign-on"
    );
    let sent: Vec<&Vec<u8>> = io
        .iter()
        .filter_map(|io| match io {
            Io::Transmit(bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    assert!(sent.iter().all(|bytes| bytes.as_slice() != mc66::REQUEST));
    assert!(
        sent.iter()
            .all(|bytes| !matches!(kmp::decode(bytes), Ok(Message::Request { .. }))),
        "no KMP request either"
    );

    let only_66c = ProbeOptions {
        protocol: Some(Protocol::Mc66),
        ..auto(Duration::from_secs(1))
    };
    let (report, _, _) = probe(Profile::Multical66C, only_66c);
    assert_eq!(report.protocol, Some(Protocol::Mc66));
    let only_kmp = ProbeOptions {
        protocol: Some(Protocol::Kmp),
        ..auto(Duration::from_secs(1))
    };
    let (report, _, _) = probe(Profile::Kamstrup382C, only_kmp);
    assert_eq!(report.protocol, None);
    assert_ne!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn a_detection_run_writes_nothing_but_read_requests() {
    for profile in Profile::ALL {
        let (_, _, io) = probe(profile, auto(Duration::from_secs(2)));
        let mut lines = 0;
        for io in io {
            match io {
                Io::Transmit(bytes) => assert!(allowed(&bytes), "{profile}: sent {bytes:02X?}"),
                Io::SetLine(line) => {
                    lines += 1;
                    assert!(
                        [
                            LineSettings::KMP,
                            LineSettings::KMP.at(2400),
                            LineSettings::KMP.at(9600),
                            LineSettings::iec(1),
                            LineSettings::iec(2),
                            LineSettings::iec(1).at(9600),
                            LineSettings::iec(1).at(1200),
                            LineSettings::iec(2).at(1200),
                            LineSettings::SML,
                        ]
                        .contains(&line),
                        "{profile}: {line}"
                    );
                }
                Io::Open(_) | Io::Close => {}
            }
        }
        let kmp = Profile::KMP.contains(&profile) && profile != Profile::Multical21;
        assert_eq!(
            lines == 0,
            kmp,
            "{profile}: other settings only to find out"
        );
    }
}

/// What may leave the program (PRODUCT.md, "Never"): the echo-test pattern, KMP read requests,
/// the IEC sign-on and the option select for the data readout, `/#1`.
fn allowed(bytes: &[u8]) -> bool {
    // Nothing at all: listening for a meter that pushes.
    bytes.is_empty()
        || bytes == ECHO_PATTERN
        || bytes == mc66::REQUEST
        || matches!(kmp::decode(bytes), Ok(Message::Request { .. }))
        || match ClientMessage::decode(bytes) {
            Ok(ClientMessage::SignOn { .. }) => bytes == iec::Request::sign_on(None).encode(),
            Ok(ClientMessage::OptionSelect { mode, .. }) => mode == b'0',
            _ => false,
        }
}

fn readout(profile: Profile, protocol: Option<Protocol>) -> ReadoutReport {
    let mut link = opened(meter(profile));
    let options = ReadoutOptions {
        protocol,
        wait: Duration::from_secs(1),
    };
    let (end, _) = run(&mut link, Job::Readout(options), Duration::from_secs(60));
    match end.report {
        Some(Report::Readout(report)) => report,
        other => panic!("{profile}: no readout report: {other:?}"),
    }
}

#[test]
fn a_readout_reads_every_line_and_field_exactly_as_sent() {
    let report = readout(Profile::Kamstrup382C, Some(Protocol::Iec));
    assert_eq!(report.protocol, Some(Protocol::Iec));
    assert_eq!(report.identification.as_deref(), Some("KAM0382C"));
    let keys: Vec<String> = report.readings.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(
        keys,
        [
            "0.0.0", "1.8.0", "1.8.1", "1.8.2", "1.8.3", "1.8.4", "96.8.0", "0.128.1", "1.6.0"
        ]
    );
    assert_eq!(report.readings[2].raw, "1.8.1(0008123.000*kWh)");
    assert_eq!(report.readings[2].display(), "8123.000 kWh");
    // Some 240 bytes at 300 baud 7E1, 10 bit times each.
    assert!(
        report.took > Duration::from_secs(7) && report.took < Duration::from_secs(12),
        "{:?}",
        report.took
    );

    let report = readout(Profile::IecModeC, None);
    assert_eq!(
        report.line.map(|line| line.to_string()).as_deref(),
        Some("9600 7E1")
    );
    assert_eq!(report.readings.len(), 6);

    let report = readout(Profile::Multical66C, None);
    assert_eq!(report.protocol, Some(Protocol::Mc66));
    let fields: Vec<String> = report.readings.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(
        fields,
        [
            "energy",
            "volume",
            "hours",
            "t1",
            "t2",
            "dt",
            "power",
            "flow",
            "peak_power",
            "info"
        ]
    );
    assert!(report.readings[1].assumed_scale);

    let report = readout(Profile::Multical603, None);
    assert_eq!(report.protocol, None, "a KMP meter has no readout");
    assert!(report.readings.is_empty() && report.failure.is_some());
}

#[test]
fn polled_readouts_come_at_the_interval_and_ask_in_the_protocol_that_answered() {
    let mut link = opened(meter(Profile::Multical66C));
    link.keep_io();
    let plan = ReadoutPlan {
        options: ReadoutOptions {
            protocol: None,
            wait: Duration::ZERO,
        },
        interval: Duration::from_secs(30),
    };
    let id = link.start(Job::ReadoutPoll(plan));
    let mut rounds = Vec::new();
    link.run_for(Duration::from_secs(100), |event| {
        if let Event::Job {
            id: of,
            event: JobEvent::ReadoutPolled(report),
        } = event
            && of == id
        {
            rounds.push(report);
        }
    });
    assert_eq!(rounds.len(), 4, "at 0, 30, 60 and 90 s");
    assert!(rounds.iter().all(|round| round.readings.len() == 10));
    let sent = |start: &[u8]| {
        link.io_log()
            .iter()
            .filter(|io| matches!(io, Io::Transmit(bytes) if bytes.starts_with(start)))
            .count()
    };
    assert_eq!(sent(b"/?"), 1, "the sign-on once, then /#1 straight away");
    assert_eq!(sent(mc66::REQUEST), 4);
}

/// Runs the continuous check for `secs`; returns the protocols announced and the results of its
/// requests (echo tests left out).
fn check(profile: Profile, secs: u64) -> (Vec<Protocol>, Vec<bool>, Vec<Io>) {
    let mut config = meter(profile);
    if profile == Profile::Multical21 {
        config.magnet_delay = Duration::from_secs(3600);
    }
    let mut link = opened(config);
    link.keep_io();
    let id = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: None,
    }));
    let (mut spoke, mut answers) = (Vec::new(), Vec::new());
    link.run_for(Duration::from_secs(secs), |event| match event {
        Event::Job {
            id: of,
            event: JobEvent::Spoke { protocol, .. },
        } if of == id => spoke.push(protocol),
        Event::Job {
            id: of,
            event: JobEvent::Exchanged {
                exchange, result, ..
            },
        } if of == id && exchange != Exchange::EchoTest => answers.push(result.is_ok()),
        _ => {}
    });
    (spoke, answers, link.io_log().to_vec())
}

#[test]
fn the_continuous_check_finds_a_text_protocol_once_kmp_stays_silent_and_checks_in_it() {
    let (spoke, answers, _) = check(Profile::Kamstrup382C, 60);
    assert_eq!(spoke, [Protocol::Iec]);
    let found = answers.iter().position(|&ok| ok).expect("an answer");
    assert_eq!(
        found, 1,
        "the quick sign-on after the first unanswered KMP request: {answers:?}"
    );
    assert!(
        answers[found..].iter().all(|&ok| ok),
        "every round in IEC answers: {answers:?}"
    );

    let (spoke, answers, io) = check(Profile::Multical603, 20);
    assert_eq!(spoke, [Protocol::Kmp]);
    assert!(answers.iter().all(|&ok| ok));
    assert!(
        io.iter().all(|io| !matches!(io, Io::SetLine(_))),
        "a KMP meter is never asked in another protocol"
    );

    let (spoke, answers, io) = check(Profile::Multical21, 60);
    assert!(spoke.is_empty() && answers.iter().all(|&ok| !ok));
    let sign_ons = io
        .iter()
        .filter(|io| matches!(io, Io::Transmit(bytes) if bytes.starts_with(b"/?")))
        .count();
    assert_eq!(sign_ons, 2, "the quick one, one search, then KMP again");
}

#[test]
fn a_meter_that_pushes_sml_is_named_by_listening_with_or_without_an_echo() {
    for echo in [true, false] {
        let mut config = meter(Profile::SmlPush);
        config.echo = echo;
        let mut link = opened(config);
        let began = link.now().instant;
        let (end, _) = run(
            &mut link,
            Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
            Duration::from_secs(60),
        );
        let report = probe_report(&end);
        assert_eq!(report.protocol, Some(Protocol::Sml), "echo {echo}");
        assert_eq!(report.line, LineSettings::SML);
        assert_eq!(
            report.identification.as_deref(),
            Some("0A0153494D000000002A"),
            "the server ID"
        );
        assert_eq!(report.push_interval, Some(Duration::from_secs(1)));
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
        assert!(
            report.diagnosis.finding.contains("pushes SML unasked"),
            "{}",
            report.diagnosis.finding
        );
        let seconds = report.seconds_to_diagnosis.unwrap();
        assert!(seconds < 10.0, "named after {seconds} s");
        assert!(link.now().instant - began < Duration::from_secs(10));
    }
}

#[test]
fn a_meter_that_pushes_mode_d_is_named_by_listening_with_or_without_an_echo() {
    for echo in [true, false] {
        let mut config = meter(Profile::IecModeD);
        config.echo = echo;
        let mut link = opened(config);
        let (end, _) = run(
            &mut link,
            Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
            Duration::from_secs(60),
        );
        let report = probe_report(&end);
        assert_eq!(report.protocol, Some(Protocol::Iec), "echo {echo}");
        assert!(report.push);
        // Heard at eight data bits with each character's parity bit: a 7E1 meter.
        assert_eq!(report.line, LineSettings::iec(1).at(9600));
        assert_eq!(report.identification.as_deref(), Some("SIM5MODED"));
        assert_eq!(report.push_interval, Some(Duration::from_secs(1)));
        assert!(
            report
                .diagnosis
                .finding
                .contains("pushes IEC 62056-21 mode D text unasked"),
            "{}",
            report.diagnosis.finding
        );
        let seconds = report.seconds_to_diagnosis.unwrap();
        assert!(seconds < 10.0, "named after {seconds} s");
    }
}

#[test]
fn a_mode_d_meter_pushing_at_2400_is_found_from_the_garbage_heard_at_9600() {
    // (At 300 baud the sign-on, heard at that rate, takes a pushed telegram's identification for
    // its answer.)
    let mut config = meter(Profile::IecModeD);
    config.baud = Some(2400);
    let mut link = opened(config);
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
        Duration::from_secs(90),
    );
    let report = probe_report(&end);
    assert_eq!(report.protocol, Some(Protocol::Iec), "{report:?}");
    assert!(report.push, "{report:?}");
    assert_eq!(report.line, LineSettings::iec(1).at(2400));
    assert_eq!(report.identification.as_deref(), Some("SIM5MODED"));
    let seconds = report.seconds_to_diagnosis.unwrap();
    assert!(seconds < 10.0, "named after {seconds} s");
}

#[test]
fn a_mode_d_meter_is_read_by_listening_when_iec_is_asked_or_nothing_is() {
    for protocol in [Some(Protocol::Iec), None] {
        let report = readout(Profile::IecModeD, protocol);
        assert_eq!(report.protocol, Some(Protocol::Iec));
        assert_eq!(report.identification.as_deref(), Some("SIM5MODED"));
        let energy = report
            .readings
            .iter()
            .find(|reading| reading.key.answers("1.8.0".parse().unwrap()))
            .unwrap_or_else(|| panic!("{:?}", report.readings));
        assert_eq!(energy.unit, "kWh");
        assert!(energy.number.is_some());
    }
}

#[test]
fn the_continuous_check_sends_nothing_to_a_meter_found_pushing() {
    let (spoke, answers, io) = check(Profile::SmlPush, 40);
    assert_eq!(spoke, [Protocol::Sml]);
    assert!(answers.iter().rev().take(5).all(|&ok| ok), "{answers:?}");
    let sent: Vec<&Vec<u8>> = io
        .iter()
        .filter_map(|io| match io {
            Io::Transmit(bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    let found = sent
        .iter()
        .position(|bytes| bytes.is_empty())
        .expect("a listen");
    assert!(
        sent[found..].iter().all(|bytes| bytes.is_empty()),
        "only listening once it was heard"
    );
}

#[test]
fn a_pushing_meter_heard_only_damaged_is_garbled() {
    // Mode D has no check character: a telegram that lost a digit may pass, but most fail
    // their parity, and the values of one that passed are not trusted.
    let mut config = meter(Profile::IecModeD);
    config.faults.corrupt = 1.0;
    let mut link = opened(config);
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
        Duration::from_secs(60),
    );
    let report = probe_report(&end);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Garbled, "{report:?}");
    assert!(
        report
            .diagnosis
            .finding
            .contains("most of its telegrams fail their checks"),
        "{}",
        report.diagnosis.finding
    );
    let mut config = meter(Profile::SmlPush);
    config.faults.corrupt = 1.0;
    let mut link = opened(config);
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
        Duration::from_secs(60),
    );
    let report = probe_report(&end);
    assert_eq!(report.protocol, None);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Garbled);
    assert!(
        report
            .diagnosis
            .finding
            .contains("pushes telegrams at 9600 8N1"),
        "{}",
        report.diagnosis.finding
    );
}

#[test]
fn a_pushing_meter_locked_with_its_pin_is_said_to_be() {
    let mut config = meter(Profile::SmlPush);
    config.pin_locked = true;
    let mut link = opened(config);
    let (end, _) = run(
        &mut link,
        Job::Probe(ProbeOptions::new(Duration::from_secs(10))),
        Duration::from_secs(60),
    );
    let report = probe_report(&end);
    assert_eq!(report.protocol, Some(Protocol::Sml));
    assert!(
        report.diagnosis.finding.contains("locked with its PIN")
            && report.diagnosis.advice.contains("PIN"),
        "{:?}",
        report.diagnosis
    );
}
