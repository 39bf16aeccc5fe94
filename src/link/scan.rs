//! Register discovery: which IDs of a range does the meter answer?
//!
//! Eight IDs to a request, back to back, so the scan runs at the speed of the line. The meter
//! leaves out IDs it does not have. A request answered by silence holds an ID that silences the
//! meter, or the meter stopped answering altogether: a GetSerialNo tells the two apart. In the
//! first case the batch is split (halves, then single IDs) until the silencing ID is found; in the
//! second the scan pauses, says so, and resumes when the meter answers again.

use std::time::{Duration, Instant};

use crate::kmp::{
    MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList, Request, Response,
};

use super::LinkError;
use super::connection::Connection;
use super::diagnosis::{Diagnosis, diagnose};
use super::engine::Exchange;
use super::worker::{Event, Worker};

/// How often a paused scan asks whether the meter answers again.
const PAUSE_RETRY: Duration = Duration::from_secs(2);

/// What to scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// First ID.
    pub from: u16,
    /// Last ID, included.
    pub to: u16,
    /// How long a pause may last before the scan gives up.
    pub wait: Duration,
}

/// Where a scan stands, sent after every request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanProgress {
    /// IDs scanned so far.
    pub done: u32,
    /// IDs in the range.
    pub total: u32,
    /// Registers found so far.
    pub found: u32,
    /// GetRegister requests sent so far.
    pub requests: u32,
    /// Time since the scan started.
    pub elapsed: Duration,
    /// Whether the scan is paused because the meter stopped answering.
    pub paused: bool,
}

impl ScanProgress {
    /// IDs per second so far.
    pub fn rate(&self) -> f64 {
        f64::from(self.done) / self.elapsed.as_secs_f64().max(1e-3)
    }

    /// The time left at the rate so far.
    pub fn time_left(&self) -> Option<Duration> {
        (self.done > 0)
            .then(|| Duration::from_secs_f64(f64::from(self.total - self.done) / self.rate()))
    }
}

/// What a scan found.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanReport {
    /// The range asked for.
    pub from: u16,
    /// Its last ID.
    pub to: u16,
    /// IDs scanned.
    pub scanned: u32,
    /// GetRegister requests sent.
    pub requests: u32,
    /// The registers the meter answered, by ID.
    pub found: Vec<Register>,
    /// IDs that silence the meter: a request holding one gets no answer at all.
    pub silencing: Vec<RegisterId>,
    /// How long it took.
    pub elapsed: Duration,
    /// Whether it was cancelled, or gave up waiting for a silent meter, before the end.
    pub interrupted: bool,
    /// The first ID not scanned, to resume from.
    pub resume_from: Option<u16>,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
}

/// Work still to do: a run of the range, or a batch to try again in smaller pieces.
struct Work {
    /// The next ID of the range not yet taken.
    cursor: u32,
    to: u32,
    /// Batches being split, most recent last.
    splits: Vec<Vec<RegisterId>>,
}

impl Work {
    fn next(&mut self) -> Option<Vec<RegisterId>> {
        if let Some(batch) = self.splits.pop() {
            return Some(batch);
        }
        if self.cursor > self.to {
            return None;
        }
        let end = (self.cursor + MAX_REGISTERS_PER_REQUEST as u32 - 1).min(self.to);
        let batch = (self.cursor..=end)
            .map(|id| RegisterId::new(id as u16))
            .collect();
        self.cursor = end + 1;
        Some(batch)
    }

    /// The first ID not yet answered for, splits included.
    fn resume_from(&self, current: &[RegisterId]) -> Option<u16> {
        let pending = current
            .iter()
            .chain(self.splits.iter().flatten())
            .map(|id| u32::from(id.value()));
        pending
            .chain((self.cursor <= self.to).then_some(self.cursor))
            .min()
            .map(|id| id as u16)
    }
}

/// Scans the range of `options`, reporting progress after every request.
pub fn scan(
    connection: &mut Connection,
    options: &ScanOptions,
    worker: &mut Worker,
) -> Result<ScanReport, LinkError> {
    let started = Instant::now();
    let (from, to) = (options.from.min(options.to), options.from.max(options.to));
    let total = u32::from(to) - u32::from(from) + 1;
    let mut work = Work {
        cursor: u32::from(from),
        to: u32::from(to),
        splits: Vec::new(),
    };
    let mut found: Vec<Register> = Vec::new();
    let mut silencing = Vec::new();
    let mut done = 0;
    let mut requests = 0;
    let mut interrupted = false;
    let mut resume_from = None;

    while let Some(batch) = work.next() {
        let progress = |done, found: &[Register], requests, paused| ScanProgress {
            done,
            total,
            found: found.len() as u32,
            requests,
            elapsed: started.elapsed(),
            paused,
        };
        if worker.interrupted() {
            interrupted = true;
            resume_from = work.resume_from(&batch);
            break;
        }
        let Ok(list) = RegisterList::new(&batch) else {
            continue;
        };
        requests += 1;
        let mut emit = |event| worker.emit(event);
        match connection.exchange(Exchange::Request(Request::GetRegister(list)), &mut emit)? {
            Ok(Response::Registers(registers)) => {
                let new: Vec<Register> = registers
                    .into_iter()
                    .filter(|register| batch.contains(&register.id()))
                    .collect();
                if !new.is_empty() {
                    worker.emit(Event::ScanFound(new.clone()));
                }
                found.extend(new);
                done += batch.len() as u32;
            }
            Ok(_) => done += batch.len() as u32,
            Err(_) => {
                if meter_answers(connection, worker)? {
                    // The meter is there: something in this batch silences it.
                    if let [id] = batch[..] {
                        silencing.push(id);
                        done += 1;
                    } else {
                        let (first, second) = batch.split_at(batch.len() / 2);
                        work.splits.push(second.to_vec());
                        work.splits.push(first.to_vec());
                    }
                } else if wait_until_answering(
                    connection,
                    options.wait,
                    worker,
                    &progress(done, &found, requests, true),
                )? {
                    work.splits.push(batch);
                } else {
                    interrupted = true;
                    resume_from = work.resume_from(&batch);
                    break;
                }
            }
        }
        worker.emit(Event::ScanProgress(progress(done, &found, requests, false)));
    }
    found.sort_by_key(Register::id);
    found.dedup_by_key(|register| register.id());
    let diagnosis = diagnose(connection.evidence(), Instant::now());
    Ok(ScanReport {
        from,
        to,
        scanned: done,
        requests,
        found,
        silencing,
        elapsed: started.elapsed(),
        interrupted,
        resume_from,
        diagnosis,
    })
}

/// Whether the meter answers a GetSerialNo, which every meter has.
fn meter_answers(connection: &mut Connection, worker: &mut Worker) -> Result<bool, LinkError> {
    let mut emit = |event| worker.emit(event);
    Ok(connection
        .exchange(Exchange::Request(Request::GetSerialNo), &mut emit)?
        .is_ok())
}

/// The meter stopped answering: says so, then asks every few seconds until it answers (true) or
/// `wait` has passed or the scan is cancelled (false).
fn wait_until_answering(
    connection: &mut Connection,
    wait: Duration,
    worker: &mut Worker,
    progress: &ScanProgress,
) -> Result<bool, LinkError> {
    let since = Instant::now();
    worker.emit(Event::Diagnosis(diagnose(
        connection.evidence(),
        Instant::now(),
    )));
    worker.emit(Event::ScanProgress(*progress));
    while since.elapsed() < wait {
        if worker.interrupted_within(PAUSE_RETRY.min(wait.saturating_sub(since.elapsed()))) {
            return Ok(false);
        }
        if meter_answers(connection, worker)? {
            return Ok(true);
        }
        worker.emit(Event::Waiting {
            left: wait.saturating_sub(since.elapsed()),
        });
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
