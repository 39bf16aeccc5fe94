//! CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final XOR), the KMP checksum.
//!
//! It covers destination, command ID and data, unstuffed, and travels high byte first
//! (docs/protocols.md §3). Running it over a frame's content followed by its CRC gives 0.

use crc::{CRC_16_XMODEM, Crc};

const XMODEM: Crc<u16> = Crc::<u16>::new(&CRC_16_XMODEM);

/// The KMP CRC of `bytes`.
///
/// ```
/// assert_eq!(kmp_workbench::kmp::crc::crc16(b"123456789"), 0x31C3);
/// ```
pub fn crc16(bytes: &[u8]) -> u16 {
    XMODEM.checksum(bytes)
}

#[cfg(test)]
mod tests;
