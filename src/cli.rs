//! The command line: argument parsing and one module per command.
//!
//! Results go to stdout (a table, or one JSON object with `--json`); errors, progress and advice go
//! to stderr. Exit codes follow the contract in the README.

mod args;
mod capture;
mod config;
mod decode;
mod gui;
mod history;
mod json;
mod link_run;
mod log;
mod log_mqtt;
mod output;
mod port_args;
mod ports;
mod probe;
mod read;
mod scan;
mod sim;
#[cfg(unix)]
mod sim_serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Commissioning workbench for Kamstrup meters read through an optical (IR) head.
#[derive(Debug, Parser)]
#[command(name = "kmp-workbench", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the desktop app (what running with no command does).
    Gui(gui::Args),
    /// Decode one KMP frame given as hex (spaces allowed), e.g. `decode 80 3F 10 01 00 44 4D C0 0D`.
    Decode(decode::Args),
    /// List the ports --port can name: simulated meters, then serial ports with friendly names.
    Ports(ports::Args),
    /// Check the optical link: echo test, wake-up, identification and a diagnosis in plain words.
    Probe(probe::Args),
    /// Read registers, eight to a request, retrying bad answers.
    Read(read::Args),
    /// Find which register IDs of a range the meter answers, 8 to a request.
    Scan(scan::Args),
    /// Record readings to CSV, one flushed row per poll.
    Log(log::Args),
    /// Read a logger of the meter's history (yearly to hourly values), records newest first.
    History(history::Args),
    /// Serve a simulated meter on a new pseudo-terminal until stopped; prints the terminal's path.
    Sim(sim::Args),
    /// Decode a recording from a logic analyser or sniffer and diagnose it.
    Capture(capture::Args),
    /// Check the link and read the meter (or open a recorded session), and write what they
    /// proved as the configuration of another reader (esphome, pykmp, smartmeter-obis,
    /// vzlogger, tasmota, ser2net).
    Config(config::Args),
}

/// Exit codes of the command-line contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command did its job.
    Done = 0,
    /// The port failed: cannot open, lost.
    PortFailed = 1,
    /// Usage error.
    Usage = 2,
    /// Invalid input data: a bad frame, a damaged file.
    InvalidInput = 3,
    /// The meter gave no valid answer.
    NoAnswer = 4,
    /// Interrupted by Ctrl-C after printing what was found.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// Parses the arguments, runs the command and turns its outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Decode(args)) => decode::run(&args),
        Some(Command::Ports(args)) => ports::run(&args),
        Some(Command::Probe(args)) => probe::run(&args),
        Some(Command::Read(args)) => read::run(&args),
        Some(Command::Scan(args)) => scan::run(&args),
        Some(Command::Log(args)) => log::run(&args),
        Some(Command::History(args)) => history::run(&args),
        Some(Command::Sim(args)) => sim::run(&args),
        Some(Command::Capture(args)) => capture::run(&args),
        Some(Command::Config(args)) => config::run(&args),
        Some(Command::Gui(args)) => gui::run(&args),
        None => gui::run(&gui::Args::default()),
    };
    match outcome {
        Ok(()) => Exit::Done.into(),
        Err(failure) => failure.report(),
    }
}
