//! How deep the receiver swings for the head's own echo and for the meter's answer. A head that
//! hears its own LED far better than the meter's sets the threshold by the echo, and a faint
//! answer never crosses it: the recording then looks like "echo only" while the meter did
//! answer. The volts in the time after each request tell that apart from a silent meter. Taken
//! from a recording's first exchanges, reading the recording only as far as they go.

use std::ops::ControlFlow;

use super::{AnalogReplay, AnalogSource, BINS, PERCENTILE};
use crate::capture::Event;
use crate::capture::analysis::{FrameDirection, analyse};
use crate::capture::raw::LineFound;

/// The longest wait for an answer after a request, in seconds.
const ANSWER_WAIT_S: f64 = 1.0;
/// The events the measure is taken from: the first exchanges of a recording say how the head
/// hears, and an hour-long one is not read once more to its end for it.
const EVENTS_MEASURED: usize = 8192;

/// How far RX swings from its idle level, in volts, while it hears the echo and the answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heard {
    /// While it hears the head's own request.
    pub echo_v: f32,
    /// While it hears the meter's answer; where no answer was read, after the requests, where
    /// an answer would be.
    pub answer_v: f32,
    /// Whether an answer was read.
    pub answer_read: bool,
    /// How far it swings before the first request, where nothing is sent: its noise.
    pub idle_v: f32,
    /// RX's idle level, volts: its median before the first request.
    pub idle_level: f32,
    /// Which way from the idle level RX swings: down, unless the head inverts.
    pub swings_down: bool,
}

impl Heard {
    /// The threshold halfway into the answer's swing: one that reads it.
    pub fn answer_threshold(&self) -> f32 {
        let half = self.answer_v / 2.0;
        if self.swings_down {
            self.idle_level - half
        } else {
            self.idle_level + half
        }
    }
}

/// What RX's volts say of the echo and the answer of the exchanges in `events`, decoded from
/// `replay` as `line`; none without an echo, or for a recording whose levels are no volts.
pub fn heard<S: AnalogSource>(
    replay: &mut AnalogReplay<S>,
    events: &[Event],
    line: &LineFound,
) -> Result<Option<Heard>, String> {
    if !replay.in_volts() {
        return Ok(None);
    }
    let analysis = analyse(&events[..events.len().min(EVENTS_MEASURED)], None);
    // The analysis puts swapped channels right: RX is the channel its answers came on.
    let rx_name = if analysis.swapped { &line.tx } else { &line.rx };
    let Some(channel) = replay
        .source
        .names()
        .iter()
        .position(|name| name == rx_name)
    else {
        return Ok(None);
    };
    let byte_s = line.byte_s();
    let stretch = |frame: &crate::capture::analysis::Frame| {
        Some((frame.t?, frame.t_last.unwrap_or(frame.t?) + byte_s))
    };
    let frames = &analysis.frames;
    let of = |direction| -> Vec<(f64, f64)> {
        frames
            .iter()
            .filter(|frame| frame.direction == direction)
            .filter_map(stretch)
            .collect()
    };
    let echoes = of(FrameDirection::Echo);
    let Some(&(first, _)) = echoes.first() else {
        return Ok(None);
    };
    let mut answers = of(FrameDirection::Rx);
    let answer_read = !answers.is_empty();
    if !answer_read {
        // Where an answer would be: after each echo, until the next request or a second on.
        answers = echoes
            .iter()
            .map(|&(_, end)| {
                let next = frames
                    .iter()
                    .filter_map(|frame| frame.t)
                    .find(|&t| t > end + byte_s)
                    .unwrap_or(f64::INFINITY);
                (end + byte_s, next.min(end + ANSWER_WAIT_S))
            })
            .collect();
    }
    // Before the first request: the line's idle level and its noise.
    let idle = vec![(f64::NEG_INFINITY, first - byte_s)];
    let levels = replay.levels[channel];
    let [echo, answer, idle] = replay.reaches_within(channel, [echoes, answers, idle])?;
    // From the idle level as measured where it idles; else as the levels say.
    let idle_level = match idle {
        Some((median, _)) => median,
        None if levels.inverted => levels.low,
        None => levels.high,
    };
    let swing = |(_, deep): (f32, f32)| (deep - idle_level).abs();
    Ok(match (echo, answer) {
        (Some(echo), Some(answer)) => Some(Heard {
            echo_v: swing(echo),
            answer_v: swing(answer),
            answer_read,
            idle_v: idle.map_or(0.0, swing),
            idle_level,
            swings_down: !levels.inverted,
        }),
        _ => None,
    })
}

impl<S: AnalogSource> AnalogReplay<S> {
    /// How far `channel` reaches within each class of `stretches` (start and end in seconds,
    /// in order): its median, and the level on its active side (down, unless the head
    /// inverts) that [`PERCENTILE`] of the class's samples pass; none for a class without a
    /// sample.
    fn reaches_within<const N: usize>(
        &mut self,
        channel: usize,
        classes: [Vec<(f64, f64)>; N],
    ) -> Result<[Option<(f32, f32)>; N], String> {
        let levels = self.levels[channel];
        let swing = levels.swing().abs().max(f32::EPSILON);
        let (bottom, span) = (levels.low - swing, 3.0 * swing);
        let mut histograms = vec![vec![0u64; BINS]; N];
        let mut next = [0usize; N];
        // Read no further than the last stretch.
        let last = classes
            .iter()
            .filter_map(|stretches| stretches.last().map(|&(_, end)| end))
            .fold(f64::NEG_INFINITY, f64::max);
        self.source.samples(&mut |t, values| {
            if t > last {
                return ControlFlow::Break(());
            }
            let Some(&value) = values.get(channel).filter(|value| value.is_finite()) else {
                return ControlFlow::Continue(());
            };
            let bin = (((value - bottom) / span) * (BINS - 1) as f32).clamp(0.0, (BINS - 1) as f32);
            for ((stretches, next), histogram) in classes.iter().zip(&mut next).zip(&mut histograms)
            {
                while stretches.get(*next).is_some_and(|&(_, end)| end < t) {
                    *next += 1;
                }
                if stretches.get(*next).is_some_and(|&(start, _)| start <= t) {
                    histogram[bin as usize] += 1;
                }
            }
            ControlFlow::Continue(())
        })?;
        Ok(std::array::from_fn(|class| {
            let histogram = &histograms[class];
            let total: u64 = histogram.iter().sum();
            let at = |share| bottom + span * super::quantile(histogram, total, share);
            let active = if levels.inverted {
                1.0 - PERCENTILE
            } else {
                PERCENTILE
            };
            (total > 0).then(|| (at(0.5), at(active)))
        }))
    }
}
