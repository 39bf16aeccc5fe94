//! The Kamstrup Meter Protocol (KMP) codec, sans-IO.
//!
//! Layer by layer, as the Kamstrup documents describe the protocol (docs/protocols.md §3–5):
//!
//! - physical: start byte, byte stuffing, stop byte ([`stuffing`], [`Deframer`]);
//! - data link: destination address, command ID and CRC-16/XMODEM ([`Frame`], [`crc`]);
//! - application: the read commands and their answers ([`Request`], [`Response`], [`decode`]),
//!   and the logger reads of the meter's history ([`logger`]);
//! - values: register blocks with an exact decimal mantissa and exponent ([`Register`], [`Number`]).
//!
//! Invariants, checked by tests and by `tests/it/tidy.rs`:
//!
//! - No IO, no clock, no threads, no logging: bytes and values in, bytes and values out.
//! - No input makes it panic; every buffer it grows has a bound ([`MAX_FRAME_LEN`]).
//! - It reads meters and never writes to them: the only frames to a meter that the public API can
//!   build are GetType, GetSerialNo and GetRegister ([`Request`]) and the logger reads
//!   ([`logger::LoggerRead`]).
//!
//! ```
//! use kmp_workbench::kmp::{self, Message, RegisterId, RegisterList, Request, Response};
//!
//! let request = Request::GetRegister(RegisterList::single(RegisterId::new(68)));
//! assert_eq!(request.encode(0x3F), [0x80, 0x3F, 0x10, 0x01, 0x00, 0x44, 0x4D, 0xC0, 0x0D]);
//!
//! let answer = [0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x90, 0x0D];
//! let Ok(Message::Response { response: Response::Registers(registers), .. }) = kmp::decode(&answer) else {
//!     panic!("a captured MULTICAL 21 answer decodes");
//! };
//! assert_eq!(registers[0].value_text().as_deref(), Some("8.541"));
//! assert_eq!(registers[0].display_text(), "8.541 m³");
//! ```

pub mod crc;
mod deframer;
mod error;
mod frame;
pub mod info;
pub mod logger;
mod message;
mod number;
pub mod register;
mod register_block;
mod register_list;
pub mod stuffing;
pub mod unit;

#[cfg(test)]
pub(crate) mod fuzz_tests;
#[cfg(test)]
mod test_util;

pub use deframer::{Deframed, Deframer};
pub use error::{DecodeError, EncodeError};
pub use frame::{Direction, Frame};
pub use message::{Cid, Message, MeterType, Request, Response, absent_ids, command_name, decode};
pub use number::{Number, ParseNumberError};
pub use register::{Family, ParseRegisterIdError, RegisterId};
pub use register_block::{Register, Value};
pub use register_list::{MAX_REGISTERS_PER_REQUEST, RegisterList};
pub use unit::{Unit, UnitKind};

/// First byte of a frame sent to a meter.
pub const START_TO_METER: u8 = 0x80;
/// First byte of a frame sent by a meter.
pub const START_FROM_METER: u8 = 0x40;
/// Last byte of every frame.
pub const STOP: u8 = 0x0D;
/// Introduces a stuffed byte: `ESCAPE, byte ^ 0xFF` (KMP doc, docs/protocols.md §3).
pub const ESCAPE: u8 = 0x1B;
/// The application acknowledge, sent alone without start, CRC or stop (docs/protocols.md §3).
pub const ACK: u8 = 0x06;
/// Bytes that never appear unescaped between the start and the stop byte.
pub const RESERVED: [u8; 5] = [ACK, STOP, ESCAPE, START_FROM_METER, START_TO_METER];
/// The destination address every public capture uses: the meter itself (docs/protocols.md §6).
pub const DEFAULT_DESTINATION: u8 = 0x3F;
/// The longest physical frame, start and stop included, that the deframer and decoder accept.
///
/// Eight register blocks with 16-byte mantissas, all stuffed, need about 400 bytes; logger answers
/// seen in public captures are under 150. The bound keeps a stream without stop bytes from growing
/// a buffer forever.
pub const MAX_FRAME_LEN: usize = 1024;

/// Upper-case hex without separators, as in the register object's `raw` field and traffic logs.
///
/// ```
/// assert_eq!(kmp_workbench::kmp::to_hex(&[0x28, 0x04, 0x43]), "280443");
/// ```
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Bytes from hex digits in pairs with nothing between them, as [`to_hex`] writes them; `None`
/// for anything else (a sign, a separator, an odd digit count). Every other hex reader of the
/// program builds on this one.
///
/// ```
/// use kmp_workbench::kmp::from_hex;
/// assert_eq!(from_hex("280443"), Some(vec![0x28, 0x04, 0x43]));
/// assert_eq!(from_hex("28 04"), None);
/// assert_eq!(from_hex("+F"), None, "a sign is no digit");
/// assert_eq!(from_hex("280"), None);
/// ```
pub fn from_hex(hex: &str) -> Option<Vec<u8>> {
    let digits = hex.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16);
    digits
        .chunks_exact(2)
        .map(|pair| Some(((digit(pair[0])? << 4) | digit(pair[1])?) as u8))
        .collect()
}
