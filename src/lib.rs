//! kmp-workbench: a commissioning workbench for Kamstrup meters read through an optical (IR) head.
//!
//! The library holds everything but the command-line front end:
//!
//! - [`app`]: the desktop app (eframe/egui).
//! - [`atomic_file`]: files written whole or not at all.
//! - [`capture`]: recordings from logic analysers and sniffers, read as timed bytes.
//! - [`duration`]: durations written as the command line and the app show them.
//! - [`handover`]: what a check proved, written as another reader's configuration.
//! - [`hex_text`]: hex bytes as people paste them.
//! - [`export`]: CSV for spreadsheets.
//! - [`iec`]: the IEC 62056-21 (IEC 1107) codec, sans-IO, read-only by construction.
//! - [`kmp`]: the Kamstrup Meter Protocol codec, sans-IO, read-only by construction.
//! - [`line`](mod@line): serial line settings, shared by the link and the simulator.
//! - [`link`]: the link to a meter: one thread owns the port and runs sans-IO jobs.
//! - [`mc66`]: Kamstrup's `/#1` readout of the MULTICAL 66C/66B, sans-IO.
//! - [`model`]: readings by register and their reduction for plots, free of GUI types.
//! - [`mqtt`]: publishing polls to an MQTT broker, with Home Assistant discovery.
//! - [`protocol`]: the protocols of the optical eye: KMP, IEC 62056-21, Kamstrup's `/#1`.
//! - [`rfc2217`]: Telnet with RFC 2217's COM-PORT-OPTION, for serial port servers, sans-IO.
//! - [`ron_version`]: the version field of RON files, read first.
//! - [`session`]: sessions on disk: a manifest and append-only journals of readings and traffic.
//! - [`sim`]: simulated meters, in-process or on a pseudo-terminal.
//! - [`sml`]: SML, which electricity meters push, sans-IO.
//!
//! See `ARCHITECTURE.md` for the module map and the rules that keep it in shape.

#![forbid(unsafe_code)]

pub mod app;
pub mod atomic_file;
pub mod capture;
pub mod duration;
pub mod export;
pub mod handover;
pub mod hex_text;
pub mod iec;
pub mod kmp;
pub mod line;
pub mod link;
pub mod mc66;
pub mod model;
pub mod mqtt;
pub mod protocol;
pub mod rfc2217;
pub mod ron_version;
pub mod session;
pub mod sim;
pub mod sml;
