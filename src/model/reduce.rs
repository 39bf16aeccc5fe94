//! Per-pixel reduction of a series for plotting (the "M4" reduction): of the readings that fall
//! into each pixel column of the plot, keep the first, the smallest, the largest and the last.
//! A line through those points draws the same pixels as a line through every reading, so a
//! spike that lasts one reading still shows, while the plot never gets more than four points
//! per column, however many readings the visible range holds.
//!
//! The points kept are real readings (time and value), so a cursor read-out near the line shows
//! a reading the meter sent, not an average.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{RegisterKey, Series};

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

/// Reduces the readings `(times[i], values[i])` for `window` into `out` (cleared first): at most
/// four points per column, plus the reading just before and just after the window so the line
/// runs on to the edges. Where the window holds few readings, they are all kept. `times` must
/// never decrease.
pub fn reduce(times: &[f64], values: &[f64], window: Window, out: &mut Vec<[f64; 2]>) {
    out.clear();
    let len = times.len().min(values.len());
    let (times, values) = (&times[..len], &values[..len]);
    let Window {
        x_min,
        x_max,
        columns,
    } = window;
    // Also refuses NaN edges, which compare as neither less nor greater.
    if len == 0 || columns == 0 || x_max.partial_cmp(&x_min) != Some(std::cmp::Ordering::Greater) {
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
        let end = start + times[start..hi].partition_point(|&t| t < edge).max(1);
        keep_extremes(values, start, end, out, times);
        start = end;
    }
    if hi < len {
        out.push([times[hi], values[hi]]);
    }
}

/// Pushes the first, smallest, largest and last reading of `start..end`, in time order, each once.
fn keep_extremes(values: &[f64], start: usize, end: usize, out: &mut Vec<[f64; 2]>, times: &[f64]) {
    let (mut min_at, mut max_at) = (start, start);
    let (mut min, mut max) = (values[start], values[start]);
    for (offset, &value) in values[start + 1..end].iter().enumerate() {
        if value < min {
            min = value;
            min_at = start + 1 + offset;
        }
        if value > max {
            max = value;
            max_at = start + 1 + offset;
        }
    }
    let mut keep = [start, min_at, max_at, end - 1];
    keep.sort_unstable();
    let mut last = None;
    for index in keep {
        if last != Some(index) {
            out.push([times[index], values[index]]);
            last = Some(index);
        }
    }
}

/// Revisions are unique across every series ever made, so a cache can never mistake a new
/// series for the one it was built from.
static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

/// A new revision number.
pub(super) fn next_revision() -> u64 {
    NEXT_REVISION.fetch_add(1, Ordering::Relaxed)
}

/// The reduction of one series for one window, computed again only when the series or the
/// window changes: most frames of a live plot reuse it.
#[derive(Clone, Debug, Default)]
pub struct ReducedSeries {
    built_for: Option<(RegisterKey, u64, Window)>,
    points: Vec<[f64; 2]>,
    builds: u64,
}

impl ReducedSeries {
    /// The points to draw `series` in `window`.
    pub fn get(&mut self, series: &Series, window: Window) -> &[[f64; 2]] {
        let wanted = (series.key(), series.revision(), window);
        if self.built_for != Some(wanted) {
            reduce(series.times(), series.values(), window, &mut self.points);
            self.built_for = Some(wanted);
            self.builds += 1;
        }
        &self.points
    }

    /// How many times the points were computed.
    pub fn builds(&self) -> u64 {
        self.builds
    }
}

#[cfg(test)]
mod tests;
