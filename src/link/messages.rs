//! What goes into the link and what comes out: [`Command`]s, and [`Event`]s that name the job
//! they belong to. A job is started with a [`JobId`]; everything it reports carries that ID, and
//! its end is one [`JobEvent::Ended`] saying why. The link does one job at a time: a new job
//! replaces the one under way, and that rule is the link's alone.

use std::fmt;
use std::time::Duration;

use crate::kmp::{MeterType, Register};

use super::config::LinkConfig;
use super::diagnosis::Diagnosis;
use super::engine::{Exchange, ExchangeFailure, Heard};
use super::error::LinkError;
use super::options::{
    CheckOptions, HistoryOptions, PollPlan, ProbeOptions, ReadOptions, ReadoutOptions, ReadoutPlan,
    ScanOptions,
};
use super::reports::{
    HistoryProgress, HistoryReport, ProbeReport, ReadReport, ReadoutReport, ScanProgress,
    ScanReport, SweepResult,
};
use super::traffic::TrafficRecord;
use crate::line::LineSettings;
use crate::protocol::Protocol;

/// The identity of one job, given out by whoever starts it ([`super::LinkHandle::start`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(u64);

impl JobId {
    /// The `n`th job.
    pub fn new(n: u64) -> Self {
        Self(n)
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {}", self.0)
    }
}

/// A job for the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// The link check once, as the `probe` command does: echo tests, waiting for the eye,
    /// identification, and (if asked) the sweep.
    Probe(ProbeOptions),
    /// The sweep alone: GetSerialNo at each line setting a meter's eye may use; the report
    /// comes with [`JobEvent::Ended`].
    Sweep,
    /// Read registers once; the report comes with [`JobEvent::Ended`].
    Read(ReadOptions),
    /// Read registers again and again until cancelled, one [`JobEvent::Polled`] a poll. Polling
    /// goes on by itself after a lost port comes back.
    Poll(PollPlan),
    /// Find which registers of a range the meter answers.
    Scan(ScanOptions),
    /// Read a text protocol's meter once: its whole readout.
    Readout(ReadoutOptions),
    /// Read a text protocol's meter again and again until cancelled, one [`JobEvent::ReadoutPolled`]
    /// a round; goes on by itself after a lost port comes back.
    ReadoutPoll(ReadoutPlan),
    /// The link check round after round, as the app's Link check screen shows it: an echo
    /// test and a request each round until cancelled; goes on by itself after a lost port
    /// comes back.
    Check(CheckOptions),
    /// Read a logger of the meter's history, or list what it holds.
    History(HistoryOptions),
}

/// Why a job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// It was through.
    Done,
    /// It was cancelled.
    Cancelled,
    /// A newer job took its place.
    Replaced,
    /// The port went away (polls and the link check wait for it instead, and go on).
    PortLost,
    /// The port was closed, or another opened.
    Closed,
    /// No port was open to do it on.
    NotOpen,
}

/// The report a job leaves when it ends, whatever the reason: what it found so far.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// Of a probe.
    Probe(ProbeReport),
    /// Of a read.
    Read(ReadReport),
    /// Of a scan.
    Scan(ScanReport),
    /// Of a sweep: a row for each line setting tried.
    Sweep(Vec<SweepResult>),
    /// Of a readout.
    Readout(ReadoutReport),
    /// Of a logger read.
    History(HistoryReport),
}

impl Report {
    /// The report of a probe.
    pub fn into_probe(self) -> Option<ProbeReport> {
        match self {
            Self::Probe(report) => Some(report),
            _ => None,
        }
    }

    /// The report of a read.
    pub fn into_read(self) -> Option<ReadReport> {
        match self {
            Self::Read(report) => Some(report),
            _ => None,
        }
    }

    /// The report of a readout.
    pub fn into_readout(self) -> Option<ReadoutReport> {
        match self {
            Self::Readout(report) => Some(report),
            _ => None,
        }
    }

    /// The report of a logger read.
    pub fn into_history(self) -> Option<HistoryReport> {
        match self {
            Self::History(report) => Some(report),
            _ => None,
        }
    }

    /// The report of a scan.
    pub fn into_scan(self) -> Option<ScanReport> {
        match self {
            Self::Scan(report) => Some(report),
            _ => None,
        }
    }
}

/// The end of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobEnd {
    /// Why it ended.
    pub reason: EndReason,
    /// Its report; polls and the link check have none, and neither has a job that never ran.
    pub report: Option<Report>,
}

/// What a job reports.
#[derive(Clone, Debug, PartialEq)]
pub enum JobEvent {
    /// Bytes went out or came in.
    Traffic(TrafficRecord),
    /// An exchange ended, after its retries.
    Exchanged {
        /// What was sent.
        exchange: Exchange,
        /// Whether a valid answer came.
        result: Result<(), ExchangeFailure>,
        /// Requests sent to the meter since the link started, retries included.
        requests: u64,
    },
    /// Still no answer; the job keeps asking for `left` more.
    Waiting {
        /// Time left before it gives up.
        left: Duration,
    },
    /// The meter told who it is.
    Identified {
        /// Its serial number.
        serial: u32,
        /// Its type, when it answered GetType.
        meter_type: Option<MeterType>,
    },
    /// The meter answered in this protocol.
    Spoke {
        /// The protocol.
        protocol: Protocol,
        /// The IEC 62056-21 identification line, without `/` and the line end.
        identification: Option<String>,
        /// The line settings it was asked at.
        asked_at: LineSettings,
        /// The line settings its answer came at.
        line: LineSettings,
        /// Whether it pushes its telegrams unasked (SML, mode D): it is read by listening.
        push: bool,
    },
    /// A meter identified itself in IEC 62056-21 mode A; its data readout follows, which at 300
    /// baud takes seconds: the protocol is known before the exchange ends.
    ReadoutFollows {
        /// The identification line, without `/` and the line end.
        identification: String,
        /// The line settings it came at.
        line: LineSettings,
    },
    /// A listen ended: what it heard of a pushing meter, for the alignment meter.
    Heard(Heard),
    /// One poll of a [`Job::Poll`]: the readings.
    Polled(ReadReport),
    /// One round of a [`Job::ReadoutPoll`]: the readout.
    ReadoutPolled(ReadoutReport),
    /// The diagnosis after the job's latest exchange at the link's own line settings (the
    /// evidence is the link's since the port opened, not the job's alone).
    Diagnosed(Diagnosis),
    /// A scan moved on.
    ScanProgress(ScanProgress),
    /// A logger read moved on.
    HistoryProgress(HistoryProgress),
    /// A scan found these registers, so a table can fill as it goes.
    ScanFound(Vec<Register>),
    /// The job ended; nothing more comes from it.
    Ended(JobEnd),
}

/// What the rest of the program asks of the link.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a port, closing one that is open; a job under way ends ([`EndReason::Closed`]).
    Open(LinkConfig),
    /// Close the port; a job under way ends.
    Close,
    /// Start a job, replacing the one under way.
    Start {
        /// Its identity.
        id: JobId,
        /// The job.
        job: Job,
    },
    /// Stop this job if it is still under way; a probe, read or scan reports what it found.
    Cancel(JobId),
    /// The user placed the magnet on the meter (again): the eye's wake-up is awaited from now,
    /// and a meter that still does not answer points to the head's receiver.
    MagnetPlaced,
    /// Close the port and end the thread.
    Shutdown,
}

/// What the link reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The port is open (again, after it was lost).
    Opened {
        /// Its name.
        port: String,
        /// Its line settings.
        line: LineSettings,
        /// For a port across a network, the round trip measured as it opened.
        round_trip: Option<Duration>,
    },
    /// The port could not be opened.
    OpenFailed(LinkError),
    /// The port was closed on request.
    Closed,
    /// The port went away; the link tries to reopen it.
    Lost(LinkError),
    /// Something a job reports.
    Job {
        /// The job.
        id: JobId,
        /// What it reports.
        event: JobEvent,
    },
}
