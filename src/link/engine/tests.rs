use std::time::{Duration, Instant};

use super::*;
use crate::kmp::{Number, Register, RegisterId, RegisterList, Response, Unit};

const MS: Duration = Duration::from_millis(1);
/// 11 bit times at 1200 baud.
const BYTE: Duration = Duration::from_micros(9167);

fn config(echo: EchoMode) -> EngineConfig {
    EngineConfig {
        echo,
        first_byte_timeout: Duration::from_millis(400),
        byte_time: BYTE,
        retries: 2,
        address: 0x3F,
        network_delay: Duration::ZERO,
    }
}

fn volume_request() -> Request {
    Request::GetRegister(RegisterList::single(RegisterId::new(68)))
}

fn volume_answer() -> Vec<u8> {
    let number = Number::new(false, 8541, -3).unwrap();
    let register = Register::from_number(RegisterId::new(68), Unit::M3, number, 4).unwrap();
    Response::Registers(vec![register]).encode(0x3F)
}

fn events(engine: &mut Engine) -> Vec<EngineEvent> {
    std::iter::from_fn(|| engine.poll_event()).collect()
}

/// The KMP result of the exchange, once it is done.
fn done(events: &[EngineEvent]) -> Option<Result<Response, ExchangeFailure>> {
    events.iter().find_map(|event| match event {
        EngineEvent::Done { result, .. } => Some(result.clone().map(|answer| match answer {
            Answer::Kmp(response) => response,
            other => panic!("a text answer to KMP: {other:?}"),
        })),
        EngineEvent::Attempt(_) | EngineEvent::ReadoutFollows(_) | EngineEvent::Heard(_) => None,
    })
}

fn attempts(events: &[EngineEvent]) -> Vec<&Attempt> {
    events
        .iter()
        .filter_map(|event| match event {
            EngineEvent::Attempt(attempt) => Some(attempt),
            EngineEvent::Done { .. } | EngineEvent::ReadoutFollows(_) | EngineEvent::Heard(_) => {
                None
            }
        })
        .collect()
}

/// Starts a request and returns the engine, the start time and the bytes it sent.
fn started(echo: EchoMode) -> (Engine, Instant, Vec<u8>) {
    let mut engine = Engine::new(config(echo));
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    let sent = engine.poll_transmit().unwrap();
    (engine, t0, sent)
}

#[test]
fn an_answer_after_the_echo_completes_the_exchange() {
    let (mut engine, t0, sent) = started(EchoMode::Auto);
    engine.handle_input(&sent, t0 + 80 * MS);
    engine.handle_input(&volume_answer(), t0 + 200 * MS);
    let events = events(&mut engine);
    let Some(Ok(Response::Registers(registers))) = done(&events) else {
        panic!("{events:?}")
    };
    assert_eq!(registers[0].value_text().as_deref(), Some("8.541"));
    let attempt = attempts(&events)[0];
    assert!(attempt.echo_seen.clean());
    assert_eq!(attempt.echo, sent);
    assert_eq!(attempt.received, volume_answer());
    assert_eq!(engine.echo_expected(), Some(true), "auto learned the echo");
    assert!(!engine.is_busy());
}

#[test]
fn echo_is_stripped_before_deframing_even_when_it_arrives_byte_by_byte_with_the_answer() {
    let (mut engine, t0, sent) = started(EchoMode::On);
    let mut stream = sent.clone();
    stream.extend(volume_answer());
    for (idx, byte) in stream.iter().enumerate() {
        engine.handle_input(&[*byte], t0 + MS * (10 * idx as u32));
    }
    assert!(matches!(done(&events(&mut engine)), Some(Ok(_))));
}

#[test]
fn a_meter_without_echo_is_answered_too_and_auto_learns_no_echo() {
    let (mut engine, t0, _) = started(EchoMode::Auto);
    engine.handle_input(&volume_answer(), t0 + 150 * MS);
    assert!(matches!(done(&events(&mut engine)), Some(Ok(_))));
    assert_eq!(engine.echo_expected(), Some(false));
}

#[test]
fn nothing_at_all_is_silence_after_wire_time_plus_timeout_and_every_retry() {
    let (mut engine, t0, sent) = started(EchoMode::Auto);
    let wire = BYTE * sent.len() as u32;
    assert_eq!(engine.poll_timeout(), Some(t0 + wire + 400 * MS));
    engine.handle_timeout(t0 + wire + 399 * MS);
    assert!(engine.poll_event().is_none(), "not before the deadline");
    let mut now = t0;
    for _ in 0..3 {
        now = engine.poll_timeout().unwrap();
        engine.handle_timeout(now);
        assert!(engine.poll_transmit().is_some() || !engine.is_busy());
    }
    let events = events(&mut engine);
    assert_eq!(attempts(&events).len(), 3, "one attempt and two retries");
    assert_eq!(done(&events), Some(Err(ExchangeFailure::Silence)));
    assert_eq!(
        engine.echo_expected(),
        None,
        "silence teaches nothing about the echo"
    );
    assert!(now >= t0 + (wire + 400 * MS) * 3);
}

#[test]
fn only_our_echo_is_echo_only() {
    let (mut engine, t0, sent) = started(EchoMode::Auto);
    engine.handle_input(&sent, t0 + 90 * MS);
    let deadline = engine.poll_timeout().unwrap();
    engine.handle_timeout(deadline);
    assert_eq!(
        attempts(&events(&mut engine))[0].result,
        Err(ExchangeFailure::EchoOnly { clean: true })
    );
}

#[test]
fn an_answer_that_fails_its_crc_is_never_returned() {
    let mut engine = Engine::new(EngineConfig {
        retries: 0,
        ..config(EchoMode::Off)
    });
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    engine.poll_transmit();
    let mut answer = volume_answer();
    answer[10] ^= 0x01;
    engine.handle_input(&answer, t0 + 150 * MS);
    engine.handle_timeout(engine.poll_timeout().unwrap());
    let events = events(&mut engine);
    assert!(matches!(
        done(&events),
        Some(Err(ExchangeFailure::BadFrame(
            crate::kmp::DecodeError::CrcMismatch { .. }
        )))
    ));
}

#[test]
fn a_retry_after_a_bad_answer_can_succeed() {
    let (mut engine, t0, _) = started(EchoMode::Off);
    let mut bad = volume_answer();
    bad[9] ^= 0x10;
    engine.handle_input(&bad, t0 + 150 * MS);
    let deadline = engine.poll_timeout().unwrap();
    engine.handle_timeout(deadline);
    assert!(
        engine.poll_transmit().is_some(),
        "the request goes out again"
    );
    let mut seen = events(&mut engine);
    engine.handle_input(&volume_answer(), deadline + 150 * MS);
    // After a failed attempt the answer is taken once the line has stayed quiet after it.
    assert!(engine.poll_event().is_none());
    let quiet = engine.poll_timeout().unwrap();
    assert_eq!(quiet, deadline + 150 * MS + BYTE * 4, "four byte times");
    engine.handle_timeout(quiet);
    seen.extend(events(&mut engine));
    let events = seen;
    assert_eq!(attempts(&events).len(), 2);
    assert!(matches!(done(&events), Some(Ok(_))));
}

#[test]
fn an_answer_held_back_from_a_silent_attempt_is_dropped_for_the_one_that_follows_it() {
    let (mut engine, t0, _) = started(EchoMode::Off);
    let deadline = engine.poll_timeout().unwrap();
    engine.handle_timeout(deadline);
    assert!(
        engine.poll_transmit().is_some(),
        "silence: the request again"
    );
    // The meter sends the first attempt's answer, whole and valid, and right after it the
    // answer to this one, with another volume.
    let fresh = {
        let number = Number::new(false, 8542, -3).unwrap();
        let register = Register::from_number(RegisterId::new(68), Unit::M3, number, 4).unwrap();
        Response::Registers(vec![register]).encode(0x3F)
    };
    let stale = volume_answer();
    engine.handle_input(&stale, deadline + 150 * MS);
    let came = deadline + 150 * MS + BYTE * stale.len() as u32;
    engine.handle_input(&fresh, came);
    engine.handle_timeout(engine.poll_timeout().unwrap());
    let taken = events(&mut engine);
    let Some(Ok(Response::Registers(registers))) = done(&taken) else {
        panic!("{taken:?}")
    };
    assert_eq!(registers[0].value_text().as_deref(), Some("8.542"));
    // Reported after the quiet that confirms it, stamped when it came.
    assert!(
        taken
            .iter()
            .any(|event| matches!(event, EngineEvent::Done { at, .. } if *at == came))
    );

    // That answer came with a quiet line after it: the next one is taken as it comes.
    let next = t0 + Duration::from_secs(2);
    engine.start(Exchange::Request(volume_request()), next);
    engine.handle_input(&stale, next + 150 * MS);
    assert!(matches!(done(&events(&mut engine)), Some(Ok(_))));
}

#[test]
fn bytes_after_the_echo_that_never_form_a_frame_are_garbage() {
    let mut engine = Engine::new(EngineConfig {
        retries: 0,
        ..config(EchoMode::On)
    });
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    let sent = engine.poll_transmit().unwrap();
    engine.handle_input(&sent, t0 + 90 * MS);
    engine.handle_input(&[0x12, 0xE7, 0x3C, 0x99], t0 + 200 * MS);
    engine.handle_timeout(engine.poll_timeout().unwrap());
    assert_eq!(
        done(&events(&mut engine)),
        Some(Err(ExchangeFailure::Garbage { bytes: 4 }))
    );
}

#[test]
fn noise_before_the_answer_is_skipped() {
    let (mut engine, t0, sent) = started(EchoMode::On);
    let mut stream = sent;
    stream.extend([0x00, 0x7F, 0x40, 0x11]);
    stream.extend(volume_answer());
    stream.extend([0x22, 0x33]);
    engine.handle_input(&stream, t0 + 200 * MS);
    assert!(matches!(done(&events(&mut engine)), Some(Ok(_))));
}

#[test]
fn an_answer_that_stops_halfway_times_out_after_the_inter_byte_gap() {
    let mut engine = Engine::new(EngineConfig {
        retries: 0,
        ..config(EchoMode::Off)
    });
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    engine.poll_transmit();
    let answer = volume_answer();
    let first_byte_deadline = engine.poll_timeout().unwrap();
    engine.handle_input(&answer[..6], first_byte_deadline - 10 * MS);
    // The gap rule: four byte times (36.7 ms at 1200 8N2, more than the 30 ms floor) after the last byte.
    let gap_deadline = first_byte_deadline - 10 * MS + BYTE * 4;
    assert_eq!(engine.poll_timeout(), Some(gap_deadline));
    engine.handle_timeout(gap_deadline);
    assert_eq!(
        done(&events(&mut engine)),
        Some(Err(ExchangeFailure::Garbage { bytes: 6 }))
    );
}

#[test]
fn across_a_network_the_first_byte_wait_and_the_gap_are_widened_by_the_round_trip() {
    let round_trip = 250 * MS;
    let mut engine = Engine::new(EngineConfig {
        retries: 0,
        network_delay: round_trip,
        ..config(EchoMode::Off)
    });
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    let sent = engine.poll_transmit().unwrap();
    let wire = BYTE * sent.len() as u32;
    assert_eq!(
        engine.poll_timeout(),
        Some(t0 + wire + 400 * MS + round_trip)
    );
    // An answer 600 ms after the request left the wire: past the 400 ms a local line allows,
    // within what the network adds; its second half comes a whole round trip later.
    let answer = volume_answer();
    let at = t0 + wire + 600 * MS;
    engine.handle_input(&answer[..6], at);
    assert_eq!(engine.poll_timeout(), Some(at + BYTE * 4 + round_trip));
    engine.handle_input(&answer[6..], at + 200 * MS);
    let events = events(&mut engine);
    assert!(matches!(done(&events), Some(Ok(_))), "{events:?}");
}

#[test]
fn a_garbled_echo_is_noticed_and_the_answer_still_taken() {
    let (mut engine, t0, sent) = started(EchoMode::On);
    let mut echo = sent.clone();
    echo[3] ^= 0x04;
    engine.handle_input(&echo, t0 + 90 * MS);
    engine.handle_input(&volume_answer(), t0 + 200 * MS);
    let events = events(&mut engine);
    assert!(attempts(&events)[0].echo_seen.garbled);
    assert!(matches!(done(&events), Some(Ok(_))));
}

#[test]
fn an_answer_to_another_command_is_not_taken() {
    let mut engine = Engine::new(EngineConfig {
        retries: 0,
        ..config(EchoMode::Off)
    });
    let t0 = Instant::now();
    engine.start(Exchange::Request(volume_request()), t0);
    engine.poll_transmit();
    engine.handle_input(&Response::SerialNo(7).encode(0x3F), t0 + 150 * MS);
    engine.handle_timeout(engine.poll_timeout().unwrap());
    assert!(matches!(
        done(&events(&mut engine)),
        Some(Err(ExchangeFailure::Garbage { .. }))
    ));
}

#[test]
fn the_echo_test_sends_the_pattern_and_compares_it() {
    let mut engine = Engine::new(config(EchoMode::Auto));
    let t0 = Instant::now();
    engine.start(Exchange::EchoTest, t0);
    let sent = engine.poll_transmit().unwrap();
    assert_eq!(sent, ECHO_PATTERN);
    assert!(
        sent.iter().all(|b| !crate::kmp::RESERVED.contains(b)),
        "no meter sees a frame in the pattern"
    );
    engine.handle_input(&sent, t0 + 95 * MS);
    let events = events(&mut engine);
    assert_eq!(
        done(&events),
        Some(Err(ExchangeFailure::EchoOnly { clean: true })),
        "complete at once"
    );

    engine.start(Exchange::EchoTest, t0 + MS * 200);
    let mut garbled = engine.poll_transmit().unwrap();
    garbled[4] = 0x0E;
    engine.handle_input(&garbled, t0 + 300 * MS);
    let events = self::events(&mut engine);
    assert!(attempts(&events)[0].echo_seen.garbled);
    assert_eq!(attempts(&events).len(), 1, "an echo test is not retried");
}

#[test]
fn an_echo_damaged_into_the_look_of_an_answer_does_not_end_the_wait_for_the_answer() {
    let (mut engine, t0, sent) = started(EchoMode::On);
    let wire_end = t0 + BYTE * sent.len() as u32;
    // A bit flipped on the way back turns the echo's third byte into an answer's start byte:
    // what follows up to the echo's end reads as an answer that fails its checks.
    let mut echo = sent.clone();
    echo[2] = 0x40;
    engine.handle_input(&echo, wire_end);
    // The meter answers 60 ms after the request has reached it, later than one gap.
    engine.handle_timeout(wire_end + 45 * MS);
    let early = events(&mut engine);
    assert!(early.is_empty(), "gave up before the answer: {early:?}");
    engine.handle_input(&volume_answer(), wire_end + 60 * MS + BYTE * 12);
    let seen = events(&mut engine);
    assert!(
        matches!(done(&seen), Some(Ok(Response::Registers(_)))),
        "{seen:?}"
    );
    assert_eq!(attempts(&seen).len(), 1);
    assert!(attempts(&seen)[0].echo_seen.garbled);
}
