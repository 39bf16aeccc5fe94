//! The `A` commands' interval log (docs/protocols.md §4) of a simulated meter: hourly records with
//! 16-bit IDs, read from a record ID on (`A2`) or after the meter's "last read" marker (`A1`),
//! oldest first, cut to the answer size the client allows (MaxL) with the INFO bits set.

use jiff::ToSpan;

use super::{Loggers, entry_id, entry_time};
use crate::kmp::Register;
use crate::kmp::logger::{
    IntervalInfo, IntervalQuery, IntervalRows, LoggerResponse, PeriodLogger, RowTable,
};
use crate::sim::physics::Physics;
use crate::sim::profile::RegisterSpec;

impl Loggers<'_> {
    /// The answer to an `A1` (`from`: `None`) or `A2` read of an interval log this meter keeps.
    pub(super) fn interval(
        &self,
        cid: u8,
        query: &IntervalQuery,
        from: Option<u16>,
    ) -> Option<LoggerResponse> {
        let log = self.intervals.iter().find(|log| log.log == query.log)?;
        // The hour logger's numbering of the B8 loggers, wrapped to the 16 bits of the A ones.
        let hour = entry_id(PeriodLogger::Hour, self.now());
        let now_hour = entry_time(PeriodLogger::Hour, hour);
        let newest = u16::try_from((hour - 1) % 65_535 + 1).unwrap_or(u16::MAX);
        let oldest = newest.saturating_sub(log.depth.saturating_sub(1)).max(1);
        let kept: Vec<&RegisterSpec> = query
            .registers
            .as_slice()
            .iter()
            .filter(|id| log.registers.contains(&id.value()))
            .filter_map(|id| self.profile.register(*id))
            .collect();
        let start = from.unwrap_or(newest.saturating_sub(log.unread) + 1);
        let empty = |info| {
            IntervalRows::new(
                cid,
                log.log,
                Vec::new(),
                RowTable::default(),
                0,
                newest,
                info,
            )
            .ok()
            .map(LoggerResponse::Interval)
        };
        if start > newest {
            return empty(IntervalInfo(IntervalInfo::OUT_OF_RANGE));
        }
        // An ID that does not exist starts the reading at the next one (docs/protocols.md §4).
        let start = start.max(oldest);
        let wanted = u16::from(query.records).min(newest - start + 1);
        let row_len: usize = 2 + kept.iter().map(|spec| usize::from(spec.len)).sum::<usize>();
        let fixed = 3 + 5 * kept.len() + 5;
        let fit = usize::from(query.max_len).saturating_sub(fixed) / row_len;
        let records = wanted.min(u16::try_from(fit).unwrap_or(u16::MAX));
        let mut info = 0;
        if records < wanted {
            info |= IntervalInfo::RECORDS_LEFT_OUT;
        }
        if records == 0 {
            return empty(IntervalInfo(info));
        }
        let last = start + records - 1;
        if last == newest {
            info |= IntervalInfo::END_OF_LOG;
        }
        let mut physics = Physics::new(self.profile, self.seed, self.clock_start);
        let ids: Vec<u16> = (start..=last).collect();
        let rows: Vec<Vec<Register>> = ids
            .iter()
            .map(|id| {
                let at = now_hour - i64::from(newest - id).hours();
                kept.iter()
                    .filter_map(|spec| self.value_at(&mut physics, spec, at))
                    .collect()
            })
            .collect();
        let table = RowTable::new(rows).ok()?;
        IntervalRows::new(cid, log.log, ids, table, last, newest, IntervalInfo(info))
            .ok()
            .map(LoggerResponse::Interval)
    }
}
