//! A short stretch of an analog recording's channels, thinned for a plot: what a user looks at
//! to see why a byte was read as it was. Read from the file again (recordings are streamed,
//! never held), keeping each bucket's lowest and highest volts, so no edge or glitch is thinned
//! away.

use std::ops::ControlFlow;
use std::path::Path;

use super::analog::AnalogSource;
use super::format::Format;
use super::scope_csv::ScopeCsv;
use super::sigrok_analog::{SessionKind, SigrokAnalog};
use super::wav::Wav;

/// One channel's stretch.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelExcerpt {
    /// The channel's name in the recording.
    pub name: String,
    /// Time in seconds and volts (a sound card's: its share of full scale), in time order.
    pub points: Vec<[f64; 2]>,
}

/// Every channel's stretch from `from` to `to` seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Excerpt {
    /// Where it starts, seconds.
    pub from: f64,
    /// Where it ends.
    pub to: f64,
    /// The channels, in the recording's order.
    pub channels: Vec<ChannelExcerpt>,
}

/// One bucket of one channel: its lowest and highest sample, each with its time.
#[derive(Clone, Copy)]
struct Bucket {
    low: (f64, f32),
    high: (f64, f32),
}

/// Reads the stretch from `from` to `to` seconds of the analog recording at `path`, read as
/// `format`, thinned to at most twice `buckets` points a channel.
pub fn read(
    path: &Path,
    format: Format,
    (from, to): (f64, f64),
    buckets: usize,
) -> Result<Excerpt, String> {
    let file = std::fs::File::open(path).map_err(|error| format!("cannot read it: {error}"))?;
    let mut source: Box<dyn AnalogSource> = match format {
        Format::Sr => match SigrokAnalog::open(file)? {
            SessionKind::Analog(source) | SessionKind::Mixed(source) => Box::new(source),
            SessionKind::Logic(_) => return Err("a session of logic channels has no volts".into()),
        },
        Format::Wav => Box::new(Wav::new(file)?),
        Format::ScopeCsv => Box::new(ScopeCsv::new(std::io::BufReader::new(file))?),
        _ => return Err(format!("{} holds no volts", format.name())),
    };
    of(source.as_mut(), (from, to), buckets)
}

/// The stretch from `from` to `to` seconds of `source`; see [`read`].
pub fn of(
    source: &mut dyn AnalogSource,
    (from, to): (f64, f64),
    buckets: usize,
) -> Result<Excerpt, String> {
    let buckets = buckets.max(1);
    let span = (to - from).max(f64::MIN_POSITIVE);
    let mut kept: Vec<Vec<Option<Bucket>>> = vec![vec![None; buckets]; source.names().len()];
    source.samples(&mut |t, values| {
        // Read no further than the stretch.
        if t > to {
            return ControlFlow::Break(());
        }
        if t < from {
            return ControlFlow::Continue(());
        }
        let index = (((t - from) / span) * buckets as f64) as usize;
        let index = index.min(buckets - 1);
        for (channel, &value) in kept.iter_mut().zip(values) {
            if !value.is_finite() {
                continue;
            }
            let bucket = channel[index].get_or_insert(Bucket {
                low: (t, value),
                high: (t, value),
            });
            if value < bucket.low.1 {
                bucket.low = (t, value);
            }
            if value > bucket.high.1 {
                bucket.high = (t, value);
            }
        }
        ControlFlow::Continue(())
    })?;
    let channels = source
        .names()
        .iter()
        .zip(kept)
        .map(|(name, buckets)| {
            let mut points = Vec::with_capacity(2 * buckets.len());
            for Bucket { low, high } in buckets.into_iter().flatten() {
                let (first, second) = if low.0 <= high.0 {
                    (low, high)
                } else {
                    (high, low)
                };
                points.push([first.0, f64::from(first.1)]);
                if second.0 != first.0 {
                    points.push([second.0, f64::from(second.1)]);
                }
            }
            ChannelExcerpt {
                name: name.clone(),
                points,
            }
        })
        .collect();
    Ok(Excerpt { from, to, channels })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square wave of 1 kHz between 0 and 3 V, sampled at 100 kHz, with one sample's glitch.
    struct Square;

    impl AnalogSource for Square {
        fn names(&self) -> &[String] {
            static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
            NAMES.get_or_init(|| vec!["CH1".into()])
        }

        fn samples(
            &mut self,
            visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
        ) -> Result<(), String> {
            for index in 0..10_000u32 {
                let high = (index / 50) % 2 == 0;
                let glitch = index == 5_020;
                let value = if high != glitch { 3.0 } else { 0.0 };
                if visit(f64::from(index) / 100_000.0, &[value]).is_break() {
                    break;
                }
            }
            Ok(())
        }
    }

    #[test]
    fn a_stretch_keeps_its_edges_and_glitches_in_few_points() {
        let excerpt = of(&mut Square, (0.04, 0.06), 100).unwrap();
        let points = &excerpt.channels[0].points;
        assert!(points.len() <= 200, "{}", points.len());
        assert!(points.iter().all(|[t, _]| (0.04..=0.06).contains(t)));
        assert!(points.windows(2).all(|pair| pair[0][0] < pair[1][0]));
        // The glitch at 50.2 ms, inside a high half period, is still there.
        assert!(
            points
                .iter()
                .any(|&[t, volts]| (t - 0.0502).abs() < 1e-9 && volts == 0.0)
        );
        // Every level change of the 1 kHz wave: 40 in 20 ms.
        let changes = points.windows(2).filter(|pair| pair[0][1] != pair[1][1]);
        assert!(changes.count() >= 40);
    }
}
