//! The one integration-test binary: each module tests the crate from outside, as a user or a
//! script would.

// Everything in this binary is test code, helpers included; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod capture;
mod cli;
#[cfg(unix)]
mod cli_sim;
mod faults;
mod frames;
#[cfg(unix)]
mod handover_pty;
#[cfg(unix)]
mod history_pty;
#[cfg(unix)]
mod interop;
#[cfg(unix)]
mod link_pty;
#[cfg(unix)]
mod mqtt_broker;
#[cfg(unix)]
mod protocols_pty;
#[cfg(unix)]
mod scan_log;
#[cfg(target_os = "linux")]
mod ser2net;
#[cfg(unix)]
mod sim_pty;
mod sml_dumps;
mod soak;
mod support;
mod tidy;
mod unix_gates;
#[cfg(target_os = "linux")]
mod wine;
