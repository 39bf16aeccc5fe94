//! What the link's jobs found: the reports of a probe, a read or a poll, a scan and a logger
//! read, and the progress of scans and logger reads on the way.

use std::time::Duration;

use crate::kmp::{MeterType, Register, RegisterId};

use super::diagnosis::Diagnosis;
use super::engine::ExchangeFailure;
use crate::line::LineSettings;
use crate::model::TextReading;
use crate::protocol::Protocol;

/// One line setting tried by the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepResult {
    /// The settings.
    pub line: LineSettings,
    /// Whether the meter answered with them.
    pub answered: bool,
}

/// What the link check found.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReport {
    /// The port.
    pub port: String,
    /// The protocol the meter answered, if it answered.
    pub protocol: Option<Protocol>,
    /// The IEC 62056-21 identification line, without `/` and the line end.
    pub identification: Option<String>,
    /// The line settings the answer came at: the link's own for KMP, `9600 7E1` after a mode C
    /// switch, `1200 7E1` for `/#1`; the link's own when nothing answered.
    pub line: LineSettings,
    /// The line settings the protocol that answered was asked at: the link's own for KMP,
    /// `300 7E2` for the text protocols, where it was heard for a meter that pushes; `None` when
    /// nothing answered.
    pub asked_at: Option<LineSettings>,
    /// Whether the meter pushes its telegrams unasked (SML, mode D).
    pub push: bool,
    /// For a meter that pushes, the time between two of its telegrams, when two came.
    pub push_interval: Option<Duration>,
    /// Whether the head heard itself.
    pub echo: bool,
    /// Whether every echo came back unchanged.
    pub echo_clean: bool,
    /// Whether the meter answered.
    pub answered: bool,
    /// From the first request to the first answer.
    pub seconds_to_first_answer: Option<f64>,
    /// From the port's opening to the answer that settled the diagnosis: a mode A meter's
    /// identification (its readout at 300 baud comes seconds later), otherwise this report.
    pub seconds_to_diagnosis: Option<f64>,
    /// A network port's round trip, measured as it opened; `None` for a local port.
    pub round_trip: Option<Duration>,
    /// The address the meter answered KMP at: the link's own, or one the address search found.
    pub address: Option<u8>,
    /// The serial number, when the meter answered.
    pub serial: Option<u32>,
    /// The meter type, when the meter answered GetType.
    pub meter_type: Option<MeterType>,
    /// What the evidence points to.
    pub diagnosis: Diagnosis,
    /// The line settings the sweep tried.
    pub sweep: Vec<SweepResult>,
    /// Whether it ended before it was through.
    pub interrupted: bool,
}

/// What a read, or one poll, found.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadReport {
    /// When it ended.
    pub at: jiff::Timestamp,
    /// The registers read, in the order asked.
    pub registers: Vec<Register>,
    /// IDs the meter left out of its answers: it does not have them.
    pub missing: Vec<RegisterId>,
    /// IDs whose requests got no valid answer, or were never sent because the job ended first.
    pub failed: Vec<RegisterId>,
    /// Why the last of them got none.
    pub failure: Option<ExchangeFailure>,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
    /// Whether it ended before every request was sent.
    pub interrupted: bool,
}

/// What a readout of a text protocol's meter found.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadoutReport {
    /// When it ended.
    pub at: jiff::Timestamp,
    /// The protocol that answered.
    pub protocol: Option<Protocol>,
    /// The IEC 62056-21 identification line, without `/` and the line end.
    pub identification: Option<String>,
    /// The settings it was asked at.
    pub asked_at: Option<LineSettings>,
    /// The settings the answer came at.
    pub line: Option<LineSettings>,
    /// The values, in the order sent.
    pub readings: Vec<TextReading>,
    /// Whether they came in a telegram the meter pushed unasked (SML, mode D).
    pub push: bool,
    /// Why no readout came (a mode C meter may identify itself and still send none).
    pub failure: Option<ExchangeFailure>,
    /// From the request that was answered (or, when none was, the first) to the end of the
    /// answer: what each readout of this meter takes once its protocol is known.
    pub took: Duration,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
    /// Whether it ended before it was through.
    pub interrupted: bool,
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
        (self.done > 0).then(|| {
            Duration::from_secs_f64(f64::from(self.total.saturating_sub(self.done)) / self.rate())
        })
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
    /// Whether it ended before the end of the range: cancelled, replaced, the port lost, or a
    /// silent meter given up on.
    pub interrupted: bool,
    /// The first ID not scanned, to resume from.
    pub resume_from: Option<u16>,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
}

/// One record of a logger: its ID and the registers read of it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRecord {
    /// The record's ID in the logger.
    pub id: u32,
    /// Its registers, the logger's clock and date first where it holds them.
    pub registers: Vec<Register>,
}

/// What a read of a logger found.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryReport {
    /// When it ended.
    pub at: jiff::Timestamp,
    /// Which logger.
    pub logger: super::options::Logger,
    /// Whether the meter answered any of the logger reads.
    pub answered: bool,
    /// Whether it only listed what the logger holds (no registers were asked for).
    pub listing: bool,
    /// How many entries it keeps, when its configuration came.
    pub depth: Option<u16>,
    /// The registers it holds, when its configuration came.
    pub holds: Vec<RegisterId>,
    /// Registers asked for that it does not hold.
    pub not_held: Vec<RegisterId>,
    /// The newest record in the logger.
    pub newest_id: Option<u32>,
    /// The records read, newest first.
    pub records: Vec<HistoryRecord>,
    /// Logger reads sent, retries not counted.
    pub requests: u32,
    /// The info flags the meter set in its answers, named.
    pub flags: Vec<String>,
    /// Why the last read got no valid answer, if one did not.
    pub failure: Option<ExchangeFailure>,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
    /// Whether it ended before it was through.
    pub interrupted: bool,
    /// The records still to read when it ended before it was through (cancelled, or a read
    /// that got no answer): reading this span of IDs completes the records of the span asked.
    pub resume: Option<super::options::HistorySpan>,
}

/// How many logger reads a read of records costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    /// Before the first page: one read per group of eight registers, more where the meter cuts
    /// its answers short (a `B8` logger says nothing of its buffer beforehand).
    AtLeast(u32),
    /// Reckoned from the size of the first page.
    About(u32),
}

impl std::fmt::Display for Cost {
    /// `at least 1 request`, `about 4 requests`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (word, n) = match self {
            Self::AtLeast(n) => ("at least", n),
            Self::About(n) => ("about", n),
        };
        let s = if *n == 1 { "" } else { "s" };
        write!(f, "{word} {n} request{s}")
    }
}

/// How far a logger read has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryProgress {
    /// Records read (of the first group of registers, the one that sets the pace).
    pub records: u32,
    /// Records asked for.
    pub of: u32,
    /// Logger reads sent so far.
    pub requests: u32,
    /// How many reads the records take in all (the configuration or the `A1` that tells the
    /// newest record not counted).
    pub cost: Cost,
}
