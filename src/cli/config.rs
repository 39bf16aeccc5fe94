//! `config --to TARGET`: the link check, then a read of the registers asked (or the catalogue's
//! key ones, or a text meter's readout), and what they proved written as the configuration of
//! the reader the user keeps.

use std::time::Duration;

use kmp_workbench::duration;
use kmp_workbench::handover::{self, Proven, ProvenRegister, Sourced, Target, recorded};
use kmp_workbench::kmp::register::Family;
use kmp_workbench::kmp::register::lookup;
use kmp_workbench::kmp::{Register, RegisterId};
use kmp_workbench::link::{Job, ProbeOptions, ProbeReport, ReadOptions, ReadoutOptions, Report};
use kmp_workbench::model::RegisterKey;
use kmp_workbench::protocol::{Protocol, Spoken};
use kmp_workbench::session::Contents;

use super::args::{WakeWait, parse_duration};
use super::json::family_of;
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::PortArgs;

/// The KMP registers read when none are named: of heat and water meters energy, volume, flow,
/// power and the two temperatures (a water meter lacks some); of electricity meters the
/// energy and the power, imported and exported. Which kind a meter is, GetType does not say.
const HEAT_AND_WATER_KEYS: [u16; 6] = [60, 68, 74, 80, 86, 87];
const ELECTRICITY_KEYS: [u16; 4] = [1, 2, 1023, 1024];

/// Arguments of `config`.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "kmp-workbench config --to TARGET (--port PORT [PORT OPTIONS] | --session DIR) [ID]...",
    group = clap::ArgGroup::new("source").required(true).args(["port", "session"])
)]
pub struct Args {
    /// The reader to write for: esphome, pykmp, smartmeter-obis, vzlogger, tasmota or ser2net.
    #[arg(long, value_parser = parse_target)]
    to: Target,
    #[command(flatten)]
    port: Option<PortArgs>,
    /// Hand over what a recorded session proved (the app's, or `log --session`'s) instead of
    /// checking a meter on a port.
    #[arg(long, value_name = "DIR", conflicts_with = "PortArgs")]
    session: Option<std::path::PathBuf>,
    #[command(flatten)]
    wake: WakeWait,
    /// How often the reader should read [default: 5min, what a battery meter tolerates].
    #[arg(long, value_parser = parse_duration)]
    interval: Option<Duration>,
    /// Write the configuration to FILE (never over an existing one) instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// The registers to hand over: KMP IDs or OBIS codes [default: the key KMP registers, or
    /// every value of a text meter's readout].
    #[arg(value_name = "ID")]
    ids: Vec<RegisterKey>,
}

fn parse_target(text: &str) -> Result<Target, String> {
    text.parse()
}

/// Runs `config`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if let Some(path) = args.output.as_ref().filter(|path| path.exists()) {
        return Err(Failure::usage(format!(
            "{} exists: choose another name (a configuration is never written over)",
            path.display()
        )));
    }
    let mut proven = match (&args.port, &args.session) {
        (Some(port), _) => from_port(args, port)?,
        (None, Some(dir)) => from_session(args, dir)?,
        (None, None) => {
            return Err(Failure::usage(
                "say where the proof comes from: --port PORT checks a meter now, --session DIR \
                 hands over what a recorded session proved",
            ));
        }
    };
    if let Some(interval) = args.interval {
        proven.interval = Sourced::given(interval);
    }
    let text =
        handover::write(args.to, &proven).map_err(|cannot| Failure::usage(cannot.to_string()))?;
    match &args.output {
        Some(path) => {
            write_new(path, &text)?;
            status(&format!("wrote {}", path.display()));
            Ok(())
        }
        None => print_result(&text),
    }
}

/// Checks the link on the port, then reads the registers asked.
fn from_port(args: &Args, port: &PortArgs) -> Result<Proven, Failure> {
    let mut link = match LinkRun::open(port, None)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    status(&format!(
        "checking the link on {} (waiting up to {} for an answer)",
        port.port(),
        duration::format(args.wake.wait)
    ));
    let probe = ProbeOptions {
        wait: args.wake.wait,
        sweep: false,
        address_sweep: false,
        protocol: None,
    };
    let report = link.report(Job::Probe(probe), Report::into_probe, |_| {})?;
    let Some(protocol) = report.protocol.filter(|_| report.answered || report.push) else {
        return Err(Failure::no_answer(format!(
            "the meter never answered, so nothing is proven to hand over: {}",
            report.diagnosis.text()
        )));
    };
    let registers = match protocol {
        Protocol::Kmp => read_kmp(args, port, &mut link)?,
        text => read_text(args, text, &mut link)?,
    };
    if registers.is_empty() {
        return Err(Failure::no_answer(
            "the meter answered the link check but none of the registers asked: nothing to hand \
             over (name registers it has)",
        ));
    }
    Ok(proven(port, &report, protocol, registers))
}

/// What the session in `dir` proved, with only the registers asked when some are.
fn from_session(args: &Args, dir: &std::path::Path) -> Result<Proven, Failure> {
    let contents = Contents::read(dir).map_err(|error| Failure::usage(error.to_string()))?;
    let mut proven = recorded::proven((&contents).into()).map_err(Failure::no_answer)?;
    if !args.ids.is_empty() {
        if let Some(missing) = args
            .ids
            .iter()
            .find(|&&asked| !proven.registers.iter().any(|r| r.key.answers(asked)))
        {
            return Err(Failure::no_answer(format!(
                "{missing} never answered in the session in {}: name registers it read",
                dir.display()
            )));
        }
        proven
            .registers
            .retain(|register| args.ids.iter().any(|&asked| register.key.answers(asked)));
    }
    Ok(proven)
}

/// What the check and the read proved.
fn proven(
    port: &PortArgs,
    report: &ProbeReport,
    protocol: Protocol,
    registers: Vec<ProvenRegister>,
) -> Proven {
    let asked_at = report.asked_at.unwrap_or(report.line);
    let spoken = Spoken::new(
        protocol,
        report.identification.clone(),
        (asked_at, report.line),
        report.push,
    );
    let mut proven = Proven::new(&spoken, Sourced::given(port.port().to_string()), registers);
    // A pushing meter is only listened to: the echo is never tested.
    proven.echo = if report.push {
        Sourced::default_value(report.echo)
    } else {
        Sourced::measured(report.echo)
    };
    proven.address = report.address.map(Sourced::measured);
    proven
}

/// Reads the KMP registers asked, or the key ones: those that answered.
fn read_kmp(
    args: &Args,
    port: &PortArgs,
    link: &mut LinkRun,
) -> Result<Vec<ProvenRegister>, Failure> {
    let family = family_of(port.port());
    let registers = if args.ids.is_empty() {
        let mut keys = [&HEAT_AND_WATER_KEYS[..], &ELECTRICITY_KEYS[..]];
        if family == Some(Family::Electricity) {
            keys.reverse();
        }
        let mut registers = Vec::new();
        for ids in keys {
            registers = read_ids(
                args,
                link,
                ids.iter().copied().map(RegisterId::new).collect(),
            )?;
            if !registers.is_empty() {
                break;
            }
        }
        registers
    } else {
        let ids: Vec<RegisterId> = args.ids.iter().filter_map(|key| key.kmp()).collect();
        if ids.len() != args.ids.len() {
            return Err(Failure::usage(
                "this meter speaks KMP: name its registers by ID (68 or 0x0044)",
            ));
        }
        read_ids(args, link, ids)?
    };
    Ok(registers
        .iter()
        .map(|register| {
            let name = lookup(family, register.id()).map_or_else(
                || format!("register {}", register.id()),
                |info| info.name.into(),
            );
            ProvenRegister::of_register(register, name)
        })
        .collect())
}

/// Reads `ids`: the registers that answered, in the order asked. A meter may keep silent at a
/// request naming a register it lacks (a MULTICAL 21 asked for 60): those of an unanswered
/// request are asked again one by one.
fn read_ids(
    args: &Args,
    link: &mut LinkRun,
    ids: Vec<RegisterId>,
) -> Result<Vec<Register>, Failure> {
    let mut read = |ids: Vec<RegisterId>| {
        let job = Job::Read(ReadOptions {
            ids,
            wait: args.wake.wait,
        });
        link.report(job, Report::into_read, |_| {})
    };
    let report = read(ids.clone())?;
    let mut registers = report.registers;
    if report.failed.len() > 1 {
        for id in report.failed {
            registers.extend(read(vec![id])?.registers);
        }
        registers.sort_by_key(|register| ids.iter().position(|&id| id == register.id()));
    }
    Ok(registers)
}

/// Reads a text meter's readout (or listens for its telegram): its values, or those asked.
fn read_text(
    args: &Args,
    protocol: Protocol,
    link: &mut LinkRun,
) -> Result<Vec<ProvenRegister>, Failure> {
    if let Some(asked) = args.ids.iter().find(|key| !key.read_in(protocol)) {
        return Err(Failure::usage(format!(
            "this meter speaks {}, and {asked} names none of its values: name OBIS codes (1.8.0) \
             or /#1 fields, or none for all",
            protocol.label()
        )));
    }
    let job = Job::Readout(ReadoutOptions {
        protocol: Some(protocol),
        wait: args.wake.wait,
    });
    let report = link.report(job, Report::into_readout, |_| {})?;
    let map = kmp_workbench::model::RegisterMap::default();
    Ok(report
        .readings
        .iter()
        .filter(|reading| {
            args.ids.is_empty() || args.ids.iter().any(|&asked| reading.key.answers(asked))
        })
        .map(|reading| ProvenRegister::of_reading(reading, &map))
        .collect())
}

/// Writes `text` to a new file at `path`; an existing file is never written over.
fn write_new(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| Failure::usage(format!("cannot create {}: {error}", path.display())))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| Failure::usage(format!("cannot write {}: {error}", path.display())))
}
