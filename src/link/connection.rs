//! An open port with its engine and evidence: runs exchanges against the real clock.
//!
//! Only the link's worker thread holds one. Each exchange blocks that thread for at most the
//! attempts' deadlines (a second or two), which is why commands are looked at between exchanges.

use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::kmp::Response;

use super::diagnosis::Evidence;
use super::engine::{Engine, EngineConfig, EngineEvent, Exchange, ExchangeFailure};
use super::port::{Opener, Port};
use super::traffic::TrafficRecord;
use super::worker::Event;
use super::{LineSettings, LinkConfig, LinkError};

/// The longest a single port read waits, so that deadlines are met within a few milliseconds.
const READ_SLICE: Duration = Duration::from_millis(50);

/// The result of one exchange, after its retries.
pub type ExchangeResult = Result<Response, ExchangeFailure>;

/// Turns the monotonic instants of the engine into wall-clock timestamps for the traffic log.
#[derive(Clone, Copy, Debug)]
struct WallClock {
    instant: Instant,
    timestamp: Timestamp,
}

impl WallClock {
    fn now() -> Self {
        Self {
            instant: Instant::now(),
            timestamp: Timestamp::now(),
        }
    }

    fn at(&self, instant: Instant) -> Timestamp {
        let offset =
            jiff::SignedDuration::try_from(instant.saturating_duration_since(self.instant))
                .unwrap_or_default();
        self.timestamp.checked_add(offset).unwrap_or(self.timestamp)
    }
}

/// An open port; see the module documentation.
pub struct Connection {
    config: LinkConfig,
    port: Box<dyn Port>,
    engine: Engine,
    evidence: Evidence,
    wall: WallClock,
}

impl Connection {
    /// Opens the port of `config`.
    pub fn open(opener: &dyn Opener, config: LinkConfig) -> Result<Self, LinkError> {
        let port = opener.open(&config)?;
        let engine = Engine::new(EngineConfig {
            echo: config.echo,
            first_byte_timeout: config.timeout,
            byte_time: config.line.byte_time(),
            retries: config.retries,
            address: config.address,
        });
        Ok(Self {
            port,
            engine,
            evidence: Evidence::opened(Instant::now()),
            wall: WallClock::now(),
            config,
        })
    }

    /// What it was opened with.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// What has been seen on it.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// What has been seen on it, to add to.
    pub fn evidence_mut(&mut self) -> &mut Evidence {
        &mut self.evidence
    }

    /// Switches baud rate and framing on the open port.
    pub fn set_line(&mut self, line: LineSettings) -> Result<(), LinkError> {
        self.port
            .set_line(&line)
            .map_err(|error| self.lost(&error))?;
        self.engine.set_byte_time(line.byte_time());
        self.config.line = line;
        Ok(())
    }

    /// Runs one exchange with the configured retries; every attempt is reported to `emit`.
    pub fn exchange(
        &mut self,
        exchange: Exchange,
        emit: &mut dyn FnMut(Event),
    ) -> Result<ExchangeResult, LinkError> {
        self.exchange_with_retries(exchange, self.config.retries, emit)
    }

    /// Runs one exchange with `retries` further attempts after a failed one.
    pub fn exchange_with_retries(
        &mut self,
        exchange: Exchange,
        retries: u32,
        emit: &mut dyn FnMut(Event),
    ) -> Result<ExchangeResult, LinkError> {
        self.engine
            .start_with_retries(exchange, retries, Instant::now());
        let mut buffer = [0u8; 256];
        loop {
            if let Some(bytes) = self.engine.poll_transmit() {
                // A late answer to an earlier attempt must not be taken for this one.
                self.port.clear_input().map_err(|error| self.lost(&error))?;
                self.port
                    .write_all(&bytes)
                    .map_err(|error| self.lost(&error))?;
            }
            while let Some(event) = self.engine.poll_event() {
                match event {
                    EngineEvent::Attempt(attempt) => {
                        self.evidence.record_attempt(&attempt);
                        for record in TrafficRecord::from_attempt(&attempt, |at| self.wall.at(at)) {
                            emit(Event::Traffic(record));
                        }
                    }
                    EngineEvent::Done(result) => {
                        self.evidence.record_done(&result);
                        emit(Event::Exchanged {
                            exchange,
                            result: result.clone().map(|_| ()),
                        });
                        return Ok(result);
                    }
                }
            }
            let now = Instant::now();
            let wait = self.engine.poll_timeout().map_or(READ_SLICE, |deadline| {
                deadline.saturating_duration_since(now)
            });
            let n = self
                .port
                .read(&mut buffer, wait.min(READ_SLICE))
                .map_err(|error| self.lost(&error))?;
            let now = Instant::now();
            if n > 0 {
                self.engine.handle_input(&buffer[..n], now);
            }
            self.engine.handle_timeout(now);
        }
    }

    fn lost(&self, error: &std::io::Error) -> LinkError {
        LinkError::Lost {
            port: self.config.port.clone(),
            detail: error.to_string(),
        }
    }
}
