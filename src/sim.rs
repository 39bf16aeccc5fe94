//! Simulated Kamstrup meters: the demo mode, the tests and the benchmarks all read them. Most
//! speak KMP; some speak IEC 62056-21 or Kamstrup's `/#1` ([`Speech`]), each only at its own
//! line settings, as a real eye does.
//!
//! [`Meter`] is sans-IO like the codec: bytes and the time go in, bytes due at given times come
//! out, so tests drive it with invented time. [`pty`] serves one on a pseudo-terminal, which
//! other programs open through the very same serial-port code as real hardware. The simulator
//! encodes with the codecs ([`crate::kmp`], [`crate::iec`], [`crate::mc66`]), and never uses
//! the link: tests join the two through a port.

mod answers;
mod faults;
mod logger_specs;
mod loggers;
mod meter;
mod physics;
mod profile;
#[cfg(unix)]
pub mod pty;
mod speech;

pub use faults::{Damage, Faults};
pub use logger_specs::LoggerSpec;
pub use loggers::{MAX_ROW_BYTES, entry_id, entry_time};
pub use meter::{Asked, Meter, MeterConfig, SWITCH_PAUSE, SentAnswer, Stats, Timing};
pub use profile::{
    IecSpeech, Mc66Field, ModeDSpeech, Profile, Quantity, ReadoutLine, RegisterSpec, SmlLine,
    SmlSpeech, Speech, UnknownProfile,
};
