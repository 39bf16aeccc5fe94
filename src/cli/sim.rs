//! `sim`: serves a simulated meter on a new pseudo-terminal until stopped (`sim_serve.rs`).
//!
//! The arguments are read on every system, so that where there are no pseudo-terminals
//! (Windows) `sim` is a usage error that points to the `sim:PROFILE` ports instead of an unknown
//! command.

use std::path::PathBuf;
use std::time::Duration;

use kmp_workbench::sim::{Faults, MeterConfig, Profile, Timing};

use super::args::{parse_duration, parse_rate};
use super::output::Failure;

/// Arguments of `sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meter to simulate: multical21, flowiq2200, multical403, multical603, kamstrup382 (KMP);
    /// kamstrup382c, multical41, iec-modec (IEC 62056-21); multical66c (/#1); sml-push (SML,
    /// pushed unasked); iec-moded (IEC 62056-21 mode D, pushed unasked).
    #[arg(long, default_value = "multical21")]
    profile: Profile,
    /// Echo every byte received, as a head on the glass does.
    #[arg(long)]
    echo: bool,
    /// Pace bytes at the line settings in use (parity and stop bits counted) and answer after the
    /// latency.
    #[arg(long)]
    realtime: bool,
    /// The destination address a KMP meter answers at, decimal or 0x hex (0x7F and 0xBF are
    /// logger modules'; some electricity meters are set to others).
    #[arg(long, default_value = "0x3F", value_parser = super::port_args::parse_address)]
    address: u8,
    /// Baud rate a KMP meter speaks at (some electricity meters: 2400 or 9600), or a mode D
    /// meter pushes at (2400, 300); the other protocols have their own [default: 1200 for KMP,
    /// 9600 for mode D].
    #[arg(long)]
    baud: Option<u32>,
    /// Time from the end of a request to the answer [default: 60ms with --realtime, else 0s].
    #[arg(long, value_parser = parse_duration)]
    latency: Option<Duration>,
    /// Time from placing the magnet to the first answer [default: 4s for water meters, else 0s].
    #[arg(long, value_parser = parse_duration)]
    magnet_delay: Option<Duration>,
    /// Answer this many requests, then stay silent until the magnet is placed again (SIGUSR1).
    #[arg(long)]
    budget: Option<u32>,
    /// Fall asleep after this long without a request, until the magnet is placed again.
    #[arg(long, value_parser = parse_duration)]
    sleep_after: Option<Duration>,
    /// A pushing meter (sml-push) locked with its PIN: only the energy registers, in whole kWh.
    #[arg(long)]
    pin_locked: bool,
    /// Share of answers damaged as infrared noise damages them (bits flipped, a burst of
    /// bytes replaced, bytes lost or added, the tail cut off), e.g. 0.05 or 5%.
    #[arg(long, value_parser = parse_rate, default_value = "0")]
    corrupt: f64,
    /// Share of answers never sent.
    #[arg(long, value_parser = parse_rate, default_value = "0")]
    drop: f64,
    /// Share of answers preceded by random bytes or by the tail of the answer before.
    #[arg(long, value_parser = parse_rate, default_value = "0")]
    noise: f64,
    /// Share of echoed bytes with a bit flipped or lost (with --echo).
    #[arg(long, value_parser = parse_rate, default_value = "0")]
    damage_echo: f64,
    /// Seed of the readings and the faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep a symbolic link at this path pointing to the terminal.
    #[arg(long)]
    pub link: Option<PathBuf>,
}

impl Args {
    /// The meter these arguments describe.
    pub fn config(&self) -> MeterConfig {
        let mut config = MeterConfig::new(self.profile);
        config.echo = self.echo;
        let latency = self.latency.unwrap_or(if self.realtime {
            Duration::from_millis(60)
        } else {
            Duration::ZERO
        });
        config.baud = self.baud;
        config.address = self.address;
        config.timing = Timing {
            paced: self.realtime,
            latency,
        };
        if let Some(delay) = self.magnet_delay {
            config.magnet_delay = delay;
        }
        config.budget = self.budget;
        config.sleep_after = self.sleep_after;
        config.pin_locked = self.pin_locked;
        config.faults = Faults {
            corrupt: self.corrupt,
            drop: self.drop,
            noise: self.noise,
            echo: self.damage_echo,
        };
        config.seed = self.seed;
        // The meter's clock starts at the local time, as a real meter's would read.
        config.clock_start = jiff::Zoned::now().datetime();
        config
    }
}

/// Runs `sim`.
pub fn run(args: &Args) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        super::sim_serve::run(&args.config(), args.link.as_deref())
    }
    #[cfg(not(unix))]
    {
        let meter = args.config();
        Err(Failure::usage(format!(
            "sim serves a simulated meter on a virtual serial port, which needs a Unix \
             pseudo-terminal; on this system open the same meter inside the program instead: \
             --port sim:{}",
            meter.profile.name()
        )))
    }
}
