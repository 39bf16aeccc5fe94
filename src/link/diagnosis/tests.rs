use crate::kmp::Response;
use crate::link::engine::Answer;
use std::time::{Duration, Instant};

use super::*;
use crate::kmp::{DecodeError, Request};
use crate::link::OpenFailure;
use crate::link::engine::EchoSeen;

fn attempt(
    exchange: Exchange,
    echo: EchoSeen,
    result: Result<Answer, ExchangeFailure>,
    at: Instant,
) -> Attempt {
    Attempt {
        exchange,
        number: 1,
        started: at,
        sent: vec![],
        echo: vec![],
        echo_at: None,
        received: vec![],
        received_at: None,
        echo_seen: echo,
        result,
    }
}

const CLEAN: EchoSeen = EchoSeen {
    matched: 6,
    sent: 6,
    garbled: false,
};
const NONE: EchoSeen = EchoSeen {
    matched: 0,
    sent: 6,
    garbled: false,
};
const SERIAL: Exchange = Exchange::Request(Request::GetSerialNo);

fn evidence_with(
    attempts: &[(EchoSeen, Result<Answer, ExchangeFailure>)],
    t0: Instant,
) -> Evidence {
    let mut evidence = Evidence::opened(t0);
    for (echo, result) in attempts {
        evidence.record_attempt(&attempt(SERIAL, *echo, result.clone(), t0));
        evidence.record_done(result);
    }
    evidence
}

#[test]
fn a_port_that_cannot_open_names_the_error_and_the_fix() {
    let evidence = Evidence {
        port_error: Some(LinkError::Open {
            port: "/dev/ttyUSB0".into(),
            failure: OpenFailure::PermissionDenied,
            detail: "Permission denied".into(),
        }),
        ..Evidence::default()
    };
    let diagnosis = diagnose(&evidence, Instant::now());
    assert_eq!(diagnosis.code, DiagnosisCode::PortError);
    assert!(diagnosis.finding.contains("/dev/ttyUSB0"));
    assert!(diagnosis.advice.contains("dialout"));
}

#[test]
fn nothing_back_is_no_echo_with_wiring_advice() {
    let t0 = Instant::now();
    let evidence = evidence_with(&[(NONE, Err(ExchangeFailure::Silence))], t0);
    let diagnosis = diagnose(&evidence, t0 + Duration::from_secs(1));
    assert_eq!(diagnosis.code, DiagnosisCode::NoEcho);
    assert!(diagnosis.advice.contains("phone camera"));
}

#[test]
fn echo_without_answer_is_waking_at_first_and_echo_only_later() {
    let t0 = Instant::now();
    let evidence = evidence_with(
        &[(CLEAN, Err(ExchangeFailure::EchoOnly { clean: true }))],
        t0,
    );
    assert_eq!(
        diagnose(&evidence, t0 + Duration::from_secs(2)).code,
        DiagnosisCode::Waking
    );
    let later = diagnose(&evidence, t0 + Duration::from_secs(10));
    assert_eq!(later.code, DiagnosisCode::EchoOnly);
    assert!(later.advice.contains("turn it over"));
    assert!(!later.advice.contains("receiver"), "{}", later.advice);
}

#[test]
fn a_meter_silent_after_the_magnet_was_placed_points_to_the_receiver() {
    let t0 = Instant::now();
    let mut evidence = evidence_with(
        &[(CLEAN, Err(ExchangeFailure::EchoOnly { clean: true }))],
        t0,
    );
    // Placed at 8 s: the eye is given its time again.
    evidence.magnet_placed_at = Some(t0 + Duration::from_secs(8));
    assert_eq!(
        diagnose(&evidence, t0 + Duration::from_secs(10)).code,
        DiagnosisCode::Waking
    );
    let later = diagnose(&evidence, t0 + Duration::from_secs(20));
    assert_eq!(later.code, DiagnosisCode::EchoOnly);
    assert!(later.finding.contains("though the magnet was placed"));
    assert!(
        later.advice.contains("receiver") && later.advice.contains("phone camera"),
        "{}",
        later.advice
    );
}

#[test]
fn bad_frames_after_the_echo_are_garbled_with_alignment_advice() {
    let t0 = Instant::now();
    let crc = ExchangeFailure::BadFrame(DecodeError::CrcMismatch {
        computed: 1,
        frame: 2,
    });
    let evidence = evidence_with(
        &[
            (CLEAN, Err(crc)),
            (CLEAN, Err(ExchangeFailure::Garbage { bytes: 3 })),
        ],
        t0,
    );
    let diagnosis = diagnose(&evidence, t0 + Duration::from_secs(10));
    assert_eq!(diagnosis.code, DiagnosisCode::Garbled);
    assert!(diagnosis.advice.contains("2400 baud"));
}

#[test]
fn answers_then_silence_is_throttled() {
    let t0 = Instant::now();
    let answer = Ok(Answer::Kmp(Response::SerialNo(1)));
    let silent = Err(ExchangeFailure::EchoOnly { clean: true });
    let evidence = evidence_with(
        &[
            (CLEAN, answer.clone()),
            (CLEAN, answer),
            (CLEAN, silent.clone()),
            (CLEAN, silent),
        ],
        t0,
    );
    let diagnosis = diagnose(&evidence, t0 + Duration::from_secs(60));
    assert_eq!(diagnosis.code, DiagnosisCode::Throttled);
    assert!(diagnosis.advice.contains("slow the polling"));
}

#[test]
fn answers_are_ok_and_missing_registers_are_called_absent() {
    let t0 = Instant::now();
    let mut evidence = evidence_with(&[(CLEAN, Ok(Answer::Kmp(Response::SerialNo(1))))], t0);
    evidence.missing.insert(RegisterId::new(9999));
    let diagnosis = diagnose(&evidence, t0);
    assert_eq!(diagnosis.code, DiagnosisCode::Ok);
    assert!(
        diagnosis.finding.contains("9999") && diagnosis.finding.contains("absent"),
        "{}",
        diagnosis.finding
    );
}

#[test]
fn one_failure_after_answers_is_not_yet_throttling() {
    let t0 = Instant::now();
    let evidence = evidence_with(
        &[
            (CLEAN, Ok(Answer::Kmp(Response::SerialNo(1)))),
            (CLEAN, Err(ExchangeFailure::Silence)),
        ],
        t0,
    );
    assert_eq!(diagnose(&evidence, t0).code, DiagnosisCode::Ok);
}

#[test]
fn a_slow_network_is_named_so_that_it_is_not_taken_for_a_slow_meter() {
    let t0 = Instant::now();
    let silent = evidence_with(&[(CLEAN, Err(ExchangeFailure::Silence))], t0);
    let answered = evidence_with(&[(CLEAN, Ok(Answer::Kmp(Response::SerialNo(1))))], t0);
    for evidence in [silent, answered] {
        let slow = Evidence {
            network_round_trip: Some(Duration::from_millis(180)),
            ..evidence.clone()
        };
        let finding = diagnose(&slow, t0 + Duration::from_secs(20)).finding;
        assert!(
            finding.contains("The network is slow: a round trip takes 180 ms"),
            "{finding}"
        );
        let quick = Evidence {
            network_round_trip: Some(Duration::from_millis(2)),
            ..evidence
        };
        let finding = diagnose(&quick, t0 + Duration::from_secs(20)).finding;
        assert!(!finding.contains("network"), "{finding}");
    }
}
