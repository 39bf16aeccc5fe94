//! `socat -x -v` (and `-x` alone) dumps: a header per read() chunk, then hex lines.
//!
//! `> 2026/12/01 03:23:00.000647172  length=9 from=0 to=8` opens a chunk read from the left
//! address (the program's side: the request, TX) and `<` one from the right (the head's side:
//! the echo and the answer, RX). Hex lines hold up to 16 bytes as ` 80 3f …`, padded to 48
//! characters before the ASCII column that `-v` adds; `--` ends a chunk when `-v` is given.
//! socat 1.7.4 prints microseconds zero-padded to nine digits (`.000647172` is 0.647172 s), fixed
//! in 1.8.1.1: a fraction whose first three digits are zero in the first header is read as the
//! older form for the whole file. `-v` alone writes the bytes as text, which loses binary bytes:
//! refused, with the advice to record with `-x`.

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp, hex_byte};

/// Reads a socat dump line by line; see the module documentation.
#[derive(Debug, Default)]
pub struct SocatImporter {
    line: usize,
    /// The chunk being read: its direction and time.
    chunk: Option<(Direction, f64)>,
    /// Whether fractions are microseconds zero-padded (socat before 1.8.1.1); decided by the
    /// first header.
    microseconds: Option<bool>,
    /// The first header's time of day, the origin of every stamp.
    origin: Option<f64>,
}

impl SocatImporter {
    /// A reader at the start of a dump.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` is a socat header: the quick test format detection uses.
    pub fn is_header(line: &str) -> bool {
        header(line).is_some()
    }
}

impl LineImporter for SocatImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        let error = |reason: String| ImportError {
            line: self.line,
            reason,
        };
        if let Some((direction, fraction_digits, seconds)) = header(text) {
            let microseconds = *self
                .microseconds
                .get_or_insert(fraction_digits.len() == 9 && fraction_digits.starts_with("000"));
            let fraction: f64 = if microseconds {
                fraction_digits.parse::<f64>().unwrap_or(0.0) / 1e6
            } else {
                format!("0.{fraction_digits}").parse().unwrap_or(0.0)
            };
            let at = seconds + fraction;
            let origin = *self.origin.get_or_insert(at);
            self.chunk = Some((direction, at - origin));
            return Ok(());
        }
        if text.trim() == "--" || text.trim().is_empty() {
            return Ok(());
        }
        let Some((direction, at)) = self.chunk else {
            return Err(error(
                "not a socat -x dump: bytes before the first `> …  length=` header".into(),
            ));
        };
        // The hex column is the first 48 characters; an ASCII column may follow.
        let hex_part: String = text.chars().take(48).collect();
        let bytes: Option<Vec<u8>> = hex_part.split_whitespace().map(hex_byte).collect();
        match bytes {
            Some(bytes) if !bytes.is_empty() => {
                events.extend(bytes.into_iter().map(|byte| Event {
                    at: Stamp::Seconds(at),
                    direction,
                    mark: Mark::Byte(byte),
                }));
                Ok(())
            }
            _ => Err(error(
                "socat wrote the bytes as text (-v without -x), which loses binary bytes such \
                 as 80 and 0D; record again with `socat -x -v …`"
                    .into(),
            )),
        }
    }
}

/// A header's direction, the digits of its fraction of a second and its whole seconds of the
/// day: `> 2026/12/01 03:23:00.000647172  length=9 from=0 to=8`.
fn header(text: &str) -> Option<(Direction, &str, f64)> {
    let (mark, rest) = text.split_at_checked(1)?;
    let direction = match mark {
        ">" => Direction::Tx,
        "<" => Direction::Rx,
        _ => return None,
    };
    let mut fields = rest.split_whitespace();
    let date = fields.next()?;
    let time = fields.next()?;
    if !date.contains('/') || !fields.next()?.starts_with("length=") {
        return None;
    }
    let (clock, fraction) = time.split_once('.')?;
    let mut parts = clock.split(':').map(|part| part.parse::<u32>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.is_empty() {
        return None;
    }
    Some((direction, fraction, f64::from(h * 3600 + m * 60 + s)))
}
