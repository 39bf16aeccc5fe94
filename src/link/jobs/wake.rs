//! Asking until the eye wakes: one request sent again and again, one attempt at a time, until
//! the meter answers or the wait is over, with the time left reported after each silence. The
//! MULTICAL 21 and flowIQ eyes answer about 4 s after the magnet (PROTOCOL.md §1.2).

use std::time::{Duration, Instant};

use crate::kmp::{Request, Response};

use super::step::{Attempts, Cx, ExchangeResult, Step};
use crate::link::engine::{Exchange, ExchangeFailure};
use crate::link::messages::JobEvent;

/// What came of one attempt.
#[derive(Debug)]
pub(crate) enum Woken {
    /// The meter answered.
    Answered(Response),
    /// Still silent, with time left: ask again.
    Again,
    /// Silent until the wait was over.
    GaveUp(ExchangeFailure),
}

/// Asking `request` until answered; see the module documentation.
#[derive(Debug)]
pub(crate) struct WakeUp {
    request: Request,
    wait: Duration,
    /// When the first attempt went out.
    started: Option<Instant>,
}

impl WakeUp {
    /// Asks `request` for up to `wait`.
    pub fn new(request: Request, wait: Duration) -> Self {
        Self {
            request,
            wait,
            started: None,
        }
    }

    /// The next attempt.
    pub fn step(&mut self, now: Instant) -> Step {
        self.started.get_or_insert(now);
        Step::exchange(Exchange::Request(self.request), Attempts::One)
    }

    /// Takes the result of an attempt.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Woken {
        let failure = match result {
            Ok(response) => return Woken::Answered(response),
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
