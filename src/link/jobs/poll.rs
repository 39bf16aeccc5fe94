//! Polling: reading the plan's registers again and again, one [`JobEvent::Polled`] a poll. When
//! a meter that answered before stops answering (it throttles or fell asleep), the pace halves,
//! down to one poll in [`SLOWEST_POLL`], and returns to the plan's once the meter answers again.

use std::time::{Duration, Instant};

use super::read::Round;
use super::step::{Cx, Input, Step};
use crate::link::messages::JobEvent;
use crate::link::options::{PollPlan, SLOWEST_POLL};

/// Polling; see the module documentation.
#[derive(Debug)]
pub(crate) struct Poll {
    plan: PollPlan,
    /// The time from one poll to the next now: the plan's, or longer while the meter is silent.
    interval: Duration,
    /// The poll under way, and when it began.
    round: Option<(Instant, Round)>,
}

impl Poll {
    pub fn new(plan: PollPlan) -> Self {
        Self {
            interval: plan.interval,
            plan,
            round: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match input {
            Input::Start => {
                self.interval = self.plan.interval;
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
                self.interval = if answered || cx.evidence.answers == 0 {
                    self.plan.interval
                } else {
                    (self.interval * 2).min(SLOWEST_POLL.max(self.plan.interval))
                };
                cx.emit(JobEvent::Polled(report));
                Step::Wait((began + self.interval).max(cx.now.instant))
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
