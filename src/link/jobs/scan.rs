//! Register discovery: which IDs of a range does the meter answer?
//!
//! Eight IDs to a request, back to back, so the scan runs at the speed of the line; the IDs the
//! options name first (the catalogue's, the most asked-for first) before the rest of the range,
//! so the registers a technician wants are found in the first seconds. The meter leaves out IDs
//! it does not have. A request answered by silence holds an ID that silences the
//! meter, or the meter stopped answering altogether: a GetSerialNo tells the two apart. In the
//! first case the batch is split (halves, then single IDs) until the silencing ID is found; in
//! the second the scan pauses, says so, asks again every few seconds, and goes on when the meter
//! answers, or gives up after the options' wait. A meter that has not answered once since the
//! scan began is most likely an eye still waking after the magnet: it is asked back to back, one
//! attempt at a time, so the scan begins the moment the eye answers.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::kmp::{
    MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList, Request, Response,
};

use super::step::{Attempts, Cx, ExchangeResult, Input, Step};
use super::wake::{WakeUp, Woken};
use crate::link::diagnosis::diagnose;
use crate::link::engine::{Answer, Exchange};
use crate::link::messages::{JobEvent, Report};
use crate::link::options::ScanOptions;
use crate::link::reports::{ScanProgress, ScanReport};

/// How often a paused scan asks whether the meter answers again.
const PAUSE_RETRY: Duration = Duration::from_secs(2);

/// Work still to do: the IDs to ask for first, then a run of the range (without them), and
/// batches to try again in smaller pieces.
#[derive(Debug)]
struct Work {
    /// The first ID of the range.
    from: u32,
    /// IDs to ask for before the range, in order.
    first: VecDeque<RegisterId>,
    /// Every ID asked for first, left out of the range.
    asked_first: BTreeSet<RegisterId>,
    /// The next ID of the range not yet taken.
    cursor: u32,
    to: u32,
    /// Batches being split, most recent last.
    splits: Vec<Vec<RegisterId>>,
}

impl Work {
    fn new(from: u16, to: u16, first: &[RegisterId]) -> Self {
        let mut asked_first = BTreeSet::new();
        let first: VecDeque<RegisterId> = first
            .iter()
            .copied()
            .filter(|id| (from..=to).contains(&id.value()) && asked_first.insert(*id))
            .collect();
        Self {
            from: u32::from(from),
            first,
            asked_first,
            cursor: u32::from(from),
            to: u32::from(to),
            splits: Vec::new(),
        }
    }

    fn next(&mut self) -> Option<Vec<RegisterId>> {
        if let Some(batch) = self.splits.pop() {
            return Some(batch);
        }
        if !self.first.is_empty() {
            let n = self.first.len().min(MAX_REGISTERS_PER_REQUEST);
            return Some(self.first.drain(..n).collect());
        }
        let mut batch = Vec::new();
        while batch.len() < MAX_REGISTERS_PER_REQUEST && self.cursor <= self.to {
            let id = u16::try_from(self.cursor).map(RegisterId::new);
            self.cursor += 1;
            if let Ok(id) = id
                && !self.asked_first.contains(&id)
            {
                batch.push(id);
            }
        }
        (!batch.is_empty()).then_some(batch)
    }

    /// The first ID not yet answered for, `current` and the splits included. Until the run of
    /// the range has begun, that is the range's start: a resumed scan asks the first IDs again.
    fn resume_from(&self, current: &[RegisterId]) -> Option<u16> {
        if self.cursor == self.from {
            return u16::try_from(self.from).ok();
        }
        let pending = current
            .iter()
            .chain(self.splits.iter().flatten())
            .map(|id| u32::from(id.value()));
        pending
            .chain((self.cursor <= self.to).then_some(self.cursor))
            .min()
            .and_then(|id| u16::try_from(id).ok())
    }
}

#[derive(Debug)]
enum Phase {
    /// Not begun.
    Idle,
    /// A batch asked for.
    Asking(Vec<RegisterId>),
    /// The batch got silence: does the meter answer a GetSerialNo?
    Checking(Vec<RegisterId>),
    /// The meter has not answered yet: asking until the eye wakes.
    Waking {
        batch: Vec<RegisterId>,
        wake: WakeUp,
    },
    /// The meter stopped answering at `since`; waiting to ask again.
    Paused {
        batch: Vec<RegisterId>,
        since: Instant,
    },
    /// Asking again whether a paused meter answers.
    PauseCheck {
        batch: Vec<RegisterId>,
        since: Instant,
    },
}

/// A scan; see the module documentation.
#[derive(Debug)]
pub(crate) struct Scan {
    options: ScanOptions,
    from: u16,
    to: u16,
    started: Option<Instant>,
    work: Work,
    phase: Phase,
    found: Vec<Register>,
    silencing: Vec<RegisterId>,
    done: u32,
    requests: u32,
    /// Whether the meter has answered anything since the scan began.
    answered: bool,
}

impl Scan {
    pub fn new(options: ScanOptions) -> Self {
        let (from, to) = (options.from.min(options.to), options.from.max(options.to));
        Self {
            work: Work::new(from, to, &options.first),
            options,
            from,
            to,
            started: None,
            phase: Phase::Idle,
            found: Vec::new(),
            silencing: Vec::new(),
            done: 0,
            requests: 0,
            answered: false,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        if let Input::Exchanged(Ok(_)) = input {
            self.answered = true;
        }
        match (input, phase) {
            (Input::Start, _) => {
                *self = Self::new(self.options.clone());
                self.started = Some(cx.now.instant);
                self.next_batch(cx)
            }
            (Input::Exchanged(result), Phase::Asking(batch)) => {
                self.requests += 1;
                self.asked(result, batch, cx)
            }
            (Input::Exchanged(result), Phase::Checking(batch)) => {
                if result.is_ok() {
                    // The meter is there: something in this batch silences it.
                    if let [id] = batch[..] {
                        self.silencing.push(id);
                        self.done += 1;
                    } else {
                        let (first, second) = batch.split_at(batch.len() / 2);
                        self.work.splits.push(second.to_vec());
                        self.work.splits.push(first.to_vec());
                    }
                    self.progress(cx, false);
                    return self.next_batch(cx);
                }
                self.progress(cx, true);
                if self.answered {
                    return self.pause(batch, cx.now.instant, cx);
                }
                let mut wake = WakeUp::new(serial_number_exchange(), self.options.wait);
                let step = wake.step(cx.now.instant);
                self.phase = Phase::Waking { batch, wake };
                step
            }
            (Input::Exchanged(result), Phase::Waking { batch, mut wake }) => {
                match wake.handle(result, cx) {
                    Woken::Answered(_) => {
                        self.work.splits.push(batch);
                        self.progress(cx, false);
                        self.next_batch(cx)
                    }
                    Woken::Again => {
                        let step = wake.step(cx.now.instant);
                        self.phase = Phase::Waking { batch, wake };
                        step
                    }
                    Woken::GaveUp(_) => {
                        let resume_from = self.work.resume_from(&batch);
                        Step::Done(Some(Report::Scan(self.report(cx, true, resume_from))))
                    }
                }
            }
            (Input::Timeout, Phase::Paused { batch, since }) => {
                self.phase = Phase::PauseCheck { batch, since };
                serial_number()
            }
            (Input::Exchanged(result), Phase::PauseCheck { batch, since }) => {
                if result.is_ok() {
                    self.work.splits.push(batch);
                    self.progress(cx, false);
                    return self.next_batch(cx);
                }
                self.pause(batch, since, cx)
            }
            // Anything else cannot happen in the order the machine resumes jobs; going on with
            // the next batch is the safe answer.
            (_, phase) => {
                self.phase = phase;
                self.next_batch(cx)
            }
        }
    }

    /// The answer to a batch asked for.
    fn asked(&mut self, result: ExchangeResult, batch: Vec<RegisterId>, cx: &mut Cx<'_>) -> Step {
        match result {
            Ok(Answer::Kmp(Response::Registers(registers))) => {
                let new: Vec<Register> = registers
                    .into_iter()
                    .filter(|register| batch.contains(&register.id()))
                    .collect();
                if !new.is_empty() {
                    cx.emit(JobEvent::ScanFound(new.clone()));
                }
                self.found.extend(new);
                self.done += batch.len() as u32;
                self.progress(cx, false);
                self.next_batch(cx)
            }
            Ok(_) => {
                self.done += batch.len() as u32;
                self.progress(cx, false);
                self.next_batch(cx)
            }
            Err(_) => {
                // Silence: does the meter still answer at all?
                self.phase = Phase::Checking(batch);
                serial_number()
            }
        }
    }

    /// The meter stopped answering at `since`: wait a little and ask again, until the options'
    /// wait is over.
    fn pause(&mut self, batch: Vec<RegisterId>, since: Instant, cx: &mut Cx<'_>) -> Step {
        let waited = cx.now.instant.saturating_duration_since(since);
        if waited >= self.options.wait {
            let resume_from = self.work.resume_from(&batch);
            return Step::Done(Some(Report::Scan(self.report(cx, true, resume_from))));
        }
        let left = self.options.wait - waited;
        if waited > Duration::ZERO {
            cx.emit(JobEvent::Waiting { left });
        }
        self.phase = Phase::Paused { batch, since };
        Step::Wait(cx.now.instant + PAUSE_RETRY.min(left))
    }

    fn next_batch(&mut self, cx: &mut Cx<'_>) -> Step {
        while let Some(batch) = self.work.next() {
            let Ok(list) = RegisterList::new(&batch) else {
                continue;
            };
            self.phase = Phase::Asking(batch);
            return Step::exchange(
                Exchange::Request(Request::GetRegister(list)),
                Attempts::Configured,
            );
        }
        Step::Done(Some(Report::Scan(self.report(cx, false, None))))
    }

    fn progress(&self, cx: &mut Cx<'_>, paused: bool) {
        cx.emit(JobEvent::ScanProgress(ScanProgress {
            done: self.done,
            total: u32::from(self.to) - u32::from(self.from) + 1,
            found: self.found.len() as u32,
            requests: self.requests,
            elapsed: self.elapsed(cx),
            paused,
        }));
    }

    fn elapsed(&self, cx: &Cx<'_>) -> Duration {
        self.started.map_or(Duration::ZERO, |started| {
            cx.now.instant.saturating_duration_since(started)
        })
    }

    /// The report of a scan ended before it was through: where to resume.
    pub fn stop(&self, cx: &Cx<'_>) -> ScanReport {
        let current: &[RegisterId] = match &self.phase {
            Phase::Idle => &[],
            Phase::Asking(batch)
            | Phase::Checking(batch)
            | Phase::Waking { batch, .. }
            | Phase::Paused { batch, .. }
            | Phase::PauseCheck { batch, .. } => batch,
        };
        self.report(cx, true, self.work.resume_from(current))
    }

    fn report(&self, cx: &Cx<'_>, interrupted: bool, resume_from: Option<u16>) -> ScanReport {
        let mut found = self.found.clone();
        found.sort_by_key(Register::id);
        found.dedup_by_key(|register| register.id());
        ScanReport {
            from: self.from,
            to: self.to,
            scanned: self.done,
            requests: self.requests,
            found,
            silencing: self.silencing.clone(),
            elapsed: self.elapsed(cx),
            interrupted,
            resume_from,
            diagnosis: diagnose(cx.evidence, cx.now.instant),
        }
    }
}

fn serial_number_exchange() -> Exchange {
    Exchange::Request(Request::GetSerialNo)
}

fn serial_number() -> Step {
    Step::exchange(serial_number_exchange(), Attempts::Configured)
}
