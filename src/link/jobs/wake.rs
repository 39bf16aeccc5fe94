//! Asking until the eye wakes: one exchange sent again and again, one attempt at a time, until
//! the meter answers or the wait is over, with the time left reported after each silence. The
//! MULTICAL 21 and flowIQ eyes answer about 4 s after the magnet (docs/protocols.md §2).

use std::time::{Duration, Instant};

use super::step::{Attempts, Cx, ExchangeResult, Step};
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::JobEvent;

/// What came of one attempt.
#[derive(Debug)]
pub(crate) enum Woken {
    /// The meter answered.
    Answered(Answer),
    /// Still silent, with time left: ask again.
    Again,
    /// Silent until the wait was over.
    GaveUp(ExchangeFailure),
}

/// Asking until answered; see the module documentation.
#[derive(Clone, Debug)]
pub(crate) struct WakeUp {
    exchange: Exchange,
    wait: Duration,
    /// When the first attempt went out.
    started: Option<Instant>,
}

impl WakeUp {
    /// Asks with `exchange` for up to `wait`.
    pub fn new(exchange: Exchange, wait: Duration) -> Self {
        Self {
            exchange,
            wait,
            started: None,
        }
    }

    /// The next attempt.
    pub fn step(&mut self, now: Instant) -> Step {
        self.started.get_or_insert(now);
        Step::exchange(self.exchange, Attempts::One)
    }

    /// Takes the result of an attempt.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Woken {
        let failure = match result {
            Ok(answer) => return Woken::Answered(answer),
            Err(failure) => failure,
        };
        let started = *self.started.get_or_insert(cx.now.instant);
        let waited = cx.now.instant.saturating_duration_since(started);
        if waited >= self.wait {
            return Woken::GaveUp(failure);
        }
        cx.emit(JobEvent::Waiting {
            left: self.wait - waited,
        });
        Woken::Again
    }
}
