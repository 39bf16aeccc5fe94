//! The link to a meter: one thread owns the port; everything else talks to it with messages.
//!
//! - [`engine`]: one exchange, sans-IO: echo stripping, deadlines, retries.
//! - [`port`]: the small trait ports are reached through, for serial ports, the in-process
//!   simulated meter, and test doubles.
//! - [`diagnosis`]: from evidence to a diagnosis in plain words.
//! - [`traffic`]: every byte, timestamped, marked and decoded.
//! - [`LinkHandle`]: the worker thread that owns the port, reached by [`Command`] and [`Event`].
//!
//! The link never draws anything; the app hands it a callback to ask for a repaint.

mod config;
mod connection;
pub mod diagnosis;
pub mod engine;
mod error;
pub mod listing;
pub mod port;
mod procedures;
mod scan;
pub mod traffic;
mod worker;

pub use config::{EchoMode, LineSettings, LinkConfig, Parity};
pub use engine::{
    Attempt, ECHO_PATTERN, EchoSeen, Engine, EngineConfig, EngineEvent, Exchange, ExchangeFailure,
};
pub use error::{LinkError, OpenFailure};
pub use procedures::{
    MonitorOptions, PollPlan, ProbeOptions, ProbeReport, ReadReport, SLOWEST_POLL, SweepResult,
};
pub use scan::{ScanOptions, ScanProgress, ScanReport};
pub use worker::{Command, Event, LinkHandle};
