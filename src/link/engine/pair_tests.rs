//! Layer 3: the engine against the simulated meter in memory, with invented time. Whole
//! exchanges, echo on and off, wake-up, retries, corrupted, dropped and noisy answers.

use std::time::{Duration, Instant};

use super::*;
use crate::kmp::{RegisterId, RegisterList, Response};
use crate::line::LineSettings;
use crate::sim::{Faults, Meter, MeterConfig, Profile, Timing};

/// Moves bytes between an engine and a meter and advances time to whichever is due next.
struct Pair {
    engine: Engine,
    meter: Meter,
    now: Instant,
}

impl Pair {
    fn new(engine: EngineConfig, meter: MeterConfig) -> Self {
        let now = Instant::now();
        Self {
            engine: Engine::new(engine),
            meter: Meter::new(meter, now),
            now,
        }
    }

    fn exchange(
        &mut self,
        exchange: Exchange,
    ) -> (Result<Response, ExchangeFailure>, Vec<Attempt>) {
        self.engine.start(exchange, self.now);
        let mut attempts = Vec::new();
        loop {
            if let Some(bytes) = self.engine.poll_transmit() {
                self.meter.handle_input(&bytes, self.now);
            }
            while let Some(event) = self.engine.poll_event() {
                match event {
                    EngineEvent::Attempt(attempt) => attempts.push(attempt),
                    EngineEvent::ReadoutFollows(_) | EngineEvent::Heard(_) => {}
                    EngineEvent::Done { result, .. } => {
                        let kmp = result.map(|answer| match answer {
                            Answer::Kmp(response) => response,
                            other => panic!("a text answer to KMP: {other:?}"),
                        });
                        return (kmp, attempts);
                    }
                }
            }
            let next = [self.engine.poll_timeout(), self.meter.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            self.now = next
                .expect("an exchange under way always has a deadline")
                .max(self.now);
            if let Some(bytes) = self.meter.poll_transmit(self.now) {
                self.engine.handle_input(&bytes, self.now);
            }
            self.engine.handle_timeout(self.now);
        }
    }

    fn wait(&mut self, duration: Duration) {
        self.now += duration;
    }
}

fn engine_config(echo: EchoMode) -> EngineConfig {
    EngineConfig {
        echo,
        first_byte_timeout: Duration::from_millis(400),
        byte_time: LineSettings::default().byte_time(),
        retries: 2,
        address: 0x3F,
        network_delay: Duration::ZERO,
    }
}

fn realtime_meter(profile: Profile, echo: bool) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = echo;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config
}

fn volume_and_flow() -> Exchange {
    let ids = [RegisterId::new(68), RegisterId::new(74)];
    Exchange::Request(Request::GetRegister(RegisterList::new(&ids).unwrap()))
}

#[test]
fn a_realtime_exchange_with_echo_takes_wire_time_latency_and_answer_time() {
    let mut meter = realtime_meter(Profile::Multical403, true);
    meter.magnet_delay = Duration::ZERO;
    let mut pair = Pair::new(engine_config(EchoMode::Auto), meter);
    let start = pair.now;
    let (result, attempts) = pair.exchange(volume_and_flow());
    assert!(
        matches!(result, Ok(Response::Registers(ref r)) if r.len() == 2),
        "{result:?}"
    );
    assert!(attempts[0].echo_seen.clean());
    let bytes = attempts[0].sent.len() + attempts[0].received.len();
    let took = pair.now - start;
    let lower_bound =
        LineSettings::default().byte_time() * bytes as u32 + Duration::from_millis(60);
    assert!(
        took >= lower_bound && took < lower_bound + Duration::from_millis(5),
        "{took:?} vs {lower_bound:?}"
    );
}

#[test]
fn a_waking_meter_gives_echo_only_until_the_eye_is_awake() {
    let mut pair = Pair::new(
        engine_config(EchoMode::On),
        realtime_meter(Profile::Multical21, true),
    );
    let (result, attempts) = pair.exchange(Exchange::Request(Request::GetSerialNo));
    assert_eq!(result, Err(ExchangeFailure::EchoOnly { clean: true }));
    assert_eq!(attempts.len(), 3);
    pair.wait(Duration::from_secs(4));
    let (result, _) = pair.exchange(Exchange::Request(Request::GetSerialNo));
    assert_eq!(result, Ok(Response::SerialNo(71_234_567)));
}

#[test]
fn without_echo_the_answer_comes_alone() {
    let mut meter = realtime_meter(Profile::Multical603, false);
    meter.magnet_delay = Duration::ZERO;
    let mut pair = Pair::new(engine_config(EchoMode::Off), meter);
    let (result, attempts) = pair.exchange(volume_and_flow());
    assert!(result.is_ok());
    assert!(!attempts[0].echo_seen.seen());
}

/// Exchanges against a meter with `faults`; returns (successes, failures) and checks every value
/// of every answer returned against the answers the meter meant for that exchange.
fn run_with_faults(faults: Faults, exchanges: usize, seed: u64) -> (usize, usize) {
    let mut meter = realtime_meter(Profile::Multical603, true);
    meter.magnet_delay = Duration::ZERO;
    meter.faults = faults;
    meter.seed = seed;
    meter.log_answers = true;
    let mut pair = Pair::new(engine_config(EchoMode::Auto), meter);
    let mut ok = 0;
    for _ in 0..exchanges {
        let started = pair.now;
        let result = pair.exchange(volume_and_flow()).0;
        // What is still on the wire belongs to this exchange.
        pair.wait(Duration::from_millis(100));
        pair.meter.poll_transmit(pair.now);
        let meant: Vec<Response> = pair
            .meter
            .take_sent()
            .into_iter()
            .filter(|answer| answer.requested >= started)
            .filter_map(|answer| match crate::kmp::decode(&answer.frame) {
                Ok(crate::kmp::Message::Response { response, .. }) => Some(response),
                _ => None,
            })
            .collect();
        if let Ok(response) = result {
            assert!(
                meant.contains(&response),
                "not an answer the meter made: {response:?}"
            );
            ok += 1;
        }
    }
    (ok, exchanges - ok)
}

#[test]
fn corrupted_answers_are_retried_and_never_returned() {
    for (rate, min_success) in [(0.01, 0.99), (0.1, 0.98), (0.3, 0.9)] {
        let (ok, failed) = run_with_faults(
            Faults {
                corrupt: rate,
                ..Faults::default()
            },
            500,
            11,
        );
        assert!(
            ok as f64 / 500.0 >= min_success,
            "corrupt {rate}: {ok} ok, {failed} failed"
        );
    }
}

#[test]
fn dropped_and_noisy_answers_are_survived_by_retrying() {
    let (ok, _) = run_with_faults(
        Faults {
            drop: 0.2,
            noise: 0.3,
            ..Faults::default()
        },
        300,
        5,
    );
    assert!(ok >= 290, "{ok} of 300");
}
