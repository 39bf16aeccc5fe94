//! Reading registers: eight to a request; the first request waits for the eye to wake when the
//! meter has not answered yet on this link. A [`Round`] is also one poll of [`super::poll`].

use std::time::Duration;

use crate::kmp::{
    MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList, Request, Response, absent_ids,
};

use super::step::{Attempts, Cx, ExchangeResult, Input, Step};
use super::wake::{WakeUp, Woken};
use crate::link::diagnosis::diagnose;
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::Report;
use crate::link::options::ReadOptions;
use crate::link::reports::ReadReport;

/// One pass over a list of registers, request by request.
#[derive(Debug)]
pub(crate) struct Round {
    ids: Vec<RegisterId>,
    wait: Duration,
    /// Batches of eight answered or given up on.
    batches_done: usize,
    wake: Option<WakeUp>,
    registers: Vec<Register>,
    missing: Vec<RegisterId>,
    failed: Vec<RegisterId>,
    failure: Option<ExchangeFailure>,
}

impl Round {
    /// A round over `ids`; its first request keeps asking for up to `wait` while the meter has
    /// not answered on this link yet.
    pub fn new(ids: Vec<RegisterId>, wait: Duration) -> Self {
        Self {
            ids,
            wait,
            batches_done: 0,
            wake: None,
            registers: Vec::new(),
            missing: Vec::new(),
            failed: Vec::new(),
            failure: None,
        }
    }

    fn batch(&self) -> Option<&[RegisterId]> {
        self.ids
            .chunks(MAX_REGISTERS_PER_REQUEST)
            .nth(self.batches_done)
    }

    /// Whether any request of the round has ended.
    pub fn started(&self) -> bool {
        self.batches_done > 0
    }

    /// The next request, or `None` when the round is through.
    pub fn step(&mut self, cx: &Cx<'_>) -> Option<Step> {
        loop {
            let batch = self.batch()?.to_vec();
            let Ok(list) = RegisterList::new(&batch) else {
                // Chunks hold one to eight IDs, which is what a list holds; were one refused,
                // its IDs count as failed rather than stopping the round.
                self.failed.extend(batch);
                self.batches_done += 1;
                continue;
            };
            let request = Request::GetRegister(list);
            if self.batches_done == 0 && cx.evidence.answers == 0 {
                let wake = self
                    .wake
                    .get_or_insert_with(|| WakeUp::new(Exchange::Request(request), self.wait));
                return Some(wake.step(cx.now.instant));
            }
            return Some(Step::exchange(
                Exchange::Request(request),
                Attempts::Configured,
            ));
        }
    }

    /// Takes the result of the round's request; returns the next request, or `None` when the
    /// round is through.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Option<Step> {
        let result = match self.wake.as_mut() {
            Some(wake) => match wake.handle(result, cx) {
                Woken::Answered(response) => Ok(response),
                Woken::Again => return Some(wake.step(cx.now.instant)),
                Woken::GaveUp(failure) => Err(failure),
            },
            None => result,
        };
        self.wake = None;
        let batch = self.batch().map(<[RegisterId]>::to_vec).unwrap_or_default();
        match result {
            Ok(Answer::Kmp(Response::Registers(answered))) => {
                self.missing.extend(absent_ids(&batch, &answered));
                self.registers.extend(
                    answered
                        .into_iter()
                        .filter(|register| batch.contains(&register.id())),
                );
            }
            Ok(_) => {}
            Err(why) => {
                self.failed.extend_from_slice(&batch);
                self.failure = Some(why);
            }
        }
        self.batches_done += 1;
        self.step(cx)
    }

    /// What the round found; `interrupted` when it ended before every request was sent, whose
    /// IDs then count as failed.
    pub fn report(&self, cx: &Cx<'_>, interrupted: bool) -> ReadReport {
        let mut failed = self.failed.clone();
        if interrupted {
            let sent = (self.batches_done * MAX_REGISTERS_PER_REQUEST).min(self.ids.len());
            failed.extend_from_slice(&self.ids[sent..]);
        }
        ReadReport {
            at: cx.now.wall,
            registers: self.registers.clone(),
            missing: self.missing.clone(),
            failed,
            failure: self.failure,
            diagnosis: diagnose(cx.evidence, cx.now.instant),
            interrupted,
        }
    }
}

/// Reading registers once.
#[derive(Debug)]
pub(crate) struct Read {
    options: ReadOptions,
    round: Round,
}

impl Read {
    pub fn new(options: ReadOptions) -> Self {
        let round = Round::new(options.ids.clone(), options.wait);
        Self { options, round }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let next = match input {
            Input::Start => {
                self.round = Round::new(self.options.ids.clone(), self.options.wait);
                self.round.step(cx)
            }
            Input::Exchanged(result) => self.round.handle(result, cx),
            // A read never asks for a pause.
            Input::Timeout => self.round.step(cx),
        };
        next.unwrap_or_else(|| Step::Done(Some(Report::Read(self.round.report(cx, false)))))
    }

    /// The report of a read ended before it was through.
    pub fn stop(&self, cx: &Cx<'_>) -> ReadReport {
        self.round.report(cx, true)
    }
}
