//! Reading a logger of the meter's history (`B8` dialect, LOGGER.md §5): its configuration
//! first (depth and registers; the first request waits for the eye to wake), then the records,
//! newest first, eight registers to a request with the logger's clock and date in the first
//! group, paging on where the meter cut an answer short. It stops cleanly on "no entries", "out
//! of range" and the oldest entry, and never sends anything but [`LogRead`]s.

use std::collections::BTreeMap;

use crate::kmp::logger::{B8Info, LogRead, LoggerConfig, LoggerResponse};
use crate::kmp::{MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList};

use super::step::{Attempts, Cx, ExchangeResult, Input, Step};
use super::wake::{WakeUp, Woken};
use crate::link::diagnosis::diagnose;
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::{JobEvent, Report};
use crate::link::options::{HistoryOptions, HistorySpan};
use crate::link::reports::{HistoryProgress, HistoryRecord, HistoryReport};

/// The registers a logger stamps its entries with: clock, date, and the 7-byte date and time.
const TIME_REGISTERS: [u16; 3] = [1002, 1003, 348];

/// Reading one logger; see the module documentation.
#[derive(Debug)]
pub(crate) struct History {
    options: HistoryOptions,
    wake: Option<WakeUp>,
    config: Option<LoggerConfig>,
    groups: Vec<RegisterList>,
    not_held: Vec<RegisterId>,
    /// The group being read, and the next newest record to ask it for (`None`: the newest).
    group: usize,
    next: Option<u32>,
    /// The newest record of the span, fixed by the first group's first answer.
    top: Option<u32>,
    newest_id: Option<u32>,
    records: BTreeMap<u32, Vec<Register>>,
    read_in_group: u32,
    requests: u32,
    first_page: Option<u32>,
    info: u16,
    failure: Option<ExchangeFailure>,
}

impl History {
    pub fn new(options: HistoryOptions) -> Self {
        Self {
            options,
            wake: None,
            config: None,
            groups: Vec::new(),
            not_held: Vec::new(),
            group: 0,
            next: None,
            top: None,
            newest_id: None,
            records: BTreeMap::new(),
            read_in_group: 0,
            requests: 0,
            first_page: None,
            info: 0,
            failure: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match input {
            Input::Start => {
                *self = Self::new(self.options.clone());
                self.ask_configuration(cx)
            }
            // The job never asks for a pause.
            Input::Timeout => self.ask_configuration(cx),
            Input::Exchanged(result) if self.config.is_none() => self.configured(result, cx),
            Input::Exchanged(result) => self.paged(result, cx),
        }
    }

    fn ask_configuration(&mut self, cx: &Cx<'_>) -> Step {
        let exchange = Exchange::Logger(LogRead::Configuration(self.options.logger));
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

    fn configured(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Step {
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
        let config = match result {
            Ok(Answer::Logger(LoggerResponse::Configuration(config))) => config,
            Ok(_) => return self.done(cx),
            Err(failure) => {
                self.failure = Some(failure);
                return self.done(cx);
            }
        };
        let Some(asked) = self.options.registers.clone() else {
            self.config = Some(config);
            return self.done(cx);
        };
        let holds = |id: &RegisterId| config.registers.contains(id);
        self.not_held = asked.iter().copied().filter(|id| !holds(id)).collect();
        let mut ids: Vec<RegisterId> = TIME_REGISTERS
            .into_iter()
            .map(RegisterId::new)
            .filter(|id| holds(id) && !asked.contains(id))
            .collect();
        let stamps = ids.len();
        for id in asked.into_iter().filter(holds) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        self.config = Some(config);
        if ids.len() == stamps {
            // None of the registers asked for is in this logger: nothing to read.
            return self.done(cx);
        }
        self.groups = ids
            .chunks(MAX_REGISTERS_PER_REQUEST)
            .filter_map(|chunk| RegisterList::new(chunk).ok())
            .collect();
        self.next_page(cx)
    }

    /// The oldest record of the span, once the newest is known.
    fn bottom(&self) -> Option<u32> {
        match self.options.span {
            HistorySpan::Last(n) => self
                .top
                .map(|top| top.saturating_sub(u32::from(n).saturating_sub(1))),
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
        let logger = self.options.logger;
        let from = self.next.or(match self.options.span {
            HistorySpan::Ids { to, .. } => Some(to),
            HistorySpan::Last(_) => self.top,
        });
        let read = match (from, self.bottom()) {
            (Some(log_id), Some(bottom)) => LogRead::PastById {
                logger,
                log_id,
                count: count(log_id.saturating_sub(bottom) + 1),
                registers,
            },
            (Some(log_id), None) => LogRead::PastById {
                logger,
                log_id,
                count: count(self.wanted()),
                registers,
            },
            (None, _) => LogRead::Newest {
                logger,
                count: count(self.wanted()),
                registers,
            },
        };
        self.requests += 1;
        Step::exchange(Exchange::Logger(read), Attempts::Configured)
    }

    fn paged(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Step {
        let readout = match result {
            Ok(Answer::Logger(LoggerResponse::Readout(readout))) => readout,
            Ok(_) => return self.done(cx),
            Err(failure) => {
                self.failure = Some(failure);
                return self.done(cx);
            }
        };
        self.info |= readout.info.0;
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
        let bottom = self.bottom().unwrap_or(0);
        let mut oldest = None;
        let mut rows = 0;
        for (id, row) in readout.records() {
            if id < bottom {
                break;
            }
            self.records.entry(id).or_default().extend_from_slice(row);
            oldest = Some(id);
            rows += 1;
        }
        self.read_in_group += rows;
        self.first_page.get_or_insert(rows.max(1));
        if self.group == 0 {
            let of = self.wanted();
            let pages = of.div_ceil(self.first_page.unwrap_or(1));
            cx.emit(JobEvent::HistoryProgress(HistoryProgress {
                records: self.read_in_group.min(of),
                of,
                requests: self.requests,
                estimate: Some(1 + pages * u32::try_from(self.groups.len()).unwrap_or(1)),
            }));
        }
        let through = rows == 0
            || readout.info.has(B8Info::OUT_OF_RANGE)
            || readout.info.has(B8Info::TAIL_INCLUDED)
            || oldest.is_none_or(|oldest| oldest <= bottom);
        if through {
            self.group += 1;
            self.next = None;
        } else {
            self.next = oldest.map(|oldest| oldest - 1);
        }
        self.next_page(cx)
    }

    fn report(&self, cx: &Cx<'_>, interrupted: bool) -> HistoryReport {
        let mut flags = B8Info(self.info).names();
        flags.dedup();
        HistoryReport {
            logger: self.options.logger,
            depth: self.config.as_ref().map(|config| config.depth),
            holds: self
                .config
                .as_ref()
                .map(|config| config.registers.clone())
                .unwrap_or_default(),
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
            flags,
            failure: self.failure,
            diagnosis: diagnose(cx.evidence, cx.now.instant),
            interrupted,
        }
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
