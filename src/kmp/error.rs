//! Errors of the codec: small, `Copy + Eq`, and carrying the numbers a person needs.

use thiserror::Error;

/// Why bytes are not a valid KMP frame or message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// There were no bytes at all.
    #[error("empty frame")]
    Empty,
    /// The first byte is neither 0x80 (to the meter) nor 0x40 (from the meter).
    #[error(
        "frame starts with 0x{found:02X}, not with a start byte (0x80 to the meter, 0x40 from it)"
    )]
    BadStart {
        /// The first byte.
        found: u8,
    },
    /// The last byte is not the stop byte 0x0D.
    #[error("frame ends with 0x{found:02X}, not with the stop byte 0x0D")]
    MissingStop {
        /// The last byte.
        found: u8,
    },
    /// The frame is longer than [`MAX_FRAME_LEN`](super::MAX_FRAME_LEN).
    #[error("frame of {len} bytes is longer than the limit of {max}")]
    TooLong {
        /// Length of the physical frame.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A reserved byte appears unescaped between start and stop.
    #[error("reserved byte 0x{byte:02X} at offset {offset} is not escaped")]
    UnescapedReserved {
        /// Offset in the physical frame.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// An escape byte 0x1B is followed by a byte that is no stuffed reserved byte.
    #[error(
        "escape 0x1B at offset {offset} is followed by 0x{byte:02X}, which stands for no reserved byte"
    )]
    InvalidEscape {
        /// Offset of the escape byte in the physical frame.
        offset: usize,
        /// The byte after it.
        byte: u8,
    },
    /// An escape byte 0x1B is the last byte before the stop byte.
    #[error("escape 0x1B at offset {offset} is cut off by the end of the frame")]
    TruncatedEscape {
        /// Offset of the escape byte in the physical frame.
        offset: usize,
    },
    /// Fewer bytes than destination, command ID and CRC need.
    #[error(
        "frame holds {len} bytes between start and stop once unstuffed, fewer than the {min} of address, command and CRC"
    )]
    TooShort {
        /// Unstuffed length between start and stop.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// The CRC in the frame is not the CRC of its content.
    #[error("crc mismatch (computed 0x{computed:04X}, frame says 0x{frame:04X})")]
    CrcMismatch {
        /// CRC-16/XMODEM of destination, command and data.
        computed: u16,
        /// The two CRC bytes of the frame, high byte first.
        frame: u16,
    },
    /// A GetRegister request asks for no register or for more than eight.
    #[error("GetRegister request asks for {count} registers; 1 to 8 are allowed")]
    RegisterCount {
        /// The count byte of the request.
        count: usize,
    },
    /// A message of a known command has the wrong amount of data.
    #[error("command 0x{cid:02X} carries {actual} data bytes where {expected} belong")]
    DataLength {
        /// The command ID.
        cid: u8,
        /// The length the command has.
        expected: usize,
        /// The length found.
        actual: usize,
    },
    /// A register block in a GetRegister answer runs past the end of the data.
    #[error(
        "register block at data offset {offset} is cut off: it needs {needed} bytes, {available} are left"
    )]
    TruncatedRegister {
        /// Offset of the block in the application data.
        offset: usize,
        /// Bytes the block needs.
        needed: usize,
        /// Bytes left in the data.
        available: usize,
    },
}

/// Why a message cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// A GetRegister request holds 1 to 8 register IDs.
    #[error("a request holds 1 to 8 register IDs, not {count}")]
    RegisterCount {
        /// The number asked for.
        count: usize,
    },
    /// A register block's mantissa length is one byte on the wire.
    #[error("a mantissa of {len} bytes does not fit the one-byte length field")]
    MantissaTooLong {
        /// The length asked for.
        len: usize,
    },
    /// A number does not fit the mantissa length chosen for it.
    #[error("mantissa {mantissa} does not fit in {len} bytes")]
    MantissaOverflow {
        /// The mantissa.
        mantissa: u128,
        /// The length chosen.
        len: usize,
    },
    /// The later rows of a logger answer carry no formats, so they must share the first row's.
    #[error("row {row} of a log table holds other registers or formats than the first row")]
    LoggerRowFormat {
        /// The row that differs.
        row: usize,
    },
    /// A logger answer holds at most 65,535 rows, and one record ID for each.
    #[error("a logger answer cannot hold {count} rows (or that many record IDs)")]
    LoggerRowCount {
        /// The number given.
        count: usize,
    },
    /// KMP exponents run from -63 to 63.
    #[error("exponent {exponent} is outside -63..=63")]
    ExponentRange {
        /// The exponent asked for.
        exponent: i8,
    },
}
