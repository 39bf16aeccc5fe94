//! The live plots: one per register, against local time, with linked time axes. Each plot draws
//! the per-pixel reduction of its visible range ([`crate::model::ReducedSeries`]), never every
//! reading, so a week of readings draws as fast as a minute of them.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use egui::{Color32, Ui};
use egui_plot::{GridInput, GridMark, HoverPosition, Line, Plot, PlotPoints};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::{ReducedSeries, RegisterKey, Series, Window};

/// How much time the plots show while following, until the user zooms.
const DEFAULT_SPAN_S: f64 = 600.0;
/// The narrowest span zooming may give while following.
const MIN_SPAN_S: f64 = 10.0;
/// Time-axis steps a person reads easily, in seconds.
const TIME_STEPS: [f64; 16] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    21_600.0, 86_400.0,
];
/// Line colours, one per plot in turn.
const COLOURS: [Color32; 4] = [
    Color32::from_rgb(90, 170, 255),
    Color32::from_rgb(255, 170, 60),
    Color32::from_rgb(120, 210, 120),
    Color32::from_rgb(220, 120, 220),
];

/// A plot as the Live screen draws one, before its lines: `height`, time axes linked in
/// `group`, readable time and value marks, local time in `zone`, the hover read-out with `unit`.
/// Public so the frame benchmark can hand it every reading to compare.
pub fn styled_plot<'a>(
    id: impl egui::AsIdSalt,
    height: f32,
    group: egui::Id,
    zone: &TimeZone,
    unit: &str,
    axis_label: String,
) -> Plot<'a> {
    let (zone, hover_zone, hover_unit) = (zone.clone(), zone.clone(), unit.to_string());
    Plot::new(id)
        .height(height)
        .link_axis(group, [true, false])
        .link_cursor(group, [true, false])
        .x_grid_spacer(time_marks)
        .y_grid_spacer(value_marks)
        .y_axis_formatter(|mark, _| {
            // As many decimals as the step needs: 0.02 steps read 123.46, not 123.5.
            let decimals = (-mark.step_size.log10().floor()).clamp(0.0, 12.0) as usize;
            format!("{:.decimals$}", mark.value)
        })
        .x_axis_formatter(move |mark, range| clock(&zone, mark.value, range))
        .y_axis_label(axis_label)
        .y_axis_min_width(80.0)
        .label_formatter(move |position| read_out(&hover_zone, position, &hover_unit))
}

/// What one plot shows: the series and how to label it.
pub struct PlotSpec<'a> {
    /// The readings.
    pub series: &'a Series,
    /// The register's name, such as "Flow V1".
    pub name: String,
}

/// The plots' own state: whether they follow the newest reading, the span they show while
/// following, and the reductions last drawn.
pub struct LivePlots {
    following: bool,
    reset_bounds: bool,
    span_s: f64,
    /// The time range drawn last, in Unix seconds.
    shown: Option<RangeInclusive<f64>>,
    caches: HashMap<RegisterKey, ReducedSeries>,
    zone: TimeZone,
}

impl Default for LivePlots {
    fn default() -> Self {
        Self::new(TimeZone::system())
    }
}

impl LivePlots {
    /// Plots that label time in `zone`.
    pub fn new(zone: TimeZone) -> Self {
        Self {
            following: true,
            reset_bounds: false,
            span_s: DEFAULT_SPAN_S,
            shown: None,
            caches: HashMap::new(),
            zone,
        }
    }

    /// Whether the plots move with the newest reading.
    pub fn following(&self) -> bool {
        self.following
    }

    /// Pauses the view, or follows the newest reading again.
    pub fn toggle_following(&mut self) {
        self.following = !self.following;
    }

    /// Stops following and shows every reading (until the user zooms or pans).
    pub fn show_all(&mut self, ctx: &egui::Context) {
        self.following = false;
        self.reset_bounds = true;
        ctx.request_repaint();
    }

    /// The time range drawn last, in Unix seconds.
    pub fn shown(&self) -> Option<RangeInclusive<f64>> {
        self.shown.clone()
    }

    /// How many times the reductions were computed, over all plots.
    pub fn reductions(&self) -> u64 {
        self.caches.values().map(ReducedSeries::builds).sum()
    }

    /// Draws one plot per spec, sharing the height left in `ui`.
    pub fn ui(&mut self, ui: &mut Ui, specs: &[PlotSpec<'_>]) {
        let (Some(first), Some(latest)) = (
            specs
                .iter()
                .filter_map(|spec| spec.series.times().first().copied())
                .reduce(f64::min),
            specs
                .iter()
                .filter_map(|spec| spec.series.times().last().copied())
                .reduce(f64::max),
        ) else {
            ui.label("No readings yet.");
            return;
        };
        let gap = ui.spacing().item_spacing.y;
        let height =
            ((ui.available_height() - gap * specs.len() as f32) / specs.len() as f32).max(140.0);
        let follow_range = follow_window(first, latest, self.span_s);
        let group = egui::Id::unique("live-time-axis");
        let pixels_per_point = ui.ctx().pixels_per_point();
        for (index, spec) in specs.iter().enumerate() {
            let unit = spec.series.unit();
            let axis_label = if unit.is_empty() {
                spec.name.clone()
            } else {
                format!("{} [{unit}]", spec.name)
            };
            let cache = self.caches.entry(spec.series.key()).or_default();
            let following = self.following;
            let colour = COLOURS[index % COLOURS.len()];
            let line_name = spec.name.clone();
            let mut plot = styled_plot(
                ("live-plot", spec.series.key()),
                height,
                group,
                &self.zone,
                unit,
                axis_label,
            );
            if self.reset_bounds {
                plot = plot.reset();
            }
            let response = plot.show(ui, |plot_ui| {
                let range = if following {
                    plot_ui.set_plot_bounds_x(follow_range.clone());
                    follow_range.clone()
                } else if plot_ui.auto_bounds().x {
                    // Fitting (at first, or after a double-click): reduce the whole series,
                    // and egui_plot fits the view to it.
                    full_range(spec.series)
                } else {
                    plot_ui.plot_bounds().range_x()
                };
                if index == 0 {
                    self.shown = Some(range.clone());
                }
                let columns = (plot_ui.response().rect.width() * pixels_per_point) as usize;
                let window = Window {
                    x_min: *range.start(),
                    x_max: *range.end(),
                    columns,
                };
                let points = cache.get(spec.series, window).to_vec();
                if following && let Some(range) = fitted(&points) {
                    plot_ui.set_plot_bounds_y(range);
                }
                plot_ui.line(
                    Line::new(line_name, PlotPoints::new(points))
                        .color(colour)
                        .width(1.5),
                );
            });
            if self.following {
                if response.response.dragged() {
                    // Dragging the plot means looking back: stop following.
                    self.following = false;
                } else {
                    // Zooming while following changes how much time is shown; a width other
                    // than the one set can only come from the user.
                    let set = follow_range.end() - follow_range.start();
                    let width = response.transform.bounds().width();
                    if (width - set).abs() > set * 1e-6 {
                        self.span_s = (width / 1.02).max(MIN_SPAN_S);
                    }
                }
            }
        }
        self.reset_bounds = false;
    }
}

/// The time range shown while following: the last `span` seconds up to the newest reading
/// `latest`, with a little room after it, but never before the `first` reading: the window
/// starts with the readings and grows until it is full, rather than showing minutes of empty axis.
fn follow_window(first: f64, latest: f64, span: f64) -> RangeInclusive<f64> {
    let start = (latest - span).max(first);
    let width = (latest - start).max(MIN_SPAN_S);
    start..=start + width * 1.02
}

/// The time range of all of a series' readings.
fn full_range(series: &Series) -> RangeInclusive<f64> {
    match (series.times().first(), series.times().last()) {
        (Some(&first), Some(&last)) if last > first => first..=last,
        (Some(&only), _) => (only - 1.0)..=(only + 1.0),
        _ => 0.0..=1.0,
    }
}

/// A value range that fits `points` with a margin; a flat line gets a small band around it
/// rather than egui_plot's default span around zero.
fn fitted(points: &[[f64; 2]]) -> Option<RangeInclusive<f64>> {
    let (low, high) = points.iter().fold(None, |range, &[_, y]| match range {
        None => Some((y, y)),
        Some((low, high)) => Some((f64::min(low, y), f64::max(high, y))),
    })?;
    let margin = ((high - low) * 0.08).max(high.abs().max(low.abs()).max(1.0) * 0.001);
    Some((low - margin)..=(high + margin))
}

/// Grid marks on the time axis at steps a person reads easily (10 s, 1 min, 5 min, 1 h…),
/// every fifth or so drawn stronger.
fn time_marks(input: GridInput) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let wanted = (max - min) / 8.0;
    let step_index = TIME_STEPS
        .iter()
        .position(|&step| step >= wanted.max(input.base_step_size))
        .unwrap_or(TIME_STEPS.len() - 1);
    let step = TIME_STEPS[step_index];
    let coarse = TIME_STEPS
        .get(step_index + 2)
        .copied()
        .unwrap_or(step * 10.0);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last)
        .take(200)
        .map(|n| {
            let value = n as f64 * step;
            let strong = (value / coarse).fract().abs() < 1e-9;
            GridMark {
                value,
                step_size: if strong { coarse } else { step },
            }
        })
        .collect()
}

/// Grid marks on a value axis at 1, 2 or 5 times a power of ten, four to eight of them.
fn value_marks(input: GridInput) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let wanted = ((max - min) / 8.0)
        .max(input.base_step_size)
        .max(f64::MIN_POSITIVE);
    let decade = 10f64.powf(wanted.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * decade)
        .find(|&step| step >= wanted)
        .unwrap_or(10.0 * decade);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last)
        .take(100)
        .map(|n| GridMark {
            value: n as f64 * step,
            step_size: step,
        })
        .collect()
}

/// Unix seconds as local clock time: seconds shown when the view is short, the date when long.
fn clock(zone: &TimeZone, seconds: f64, range: &RangeInclusive<f64>) -> String {
    let Ok(at) = Timestamp::from_millisecond((seconds * 1000.0).round() as i64) else {
        return String::new();
    };
    let span = range.end() - range.start();
    let format = if span > 2.0 * 86_400.0 {
        "%m-%d %H:%M"
    } else if span > 600.0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    at.to_zoned(zone.clone()).strftime(format).to_string()
}

/// The cursor read-out: the reading nearest the pointer, or the time and value under it.
fn read_out(zone: &TimeZone, position: &HoverPosition<'_>, unit: &str) -> Option<String> {
    let (prefix, point) = match position {
        HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } => (format!("{plot_name}\n"), position),
        HoverPosition::Elsewhere { position } => (String::new(), position),
    };
    let at = Timestamp::from_millisecond((point.x * 1000.0).round() as i64).ok()?;
    let time = at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M:%S");
    Some(format!("{prefix}{time}\n{} {unit}", significant(point.y)))
}

/// A value with as many decimals as its size calls for.
fn significant(value: f64) -> String {
    let decimals = match value.abs() {
        v if v >= 1000.0 => 0,
        v if v >= 10.0 => 2,
        _ => 3,
    };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_line_gets_a_narrow_band_and_a_varied_one_a_margin() {
        let flat = fitted(&[[0.0, 123.456], [1.0, 123.456]]).unwrap();
        assert!(*flat.start() > 123.3 && *flat.end() < 123.6, "{flat:?}");
        let varied = fitted(&[[0.0, 0.0], [1.0, 100.0]]).unwrap();
        assert_eq!(varied, -8.0..=108.0);
        assert_eq!(fitted(&[]), None);
    }

    #[test]
    fn the_followed_window_starts_at_the_first_reading_and_grows_until_full() {
        let first = 1_000_000.0;
        let just_begun = follow_window(first, first, DEFAULT_SPAN_S);
        assert_eq!(*just_begun.start(), first);
        assert!(
            *just_begun.end() - first < 2.0 * MIN_SPAN_S,
            "{just_begun:?}"
        );
        let a_minute_in = follow_window(first, first + 60.0, DEFAULT_SPAN_S);
        assert_eq!(*a_minute_in.start(), first);
        assert!(
            (*a_minute_in.end() - (first + 61.2)).abs() < 1e-6,
            "{a_minute_in:?}"
        );
        let an_hour_in = follow_window(first, first + 3600.0, DEFAULT_SPAN_S);
        assert_eq!(*an_hour_in.start(), first + 3600.0 - DEFAULT_SPAN_S);
        assert!(
            (*an_hour_in.end() - (first + 3612.0)).abs() < 1e-6,
            "{an_hour_in:?}"
        );
    }

    #[test]
    fn time_marks_fall_on_whole_minutes_when_ten_minutes_are_shown() {
        let marks = time_marks(GridInput {
            bounds: (1_000_000.0, 1_000_600.0),
            base_step_size: 1.0,
        });
        assert!(marks.len() >= 5 && marks.len() <= 12, "{}", marks.len());
        assert!(marks.iter().all(|mark| mark.value % 60.0 == 0.0));
    }

    #[test]
    fn value_marks_step_by_one_two_or_five_times_a_power_of_ten() {
        let marks = value_marks(GridInput {
            bounds: (350.0, 480.0),
            base_step_size: 0.1,
        });
        let values: Vec<f64> = marks.iter().map(|mark| mark.value).collect();
        assert_eq!(values, [360.0, 380.0, 400.0, 420.0, 440.0, 460.0, 480.0]);
    }

    #[test]
    fn the_clock_shows_seconds_only_for_short_spans() {
        let utc = TimeZone::UTC;
        assert_eq!(clock(&utc, 3661.0, &(0.0..=60.0)), "01:01:01");
        assert_eq!(clock(&utc, 3661.0, &(0.0..=3600.0)), "01:01");
        assert_eq!(clock(&utc, 3661.0, &(0.0..=864_000.0)), "01-01 01:01");
    }
}
