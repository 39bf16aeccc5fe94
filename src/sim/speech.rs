//! What a simulated meter that does not speak KMP listens for: the messages of an IEC 62056-21
//! client (sign-on, option select, break) and Kamstrup's `/#1`. Bytes go in one at a time; what
//! a whole message asked for comes out. Sans-IO, like the meter that holds it.

use crate::iec::{ACK, ClientMessage, ETX, SOH, baud_of};
use crate::mc66;

/// The longest client message kept: a sign-on with a 32-character address.
const MAX_MESSAGE_LEN: usize = 48;

/// What an IEC 62056-21 client asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum IecAsked {
    /// The sign-on, this many bytes long.
    SignOn {
        /// Its length.
        len: usize,
    },
    /// The data readout at this baud rate (an option select for mode `0`).
    Readout {
        /// The baud rate it names.
        baud: u32,
    },
    /// An option select for anything but the data readout (programming mode and the like),
    /// which the meter ignores.
    OtherMode,
    /// A break: the conversation ends.
    Break,
}

/// Collects an IEC 62056-21 client's messages.
#[derive(Clone, Debug, Default)]
pub(super) struct IecListener {
    buffer: Vec<u8>,
}

impl IecListener {
    /// Takes one byte; returns what a message it completes asks.
    pub fn push(&mut self, byte: u8) -> Option<IecAsked> {
        if self.buffer.is_empty() && ![b'/', ACK, SOH].contains(&byte) {
            return None;
        }
        self.buffer.push(byte);
        let whole = match self.buffer.first() {
            Some(&SOH) => self.buffer.len() >= 2 && self.buffer[self.buffer.len() - 2] == ETX,
            _ => byte == b'\n',
        };
        if !whole {
            if self.buffer.len() > MAX_MESSAGE_LEN {
                self.buffer.clear();
            }
            return None;
        }
        let message = std::mem::take(&mut self.buffer);
        match ClientMessage::decode(&message).ok()? {
            ClientMessage::SignOn { .. } => Some(IecAsked::SignOn { len: message.len() }),
            ClientMessage::OptionSelect {
                baud_character,
                mode: b'0',
                ..
            } => Some(IecAsked::Readout {
                baud: baud_of(baud_character)?,
            }),
            ClientMessage::OptionSelect { .. } => Some(IecAsked::OtherMode),
            ClientMessage::Break => Some(IecAsked::Break),
        }
    }

    /// Forgets a message begun: bytes at the wrong settings broke it.
    pub fn reset(&mut self) {
        self.buffer.clear();
    }
}

/// Listens for `/#1`.
#[derive(Clone, Debug, Default)]
pub(super) struct Mc66Listener {
    last: Vec<u8>,
}

impl Mc66Listener {
    /// Takes one byte; true when it completes `/#1`.
    pub fn push(&mut self, byte: u8) -> bool {
        self.last.push(byte);
        if self.last.len() > mc66::REQUEST.len() {
            self.last.remove(0);
        }
        self.last == mc66::REQUEST
    }

    /// Forgets what came: bytes at the wrong settings broke it.
    pub fn reset(&mut self) {
        self.last.clear();
    }
}
