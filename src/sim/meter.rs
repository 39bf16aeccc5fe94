//! The simulated meter, sans-IO: bytes and the time go in, bytes due at given times come out.
//!
//! It behaves as the public sources say real meters and heads do (PROTOCOL.md §1, §3, §8): the
//! head echoes every byte it sends; the eye answers only some seconds after a magnet is placed,
//! sleeps after a while without requests, and may go silent after a polling budget; the meter
//! ignores anything but a valid read request to its address (no NAK exists in KMP); bytes take
//! 11 bit times each on the wire at 8N2. Faults (corrupted, dropped and noisy answers) come from a
//! seeded generator, so a failing test replays exactly.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use jiff::civil::DateTime;

use super::physics::Physics;
use super::profile::{Profile, RegisterSpec};
use crate::kmp::{
    DEFAULT_DESTINATION, Deframed, Deframer, Direction, Message, Number, Register, Request,
    Response, decode,
};

/// How long bytes take on the wire and how long the meter thinks before it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Time one byte takes on the wire; zero for a pseudo-terminal at full speed.
    pub byte_time: Duration,
    /// From the end of a request to the start of the answer.
    pub latency: Duration,
}

impl Timing {
    /// No pacing and no latency: what tests use.
    pub const INSTANT: Self = Self {
        byte_time: Duration::ZERO,
        latency: Duration::ZERO,
    };

    /// Real-time pacing: `bits_per_byte` (11 at 8N2, 10 at 8N1) at `baud`, plus `latency`.
    pub fn realtime(baud: u32, bits_per_byte: u32, latency: Duration) -> Self {
        let byte_time = Duration::from_secs_f64(f64::from(bits_per_byte) / f64::from(baud.max(1)));
        Self { byte_time, latency }
    }
}

/// Shares of answers that go wrong, each from 0.0 to 1.0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Answers with one byte flipped.
    pub corrupt: f64,
    /// Answers never sent.
    pub drop: f64,
    /// Answers preceded by a few random bytes.
    pub noise: f64,
}

/// Everything that makes one simulated meter.
#[derive(Clone, Debug, PartialEq)]
pub struct MeterConfig {
    /// Which meter it is.
    pub profile: Profile,
    /// The destination address it answers to.
    pub address: u8,
    /// Whether the head echoes every byte it sends.
    pub echo: bool,
    /// Wire pacing and answer latency.
    pub timing: Timing,
    /// How long after a magnet is placed the eye answers.
    pub magnet_delay: Duration,
    /// The eye sleeps after this long without a request, until the magnet is placed again.
    pub sleep_after: Option<Duration>,
    /// The eye answers this many requests, then stays silent until the magnet is placed again.
    pub budget: Option<u32>,
    /// Corrupted, dropped and noisy answers.
    pub faults: Faults,
    /// Seed of the measurements and the faults.
    pub seed: u64,
    /// What the meter's clock reads at the start.
    pub clock_start: DateTime,
    /// Keep a log of the answers sent ([`Meter::take_sent`]), for tests that check every one
    /// arrived; off by default, since a meter that serves for days would fill it.
    pub log_answers: bool,
}

impl MeterConfig {
    /// A well-behaved meter of `profile`: no echo, no pacing, the profile's wake-up delay.
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            address: DEFAULT_DESTINATION,
            echo: false,
            timing: Timing::INSTANT,
            magnet_delay: profile.default_magnet_delay(),
            sleep_after: None,
            budget: None,
            faults: Faults::default(),
            seed: 1,
            clock_start: jiff::civil::date(2026, 1, 1).at(12, 0, 0, 0),
            log_answers: false,
        }
    }
}

/// What the meter did with what it was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes received.
    pub bytes_in: u64,
    /// Read requests to its address.
    pub requests: u64,
    /// Requests answered (corrupted ones included).
    pub answered: u64,
    /// Requests ignored while the eye was waking up.
    pub ignored_waking: u64,
    /// Requests ignored while the eye was asleep or over its budget.
    pub ignored_asleep: u64,
    /// Frames to the meter that failed their CRC, stuffing or length checks.
    pub invalid_frames: u64,
    /// Frames of commands it does not answer (writes among them), or to another address.
    pub ignored_other: u64,
    /// Requests ignored because they asked for a register that silences the meter.
    pub silenced: u64,
    /// Answers dropped on purpose.
    pub dropped: u64,
    /// Answers corrupted on purpose.
    pub corrupted: u64,
}

/// An answer the meter sent, as its log keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAnswer {
    /// When its last byte left.
    pub at: Instant,
    /// The request it answers.
    pub request: Request,
    /// The frame as sent.
    pub frame: Vec<u8>,
    /// Whether it was damaged on purpose (a fault), so no client could take it.
    pub corrupted: bool,
}

/// Why the eye is not answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Eye {
    /// Answering.
    Awake,
    /// The magnet was placed less than the wake-up delay ago.
    Waking,
    /// Asleep after inactivity, or silent after its budget: needs the magnet again.
    Asleep,
}

/// A simulated meter; see the module documentation.
#[derive(Debug)]
pub struct Meter {
    config: MeterConfig,
    started: Instant,
    physics: Physics,
    deframer: Deframer,
    faults: fastrand::Rng,
    magnet_placed: Instant,
    last_request: Option<Instant>,
    asleep: bool,
    answered_since_magnet: u32,
    /// When the last received byte finished arriving on the wire.
    rx_end: Instant,
    /// When the last queued byte finishes leaving.
    tx_end: Instant,
    /// Bytes to send, each with the time it has fully left, in time order.
    outgoing: VecDeque<(Instant, u8)>,
    /// Answers queued, for the log once their last byte has left.
    answering: VecDeque<SentAnswer>,
    /// Answers sent, when the configuration asks for the log.
    sent: Vec<SentAnswer>,
    stats: Stats,
}

impl Meter {
    /// A meter that starts at `now`, with the magnet placed at that moment.
    pub fn new(config: MeterConfig, now: Instant) -> Self {
        Self {
            physics: Physics::new(config.profile, config.seed, config.clock_start),
            faults: fastrand::Rng::with_seed(config.seed ^ 0xFA17),
            config,
            started: now,
            deframer: Deframer::new(),
            magnet_placed: now,
            last_request: None,
            asleep: false,
            answered_since_magnet: 0,
            rx_end: now,
            tx_end: now,
            outgoing: VecDeque::new(),
            answering: VecDeque::new(),
            sent: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &MeterConfig {
        &self.config
    }

    /// What it has done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Places the magnet (again): the eye wakes after the delay, with its budget renewed.
    pub fn place_magnet(&mut self, now: Instant) {
        self.magnet_placed = now;
        self.asleep = false;
        self.answered_since_magnet = 0;
        self.last_request = None;
    }

    /// Takes bytes that arrived at `now`.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        for &byte in bytes {
            // A byte occupies the wire for one byte time after the previous one has finished.
            self.rx_end = self.rx_end.max(now) + self.config.timing.byte_time;
            self.stats.bytes_in += 1;
            if self.config.echo {
                self.queue(self.rx_end, byte);
            }
            if let Some(Deframed::Frame(frame)) = self.deframer.push_byte(byte) {
                self.handle_frame(&frame, self.rx_end);
            }
        }
    }

    /// Bytes whose time has come by `now`, if any.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let mut due = Vec::new();
        while let Some(&(at, byte)) = self.outgoing.front() {
            if at > now {
                break;
            }
            due.push(byte);
            self.outgoing.pop_front();
        }
        while self
            .answering
            .front()
            .is_some_and(|answer| answer.at <= now)
        {
            self.sent.extend(self.answering.pop_front());
        }
        (!due.is_empty()).then_some(due)
    }

    /// The answers whose last byte has left since the last call, oldest first (with
    /// [`MeterConfig::log_answers`]).
    pub fn take_sent(&mut self) -> Vec<SentAnswer> {
        std::mem::take(&mut self.sent)
    }

    /// When the next byte is due, if one is queued.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.outgoing.front().map(|&(at, _)| at)
    }

    fn queue(&mut self, at: Instant, byte: u8) {
        let idx = self.outgoing.partition_point(|&(queued, _)| queued <= at);
        self.outgoing.insert(idx, (at, byte));
    }

    fn eye(&mut self, at: Instant) -> Eye {
        if at < self.magnet_placed + self.config.magnet_delay {
            return Eye::Waking;
        }
        let awake_since = self
            .last_request
            .unwrap_or(self.magnet_placed + self.config.magnet_delay);
        let slept = self
            .config
            .sleep_after
            .is_some_and(|limit| at.duration_since(awake_since) > limit);
        let exhausted = self
            .config
            .budget
            .is_some_and(|budget| self.answered_since_magnet >= budget);
        if slept || exhausted {
            self.asleep = true;
        }
        if self.asleep { Eye::Asleep } else { Eye::Awake }
    }

    fn handle_frame(&mut self, physical: &[u8], at: Instant) {
        let (destination, request) = match decode(physical) {
            Ok(Message::Request {
                destination,
                request,
            }) => (destination, request),
            Ok(Message::Other(frame)) if frame.direction == Direction::ToMeter => {
                self.stats.ignored_other += 1;
                return;
            }
            // Answers from another meter, and ACKs, are not for a meter to act on.
            Ok(Message::Response { .. } | Message::Other(_) | Message::Ack) => return,
            Err(_) => {
                if physical.first() == Some(&Direction::ToMeter.start_byte()) {
                    self.stats.invalid_frames += 1;
                }
                return;
            }
        };
        if destination != self.config.address {
            self.stats.ignored_other += 1;
            return;
        }
        self.stats.requests += 1;
        match self.eye(at) {
            Eye::Waking => {
                self.stats.ignored_waking += 1;
                return;
            }
            Eye::Asleep => {
                self.stats.ignored_asleep += 1;
                return;
            }
            Eye::Awake => {}
        }
        if let Request::GetRegister(ids) = &request
            && ids
                .as_slice()
                .iter()
                .any(|id| self.config.profile.silencing_ids().contains(id))
        {
            self.stats.silenced += 1;
            return;
        }
        self.last_request = Some(at);
        self.answered_since_magnet += 1;
        if self.faults.f64() < self.config.faults.drop {
            self.stats.dropped += 1;
            return;
        }
        let mut answer = self.answer(&request, at).encode(destination);
        let corrupted = self.faults.f64() < self.config.faults.corrupt;
        if corrupted {
            // Any byte but the start and stop: the CRC, the stuffing or a value goes wrong.
            let idx = 1 + self.faults.usize(..answer.len() - 2);
            answer[idx] ^= 1 << self.faults.u8(0..8);
            self.stats.corrupted += 1;
        }
        let frame = self.config.log_answers.then(|| answer.clone());
        if self.faults.f64() < self.config.faults.noise {
            let noise_len = self.faults.usize(1..8);
            let noise: Vec<u8> = std::iter::repeat_with(|| self.faults.u8(..))
                .take(noise_len)
                .collect();
            answer.splice(0..0, noise);
        }
        self.stats.answered += 1;
        let mut byte_end = self.tx_end.max(at + self.config.timing.latency);
        for byte in answer {
            byte_end += self.config.timing.byte_time;
            self.queue(byte_end, byte);
        }
        self.tx_end = byte_end;
        if let Some(frame) = frame {
            self.answering.push_back(SentAnswer {
                at: byte_end,
                request,
                frame,
                corrupted,
            });
        }
    }

    fn answer(&mut self, request: &Request, at: Instant) -> Response {
        let profile = self.config.profile;
        match request {
            Request::GetType => Response::Type(profile.meter_type()),
            Request::GetSerialNo => Response::SerialNo(profile.serial()),
            Request::GetRegister(ids) => {
                let elapsed = at.duration_since(self.started);
                // Registers the meter does not have are left out of the answer (PROTOCOL.md §3.1).
                let registers = ids
                    .as_slice()
                    .iter()
                    .filter_map(|&id| profile.register(id))
                    .filter_map(|spec| self.read(spec, elapsed))
                    .collect();
                Response::Registers(registers)
            }
        }
    }

    /// One register block, its value rounded to the register's resolution and clamped to what
    /// its mantissa length holds.
    fn read(&mut self, spec: &RegisterSpec, elapsed: Duration) -> Option<Register> {
        let value = self.physics.value(spec.quantity, spec.unit, elapsed);
        let scaled = (value.abs() / 10f64.powi(i32::from(spec.exponent))).round();
        let max = if spec.len >= 16 {
            u128::MAX
        } else {
            (1u128 << (8 * u32::from(spec.len))) - 1
        };
        let mantissa = if scaled.is_finite() {
            (scaled as u128).min(max)
        } else {
            0
        };
        let number = Number::new(value < 0.0, mantissa, spec.exponent).ok()?;
        Register::from_number(spec.id, spec.unit, number, spec.len).ok()
    }
}

#[cfg(test)]
mod tests;
