//! Recordings people bring from logic analysers and sniffers, read as timed bytes with a
//! direction: sans-IO importers, one per format, each fed the file line by line and yielding
//! [`Event`]s. Framing errors and breaks are kept as events of their own, since they are what a
//! bad head or a wrong line setting leaves in a recording.
//!
//! Decoded bytes: sigrok-cli ([`sigrok`]), PulseView ([`pulseview`]), Saleae ([`saleae`]),
//! `socat -x -v` ([`socat`]), jpnevulator, hex dumps, plain hex and the workbench's own traffic
//! files ([`text_dumps`]), analyser text as people paste it ([`analyser_text`]); raw logic (VCD, sigrok `.sr`) through the program's own UART decoder
//! ([`raw`], [`uart`]). [`format`](mod@format) finds the format from the content; [`analysis`] turns the
//! events into frames and a diagnosis. The README's `capture` section lists the formats and how
//! each tool writes them.

pub mod analog;
pub mod analyser_text;
pub mod analysis;
pub mod excerpt;
pub mod format;
pub mod pulseview;
pub mod raw;
pub mod saleae;
pub mod scope_csv;
pub mod signal;
pub mod sigrok;
pub mod sigrok_analog;
pub mod socat;
pub mod text_dumps;
pub mod uart;
pub mod wav;

#[cfg(test)]
mod tests;

/// Which way a byte went on the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the head to the meter (the request).
    Tx,
    /// From the meter to the head (the echo and the answer).
    Rx,
    /// The recording does not say.
    Unknown,
}

/// When something happened, as far as the recording says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stamp {
    /// Seconds from the recording's own origin.
    Seconds(f64),
    /// A sample number: seconds only with the samplerate, which some formats never state.
    Sample(u64),
    /// No time at all.
    None,
}

/// What a recording holds at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A byte received whole.
    Byte(u8),
    /// A character whose stop bit was low.
    FramingError,
    /// A character whose parity bit did not check.
    ParityError,
    /// The line held low for longer than a character.
    Break,
    /// A break an analyser showed where a 0x00 makes the frame check: the byte 0x00, which an
    /// analyser set to other framing than the line's takes for a break (at 8N1 a 0x00 is nine
    /// low bit times).
    BreakAsZero,
}

impl Mark {
    /// The byte it stands for, if it stands for one.
    pub fn byte(self) -> Option<u8> {
        match self {
            Self::Byte(byte) => Some(byte),
            Self::BreakAsZero => Some(0x00),
            Self::FramingError | Self::ParityError | Self::Break => None,
        }
    }
}

/// One timed mark of one direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// When.
    pub at: Stamp,
    /// Which way.
    pub direction: Direction,
    /// What.
    pub mark: Mark,
}

/// A sans-IO importer of one format, fed its file line by line.
pub trait LineImporter {
    /// Reads one line (without its line ending) and appends what it holds to `events`.
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError>;

    /// The file ends: appends what the importer held back (PulseView's marks, sorted).
    fn finish(&mut self, _events: &mut Vec<Event>) {}
}

/// Why a recording could not be read: the line and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ImportError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong with it, and what to do where something can be done.
    pub reason: String,
}

/// The direction a channel's or analyzer's name gives: `RX`, `TX`, `RXD`, `TXD`, or a label
/// holding one of them as a word (`Async Serial [TX]`); anything else says nothing.
fn direction_named(label: &str) -> Direction {
    let words: Vec<String> = label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |names: [&str; 2]| words.iter().any(|word| names.contains(&word.as_str()));
    if has(["rx", "rxd"]) {
        Direction::Rx
    } else if has(["tx", "txd"]) {
        Direction::Tx
    } else {
        Direction::Unknown
    }
}

/// A byte written as two hex digits (`80`, `3f`, `0x80` is not this).
fn hex_byte(text: &str) -> Option<u8> {
    (text.len() == 2)
        .then(|| u8::from_str_radix(text, 16).ok())
        .flatten()
}
