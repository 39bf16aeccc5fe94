//! Hex dumps people paste or tools print, one importer each:
//!
//! - jpnevulator (`--timing-print`): a header `2026-12-01 03:23:11.071025: RX` (the alias is the
//!   direction), then hex lines padded to 47 characters, a tab and an ASCII column (the last line
//!   of an interrupted run may lack it);
//! - `hexdump -C` (`00000000  80 3f … |.?..|`) and `xxd` (`00000000: 803f 1001  .?..`): one
//!   stream, no direction, no time;
//! - plain hex, one frame a line or a stream, in any of the forms `decode` takes;
//! - the workbench's own traffic files (`2026-11-22T10:00:00.123Z TX   80 3F …  meaning`), whose
//!   `ECHO` lines are RX bytes the head heard of its own transmission.

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp, direction_named, hex_byte};

fn byte_events(bytes: Vec<u8>, at: Stamp, direction: Direction, events: &mut Vec<Event>) {
    events.extend(bytes.into_iter().map(|byte| Event {
        at,
        direction,
        mark: Mark::Byte(byte),
    }));
}

/// A jpnevulator header's time and alias: `2026-12-01 03:23:11.071025: RX`.
fn jpnevulator_header(text: &str) -> Option<(jiff::civil::DateTime, &str)> {
    let (stamp, alias) = text.split_once(": ")?;
    let at: jiff::civil::DateTime = stamp.trim().replace(' ', "T").parse().ok()?;
    Some((at, alias.trim()))
}

/// Reads a jpnevulator log; see the module documentation.
#[derive(Debug, Default)]
pub struct JpnevulatorImporter {
    line: usize,
    origin: Option<jiff::civil::DateTime>,
    chunk: Option<(f64, Direction)>,
}

impl JpnevulatorImporter {
    /// A reader at the start of a log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` is a jpnevulator timing header: the test format detection uses.
    pub fn is_header(line: &str) -> bool {
        jpnevulator_header(line).is_some()
    }
}

impl LineImporter for JpnevulatorImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        if let Some((at, alias)) = jpnevulator_header(text) {
            let origin = *self.origin.get_or_insert(at);
            let seconds = origin.duration_until(at).as_secs_f64();
            self.chunk = Some((seconds, direction_named(alias)));
            return Ok(());
        }
        if text.trim().is_empty() {
            return Ok(());
        }
        let hex = text.split('\t').next().unwrap_or("");
        let bytes: Option<Vec<u8>> = hex.split_whitespace().map(hex_byte).collect();
        match (bytes, self.chunk) {
            (Some(bytes), Some((seconds, direction))) => {
                byte_events(bytes, Stamp::Seconds(seconds), direction, events);
                Ok(())
            }
            _ => Err(ImportError {
                line: self.line,
                reason: format!("not a jpnevulator line: {text:?}"),
            }),
        }
    }
}

/// The bytes of a `hexdump -C` or `xxd` line, if it is one: an offset of eight hex digits, then
/// the bytes (`80 3f …` with a wider gap after eight, or `803f 1001 …`), then the ASCII column
/// (after `|` for `hexdump -C`, after two spaces for `xxd`).
fn dump_line(text: &str) -> Option<Vec<u8>> {
    let (offset, hex) = match text.split_once(": ") {
        Some((offset, rest)) => (offset, rest.split("  ").next()?),
        None => {
            let (offset, rest) = text.split_once("  ")?;
            (offset, rest.split('|').next()?)
        }
    };
    if offset.len() != 8 || !offset.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = Vec::new();
    for group in hex.split_whitespace() {
        if group.len() % 2 != 0 || !group.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        for pair in group.as_bytes().chunks(2) {
            bytes.push(u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?);
        }
    }
    Some(bytes)
}

/// Reads `hexdump -C` or `xxd` text; see the module documentation.
#[derive(Debug, Default)]
pub struct HexdumpImporter {
    line: usize,
}

impl HexdumpImporter {
    /// A reader at the start of a dump.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` reads as a dump line: the test format detection uses.
    pub fn is_dump_line(line: &str) -> bool {
        dump_line(line).is_some_and(|bytes| !bytes.is_empty())
    }
}

impl LineImporter for HexdumpImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        let text = text.trim_end();
        // `hexdump -C` ends with the offset alone, and marks repeated lines with `*`.
        if text.is_empty()
            || text == "*"
            || (text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Ok(());
        }
        let bytes = dump_line(text).ok_or_else(|| ImportError {
            line: self.line,
            reason: format!("not a hexdump -C or xxd line: {text:?}"),
        })?;
        byte_events(bytes, Stamp::None, Direction::Unknown, events);
        Ok(())
    }
}

/// Reads plain hex; see the module documentation.
#[derive(Debug, Default)]
pub struct HexImporter {
    line: usize,
}

impl HexImporter {
    /// A reader at the start of the text.
    pub fn new() -> Self {
        Self::default()
    }
}

impl LineImporter for HexImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        if text.trim().is_empty() {
            return Ok(());
        }
        let bytes = crate::hex_text::parse(text).map_err(|reason| ImportError {
            line: self.line,
            reason,
        })?;
        byte_events(bytes, Stamp::None, Direction::Unknown, events);
        Ok(())
    }
}

/// A traffic line's time, direction and bytes:
/// `2026-11-22T10:00:00.123Z TX   80 3F 02 35 E9 0D  GetSerialNo`.
fn traffic_line(text: &str) -> Option<(jiff::Timestamp, Direction, Vec<u8>)> {
    let (stamp, rest) = text.split_once(' ')?;
    let at: jiff::Timestamp = stamp.parse().ok()?;
    let rest = rest.trim_start();
    let (mark, rest) = rest.split_once(' ')?;
    let direction = match mark {
        "TX" => Direction::Tx,
        "RX" | "ECHO" => Direction::Rx,
        _ => return None,
    };
    let hex = rest.trim_start().split("  ").next()?;
    let bytes: Option<Vec<u8>> = hex.split_whitespace().map(hex_byte).collect();
    Some((at, direction, bytes?))
}

/// Reads the workbench's own traffic files; see the module documentation.
#[derive(Debug, Default)]
pub struct TrafficImporter {
    line: usize,
    origin: Option<jiff::Timestamp>,
}

impl TrafficImporter {
    /// A reader at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` reads as a traffic line: the test format detection uses.
    pub fn is_traffic_line(line: &str) -> bool {
        traffic_line(line).is_some()
    }
}

impl LineImporter for TrafficImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        // The session journal's header names its format.
        if text.trim().is_empty() || text.starts_with("kmp-workbench traffic") {
            return Ok(());
        }
        let (at, direction, bytes) = traffic_line(text).ok_or_else(|| ImportError {
            line: self.line,
            reason: format!("not a traffic line: {text:?}"),
        })?;
        let origin = *self.origin.get_or_insert(at);
        let seconds = at.duration_since(origin).as_secs_f64();
        byte_events(bytes, Stamp::Seconds(seconds), direction, events);
        Ok(())
    }
}
