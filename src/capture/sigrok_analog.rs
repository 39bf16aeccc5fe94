//! Analog channels of a sigrok session file, as PulseView saves a capture from an oscilloscope
//! through sigrok's drivers: the metadata names them (`total analog=2`, `analog1=CH1`), and
//! each channel's samples are little-endian float32 volts in `analog-1-<k>-<part>`. Beside logic
//! channels (a mixed-signal scope), the analog numbering goes on after the probes (`probe1=D0`,
//! `probe2=D1`, `analog3=CH1`). Read a part at a time, every channel's part together; memory
//! holds one part, never the capture.

use std::io::{Read, Seek};
use std::ops::ControlFlow;

use super::analog::AnalogSource;
use super::raw::{metadata_value, open_session};

/// A session file's analog channels.
pub struct SigrokAnalog<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    names: Vec<String>,
    /// Each channel's number `k` in `analog<k>`, which names its files.
    numbers: Vec<usize>,
    samplerate: f64,
}

/// What a session file holds.
pub enum SessionKind<R: Read + Seek> {
    /// Analog channels only: volts.
    Analog(SigrokAnalog<R>),
    /// Logic channels only: the input, given back for the logic reader.
    Logic(R),
    /// Logic channels beside analog ones: the analog ones, whose input can be given back for
    /// the logic reader.
    Mixed(SigrokAnalog<R>),
}

impl<R: Read + Seek> SigrokAnalog<R> {
    /// Reads the metadata of the session in `input`: what it holds.
    pub fn open(input: R) -> Result<SessionKind<R>, String> {
        let (archive, metadata) = open_session(input)?;
        let value = |key: &str| metadata_value(&metadata, key);
        let mut channels: Vec<(usize, String)> = metadata
            .lines()
            .filter_map(|line| {
                let (key, name) = line.split_once('=')?;
                let number = key.trim().strip_prefix("analog")?.parse().ok()?;
                Some((number, name.trim().to_string()))
            })
            .collect();
        channels.sort();
        channels.truncate(64);
        let logic = value("unitsize").is_some();
        if channels.is_empty() {
            return Ok(SessionKind::Logic(archive.into_inner()));
        }
        let samplerate = value("samplerate")
            .and_then(|rate| super::raw::samplerate(&rate))
            .ok_or("no samplerate in the metadata")?;
        let analog = Self {
            archive,
            numbers: channels.iter().map(|(number, _)| *number).collect(),
            names: channels.into_iter().map(|(_, name)| name).collect(),
            samplerate,
        };
        Ok(if logic {
            SessionKind::Mixed(analog)
        } else {
            SessionKind::Analog(analog)
        })
    }

    /// The input, for the logic reader.
    pub fn into_input(self) -> R {
        self.archive.into_inner()
    }

    /// One channel's samples of one part, or none when the part does not exist.
    fn part(&mut self, channel: usize, part: usize) -> Result<Option<Vec<f32>>, String> {
        let Ok(file) = self.archive.by_name(&format!("analog-1-{channel}-{part}")) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        // A part of more than 256 MB is no part of a scope's capture.
        file.take(1 << 28)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("the samples cannot be read: {error}"))?;
        Ok(Some(
            bytes
                .chunks_exact(4)
                .map(|four| f32::from_le_bytes([four[0], four[1], four[2], four[3]]))
                .collect(),
        ))
    }
}

impl<R: Read + Seek> AnalogSource for SigrokAnalog<R> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn samples(
        &mut self,
        visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        let mut sample: u64 = 0;
        let mut values = vec![0.0; self.names.len()];
        for part in 1.. {
            let mut parts = Vec::with_capacity(self.names.len());
            for (index, channel) in self.numbers.clone().into_iter().enumerate() {
                match self.part(channel, part)? {
                    Some(samples) => parts.push(samples),
                    None if index == 0 => return Ok(()),
                    None => {
                        let name = &self.names[index];
                        return Err(format!("channel {name} lacks part {part}"));
                    }
                }
            }
            let len = parts.iter().map(Vec::len).min().unwrap_or(0);
            for index in 0..len {
                for (value, samples) in values.iter_mut().zip(&parts) {
                    *value = samples[index];
                }
                if visit(sample as f64 / self.samplerate, &values).is_break() {
                    return Ok(());
                }
                sample += 1;
            }
        }
        Ok(())
    }
}
