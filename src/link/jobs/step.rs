//! The words a job and the link's machine speak: what a job is resumed with ([`Input`]), what
//! it asks for next ([`Step`]), and what it sees of the link while it runs ([`Cx`]).

use std::time::Instant;

use crate::line::LineSettings;
use crate::link::clock::Now;
use crate::link::diagnosis::Evidence;
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::{JobEvent, Report};

/// The result of one exchange, after its retries.
pub(crate) type ExchangeResult = Result<Answer, ExchangeFailure>;

/// What a job is resumed with.
#[derive(Debug)]
pub(crate) enum Input {
    /// The job may begin (again, after a lost port came back).
    Start,
    /// The exchange it asked for ended.
    Exchanged(ExchangeResult),
    /// The pause it asked for is over.
    Timeout,
}

/// How many attempts an exchange gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attempts {
    /// The link's configured retries.
    Configured,
    /// One attempt: every success and failure shows, as the link check and waking need.
    One,
}

/// What a job wants next.
#[derive(Debug)]
pub(crate) enum Step {
    /// Run this exchange and resume the job with its result.
    Exchange {
        /// What to send.
        exchange: Exchange,
        /// How many attempts.
        attempts: Attempts,
        /// Other line settings to switch to first (the sweep, the other protocols); the link
        /// returns to its own settings when the job ends.
        line: Option<LineSettings>,
        /// Settings to switch to once the request has left, for an answer that comes at another
        /// baud rate (a mode C option select, `/#1`); such an exchange gets one attempt.
        answer_line: Option<LineSettings>,
    },
    /// Nothing until then; resume the job with [`Input::Timeout`].
    Wait(Instant),
    /// The job is through, with its report.
    Done(Option<Report>),
}

impl Step {
    /// An exchange on the link's own line settings.
    pub(super) fn exchange(exchange: Exchange, attempts: Attempts) -> Self {
        Self::Exchange {
            exchange,
            attempts,
            line: None,
            answer_line: None,
        }
    }

    /// An exchange on the line settings `line`, the answer awaited on `answer_line` if given.
    pub(super) fn exchange_on(
        exchange: Exchange,
        line: LineSettings,
        answer_line: Option<LineSettings>,
    ) -> Self {
        Self::Exchange {
            exchange,
            attempts: Attempts::One,
            line: Some(line),
            answer_line,
        }
    }
}

/// What a job sees of the link while it runs.
pub(crate) struct Cx<'a> {
    /// The moment it is resumed at.
    pub now: Now,
    /// Everything seen on the link since the port was opened.
    pub evidence: &'a Evidence,
    /// The port's name.
    pub port: &'a str,
    /// The link's own line settings.
    pub line: LineSettings,
    /// The meter's address the link asks at.
    pub address: u8,
    /// Requests sent to the meter since the link started, retries included.
    pub requests: u64,
    /// What the job reports.
    pub events: &'a mut Vec<JobEvent>,
}

impl Cx<'_> {
    pub(super) fn emit(&mut self, event: JobEvent) {
        self.events.push(event);
    }
}
