//! One exchange with the meter, sans-IO: a request goes out, and what comes back is sorted into
//! our own echo, the meter's answer, frames that fail their checks, and noise.
//!
//! The vocabulary is quinn's: [`Engine::start`], [`Engine::poll_transmit`],
//! [`Engine::handle_input`], [`Engine::handle_timeout`], [`Engine::poll_timeout`],
//! [`Engine::poll_event`]. Time is passed in, so tests invent it.
//!
//! Deadlines (PRODUCT.md, port options): the request's own wire time at the set baud, then the
//! first-byte timeout, then at most four byte times (at least 30 ms) between bytes. KMP has no
//! NAK (docs/protocols.md §4), so a failed attempt is retried up to the configured count.
//!
//! The text protocols (IEC 62056-21's sign-on and option select, Kamstrup's `/#1`) are exchanges
//! too, received by `text`: a meter takes up to 1.5 s to react to a sign-on, and answers an
//! option select or `/#1` after switching its baud rate, so their first-byte waits are longer
//! (docs/protocols.md §7).
//!
//! KMP answers carry no sequence number, and a meter (or a head's buffer) may hold an answer back
//! past its own exchange and send it whole just before its next one. Such a stale answer is a
//! valid frame with the right command ID and can only be told by what follows it: after an
//! attempt that got no answer, the next KMP answer is taken only once the line has stayed quiet
//! for the gap after it, and a frame that more bytes follow is dropped for the last one.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::iec::{self, Identification, MAX_READOUT_LEN};
use crate::kmp::logger::{LoggerRead, LoggerResponse};
use crate::kmp::{Deframed, Deframer, Direction, MAX_FRAME_LEN, Message, Request};
use crate::mc66;

use super::config::EchoMode;

mod outcome;
mod text;

pub use outcome::{
    Answer, Attempt, EchoSeen, EngineEvent, ExchangeFailure, Heard, Telegram, TelegramBody,
    TextError,
};
use text::{Progress, PushListener, TextReceiver};

/// The echo-test pattern: it holds none of 0x06 0x0D 0x1B 0x40 0x80, so no meter sees a frame in
/// it, and its bits alternate, so a receiver at the wrong baud or too sensitive garbles it.
pub const ECHO_PATTERN: [u8; 10] = [0x55, 0xAA, 0x00, 0xFF, 0x0F, 0xF0, 0x33, 0xCC, 0x5A, 0xA5];

/// Shortest allowed gap between two bytes of an answer, however fast the line.
const MIN_GAP: Duration = Duration::from_millis(30);

/// The longest an IEC 62056-21 meter may take to react (IEC 62056-21: 1.5 s): to a sign-on, and
/// from its identification to a mode A readout.
pub const IEC_REACTION: Duration = Duration::from_millis(1500);

/// The wait for the first byte of an identification in the link check's early round: three
/// times the 200 ms reaction the standard sets for most meters (docs/protocols.md §7), so a meter
/// that takes longer is found by the full round after the eye's wait.
pub const QUICK_REACTION: Duration = Duration::from_millis(600);

/// The wait for the first byte of a `/#1` answer in the link check's early round: the longest
/// the standard lets a meter take to switch its baud rate (IEC 62056-21: 1.5 s; docs/protocols.md
/// §7), without the extra second [`SWITCHED_ANSWER`] gives a slow one.
pub const QUICK_SWITCH: Duration = Duration::from_millis(1500);

/// The longest wait for the answer to an exchange after which the meter switches its baud rate
/// (a mode C option select, `/#1`): meters switch within 1.5 s, and the simulated ones take
/// 1.2 s.
pub const SWITCHED_ANSWER: Duration = Duration::from_millis(2500);

/// How the engine times and repeats exchanges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// Whether the head echoes.
    pub echo: EchoMode,
    /// Wait for the first answer byte after the request has left the wire.
    pub first_byte_timeout: Duration,
    /// Time of one byte on the wire.
    pub byte_time: Duration,
    /// Further attempts after a failed one.
    pub retries: u32,
    /// A network port's round trip: bytes reach the line and come back that much later, and
    /// arrive in segments, so the first-byte wait and the gap between bytes are widened by it.
    pub network_delay: Duration,
    /// The meter's address.
    pub address: u8,
}

/// How long the link listens for a meter that pushes, when nothing of a telegram comes: meters
/// push every one to four seconds, and most every second or two (docs/protocols.md §11).
pub const LISTEN_WINDOW: Duration = Duration::from_millis(2500);

/// How long it listens at most once a telegram has begun: for a second one, whose time from the
/// first is the meter's interval.
pub const LISTEN_LONGEST: Duration = Duration::from_millis(5000);

/// Bytes of garbage, with no telegram begun, that end a listen: what a receiver makes of a
/// meter pushing at a slower rate, a telegram's worth in a fraction of a second.
const LISTEN_GARBAGE: usize = 64;

/// Bytes of the longest telegram a listen waits to come whole, in the line's byte times beyond
/// [`LISTEN_LONGEST`]: a mode D telegram of some 300 characters takes 10 s at 300 baud.
const LONGEST_TELEGRAM: u32 = 400;

/// How long a meter may take to answer a logger read: "within 1.6 s" (docs/protocols.md §4), longer
/// than a register read, since it gathers rows from its logger memory first.
pub const LOGGER_REACTION: Duration = Duration::from_millis(1600);

/// What an exchange sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// A KMP read request.
    Request(Request),
    /// A KMP read request to another destination address than the link's (the address search):
    /// only an answer from that address is taken.
    RequestAt {
        /// The request.
        request: Request,
        /// The address asked.
        address: u8,
    },
    /// The echo-test pattern, which the meter ignores.
    EchoTest,
    /// The IEC 62056-21 sign-on `/?!`: answered with the identification, and in mode A with
    /// the data readout after it.
    SignOn,
    /// The sign-on with a short wait for the identification ([`QUICK_REACTION`]): the link
    /// check's early round, which must not keep a waking KMP eye waiting.
    SignOnQuick,
    /// The IEC 62056-21 option select for the data readout at the rate of this baud character;
    /// the readout comes at that rate.
    ReadoutAt(u8),
    /// Kamstrup's `/#1`, answered at 1200 baud.
    Mc66,
    /// `/#1` with a shorter wait for the answer ([`QUICK_SWITCH`]), for the link check's early
    /// round.
    Mc66Quick,
    /// A KMP logger read (a meter's history).
    Logger(LoggerRead),
    /// Nothing sent: listening for a meter that pushes SML or mode D ([`LISTEN_WINDOW`]) until
    /// this many telegrams are whole: one to read it, two to time its interval as well.
    Listen {
        /// The telegrams listened for.
        telegrams: u8,
    },
}

impl Exchange {
    /// The bytes it sends; KMP requests go to `address`.
    pub fn encode(&self, address: u8) -> Vec<u8> {
        match self {
            Self::Request(request) => request.encode(address),
            Self::RequestAt { request, address } => request.encode(*address),
            Self::EchoTest => ECHO_PATTERN.to_vec(),
            Self::SignOn | Self::SignOnQuick => iec::Request::sign_on(None).encode(),
            Self::ReadoutAt(baud_character) => iec::Request::readout_at(*baud_character).encode(),
            Self::Mc66 | Self::Mc66Quick => mc66::REQUEST.to_vec(),
            Self::Logger(read) => read.encode(address),
            Self::Listen { .. } => Vec::new(),
        }
    }

    /// Whether it asks the meter something (everything but the echo test and listening).
    pub fn is_request(&self) -> bool {
        !matches!(self, Self::EchoTest | Self::Listen { .. })
    }

    /// Whether it only listens.
    pub fn listens(&self) -> bool {
        matches!(self, Self::Listen { .. })
    }

    /// Whether it is a KMP request or logger read, answered with a KMP frame.
    pub fn is_kmp(&self) -> bool {
        matches!(
            self,
            Self::Request(_) | Self::RequestAt { .. } | Self::Logger(_)
        )
    }

    /// The KMP register request it sends, at whichever address.
    pub fn request(&self) -> Option<Request> {
        match self {
            Self::Request(request) | Self::RequestAt { request, .. } => Some(*request),
            _ => None,
        }
    }

    /// The same request with the short wait of the link check's early round, where it has one.
    pub fn quick(self) -> Self {
        match self {
            Self::SignOn => Self::SignOnQuick,
            Self::Mc66 => Self::Mc66Quick,
            other => other,
        }
    }

    /// Whether its answer is text: IEC 62056-21 or `/#1`.
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            Self::SignOn
                | Self::SignOnQuick
                | Self::ReadoutAt(_)
                | Self::Mc66
                | Self::Mc66Quick
                | Self::Listen { .. }
        )
    }

    /// The longest wait for the first byte of the answer once the request has left, given the
    /// link's first-byte timeout for KMP.
    fn first_byte_timeout(&self, kmp: Duration) -> Duration {
        match self {
            Self::Request(_) | Self::RequestAt { .. } | Self::EchoTest => kmp,
            Self::Logger(_) => kmp.max(LOGGER_REACTION),
            Self::SignOn => kmp.max(IEC_REACTION),
            Self::SignOnQuick => kmp.max(QUICK_REACTION),
            Self::Mc66Quick => kmp.max(QUICK_SWITCH),
            Self::ReadoutAt(_) | Self::Mc66 => kmp.max(SWITCHED_ANSWER),
            Self::Listen { .. } => LISTEN_WINDOW,
        }
    }
}

#[derive(Debug)]
struct InFlight {
    exchange: Exchange,
    attempt: u32,
    started: Instant,
    sent: Vec<u8>,
    wire_end: Instant,
    /// Until when a frame that fails its checks is our own echo, damaged: the meter answers
    /// only after the whole request has reached it, so nothing of its answer ends before the
    /// request has left the wire and one gap has passed.
    echo_until: Instant,
    echo_matched: usize,
    echo_garbled: bool,
    echo: Vec<u8>,
    echo_at: Option<Instant>,
    received: Vec<u8>,
    received_at: Option<Instant>,
    last_rx: Option<Instant>,
    deframer: Deframer,
    /// The receiver of a text exchange's answer.
    text: Option<TextReceiver>,
    /// When a mode A identification came whole: the readout is awaited from then.
    identified_at: Option<Instant>,
    /// That identification, until it is told as an [`EngineEvent::ReadoutFollows`].
    signed_on: Option<Identification>,
    /// Whether an answer held back from an earlier attempt may come first: the answer is then
    /// taken only after a quiet gap, the last of several.
    doubtful: bool,
    bad_frame: Option<ExchangeFailure>,
    unexpected_bytes: usize,
    answer: Option<Answer>,
    /// When the answer's last byte came.
    answered_at: Option<Instant>,
}

/// The exchange engine; see the module documentation.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    /// Further attempts allowed for the exchange under way.
    retries: u32,
    learned_echo: Option<bool>,
    /// Whether the last attempt ended without an answer, so the meter may still send it.
    owed: bool,
    in_flight: Option<InFlight>,
    transmit: Option<Vec<u8>>,
    events: VecDeque<EngineEvent>,
}

impl Engine {
    /// An idle engine.
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            retries: config.retries,
            learned_echo: None,
            owed: false,
            in_flight: None,
            transmit: None,
            events: VecDeque::new(),
        }
    }

    /// Whether the head echoes, as configured or as learned; `None` while unknown.
    pub fn echo_expected(&self) -> Option<bool> {
        match self.config.echo {
            EchoMode::On => Some(true),
            EchoMode::Off => Some(false),
            EchoMode::Auto => self.learned_echo,
        }
    }

    /// Changes the line speed, as after switching baud rates.
    pub fn set_byte_time(&mut self, byte_time: Duration) {
        self.config.byte_time = byte_time;
    }

    /// When the request of the attempt under way has left the wire, if one is under way.
    pub fn sent_until(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|flight| flight.wire_end)
    }

    /// Whether an exchange is under way.
    pub fn is_busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Starts an exchange with the configured retries; one already under way is abandoned.
    pub fn start(&mut self, exchange: Exchange, now: Instant) {
        self.start_with_retries(exchange, self.config.retries, now);
    }

    /// Starts an exchange with `retries` further attempts after a failed one.
    pub fn start_with_retries(&mut self, exchange: Exchange, retries: u32, now: Instant) {
        let sent = exchange.encode(self.config.address);
        self.retries = retries;
        self.begin_attempt(exchange, sent, 1, now);
    }

    /// Makes the attempt under way the exchange's last: the job it serves is stopping.
    pub fn stop_retrying(&mut self) {
        self.retries = 0;
    }

    fn begin_attempt(&mut self, exchange: Exchange, sent: Vec<u8>, attempt: u32, now: Instant) {
        let wire_end = now + self.config.byte_time * sent.len() as u32;
        let echo_until = wire_end + self.gap();
        self.transmit = Some(sent.clone());
        self.in_flight = Some(InFlight {
            exchange,
            attempt,
            started: now,
            sent,
            wire_end,
            echo_until,
            echo_matched: 0,
            echo_garbled: false,
            echo: Vec::new(),
            echo_at: None,
            received: Vec::new(),
            received_at: None,
            last_rx: None,
            deframer: Deframer::new(),
            text: match exchange {
                Exchange::SignOn | Exchange::SignOnQuick => Some(TextReceiver::SignOn {
                    receiver: iec::Receiver::new(),
                    identification: None,
                }),
                Exchange::ReadoutAt(_) => Some(TextReceiver::Readout(iec::Receiver::new())),
                Exchange::Mc66 | Exchange::Mc66Quick => {
                    Some(TextReceiver::Mc66(mc66::Receiver::new()))
                }
                Exchange::Listen { telegrams } => {
                    Some(TextReceiver::Push(PushListener::new(telegrams)))
                }
                Exchange::Request(_)
                | Exchange::RequestAt { .. }
                | Exchange::Logger(_)
                | Exchange::EchoTest => None,
            },
            identified_at: None,
            signed_on: None,
            doubtful: self.owed && exchange.is_kmp(),
            bad_frame: None,
            unexpected_bytes: 0,
            answer: None,
            answered_at: None,
        });
    }

    /// Bytes to write to the port now; the port's input should be cleared first, so that a late
    /// answer to an earlier attempt is not taken for this one.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.take()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.events.pop_front()
    }

    /// When [`Engine::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let flight = self.in_flight.as_ref()?;
        Some(self.deadline(flight))
    }

    fn deadline(&self, flight: &InFlight) -> Instant {
        if flight.exchange.listens() {
            // No gap ends it: a pushing meter pauses between telegrams. Garbage and nothing
            // begun ends it at once: a meter pushes at another rate.
            let heard = flight.text.as_ref().is_some_and(TextReceiver::heard_push);
            if flight
                .text
                .as_ref()
                .is_some_and(|text| text.misheard() >= LISTEN_GARBAGE)
            {
                return flight.last_rx.unwrap_or(flight.started);
            }
            let window = if heard {
                LISTEN_LONGEST.max(self.config.byte_time * LONGEST_TELEGRAM)
            } else {
                LISTEN_WINDOW
            };
            return flight.started + self.config.network_delay + window;
        }
        let first_byte = flight.wire_end
            + self.config.network_delay
            + flight
                .exchange
                .first_byte_timeout(self.config.first_byte_timeout);
        if flight.exchange == Exchange::EchoTest {
            return first_byte;
        }
        let Some(last) = flight.last_rx else {
            return first_byte;
        };
        let gap = self.gap();
        if flight.bad_frame.is_some() || flight.answer.is_some() {
            // The meter sends one answer per request: once it has come, damaged or doubtful,
            // only the gap rule is left to wait for.
            return last + gap;
        }
        // A mode A readout follows its identification after the meter's reaction time.
        let first_byte = match flight.identified_at {
            Some(identified) => first_byte.max(identified + IEC_REACTION),
            None => first_byte,
        };
        // Stray bytes before the first-byte deadline do not shorten the wait for the answer, and a
        // stream that never ends is cut off after the longest answer could have arrived.
        let longest = if flight.exchange.is_text() {
            MAX_READOUT_LEN
        } else {
            MAX_FRAME_LEN
        };
        let cap = first_byte + self.config.byte_time * longest as u32 + Duration::from_secs(1);
        (last + gap).max(first_byte).min(cap)
    }

    /// The longest gap between two bytes of one answer.
    fn gap(&self) -> Duration {
        (self.config.byte_time * 4).max(MIN_GAP) + self.config.network_delay
    }

    /// Takes bytes that arrived at `now`.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        let Some(flight) = self.in_flight.as_mut() else {
            return;
        };
        let echo_known = self.config.echo == EchoMode::On || self.learned_echo == Some(true);
        for &byte in bytes {
            let in_echo = flight.received.is_empty() && flight.echo_matched < flight.sent.len();
            if in_echo && byte == flight.sent[flight.echo_matched] {
                flight.echo_matched += 1;
                flight.echo.push(byte);
                flight.echo_at.get_or_insert(now);
                continue;
            }
            if in_echo && flight.echo_matched > 0 {
                if flight.text.is_some() && !echo_known {
                    // An identification begins with `/`, as the sign-on does: from a head not
                    // known to echo, what looked like the echo's start is the answer's.
                    let taken = std::mem::take(&mut flight.echo);
                    flight.echo_matched = 0;
                    flight.echo_at = None;
                    for byte in taken {
                        receive(flight, byte, now, self.config.address);
                    }
                } else {
                    // The echo broke off with a byte that differs from what was sent.
                    flight.echo_garbled = true;
                }
            }
            if flight.doubtful {
                // More came after the answer: it was an earlier attempt's, held back.
                flight.answer = None;
                flight.answered_at = None;
            }
            receive(flight, byte, now, self.config.address);
            if flight.answer.is_some() {
                flight.answered_at.get_or_insert(now);
            }
            let answered = flight.answer.is_some() && !flight.doubtful;
            if answered || flight.bad_frame.is_some() && flight.text.is_some() {
                break;
            }
        }
        if let Some(identification) = flight.signed_on.take() {
            self.events
                .push_back(EngineEvent::ReadoutFollows(identification));
        }
        let done = match flight.exchange {
            Exchange::EchoTest => flight.echo_matched + flight.received.len() >= flight.sent.len(),
            // A text meter sends nothing more after a message that failed its checks.
            _ if flight.text.is_some() => flight.answer.is_some() || flight.bad_frame.is_some(),
            _ => flight.answer.is_some() && !flight.doubtful,
        };
        if done {
            self.finish(now);
        }
    }

    /// Ends the attempt if its deadline has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|deadline| now >= deadline) {
            self.finish(now);
        }
    }

    fn finish(&mut self, now: Instant) {
        let Some(mut flight) = self.in_flight.take() else {
            return;
        };
        let echo_seen = EchoSeen {
            matched: flight.echo_matched,
            sent: flight.sent.len(),
            garbled: flight.echo_garbled,
        };
        // What a meter pushes while the link listens says nothing of the echo.
        if self.config.echo == EchoMode::Auto
            && self.learned_echo.is_none()
            && !flight.exchange.listens()
            && (echo_seen.seen() || !flight.received.is_empty())
        {
            self.learned_echo = Some(echo_seen.seen());
        }
        let garbage = match &flight.text {
            Some(text) => text.noise(),
            None => flight.deframer.discarded() as usize + flight.deframer.pending(),
        } + flight.unexpected_bytes;
        if let Some((whole, damaged)) = flight.text.as_ref().and_then(TextReceiver::telegrams_heard)
        {
            self.events.push_back(EngineEvent::Heard(Heard {
                whole,
                damaged,
                bytes: flight.received.len(),
                took: now.saturating_duration_since(flight.started),
            }));
        }
        if flight.answer.is_none()
            && let Some(listened) = flight.text.as_mut().and_then(TextReceiver::listened)
        {
            match listened {
                Ok(answer) => flight.answer = Some(answer),
                Err(failure) => flight.bad_frame = Some(failure),
            }
        }
        let result = match flight.answer.take() {
            Some(answer) => Ok(answer),
            None if flight.exchange == Exchange::EchoTest
                && flight.received.is_empty()
                && flight.echo_matched > 0 =>
            {
                Err(ExchangeFailure::EchoOnly {
                    clean: echo_seen.clean(),
                })
            }
            None if flight.exchange == Exchange::EchoTest && !flight.received.is_empty() => {
                Err(ExchangeFailure::Garbage {
                    bytes: flight.received.len(),
                })
            }
            None => Err(match flight.bad_frame {
                Some(failure) => failure,
                None if garbage > 0 => ExchangeFailure::Garbage { bytes: garbage },
                None if echo_seen.seen() => ExchangeFailure::EchoOnly {
                    clean: echo_seen.clean(),
                },
                None => ExchangeFailure::Silence,
            }),
        };
        self.events.push_back(EngineEvent::Attempt(Attempt {
            exchange: flight.exchange,
            number: flight.attempt,
            started: flight.started,
            sent: flight.sent.clone(),
            echo: flight.echo,
            echo_at: flight.echo_at,
            received: flight.received,
            received_at: flight.received_at,
            echo_seen,
            result: result.clone(),
        }));
        if flight.exchange.is_kmp() {
            self.owed = result.is_err();
        }
        let retry = result.is_err()
            && flight.exchange != Exchange::EchoTest
            && flight.attempt <= self.retries;
        if retry {
            self.begin_attempt(flight.exchange, flight.sent, flight.attempt + 1, now);
        } else {
            let at = flight.answered_at.unwrap_or(now);
            self.events.push_back(EngineEvent::Done { result, at });
        }
    }
}

/// Takes one byte that is not our echo.
fn receive(flight: &mut InFlight, byte: u8, now: Instant, address: u8) {
    flight.received.push(byte);
    flight.received_at.get_or_insert(now);
    flight.last_rx = Some(now);
    if let Some(text) = &mut flight.text {
        match text.push(byte, now) {
            Progress::More => {}
            Progress::ReadoutFollows(identification) => {
                flight.identified_at = Some(now);
                flight.signed_on = Some(identification);
            }
            Progress::Answer(answer) => flight.answer = Some(answer),
            Progress::Failed(failure) => flight.bad_frame = Some(failure),
        }
        return;
    }
    if flight.exchange == Exchange::EchoTest {
        return;
    }
    match flight.deframer.push_byte(byte) {
        Some(Deframed::Frame(frame)) => classify_frame(flight, &frame, address),
        Some(Deframed::Ack) => flight.unexpected_bytes += 1,
        None => {}
    }
}

/// Sorts a complete frame: the answer we wait for, a frame that fails its checks, or something
/// that is neither (a garbled echo, an answer to another command).
fn classify_frame(flight: &mut InFlight, frame: &[u8], address: u8) {
    let exchange = flight.exchange;
    if !exchange.is_kmp() {
        return;
    }
    let address = match exchange {
        Exchange::RequestAt { address, .. } => address,
        _ => address,
    };
    match crate::kmp::decode(frame) {
        Ok(Message::Response {
            destination,
            response,
        }) if destination == address
            && exchange
                .request()
                .is_some_and(|request| response.cid() == request.cid()) =>
        {
            flight.answer = Some(Answer::Kmp(response));
        }
        Ok(Message::LoggerResponse {
            destination,
            response,
        }) if destination == address
            && matches!(exchange, Exchange::Logger(read) if answers(&read, &response)) =>
        {
            flight.answer = Some(Answer::Logger(response));
        }
        Ok(_) if frame.first() == Some(&Direction::ToMeter.start_byte()) => {
            flight.echo_garbled = true
        }
        Ok(_) => flight.unexpected_bytes += frame.len(),
        // A damaged echo may look like a damaged answer (a bit flipped into 0x40): taken for
        // one, the attempt would end before the real answer comes, and that answer would be
        // read as the next request's.
        Err(_)
            if frame.first() == Some(&Direction::ToMeter.start_byte())
                || flight.last_rx.is_some_and(|at| at <= flight.echo_until) =>
        {
            flight.echo_garbled = true
        }
        Err(error) => flight.bad_frame = Some(ExchangeFailure::BadFrame(error)),
    }
}

/// Whether `response` is the kind of answer `read` asks for: the same command, and for `B8` a
/// configuration for `05`, rows for `06` and `07`.
fn answers(read: &LoggerRead, response: &LoggerResponse) -> bool {
    match (read, response) {
        (LoggerRead::Configuration(_), LoggerResponse::Configuration(_)) => true,
        (LoggerRead::PastById { .. } | LoggerRead::Newest { .. }, LoggerResponse::Readout(_)) => {
            true
        }
        (
            LoggerRead::LastPresent(_) | LoggerRead::IdPresent { .. },
            LoggerResponse::Interval(answer),
        ) => answer.cid == crate::kmp::logger::LoggerRequest::from(*read).cid(),
        (LoggerRead::EventStatus, LoggerResponse::EventStatus(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod pair_tests;
