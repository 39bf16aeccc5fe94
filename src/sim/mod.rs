//! Simulated Kamstrup meters: the demo mode, the tests and the benchmarks all read them.
//!
//! [`Meter`] is sans-IO like the codec: bytes and the time go in, bytes due at given times come
//! out, so tests drive it with invented time. [`pty`] serves one on a pseudo-terminal, which
//! other programs open through the very same serial-port code as real hardware. The simulator
//! encodes with [`crate::kmp`], and never uses the link: tests join the two through a port.

mod meter;
mod physics;
mod profile;
#[cfg(unix)]
pub mod pty;

pub use meter::{Faults, Meter, MeterConfig, SentAnswer, Stats, Timing};
pub use profile::{Profile, Quantity, RegisterSpec, UnknownProfile};
