//! What the app knows of the link, built from the link's events alone. Plain data with no egui
//! in it, so its rules are tested without a window.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::kmp::MeterType;
use crate::link::diagnosis::Diagnosis;
use crate::link::{Event, Exchange, ExchangeFailure, LineSettings, LinkError, SweepResult};

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

/// What the app knows of the link.
#[derive(Clone, Debug)]
pub struct LinkView {
    /// Where the connection stands.
    pub connection: ConnectionState,
    /// Requests sent to the meter since the app started, retries included.
    pub requests: u64,
    /// Recent echo tests: whether each came back clean.
    pub echoes: VecDeque<bool>,
    /// Recent requests: whether each was answered.
    pub answers: VecDeque<bool>,
    /// The meter's serial number and type, once it answered.
    pub identity: Option<(u32, Option<MeterType>)>,
    /// The latest diagnosis.
    pub diagnosis: Option<Diagnosis>,
    /// The latest error, until the next success.
    pub error: Option<ShownError>,
    /// When the magnet was (last) placed: connecting counts, and so does the user saying so.
    pub magnet_placed: Option<Instant>,
    /// When the first answer since the magnet came.
    pub answered_at: Option<Instant>,
    /// Whether the link check is running.
    pub checking: bool,
    /// Whether a sweep of line settings is running.
    pub sweeping: bool,
    /// What the last sweep found.
    pub sweep: Vec<SweepResult>,
}

impl Default for LinkView {
    fn default() -> Self {
        Self {
            connection: ConnectionState::Disconnected,
            requests: 0,
            echoes: VecDeque::with_capacity(HISTORY),
            answers: VecDeque::with_capacity(HISTORY),
            identity: None,
            diagnosis: None,
            error: None,
            magnet_placed: None,
            answered_at: None,
            checking: false,
            sweeping: false,
            sweep: Vec::new(),
        }
    }
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
            Event::Opened { port, line } => {
                self.connection = ConnectionState::Connected {
                    port: port.clone(),
                    line: *line,
                };
                self.error = None;
                self.magnet_placed = Some(now);
                self.answered_at = None;
                self.identity = None;
            }
            Event::OpenFailed(error) => {
                self.connection = ConnectionState::Disconnected;
                self.error = Some(error.into());
                self.checking = false;
            }
            Event::Closed => {
                self.connection = ConnectionState::Disconnected;
                self.checking = false;
                self.magnet_placed = None;
            }
            Event::Lost(error) => {
                if let ConnectionState::Connected { port, .. } = &self.connection {
                    self.connection = ConnectionState::Lost { port: port.clone() };
                }
                self.error = Some(error.into());
            }
            Event::Exchanged {
                exchange: Exchange::EchoTest,
                result,
            } => {
                push(
                    &mut self.echoes,
                    matches!(result, Err(ExchangeFailure::EchoOnly { clean: true })),
                );
            }
            Event::Exchanged {
                exchange: Exchange::Request(_),
                result,
            } => {
                push(&mut self.answers, result.is_ok());
                if result.is_ok() {
                    self.answered_at.get_or_insert(now);
                }
            }
            Event::Traffic(record) => {
                // Requests start with the KMP start byte; the echo-test pattern holds none.
                let is_request = record.bytes.first() == Some(&crate::kmp::START_TO_METER);
                if record.direction == crate::link::traffic::TrafficDirection::Tx && is_request {
                    self.requests += 1;
                }
            }
            Event::Identified { serial, meter_type } => {
                self.identity = Some((*serial, *meter_type))
            }
            Event::Diagnosis(diagnosis) => self.diagnosis = Some(diagnosis.clone()),
            Event::Probed(report) => {
                self.sweeping = false;
                self.sweep = report.sweep.clone();
                self.diagnosis = Some(report.diagnosis.clone());
            }
            Event::NotOpen => {
                self.error = Some(ShownError {
                    message: "no port is open".into(),
                    advice: "pick a port on the Connection screen and connect".into(),
                });
            }
            Event::Waiting { .. }
            | Event::Read(_)
            | Event::ScanProgress(_)
            | Event::ScanFound(_)
            | Event::Scanned(_) => {}
        }
    }

    /// The user says the magnet was placed (again): the countdown starts over.
    pub fn magnet_placed(&mut self, now: Instant) {
        self.magnet_placed = Some(now);
        self.answered_at = None;
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

    /// Share of recent echo tests that came back clean.
    pub fn echo_rate(&self) -> Option<f32> {
        rate(&self.echoes)
    }

    /// Share of recent requests the meter answered.
    pub fn answer_rate(&self) -> Option<f32> {
        rate(&self.answers)
    }

    /// Whether a port is open.
    pub fn is_connected(&self) -> bool {
        matches!(self.connection, ConnectionState::Connected { .. })
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
