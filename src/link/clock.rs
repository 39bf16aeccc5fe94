//! Time as the link's state machines are given it: one moment on the monotonic clock, for
//! deadlines, and on the wall clock, for the timestamps of readings and traffic. Only the driver
//! (and the ports) read the real clocks; tests and benchmarks invent both, so a simulated week
//! carries invented dates.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

/// A moment on both clocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// The monotonic clock: deadlines and intervals.
    pub instant: Instant,
    /// The wall clock: what reports and traffic lines are stamped with.
    pub wall: Timestamp,
}

impl Now {
    /// The moment `instant` on the monotonic clock and `wall` on the wall clock.
    pub fn new(instant: Instant, wall: Timestamp) -> Self {
        Self { instant, wall }
    }

    /// The wall-clock time of another `instant`, taking this moment as the reference.
    pub fn wall_at(&self, instant: Instant) -> Timestamp {
        let offset = match instant.checked_duration_since(self.instant) {
            Some(ahead) => SignedDuration::try_from(ahead).unwrap_or(SignedDuration::MAX),
            None => {
                -SignedDuration::try_from(self.instant - instant).unwrap_or(SignedDuration::MAX)
            }
        };
        self.wall.checked_add(offset).unwrap_or(self.wall)
    }

    /// The moment `instant`, its wall-clock time taken with this moment as the reference.
    pub fn at(&self, instant: Instant) -> Self {
        Self {
            instant,
            wall: self.wall_at(instant),
        }
    }

    /// This moment moved on by `duration` on both clocks.
    pub fn after(&self, duration: Duration) -> Self {
        self.at(self.instant + duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_before_and_after_the_reference_map_to_the_wall_clock() {
        let now = Now::new(
            Instant::now(),
            Timestamp::from_second(1_790_000_000).unwrap(),
        );
        let later = now.instant + Duration::from_millis(1500);
        assert_eq!(now.wall_at(later).as_millisecond(), 1_790_000_001_500);
        let earlier = now.after(Duration::from_secs(10));
        assert_eq!(earlier.wall_at(now.instant), now.wall);
        assert_eq!(
            now.after(Duration::from_secs(3)).wall.as_second(),
            1_790_000_003
        );
    }
}
