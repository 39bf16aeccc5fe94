//! The logger (history) read commands and their answers (docs/protocols.md §4), sans-IO like the rest of
//! the codec.
//!
//! Two families of commands read a meter's stored history:
//!
//! - `B8` on MULTICAL 603/303-class meters: sub-command `05` GetConfiguration (depth and the
//!   registers a logger holds), `06` GetLogIDPastAbs and `07` GetLogLastEntryPastAbs (rows newest
//!   first, a 16-bit info word). A `B8` frame of the other dialect (sub-commands 00/02/03 on
//!   OMNIPOWER meters, docs/protocols.md §9) stays a plain [`Frame`](super::Frame).
//! - `A0`–`A3` on MULTICAL 601/801 logger modules and the 162/382 electricity meters: records by
//!   16-bit record ID, the first carrying the register formats, an 8-bit INFO at the end; and `9B`
//!   GetEventStatus.
//!
//! Everything here decodes, and each accepted frame re-encodes to exactly its own bytes. Only
//! [`LoggerRead`] builds requests to a meter, and it cannot express what the sources leave in doubt
//! or what changes a meter: `A0` and `A3` (the byte order of their time field is disputed), `9C`
//! (it moves the meter's "last read" marker), `07` with an offset other than "the newest", the
//! `B8` sub-commands without a public layout, and any write.

mod describe;
mod request;
mod response;
mod table;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

pub use request::{IntervalQuery, LoggerRead, LoggerRequest};
pub use response::{IntervalRows, LoggerConfig, LoggerResponse, LoggerRows, RowsKind};
pub use table::RowTable;

/// The `B8` command ID.
pub const CID_LOGGER: u8 = 0xB8;
/// `B8 07`'s offset that means "from the newest entry", the only one a source explains.
pub const NEWEST_OFFSET: u16 = 0xFFFF;
/// The registers a logger stamps its entries with: clock, date, and the 7-byte date and time.
pub const STAMP_REGISTERS: [u16; 3] = [1002, 1003, 348];

/// Whether `id` is one of the [`STAMP_REGISTERS`], which tell a record's time rather than a
/// value of its own.
pub fn is_stamp(id: crate::kmp::RegisterId) -> bool {
    STAMP_REGISTERS.contains(&id.value())
}
/// `9B` GetEventStatus.
pub const CID_EVENT_STATUS: u8 = 0x9B;
/// `9C` ClearEventStatus: decoded, never built.
pub const CID_CLEAR_EVENT_STATUS: u8 = 0x9C;
/// `A0` GetLogTimePresent: decoded, never built.
pub const CID_LOG_TIME_PRESENT: u8 = 0xA0;
/// `A1` GetLogLastPresent.
pub const CID_LOG_LAST_PRESENT: u8 = 0xA1;
/// `A2` GetLogIDPresent.
pub const CID_LOG_ID_PRESENT: u8 = 0xA2;
/// `A3` GetLogTimePast: decoded, never built.
pub const CID_LOG_TIME_PAST: u8 = 0xA3;

/// A logger type byte of the `B8` commands (docs/protocols.md §4), kept as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LoggerType(pub u8);

impl LoggerType {
    /// The history logger this type is, if it is one.
    pub fn history(self) -> Option<PeriodLogger> {
        PeriodLogger::ALL
            .into_iter()
            .find(|logger| logger.code() == self.0)
    }

    /// The name people read: `year` … `minute-2`, the other types by their source's name, and
    /// `type N` for a type no source names.
    pub fn name(self) -> String {
        if let Some(logger) = self.history() {
            return logger.name().to_string();
        }
        match self.0 {
            0 => "config".into(),
            1 => "info".into(),
            8 => "sw-download-success".into(),
            9 => "sw-download-audit".into(),
            other => format!("type {other}"),
        }
    }
}

/// The loggers of stored values the program reads: the `B8` logger types 2 to 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodLogger {
    /// Type 2: yearly values.
    Year,
    /// Type 3: monthly values.
    Month,
    /// Type 4: daily values.
    Day,
    /// Type 5: hourly values.
    Hour,
    /// Type 6: the first minute logger.
    Minute1,
    /// Type 7: the second minute logger.
    Minute2,
}

impl PeriodLogger {
    /// Every history logger, longest period first.
    pub const ALL: [Self; 6] = [
        Self::Year,
        Self::Month,
        Self::Day,
        Self::Hour,
        Self::Minute1,
        Self::Minute2,
    ];

    /// The logger type byte.
    pub const fn code(self) -> u8 {
        match self {
            Self::Year => 2,
            Self::Month => 3,
            Self::Day => 4,
            Self::Hour => 5,
            Self::Minute1 => 6,
            Self::Minute2 => 7,
        }
    }

    /// The name of the contract (`year`, `month`, `day`, `hour`, `minute-1`, `minute-2`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::Month => "month",
            Self::Day => "day",
            Self::Hour => "hour",
            Self::Minute1 => "minute-1",
            Self::Minute2 => "minute-2",
        }
    }

    /// As a logger type byte.
    pub const fn logger_type(self) -> LoggerType {
        LoggerType(self.code())
    }
}

impl fmt::Display for PeriodLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no history logger.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no logger is called {0:?}; the loggers are year, month, day, hour, minute-1, minute-2")]
pub struct UnknownLogger(pub String);

impl FromStr for PeriodLogger {
    type Err = UnknownLogger;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|logger| logger.name() == text)
            .ok_or_else(|| UnknownLogger(text.to_string()))
    }
}

/// The 16-bit info word of a `B8` readout (docs/protocols.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct B8Info(pub u16);

impl B8Info {
    /// Bit 0: the logger holds no entries.
    pub const NO_ENTRIES: u16 = 1 << 0;
    /// Bit 1: the log ID asked for is out of range.
    pub const OUT_OF_RANGE: u16 = 1 << 1;
    /// Bit 3: a register asked for is not in the logger.
    pub const UNSUPPORTED_REGISTER: u16 = 1 << 3;
    /// Bit 4: the meter left entries out to fit its buffer.
    pub const TRUNCATED_ENTRIES: u16 = 1 << 4;
    /// Bit 5: the register formats changed within the rows asked for.
    pub const FORMAT_CHANGED: u16 = 1 << 5;
    /// Bit 6: the answer includes the oldest entry (one source reads it as the newest).
    pub const TAIL_INCLUDED: u16 = 1 << 6;
    /// Bit 7: the answer includes the newest entry (one source reads it as the oldest).
    pub const HEAD_INCLUDED: u16 = 1 << 7;
    /// Bit 8: the meter reports a memory error.
    pub const MEMORY_ERROR: u16 = 1 << 8;
    /// Bit 9: the meter found the request invalid.
    pub const INVALID_REQUEST: u16 = 1 << 9;
    /// Bit 13: the meter left registers out to fit its buffer.
    pub const TRUNCATED_REGISTERS: u16 = 1 << 13;

    const NAMES: [(u16, &'static str); 10] = [
        (Self::NO_ENTRIES, "no entries"),
        (Self::OUT_OF_RANGE, "out of range"),
        (Self::UNSUPPORTED_REGISTER, "unsupported register"),
        (Self::TRUNCATED_ENTRIES, "truncated entries"),
        (Self::FORMAT_CHANGED, "format changed"),
        (Self::TAIL_INCLUDED, "tail included"),
        (Self::HEAD_INCLUDED, "head included"),
        (Self::MEMORY_ERROR, "memory error"),
        (Self::INVALID_REQUEST, "invalid request"),
        (Self::TRUNCATED_REGISTERS, "truncated registers"),
    ];

    /// Whether every bit of `flag` is set.
    pub fn has(self, flag: u16) -> bool {
        self.0 & flag == flag
    }

    /// The names of the bits set, in bit order; bits no source names as `bit N`.
    pub fn names(self) -> Vec<String> {
        flag_names(
            u32::from(self.0),
            16,
            &Self::NAMES.map(|(bit, name)| (u32::from(bit), name)),
        )
    }
}

/// The 8-bit INFO of an `A0`–`A3` readout (docs/protocols.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntervalInfo(pub u8);

impl IntervalInfo {
    /// Bit 0: the log is empty.
    pub const LOG_EMPTY: u8 = 1 << 0;
    /// Bit 2: the record ID or time asked for is out of range.
    pub const OUT_OF_RANGE: u8 = 1 << 2;
    /// Bit 3: the answer reached MaxL and records were left out.
    pub const RECORDS_LEFT_OUT: u8 = 1 << 3;
    /// Bit 4: the end of the log was reached.
    pub const END_OF_LOG: u8 = 1 << 4;

    const NAMES: [(u8, &'static str); 4] = [
        (Self::LOG_EMPTY, "log empty"),
        (Self::OUT_OF_RANGE, "out of range"),
        (Self::RECORDS_LEFT_OUT, "records left out"),
        (Self::END_OF_LOG, "end of log"),
    ];

    /// Whether every bit of `flag` is set.
    pub fn has(self, flag: u8) -> bool {
        self.0 & flag == flag
    }

    /// The names of the bits set, in bit order; bits no source names as `bit N`.
    pub fn names(self) -> Vec<String> {
        flag_names(
            u32::from(self.0),
            8,
            &Self::NAMES.map(|(bit, name)| (u32::from(bit), name)),
        )
    }
}

fn flag_names(word: u32, bits: u32, names: &[(u32, &str)]) -> Vec<String> {
    (0..bits)
        .map(|bit| 1 << bit)
        .filter(|flag| word & flag != 0)
        .map(|flag| {
            names.iter().find(|(named, _)| *named == flag).map_or_else(
                || format!("bit {}", flag.trailing_zeros()),
                |(_, name)| name.to_string(),
            )
        })
        .collect()
}
