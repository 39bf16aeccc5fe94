//! Reading a log of the meter's history (docs/protocols.md §4) by record ID, records newest first, eight
//! registers to a request with the log's clock and date in the first group, paging on where the
//! meter cut an answer short. Its first request waits for the eye to wake.
//!
//! - A `B8` logger: its configuration first (depth and registers), then rows newest first,
//!   ending cleanly on "no entries", "out of range" and the oldest entry.
//! - An interval log of the `A` commands, which cannot be listed without the disputed `A0`: an
//!   `A1` for one record tells the newest ID, then `A2` reads from newest − N + 1 on, oldest
//!   first, until the newest or "end of log".
//!
//! It never sends anything but [`LoggerRead`]s.

use std::collections::BTreeMap;

use crate::kmp::logger::{
    B8Info, IntervalInfo, IntervalQuery, LoggerRead, LoggerResponse, STAMP_REGISTERS,
};
use crate::kmp::{MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList};

use super::step::{Attempts, Cx, ExchangeResult, Input, Step};
use super::wake::{WakeUp, Woken};
use crate::link::diagnosis::diagnose;
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::{JobEvent, Report};
use crate::link::options::{HistoryOptions, HistorySpan, Logger};
use crate::link::reports::{Cost, HistoryProgress, HistoryRecord, HistoryReport};

/// The largest answer an `A` read allows: the meter shortens it to what it can send.
const MAX_LEN: u8 = 0xFF;

/// Reading one log; see the module documentation.
#[derive(Debug)]
pub(crate) struct History {
    options: HistoryOptions,
    wake: Option<WakeUp>,
    /// Whether the first read (configuration, or the `A1` that tells the newest) was answered.
    opened: bool,
    depth: Option<u16>,
    holds: Vec<RegisterId>,
    groups: Vec<RegisterList>,
    not_held: Vec<RegisterId>,
    /// The group being read, and the next record to ask it for (`None`: where the span begins).
    group: usize,
    next: Option<u32>,
    /// The newest record of the span, fixed by the first answer that tells it.
    top: Option<u32>,
    newest_id: Option<u32>,
    records: BTreeMap<u32, Vec<Register>>,
    read_in_group: u32,
    requests: u32,
    /// The reads it took to open the log (the eye waking included).
    opening: u32,
    first_page: Option<u32>,
    flags: Vec<String>,
    failure: Option<ExchangeFailure>,
}

impl History {
    pub fn new(options: HistoryOptions) -> Self {
        Self {
            options,
            wake: None,
            opened: false,
            depth: None,
            holds: Vec::new(),
            groups: Vec::new(),
            not_held: Vec::new(),
            group: 0,
            next: None,
            top: None,
            newest_id: None,
            records: BTreeMap::new(),
            read_in_group: 0,
            requests: 0,
            opening: 0,
            first_page: None,
            flags: Vec::new(),
            failure: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match input {
            Input::Start => {
                *self = Self::new(self.options.clone());
                self.open(cx)
            }
            // The job never asks for a pause.
            Input::Timeout => self.open(cx),
            Input::Exchanged(result) if !self.opened => self.opened(result, cx),
            Input::Exchanged(result) => self.paged(result, cx),
        }
    }

    /// The first read: a `B8` logger's configuration, or an `A1` for one record.
    fn open(&mut self, cx: &Cx<'_>) -> Step {
        let read = match self.options.logger {
            Logger::Period(logger) => LoggerRead::Configuration(logger),
            Logger::Interval(log) => {
                self.group_registers(None);
                let Some(&registers) = self.groups.first() else {
                    return self.done(cx);
                };
                LoggerRead::LastPresent(IntervalQuery {
                    log,
                    registers,
                    records: 1,
                    max_len: MAX_LEN,
                })
            }
        };
        let exchange = Exchange::Logger(read);
        self.requests += 1;
        if cx.evidence.answers == 0 {
            let wait = self.options.wait;
            return self
                .wake
                .get_or_insert_with(|| WakeUp::new(exchange, wait))
                .step(cx.now.instant);
        }
        Step::exchange(exchange, Attempts::Configured)
    }

    /// Groups the registers asked for (those the logger holds, when it said) of eight, the
    /// stamps first; `None` when nothing asked for is held.
    fn group_registers(&mut self, holds: Option<&[RegisterId]>) -> Option<()> {
        let asked = self.options.registers.clone()?;
        let held = |id: &RegisterId| holds.is_none_or(|holds| holds.contains(id));
        self.not_held = asked.iter().copied().filter(|id| !held(id)).collect();
        let mut ids: Vec<RegisterId> = STAMP_REGISTERS
            .into_iter()
            .map(RegisterId::new)
            .filter(|id| held(id) && !asked.contains(id))
            .collect();
        let stamps = ids.len();
        for id in asked.into_iter().filter(held) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.len() == stamps {
            return None;
        }
        self.groups = ids
            .chunks(MAX_REGISTERS_PER_REQUEST)
            .filter_map(|chunk| RegisterList::new(chunk).ok())
            .collect();
        Some(())
    }

    fn opened(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Step {
        let result = match self.wake.as_mut() {
            Some(wake) => match wake.handle(result, cx) {
                Woken::Answered(answer) => Ok(answer),
                Woken::Again => {
                    self.requests += 1;
                    return wake.step(cx.now.instant);
                }
                Woken::GaveUp(failure) => Err(failure),
            },
            None => result,
        };
        self.wake = None;
        let Some(response) = self.logger_answer(result) else {
            return self.done(cx);
        };
        self.opened = true;
        match response {
            LoggerResponse::Configuration(config) => {
                self.depth = Some(config.depth);
                self.holds = config.registers;
                let holds = self.holds.clone();
                if self.options.registers.is_none() || self.group_registers(Some(&holds)).is_none()
                {
                    self.groups.clear();
                    return self.done(cx);
                }
            }
            LoggerResponse::Interval(readout) => {
                self.note_flags(IntervalInfo(readout.info.0).names());
                self.newest_id = Some(u32::from(readout.newest_id));
                if readout.info.has(IntervalInfo::LOG_EMPTY) {
                    return self.done(cx);
                }
                self.top = Some(match self.options.span {
                    HistorySpan::Ids { to, .. } => to.min(u32::from(readout.newest_id)),
                    HistorySpan::Last(_) => u32::from(readout.newest_id),
                });
            }
            LoggerResponse::Readout(_) | LoggerResponse::EventStatus(_) => return self.done(cx),
        }
        // Before the first page: what the read costs, as far as it can be known yet.
        self.opening = self.requests;
        self.progress(cx, Cost::AtLeast(self.opening + self.group_count()));
        self.next_page(cx)
    }

    /// The pages all groups take, reckoned from the first page: a row of a group with fewer
    /// registers is shorter, so more of them fit an answer.
    fn pages(&self) -> u32 {
        let first_page = self.first_page.unwrap_or(1);
        let size = |group: &RegisterList| u32::try_from(group.as_slice().len()).unwrap_or(1);
        let first_group = self.groups.first().map_or(1, size);
        self.groups
            .iter()
            .map(|group| {
                let rows = first_page * first_group / size(group).max(1);
                self.wanted().div_ceil(rows.max(1))
            })
            .sum()
    }

    fn group_count(&self) -> u32 {
        u32::try_from(self.groups.len()).unwrap_or(u32::MAX)
    }

    fn progress(&self, cx: &mut Cx<'_>, cost: Cost) {
        let of = self.wanted();
        cx.emit(JobEvent::HistoryProgress(HistoryProgress {
            records: self.read_in_group.min(of),
            of,
            requests: self.requests,
            cost,
        }));
    }

    /// The oldest record of the span, once the newest is known.
    fn bottom(&self) -> Option<u32> {
        match self.options.span {
            HistorySpan::Last(n) => self
                .top
                .map(|top| top.saturating_sub(u32::from(n).saturating_sub(1)).max(1)),
            HistorySpan::Ids { from, .. } => Some(from),
        }
    }

    fn wanted(&self) -> u32 {
        match self.options.span {
            HistorySpan::Last(n) => u32::from(n),
            HistorySpan::Ids { from, to } => to.saturating_sub(from) + 1,
        }
    }

    fn next_page(&mut self, cx: &mut Cx<'_>) -> Step {
        let Some(&registers) = self.groups.get(self.group) else {
            return self.done(cx);
        };
        let read = match self.options.logger {
            Logger::Period(logger) => {
                let from = self.next.or(match self.options.span {
                    HistorySpan::Ids { to, .. } => Some(to),
                    HistorySpan::Last(_) => self.top,
                });
                match (from, self.bottom()) {
                    (Some(log_id), Some(bottom)) => LoggerRead::PastById {
                        logger,
                        log_id,
                        count: count(log_id.saturating_sub(bottom) + 1),
                        registers,
                    },
                    (Some(log_id), None) => LoggerRead::PastById {
                        logger,
                        log_id,
                        count: count(self.wanted()),
                        registers,
                    },
                    (None, _) => LoggerRead::Newest {
                        logger,
                        count: count(self.wanted()),
                        registers,
                    },
                }
            }
            Logger::Interval(log) => {
                let (Some(bottom), Some(top)) = (self.bottom(), self.top) else {
                    return self.done(cx);
                };
                let from = self.next.unwrap_or(bottom);
                let (Ok(from_id), records) = (
                    u16::try_from(from),
                    u8::try_from(top.saturating_sub(from) + 1).unwrap_or(u8::MAX),
                ) else {
                    return self.done(cx);
                };
                LoggerRead::IdPresent {
                    query: IntervalQuery {
                        log,
                        registers,
                        records,
                        max_len: MAX_LEN,
                    },
                    from_id,
                }
            }
        };
        self.requests += 1;
        Step::exchange(Exchange::Logger(read), Attempts::Configured)
    }

    fn paged(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Step {
        let Some(response) = self.logger_answer(result) else {
            return self.done(cx);
        };
        let through = match response {
            LoggerResponse::Readout(readout) => {
                self.note_flags(readout.info.names());
                self.newest_id = Some(readout.newest_id);
                if readout.info.has(B8Info::NO_ENTRIES) {
                    return self.done(cx);
                }
                if self.top.is_none() && self.group == 0 {
                    self.top = Some(match self.options.span {
                        HistorySpan::Ids { to, .. } => to,
                        HistorySpan::Last(_) => readout.first_id,
                    });
                }
                let (rows, oldest) = self.take(readout.records());
                self.next = oldest.map(|oldest| oldest.saturating_sub(1));
                let bottom = self.bottom().unwrap_or(0);
                rows == 0
                    || readout.info.has(B8Info::OUT_OF_RANGE)
                    || readout.info.has(B8Info::TAIL_INCLUDED)
                    || oldest.is_none_or(|oldest| oldest <= bottom)
            }
            LoggerResponse::Interval(readout) => {
                self.note_flags(readout.info.names());
                self.newest_id = Some(u32::from(readout.newest_id));
                let (rows, _) = self.take(readout.records());
                let last = u32::from(readout.last_id);
                self.next = Some(last + 1);
                rows == 0
                    || readout.info.has(IntervalInfo::END_OF_LOG)
                    || readout.info.has(IntervalInfo::OUT_OF_RANGE)
                    || self.top.is_none_or(|top| last >= top)
            }
            LoggerResponse::Configuration(_) | LoggerResponse::EventStatus(_) => {
                return self.done(cx);
            }
        };
        if self.group == 0 {
            let cost = Cost::About(self.opening + self.pages());
            self.progress(cx, cost);
        }
        if through {
            self.group += 1;
            self.next = None;
            self.read_in_group = 0;
        }
        self.next_page(cx)
    }

    /// The logger answer of an exchange; `None`, the failure kept, when there was none.
    fn logger_answer(&mut self, result: ExchangeResult) -> Option<LoggerResponse> {
        match result {
            Ok(Answer::Logger(response)) => Some(response),
            Ok(_) => None,
            Err(failure) => {
                self.failure = Some(failure);
                None
            }
        }
    }

    /// Keeps the records of the span from one answer; returns how many, and the oldest ID.
    fn take<'a>(
        &mut self,
        records: impl Iterator<Item = (u32, &'a [Register])>,
    ) -> (u32, Option<u32>) {
        let (bottom, top) = (self.bottom().unwrap_or(0), self.top.unwrap_or(u32::MAX));
        let mut rows = 0;
        let mut oldest = None;
        for (id, row) in records.filter(|(id, _)| (bottom..=top).contains(id)) {
            self.records.entry(id).or_default().extend_from_slice(row);
            oldest = Some(oldest.map_or(id, |old: u32| old.min(id)));
            rows += 1;
        }
        self.read_in_group += rows;
        self.first_page.get_or_insert(rows.max(1));
        (rows, oldest)
    }

    fn note_flags(&mut self, names: Vec<String>) {
        for name in names {
            if !self.flags.contains(&name) {
                self.flags.push(name);
            }
        }
    }

    fn report(&self, cx: &Cx<'_>, interrupted: bool) -> HistoryReport {
        HistoryReport {
            at: cx.now.wall,
            logger: self.options.logger,
            answered: self.opened,
            listing: self.options.registers.is_none(),
            depth: self.depth,
            holds: self.holds.clone(),
            not_held: self.not_held.clone(),
            newest_id: self.newest_id,
            records: self
                .records
                .iter()
                .rev()
                .map(|(id, registers)| HistoryRecord {
                    id: *id,
                    registers: registers.clone(),
                })
                .collect(),
            requests: self.requests,
            flags: self.flags.clone(),
            failure: self.failure,
            diagnosis: diagnose(cx.evidence, cx.now.instant),
            interrupted,
            resume: if interrupted || self.failure.is_some() {
                self.unread()
            } else {
                None
            },
        }
    }

    /// The IDs whose records are not complete yet, once the span's newest is known. Groups are
    /// read one after the other over the whole span, so the records complete are those past
    /// where the group under way has come (none while the first of several groups is read).
    fn unread(&self) -> Option<HistorySpan> {
        self.options.registers.as_ref()?;
        let (top, bottom) = (self.top?, self.bottom()?);
        let untouched = self.group == 0 && self.groups.len() > 1;
        let (from, to) = match self.options.logger {
            // Newest first: `next` is the newest record the group has not read.
            Logger::Period(_) => (bottom, self.next.filter(|_| !untouched).unwrap_or(top)),
            // Oldest first: `next` is the oldest record the group has not read.
            Logger::Interval(_) => (self.next.filter(|_| !untouched).unwrap_or(bottom), top),
        };
        (from <= to).then_some(HistorySpan::Ids { from, to })
    }

    fn done(&self, cx: &Cx<'_>) -> Step {
        Step::Done(Some(Report::History(self.report(cx, false))))
    }

    /// The report of a read ended before it was through.
    pub fn stop(&self, cx: &Cx<'_>) -> HistoryReport {
        self.report(cx, true)
    }
}

/// A count of entries as a request holds it.
fn count(entries: u32) -> u16 {
    u16::try_from(entries).unwrap_or(u16::MAX)
}
