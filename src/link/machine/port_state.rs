//! The port as the machine sees it: closed, being opened, open (with the engine that runs its
//! exchanges and the line settings it is at), or lost and waiting for the backoff to reopen it;
//! and what the machine asks the driver to do with it ([`Io`]).

use std::time::{Duration, Instant};

use super::backoff::Backoff;
use crate::line::LineSettings;
use crate::link::config::LinkConfig;
use crate::link::engine::{Engine, EngineConfig, Exchange};
use crate::link::jobs::Attempts;

/// How long after a request has left the wire the port switches to the settings its answer comes
/// at: switching sooner would garble the request's last bytes still in the adapter, and the head's
/// echo of them.
const SWITCH_MARGIN: Duration = Duration::from_millis(50);

/// What the machine asks the driver to do with the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Io {
    /// Open the port; then call [`LinkMachine::handle_opened`](super::LinkMachine::handle_opened)
    /// or [`LinkMachine::handle_open_failed`](super::LinkMachine::handle_open_failed).
    Open(LinkConfig),
    /// Close the port.
    Close,
    /// Throw away what has arrived and not been read (a late answer to an earlier attempt must
    /// not be taken for this one), then write these bytes.
    Transmit(Vec<u8>),
    /// Switch the port to these line settings.
    SetLine(LineSettings),
}

#[derive(Debug)]
pub(super) enum Port {
    Closed,
    /// [`Io::Open`] was asked for; with the backoff when it reopens a lost port.
    Opening {
        config: LinkConfig,
        backoff: Option<Backoff>,
    },
    Open(OpenPort),
    /// The port was lost; reopening it at the backoff's time.
    Lost {
        config: LinkConfig,
        backoff: Backoff,
    },
}

/// An open port: the engine that runs its exchanges, and the line settings it is at.
#[derive(Debug)]
pub(super) struct OpenPort {
    pub(super) config: LinkConfig,
    pub(super) engine: Box<Engine>,
    /// Whether the exchange in flight was sent at the link's own settings, so that what comes
    /// of it is evidence about the link as it is set up.
    pub(super) at_own_line: bool,
    /// The line settings the port is set to now (the sweep and the text protocols change them).
    pub(super) line: LineSettings,
    /// What the exchange in flight sends.
    exchange: Option<Exchange>,
    /// Settings to switch to, and when: the answer comes at another baud rate.
    switch: Option<(Instant, LineSettings)>,
}

impl Port {
    /// When the engine, a switch of line settings or the backoff needs the time next.
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Port::Open(open) => open
                .engine
                .poll_timeout()
                .into_iter()
                .chain(open.switch.map(|(at, _)| at))
                .min(),
            Port::Lost { backoff, .. } => Some(backoff.retry_at()),
            Port::Closed | Port::Opening { .. } => None,
        }
    }

    /// Whether an exchange is in flight.
    pub(super) fn is_busy(&self) -> bool {
        matches!(self, Port::Open(open) if open.engine.is_busy())
    }

    /// The port's name and the link's own line settings, while there is a port.
    pub(super) fn named(&self) -> (&str, LineSettings) {
        match self {
            Port::Open(OpenPort { config, .. })
            | Port::Opening { config, .. }
            | Port::Lost { config, .. } => (config.port.as_str(), config.line),
            Port::Closed => ("", LineSettings::default()),
        }
    }

    /// The meter's address the port was opened with.
    pub(super) fn address(&self) -> u8 {
        match self {
            Port::Open(OpenPort { config, .. })
            | Port::Opening { config, .. }
            | Port::Lost { config, .. } => config.address,
            Port::Closed => crate::kmp::DEFAULT_DESTINATION,
        }
    }
}

impl OpenPort {
    /// The port opened with `config`; `round_trip` is a network port's, measured as it opened.
    pub(super) fn new(config: LinkConfig, round_trip: Option<Duration>) -> Self {
        Self {
            engine: Box::new(Engine::new(EngineConfig {
                echo: config.echo,
                first_byte_timeout: config.timeout,
                byte_time: config.line.byte_time(),
                retries: config.retries,
                address: config.address,
                network_delay: round_trip.unwrap_or_default(),
            })),
            line: config.line,
            exchange: None,
            at_own_line: true,
            switch: None,
            config,
        }
    }

    /// Starts `exchange` at the settings `wanted` (the link's own, if none); when its answer
    /// comes at `answer_line`, the port switches there once the request has left. Returns the
    /// switch to `wanted` for the driver, if the port is not there.
    pub(super) fn start(
        &mut self,
        exchange: Exchange,
        attempts: Attempts,
        wanted: Option<LineSettings>,
        answer_line: Option<LineSettings>,
        now: Instant,
    ) -> Option<Io> {
        let wanted = wanted.unwrap_or(self.config.line);
        let io = self.set_line(wanted);
        self.exchange = Some(exchange);
        self.at_own_line = wanted == self.config.line;
        // A retry would go out at the answer's settings: an exchange that switches gets one
        // attempt.
        match (attempts, answer_line) {
            (Attempts::Configured, None) => self.engine.start(exchange, now),
            _ => self.engine.start_with_retries(exchange, 0, now),
        }
        self.switch = answer_line
            .filter(|answer_line| *answer_line != self.line)
            .zip(self.engine.sent_until())
            .map(|(answer_line, sent)| (sent + SWITCH_MARGIN, answer_line));
        io
    }

    /// The switch to the answer's settings, once it is due.
    pub(super) fn switch_if_due(&mut self, now: Instant) -> Option<Io> {
        let (at, answer_line) = self.switch?;
        if at > now {
            return None;
        }
        self.switch = None;
        self.line = answer_line;
        self.engine.set_byte_time(answer_line.byte_time());
        Some(Io::SetLine(answer_line))
    }

    /// The exchange in flight is over: what it sent. An exchange that ended before its switch
    /// needs it no more.
    pub(super) fn exchange_done(&mut self) -> Option<Exchange> {
        self.switch = None;
        self.exchange.take()
    }

    /// Back to the link's own settings (a job has ended).
    pub(super) fn back_to_own_line(&mut self) -> Option<Io> {
        self.set_line(self.config.line)
    }

    /// Sets the port to `line`, telling the driver, unless it is there.
    fn set_line(&mut self, line: LineSettings) -> Option<Io> {
        if line == self.line {
            return None;
        }
        self.line = line;
        self.engine.set_byte_time(line.byte_time());
        Some(Io::SetLine(line))
    }
}
