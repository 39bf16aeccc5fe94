//! What a client sends. The program builds two messages only: the sign-on `/?!` CR LF (with a
//! device address between `?` and `!` where a bus needs one) and the option select that asks for
//! the data readout, `ACK 0 Z 0` CR LF. Programming mode (`Y = 1`), manufacturer modes, passwords
//! and writes cannot be built. What a client sent can be read back, whatever it was, so a
//! simulated meter and a capture can say what they saw.

use super::{ACK, ETX, IecError, SOH, bcc_xor};

/// The longest device address in a sign-on.
const MAX_DEVICE_ADDRESS_LEN: usize = 32;

/// A message to a meter that the program may send; see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request(Kind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    SignOn { address: String },
    Readout { baud_character: u8 },
}

impl Request {
    /// The sign-on, to every meter on the line or to the one with `address` (letters, digits
    /// and spaces, at most 32).
    pub fn sign_on(address: Option<&str>) -> Self {
        let address = address
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .take(MAX_DEVICE_ADDRESS_LEN)
            .collect();
        Self(Kind::SignOn { address })
    }

    /// The option select for the data readout at the baud rate that `baud_character` (`0` to
    /// `6`) stands for; any other character asks for the readout at 300 baud.
    pub fn readout_at(baud_character: u8) -> Self {
        let baud_character = if (b'0'..=b'6').contains(&baud_character) {
            baud_character
        } else {
            b'0'
        };
        Self(Kind::Readout { baud_character })
    }

    /// The bytes to send.
    pub fn encode(&self) -> Vec<u8> {
        match &self.0 {
            Kind::SignOn { address } => format!("/?{address}!\r\n").into_bytes(),
            Kind::Readout { baud_character } => {
                vec![ACK, b'0', *baud_character, b'0', b'\r', b'\n']
            }
        }
    }

    /// The baud character of an option select.
    pub fn baud_character(&self) -> Option<u8> {
        match self.0 {
            Kind::Readout { baud_character } => Some(baud_character),
            Kind::SignOn { .. } => None,
        }
    }
}

/// What a client sent, as a meter (or a capture) reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientMessage {
    /// A sign-on, with the device address it names (empty for all).
    SignOn {
        /// The address between `?` and `!`.
        address: String,
    },
    /// An option select: protocol character, baud character, mode (`0` the data readout,
    /// `1` programming mode, `6` to `9` the manufacturer's).
    OptionSelect {
        /// The protocol control character (`0` normal).
        protocol: u8,
        /// The baud character.
        baud_character: u8,
        /// The mode control character.
        mode: u8,
    },
    /// A break: the client ends the conversation.
    Break,
}

impl ClientMessage {
    /// Reads one whole message.
    pub fn decode(bytes: &[u8]) -> Result<Self, IecError> {
        if let Some(rest) = bytes.strip_prefix(b"/?") {
            let address = rest.strip_suffix(b"!\r\n").ok_or(IecError::Unknown)?;
            if address.len() > MAX_DEVICE_ADDRESS_LEN || !address.is_ascii() {
                return Err(IecError::Unknown);
            }
            return Ok(Self::SignOn {
                address: String::from_utf8_lossy(address).into_owned(),
            });
        }
        match bytes {
            [ACK, protocol, baud_character, mode, b'\r', b'\n'] => Ok(Self::OptionSelect {
                protocol: *protocol,
                baud_character: *baud_character,
                mode: *mode,
            }),
            [SOH, b'B', b'0', ETX, bcc] if *bcc == bcc_xor(&[b'B', b'0', ETX]) => Ok(Self::Break),
            _ => Err(IecError::Unknown),
        }
    }
}
