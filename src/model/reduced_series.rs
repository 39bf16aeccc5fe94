//! The reduction of a series kept for the plot that shows it: computed again only when the
//! series or the window changes.

use super::{RegisterKey, Series, Window};

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
            series.samples().reduce(window, &mut self.points);
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
