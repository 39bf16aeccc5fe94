//! The continuous link check behind the alignment meter: each round an echo test (which costs
//! the meter nothing) and one GetSerialNo without retries, so every success and failure shows.
//! The first answer also asks GetType, to identify the meter. With a request limit, the check
//! is through once it has asked the meter that often: battery meters throttle, and a check left
//! open in a cellar should not drain one.
//!
//! When finding out the protocol, the first round KMP goes unanswered also tries the standard's
//! IEC sign-on at 300 7E1 with a short wait (0.8 s in all, within the round's second, so a
//! waking eye is asked as often as ever); when KMP has had no answer for [`FIND_AFTER`] (the
//! eye had time to wake), one round tries all the text protocols; a meter that answers one is checked in it from
//! then on (its IEC sign-on or `/#1` in place of GetSerialNo). Asked to check in a text protocol,
//! it looks for it at its settings each round until it answers.

use std::time::{Duration, Instant};

use crate::kmp::{Request, Response};

use super::step::{Attempts, Cx, Input, Step};
use super::text_search::{Searched, TEXT_TRIES, TextSearch, TextTry};
use crate::link::engine::{Answer, Exchange};
use crate::link::messages::JobEvent;
use crate::link::options::CheckOptions;
use crate::protocol::Protocol;

/// How long KMP goes unanswered before the text protocols are tried: the magnet's wake-up
/// (about 4 s) and some rounds more.
pub const FIND_AFTER: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug)]
enum Phase {
    Echo,
    Serial,
    Type {
        serial: u32,
    },
    /// The request of a meter checked in a text protocol.
    Text,
    /// Looking for a text protocol.
    Finding,
}

/// The continuous link check; see the module documentation.
#[derive(Debug)]
pub(crate) struct Check {
    options: CheckOptions,
    /// The round under way, and when it began.
    round: Option<(Instant, Phase)>,
    identified: bool,
    /// The link's request count when the check (re)started.
    requests_at_start: u64,
    /// When the check (re)started.
    started: Option<Instant>,
    /// Whether KMP has answered since.
    kmp_answered: bool,
    /// The text protocols were tried since.
    searched: bool,
    /// The quick sign-on was tried since.
    early_tried: bool,
    search: Option<TextSearch>,
    /// How a meter that speaks a text protocol is asked each round.
    text: Option<TextTry>,
}

impl Check {
    pub fn new(options: CheckOptions) -> Self {
        Self {
            options,
            round: None,
            identified: false,
            requests_at_start: 0,
            started: None,
            kmp_answered: false,
            searched: false,
            early_tried: false,
            search: None,
            text: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let result = match input {
            Input::Start => {
                // After a lost port the meter behind it may be another: identify it again.
                *self = Self {
                    requests_at_start: cx.requests,
                    started: Some(cx.now.instant),
                    ..Self::new(self.options)
                };
                return self.begin(cx);
            }
            Input::Timeout => return self.begin(cx),
            Input::Exchanged(result) => result,
        };
        let Some((began, phase)) = self.round else {
            return self.begin(cx);
        };
        if matches!(result, Ok(Answer::Kmp(_))) {
            self.kmp_answered = true;
        }
        let next = match (phase, result) {
            (Phase::Echo, _) if self.text.is_some() => Phase::Text,
            (Phase::Echo, _) if self.time_to_find(cx) => {
                // A text protocol asked for: no KMP request first.
                return self.find(began, cx);
            }
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
                cx.emit(JobEvent::Spoke {
                    protocol: Protocol::Kmp,
                    identification: None,
                    asked_at: cx.line,
                    line: cx.line,
                    push: false,
                });
                cx.emit(JobEvent::Identified { serial, meter_type });
                return self.rest(began, cx);
            }
            (Phase::Serial, Err(_))
                if self.options.protocol.is_none() && !self.early_tried && !self.kmp_answered =>
            {
                self.early_tried = true;
                return self.look(TextSearch::quick(TEXT_TRIES), began, cx);
            }
            (Phase::Serial, _) if self.time_to_find(cx) => return self.find(began, cx),
            (Phase::Finding, result) => {
                let searched = match &mut self.search {
                    Some(search) => search.handle(result, cx),
                    None => Searched::GaveUp(None),
                };
                return self.found(began, searched, cx);
            }
            (Phase::Serial | Phase::Text, _) => return self.rest(began, cx),
        };
        self.round = Some((began, next));
        self.step(next)
    }

    /// Whether to look for a text protocol now: asked to, not done since the check began, and
    /// KMP unanswered for long enough.
    fn time_to_find(&self, cx: &Cx<'_>) -> bool {
        match self.options.protocol {
            None => {
                !self.searched
                    && !self.kmp_answered
                    && self
                        .started
                        .is_some_and(|started| cx.now.instant >= started + FIND_AFTER)
            }
            Some(Protocol::Kmp) => false,
            Some(_) => true,
        }
    }

    /// Starts looking for a text protocol.
    fn find(&mut self, began: Instant, cx: &mut Cx<'_>) -> Step {
        self.searched = true;
        let search = TextSearch::new(self.options.protocol, None, Duration::ZERO);
        self.look(search, began, cx)
    }

    /// Starts `search`, kept for the results of its steps.
    fn look(&mut self, mut search: TextSearch, began: Instant, cx: &mut Cx<'_>) -> Step {
        let searched = search.start(cx.now.instant);
        self.search = Some(search);
        self.found(began, searched, cx)
    }

    /// Takes what the search for a text protocol did.
    fn found(&mut self, began: Instant, searched: Searched, cx: &mut Cx<'_>) -> Step {
        match searched {
            Searched::Next(step) => {
                self.round = Some((began, Phase::Finding));
                step
            }
            Searched::Found(found) => {
                self.search = None;
                cx.emit(JobEvent::Spoke {
                    protocol: found.protocol,
                    identification: found.known_as(),
                    asked_at: found.tried.line,
                    line: found.line,
                    push: found.pushed.is_some(),
                });
                // IEC is checked with the sign-on alone: a mode C meter's identification says
                // it is there, without its readout.
                self.text = Some(found.tried);
                self.rest(began, cx)
            }
            Searched::GaveUp(_) => {
                self.search = None;
                self.rest(began, cx)
            }
        }
    }

    fn begin(&mut self, cx: &Cx<'_>) -> Step {
        // A meter found pushing is only listened to: nothing goes out to it, not even an echo
        // test.
        let first = if self.text.is_some_and(|text| text.exchange.listens()) {
            Phase::Text
        } else {
            Phase::Echo
        };
        self.round = Some((cx.now.instant, first));
        self.step(first)
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

    fn step(&self, phase: Phase) -> Step {
        match (phase, self.text) {
            (Phase::Echo, _) => Step::exchange(Exchange::EchoTest, Attempts::One),
            (Phase::Text, Some(text)) => text.step(text.exchange),
            (Phase::Type { .. }, _) => {
                Step::exchange(Exchange::Request(Request::GetType), Attempts::Configured)
            }
            _ => Step::exchange(Exchange::Request(Request::GetSerialNo), Attempts::One),
        }
    }
}
