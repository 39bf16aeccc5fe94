//! Oscilloscope CSV exports, read as volts for [`super::analog`]:
//!
//! - Rigol: `X,CH1,CH2,Start,Increment,`, then `Sequence,Volt,Volt,<start>,<increment>`, then a
//!   sample a line by its number (time = start + number × increment);
//! - Saleae Logic 2's analog export: `Time [s],Channel 0,Channel 1`;
//! - Digilent WaveForms: `#` header lines, then `Time (s),Channel 1 (V),Channel 2 (V)`;
//! - Siglent: lines of settings (`Record Length,Analog:N`, `Sample Interval,…`, which some
//!   firmware leaves out), `Source,CH1,CH2`, then `Second,Volt,Volt` (or `Second,Value,Value`),
//!   then a sample a line with its time (`+1.240000E-03,+4.000008E-02`);
//! - any CSV of a time column in seconds and voltage columns, headed by their names.
//!
//! Streamed: each reading seeks back to the first sample.

use std::io::{BufRead, Seek, SeekFrom};
use std::ops::ControlFlow;

use super::analog::AnalogSource;

/// How a sample's time is written.
#[derive(Clone, Copy, Debug)]
enum Timing {
    /// In the first column, in seconds.
    Column,
    /// As a sample number: start plus number times increment (Rigol).
    Sequence { start: f64, increment: f64 },
}

/// An oscilloscope's CSV export; see the module documentation.
pub struct ScopeCsv<R> {
    input: R,
    names: Vec<String>,
    timing: Timing,
    /// Where the first sample's line starts.
    data: u64,
}

impl<R: BufRead + Seek> ScopeCsv<R> {
    /// Reads the header of the export in `input`.
    pub fn new(mut input: R) -> Result<Self, String> {
        // The format was found from the file's head, read before.
        input
            .seek(SeekFrom::Start(0))
            .map_err(|error| format!("cannot read it: {error}"))?;
        let mut offset = 0u64;
        let mut line = String::new();
        let header = loop {
            if !next_line(&mut input, &mut line, &mut offset)? {
                return Err("no header line (Time,Channel 1,…)".into());
            }
            let text = line.trim();
            if !text.is_empty() && !text.starts_with('#') {
                break fields(text);
            }
        };
        let (names, timing) = if header.first().is_some_and(|first| is_siglent(first)) {
            // Siglent: settings up to the units line, the channels' names on the line before.
            let mut source = Vec::new();
            let mut fields_now = header;
            loop {
                match fields_now.first().map(|first| first.to_ascii_lowercase()) {
                    Some(first) if first == "second" => break,
                    Some(first) if first == "source" => source = fields_now[1..].to_vec(),
                    _ => {}
                }
                if !next_line(&mut input, &mut line, &mut offset)? {
                    return Err("a Siglent export without its `Second,Volt` line".into());
                }
                fields_now = fields(line.trim());
            }
            let channels = fields_now.len() - 1;
            if channels == 0 {
                return Err("a Siglent export with no channel".into());
            }
            // Where the settings name no channel (bin2csv's), they are CH1, CH2 in order.
            let names = if source.len() == channels {
                source
            } else {
                (1..=channels).map(|n| format!("CH{n}")).collect()
            };
            (names, Timing::Column)
        } else if header.first().is_some_and(|first| first == "X") {
            // Rigol: the second line gives the units, the start and the increment.
            next_line(&mut input, &mut line, &mut offset)?;
            let units = fields(line.trim());
            let channels = units
                .iter()
                .skip(1)
                .take_while(|unit| *unit == "Volt")
                .count();
            let number = |at: usize| units.get(at).and_then(|text| text.parse::<f64>().ok());
            let (Some(start), Some(increment)) = (number(channels + 1), number(channels + 2))
            else {
                return Err("a Rigol export without its Start and Increment".into());
            };
            if channels == 0 || increment.is_nan() || increment <= 0.0 {
                return Err("a Rigol export with no channel or no time step".into());
            }
            let names = header.iter().skip(1).take(channels).cloned().collect();
            (names, Timing::Sequence { start, increment })
        } else if header
            .first()
            .is_some_and(|first| first.to_ascii_lowercase().starts_with("time"))
            && header.len() >= 2
        {
            (header[1..].to_vec(), Timing::Column)
        } else {
            return Err(
                "no time column first (Time [s], Time (s), Rigol's X, or Siglent's settings)"
                    .into(),
            );
        };
        Ok(Self {
            input,
            names,
            timing,
            data: offset,
        })
    }
}

impl<R: BufRead + Seek> AnalogSource for ScopeCsv<R> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn samples(
        &mut self,
        visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        self.input
            .seek(SeekFrom::Start(self.data))
            .map_err(|error| format!("cannot read it again: {error}"))?;
        let mut values = vec![f32::NAN; self.names.len()];
        let mut line = String::new();
        let mut number = 0usize;
        loop {
            line.clear();
            let read = self
                .input
                .read_line(&mut line)
                .map_err(|error| format!("cannot read it: {error}"))?;
            if read == 0 {
                return Ok(());
            }
            let text = line.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let mut parts = text.split(',');
            let first = parts.next().unwrap_or_default().trim();
            let t = match self.timing {
                Timing::Column => first.parse::<f64>(),
                Timing::Sequence { start, increment } => first
                    .parse::<f64>()
                    .map(|sequence| start + sequence * increment),
            }
            .map_err(|_| format!("sample {number}: {first:?} is no time"))?;
            for value in values.iter_mut() {
                *value = parts
                    .next()
                    .and_then(|part| part.trim().parse::<f32>().ok())
                    .unwrap_or(f32::NAN);
            }
            if visit(t, &values).is_break() {
                return Ok(());
            }
            number += 1;
        }
    }
}

/// Reads the next line of `input` into `line`, adding its length to `offset`, where the samples
/// will start; false at the end of the file.
fn next_line<R: BufRead>(
    input: &mut R,
    line: &mut String,
    offset: &mut u64,
) -> Result<bool, String> {
    line.clear();
    let read = input
        .read_line(line)
        .map_err(|error| format!("cannot read it: {error}"))?;
    *offset += read as u64;
    Ok(read > 0)
}

/// Whether `line`, a file's first line that is no comment, heads a scope export.
pub fn is_header(line: &str) -> bool {
    let header = fields(line.trim());
    let first = header
        .first()
        .map(|f| f.to_ascii_lowercase())
        .unwrap_or_default();
    let rigol = first == "x" && header.get(1).is_some_and(|name| name.starts_with("CH"));
    let siglent = header.len() >= 2 && is_siglent(&first);
    rigol || siglent || (first.starts_with("time") && header.len() >= 2)
}

/// Whether a first field opens a Siglent export: its settings, or its channels' names.
fn is_siglent(first: &str) -> bool {
    ["record length", "source"].contains(&first.to_ascii_lowercase().as_str())
}

/// A CSV line's fields, trimmed, an empty last one (Rigol's trailing comma) left out.
fn fields(line: &str) -> Vec<String> {
    let mut fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
    if fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    fields
}
