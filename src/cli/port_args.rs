//! The port options shared by `probe`, `read`, `scan` and `log`.

use std::path::PathBuf;
use std::time::Duration;

use kmp_workbench::line::{LineSettings, Parity};
use kmp_workbench::link::{EchoMode, LinkConfig};

use super::args::parse_duration;

/// How to reach the meter.
#[derive(Debug, clap::Args)]
pub struct PortArgs {
    /// Serial port (/dev/ttyUSB0, /dev/serial/by-id/…, COM3), a head across the network
    /// (rfc2217://HOST:PORT, socket://HOST:PORT), or sim:PROFILE for a simulated meter in this
    /// process: KMP (sim:multical21, sim:flowiq2200, sim:multical403, sim:multical603,
    /// sim:kamstrup382), IEC 62056-21 (sim:kamstrup382c, sim:multical41, sim:iec-modec), /#1
    /// (sim:multical66c), SML pushed unasked (sim:sml-push) or mode D pushed unasked
    /// (sim:iec-moded).
    #[arg(long)]
    port: String,
    /// Baud rate.
    #[arg(long, default_value_t = 1200)]
    baud: u32,
    /// Stop bits, 1 or 2.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    stop_bits: u8,
    /// The meter's destination address, decimal or 0x hex.
    #[arg(long, default_value = "0x3F", value_parser = parse_address)]
    address: u8,
    /// Whether the head echoes what it sends: auto learns it from the first exchange.
    #[arg(long, value_enum, default_value = "auto")]
    echo: EchoArg,
    /// First-byte timeout once the request has left the wire.
    #[arg(long, default_value = "400ms", value_parser = parse_duration)]
    timeout: Duration,
    /// Further attempts after an exchange without a valid answer.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Set DTR (some heads draw power from it).
    #[arg(long, value_enum)]
    dtr: Option<OnOff>,
    /// Set RTS (some heads draw power from it).
    #[arg(long, value_enum)]
    rts: Option<OnOff>,
    /// Append every exchange to this file: hex with timestamps, TX/ECHO/RX marks, decoded.
    #[arg(long)]
    pub traffic: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum EchoArg {
    Auto,
    On,
    Off,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OnOff {
    On,
    Off,
}

impl PortArgs {
    /// The link configuration these options describe.
    pub fn config(&self) -> LinkConfig {
        let mut config = LinkConfig::new(self.port.clone());
        config.line = LineSettings {
            baud: self.baud,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: self.stop_bits,
        };
        config.address = self.address;
        config.echo = match self.echo {
            EchoArg::Auto => EchoMode::Auto,
            EchoArg::On => EchoMode::On,
            EchoArg::Off => EchoMode::Off,
        };
        config.timeout = self.timeout;
        config.retries = self.retries;
        config.dtr = self.dtr.map(|level| matches!(level, OnOff::On));
        config.rts = self.rts.map(|level| matches!(level, OnOff::On));
        config
    }

    /// The port name.
    pub fn port(&self) -> &str {
        &self.port
    }
}

/// An address such as `63` or `0x3F`.
pub fn parse_address(text: &str) -> Result<u8, String> {
    let value = parse_decimal_or_hex(text).filter(|value| *value <= u64::from(u8::MAX));
    value
        .map(|value| value as u8)
        .ok_or_else(|| format!("{text:?} is not an address from 0 to 255 (0x00 to 0xFF)"))
}

/// A register ID such as `68` or `0x0044`.
pub fn parse_register_id(text: &str) -> Result<u16, String> {
    text.parse::<kmp_workbench::kmp::RegisterId>()
        .map(kmp_workbench::kmp::RegisterId::value)
        .map_err(|error| error.to_string())
}

/// A whole number written in decimal or with a `0x` prefix in hex.
fn parse_decimal_or_hex(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
