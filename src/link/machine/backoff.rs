//! Reopening a lost port: the first try after 250 ms, then twice as long after each failure, up
//! to 4 s, so an adapter plugged back in is found within seconds without a busy loop.

use std::time::{Duration, Instant};

/// First pause before reopening a lost port.
const FIRST: Duration = Duration::from_millis(250);
/// Longest pause between attempts.
const LONGEST: Duration = Duration::from_secs(4);

/// When to try reopening next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    pause: Duration,
    retry_at: Instant,
}

impl Backoff {
    /// The port was lost at `now`.
    pub fn start(now: Instant) -> Self {
        Self {
            pause: FIRST,
            retry_at: now + FIRST,
        }
    }

    /// A try to reopen failed at `now`: wait twice as long, up to the longest pause.
    pub fn failed(&mut self, now: Instant) {
        self.pause = (self.pause * 2).min(LONGEST);
        self.retry_at = now + self.pause;
    }

    /// When to try next.
    pub fn retry_at(&self) -> Instant {
        self.retry_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_a_quarter_second_up_to_four_seconds() {
        let lost = Instant::now();
        let mut backoff = Backoff::start(lost);
        let mut now = lost;
        let mut pauses = vec![backoff.retry_at() - now];
        for _ in 0..6 {
            now = backoff.retry_at();
            backoff.failed(now);
            pauses.push(backoff.retry_at() - now);
        }
        let millis: Vec<u128> = pauses.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [250, 500, 1000, 2000, 4000, 4000, 4000]);
    }
}
