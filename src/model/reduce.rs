//! Per-pixel reduction of a series for plotting (the "M4" reduction): of the readings that fall
//! into each pixel column of the plot, keep the first, the smallest, the largest and the last.
//! A line through those points draws the same pixels as a line through every reading, so a
//! spike that lasts one reading still shows, while the plot never gets more than four points
//! per column, however many readings the visible range holds.
//!
//! The points kept are real readings (time and value), so a cursor read-out near the line shows
//! a reading the meter sent, not an average.

use std::cmp::Ordering;
use std::sync::atomic::{self, AtomicU64};

/// The part of a plot on screen: the time range and the pixel columns it spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Left edge, Unix seconds.
    pub x_min: f64,
    /// Right edge, Unix seconds.
    pub x_max: f64,
    /// Pixel columns between them.
    pub columns: usize,
}

/// Readings in the summary blocks of [`Samples`].
const BLOCK: usize = 64;

/// Where the smallest and largest value of a run of readings are.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Extremes {
    min_at: usize,
    max_at: usize,
}

/// Times and plot values of a series in columns, with the extremes of every block of 64
/// readings kept as they arrive, so a reduction skips over whole blocks instead of reading every
/// value: about one value in six for a week on a 1,200-pixel plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    times: Vec<f64>,
    values: Vec<f64>,
    blocks: Vec<Extremes>,
}

impl FromIterator<(f64, f64)> for Samples {
    fn from_iter<I: IntoIterator<Item = (f64, f64)>>(readings: I) -> Self {
        let mut samples = Self::default();
        for (at, value) in readings {
            samples.push(at, value);
        }
        samples
    }
}

impl Samples {
    /// Adds a reading. A time before the last one is moved up to it: plots and the reduction
    /// rely on times that never decrease.
    pub fn push(&mut self, at: f64, value: f64) {
        let at = self.times.last().map_or(at, |&last| at.max(last));
        let index = self.times.len();
        self.times.push(at);
        self.values.push(value);
        if index.is_multiple_of(BLOCK) {
            self.blocks.push(Extremes {
                min_at: index,
                max_at: index,
            });
        } else if let Some(block) = self.blocks.last_mut() {
            if value < self.values[block.min_at] {
                block.min_at = index;
            }
            if value > self.values[block.max_at] {
                block.max_at = index;
            }
        }
    }

    /// Unix times in seconds, never decreasing.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// The values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// How many readings there are.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Reduces the readings for `window` into `out` (cleared first): at most four points per
    /// column, plus the reading just before and just after the window so the line runs on to
    /// the edges. Where the window holds few readings, they are all kept.
    pub fn reduce(&self, window: Window, out: &mut Vec<[f64; 2]>) {
        out.clear();
        let (times, values) = (&self.times[..], &self.values[..]);
        let len = times.len();
        let Window {
            x_min,
            x_max,
            columns,
        } = window;
        // Also refuses NaN edges, which compare as neither less nor greater.
        if len == 0 || columns == 0 || x_max.partial_cmp(&x_min) != Some(Ordering::Greater) {
            return;
        }
        let lo = times.partition_point(|&t| t < x_min);
        let hi = times.partition_point(|&t| t <= x_max);
        let before = lo.saturating_sub(1);
        let after = (hi + 1).min(len);
        if after - before <= 4 * columns {
            out.extend((before..after).map(|i| [times[i], values[i]]));
            return;
        }
        if before < lo {
            out.push([times[before], values[before]]);
        }
        let column_width = (x_max - x_min) / columns as f64;
        let mut start = lo;
        let mut previous = None;
        let mut hint = 1;
        while start < hi {
            let mut column = ((times[start] - x_min) / column_width) as usize;
            // Rounding may put the first reading past an edge back into the column before it.
            if let Some(previous) = previous
                && column <= previous
            {
                column = previous + 1;
            }
            previous = Some(column);
            let edge = x_min + (column + 1) as f64 * column_width;
            // At least one reading per column, whatever the rounding of the edge.
            let end = start + first_at_or_after(&times[start..hi], edge, hint).max(1);
            hint = end - start;
            let Extremes { min_at, max_at } = self.extremes(start, end);
            let mut keep = [start, min_at, max_at, end - 1];
            keep.sort_unstable();
            let mut last = None;
            for index in keep {
                if last != Some(index) {
                    out.push([times[index], values[index]]);
                    last = Some(index);
                }
            }
            start = end;
        }
        if hi < len {
            out.push([times[hi], values[hi]]);
        }
    }

    /// The extremes of readings `start..end` (not empty): whole blocks from their summaries,
    /// the partial blocks at either end reading by reading.
    fn extremes(&self, start: usize, end: usize) -> Extremes {
        let values = &self.values;
        let mut found = Extremes {
            min_at: start,
            max_at: start,
        };
        let take = |found: &mut Extremes, min_at: usize, max_at: usize| {
            if values[min_at] < values[found.min_at] {
                found.min_at = min_at;
            }
            if values[max_at] > values[found.max_at] {
                found.max_at = max_at;
            }
        };
        let mut index = start;
        while index < end {
            if index.is_multiple_of(BLOCK) && index + BLOCK <= end {
                let block = self.blocks[index / BLOCK];
                take(&mut found, block.min_at, block.max_at);
                index += BLOCK;
            } else {
                take(&mut found, index, index);
                index += 1;
            }
        }
        found
    }
}

/// The index of the first time at or after `edge`, searched for outwards from `hint` (the
/// length of the column before): readings usually come at a steady rate, so the answer is a
/// step or two away, where a binary search over the rest of a million readings would miss the
/// cache at every step.
fn first_at_or_after(times: &[f64], edge: f64, hint: usize) -> usize {
    let len = times.len();
    let guess = hint.min(len);
    let (mut low, mut high);
    let mut step = 1;
    if guess < len && times[guess] < edge {
        // The answer lies after the guess; everything before `low` is before the edge.
        low = guess + 1;
        high = low.min(len);
        while high < len && times[high] < edge {
            low = high + 1;
            high = (high + step).min(len);
            step *= 2;
        }
    } else {
        // The answer lies at or before the guess; everything from `high` on is at the edge or after.
        high = guess;
        low = guess;
        while low > 0 && times[low - 1] >= edge {
            high = low - 1;
            low = low.saturating_sub(step);
            step *= 2;
        }
    }
    low + times[low..high].partition_point(|&t| t < edge)
}

/// Revisions are unique across every series ever made, so a cache can never mistake a new
/// series for the one it was built from.
static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

/// A new revision number.
pub(super) fn next_revision() -> u64 {
    NEXT_REVISION.fetch_add(1, atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests;
