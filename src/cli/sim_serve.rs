//! `sim`'s serving: a simulated meter on a new pseudo-terminal until stopped. Unix only.
//!
//! The terminal's path is the first line on stdout, so a script can read it and open the port.
//! SIGUSR1 places the magnet again; SIGINT or SIGTERM stops, with a summary on stderr.

use std::path::Path;

use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

use kmp_workbench::duration;
use kmp_workbench::sim::{self, MeterConfig, Speech, Stats};

use super::output::{Failure, print_result, status};

/// Serves `config` until a signal stops it; keeps a link to the terminal at `link`, if given.
pub fn run(config: &MeterConfig, link: Option<&Path>) -> Result<(), Failure> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGUSR1])
        .map_err(|error| Failure::port(format!("cannot listen for signals: {error}")))?;
    let handle = sim::pty::spawn(config.clone(), link).map_err(|error| {
        Failure::port(format!(
            "{error}; check that /dev/pts is mounted and the link's folder is writable"
        ))
    })?;
    print_result(&format!("{}\n", handle.path().display()))?;
    status(&describe(config, &handle));

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
        Speech::ModeD(speech) => format!(
            "pushes IEC 62056-21 mode D at {} every {} (identification /{})",
            config.line(),
            duration::format(speech.interval),
            speech.ident
        ),
        Speech::SmlPush(speech) => format!(
            "pushes SML at {} every {}{}",
            speech.line,
            duration::format(speech.interval),
            if config.pin_locked {
                ", locked with its PIN: energy only, in whole kWh"
            } else {
                ""
            }
        ),
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
