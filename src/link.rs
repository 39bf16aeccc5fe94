//! The link to a meter: one thread owns the port; everything else talks to it with messages.
//!
//! - [`engine`]: one exchange, sans-IO: echo stripping, deadlines, retries.
//! - `jobs`: the link's jobs (probe, read, poll, scan, the link check) and the reconnect
//!   backoff, as sans-IO state machines over the engine.
//! - [`machine`]: the link as one sans-IO state machine: the port's state, the job under way,
//!   and the rule that a new job replaces it.
//! - [`LinkHandle`]: the `kmp-link` thread that drives the machine (the only code here, with the
//!   ports, that reads the clock, waits or does IO), reached by [`Command`] and [`Event`].
//! - [`VirtualLink`]: the same machine against a simulated meter in invented time.
//! - [`port`]: the small trait ports are reached through, for serial ports, the in-process
//!   simulated meter, and test doubles.
//! - [`diagnosis`]: from evidence to a diagnosis in plain words.
//! - [`traffic`]: every byte, timestamped, marked and decoded.
//!
//! The link never draws anything; the app hands it a callback to ask for a repaint.

mod clock;
mod config;
pub mod diagnosis;
mod driver;
pub mod engine;
mod error;
mod handle;
mod jobs;
pub mod listing;
pub mod machine;
mod messages;
mod options;
pub mod port;
mod reports;
pub mod traffic;
mod virtual_time;

pub use clock::Now;
pub use config::{EchoMode, LinkConfig};
pub use driver::{Repaint, Tap};
pub use engine::{
    Answer, Attempt, ECHO_PATTERN, EchoSeen, Engine, EngineConfig, EngineEvent, Exchange,
    ExchangeFailure, Heard, Telegram, TelegramBody, TextError,
};
pub use error::{LinkError, OpenFailure};
pub use handle::LinkHandle;
pub use messages::{Command, EndReason, Event, Job, JobEnd, JobEvent, JobId, Report};
pub use options::{
    ASKED_FOR, CheckOptions, HistoryOptions, HistorySpan, Logger, PollPlan, ProbeOptions,
    ReadOptions, ReadoutOptions, ReadoutPlan, SLOWEST_POLL, ScanOptions,
};
pub use reports::{
    Cost, HistoryProgress, HistoryRecord, HistoryReport, ProbeReport, ReadReport, ReadoutReport,
    ScanProgress, ScanReport, SweepResult,
};
pub use virtual_time::VirtualLink;
