//! IEC 62056-21 (IEC 1107), the other protocol of the optical eye, sans-IO: what a client sends
//! (the sign-on and the option select), what a meter answers (an identification line and a data
//! readout of `address(value*unit)` lines closed by a block check character), decoded into exact
//! values. docs/protocols.md §7 has the facts and their sources.
//!
//! - [`Request`]: the messages a client sends; only the sign-on and the option select for the
//!   data readout can be built, so programming mode, passwords and writes cannot leave the
//!   program.
//! - [`Identification`]: `/XXXZ<ident>`, the manufacturer, the baud rate the meter offers and
//!   its reaction time.
//! - [`Readout`]: STX, data lines, `!`, ETX and the BCC, each line an [`Address`] and its values,
//!   kept as text and as exact [`crate::kmp::Number`]s.
//! - [`Receiver`]: bytes as they arrive, in any pieces, to identifications, readouts, NAKs and
//!   breaks.
//!
//! Like `kmp`: no IO, no clock, no threads; no input makes it panic; every buffer has a bound.
//!
//! ```
//! use kmp_workbench::iec::{Readout, Request};
//!
//! assert_eq!(Request::sign_on(None).encode(), b"/?!\r\n");
//! let block = b"\x021.8.0(0012345.678*kWh)\r\n!\r\n\x03\x00";
//! let mut bytes = block.to_vec();
//! *bytes.last_mut().unwrap() = kmp_workbench::iec::bcc_xor(&bytes[1..bytes.len() - 1]);
//! let readout = Readout::decode(&bytes).unwrap();
//! assert_eq!(readout.lines[0].address.as_str(), "1.8.0");
//! assert_eq!(readout.lines[0].values[0].number().unwrap().to_string(), "12345.678");
//! ```

mod address;
mod error;
mod ident;
mod names;
mod readout;
mod receiver;
mod request;
mod telegram;

pub use address::{Address, MAX_ADDRESS_LEN};
pub use error::IecError;
pub use ident::{Identification, Mode};
pub use names::name;
pub use readout::{
    Bcc, DataLine, DataValue, MAX_READOUT_LEN, Readout, bcc_sum, bcc_xor, encode_readout,
};
pub use receiver::{Received, Receiver};
pub use request::{ClientMessage, Request};
pub use telegram::{Telegram, TelegramReceiver, strip_parity};

/// Start of text: opens a data block.
pub const STX: u8 = 0x02;
/// End of text: closes a data block; the block check character follows.
pub const ETX: u8 = 0x03;
/// Start of header: opens a command message (a break, in a meter's words or a client's).
pub const SOH: u8 = 0x01;
/// Acknowledge: opens the option select.
pub const ACK: u8 = 0x06;
/// Negative acknowledge: the block was not received well.
pub const NAK: u8 = 0x15;

/// The baud rate a mode C or mode B baud character stands for (docs/protocols.md §7).
pub fn baud_of(character: u8) -> Option<u32> {
    match character {
        b'0' => Some(300),
        b'1' | b'A' => Some(600),
        b'2' | b'B' => Some(1200),
        b'3' | b'C' => Some(2400),
        b'4' | b'D' => Some(4800),
        b'5' | b'E' => Some(9600),
        b'6' | b'F' => Some(19200),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
