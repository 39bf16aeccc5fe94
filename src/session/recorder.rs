//! The session recorder: one thread, `kmp-recorder`, owns the [`Session`] being recorded and
//! journals the link's traffic and polls as they happen. The app and `log --session` both use
//! it. It is fed by a [`Tap`] on the link's thread, so what the meter said reaches the disk
//! whatever the reader of the link's events is doing: drawing a frame, waiting for a file
//! dialog, or nothing at all. Everything else it is asked (a new session, the register map, the
//! manifest, save as) comes as a message in the same queue, so it happens in order with the
//! journaling.
//!
//! A session holds the polls of the jobs started while it is the one recorded: a poll that was
//! under way when the app moved to another session (and whose last reading may arrive after
//! the move) is neither journaled in the new one nor shown with it.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use jiff::Timestamp;

use crate::kmp::Register;
use crate::link::traffic::TrafficRecord;
use crate::link::{Event, HistoryRecord, JobEnd, JobEvent, JobId, Logger, Report, Tap};
use crate::model::{RegisterMap, TextReading};

use super::{Manifest, Session};

/// What the recorder journals.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A traffic line.
    Traffic(TrafficRecord),
    /// A poll: its job, its time and the registers it read (none when the meter was silent).
    Poll {
        /// The poll job it belongs to.
        job: JobId,
        /// When it ended.
        at: Timestamp,
        /// The registers.
        registers: Vec<Register>,
    },
    /// The records a logger read brought, when it ended.
    History {
        /// The history job.
        job: JobId,
        /// When it ended.
        at: Timestamp,
        /// Which log.
        logger: Logger,
        /// Its records.
        records: Vec<HistoryRecord>,
    },
    /// A readout of a text protocol's poll job: its job, its time and what it read.
    Readout {
        /// The poll job it belongs to.
        job: JobId,
        /// When it ended.
        at: Timestamp,
        /// The values.
        readings: Vec<TextReading>,
    },
}

impl Entry {
    /// What of a link event goes into the journals: traffic, every poll of a poll job, and
    /// the records of a logger read (those of one cut short too: a resume completes them).
    pub fn of(event: &Event) -> Option<Self> {
        match event {
            Event::Job {
                event: JobEvent::Traffic(record),
                ..
            } => Some(Self::Traffic(record.clone())),
            Event::Job {
                id,
                event: JobEvent::Polled(report),
            } => Some(Self::Poll {
                job: *id,
                at: report.at,
                registers: report.registers.clone(),
            }),
            Event::Job {
                id,
                event:
                    JobEvent::Ended(JobEnd {
                        report: Some(Report::History(report)),
                        ..
                    }),
            } if !report.records.is_empty() => Some(Self::History {
                job: *id,
                at: report.at,
                logger: report.logger,
                records: report.records.clone(),
            }),
            Event::Job {
                id,
                event: JobEvent::ReadoutPolled(report),
            } => Some(Self::Readout {
                job: *id,
                at: report.at,
                readings: report.readings.clone(),
            }),
            _ => None,
        }
    }
}

/// What the recorder tells its owner.
#[derive(Debug)]
pub enum RecorderReport {
    /// Writing failed (said once per session, with the error).
    Failed(String),
    /// Save as is done: recording goes on in this folder, or it failed and goes on where it was.
    SavedAs(Result<PathBuf, String>),
}

enum Order {
    Record(Entry),
    Begin(Box<Session>, JobId),
    End,
    SaveMap(Box<RegisterMap>),
    Manifest(Box<Manifest>),
    SaveAs { dir: PathBuf, map: Box<RegisterMap> },
    Sync(Sender<()>),
    Shutdown,
}

/// The handle to the recorder's thread; dropping it writes what is queued, then joins it.
#[derive(Debug)]
pub struct Recorder {
    orders: Sender<Order>,
    reports: Receiver<RecorderReport>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Record(_) => "Record",
            Self::Begin(..) => "Begin",
            Self::End => "End",
            Self::SaveMap(_) => "SaveMap",
            Self::Manifest(_) => "Manifest",
            Self::SaveAs { .. } => "SaveAs",
            Self::Sync(_) => "Sync",
            Self::Shutdown => "Shutdown",
        })
    }
}

impl Recorder {
    /// Starts the thread; `notify` is called after each report, so a GUI wakes up.
    pub fn spawn(notify: Box<dyn Fn() + Send>) -> std::io::Result<Self> {
        let (orders, inbox) = mpsc::channel();
        let (outbox, reports) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("kmp-recorder".into())
            .spawn(move || run(&inbox, &outbox, notify.as_ref()))?;
        Ok(Self {
            orders,
            reports,
            thread: Some(thread),
        })
    }

    /// A tap for [`crate::link::LinkHandle::spawn`]: the traffic and polls of every event.
    pub fn tap(&self) -> Tap {
        let orders = self.orders.clone();
        Box::new(move |event: &Event| {
            if let Some(entry) = Entry::of(event) {
                let _ = orders.send(Order::Record(entry));
            }
        })
    }

    /// Journals one entry, as the tap does.
    pub fn record(&self, entry: Entry) {
        self.send(Order::Record(entry));
    }

    /// Records into `session` from now on, with the polls of `first_job` and the jobs after
    /// it; the session recorded so far is closed.
    pub fn begin(&self, session: Session, first_job: JobId) {
        self.send(Order::Begin(Box::new(session), first_job));
    }

    /// Closes the session recorded (it stays on disk); nothing is recorded until the next.
    pub fn end(&self) {
        self.send(Order::End);
    }

    /// Writes the register map into the session.
    pub fn save_map(&self, map: &RegisterMap) {
        self.send(Order::SaveMap(Box::new(map.clone())));
    }

    /// Writes the manifest into the session.
    pub fn set_manifest(&self, manifest: &Manifest) {
        self.send(Order::Manifest(Box::new(manifest.clone())));
    }

    /// Copies the session to `dir` and records on there; [`RecorderReport::SavedAs`] says how
    /// it went.
    pub fn save_as(&self, dir: PathBuf, map: &RegisterMap) {
        self.send(Order::SaveAs {
            dir,
            map: Box::new(map.clone()),
        });
    }

    /// Waits up to `timeout` until everything asked so far is written; false if it was not.
    pub fn sync(&self, timeout: Duration) -> bool {
        let (done, wait) = mpsc::channel();
        self.send(Order::Sync(done));
        wait.recv_timeout(timeout).is_ok()
    }

    /// The next report, if one is waiting.
    pub fn try_report(&self) -> Option<RecorderReport> {
        self.reports.try_recv().ok()
    }

    fn send(&self, order: Order) {
        // The thread ends only when this handle is dropped.
        let _ = self.orders.send(order);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.orders.send(Order::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(inbox: &Receiver<Order>, outbox: &Sender<RecorderReport>, notify: &dyn Fn()) {
    let mut session: Option<Box<Session>> = None;
    let mut first_job = JobId::new(0);
    let mut failed = false;
    let report = |report: RecorderReport| {
        if outbox.send(report).is_ok() {
            notify();
        }
    };
    while let Ok(order) = inbox.recv() {
        let result = match order {
            Order::Record(entry) => match (&mut session, entry) {
                (Some(session), Entry::Traffic(record)) => session.record_traffic(&record),
                (Some(session), Entry::Poll { job, at, registers }) if job >= first_job => {
                    session.record_poll(at, &registers)
                }
                (Some(session), Entry::Readout { job, at, readings }) if job >= first_job => {
                    session.record_readout(at, &readings)
                }
                (
                    Some(session),
                    Entry::History {
                        job,
                        at,
                        logger,
                        records,
                    },
                ) if job >= first_job => session.record_history(at, logger, &records),
                (Some(_), Entry::Poll { .. } | Entry::Readout { .. } | Entry::History { .. })
                | (None, _) => Ok(()),
            },
            Order::Begin(next, first) => {
                session = Some(next);
                first_job = first;
                failed = false;
                Ok(())
            }
            Order::End => {
                session = None;
                Ok(())
            }
            Order::SaveMap(map) => session.as_ref().map_or(Ok(()), |s| s.save_map(&map)),
            Order::Manifest(manifest) => session.as_mut().map_or(Ok(()), |s| {
                s.update_manifest(|current| *current = *manifest)
            }),
            Order::SaveAs { dir, map } => {
                let saved = match &mut session {
                    Some(session) => session
                        .save_as(&dir, &map)
                        .map(|()| dir)
                        .map_err(|error| error.to_string()),
                    None => Err(
                        "nothing is recorded yet: connect to a port and a session starts \
                                 by itself"
                            .into(),
                    ),
                };
                report(RecorderReport::SavedAs(saved));
                Ok(())
            }
            Order::Sync(done) => {
                let _ = done.send(());
                Ok(())
            }
            Order::Shutdown => return,
        };
        if let Err(error) = result
            && !failed
        {
            failed = true;
            report(RecorderReport::Failed(error.to_string()));
        }
    }
}

#[cfg(test)]
mod tests;
