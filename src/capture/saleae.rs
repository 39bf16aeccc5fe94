//! Saleae Logic's Async Serial exports, read by their header:
//!
//! - Logic 2 data table: `name,type,start_time,duration,"data"[,"error"]`, a row a frame
//!   (`"RX","data",0.02005,0.00875,0x80`, an error `…,0x00,"framing"`); `name` is the analyzer's
//!   label, so `RX`/`TX` give the direction and the default `Async Serial` none; the time is
//!   seconds, or ISO 8601 wall-clock time (taken from the first row);
//! - Logic 1 analyzer export: `Time [s],Value,Parity Error,Framing Error`, one file per analyzer,
//!   so no direction;
//! - Logic 1 decoded-protocols export: `Time [s], Analyzer Name, Decoded Protocol Result`, the
//!   error as a suffix (`0x00 (framing error)`).
//!
//! Columns are read by their header's name, as Saleae warns their order may change. Values must
//! be in the hex radix: ASCII radix loses bytes (a line feed splits a row).

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp, direction_named};

/// Which of the three layouts a file has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaleaeLayout {
    /// Logic 2's data table.
    Table,
    /// Logic 1's per-analyzer export.
    Analyzer,
    /// Logic 1's decoded-protocols search export.
    DecodedProtocols,
}

/// Reads a Saleae export; see the module documentation.
#[derive(Debug)]
pub struct SaleaeImporter {
    layout: SaleaeLayout,
    line: usize,
    columns: Vec<String>,
    /// The first ISO 8601 time, the origin of the others.
    origin: Option<jiff::Timestamp>,
}

/// The layout a header line names, if it is one of Saleae's.
pub fn layout(header: &str) -> Option<SaleaeLayout> {
    let names: Vec<String> = split(header)
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("name") && has("start_time") && has("data") {
        Some(SaleaeLayout::Table)
    } else if has("time [s]") && has("value") {
        Some(SaleaeLayout::Analyzer)
    } else if has("time [s]") && has("analyzer name") && has("decoded protocol result") {
        Some(SaleaeLayout::DecodedProtocols)
    } else {
        None
    }
}

/// A CSV line's fields, quotes removed (`""` inside quotes is one quote).
fn split(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

impl SaleaeImporter {
    /// A reader of a file whose header (the first line) names `layout`.
    pub fn new(layout: SaleaeLayout) -> Self {
        Self {
            layout,
            line: 0,
            columns: Vec::new(),
            origin: None,
        }
    }

    /// Seconds from a number, or from an ISO 8601 time after the file's first one.
    fn seconds(&mut self, text: &str) -> Option<f64> {
        if let Ok(seconds) = text.parse::<f64>() {
            return Some(seconds);
        }
        let at: jiff::Timestamp = text.parse().ok()?;
        let origin = *self.origin.get_or_insert(at);
        Some(at.duration_since(origin).as_secs_f64())
    }
}

impl LineImporter for SaleaeImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        if self.line == 1 {
            self.columns = split(text)
                .iter()
                .map(|name| name.trim().to_ascii_lowercase())
                .collect();
            return Ok(());
        }
        if text.trim().is_empty() {
            return Ok(());
        }
        let line = self.line;
        let error = |reason: String| ImportError { line, reason };
        let fields = split(text);
        let field = |name: &str| {
            self.columns
                .iter()
                .position(|column| column == name)
                .and_then(|at| fields.get(at))
                .map(|value| value.trim())
        };
        let (time, direction, value, error_text) = match self.layout {
            SaleaeLayout::Table => {
                if field("type").is_some_and(|kind| kind != "data") {
                    return Ok(());
                }
                (
                    field("start_time"),
                    field("name").map_or(Direction::Unknown, direction_named),
                    field("data"),
                    field("error").unwrap_or(""),
                )
            }
            SaleaeLayout::Analyzer => {
                let framing = field("framing error").is_some_and(|e| !e.is_empty());
                let parity = field("parity error").is_some_and(|e| !e.is_empty());
                let kind = if framing {
                    "framing"
                } else if parity {
                    "parity"
                } else {
                    ""
                };
                (field("time [s]"), Direction::Unknown, field("value"), kind)
            }
            SaleaeLayout::DecodedProtocols => {
                let result = field("decoded protocol result").unwrap_or("");
                let (value, kind) = match result.split_once(" (") {
                    Some((value, rest)) => (value, rest.trim_end_matches(')')),
                    None => (result, ""),
                };
                let kind = kind.split(' ').next().unwrap_or("");
                (
                    field("time [s]"),
                    field("analyzer name").map_or(Direction::Unknown, direction_named),
                    Some(value),
                    kind,
                )
            }
        };
        let at = self
            .seconds(time.unwrap_or(""))
            .ok_or_else(|| error(format!("no time in seconds or ISO 8601 in {text:?}")))?;
        let value = value.unwrap_or("");
        let byte = value
            .strip_prefix("0x")
            .or_else(|| value.strip_prefix("0X"))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .ok_or_else(|| {
                error(format!(
                    "the value {value:?} is not a hex byte; export with the hex radix (0x80), \
                     since the ASCII radix loses bytes"
                ))
            })?;
        let mark = |mark| Event {
            at: Stamp::Seconds(at),
            direction,
            mark,
        };
        // The byte as received, then what went wrong with it, as sigrok orders them.
        events.push(mark(Mark::Byte(byte)));
        match error_text.to_ascii_lowercase().as_str() {
            "framing" => events.push(mark(Mark::FramingError)),
            "parity" => events.push(mark(Mark::ParityError)),
            _ => {}
        }
        Ok(())
    }
}
