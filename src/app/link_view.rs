//! What the app knows of the link, built from the link's events (and the user saying that the
//! magnet was placed, or asking to connect). Plain data with no egui in it and no public fields,
//! so its rules are tested without a window and nothing else can change it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::kmp::MeterType;
use crate::line::LineSettings;
use crate::link::diagnosis::{self, Diagnosis};
use crate::link::{
    EndReason, Event, Exchange, ExchangeFailure, JobEnd, JobEvent, LinkError, Report, SweepResult,
};
use crate::protocol::Spoken;

/// How many recent echo tests and requests the alignment meter shows.
pub const HISTORY: usize = 20;

/// After this long without an answer, the app suggests turning the magnet over.
pub const TURN_MAGNET_AFTER: Duration = Duration::from_secs(10);

/// Where the connection stands.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectionState {
    /// No port open.
    Disconnected,
    /// Opening a port.
    Connecting {
        /// The port.
        port: String,
    },
    /// A port is open.
    Connected {
        /// The port.
        port: String,
        /// Its line settings.
        line: LineSettings,
    },
    /// The port went away; the link is trying to reopen it.
    Lost {
        /// The port.
        port: String,
    },
}

/// The error shown in the status bar, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownError {
    /// What went wrong.
    pub message: String,
    /// What to do.
    pub advice: String,
}

impl From<&LinkError> for ShownError {
    fn from(error: &LinkError) -> Self {
        Self {
            message: error.to_string(),
            advice: error.advice(),
        }
    }
}

/// What the app knows of the link; see the module documentation.
#[derive(Clone, Debug)]
pub struct LinkView {
    connection: ConnectionState,
    /// Requests sent to the meter since the link started, retries included, as it counts them.
    requests: u64,
    /// Recent echo tests: whether each came back clean.
    echoes: VecDeque<bool>,
    /// Recent requests since the eye's first answer: whether each was answered; for a meter
    /// that pushes, recent telegrams: whether each passed its checks.
    answers: VecDeque<bool>,
    /// Bytes a second the last listen heard of a pushing meter.
    byte_rate: Option<f32>,
    /// Requests left unanswered since the connection or the magnet, before the eye's first
    /// answer: the eye waking, which says nothing of the head's alignment.
    waking: u32,
    /// The meter's serial number and type, once it answered.
    identity: Option<(u32, Option<MeterType>)>,
    /// The protocol it answered in.
    spoken: Option<Spoken>,
    /// A mode A meter's identification, told as it came while its readout is still coming.
    signed_on: Option<String>,
    diagnosis: Option<Diagnosis>,
    /// The latest error, until the next success.
    error: Option<ShownError>,
    /// When the magnet was (last) placed: connecting counts, and so does the user saying so.
    magnet_placed: Option<Instant>,
    /// When the first answer since the magnet came.
    answered_at: Option<Instant>,
    /// What the last sweep found.
    sweep: Vec<SweepResult>,
    /// What the last address search found (the app's only probe).
    addresses: Option<AddressSearched>,
    /// For a head across a network, the round trip measured as it connected.
    round_trip: Option<Duration>,
}

impl Default for LinkView {
    fn default() -> Self {
        Self {
            connection: ConnectionState::Disconnected,
            requests: 0,
            echoes: VecDeque::with_capacity(HISTORY),
            answers: VecDeque::with_capacity(HISTORY),
            byte_rate: None,
            waking: 0,
            identity: None,
            spoken: None,
            signed_on: None,
            diagnosis: None,
            error: None,
            magnet_placed: None,
            answered_at: None,
            sweep: Vec::new(),
            addresses: None,
            round_trip: None,
        }
    }
}

/// What the last address search found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSearched {
    /// The meter answered at this address.
    Answered(u8),
    /// No address from 0 to 255 answered.
    NoneAnswered,
}

/// Where the magnet wake-up stands, for the countdown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WakeState {
    /// No port open.
    NotConnected,
    /// The eye should answer in this long.
    Waking(Duration),
    /// Time is up and no answer came yet.
    Overdue {
        /// Whether it is time to suggest turning the magnet over.
        turn_magnet: bool,
    },
    /// The meter answered.
    Awake,
}

impl LinkView {
    /// Takes one event from the link.
    pub fn handle(&mut self, event: &Event, now: Instant) {
        match event {
            Event::Opened {
                port,
                line,
                round_trip,
            } => {
                // Everything learnt is of this connection's meter: the previous one's rounds,
                // findings and sweep would mislead a technician moving to another meter.
                *self = Self {
                    connection: ConnectionState::Connected {
                        port: port.clone(),
                        line: *line,
                    },
                    requests: self.requests,
                    round_trip: *round_trip,
                    magnet_placed: Some(now),
                    ..Self::default()
                };
            }
            Event::OpenFailed(error) => {
                self.connection = ConnectionState::Disconnected;
                self.error = Some(error.into());
            }
            Event::Closed => {
                self.connection = ConnectionState::Disconnected;
                self.magnet_placed = None;
            }
            Event::Lost(error) => {
                if let ConnectionState::Connected { port, .. } = &self.connection {
                    self.connection = ConnectionState::Lost { port: port.clone() };
                }
                self.error = Some(error.into());
            }
            Event::Job { event, .. } => self.handle_job(event, now),
        }
    }

    fn handle_job(&mut self, event: &JobEvent, now: Instant) {
        match event {
            // The link's evidence is of KMP at the port's settings: a meter found speaking
            // another protocol keeps the diagnosis that says so.
            JobEvent::Diagnosed(_) if self.spoken.as_ref().is_some_and(Spoken::is_text) => {}
            JobEvent::Diagnosed(diagnosis) => self.diagnosis = Some(diagnosis.clone()),
            JobEvent::Exchanged {
                exchange,
                result,
                requests,
            } => {
                self.requests = *requests;
                match exchange {
                    Exchange::EchoTest => push(
                        &mut self.echoes,
                        matches!(result, Err(ExchangeFailure::EchoOnly { clean: true })),
                    ),
                    // Counted telegram by telegram as they are heard.
                    Exchange::Listen { .. } => {}
                    _ if result.is_ok() => {
                        push(&mut self.answers, true);
                        self.answered_at.get_or_insert(now);
                    }
                    _ if self.answered_at.is_none() => self.waking += 1,
                    _ => push(&mut self.answers, false),
                }
            }
            JobEvent::Heard(heard) => {
                for _ in 0..heard.whole {
                    push(&mut self.answers, true);
                }
                for _ in 0..heard.damaged {
                    push(&mut self.answers, false);
                }
                if heard.whole > 0 {
                    self.answered_at.get_or_insert(now);
                }
                self.byte_rate =
                    (!heard.took.is_zero()).then(|| heard.bytes as f32 / heard.took.as_secs_f32());
            }
            JobEvent::Identified { serial, meter_type } => {
                self.identity = Some((*serial, *meter_type));
            }
            JobEvent::Spoke {
                protocol,
                identification,
                asked_at,
                line,
                push,
            } => {
                let spoken =
                    Spoken::new(*protocol, identification.clone(), (*asked_at, *line), *push);
                self.signed_on = None;
                if spoken.is_text() {
                    // The rate is of the requests in the protocol found, not the KMP ones before.
                    self.answers.clear();
                    self.diagnosis = Some(if *push {
                        diagnosis::pushes(&diagnosis::Pushing {
                            protocol: *protocol,
                            known_as: identification.as_deref(),
                            line: Some(*line),
                            interval: None,
                            pin_locked: false,
                            crc_swapped: false,
                            whole: 1,
                            damaged: 0,
                        })
                    } else {
                        diagnosis::speaks(
                            *protocol,
                            identification.as_deref(),
                            (*asked_at, *line),
                            true,
                        )
                    });
                }
                self.spoken = Some(spoken);
            }
            JobEvent::ReadoutFollows { identification, .. }
                if !self.spoken.as_ref().is_some_and(Spoken::is_text) =>
            {
                self.signed_on = Some(identification.clone());
            }
            JobEvent::Ended(JobEnd {
                report: Some(Report::Sweep(rows)),
                ..
            }) => self.sweep = rows.clone(),
            JobEvent::Ended(JobEnd {
                report: Some(Report::Probe(report)),
                ..
            }) if !report.interrupted => {
                self.addresses = Some(
                    report
                        .address
                        .map_or(AddressSearched::NoneAnswered, AddressSearched::Answered),
                );
            }
            JobEvent::Ended(JobEnd {
                reason: EndReason::NotOpen,
                ..
            }) => {
                self.error = Some(ShownError {
                    message: "no port is open".into(),
                    advice: "pick a port on the Connection screen and connect".into(),
                });
            }
            _ => {}
        }
    }

    /// The app asked to open `port`.
    pub fn connecting(&mut self, port: &str) {
        self.connection = ConnectionState::Connecting {
            port: port.to_string(),
        };
        self.error = None;
    }

    /// The user says the magnet was placed (again): the countdown starts over.
    pub fn magnet_placed(&mut self, now: Instant) {
        self.magnet_placed = Some(now);
        self.answered_at = None;
        self.waking = 0;
    }

    /// Where the wake-up stands at `now`, for an eye that answers `delay` after the magnet.
    pub fn wake_state(&self, now: Instant, delay: Duration) -> WakeState {
        let Some(placed) = self.magnet_placed else {
            return WakeState::NotConnected;
        };
        if self.answered_at.is_some() {
            return WakeState::Awake;
        }
        let since = now.saturating_duration_since(placed);
        if since < delay {
            WakeState::Waking(delay - since)
        } else {
            WakeState::Overdue {
                turn_magnet: since >= TURN_MAGNET_AFTER,
            }
        }
    }

    /// How soon what [`Self::wake_state`] says (to a tenth of a second) changes, if it will.
    pub fn wake_changes_in(&self, now: Instant, delay: Duration) -> Option<Duration> {
        let placed = self.magnet_placed.filter(|_| self.answered_at.is_none())?;
        let since = now.saturating_duration_since(placed);
        if since < delay {
            // The countdown shows tenths of a second.
            Some((delay - since).min(Duration::from_millis(100)))
        } else {
            TURN_MAGNET_AFTER
                .checked_sub(since)
                .filter(|left| !left.is_zero())
        }
    }

    /// Share of recent echo tests that came back clean.
    pub fn echo_rate(&self) -> Option<f32> {
        rate(&self.echoes)
    }

    /// Share of recent requests the meter answered, since its eye first answered.
    pub fn answer_rate(&self) -> Option<f32> {
        rate(&self.answers)
    }

    /// Whether a port is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.connection, ConnectionState::Connected { .. })
    }

    /// Where the connection stands.
    pub fn connection(&self) -> &ConnectionState {
        &self.connection
    }

    /// Requests sent to the meter since the link started, retries included.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Recent echo tests, oldest first: whether each came back clean.
    pub fn echoes(&self) -> &VecDeque<bool> {
        &self.echoes
    }

    /// Recent requests since the eye's first answer, oldest first: whether each was answered.
    pub fn answers(&self) -> &VecDeque<bool> {
        &self.answers
    }

    /// Bytes a second the last listen heard of a pushing meter.
    pub fn byte_rate(&self) -> Option<f32> {
        self.byte_rate
    }

    /// Requests left unanswered since the connection or the magnet while the eye has not
    /// answered yet.
    pub fn waking_requests(&self) -> u32 {
        self.waking
    }

    /// The meter's serial number and type, once it answered.
    pub fn identity(&self) -> Option<(u32, Option<MeterType>)> {
        self.identity
    }

    /// The protocol the meter answered in, once it answered.
    pub fn spoken(&self) -> Option<&Spoken> {
        self.spoken.as_ref()
    }

    /// A mode A meter's identification, once it came and until its readout is in and the
    /// protocol is settled.
    pub fn signed_on(&self) -> Option<&str> {
        self.signed_on.as_deref()
    }

    /// For a head across a network, the round trip measured as it connected.
    pub fn round_trip(&self) -> Option<Duration> {
        self.round_trip
    }

    /// The latest diagnosis.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.diagnosis.as_ref()
    }

    /// The latest error and its fix, until the next success.
    pub fn error(&self) -> Option<&ShownError> {
        self.error.as_ref()
    }

    /// What the last sweep found.
    pub fn sweep(&self) -> &[SweepResult] {
        &self.sweep
    }

    /// What the last address search found.
    pub fn addresses(&self) -> Option<AddressSearched> {
        self.addresses
    }
}

fn push(history: &mut VecDeque<bool>, value: bool) {
    if history.len() == HISTORY {
        history.pop_front();
    }
    history.push_back(value);
}

fn rate(history: &VecDeque<bool>) -> Option<f32> {
    (!history.is_empty())
        .then(|| history.iter().filter(|&&ok| ok).count() as f32 / history.len() as f32)
}

#[cfg(test)]
mod tests;
