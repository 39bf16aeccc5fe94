//! The continuous link check behind the alignment meter: each round an echo test (which costs
//! the meter nothing) and one GetSerialNo without retries, so every success and failure shows.
//! The first answer also asks GetType, to identify the meter. With a request limit, the check
//! is through once it has asked the meter that often: battery meters throttle, and a check left
//! open in a cellar should not drain one.

use std::time::Instant;

use crate::kmp::{Request, Response};

use super::step::{Attempts, Cx, Input, Step};
use crate::link::engine::{Answer, Exchange};
use crate::link::messages::JobEvent;
use crate::link::options::MonitorOptions;

#[derive(Clone, Copy, Debug)]
enum Phase {
    Echo,
    Serial,
    Type { serial: u32 },
}

/// The continuous link check; see the module documentation.
#[derive(Debug)]
pub(crate) struct Monitor {
    options: MonitorOptions,
    /// The round under way, and when it began.
    round: Option<(Instant, Phase)>,
    identified: bool,
    /// The link's request count when the check (re)started.
    requests_at_start: u64,
}

impl Monitor {
    pub fn new(options: MonitorOptions) -> Self {
        Self {
            options,
            round: None,
            identified: false,
            requests_at_start: 0,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let result = match input {
            Input::Start => {
                // After a lost port the meter behind it may be another: identify it again.
                self.identified = false;
                self.requests_at_start = cx.requests;
                return self.begin(cx);
            }
            Input::Timeout => return self.begin(cx),
            Input::Exchanged(result) => result,
        };
        let Some((began, phase)) = self.round else {
            return self.begin(cx);
        };
        let next = match (phase, result) {
            (Phase::Echo, _) => Phase::Serial,
            (Phase::Serial, Ok(Answer::Kmp(Response::SerialNo(serial)))) if !self.identified => {
                Phase::Type { serial }
            }
            (Phase::Type { serial }, result) => {
                let meter_type = match result {
                    Ok(Answer::Kmp(Response::Type(meter_type))) => Some(meter_type),
                    _ => None,
                };
                self.identified = true;
                cx.emit(JobEvent::Identified { serial, meter_type });
                return self.rest(began, cx);
            }
            (Phase::Serial, _) => return self.rest(began, cx),
        };
        self.round = Some((began, next));
        step(next)
    }

    fn begin(&mut self, cx: &Cx<'_>) -> Step {
        self.round = Some((cx.now.instant, Phase::Echo));
        step(Phase::Echo)
    }

    /// The round is over: the next after the interval, unless the check has asked enough.
    fn rest(&mut self, began: Instant, cx: &Cx<'_>) -> Step {
        self.round = None;
        let asked = cx.requests.saturating_sub(self.requests_at_start);
        if self
            .options
            .request_limit
            .is_some_and(|limit| asked >= u64::from(limit))
        {
            return Step::Done(None);
        }
        Step::Wait(began + self.options.interval)
    }
}

fn step(phase: Phase) -> Step {
    match phase {
        Phase::Echo => Step::exchange(Exchange::EchoTest, Attempts::One),
        Phase::Serial => Step::exchange(Exchange::Request(Request::GetSerialNo), Attempts::One),
        Phase::Type { .. } => {
            Step::exchange(Exchange::Request(Request::GetType), Attempts::Configured)
        }
    }
}
