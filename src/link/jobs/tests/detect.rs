//! Finding out which protocol a meter speaks: the link check against every simulated meter, in
//! invented time at the protocols' own wire speeds, and a trace of every byte it writes.

use std::time::Duration;

use super::{meter, opened, probe_report, run};
use crate::iec::{self, ClientMessage};
use crate::kmp::{self, Message};
use crate::line::LineSettings;
use crate::link::diagnosis::DiagnosisCode;
use crate::link::machine::Io;
use crate::link::{ECHO_PATTERN, Job, JobEvent, ProbeOptions, ProbeReport, Protocol};
use crate::mc66;
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
    let cases = [
        (Profile::Multical603, Some(Protocol::Kmp), None, "1200 8N2"),
        (
            Profile::Kamstrup382C,
            Some(Protocol::Iec),
            Some("KAM0382C"),
            "300 7E1",
        ),
        (
            Profile::Multical41,
            Some(Protocol::Iec),
            Some("KAM0MCC"),
            "300 7E2",
        ),
        (
            Profile::IecModeC,
            Some(Protocol::Iec),
            Some("SIM5MODEC"),
            "9600 7E1",
        ),
        (Profile::Multical66C, Some(Protocol::Mc66), None, "1200 7E2"),
        (Profile::Multical21, None, None, "1200 8N2"),
    ];
    for (profile, protocol, identification, line) in cases {
        let (report, events, _) = probe(profile, auto(Duration::from_secs(2)));
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
            Some(Protocol::Iec | Protocol::Mc66) => {
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
                            LineSettings::iec(1),
                            LineSettings::iec(2),
                            LineSettings::iec(1).at(9600),
                            LineSettings::iec(1).at(1200),
                            LineSettings::iec(2).at(1200),
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
    bytes == ECHO_PATTERN
        || bytes == mc66::REQUEST
        || matches!(kmp::decode(bytes), Ok(Message::Request { .. }))
        || match ClientMessage::decode(bytes) {
            Ok(ClientMessage::SignOn { .. }) => bytes == iec::Request::sign_on(None).encode(),
            Ok(ClientMessage::OptionSelect { mode, .. }) => mode == b'0',
            _ => false,
        }
}
