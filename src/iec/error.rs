//! What can be wrong with bytes that claim to be IEC 62056-21.

/// Why bytes are not a valid IEC 62056-21 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IecError {
    /// The block check character does not match the block.
    #[error(
        "block check character mismatch (computed 0x{computed:02X} as XOR, 0x{sum:02X} as a sum; the block says 0x{found:02X})"
    )]
    Bcc {
        /// The XOR of the block, as the standard computes it.
        computed: u8,
        /// The arithmetic sum (mod 128) some older Kamstrup meters are said to use.
        sum: u8,
        /// What the block carries.
        found: u8,
    },
    /// A line of the readout is not `address(value*unit)…`.
    #[error("line {line} of the readout is not address(value*unit)")]
    Line {
        /// Its number, from 1.
        line: usize,
    },
    /// The block ended before its `!` line, ETX or block check character.
    #[error("the block was cut short")]
    CutShort,
    /// The identification line is not `/XXXZ…`.
    #[error(
        "not an identification line (expected /, three letters, a baud character and an identifier)"
    )]
    Identification,
    /// A byte with the eighth bit set, which 7-bit IEC text never holds.
    #[error("byte 0x{0:02X} is not 7-bit text")]
    NotText(u8),
    /// Longer than any message of the protocol.
    #[error("longer than {0} bytes")]
    TooLong(usize),
    /// Not a message this program knows.
    #[error("not a message of IEC 62056-21")]
    Unknown,
    /// A 7E1 character read with eight data bits whose parity bit does not make the count of
    /// ones even.
    #[error("byte 0x{0:02X} fails its even parity")]
    Parity(u8),
}
