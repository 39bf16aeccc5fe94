//! Which loggers a simulated meter keeps: each one's depth and the registers its entries hold.
//! The profiles name them and the loggers answer from them, so they sit below both.

use crate::kmp::logger::PeriodLogger;

/// One logger of a simulated meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoggerSpec {
    /// Which logger.
    pub logger: PeriodLogger,
    /// How many entries it keeps (0: the meter has the logger, but it logs nothing).
    pub depth: u16,
    /// The registers each entry holds, in the logger's order.
    pub registers: &'static [u16],
}

const LONG_PERIODS: &[u16] = &[60, 63, 68, 69, 97, 110, 1004, 1003, 1002];
const HOURS: &[u16] = &[60, 68, 1004, 1003, 1002];

/// The MULTICAL 603's loggers; the depths are those of PyKMP's year vector (20) and plausible
/// ones for the rest.
pub const MULTICAL_603: &[LoggerSpec] = &[
    LoggerSpec {
        logger: PeriodLogger::Year,
        depth: 20,
        registers: LONG_PERIODS,
    },
    LoggerSpec {
        logger: PeriodLogger::Month,
        depth: 36,
        registers: LONG_PERIODS,
    },
    LoggerSpec {
        logger: PeriodLogger::Day,
        depth: 460,
        registers: LONG_PERIODS,
    },
    LoggerSpec {
        logger: PeriodLogger::Hour,
        depth: 1392,
        registers: HOURS,
    },
    LoggerSpec {
        logger: PeriodLogger::Minute1,
        depth: 0,
        registers: HOURS,
    },
    LoggerSpec {
        logger: PeriodLogger::Minute2,
        depth: 0,
        registers: HOURS,
    },
];

/// One interval log of a simulated meter (the `A` commands): hourly records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntervalLog {
    /// Its log ID (LID).
    pub log: u8,
    /// How many records it keeps.
    pub depth: u16,
    /// The registers each record holds.
    pub registers: &'static [u16],
    /// How many records before the newest the meter's "last read" marker stands (only `9C`,
    /// which the program never sends, would move it).
    pub unread: u16,
}

/// The Kamstrup 382's load profile, log 6 (docs/protocols.md §4, the electricity meters of S4).
pub const KAMSTRUP_382: &[IntervalLog] = &[IntervalLog {
    log: 6,
    depth: 1440,
    registers: &[1, 2, 1023, 1002, 1003],
    unread: 24,
}];
