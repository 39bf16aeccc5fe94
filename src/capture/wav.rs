//! A sound card's recording of the line (WAV: PCM of 8 to 32 bits or float, mono or stereo,
//! read with `hound`), as volts in full-scale units for [`super::analog`]. A sound card's input
//! is AC-coupled: the signal drifts back to zero between edges, so the analog cut follows its
//! edges ([`super::analog::AnalogReplay::ac_coupled`]). Streamed from the file each reading.

use std::io::{BufReader, Read, Seek};
use std::ops::ControlFlow;

use hound::{SampleFormat, WavReader};

use super::analog::AnalogSource;

/// A WAV recording; see the module documentation.
pub struct Wav<R: Read + Seek> {
    reader: WavReader<BufReader<R>>,
    names: Vec<String>,
}

impl<R: Read + Seek> Wav<R> {
    /// Reads the header of the recording in `input`.
    pub fn new(mut input: R) -> Result<Self, String> {
        // The format was found from the file's head, read before.
        input
            .seek(std::io::SeekFrom::Start(0))
            .map_err(|error| format!("cannot read it: {error}"))?;
        let reader = WavReader::new(BufReader::new(input))
            .map_err(|error| format!("not a WAV file this program reads: {error}"))?;
        let spec = reader.spec();
        if spec.sample_rate == 0 || spec.channels == 0 {
            return Err("a WAV file with no samples a second or no channel".into());
        }
        let names = match spec.channels {
            1 => vec!["mono".to_string()],
            2 => vec!["L".to_string(), "R".to_string()],
            n => (1..=n).map(|channel| channel.to_string()).collect(),
        };
        Ok(Self { reader, names })
    }
}

impl<R: Read + Seek> AnalogSource for Wav<R> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn samples(
        &mut self,
        visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        self.reader
            .seek(0)
            .map_err(|error| format!("cannot read it again: {error}"))?;
        let spec = self.reader.spec();
        let rate = f64::from(spec.sample_rate);
        let channels = usize::from(spec.channels);
        let mut frame = vec![0f32; channels];
        let mut index = 0usize;
        let mut sample = 0u64;
        let mut push = |value: f32, frame: &mut Vec<f32>| {
            frame[index] = value;
            index += 1;
            if index == channels {
                index = 0;
                sample += 1;
                return visit((sample - 1) as f64 / rate, frame);
            }
            ControlFlow::Continue(())
        };
        let error = |error: hound::Error| format!("the samples cannot be read: {error}");
        match spec.sample_format {
            SampleFormat::Float => {
                for value in self.reader.samples::<f32>() {
                    if push(value.map_err(error)?, &mut frame).is_break() {
                        break;
                    }
                }
            }
            SampleFormat::Int => {
                // Full scale is 1.0 whatever the sample size.
                let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                for value in self.reader.samples::<i32>() {
                    if push(value.map_err(error)? as f32 * scale, &mut frame).is_break() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}
