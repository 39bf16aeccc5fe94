//! Analog recordings cut to logic for the UART decoder: each channel's two levels are found
//! from the signal itself (its low and high percentiles), a threshold with hysteresis between
//! them turns volts into levels, and a level that does not last a minimum pulse is a glitch and
//! ignored. Slow RC edges, noise, an offset and an echo that does not swing as deep as the
//! answer are expected. The level a channel starts at is its idle level: one that idles low (an
//! inverting head) is handed on the right way up.
//!
//! Streamed: the source is read once for each channel's range, once for its levels, and then
//! once per replay, never held in memory.

use std::ops::ControlFlow;

use super::raw::{Change, LineFound, Replay};

mod heard;

pub use heard::{Heard, heard};

/// A level shorter than this is a glitch: well under half a bit at 9600 baud.
const MIN_PULSE_S: f64 = 20e-6;
/// The share of samples below the low level and above the high one.
const PERCENTILE: f64 = 0.02;
/// Hysteresis on each side of the threshold, as a share of the swing.
const HYSTERESIS: f64 = 0.15;
/// Bins of the histogram the levels are read from.
const BINS: usize = 1024;

/// A recording of volts: channels sampled together.
pub trait AnalogSource {
    /// The channels' names.
    fn names(&self) -> &[String];
    /// Visits every sample from the start, its time in seconds and each channel's volts, until
    /// `visit` breaks.
    fn samples(
        &mut self,
        visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
    ) -> Result<(), String>;
}

/// What one channel's signal says of itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levels {
    /// The low level, volts.
    pub low: f32,
    /// The high level, volts.
    pub high: f32,
    /// Where a level changes, volts.
    pub threshold: f32,
    /// Whether the line idles low (an inverting head): the level it starts at.
    pub inverted: bool,
}

impl Levels {
    /// How far the signal swings.
    pub fn swing(&self) -> f32 {
        self.high - self.low
    }
}

/// What a channel's signal said of itself, for the findings on the head.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelSignal {
    /// The channel's name.
    pub name: String,
    /// Its levels and threshold.
    pub levels: Levels,
    /// How long its rising edges take from 10 % to 90 % of the swing, on average, in seconds;
    /// none when it has no edge.
    pub rise_s: Option<f64>,
}

/// The signals of an analog recording's TX and RX channels.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalogSignal {
    /// The channel the decoder took for TX.
    pub tx: ChannelSignal,
    /// The channel it took for RX.
    pub rx: ChannelSignal,
    /// How deep RX swings for the echo and for the answer.
    pub heard: Option<Heard>,
}

impl AnalogSignal {
    /// The channels of `signals` named as TX and RX in `line`.
    pub fn of(signals: &[ChannelSignal], line: &LineFound) -> Option<Self> {
        let named = |name: &str| signals.iter().find(|signal| signal.name == name).cloned();
        Some(Self {
            tx: named(&line.tx)?,
            rx: named(&line.rx)?,
            heard: None,
        })
    }
}

/// An analog source replayed as logic; see the module documentation.
pub struct AnalogReplay<S> {
    source: S,
    levels: Vec<Levels>,
    min_pulse: f64,
    /// Each channel's rising edges in the last replay: their count and total time.
    rises: Vec<(u32, f64)>,
    /// For an AC-coupled recording: levels are followed by their edges.
    edges: Option<EdgeCut>,
}

/// How an AC-coupled channel's edges are found: a change over `lag` samples larger than its
/// channel's `step` (half the usual jump of an edge). Between edges such a signal drifts back
/// to zero, so its level is not its voltage but the direction of its last edge.
#[derive(Clone, Debug)]
struct EdgeCut {
    lag: usize,
    step: Vec<f32>,
}

/// How far an edge reaches: over this time the change of an edge is measured.
const EDGE_SPAN_S: f64 = 60e-6;
/// The share of |changes| below an edge's usual jump.
const JUMP_PERCENTILE: f64 = 0.999;

impl<S: AnalogSource> AnalogReplay<S> {
    /// Reads `source` twice to find each channel's levels; `threshold` overrides the threshold
    /// found.
    pub fn new(mut source: S, threshold: Option<f32>) -> Result<Self, String> {
        let channels = source.names().len();
        let mut range = vec![(f32::INFINITY, f32::NEG_INFINITY); channels];
        let (count, interval) = timed_pass(&mut source, &mut |values| {
            for (range, &value) in range.iter_mut().zip(values) {
                if value.is_finite() {
                    range.0 = range.0.min(value);
                    range.1 = range.1.max(value);
                }
            }
        })?;
        let mut histograms = vec![vec![0u64; BINS]; channels];
        let mut starts: Vec<f32> = Vec::new();
        let bin = |value: f32, (low, high): (f32, f32)| -> usize {
            let span = (high - low).max(f32::EPSILON);
            (((value - low) / span) * (BINS - 1) as f32).clamp(0.0, (BINS - 1) as f32) as usize
        };
        source.samples(&mut |_, values| {
            if starts.is_empty() {
                starts = values.to_vec();
            }
            for ((histogram, &range), &value) in histograms.iter_mut().zip(&range).zip(values) {
                if value.is_finite() {
                    histogram[bin(value, range)] += 1;
                }
            }
            ControlFlow::Continue(())
        })?;
        let levels: Vec<Levels> = histograms
            .iter()
            .zip(&range)
            .zip(&starts)
            .map(|((histogram, &(low, high)), &start)| {
                let at = |share: f64| low + (high - low) * quantile(histogram, count, share);
                let (low, high) = (at(PERCENTILE), at(1.0 - PERCENTILE));
                let threshold = threshold.unwrap_or((low + high) / 2.0);
                Levels {
                    low,
                    high,
                    threshold,
                    inverted: start < threshold,
                }
            })
            .collect();
        Ok(Self {
            source,
            rises: vec![(0, 0.0); levels.len()],
            levels,
            min_pulse: MIN_PULSE_S.max(interval * 1.5),
            edges: None,
        })
    }

    /// An AC-coupled recording (a sound card's), read by its edges: each channel's usual jump
    /// is found from the signal, and the direction of its first edge tells its idle level.
    pub fn ac_coupled(mut source: S) -> Result<Self, String> {
        let channels = source.names().len();
        let (_, interval) = timed_pass(&mut source, &mut |_| {})?;
        let lag = ((EDGE_SPAN_S / interval).round() as usize).max(1);
        // The largest change over `lag` samples, then how often each size comes.
        let mut largest = vec![0f32; channels];
        changes(&mut source, lag, &mut |channel, change| {
            largest[channel] = largest[channel].max(change.abs());
        })?;
        let mut histograms = vec![vec![0u64; BINS]; channels];
        changes(&mut source, lag, &mut |channel, change| {
            let span = largest[channel].max(f32::EPSILON);
            let bin = ((change.abs() / span) * (BINS - 1) as f32) as usize;
            histograms[channel][bin.min(BINS - 1)] += 1;
        })?;
        let jumps: Vec<f32> = histograms
            .iter()
            .zip(&largest)
            .map(|(histogram, &largest)| {
                let total: u64 = histogram.iter().sum();
                largest * quantile(histogram, total, JUMP_PERCENTILE)
            })
            .collect();
        let step: Vec<f32> = jumps.iter().map(|jump| jump / 2.0).collect();
        // The first edge of each channel: falling from an idle high, or rising from a low one.
        let mut first_edge: Vec<Option<bool>> = vec![None; channels];
        changes(&mut source, lag, &mut |channel, change| {
            if first_edge[channel].is_none() && change.abs() > step[channel] && step[channel] > 0.0
            {
                first_edge[channel] = Some(change > 0.0);
            }
        })?;
        let levels = jumps
            .iter()
            .zip(&first_edge)
            .map(|(&jump, first)| Levels {
                low: -jump / 2.0,
                high: jump / 2.0,
                threshold: 0.0,
                inverted: *first == Some(true),
            })
            .collect();
        Ok(Self {
            source,
            rises: vec![(0, 0.0); channels],
            levels,
            min_pulse: MIN_PULSE_S.max(interval * 1.5),
            edges: Some(EdgeCut { lag, step }),
        })
    }

    /// Whether its levels are volts: a sound card's (AC-coupled, read by its edges) are in
    /// units of full scale, and its polarity may be the card's.
    pub fn in_volts(&self) -> bool {
        self.edges.is_none()
    }

    /// Each channel's levels.
    pub fn levels(&self) -> &[Levels] {
        &self.levels
    }

    /// What each channel's signal said of itself in the last replay.
    pub fn signal(&self) -> Vec<ChannelSignal> {
        self.source
            .names()
            .iter()
            .zip(&self.levels)
            .zip(&self.rises)
            .map(|((name, &levels), &(count, total))| ChannelSignal {
                name: name.clone(),
                levels,
                rise_s: (count > 0).then(|| total / f64::from(count)),
            })
            .collect()
    }
}

/// Visits every sample of `source`; gives how many there are and the time between the first
/// two, or why the source is no recording to cut.
fn timed_pass<S: AnalogSource>(
    source: &mut S,
    visit: &mut dyn FnMut(&[f32]),
) -> Result<(u64, f64), String> {
    let (mut count, mut first, mut second) = (0u64, None, None);
    source.samples(&mut |t, values| {
        count += 1;
        match (first, second) {
            (None, _) => first = Some(t),
            (Some(_), None) => second = Some(t),
            _ => {}
        }
        visit(values);
        ControlFlow::Continue(())
    })?;
    if count < 2 {
        return Err("fewer than two samples".into());
    }
    match (first, second) {
        (Some(a), Some(b)) if b > a => Ok((count, b - a)),
        _ => Err("the samples' times do not grow".into()),
    }
}

/// Where in `histogram` (of `total` values in [`BINS`] bins over a range) the `share` of them
/// lies below: a fraction of the range, from 0 to 1.
fn quantile(histogram: &[u64], total: u64, share: f64) -> f32 {
    let wanted = (total as f64 * share) as u64;
    let mut seen = 0;
    let index = histogram
        .iter()
        .position(|&n| {
            seen += n;
            seen > wanted
        })
        .unwrap_or(BINS - 1);
    index as f32 / (BINS - 1) as f32
}

/// Visits each channel's change over `lag` samples, from the `lag`-th sample on.
fn changes<S: AnalogSource>(
    source: &mut S,
    lag: usize,
    visit: &mut dyn FnMut(usize, f32),
) -> Result<(), String> {
    let mut behind: Vec<std::collections::VecDeque<f32>> = Vec::new();
    source.samples(&mut |_, values| {
        if behind.is_empty() {
            behind = vec![std::collections::VecDeque::with_capacity(lag + 1); values.len()];
        }
        for (channel, (behind, &value)) in behind.iter_mut().zip(values).enumerate() {
            if !value.is_finite() {
                continue;
            }
            behind.push_back(value);
            if behind.len() > lag
                && let Some(then) = behind.pop_front()
            {
                visit(channel, value - then);
            }
        }
        ControlFlow::Continue(())
    })
}

/// One channel's level as the replay follows it.
#[derive(Clone, Copy)]
struct Follow {
    level: Option<bool>,
    /// A change seen and not yet lasting a minimum pulse: when, and to what.
    pending: Option<(f64, bool)>,
    /// The last time the signal was at or under 10 % of its swing, while it has not yet risen
    /// to 90 % since.
    low_at: Option<f64>,
}

impl<S: AnalogSource> Replay for AnalogReplay<S> {
    fn names(&self) -> &[String] {
        self.source.names()
    }

    fn replay(&mut self, visit: &mut dyn FnMut(Change)) -> Result<f64, String> {
        let levels = self.levels.clone();
        let min_pulse = self.min_pulse;
        let edges = self.edges.clone();
        let mut behind: Vec<std::collections::VecDeque<f32>> =
            vec![std::collections::VecDeque::new(); if edges.is_some() { levels.len() } else { 0 }];
        let mut follow = vec![
            Follow {
                level: None,
                pending: None,
                low_at: None,
            };
            levels.len()
        ];
        let rises = &mut self.rises;
        rises.iter_mut().for_each(|rise| *rise = (0, 0.0));
        // Changes confirmed, waiting until no earlier one can come (a change is confirmed a
        // minimum pulse after it happened).
        let mut confirmed: Vec<(f64, usize, bool)> = Vec::new();
        // Hysteresis within the reach of the threshold from the idle level: a threshold given
        // near the idle level (to read a faint answer) keeps a narrow band.
        let bands: Vec<f32> = levels
            .iter()
            .map(|levels| {
                let reach = if levels.inverted {
                    levels.threshold - levels.low
                } else {
                    levels.high - levels.threshold
                };
                levels.swing().abs().min(2.0 * reach.abs()) * HYSTERESIS as f32
            })
            .collect();
        let mut end = 0.0;
        self.source.samples(&mut |t, values| {
            end = t;
            for (channel, (((follow, levels), &band), &value)) in follow
                .iter_mut()
                .zip(&levels)
                .zip(&bands)
                .zip(values)
                .enumerate()
            {
                if value.is_finite() && edges.is_none() {
                    let tenth = levels.swing() / 10.0;
                    if value <= levels.low + tenth {
                        follow.low_at = Some(t);
                    } else if value >= levels.high - tenth
                        && let Some(from) = follow.low_at.take()
                    {
                        rises[channel].0 += 1;
                        rises[channel].1 += t - from;
                    }
                }
                let now = follow.pending.map_or(follow.level, |(_, to)| Some(to));
                let seen = match &edges {
                    _ if !value.is_finite() => continue,
                    Some(cut) => {
                        let behind = &mut behind[channel];
                        behind.push_back(value);
                        let change = if behind.len() > cut.lag {
                            behind.pop_front().map_or(0.0, |then| value - then)
                        } else {
                            0.0
                        };
                        match now {
                            Some(false) if change > cut.step[channel] => true,
                            Some(true) if change < -cut.step[channel] => false,
                            Some(level) => level,
                            // Before its first edge a line is at its idle level.
                            None => !levels.inverted,
                        }
                    }
                    None => match now {
                        Some(true) if value < levels.threshold - band => false,
                        Some(false) if value > levels.threshold + band => true,
                        Some(level) => level,
                        None => value > levels.threshold,
                    },
                };
                match (follow.level, follow.pending) {
                    (None, _) => {
                        follow.level = Some(seen);
                        visit(Change::Initial {
                            channel,
                            level: seen != levels.inverted,
                        });
                    }
                    // Back before it lasted: a glitch.
                    (Some(level), Some(_)) if seen == level => follow.pending = None,
                    (Some(_), Some((at, to))) if t - at >= min_pulse => {
                        // An inverting head's line is handed on the right way up.
                        confirmed.push((at, channel, to != levels.inverted));
                        follow.level = Some(to);
                        follow.pending = None;
                    }
                    (Some(level), None) if seen != level => follow.pending = Some((t, seen)),
                    _ => {}
                }
            }
            if confirmed
                .first()
                .is_some_and(|&(at, ..)| t - at > 2.0 * min_pulse)
            {
                confirmed.sort_by(|a, b| a.0.total_cmp(&b.0));
                let ready = confirmed.partition_point(|&(at, ..)| t - at > 2.0 * min_pulse);
                for (at, channel, level) in confirmed.drain(..ready) {
                    visit(Change::Edge {
                        channel,
                        t: at,
                        level,
                    });
                }
            }
            ControlFlow::Continue(())
        })?;
        confirmed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (at, channel, level) in confirmed {
            visit(Change::Edge {
                channel,
                t: at,
                level,
            });
        }
        Ok(end)
    }
}

#[cfg(test)]
mod tests;
