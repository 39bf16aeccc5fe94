//! The loggers a simulated meter keeps and how it answers the `B8` logger reads (docs/protocols.md §4),
//! sans-IO: entries at the boundaries of years, months, days and hours of the meter's clock,
//! newest first, cut short to fit the meter's buffer with the info flags a real one sets.
//!
//! An entry's values agree with the physics: from the start on they are the physics' own values
//! at the entry's time; before it (the meter is older than the simulation) the accumulating
//! registers fall back from their start readings at a rate that swings with the seasons, so
//! they never rise into the past and never go below zero within the loggers' depth.

use std::time::Duration;

use jiff::civil::DateTime;
use jiff::{Span, ToSpan};

use super::logger_specs::{IntervalLog, LoggerSpec};
use super::physics::{Physics, clock_reading, date_reading};
use super::profile::{Profile, Quantity, RegisterSpec};
use crate::kmp::logger::{
    B8Info, CID_LOG_ID_PRESENT, CID_LOG_LAST_PRESENT, LoggerConfig, LoggerRequest, LoggerResponse,
    LoggerRows, LoggerType, NEWEST_OFFSET, PeriodLogger, RowTable, RowsKind,
};
use crate::kmp::{Number, Register, RegisterId};

/// The most bytes of rows one answer holds: the meter's own buffer (undocumented; the sources say
/// only that answers are cut short to fit it, docs/protocols.md §9).
pub const MAX_ROW_BYTES: usize = 200;

/// Share of an accumulating register's start reading used up in a year before the start, on
/// average: small enough that twenty years back it is still above zero.
const SHARE_PER_YEAR: f64 = 0.04;
/// How much the rate swings with the seasons (1.0 would stop it in summer).
const SEASONAL_SWING: f64 = 0.6;
const HOURS_PER_YEAR: f64 = 8766.0;

/// What a meter whose clock read `clock_start` at the start, `elapsed` ago, answers.
pub struct Loggers<'a> {
    /// The meter's profile.
    pub profile: Profile,
    /// Its loggers.
    pub specs: &'a [LoggerSpec],
    /// Its interval logs (the `A` commands).
    pub intervals: &'a [IntervalLog],
    /// The physics' seed.
    pub seed: u64,
    /// The meter's clock at the start.
    pub clock_start: DateTime,
    /// Time since the start.
    pub elapsed: Duration,
}

impl Loggers<'_> {
    /// The answer to `request`; `None` for what this meter does not answer (a logger it does
    /// not have, `A0`/`A3`, `9B`).
    pub fn answer(&self, request: &LoggerRequest) -> Option<LoggerResponse> {
        match request {
            LoggerRequest::Configuration { logger } => {
                let spec = self.spec(*logger)?;
                Some(LoggerResponse::Configuration(LoggerConfig {
                    logger: *logger,
                    // As in PyKMP's year vector; what these bytes mean no source confirms.
                    settings: [0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00],
                    depth: spec.depth,
                    registers: spec
                        .registers
                        .iter()
                        .copied()
                        .map(RegisterId::new)
                        .collect(),
                }))
            }
            LoggerRequest::PastById {
                logger,
                log_id,
                count,
                registers,
            } => self.readout(
                RowsKind::PastById,
                *logger,
                Some(*log_id),
                *count,
                registers,
            ),
            LoggerRequest::LastEntryPast {
                logger,
                offset,
                count,
                registers,
            } => {
                self.spec(*logger)?;
                if *offset != NEWEST_OFFSET {
                    // What other offsets mean no source explains: the request is refused.
                    let kind = RowsKind::LastEntryPast;
                    return Some(self.refusal(kind, *logger, B8Info::INVALID_REQUEST));
                }
                self.readout(RowsKind::LastEntryPast, *logger, None, *count, registers)
            }
            LoggerRequest::LastPresent(query) => self.interval(CID_LOG_LAST_PRESENT, query, None),
            LoggerRequest::IdPresent { query, from_id } => {
                self.interval(CID_LOG_ID_PRESENT, query, Some(*from_id))
            }
            _ => None,
        }
    }

    fn spec(&self, logger: LoggerType) -> Option<&LoggerSpec> {
        let logger = logger.history()?;
        self.specs.iter().find(|spec| spec.logger == logger)
    }

    pub(super) fn now(&self) -> DateTime {
        self.clock_start
            .checked_add(self.elapsed)
            .unwrap_or(self.clock_start)
    }

    /// `count` rows ending at `from` (`None`: the newest), newest first.
    fn readout(
        &self,
        kind: RowsKind,
        logger: LoggerType,
        from: Option<u32>,
        count: u16,
        asked: &[RegisterId],
    ) -> Option<LoggerResponse> {
        let spec = self.spec(logger)?;
        let kept: Vec<&RegisterSpec> = asked
            .iter()
            .filter(|id| spec.registers.contains(&id.value()))
            .filter_map(|id| self.profile.register(*id))
            .collect();
        let mut info = 0;
        if kept.len() < asked.len() {
            info |= B8Info::UNSUPPORTED_REGISTER;
        }
        if spec.depth == 0 {
            return Some(self.empty(kind, logger, &kept, info));
        }
        let newest = entry_id(spec.logger, self.now());
        let oldest = newest.saturating_sub(u32::from(spec.depth) - 1).max(1);
        let first = from.unwrap_or(newest);
        if first > newest || first < oldest || count == 0 || kept.is_empty() {
            return Some(self.refusal(kind, logger, info | B8Info::OUT_OF_RANGE));
        }
        let wanted = u32::from(count).min(first - oldest + 1);
        let row_len: usize = kept.iter().map(|spec| usize::from(spec.len)).sum();
        let first_row_len = row_len + 5 * kept.len();
        let fit = 1 + MAX_ROW_BYTES.saturating_sub(first_row_len) / row_len.max(1);
        let rows = wanted.min(u32::try_from(fit).unwrap_or(u32::MAX));
        if rows < wanted {
            info |= B8Info::TRUNCATED_ENTRIES;
        }
        if first == newest {
            info |= B8Info::HEAD_INCLUDED;
        }
        if first - rows + 1 == oldest {
            info |= B8Info::TAIL_INCLUDED;
        }
        let mut physics = Physics::new(self.profile, self.seed, self.clock_start);
        // Oldest first, so the physics integrates forward only.
        let mut table: Vec<Vec<Register>> = (0..rows)
            .rev()
            .map(|back| {
                let at = entry_time(spec.logger, first - back);
                kept.iter()
                    .filter_map(|register| self.value_at(&mut physics, register, at))
                    .collect()
            })
            .collect();
        table.reverse();
        let table = RowTable::new(table).ok()?;
        LoggerRows::new(kind, logger, first, newest, B8Info(info), table)
            .ok()
            .map(LoggerResponse::Readout)
    }

    /// A logger that logs nothing: one row of zeros, IDs 0, "no entries" (PyKMP's vector).
    fn empty(
        &self,
        kind: RowsKind,
        logger: LoggerType,
        kept: &[&RegisterSpec],
        info: u16,
    ) -> LoggerResponse {
        let row: Vec<Register> = kept
            .iter()
            .filter_map(|spec| {
                let zero = Number::new(false, 0, spec.exponent).ok()?;
                Register::from_number(spec.id, spec.unit, zero, spec.len).ok()
            })
            .collect();
        let table = RowTable::new(vec![row]).unwrap_or_default();
        let info = B8Info(info | B8Info::NO_ENTRIES);
        LoggerRows::new(kind, logger, 0, 0, info, table).map_or_else(
            |_| self.refusal(kind, logger, info.0),
            LoggerResponse::Readout,
        )
    }

    /// An answer without rows.
    fn refusal(&self, kind: RowsKind, logger: LoggerType, info: u16) -> LoggerResponse {
        let newest = logger
            .history()
            .map_or(0, |history| entry_id(history, self.now()));
        let readout = LoggerRows::new(kind, logger, 0, newest, B8Info(info), RowTable::default());
        match readout {
            Ok(readout) => LoggerResponse::Readout(readout),
            Err(_) => LoggerResponse::EventStatus([0; 4]),
        }
    }

    /// What `spec` read at the meter's clock time `at`.
    pub(super) fn value_at(
        &self,
        physics: &mut Physics,
        spec: &RegisterSpec,
        at: DateTime,
    ) -> Option<Register> {
        let value =
            match spec.quantity {
                Quantity::Clock => clock_reading(at),
                Quantity::Date => date_reading(at),
                quantity => {
                    let since_start = self.clock_start.duration_until(at);
                    match Duration::try_from(since_start) {
                        Ok(after) => physics.value(quantity, spec.unit, after),
                        Err(_) => {
                            let start = Physics::new(self.profile, self.seed, self.clock_start)
                                .value(quantity, spec.unit, Duration::ZERO);
                            before_start(quantity, start, self.clock_start, at)
                        }
                    }
                }
            };
        super::answers::register_with(spec, value)
    }
}

/// What an accumulating quantity read at `at`, before the start, given its start reading.
fn before_start(quantity: Quantity, start: f64, clock_start: DateTime, at: DateTime) -> f64 {
    let hours_back = at.duration_until(clock_start).as_secs_f64() / 3600.0;
    match quantity {
        Quantity::Volume
        | Quantity::ReturnVolume
        | Quantity::HeatEnergy
        | Quantity::HeatEnergyHighRes
        | Quantity::VolumeTimesForward
        | Quantity::VolumeTimesReturn
        | Quantity::ImportEnergy => {
            let used =
                consumption(hours_since_2000(clock_start)) - consumption(hours_since_2000(at));
            (start - start * SHARE_PER_YEAR / HOURS_PER_YEAR * used).max(0.0)
        }
        Quantity::HourCounter => (start - hours_back.floor()).max(0.0),
        _ => start,
    }
}

/// Hours of average use up to `hours`: the integral of `1 + swing × cos(season)`, more in
/// winter, never negative.
fn consumption(hours: f64) -> f64 {
    let omega = std::f64::consts::TAU / HOURS_PER_YEAR;
    hours + SEASONAL_SWING * (omega * hours).sin() / omega
}

fn hours_since_2000(at: DateTime) -> f64 {
    jiff::civil::date(2000, 1, 1)
        .at(0, 0, 0, 0)
        .duration_until(at)
        .as_secs_f64()
        / 3600.0
}

/// The ID of the newest entry of `logger` at clock time `now`: periods since 2000 began, plus
/// one, so IDs stay the same from one read to the next and grow by one each period.
pub fn entry_id(logger: PeriodLogger, now: DateTime) -> u32 {
    let since = jiff::civil::date(2000, 1, 1).at(0, 0, 0, 0);
    let months = || (i32::from(now.year()) - 2000) * 12 + i32::from(now.month()) - 1;
    let periods = match logger {
        PeriodLogger::Year => i64::from(now.year()) - 2000,
        PeriodLogger::Month => i64::from(months()),
        PeriodLogger::Day => since.duration_until(now).as_secs() / 86_400,
        PeriodLogger::Hour | PeriodLogger::Minute1 | PeriodLogger::Minute2 => {
            since.duration_until(now).as_secs() / 3_600
        }
    };
    u32::try_from(periods.max(0) + 1).unwrap_or(u32::MAX)
}

/// The clock time of entry `id` of `logger`: the start of its period.
pub fn entry_time(logger: PeriodLogger, id: u32) -> DateTime {
    let since = jiff::civil::date(2000, 1, 1).at(0, 0, 0, 0);
    let periods = i64::from(id.saturating_sub(1));
    let span: Span = match logger {
        PeriodLogger::Year => periods.years(),
        PeriodLogger::Month => periods.months(),
        PeriodLogger::Day => periods.days(),
        PeriodLogger::Hour | PeriodLogger::Minute1 | PeriodLogger::Minute2 => periods.hours(),
    };
    since.checked_add(span).unwrap_or(since)
}

mod interval;

#[cfg(test)]
mod tests;
