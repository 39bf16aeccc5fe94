//! Finds frames in a byte stream that arrives in arbitrary pieces.
//!
//! The receiver rules of working clients (docs/protocols.md §3): skip bytes until a start byte,
//! restart on every start byte, end on the stop byte. Start and stop bytes never occur unescaped
//! inside a frame, so this resynchronises after noise. A frame that has begun but not ended is
//! ordinary state, not an error: a serial read can stop anywhere.
//!
//! The deframer yields frames of both directions. Whether a 0x80 frame is the echo of our own
//! request is for the link to decide; the simulated meter reads 0x80 frames as requests.

use super::{ACK, MAX_FRAME_LEN, START_FROM_METER, START_TO_METER, STOP};

/// What the deframer found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deframed {
    /// The bytes of one physical frame, start and stop included; not yet checked.
    Frame(Vec<u8>),
    /// A lone acknowledge byte outside any frame.
    Ack,
}

/// An incremental frame finder; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Deframer {
    /// The frame being collected, from its start byte on; empty between frames.
    frame: Vec<u8>,
    /// Bytes that ended up in no frame: noise, aborted and over-long frames.
    discarded: u64,
}

impl Deframer {
    /// A deframer waiting for a start byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one byte; returns a frame or an ACK when this byte completes one.
    pub fn push_byte(&mut self, byte: u8) -> Option<Deframed> {
        match byte {
            START_TO_METER | START_FROM_METER => {
                self.discard_partial();
                self.frame.push(byte);
                None
            }
            _ if self.frame.is_empty() => {
                if byte == ACK {
                    return Some(Deframed::Ack);
                }
                self.discarded += 1;
                None
            }
            STOP => {
                self.frame.push(byte);
                Some(Deframed::Frame(std::mem::take(&mut self.frame)))
            }
            _ if self.frame.len() + 1 >= MAX_FRAME_LEN => {
                // No room left for this byte and a stop byte: drop it all and wait for a start.
                self.discard_partial();
                self.discarded += 1;
                None
            }
            _ => {
                self.frame.push(byte);
                None
            }
        }
    }

    /// Feeds a piece of the stream; yields what it completes, in order.
    ///
    /// ```
    /// use kmp_workbench::kmp::{Deframed, Deframer};
    /// let mut deframer = Deframer::new();
    /// assert_eq!(deframer.push(&[0x00, 0x40, 0x3F]).count(), 0);
    /// let found: Vec<_> = deframer.push(&[0x10, 0x07, 0x9A, 0x0D, 0x06]).collect();
    /// assert_eq!(found, [Deframed::Frame(vec![0x40, 0x3F, 0x10, 0x07, 0x9A, 0x0D]), Deframed::Ack]);
    /// assert_eq!(deframer.discarded(), 1);
    /// ```
    pub fn push<'a>(&'a mut self, bytes: &'a [u8]) -> impl Iterator<Item = Deframed> + 'a {
        bytes.iter().filter_map(|&byte| self.push_byte(byte))
    }

    /// How many bytes so far belonged to no complete frame.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    /// How many bytes of a started frame are waiting for its stop byte.
    pub fn pending(&self) -> usize {
        self.frame.len()
    }

    /// Forgets a started frame (counted as discarded), as before a new request.
    pub fn reset(&mut self) {
        self.discard_partial();
    }

    fn discard_partial(&mut self) {
        self.discarded += self.frame.len() as u64;
        self.frame.clear();
    }
}

#[cfg(test)]
mod tests;
