//! Polling: reading the plan's registers again and again, one [`JobEvent::Polled`] a poll, at
//! a [`Pace`] that slows for a meter that stopped answering.

use std::time::{Duration, Instant};

use super::pace::Pace;
use super::read::Round;
use super::step::{Cx, Input, Step};
use crate::link::messages::JobEvent;
use crate::link::options::PollPlan;

/// Polling; see the module documentation.
#[derive(Debug)]
pub(crate) struct Poll {
    plan: PollPlan,
    pace: Pace,
    /// The poll under way, and when it began.
    round: Option<(Instant, Round)>,
}

impl Poll {
    pub fn new(plan: PollPlan) -> Self {
        Self {
            pace: Pace::new(plan.interval),
            plan,
            round: None,
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
                let Some((began, round)) = &mut self.round else {
                    return self.begin(cx);
                };
                if let Some(next) = round.handle(result, cx) {
                    return next;
                }
                let began = *began;
                let report = round.report(cx, false);
                self.round = None;
                let answered = report.failed.len() < self.plan.ids.len();
                cx.emit(JobEvent::Polled(report));
                // The link's evidence counts every KMP answer since the port opened.
                let answered_before = cx.evidence.answers > 0;
                self.pace
                    .through(began, answered, answered_before, cx.now.instant)
            }
        }
    }

    fn begin(&mut self, cx: &mut Cx<'_>) -> Step {
        let mut round = Round::new(self.plan.ids.clone(), Duration::ZERO);
        match round.step(cx) {
            Some(step) => {
                self.round = Some((cx.now.instant, round));
                step
            }
            // A plan with no registers has nothing to ask: it is through at once.
            None => Step::Done(None),
        }
    }

    /// The poll under way ends early: what it read of its registers is reported, so no answer
    /// the meter gave is lost.
    pub fn interrupt(&mut self, cx: &mut Cx<'_>) {
        if let Some((_, round)) = self.round.take()
            && round.started()
        {
            cx.emit(JobEvent::Polled(round.report(cx, true)));
        }
    }
}
