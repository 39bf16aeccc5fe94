//! Analyser text as people paste it from a logic analyser's screen or its decoder's table:
//!
//! ```text
//! TX: 0x80  0x3F[?]  0x10  0x01  BREAK 0x3C[<] 0xB2  0x5F[_]  0x0D
//! received
//! 0x80 0x3F 0x10 0x01 BREAK 0x3C 0xB2 0x5F 0x0D
//! ```
//!
//! Bytes in hex with or without `0x`, the ASCII an analyser shows beside them in brackets
//! (dropped), `BREAK`, framing and parity errors (`framing error`, `[FE]`, `parity error`,
//! `[PE]`), separated by spaces, commas, semicolons or bars. A line starting (or ending) with
//! `TX`, `RX`, `sent`, `received`, `sending` or `receiving` names its direction, and a line of
//! that word alone names the direction of the lines after it.
//!
//! An analyser set to other framing than the line's (8N1 against 8N2, a parity bit, another
//! baud rate) shows a 0x00 byte as a break: at 8N1 it is nine low bit times, longer than the
//! character it expects. So a `BREAK` inside a KMP frame whose CRC checks with a 0x00 in its
//! place is read as that 0x00 ([`Mark::BreakAsZero`]), and the frame says why.

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp};
use crate::kmp::Frame;

/// Reads analyser text; see the module documentation.
#[derive(Debug, Default)]
pub struct AnalyserTextImporter {
    line: usize,
    /// The direction a label line named for the lines after it.
    direction: Option<Direction>,
    /// Every event so far, held back to find the breaks that are zeros.
    held: Vec<Event>,
}

impl AnalyserTextImporter {
    /// A reader at the start of the text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` reads as analyser text and not as plain hex: it reads here, and it has a
    /// label, a break, an error mark or an analyser's ASCII in brackets.
    pub fn is_analyser_line(line: &str) -> bool {
        let Ok(read) = read_line(line) else {
            return false;
        };
        let lower = line.to_ascii_lowercase();
        read.label.is_some()
            || read.marks.iter().any(|mark| !matches!(mark, Mark::Byte(_)))
            || (lower.contains("0x") && lower.contains('['))
    }
}

impl LineImporter for AnalyserTextImporter {
    fn line(&mut self, text: &str, _events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        let read = read_line(text).map_err(|reason| ImportError {
            line: self.line,
            reason,
        })?;
        if read.marks.is_empty() {
            // A label alone names the direction of the lines to come.
            if read.label.is_some() {
                self.direction = read.label;
            }
            return Ok(());
        }
        let direction = read.label.or(self.direction).unwrap_or(Direction::Unknown);
        self.held.extend(read.marks.into_iter().map(|mark| Event {
            at: Stamp::None,
            direction,
            mark,
        }));
        Ok(())
    }

    fn finish(&mut self, events: &mut Vec<Event>) {
        zeros_for_breaks(&mut self.held);
        events.append(&mut self.held);
    }
}

/// What one line holds.
struct Read {
    label: Option<Direction>,
    marks: Vec<Mark>,
}

/// The direction a word names.
fn label(word: &str) -> Option<Direction> {
    match word.trim_end_matches(':').to_ascii_lowercase().as_str() {
        "tx" | "sent" | "sending" => Some(Direction::Tx),
        "rx" | "received" | "receiving" => Some(Direction::Rx),
        _ => None,
    }
}

/// The marks of one line, and the direction it names, or why it is not analyser text.
fn read_line(text: &str) -> Result<Read, String> {
    let mut marks = Vec::new();
    let mut words: Vec<String> = Vec::new();
    // Brackets first: their content may hold a space (`[ ]` for 0x20).
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        words.extend(split(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after
            .find(']')
            .ok_or_else(|| format!("a [ without its ] in {text:?}"))?;
        match after[..close].trim().to_ascii_lowercase().as_str() {
            "fe" | "framing error" => words.push("framing-error".into()),
            "pe" | "parity error" => words.push("parity-error".into()),
            "break" | "brk" => words.push("break".into()),
            // The ASCII an analyser shows beside a byte.
            _ => {}
        }
        rest = &after[close + 1..];
    }
    words.extend(split(rest));
    let mut label_found = None;
    let last = words.len().saturating_sub(1);
    let mut index = 0;
    while index < words.len() {
        let word = words[index].as_str();
        let next = words.get(index + 1).map(|w| w.to_ascii_lowercase());
        index += 1;
        if let Some(direction) = label(word).filter(|_| index == 1 || index - 1 == last) {
            label_found = Some(direction);
            continue;
        }
        let lower = word.to_ascii_lowercase();
        let mark = match lower.as_str() {
            "break" | "brk" => Mark::Break,
            "framing-error" => Mark::FramingError,
            "parity-error" => Mark::ParityError,
            "framing" | "parity" if next.as_deref() == Some("error") => {
                index += 1;
                if lower == "framing" {
                    Mark::FramingError
                } else {
                    Mark::ParityError
                }
            }
            _ => Mark::Byte(byte(word).ok_or_else(|| {
                format!(
                    "{word:?} is no byte (hex, 3F or 0x3F), BREAK, framing or parity error, or \
                     TX/RX label"
                )
            })?),
        };
        marks.push(mark);
    }
    Ok(Read {
        label: label_found,
        marks,
    })
}

fn split(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '|'))
        .filter(|word| !word.is_empty())
        .map(str::to_string)
}

/// A byte written as one or two hex digits, with or without `0x`.
fn byte(word: &str) -> Option<u8> {
    let digits = word
        .strip_prefix("0x")
        .or_else(|| word.strip_prefix("0X"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    u8::from_str_radix(digits, 16).ok()
}

/// Reads as 0x00 each break inside a KMP frame (a start byte to its 0x0D, one direction's)
/// whose CRC checks with zeros in the breaks' places, and only then.
fn zeros_for_breaks(events: &mut [Event]) {
    for direction in [Direction::Tx, Direction::Rx, Direction::Unknown] {
        let mut frame: Vec<usize> = Vec::new();
        for index in 0..events.len() {
            let event = events[index];
            if event.direction != direction {
                continue;
            }
            match event.mark {
                Mark::Byte(0x80 | 0x40) => frame = vec![index],
                Mark::Byte(0x0D) if !frame.is_empty() => {
                    frame.push(index);
                    let breaks = frame.iter().any(|&at| events[at].mark == Mark::Break);
                    let bytes: Option<Vec<u8>> = frame
                        .iter()
                        .map(|&at| match events[at].mark {
                            Mark::Byte(byte) => Some(byte),
                            Mark::Break => Some(0x00),
                            _ => None,
                        })
                        .collect();
                    if breaks && bytes.is_some_and(|bytes| Frame::decode(&bytes).is_ok()) {
                        for &at in &frame {
                            if events[at].mark == Mark::Break {
                                events[at].mark = Mark::BreakAsZero;
                            }
                        }
                    }
                    frame.clear();
                }
                _ if !frame.is_empty() => frame.push(index),
                _ => {}
            }
        }
    }
}

/// The bytes of one frame pasted as analyser text, for `decode`: its breaks read as 0x00 where
/// that makes the frame check, and how many were.
pub fn frame_bytes(text: &str) -> Result<(Vec<u8>, usize), String> {
    let mut importer = AnalyserTextImporter::new();
    let mut events = Vec::new();
    for line in text.lines() {
        importer
            .line(line, &mut events)
            .map_err(|error| error.reason)?;
    }
    importer.finish(&mut events);
    let mut zeros = 0;
    let mut bytes = Vec::new();
    for event in events {
        match event.mark {
            Mark::Byte(byte) => bytes.push(byte),
            Mark::BreakAsZero => {
                zeros += 1;
                bytes.push(0x00);
            }
            Mark::Break => {
                return Err(
                    "a BREAK that no 0x00 makes a frame of: the frame was not recorded \
                            whole, or the analyser's baud rate is wrong"
                        .into(),
                );
            }
            Mark::FramingError | Mark::ParityError => {
                return Err(
                    "a framing or parity error in the frame: set the analyser to the \
                            line's settings (KMP: 1200 baud, 8 data bits, no parity, 2 stop bits)"
                        .into(),
                );
            }
        }
    }
    Ok((bytes, zeros))
}

#[cfg(test)]
mod tests;
