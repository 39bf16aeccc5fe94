//! kmp-workbench: a commissioning workbench for Kamstrup meters read through an optical (IR) head.
//!
//! The library holds everything but the command-line front end:
//!
//! - [`kmp`]: the Kamstrup Meter Protocol codec, sans-IO, read-only by construction.
//!
//! See `ARCHITECTURE.md` for the module map and the rules that keep it in shape.

#![forbid(unsafe_code)]

pub mod kmp;
