//! What each job of the link is asked to do: the options of a probe, a read, a poll plan, a scan
//! and the continuous link check.

use std::time::Duration;

use crate::kmp::logger::PeriodLogger;
use crate::kmp::register::catalogue;
use crate::kmp::{Family, RegisterId};

use crate::protocol::Protocol;

/// How the link check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    /// How long to keep asking while the eye wakes.
    pub wait: Duration,
    /// Also try 2400 and 9600 baud and one stop bit.
    pub sweep: bool,
    /// When KMP gets no answer at the link's address, ask every address 0–255 rather than only
    /// those meters and logger modules use.
    pub address_sweep: bool,
    /// The protocol to ask in; `None` asks KMP first and, when it gets no answer, the text
    /// protocols, in the order of the jobs' `TEXT_TRIES`.
    pub protocol: Option<Protocol>,
}

impl ProbeOptions {
    /// The longest the address sweep takes on a link opened with `config`, to the next whole
    /// second: each of 255 addresses gets one attempt, GetSerialNo's six bytes and their echo on
    /// the wire, then the wait for the first byte of an answer.
    pub fn address_sweep_time(config: &super::LinkConfig) -> Duration {
        let longest = (config.line.byte_time() * 12 + config.timeout) * 255;
        Duration::from_secs(longest.as_secs_f64().ceil() as u64)
    }

    /// A link check that waits up to `wait` for the eye, finds the protocol, and does not sweep.
    pub fn new(wait: Duration) -> Self {
        Self {
            wait,
            sweep: false,
            address_sweep: false,
            protocol: None,
        }
    }
}

/// Reading a meter that speaks a text protocol: its whole readout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadoutOptions {
    /// IEC 62056-21 or `/#1`; `None` tries both (KMP is no text protocol and is never asked).
    pub protocol: Option<Protocol>,
    /// How long to keep asking while the meter is silent (the eye waking).
    pub wait: Duration,
}

/// Reading a text protocol's meter again and again: what `log` and the live plots run for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadoutPlan {
    /// How each readout is asked for (its wait is not used: polls do not wait for the eye).
    pub options: ReadoutOptions,
    /// Time from the start of one readout to the next while the meter answers.
    pub interval: Duration,
}

/// Reading registers once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The registers, eight to a request.
    pub ids: Vec<RegisterId>,
    /// How long the first request keeps asking while the meter is silent (the eye waking).
    pub wait: Duration,
}

/// Which records of a logger to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistorySpan {
    /// The newest `n` records.
    Last(u16),
    /// The records with IDs `from` to `to`, both included.
    Ids {
        /// The oldest.
        from: u32,
        /// The newest.
        to: u32,
    },
}

/// A logger of the meter: a store of records in the meter, read by the history job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Logger {
    /// A logger of values by period, of the `B8` commands (MULTICAL 603/303-class meters).
    Period(PeriodLogger),
    /// The log with this ID of the `A1`/`A2` commands (MULTICAL 601/801 logger modules, the
    /// electricity meters' load profile); it cannot be listed, only read.
    Interval(u8),
}

impl std::fmt::Display for Logger {
    /// `month`, or `log 6`, as the contract names them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Period(logger) => f.write_str(logger.name()),
            Self::Interval(log) => write!(f, "log {log}"),
        }
    }
}

impl Logger {
    /// `the month logger`, or `interval log 6`, for sentences.
    pub fn described(self) -> String {
        match self {
            Self::Period(logger) => format!("the {} logger", logger.name()),
            Self::Interval(log) => format!("interval log {log}"),
        }
    }
}

/// Reading a log of the meter's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Which log.
    pub logger: Logger,
    /// The registers to read; `None` lists what the logger holds and reads no records. The
    /// logger's own clock and date registers are added where it holds them.
    pub registers: Option<Vec<RegisterId>>,
    /// Which records.
    pub span: HistorySpan,
    /// How long the first request keeps asking while the meter is silent (the eye waking).
    pub wait: Duration,
}

/// Reading registers again and again: what `log` and the live plots run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollPlan {
    /// The registers.
    pub ids: Vec<RegisterId>,
    /// Time from one poll to the next while the meter answers.
    pub interval: Duration,
}

/// The slowest a poll of a silent meter gets: battery meters that throttle are asked again at
/// most this far apart.
pub const SLOWEST_POLL: Duration = Duration::from_secs(300);

/// The registers technicians ask for most, in that order: serial number, clock, date, hours,
/// E1 energy, V1 volume, flow, T1 and T2, info code.
pub const ASKED_FOR: [RegisterId; 10] = [
    RegisterId::new(1001),
    RegisterId::new(1002),
    RegisterId::new(1003),
    RegisterId::new(1004),
    RegisterId::new(60),
    RegisterId::new(68),
    RegisterId::new(74),
    RegisterId::new(86),
    RegisterId::new(87),
    RegisterId::new(99),
];

/// What to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// First ID.
    pub from: u16,
    /// Last ID, included.
    pub to: u16,
    /// How long a pause may last before the scan gives up.
    pub wait: Duration,
    /// IDs of the range to ask for before the rest, in this order (and not again after).
    pub first: Vec<RegisterId>,
}

impl ScanOptions {
    /// A scan of `from..=to` that asks first for the IDs of the range that the catalogue of
    /// `family` names (the heat and water catalogue when the family is not known), the most
    /// asked-for first, so the registers a technician wants fill the table in the first seconds.
    pub fn catalogue_first(from: u16, to: u16, wait: Duration, family: Option<Family>) -> Self {
        let (low, high) = (from.min(to), from.max(to));
        let named: Vec<RegisterId> = catalogue(family).map(|info| info.id).collect();
        let first = ASKED_FOR
            .iter()
            .copied()
            .filter(|id| named.contains(id))
            .chain(named.iter().copied().filter(|id| !ASKED_FOR.contains(id)))
            .filter(|id| (low..=high).contains(&id.value()))
            .collect();
        Self {
            from,
            to,
            wait,
            first,
        }
    }
}

/// How the continuous link check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Time from one round (an echo test and a request) to the next. Battery meters throttle
    /// when asked too often, so this stays modest.
    pub interval: Duration,
    /// The check is through once it has sent this many requests to the meter (retries
    /// included), to spare a battery meter; `None` checks until cancelled.
    pub request_limit: Option<u32>,
    /// The protocol to check in: `None` finds out (KMP, then once the text protocols when KMP
    /// gets no answer); a text protocol is looked for at its settings until it answers.
    pub protocol: Option<Protocol>,
}
