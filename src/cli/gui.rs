//! `gui`: the desktop app, optionally connected to a simulated meter, on a given screen, and
//! saving a screenshot before it quits.

use std::path::PathBuf;
use std::time::Duration;

use kmp_workbench::app::{self, GuiOptions, Screen};
use kmp_workbench::sim::Profile;

use super::args::parse_duration;
use super::output::{Failure, print_result};

/// Arguments of `gui`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Connect at once to a simulated meter: multical21, flowiq2200, multical403, multical603,
    /// kamstrup382, kamstrup382c, multical41, multical66c, iec-modec.
    #[arg(long)]
    simulate: Option<Profile>,
    /// Connect at once to this port: a serial port, or a head across the network
    /// (socket://HOST:PORT, rfc2217://HOST:PORT).
    #[arg(long, conflicts_with = "simulate")]
    port: Option<String>,
    /// Open on this screen: connection, link-check, registers, live, history, traffic, session,
    /// hand-over.
    #[arg(long)]
    screen: Option<Screen>,
    /// Save the window to this PNG file, then quit.
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// When to take the screenshot.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    screenshot_after: Option<Duration>,
    /// Count the frames drawn over this long, after 5 s to settle, print the frames a second and
    /// quit (how `.ci/cpu-use` measures an idle app).
    #[arg(long, value_parser = parse_duration)]
    measure: Option<Duration>,
    /// Open this recording from a logic analyser or sniffer at once, on the Traffic screen.
    #[arg(long, value_name = "FILE")]
    capture: Option<PathBuf>,
}

/// Runs the app until its window is closed.
pub fn run(args: &Args) -> Result<(), Failure> {
    let options = GuiOptions {
        simulate: args.simulate,
        port: args.port.clone(),
        screen: args.screen,
        screenshot: args.screenshot.clone(),
        screenshot_after: args.screenshot_after.unwrap_or(Duration::from_secs(2)),
        sessions_dir: app::default_sessions_dir(),
        measure: args.measure,
        capture: args.capture.clone(),
    };
    let measured = app::run(options).map_err(|error| {
        Failure::port(format!(
            "cannot open the window: {error}; run it on a desktop, or use the commands (kmp-workbench --help)"
        ))
    })?;
    match measured {
        Some(frames) => print_result(&format!("frames_per_second={frames:.1}\n")),
        None => Ok(()),
    }
}
