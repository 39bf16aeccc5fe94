//! The pace of polling, shared by KMP polls and readout polls: the plan's interval while the
//! meter answers; when a meter that answered before stops answering (it throttles or fell
//! asleep), twice as long after each silent round, down to one round in [`SLOWEST_POLL`], and
//! back to the plan's as soon as it answers again.

use std::time::{Duration, Instant};

use super::step::Step;
use crate::link::options::SLOWEST_POLL;

/// The time from one round to the next; see the module documentation.
#[derive(Debug)]
pub(crate) struct Pace {
    planned: Duration,
    interval: Duration,
}

impl Pace {
    pub fn new(planned: Duration) -> Self {
        Self {
            planned,
            interval: planned,
        }
    }

    /// Back to the plan's interval: polling (re)starts.
    pub fn reset(&mut self) {
        self.interval = self.planned;
    }

    /// A round that began at `began` is through at `now`: the wait until the next one.
    /// `answered` says whether the meter answered this round, `answered_before` whether it
    /// answered any earlier one (a meter that never answered is not slowed for).
    pub fn through(
        &mut self,
        began: Instant,
        answered: bool,
        answered_before: bool,
        now: Instant,
    ) -> Step {
        self.interval = if answered || !answered_before {
            self.planned
        } else {
            (self.interval * 2).min(SLOWEST_POLL.max(self.planned))
        };
        Step::Wait((began + self.interval).max(now))
    }
}
