use std::time::{Duration, Instant};

use super::{Meter, MeterConfig, Timing};
use crate::kmp::{
    Deframed, Deframer, Direction, Frame, Message, RegisterId, RegisterList, Request, Response,
    decode,
};
use crate::sim::faults::Faults;
use crate::sim::profile::Profile;

const MS: Duration = Duration::from_millis(1);

fn register_request(ids: &[u16]) -> Vec<u8> {
    let ids: Vec<RegisterId> = ids.iter().copied().map(RegisterId::new).collect();
    Request::GetRegister(RegisterList::new(&ids).unwrap()).encode(0x3F)
}

/// Sends `request` at `at` and collects everything the meter sends within the next 10 s.
fn exchange(meter: &mut Meter, request: &[u8], at: Instant) -> Vec<u8> {
    meter.handle_input(request, at);
    meter
        .poll_transmit(at + Duration::from_secs(10))
        .unwrap_or_default()
}

fn frames(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut deframer = Deframer::new();
    deframer
        .push(bytes)
        .filter_map(|item| match item {
            Deframed::Frame(frame) => Some(frame),
            Deframed::Ack => None,
        })
        .collect()
}

fn awake_meter(config: MeterConfig) -> (Meter, Instant) {
    let start = Instant::now();
    let meter = Meter::new(config, start);
    (meter, start + Duration::from_secs(5))
}

fn public_requests() -> Vec<Vec<u8>> {
    include_str!("../../../tests/data/frames.tsv")
        .lines()
        .filter(|line| line.ends_with("kmp-read") && line.split('\t').nth(1) == Some("req"))
        .filter_map(|line| line.split('\t').nth(2))
        .map(|hex| {
            hex.split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn every_profile_answers_the_public_requests_with_well_formed_frames() {
    let requests = public_requests();
    assert!(requests.len() >= 15);
    for profile in Profile::KMP {
        let (mut meter, mut at) = awake_meter(MeterConfig::new(profile));
        for request in &requests {
            let reply = exchange(&mut meter, request, at);
            at += Duration::from_secs(1);
            let Ok(Message::Request { request, .. }) = decode(request) else {
                panic!("public request")
            };
            let Ok(Message::Response {
                destination: 0x3F,
                response,
            }) = decode(&reply)
            else {
                panic!("{profile}: no valid answer to {request:?}: {reply:02X?}");
            };
            assert_eq!(response.cid(), request.cid());
            if let (Request::GetRegister(asked), Response::Registers(got)) = (request, response) {
                let asked = asked.as_slice();
                let got: Vec<RegisterId> = got.iter().map(|r| r.id()).collect();
                let expected: Vec<RegisterId> = asked
                    .iter()
                    .copied()
                    .filter(|id| profile.register(*id).is_some())
                    .collect();
                assert_eq!(
                    got, expected,
                    "{profile}: answered in request order, unknown IDs left out"
                );
            }
        }
    }
}

#[test]
fn multical21_answers_volume_as_the_captured_meter_encodes_it() {
    let (mut meter, at) = awake_meter(MeterConfig::new(Profile::Multical21));
    let reply = exchange(&mut meter, &register_request(&[68]), at);
    // 40 3F 10 | 00 44 | 28 04 43 | 4-byte mantissa | CRC | 0D, as in the FR1402 capture.
    assert_eq!(
        &reply[..8],
        [0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43]
    );
}

#[test]
fn serial_number_and_type_are_answered() {
    let (mut meter, at) = awake_meter(MeterConfig::new(Profile::FlowIq2200));
    let reply = exchange(&mut meter, &Request::GetSerialNo.encode(0x3F), at);
    assert_eq!(
        decode(&reply),
        Ok(Message::Response {
            destination: 0x3F,
            response: Response::SerialNo(72_345_678)
        })
    );
    let reply = exchange(&mut meter, &Request::GetType.encode(0x3F), at + MS);
    assert!(matches!(
        decode(&reply),
        Ok(Message::Response {
            response: Response::Type(_),
            ..
        })
    ));
}

#[test]
fn a_request_for_only_unknown_registers_gets_an_empty_answer() {
    let (mut meter, at) = awake_meter(MeterConfig::new(Profile::Kamstrup382));
    let reply = exchange(&mut meter, &register_request(&[1045]), at);
    assert_eq!(
        decode(&reply),
        Ok(Message::Response {
            destination: 0x3F,
            response: Response::Registers(vec![])
        })
    );
}

#[test]
fn echo_returns_every_byte_frame_or_not_before_the_answer() {
    let mut config = MeterConfig::new(Profile::Multical403);
    config.echo = true;
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[68]);
    let mut sent = vec![0x55, 0xAA];
    sent.extend_from_slice(&request);
    let reply = exchange(&mut meter, &sent, at);
    assert_eq!(&reply[..sent.len()], sent.as_slice());
    assert!(matches!(
        decode(&reply[sent.len()..]),
        Ok(Message::Response { .. })
    ));
}

#[test]
fn requests_the_meter_must_ignore_get_no_answer() {
    let (mut meter, at) = awake_meter(MeterConfig::new(Profile::Multical21));
    let nine_ids = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x10,
        data: vec![9, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9],
    }
    .encode();
    let mut bad_crc = register_request(&[68]);
    bad_crc[6] ^= 0x01;
    let other_address = Request::GetSerialNo.encode(0x7F);
    let set_clock = Frame {
        direction: Direction::ToMeter,
        destination: 0x3F,
        cid: 0x09,
        data: vec![0; 8],
    }
    .encode();
    let answer_frame = Response::SerialNo(1).encode(0x3F);
    for (idx, frame) in [nine_ids, bad_crc, other_address, set_clock, answer_frame]
        .iter()
        .enumerate()
    {
        assert_eq!(
            exchange(&mut meter, frame, at + MS * idx as u32),
            Vec::<u8>::new(),
            "frame {idx}"
        );
    }
    let stats = meter.stats();
    assert_eq!(
        (stats.invalid_frames, stats.ignored_other, stats.answered),
        (2, 2, 0)
    );
}

#[test]
fn the_eye_answers_only_after_the_magnet_delay_and_again_after_the_magnet_is_replaced() {
    let start = Instant::now();
    let mut meter = Meter::new(MeterConfig::new(Profile::Multical21), start);
    let request = Request::GetSerialNo.encode(0x3F);
    assert!(exchange(&mut meter, &request, start + Duration::from_millis(3900)).is_empty());
    assert!(!exchange(&mut meter, &request, start + Duration::from_millis(4100)).is_empty());

    let replaced = start + Duration::from_secs(60);
    meter.place_magnet(replaced);
    assert!(exchange(&mut meter, &request, replaced + Duration::from_secs(1)).is_empty());
    assert!(!exchange(&mut meter, &request, replaced + Duration::from_secs(4)).is_empty());
    assert_eq!(meter.stats().ignored_waking, 2);
}

#[test]
fn the_eye_sleeps_after_inactivity_until_the_magnet_is_placed_again() {
    let mut config = MeterConfig::new(Profile::Multical403);
    config.sleep_after = Some(Duration::from_secs(30));
    let (mut meter, at) = awake_meter(config);
    let request = Request::GetSerialNo.encode(0x3F);
    assert!(!exchange(&mut meter, &request, at).is_empty());
    assert!(!exchange(&mut meter, &request, at + Duration::from_secs(29)).is_empty());
    let late = at + Duration::from_secs(29 + 31);
    assert!(exchange(&mut meter, &request, late).is_empty());
    assert!(
        exchange(&mut meter, &request, late + Duration::from_secs(1)).is_empty(),
        "stays asleep"
    );
    meter.place_magnet(late + Duration::from_secs(2));
    assert!(!exchange(&mut meter, &request, late + Duration::from_secs(3)).is_empty());
}

#[test]
fn the_eye_goes_silent_after_its_budget_until_the_magnet_is_placed_again() {
    let mut config = MeterConfig::new(Profile::FlowIq2200);
    config.budget = Some(3);
    config.magnet_delay = Duration::ZERO;
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[68, 74]);
    let answered: Vec<bool> = (0..5)
        .map(|i| !exchange(&mut meter, &request, at + Duration::from_secs(i)).is_empty())
        .collect();
    assert_eq!(answered, [true, true, true, false, false]);
    meter.place_magnet(at + Duration::from_secs(10));
    assert!(!exchange(&mut meter, &request, at + Duration::from_secs(11)).is_empty());
}

#[test]
fn an_answer_of_twenty_bytes_at_1200_baud_8n2_takes_at_least_180_ms() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.timing = Timing::realtime(Duration::from_millis(60));
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[68, 74]);
    meter.handle_input(&request, at);
    let request_end = at + Duration::from_secs_f64(request.len() as f64 * 11.0 / 1200.0);
    assert_eq!(
        meter.poll_transmit(request_end + Duration::from_millis(60)),
        None,
        "nothing before the latency"
    );
    let mut received = Vec::new();
    let mut now = request_end;
    while received.len() < 20 {
        now += MS;
        received.extend(meter.poll_transmit(now).unwrap_or_default());
    }
    let took = now - request_end - Duration::from_millis(60);
    assert!(took >= Duration::from_millis(180), "20 bytes in {took:?}");
    assert!(took < Duration::from_millis(190), "20 bytes in {took:?}");
}

#[test]
fn echo_is_paced_like_the_transmission_it_reflects() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.echo = true;
    config.timing = Timing::realtime(Duration::ZERO);
    let byte_time = crate::line::LineSettings::KMP.byte_time();
    let (mut meter, at) = awake_meter(config);
    meter.handle_input(&[1, 2, 3], at);
    assert_eq!(
        meter.poll_transmit(at + Duration::from_millis(10)),
        Some(vec![1])
    );
    assert_eq!(meter.poll_timeout(), Some(at + byte_time * 2));
}

fn run_faulty(faults: Faults, seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut config = MeterConfig::new(Profile::Multical603);
    config.faults = faults;
    config.seed = seed;
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[60, 68, 74, 86]);
    (0..n)
        .map(|i| exchange(&mut meter, &request, at + MS * i as u32))
        .collect()
}

#[test]
fn corruption_affects_about_the_set_share_and_replays_from_the_seed() {
    let faults = Faults {
        corrupt: 0.3,
        ..Faults::default()
    };
    let replies = run_faulty(faults, 42, 1000);
    let bad = replies
        .iter()
        .filter(|reply| decode(reply).is_err())
        .count();
    assert!((240..=360).contains(&bad), "{bad} of 1000 corrupted at 30%");
    assert_eq!(
        replies,
        run_faulty(faults, 42, 1000),
        "same seed, same faults"
    );
    assert_ne!(
        replies,
        run_faulty(faults, 43, 1000),
        "another seed, other faults"
    );
}

#[test]
fn dropped_answers_are_silence() {
    let replies = run_faulty(
        Faults {
            drop: 0.5,
            ..Faults::default()
        },
        7,
        400,
    );
    let silent = replies.iter().filter(|reply| reply.is_empty()).count();
    assert!(
        (150..=250).contains(&silent),
        "{silent} of 400 dropped at 50%"
    );
}

#[test]
fn noise_comes_before_answers_that_still_deframe() {
    let replies = run_faulty(
        Faults {
            noise: 1.0,
            ..Faults::default()
        },
        7,
        200,
    );
    let mut noisy = 0;
    for reply in &replies {
        noisy += usize::from(reply[0] != 0x40);
        let found = frames(reply);
        assert!(
            found.iter().any(|frame| decode(frame).is_ok()),
            "answer lost in {reply:02X?}"
        );
    }
    assert!(
        noisy > 150,
        "only {noisy} of 200 answers had noise before them"
    );
}

#[test]
fn a_register_that_silences_the_meter_gets_its_whole_request_ignored() {
    let (mut meter, at) = awake_meter(MeterConfig::new(Profile::Multical403));
    assert!(exchange(&mut meter, &register_request(&[68, 155, 74]), at).is_empty());
    assert!(!exchange(&mut meter, &register_request(&[68, 74]), at + MS).is_empty());
    assert_eq!(meter.stats().silenced, 1);
}

#[test]
fn the_answer_log_keeps_each_answer_once_its_last_byte_has_left() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.magnet_delay = Duration::ZERO;
    config.timing = Timing::realtime(60 * MS);
    config.faults = Faults {
        corrupt: 0.5,
        ..Faults::default()
    };
    config.log_answers = true;
    let (mut meter, at) = awake_meter(config);
    meter.handle_input(&register_request(&[68, 74]), at);
    assert!(meter.poll_transmit(at + 200 * MS).is_some());
    assert!(
        meter.take_sent().is_empty(),
        "the answer is still on the wire"
    );
    let rest = meter.poll_transmit(at + Duration::from_secs(1)).unwrap();
    let sent = meter.take_sent();
    assert_eq!(sent.len(), 1);
    if sent[0].damage.is_none() {
        assert!(sent[0].frame.ends_with(&rest), "the whole frame, as sent");
    }
    assert!(sent[0].at <= at + Duration::from_secs(1) && sent[0].at > at + 200 * MS);
    let mut corrupted = 0;
    for n in 0..40 {
        let t = at + Duration::from_secs(2 + n);
        let answer = exchange(&mut meter, &register_request(&[68, 74]), t);
        let logged = meter.take_sent();
        assert_eq!(logged.len(), 1);
        // The log keeps the answer as meant; on the wire a damaged one fails its checks.
        assert!(decode(&logged[0].frame).is_ok());
        assert_eq!(logged[0].frame == answer, logged[0].damage.is_none());
        assert_eq!(logged[0].damage.is_some(), decode(&answer).is_err());
        corrupted += usize::from(logged[0].damage.is_some());
    }
    assert!(
        corrupted > 5 && corrupted < 35,
        "{corrupted} of 40 corrupted"
    );
}

#[test]
fn a_damaged_echo_loses_or_changes_bytes_of_the_request_only() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.echo = true;
    config.faults = Faults {
        echo: 0.2,
        ..Faults::default()
    };
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[68, 74]);
    let mut damaged = 0;
    for n in 0..50 {
        let reply = exchange(&mut meter, &request, at + MS * n);
        damaged += usize::from(!reply.starts_with(&request));
        assert!(
            frames(&reply)
                .iter()
                .any(|frame| matches!(decode(frame), Ok(Message::Response { .. }))),
            "the answer after a damaged echo is whole: {reply:02X?}"
        );
    }
    assert!(damaged > 10, "{damaged} of 50 echoes damaged");
    assert!(meter.stats().echoes_damaged >= damaged as u64);
}

#[test]
fn a_late_answer_comes_whole_just_before_the_next_one() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.magnet_delay = Duration::ZERO;
    config.late = 0.4;
    config.log_answers = true;
    let (mut meter, at) = awake_meter(config);
    let request = register_request(&[68, 74]);
    let (mut silent, mut late) = (0, 0);
    for n in 0..100 {
        let t = at + Duration::from_secs(n);
        let reply = exchange(&mut meter, &request, t);
        let logged = meter.take_sent();
        if reply.is_empty() {
            silent += 1;
            assert!(logged.is_empty(), "a held answer is not sent yet");
            continue;
        }
        // The answers held back come first, each a whole and valid frame, then this one.
        let found = frames(&reply);
        let meant: Vec<&Vec<u8>> = logged.iter().map(|answer| &answer.frame).collect();
        assert_eq!(found.iter().collect::<Vec<_>>(), meant);
        let (this, held) = logged.split_last().unwrap();
        assert!(!this.late && this.requested >= t);
        assert!(
            held.iter()
                .all(|answer| answer.late && answer.requested < t)
        );
        late += held.len() as u64;
    }
    assert!(
        (25..=55).contains(&silent),
        "{silent} of 100 held back at 40%"
    );
    assert_eq!(meter.stats().late, silent);
    assert!(late + 3 >= silent, "{late} of {silent} held answers came");
}
