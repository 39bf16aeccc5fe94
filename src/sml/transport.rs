//! SML transport version 1: the frame around the messages (docs/protocols.md §11).
//!
//! ```text
//! 1b 1b 1b 1b  01 01 01 01      start
//! …messages…                    padded with 00 to a multiple of four bytes
//! 1b 1b 1b 1b  1a pp cc cc      end: pp padding bytes, cc cc the CRC-16/X-25
//! ```
//!
//! After the start the stream goes in words of four bytes. Four `1b` are an escape: the next
//! word says what follows (`1b 1b 1b 1b` again is those bytes as data, `01 01 01 01` a new start,
//! `1a …` the end). The CRC covers every byte from the start up to and including the padding
//! count. It goes out low byte first, as every frame of the public real-meter dumps has it
//! (libsml-testing); some meters send it high byte first (libsml's users report this of a Holley
//! DTZ541), which is taken and said.

use crc::{CRC_16_IBM_SDLC, Crc};

use super::SmlError;

/// CRC-16/X-25 (the IBM SDLC CRC), which SML uses for frames and messages.
pub(super) const X25: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_SDLC);

const ESCAPE: [u8; 4] = [0x1B; 4];
const START: [u8; 4] = [0x01; 4];
const END: u8 = 0x1A;

/// The longest frame taken, start to CRC: a meter's telegram is a few hundred bytes; logs
/// pushed by some meters reach a few kilobytes.
pub const MAX_FRAME_LEN: usize = 16 * 1024;

/// A frame that arrived whole and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The messages, without escapes and padding.
    pub payload: Vec<u8>,
    /// Whether the CRC came high byte first, as some meters send it.
    pub crc_swapped: bool,
    /// The bytes the frame took on the wire.
    pub wire_len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Looking for the start; how many of its eight bytes matched.
    Hunting(usize),
    /// In a frame, reading words.
    Words,
    /// In a frame, after an escape: reading the command word.
    Command,
}

/// Bytes to frames, as they arrive in any pieces. Bounded by [`MAX_FRAME_LEN`]; bytes outside a
/// frame are counted as noise.
#[derive(Clone, Debug)]
pub struct Receiver {
    state: State,
    /// Every byte of the frame so far, as sent (for the CRC).
    wire: Vec<u8>,
    /// The word being read.
    word: Vec<u8>,
    payload: Vec<u8>,
    discarded: usize,
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new()
    }
}

impl Receiver {
    /// A receiver looking for a start.
    pub fn new() -> Self {
        Self {
            state: State::Hunting(0),
            wire: Vec::new(),
            word: Vec::with_capacity(4),
            payload: Vec::new(),
            discarded: 0,
        }
    }

    /// Bytes that belonged to no frame.
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Bytes of a frame begun and not yet whole.
    pub fn pending(&self) -> usize {
        self.wire.len()
    }

    /// Takes one byte; gives a frame when one is whole, or why the one under way is not one.
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame, SmlError>> {
        match self.state {
            State::Hunting(matched) => {
                let expected = if matched < 4 { 0x1B } else { 0x01 };
                if byte == expected {
                    self.wire.push(byte);
                    if matched + 1 == 8 {
                        self.state = State::Words;
                    } else {
                        self.state = State::Hunting(matched + 1);
                    }
                } else {
                    // The bytes matched so far were noise; this one may begin a start.
                    self.discarded += self.wire.len();
                    self.wire.clear();
                    if byte == 0x1B {
                        self.wire.push(byte);
                        self.state = State::Hunting(1);
                    } else {
                        self.discarded += 1;
                        self.state = State::Hunting(0);
                    }
                }
                None
            }
            State::Words | State::Command => {
                self.wire.push(byte);
                self.word.push(byte);
                if self.wire.len() > MAX_FRAME_LEN {
                    return Some(Err(self.fail(SmlError::TooLong(MAX_FRAME_LEN))));
                }
                if self.word.len() < 4 {
                    return None;
                }
                let word: [u8; 4] = [self.word[0], self.word[1], self.word[2], self.word[3]];
                self.word.clear();
                self.take_word(word)
            }
        }
    }

    fn take_word(&mut self, word: [u8; 4]) -> Option<Result<Frame, SmlError>> {
        match self.state {
            State::Words if word == ESCAPE => {
                self.state = State::Command;
                None
            }
            State::Words => {
                self.payload.extend_from_slice(&word);
                None
            }
            State::Command if word == ESCAPE => {
                self.payload.extend_from_slice(&ESCAPE);
                self.state = State::Words;
                None
            }
            State::Command if word == START => {
                // A new start: the frame under way was cut off.
                let cut = self.wire.len() - 8;
                self.discarded += cut;
                self.wire.drain(..cut);
                self.payload.clear();
                self.state = State::Words;
                Some(Err(SmlError::CutShort))
            }
            State::Command if word[0] == END => Some(self.end(word)),
            State::Command => Some(Err(self.fail(SmlError::Escape(word)))),
            State::Hunting(_) => None,
        }
    }

    /// The end word: padding and CRC.
    fn end(&mut self, word: [u8; 4]) -> Result<Frame, SmlError> {
        let padding = usize::from(word[1]);
        let checked = &self.wire[..self.wire.len() - 2];
        let computed = X25.checksum(checked);
        let sent = u16::from_le_bytes([word[2], word[3]]);
        let wire_len = self.wire.len();
        if padding > 3 || padding > self.payload.len() {
            return Err(self.fail(SmlError::Padding(word[1])));
        }
        let crc_swapped = if computed == sent {
            false
        } else if computed == sent.swap_bytes() {
            true
        } else {
            return Err(self.fail(SmlError::Crc { computed, sent }));
        };
        let mut payload = std::mem::take(&mut self.payload);
        payload.truncate(payload.len() - padding);
        self.reset();
        Ok(Frame {
            payload,
            crc_swapped,
            wire_len,
        })
    }

    /// Drops the frame under way, counting it as noise, and gives `error`.
    fn fail(&mut self, error: SmlError) -> SmlError {
        self.discarded += self.wire.len();
        self.reset();
        error
    }

    fn reset(&mut self) {
        self.state = State::Hunting(0);
        self.wire.clear();
        self.word.clear();
        self.payload.clear();
    }
}

/// The frame for `payload`: escaped, padded, its CRC low byte first.
pub fn encode_frame(payload: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(payload.len() + 24);
    wire.extend_from_slice(&ESCAPE);
    wire.extend_from_slice(&START);
    let padding = (4 - payload.len() % 4) % 4;
    let mut padded = payload.to_vec();
    padded.resize(payload.len() + padding, 0);
    for word in padded.chunks(4) {
        if word == ESCAPE {
            wire.extend_from_slice(&ESCAPE);
        }
        wire.extend_from_slice(word);
    }
    wire.extend_from_slice(&ESCAPE);
    wire.push(END);
    wire.push(padding as u8);
    let crc = X25.checksum(&wire);
    wire.extend_from_slice(&crc.to_le_bytes());
    wire
}
