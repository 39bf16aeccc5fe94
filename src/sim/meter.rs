//! The simulated meter, sans-IO: bytes, the client's line settings and the time go in, bytes due
//! at given times come out.
//!
//! It behaves as the public sources say real meters and heads do (docs/protocols.md §2, §4, §7):
//! the head echoes every byte it sends; the eye answers only some seconds after a magnet is
//! placed, sleeps after a while without requests, and may go silent after a polling budget; the
//! meter ignores anything but a valid read request to its address (no NAK exists in KMP). It
//! reads only what comes at its own line settings, and what it sends reaches the client only if
//! the client's settings read it when it arrives ([`LineSettings::reads`]): a sign-on at the
//! wrong settings gets no answer, a readout at 9600 baud is lost on a client still at 300. Bytes
//! take their line's bit times on the wire, the parity bit counted. Faults (damaged, dropped,
//! noisy and late answers, damaged echoes: [`super::faults`], [`MeterConfig::late`]) come from
//! a seeded generator, so a failing test replays exactly.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::answers;
use super::faults;
use super::loggers::Loggers;
use super::physics::Physics;
use super::profile::{IecSpeech, Speech};
use super::speech::{IecAsked, IecListener, Mc66Listener};
use crate::iec::Mode;
use crate::kmp::logger::LoggerRequest;
use crate::kmp::{Deframed, Deframer, Direction, Message, Request, decode};
use crate::line::LineSettings;

mod answer_log;
mod config;
mod stats;
mod wire;

pub use answer_log::{Asked, SentAnswer};
pub use config::{MeterConfig, Timing};
pub use stats::Stats;
use wire::Wire;

/// How long a meter takes to switch its baud rate before it answers at the new one: after a mode
/// C option select, and after `/#1`. Clients wait about a second before they listen at the new
/// rate (docs/protocols.md §7: the PyPI `iec62056-21` client hears nothing sooner than 0.7 s, the `/#1`
/// clients wait 1 s); IEC 62056-21 allows up to 1.5 s.
pub const SWITCH_PAUSE: Duration = Duration::from_millis(1200);

/// The least time an IEC 62056-21 meter takes to react to a sign-on: 200 ms for a maker whose
/// three letters are upper case, as Kamstrup's `KAM` (docs/protocols.md §7). A client may change
/// its port's settings after its request has left and still hear the identification whole.
const IEC_LEAST_REACTION: Duration = Duration::from_millis(200);

/// How long a mode C meter waits for the option select after its identification.
const OPTION_SELECT_WINDOW: Duration = Duration::from_secs(5);

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
    faults: fastrand::Rng,
    magnet_placed: Instant,
    last_request: Option<Instant>,
    asleep: bool,
    answered_since_magnet: u32,
    deframer: Deframer,
    iec: IecListener,
    mc66: Mc66Listener,
    /// Until when a mode C meter takes an option select after its identification.
    option_select_until: Option<Instant>,
    /// When the last received byte finished arriving on the wire.
    rx_end: Instant,
    /// When the last queued byte finishes leaving.
    tx_end: Instant,
    /// Bytes on their way to the client, and the client's settings.
    wire: Wire,
    /// Answers held back to come late, as they will go out, oldest first.
    held: Vec<SentAnswer>,
    /// Answers queued, for the log once their last byte has left.
    answering: VecDeque<SentAnswer>,
    /// Answers sent, when the configuration asks for the log.
    sent: Vec<SentAnswer>,
    /// The last answer sent, as meant: its tail may run into the next.
    last_answer: Vec<u8>,
    /// When a pushing meter sends its next telegram.
    next_push: Option<Instant>,
    /// Telegrams pushed so far, which number their transactions.
    pushed: u32,
    stats: Stats,
}

impl Meter {
    /// A meter that starts at `now`, with the magnet placed at that moment and the client at the
    /// settings the meter speaks at ([`MeterConfig::line`]).
    pub fn new(config: MeterConfig, now: Instant) -> Self {
        let config_speech = config.profile.speech();
        Self {
            physics: Physics::new(config.profile, config.seed, config.clock_start),
            faults: fastrand::Rng::with_seed(config.seed ^ 0xFA17),
            wire: Wire::new(config.line()),
            held: Vec::new(),
            config,
            started: now,
            magnet_placed: now,
            last_request: None,
            asleep: false,
            answered_since_magnet: 0,
            deframer: Deframer::new(),
            iec: IecListener::default(),
            mc66: Mc66Listener::default(),
            option_select_until: None,
            rx_end: now,
            tx_end: now,
            answering: VecDeque::new(),
            sent: Vec::new(),
            last_answer: Vec::new(),
            next_push: push_interval(config_speech).map(|interval| now + interval),
            pushed: 0,
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

    /// The client set its port to `line` at `now`.
    pub fn set_line(&mut self, line: LineSettings, now: Instant) {
        self.wire.set_client_line(line, now);
    }

    /// The client set its terminal to `baud` and `stop_bits` at `now`. A pseudo-terminal keeps
    /// no more (Linux forces 8 data bits and no parity on one), so the data bits and parity are
    /// taken to be the meter's own: over a pseudo-terminal the meter tells baud rates and stop
    /// bits apart, not framings.
    pub fn set_terminal_line(&mut self, baud: u32, stop_bits: u8, now: Instant) {
        let own = self.config.line();
        self.set_line(
            LineSettings {
                baud,
                stop_bits,
                ..own
            },
            now,
        );
    }

    /// The client's line settings now.
    pub fn client_line(&self) -> LineSettings {
        self.wire.client_line()
    }

    /// Takes bytes the client sent at `now`, at its current line settings.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        let line = self.client_line();
        for &byte in bytes {
            // A byte occupies the wire for one byte time after the previous one has finished.
            self.rx_end = self.rx_end.max(now) + self.byte_time(line);
            self.stats.bytes_in += 1;
            if self.config.echo {
                let echo = self.config.faults.echo;
                // No draw without the fault, so the other faults of a seed stay as they were.
                let echoed = if echo > 0.0 && self.faults.f64() < echo {
                    self.stats.echoes_damaged += 1;
                    faults::echoed(byte, &mut self.faults, line.data_mask())
                } else {
                    Some(byte)
                };
                if let Some(echoed) = echoed {
                    self.wire.queue_echo(self.rx_end, echoed, line);
                }
            }
            let at = self.rx_end;
            match self.config.profile.speech() {
                Speech::Kmp => self.kmp_byte(byte, line, at),
                Speech::Iec(speech) => self.iec_byte(speech, byte, line, at),
                Speech::Mc66 { line: own, .. } => self.mc66_byte(own, byte, line, at),
                // A pushing meter's eye only sends.
                Speech::SmlPush(_) | Speech::ModeD(_) => self.stats.ignored_other += 1,
            }
        }
    }

    /// Bytes whose time has come by `now` and that the client's settings read, if any.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.push_due(now);
        let (due, unheard) = self.wire.due(now);
        self.stats.unheard += unheard;
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

    /// When the next byte is due, if one is queued, or the next telegram of a pushing meter.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.wire.next_due().into_iter().chain(self.next_push).min()
    }

    /// Queues every telegram a pushing meter has sent by `now`, each from its own time.
    fn push_due(&mut self, now: Instant) {
        let speech = self.config.profile.speech();
        let Some(interval) = push_interval(speech) else {
            return;
        };
        let line = self.config.line();
        while let Some(at) = self.next_push.filter(|&at| at <= now) {
            self.pushed = self.pushed.wrapping_add(1);
            let elapsed = at.duration_since(self.started);
            let telegram = match speech {
                Speech::ModeD(speech) => {
                    answers::mode_d_telegram(speech, &mut self.physics, elapsed)
                }
                Speech::SmlPush(speech) => answers::sml_telegram(
                    speech,
                    &mut self.physics,
                    elapsed,
                    self.config.pin_locked,
                    self.pushed,
                ),
                Speech::Kmp | Speech::Iec(_) | Speech::Mc66 { .. } => return,
            };
            self.stats.answered += 1;
            self.send(telegram, line, at, Asked::Push);
            self.next_push = Some(at + interval);
        }
    }

    fn byte_time(&self, line: LineSettings) -> Duration {
        if self.config.timing.paced {
            line.byte_time()
        } else {
            Duration::ZERO
        }
    }

    fn kmp_byte(&mut self, byte: u8, sent: LineSettings, at: Instant) {
        // A KMP eye sends 8N2 and reads 8N1, so 8N2 too (docs/protocols.md §2).
        let reads = LineSettings {
            stop_bits: 1,
            ..self.config.line()
        };
        if !reads.reads(&sent) {
            self.stats.unread += 1;
            self.deframer.reset();
            return;
        }
        if let Some(Deframed::Frame(frame)) = self.deframer.push_byte(byte) {
            self.handle_frame(&frame, at);
        }
    }

    fn iec_byte(&mut self, speech: &'static IecSpeech, byte: u8, sent: LineSettings, at: Instant) {
        if !speech.line.reads(&sent) {
            self.stats.unread += 1;
            self.iec.reset();
            return;
        }
        let Some(asked) = self.iec.push(byte) else {
            return;
        };
        match asked {
            IecAsked::SignOn { len } => {
                self.option_select_until = None;
                if !self.admit(at) {
                    return;
                }
                self.stats.answered += 1;
                let ident = answers::identification(speech);
                // Unpaced, the sign-on came whole at once; its client counts from when it would
                // have left the wire, and may change its settings then, so the meter does too.
                let heard = if self.config.timing.paced {
                    at
                } else {
                    at + sent.byte_time() * len as u32
                };
                let start = heard + self.config.timing.latency.max(IEC_LEAST_REACTION);
                let ident_end = self.send(ident, speech.line, start, Asked::SignOn);
                match speech.mode() {
                    Mode::C(_) => {
                        self.option_select_until = Some(ident_end + OPTION_SELECT_WINDOW);
                    }
                    // Mode A (and B, which the simulator has no meter of): the readout follows.
                    _ => {
                        let readout = self.readout(speech, ident_end);
                        self.send(readout, speech.line, ident_end, Asked::Readout);
                    }
                }
            }
            IecAsked::Readout { baud } => {
                let Mode::C(offered) = speech.mode() else {
                    // Only a mode C meter waits for an option select.
                    self.stats.ignored_other += 1;
                    return;
                };
                let in_time = self
                    .option_select_until
                    .take()
                    .is_some_and(|until| at <= until);
                if !in_time || baud > offered {
                    self.stats.ignored_other += 1;
                    return;
                }
                if !self.admit(at) {
                    return;
                }
                self.stats.answered += 1;
                let start = at + SWITCH_PAUSE;
                let readout = self.readout(speech, start);
                self.send(readout, speech.line.at(baud), start, Asked::Readout);
            }
            IecAsked::OtherMode => {
                // Programming mode and the like: never answered by the simulator.
                self.option_select_until = None;
                self.stats.ignored_other += 1;
            }
            IecAsked::Break => self.option_select_until = None,
        }
    }

    fn mc66_byte(&mut self, own: LineSettings, byte: u8, sent: LineSettings, at: Instant) {
        // It reads `/#1` sent with one stop bit or two: both are in use (docs/protocols.md §7).
        let reads = LineSettings {
            stop_bits: 1,
            ..own
        };
        if !reads.reads(&sent) {
            self.stats.unread += 1;
            self.mc66.reset();
            return;
        }
        if !self.mc66.push(byte) || !self.admit(at) {
            return;
        }
        let Speech::Mc66 { fields, .. } = self.config.profile.speech() else {
            return;
        };
        self.stats.answered += 1;
        let start = at + SWITCH_PAUSE;
        let elapsed = start.duration_since(self.started);
        let answer = answers::mc66(fields, &mut self.physics, elapsed);
        self.send(answer, own.at(1200), start, Asked::Mc66);
    }

    fn readout(&mut self, speech: &IecSpeech, at: Instant) -> Vec<u8> {
        let elapsed = at.duration_since(self.started);
        answers::readout(speech, &mut self.physics, elapsed)
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

    /// Counts a request and whether the eye is awake to take it.
    fn awake_for(&mut self, at: Instant) -> bool {
        self.stats.requests += 1;
        match self.eye(at) {
            Eye::Waking => self.stats.ignored_waking += 1,
            Eye::Asleep => self.stats.ignored_asleep += 1,
            Eye::Awake => return true,
        }
        false
    }

    /// Takes a request the eye is awake for: it counts against the budget, and its answer may
    /// be dropped (a fault).
    fn take(&mut self, at: Instant) -> bool {
        self.last_request = Some(at);
        self.answered_since_magnet += 1;
        if self.faults.f64() < self.config.faults.drop {
            self.stats.dropped += 1;
            return false;
        }
        true
    }

    /// Whether a request of another protocol than KMP gets an answer.
    fn admit(&mut self, at: Instant) -> bool {
        self.awake_for(at) && self.take(at)
    }

    fn handle_frame(&mut self, physical: &[u8], at: Instant) {
        let (destination, request) = match decode(physical) {
            Ok(Message::Request {
                destination,
                request,
            }) => (destination, request),
            Ok(Message::LoggerRequest {
                destination,
                request,
            }) => {
                self.handle_logger(destination, request, at);
                return;
            }
            Ok(Message::Other(frame)) if frame.direction == Direction::ToMeter => {
                self.stats.ignored_other += 1;
                return;
            }
            // Answers from another meter, and ACKs, are not for a meter to act on.
            Ok(
                Message::Response { .. }
                | Message::LoggerResponse { .. }
                | Message::Other(_)
                | Message::Ack,
            ) => return,
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
        if !self.awake_for(at) {
            return;
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
        if !self.take(at) {
            return;
        }
        let elapsed = at.duration_since(self.started);
        let response = answers::kmp(self.config.profile, &mut self.physics, &request, elapsed);
        self.answer_frame(response.encode(destination), Asked::Kmp(request), at);
    }

    /// Sends a KMP answer (a register or a logger read's) at the meter's own line settings,
    /// after its latency.
    fn answer_frame(&mut self, frame: Vec<u8>, asked: Asked, at: Instant) {
        self.stats.answered += 1;
        let line = self.config.line();
        self.send(frame, line, at + self.config.timing.latency, asked);
    }

    /// Answers a logger read of a logger this meter keeps; anything else (the `A` commands,
    /// `9B`, a meter without loggers) goes unanswered, as an unknown command does.
    fn handle_logger(&mut self, destination: u8, request: LoggerRequest, at: Instant) {
        if destination != self.config.address || !request.is_allowed_read() {
            self.stats.ignored_other += 1;
            return;
        }
        if !self.awake_for(at) {
            return;
        }
        let loggers = Loggers {
            profile: self.config.profile,
            specs: self.config.profile.loggers(),
            intervals: self.config.profile.interval_logs(),
            seed: self.config.seed,
            clock_start: self.config.clock_start,
            elapsed: at.duration_since(self.started),
        };
        let Some(response) = loggers.answer(&request) else {
            self.stats.ignored_other += 1;
            return;
        };
        if !self.take(at) {
            return;
        }
        self.answer_frame(response.encode(destination), Asked::Logger(request), at);
    }

    /// Queues `meant` at `line`, from `start` or once the bytes before it have left, with the
    /// faults applied; returns when its last byte has left. A late KMP answer is held back
    /// instead, and goes out whole, as damaged as it was, just before the next answer.
    fn send(
        &mut self,
        meant: Vec<u8>,
        line: LineSettings,
        start: Instant,
        asked: Asked,
    ) -> Instant {
        let mask = line.data_mask();
        // Each character goes on the wire with its parity bit, which noise flips as readily.
        let mut wire: Vec<u8> = meant
            .iter()
            .map(|&byte| line.with_parity_bit(byte))
            .collect();
        let damage = (meant.len() > 1 && self.faults.f64() < self.config.faults.corrupt)
            .then(|| faults::damage(&mut wire, &mut self.faults, mask | 0x80));
        if damage.is_some() {
            self.stats.corrupted += 1;
        }
        let mut noise = 0;
        if self.faults.f64() < self.config.faults.noise {
            self.stats.noisy += 1;
            let before = faults::before_answer(&self.last_answer, &mut self.faults, mask);
            noise = before.len();
            wire.splice(0..0, before);
        }
        let kmp = matches!(asked, Asked::Kmp(_) | Asked::Logger(_));
        let answer = SentAnswer {
            // Every answer follows the request just taken.
            requested: self.last_request.unwrap_or(start),
            at: start,
            asked,
            frame: meant,
            damage,
            noise,
            late: false,
            wire,
        };
        // No draw without the fault, so the other faults of a seed stay as they were.
        let late = self.config.late;
        if kmp && late > 0.0 && self.faults.f64() < late {
            self.stats.late += 1;
            self.held.push(SentAnswer {
                late: true,
                ..answer
            });
            return start;
        }
        let mut end = start;
        for answer in std::mem::take(&mut self.held).into_iter().chain([answer]) {
            end = self.put_on_wire(answer, line, start);
        }
        end
    }

    /// Queues the bytes of `answer` from `start` or once the bytes before it have left; returns
    /// when its last byte has left.
    fn put_on_wire(
        &mut self,
        mut answer: SentAnswer,
        line: LineSettings,
        start: Instant,
    ) -> Instant {
        let byte_time = self.byte_time(line);
        let mut byte_end = self.tx_end.max(start);
        for &byte in &answer.wire {
            byte_end += byte_time;
            self.wire.queue_sent(byte_end, byte, line);
        }
        self.tx_end = byte_end;
        answer.at = byte_end;
        if self.config.log_answers {
            self.last_answer.clone_from(&answer.frame);
            self.answering.push_back(answer);
        } else {
            self.last_answer = answer.frame;
        }
        byte_end
    }
}

#[cfg(test)]
mod push_tests;
/// The time between a pushing meter's telegrams; `None` for a meter that only answers.
fn push_interval(speech: Speech) -> Option<Duration> {
    match speech {
        Speech::SmlPush(speech) => Some(speech.interval),
        Speech::ModeD(speech) => Some(speech.interval),
        Speech::Kmp | Speech::Iec(_) | Speech::Mc66 { .. } => None,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_tests;
