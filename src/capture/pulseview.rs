//! PulseView's "Export annotations" text.
//!
//! The default format `%s %d: %r: %1` gives `2089-2755 UART: RX: 80`; with `%q` every field is
//! quoted and `%c`/`%a` add the class and all texts (`2089-2755 "UART": "RX": "rx-data": "80" `).
//! The row (`RX`, `TX`, `RX warnings`, `RX break`; `RX bits` is skipped) gives the direction, the
//! sample numbers the order: PulseView writes row after row, so the lines are sorted back into
//! time order when the file ends (by start sample, stably). The samplerate is not in the file.

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp, hex_byte};

/// Reads a PulseView export; see the module documentation.
#[derive(Debug, Default)]
pub struct PulseViewImporter {
    line: usize,
    /// Every mark so far with its start sample, sorted when the file ends.
    marks: Vec<(u64, Direction, Mark)>,
}

/// One line taken apart: start sample, row, texts.
fn fields(text: &str) -> Option<(u64, &str, Vec<&str>)> {
    let (range, rest) = text.trim_end().split_once(' ')?;
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.parse().ok()?;
    end.parse::<u64>().ok()?;
    let mut parts = rest.split(": ").map(|part| part.trim().trim_matches('"'));
    let _decoder = parts.next()?;
    let row = parts.next()?;
    let side = row.split(' ').next()?;
    if !["RX", "TX"].contains(&side) {
        return None;
    }
    let mut texts: Vec<&str> = parts.collect();
    // With `%c` the class comes before the texts: `rx-data`.
    if texts.len() > 1
        && texts[0].contains('-')
        && texts[0].bytes().all(|b| !b.is_ascii_uppercase())
    {
        texts.remove(0);
    }
    // With `%a` the texts are joined by commas: the first is the longest.
    let first = texts.first()?.split("\",\"").next()?;
    Some((start, row, vec![first]))
}

impl PulseViewImporter {
    /// A reader at the start of an export.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` reads as a PulseView export line: the test format detection uses.
    pub fn is_export_line(line: &str) -> bool {
        fields(line).is_some()
    }
}

impl LineImporter for PulseViewImporter {
    /// Keeps the line's mark; the marks come out in time order when the file ends.
    fn line(&mut self, text: &str, _events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        if text.trim().is_empty() {
            return Ok(());
        }
        let (start, row, texts) = fields(text).ok_or_else(|| ImportError {
            line: self.line,
            reason: format!("not a PulseView annotation line: {text:?}"),
        })?;
        let direction = if row.starts_with("RX") {
            Direction::Rx
        } else {
            Direction::Tx
        };
        let first = texts.first().copied().unwrap_or("");
        let mark = match row.split_once(' ').map_or("", |(_, kind)| kind) {
            "" => hex_byte(first).map(Mark::Byte),
            "warnings" => match first {
                "Frame error" => Some(Mark::FramingError),
                "Parity error" => Some(Mark::ParityError),
                _ => None,
            },
            "break" => Some(Mark::Break),
            _ => None,
        };
        if let Some(mark) = mark {
            self.marks.push((start, direction, mark));
        }
        Ok(())
    }

    /// The marks in time order.
    fn finish(&mut self, events: &mut Vec<Event>) {
        self.marks.sort_by_key(|(start, _, _)| *start);
        events.extend(self.marks.drain(..).map(|(start, direction, mark)| Event {
            at: Stamp::Sample(start),
            direction,
            mark,
        }));
    }
}
