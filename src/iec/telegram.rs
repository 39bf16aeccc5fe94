//! Mode D: what a meter pushes unasked, every second or few (eBZ DD3, EasyMeter, Hager; docs/
//! protocols.md §7): its identification line, an empty line, the data lines as in a readout, and
//! `!`. Some meters wrap the lines in STX … ETX and a block check character; most send none, and
//! its absence is no error. A 7E1 character read at eight data bits (through a pseudo-terminal,
//! or a port left at 8N1) carries its parity bit as bit 7: [`strip_parity`] checks and drops it.

use super::{Bcc, DataLine, ETX, Identification, IecError, MAX_READOUT_LEN, Readout, STX};

/// A mode D telegram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Telegram {
    /// The meter's identification line.
    pub identification: Identification,
    /// The data lines, in the order sent.
    pub lines: Vec<DataLine>,
    /// How its check character was computed, when it sent one.
    pub bcc: Option<Bcc>,
}

impl Telegram {
    /// Reads a whole telegram, from `/` to the `!` line (and the check character, if it has
    /// one).
    pub fn decode(bytes: &[u8]) -> Result<Self, IecError> {
        if bytes.len() > MAX_READOUT_LEN {
            return Err(IecError::TooLong(MAX_READOUT_LEN));
        }
        let end = bytes
            .windows(2)
            .position(|pair| pair == b"\r\n")
            .ok_or(IecError::CutShort)?;
        let identification = Identification::decode(&bytes[..end + 2])?;
        let rest = &bytes[end + 2..];
        let rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        if rest.first() == Some(&STX) {
            let readout = Readout::decode(rest)?;
            return Ok(Self {
                identification,
                lines: readout.lines,
                bcc: Some(readout.bcc),
            });
        }
        if let Some(&byte) = rest.iter().find(|b| !b.is_ascii()) {
            return Err(IecError::NotText(byte));
        }
        let text = String::from_utf8_lossy(rest);
        let body = text.strip_suffix("!\r\n").ok_or(IecError::CutShort)?;
        let lines = body
            .split_terminator("\r\n")
            .enumerate()
            .map(|(index, line)| {
                DataLine::parse(line).map_err(|_| IecError::Line { line: index + 1 })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            identification,
            lines,
            bcc: None,
        })
    }
}

/// The 7-bit character of `byte`, a 7E1 character read with eight data bits: its bit 7 is the
/// parity bit, which makes the count of ones even.
pub fn strip_parity(byte: u8) -> Result<u8, IecError> {
    if byte.count_ones().is_multiple_of(2) {
        Ok(byte & 0x7F)
    } else {
        Err(IecError::Parity(byte))
    }
}

/// Telegrams as they arrive in any pieces; bytes before a `/` are noise. Bounded by
/// [`MAX_READOUT_LEN`].
#[derive(Clone, Debug, Default)]
pub struct TelegramReceiver {
    buffer: Vec<u8>,
    /// Whether the lines came in STX … ETX: the check character follows ETX.
    framed: bool,
    discarded: usize,
}

impl TelegramReceiver {
    /// A receiver waiting for a telegram's `/`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes that belonged to no telegram.
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Bytes of a telegram begun and not yet whole.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// Takes one 7-bit character; gives a telegram, or why one is not, when it is whole.
    pub fn push(&mut self, byte: u8) -> Option<Result<Telegram, IecError>> {
        if self.buffer.is_empty() {
            if byte != b'/' {
                self.discarded += 1;
                return None;
            }
            self.buffer.push(byte);
            return None;
        }
        // The byte after ETX is the check character, whatever it is.
        let check_character = self.framed && self.buffer.last() == Some(&ETX);
        if byte == b'/' && !check_character {
            // Only an identification begins with `/`, which no data line holds: a new telegram
            // began, and the last one was cut short.
            self.discarded += self.buffer.len();
            self.buffer.clear();
            self.buffer.push(byte);
            self.framed = false;
            return Some(Err(IecError::CutShort));
        }
        self.buffer.push(byte);
        if self.buffer.len() > MAX_READOUT_LEN {
            self.discarded += self.buffer.len();
            self.buffer.clear();
            self.framed = false;
            return Some(Err(IecError::TooLong(MAX_READOUT_LEN)));
        }
        self.framed |= byte == STX;
        let whole = if self.framed {
            self.buffer.len() >= 2 && self.buffer[self.buffer.len() - 2] == ETX
        } else {
            self.buffer.ends_with(b"\r\n!\r\n")
        };
        if !whole {
            return None;
        }
        self.framed = false;
        let telegram = Telegram::decode(&self.buffer);
        if telegram.is_err() {
            self.discarded += self.buffer.len();
        }
        self.buffer.clear();
        Some(telegram)
    }
}
