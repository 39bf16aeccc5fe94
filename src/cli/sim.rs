//! `sim`: serves a simulated meter on a new pseudo-terminal until stopped.
//!
//! The terminal's path is the first line on stdout, so a script can read it and open the port.
//! SIGUSR1 places the magnet again; SIGINT or SIGTERM stops, with a summary on stderr.

use std::path::PathBuf;
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

use kmp_workbench::duration;
use kmp_workbench::sim::{self, Faults, MeterConfig, Profile, Speech, Stats, Timing};

use super::args::{parse_duration, parse_rate};
use super::output::{Failure, print_result, status};

/// Arguments of `sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meter to simulate: multical21, flowiq2200, multical403, multical603, kamstrup382 (KMP);
    /// kamstrup382c, multical41, iec-modec (IEC 62056-21); multical66c (/#1).
    #[arg(long, default_value = "multical21")]
    profile: Profile,
    /// Echo every byte received, as a head on the glass does.
    #[arg(long)]
    echo: bool,
    /// Pace bytes at the line settings in use (parity and stop bits counted) and answer after the
    /// latency.
    #[arg(long)]
    realtime: bool,
    /// Baud rate a KMP meter speaks at (some electricity meters: 2400 or 9600); the other
    /// protocols have their own.
    #[arg(long, default_value_t = 1200)]
    baud: u32,
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
    link: Option<PathBuf>,
}

impl Args {
    fn config(&self) -> MeterConfig {
        let mut config = MeterConfig::new(self.profile);
        config.echo = self.echo;
        let latency = self.latency.unwrap_or(if self.realtime {
            Duration::from_millis(60)
        } else {
            Duration::ZERO
        });
        config.kmp_baud = self.baud;
        config.timing = Timing {
            paced: self.realtime,
            latency,
        };
        if let Some(delay) = self.magnet_delay {
            config.magnet_delay = delay;
        }
        config.budget = self.budget;
        config.sleep_after = self.sleep_after;
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
    let config = args.config();
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGUSR1])
        .map_err(|error| Failure::port(format!("cannot listen for signals: {error}")))?;
    let handle = sim::pty::spawn(config.clone(), args.link.as_deref()).map_err(|error| {
        Failure::port(format!(
            "{error}; check that /dev/pts is mounted and the link's folder is writable"
        ))
    })?;
    print_result(&format!("{}\n", handle.path().display()))?;
    status(&describe(&config, &handle));

    for signal in signals.forever() {
        if signal == SIGUSR1 {
            handle.place_magnet();
            status(&format!(
                "magnet placed: the eye answers in {}",
                duration::format(config.magnet_delay)
            ));
        } else {
            break;
        }
    }
    status(&summary(&handle.stop()));
    Ok(())
}

fn describe(config: &MeterConfig, handle: &sim::pty::SimHandle) -> String {
    let profile = config.profile;
    let mut text = format!(
        "simulating a {} (serial {}) on {}; {}; echo {}",
        profile.label(),
        profile.serial(),
        handle.path().display(),
        speaks(config),
        if config.echo { "on" } else { "off" },
    );
    if !config.magnet_delay.is_zero() {
        text.push_str(&format!(
            "; the eye wakes {} after the magnet",
            duration::format(config.magnet_delay)
        ));
    }
    text.push_str("; SIGUSR1 places the magnet again, Ctrl-C stops");
    text
}

/// The protocol, the settings it is read at and, for KMP, the address.
fn speaks(config: &MeterConfig) -> String {
    match config.profile.speech() {
        Speech::Kmp => format!(
            "speaks KMP at {} to address 0x{:02X}",
            config.line(),
            config.address
        ),
        Speech::Iec(speech) => format!(
            "speaks IEC 62056-21 from {} (identification /{})",
            config.line(),
            speech.ident
        ),
        Speech::Mc66 { line, .. } => {
            format!("answers /#1 sent at {line} at {}", line.at(1200))
        }
    }
}

fn summary(stats: &Stats) -> String {
    format!(
        "served {} requests: {} answered, {} ignored while waking, {} while asleep or over budget, \
         {} silenced, {} invalid frames, {} other commands, {} dropped, {} damaged, {} echoed bytes damaged; {} bytes in, \
         {} of them at other line settings; {} bytes out the client's settings could not read",
        stats.requests,
        stats.answered,
        stats.ignored_waking,
        stats.ignored_asleep,
        stats.silenced,
        stats.invalid_frames,
        stats.ignored_other,
        stats.dropped,
        stats.corrupted,
        stats.echoes_damaged,
        stats.bytes_in,
        stats.unread,
        stats.unheard,
    )
}
