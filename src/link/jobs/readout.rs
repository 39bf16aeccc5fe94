//! Reading a meter that speaks a text protocol: its whole data readout (IEC 62056-21) or `/#1`
//! answer, once ([`Readout`]) or again and again ([`ReadoutPoll`], one
//! [`JobEvent::ReadoutPolled`] a round). A readout at 300 baud takes seconds; each report says how
//! long, so a poll's interval can be checked against it. Polling slows down while a meter that
//! answered is silent, at the same [`Pace`] as KMP polling.

use std::time::{Duration, Instant};

use super::pace::Pace;
use super::step::{Cx, ExchangeResult, Input, Step};
use super::text_search::{Searched, TextFound, TextSearch, TextTry};
use crate::link::diagnosis::{self, diagnose};
use crate::link::engine::ExchangeFailure;
use crate::link::messages::{JobEvent, Report};
use crate::link::options::{ReadoutOptions, ReadoutPlan};
use crate::link::reports::ReadoutReport;

/// One readout, from its first request to its report.
#[derive(Debug)]
struct Round {
    search: TextSearch,
    began: Instant,
    found: Option<TextFound>,
    failure: Option<ExchangeFailure>,
}

impl Round {
    /// A round that asks `first` (the try that answered before) first.
    fn start(options: &ReadoutOptions, first: Option<TextTry>, cx: &Cx<'_>) -> (Self, Searched) {
        let mut search = TextSearch::new(options.protocol, first, options.wait);
        let searched = search.start(cx.now.instant);
        let round = Self {
            search,
            began: cx.now.instant,
            found: None,
            failure: None,
        };
        (round, searched)
    }

    /// Takes what the search did; returns the next step, or `None` when the round is through.
    fn take(&mut self, searched: Searched) -> Option<Step> {
        match searched {
            Searched::Next(step) => Some(step),
            Searched::Found(found) => {
                self.failure = found.failure;
                self.found = Some(found);
                None
            }
            Searched::GaveUp(failure) => {
                self.failure = failure.or(Some(ExchangeFailure::Silence));
                None
            }
        }
    }

    fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Option<Step> {
        let searched = self.search.handle(result, cx);
        self.take(searched)
    }

    fn report(&self, cx: &Cx<'_>, interrupted: bool) -> ReadoutReport {
        let found = self.found.as_ref();
        let identification = found
            .and_then(|found| found.identification.as_ref())
            .map(|ident| ident.line.clone());
        // The evidence is of KMP at the link's own settings; a text protocol that answered
        // makes the link good.
        let diagnosis = match found {
            Some(found) => diagnosis::speaks(
                found.protocol,
                identification.as_deref(),
                (found.tried.line, found.line),
                false,
            ),
            None => diagnose(cx.evidence, cx.now.instant),
        };
        ReadoutReport {
            at: cx.now.wall,
            protocol: found.map(|found| found.protocol),
            identification,
            asked_at: found.map(|found| found.tried.line),
            line: found.map(|found| found.line),
            readings: found
                .and_then(|found| found.readings.clone())
                .unwrap_or_default(),
            push: found.is_some_and(|found| found.pushed.is_some()),
            failure: self.failure,
            took: cx.now.instant.saturating_duration_since(
                found.and(self.search.try_began()).unwrap_or(self.began),
            ),
            diagnosis,
            interrupted,
        }
    }
}

/// One readout; see the module documentation.
#[derive(Debug)]
pub(crate) struct Readout {
    options: ReadoutOptions,
    round: Option<Round>,
}

impl Readout {
    pub fn new(options: ReadoutOptions) -> Self {
        Self {
            options,
            round: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let next = match (input, &mut self.round) {
            (Input::Exchanged(result), Some(round)) => round.handle(result, cx),
            // The readout never asks for a pause; a start begins it (again, after a lost port).
            _ => {
                let (mut round, searched) = Round::start(&self.options, None, cx);
                let next = round.take(searched);
                self.round = Some(round);
                next
            }
        };
        next.unwrap_or_else(|| Step::Done(Some(Report::Readout(self.stop(cx, false)))))
    }

    /// What it read; `interrupted` when it ended before it was through.
    pub fn stop(&self, cx: &Cx<'_>, interrupted: bool) -> ReadoutReport {
        match &self.round {
            Some(round) => round.report(cx, interrupted),
            None => Round::start(&self.options, None, cx)
                .0
                .report(cx, interrupted),
        }
    }
}

/// Readouts again and again; see the module documentation.
#[derive(Debug)]
pub(crate) struct ReadoutPoll {
    plan: ReadoutPlan,
    pace: Pace,
    round: Option<Round>,
    /// The try that answered last: asked first next round.
    spoke: Option<TextTry>,
    answered_before: bool,
}

impl ReadoutPoll {
    pub fn new(plan: ReadoutPlan) -> Self {
        Self {
            pace: Pace::new(plan.interval),
            spoke: None,
            plan,
            round: None,
            answered_before: false,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match input {
            Input::Start => {
                self.pace.reset();
                self.begin(cx)
            }
            Input::Timeout => self.begin(cx),
            Input::Exchanged(result) => {
                let Some(round) = &mut self.round else {
                    return self.begin(cx);
                };
                match round.handle(result, cx) {
                    Some(step) => step,
                    None => self.through(cx),
                }
            }
        }
    }

    fn begin(&mut self, cx: &mut Cx<'_>) -> Step {
        // Polls do not wait for the eye: a silent round is reported, and the next comes later.
        let options = ReadoutOptions {
            wait: Duration::ZERO,
            ..self.plan.options
        };
        let (mut round, searched) = Round::start(&options, self.spoke, cx);
        let next = round.take(searched);
        self.round = Some(round);
        match next {
            Some(step) => step,
            None => self.through(cx),
        }
    }

    /// The round is through: report it, and wait for the next.
    fn through(&mut self, cx: &mut Cx<'_>) -> Step {
        let Some(round) = self.round.take() else {
            return Step::Wait(cx.now.instant + self.plan.interval);
        };
        let report = round.report(cx, false);
        let answered = !report.readings.is_empty();
        if let Some(found) = &round.found {
            self.spoke = Some(found.tried);
        }
        cx.emit(JobEvent::ReadoutPolled(report));
        let next = self
            .pace
            .through(round.began, answered, self.answered_before, cx.now.instant);
        self.answered_before |= answered;
        next
    }

    /// The round under way ends early. It read nothing yet (a round that read its answer is
    /// through at once), so there is nothing to report.
    pub fn interrupt(&mut self) {
        self.round = None;
    }
}
