//! What a meter sends, as it arrives in any pieces: identification lines, data blocks, NAKs and
//! breaks, with the bytes that belong to none counted as noise. Bounded: a message that grows
//! past the longest the protocol has is dropped with an error, and reading starts over.

use super::{ETX, Identification, IecError, MAX_READOUT_LEN, NAK, Readout, SOH, STX};

/// The longest identification line: `/`, 3 letters, the baud character, 16 characters by the
/// standard (more are tolerated), CR LF.
const MAX_IDENT_LEN: usize = 80;

/// A message received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// An identification line, or why it is not one.
    Identification(Result<Identification, IecError>),
    /// A data block, or why it is not one.
    Readout(Result<Readout, IecError>),
    /// The meter did not take the last message.
    Nak,
    /// The meter ends the conversation.
    Break,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Identification,
    Block { after_etx: bool },
    Command { after_etx: bool },
}

/// The receiver; see the module documentation.
#[derive(Clone, Debug)]
pub struct Receiver {
    state: State,
    buffer: Vec<u8>,
    discarded: usize,
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new()
    }
}

impl Receiver {
    /// A receiver waiting for the first byte of a message.
    pub fn new() -> Self {
        Self {
            state: State::Idle,
            buffer: Vec::new(),
            discarded: 0,
        }
    }

    /// Bytes that belonged to no message.
    pub fn discarded(&self) -> usize {
        self.discarded
    }

    /// Bytes of a message begun and not yet complete.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// Whether a data block has begun and is not yet complete.
    pub fn in_block(&self) -> bool {
        matches!(self.state, State::Block { .. })
    }

    /// Takes one byte; returns a message when it completes one.
    pub fn push(&mut self, byte: u8) -> Option<Received> {
        match self.state {
            State::Idle => {
                match byte {
                    b'/' => self.begin(State::Identification, byte),
                    STX => self.begin(State::Block { after_etx: false }, byte),
                    SOH => self.begin(State::Command { after_etx: false }, byte),
                    NAK => return Some(Received::Nak),
                    _ => self.discarded += 1,
                }
                None
            }
            State::Identification => {
                self.buffer.push(byte);
                if byte == b'\n' {
                    let line = std::mem::take(&mut self.buffer);
                    self.state = State::Idle;
                    return Some(Received::Identification(Identification::decode(&line)));
                }
                if self.buffer.len() > MAX_IDENT_LEN {
                    self.reset();
                    return Some(Received::Identification(Err(IecError::TooLong(
                        MAX_IDENT_LEN,
                    ))));
                }
                None
            }
            State::Block { after_etx } => {
                self.buffer.push(byte);
                if after_etx {
                    let block = std::mem::take(&mut self.buffer);
                    self.state = State::Idle;
                    return Some(Received::Readout(Readout::decode(&block)));
                }
                if byte == ETX {
                    self.state = State::Block { after_etx: true };
                } else if self.buffer.len() >= MAX_READOUT_LEN {
                    self.reset();
                    return Some(Received::Readout(Err(IecError::TooLong(MAX_READOUT_LEN))));
                }
                None
            }
            State::Command { after_etx } => {
                self.buffer.push(byte);
                if after_etx {
                    let command = std::mem::take(&mut self.buffer);
                    self.state = State::Idle;
                    return (command.get(1..3) == Some(b"B0")).then_some(Received::Break);
                }
                if byte == ETX {
                    self.state = State::Command { after_etx: true };
                } else if self.buffer.len() > MAX_IDENT_LEN {
                    self.discarded += self.buffer.len();
                    self.reset();
                }
                None
            }
        }
    }

    fn begin(&mut self, state: State, byte: u8) {
        self.state = state;
        self.buffer.clear();
        self.buffer.push(byte);
    }

    fn reset(&mut self) {
        self.state = State::Idle;
        self.buffer.clear();
    }
}
