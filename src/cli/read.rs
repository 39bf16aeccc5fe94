//! `read`: KMP registers, eight to a request, retrying bad answers; or the readout of a meter
//! that speaks IEC 62056-21 or `/#1`, all of it or the OBIS codes and fields asked for.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use kmp_workbench::kmp::RegisterId;
use kmp_workbench::link::{
    Job, ProbeOptions, ReadOptions, ReadReport, ReadoutOptions, ReadoutReport, Report,
};
use kmp_workbench::model::RegisterKey;
use kmp_workbench::protocol::Protocol;

use super::Exit;
use super::args::{ProtocolChoice, WakeWait, parse_protocol};
use super::json::{RegisterObject, TextRegisterObject, family_of};
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::PortArgs;

/// Arguments of `read`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    #[command(flatten)]
    wake: WakeWait,
    /// The protocol to read in: auto (numbers are KMP register IDs, OBIS codes mean IEC
    /// 62056-21, field names mean /#1; with no IDs, the meter's readout), kmp, iec62056-21 or
    /// kamstrup-66c.
    #[arg(long, default_value = "auto", value_parser = parse_protocol)]
    protocol: ProtocolChoice,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// KMP register IDs (decimal or 0x hex), OBIS codes (1.8.0) or /#1 fields (energy, t1, …);
    /// none reads an IEC 62056-21 or /#1 meter's whole readout.
    #[arg(value_name = "ID")]
    ids: Vec<RegisterKey>,
}

/// A register asked for and not in the answer: a KMP ID as a number, others as text.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Missing {
    Id(u16),
    Key(String),
}

#[derive(Debug, Serialize)]
struct ReadJson<R> {
    registers: Vec<R>,
    missing: Vec<Missing>,
}

/// Runs `read`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let protocol = protocol_of(args)?;
    let mut link = match LinkRun::open(&args.port, None)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    match protocol {
        Some(Protocol::Kmp) => read_kmp(args, &mut link),
        text => read_text(args, text, &mut link),
    }
}

/// The protocol to read in: the one asked for, else the one the IDs name; `None` finds out.
fn protocol_of(args: &Args) -> Result<Option<Protocol>, Failure> {
    let named: Vec<Protocol> = args.ids.iter().map(|key| key.protocol()).collect();
    let from_ids = named.first().copied();
    if named.iter().any(|protocol| Some(*protocol) != from_ids) {
        return Err(Failure::usage(
            "the IDs mix protocols: KMP register IDs, OBIS codes and /#1 fields cannot be read together",
        ));
    }
    match (args.protocol.0, from_ids) {
        (Some(Protocol::Kmp), None) => Err(Failure::usage(
            "name the KMP registers to read (e.g. read 60 68 74); only an IEC 62056-21 or /#1 \
             meter has a readout to print whole",
        )),
        // OBIS codes name the values of an IEC 62056-21 readout and of an SML telegram alike.
        (Some(asked), Some(from_ids))
            if asked != from_ids && (asked, from_ids) != (Protocol::Sml, Protocol::Iec) =>
        {
            Err(Failure::usage(format!(
                "{} names no {} register: give {}",
                args.ids[0],
                asked.label(),
                match asked {
                    Protocol::Kmp => "register IDs (68 or 0x0044)",
                    Protocol::Iec => "OBIS codes (1.8.0)",
                    Protocol::Mc66 =>
                        "field names (energy, volume, hours, t1, t2, dt, power, flow, peak_power, info)",
                    Protocol::Sml => "OBIS codes (1.8.0)",
                }
            )))
        }
        // OBIS codes alone name IEC 62056-21, whose tries listen for a pushing meter too, which
        // may speak them in SML.
        (asked, from_ids) => Ok(asked.or(from_ids)),
    }
}

fn read_kmp(args: &Args, link: &mut LinkRun) -> Result<(), Failure> {
    let ids: Vec<RegisterId> = args.ids.iter().filter_map(|key| key.kmp()).collect();
    let job = Job::Read(ReadOptions {
        ids,
        wait: args.wake.wait,
    });
    let report = link.report(job, Report::into_read, |_| {})?;
    let family = family_of(args.port.port());
    let json = ReadJson {
        registers: report
            .registers
            .iter()
            .map(|register| RegisterObject::new(register, family))
            .collect(),
        missing: report
            .missing
            .iter()
            .map(|id| Missing::Id(id.value()))
            .collect(),
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
    } else {
        let rows = json.registers.iter().map(|register| {
            (
                register.id.to_string(),
                register.name.unwrap_or("-").to_string(),
                register.display.clone(),
            )
        });
        table(rows, &json.missing)
    };
    print_result(&text)?;
    kmp_ending(&report)
}

fn kmp_ending(report: &ReadReport) -> Result<(), Failure> {
    if report.interrupted {
        status("interrupted: printed what was read so far");
        return Err(Failure::quiet(Exit::Interrupted));
    }
    if report.failed.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = report.failed.iter().map(ToString::to_string).collect();
    let why = report
        .failure
        .map(|failure| format!(" ({failure})"))
        .unwrap_or_default();
    Err(Failure::no_answer(format!(
        "no valid answer for registers {}{why}; {}",
        ids.join(", "),
        report.diagnosis.text()
    )))
}

/// Reads the readout in `protocol` (`None`: either text protocol) and prints the values asked
/// for, or all of them.
fn read_text(args: &Args, protocol: Option<Protocol>, link: &mut LinkRun) -> Result<(), Failure> {
    status(&format!(
        "asking for the readout ({}; waiting up to {} for an answer)",
        match protocol {
            None => "IEC 62056-21, /#1, or listening for a meter that pushes SML or mode D",
            Some(Protocol::Iec) =>
                "IEC 62056-21, or listening for a meter that pushes SML or mode D",
            Some(protocol) => protocol.label(),
        },
        kmp_workbench::duration::format(args.wake.wait)
    ));
    let job = Job::Readout(ReadoutOptions {
        protocol,
        wait: args.wake.wait,
    });
    let report = link.report(job, Report::into_readout, |_| {})?;
    if report.readings.is_empty() && !report.interrupted && protocol.is_none() {
        return no_readout(args, link, &report);
    }
    // The whole readout in the order sent, or the values asked for in the order asked.
    let readings: Vec<_> = if args.ids.is_empty() {
        report.readings.iter().collect()
    } else {
        args.ids
            .iter()
            .filter_map(|key| {
                report
                    .readings
                    .iter()
                    .find(|reading| reading.key.answers(*key))
            })
            .collect()
    };
    let missing = if report.readings.is_empty() {
        Vec::new()
    } else {
        args.ids
            .iter()
            .filter(|key| {
                !report
                    .readings
                    .iter()
                    .any(|reading| reading.key.answers(**key))
            })
            .map(|key| Missing::Key(key.to_string()))
            .collect()
    };
    let json = ReadJson {
        registers: readings
            .iter()
            .map(|reading| TextRegisterObject::new(reading))
            .collect(),
        missing,
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
    } else {
        let rows = readings.iter().map(|reading| {
            let object = TextRegisterObject::new(reading);
            let assumed = if reading.assumed_scale {
                " (scale assumed)"
            } else {
                ""
            };
            (
                reading.key.to_string(),
                object.name.unwrap_or_else(|| "-".into()),
                format!("{}{assumed}", object.display),
            )
        });
        table(rows, &json.missing)
    };
    print_result(&text)?;
    if let (Some(protocol), Some(line)) = (report.protocol, report.line) {
        let identified = report
            .identification
            .as_deref()
            .map(|ident| format!(", identification /{ident}"))
            .unwrap_or_default();
        status(&format!(
            "read {} values in {} ({protocol} at {line}{identified})",
            report.readings.len(),
            kmp_workbench::duration::format(report.took),
        ));
    }
    text_ending(&report)
}

fn text_ending(report: &ReadoutReport) -> Result<(), Failure> {
    if report.interrupted {
        status("interrupted: printed what was read so far");
        return Err(Failure::quiet(Exit::Interrupted));
    }
    if !report.readings.is_empty() {
        return Ok(());
    }
    let why = report
        .failure
        .map(|failure| format!(" ({failure})"))
        .unwrap_or_default();
    Err(Failure::no_answer(format!(
        "no readout came{why}; {}",
        report.diagnosis.text()
    )))
}

/// Nothing answered the text protocols: a KMP meter has no readout to print, which is a usage
/// error; a meter that answers nothing is no answer.
fn no_readout(args: &Args, link: &mut LinkRun, report: &ReadoutReport) -> Result<(), Failure> {
    let options = ProbeOptions {
        protocol: Some(Protocol::Kmp),
        ..ProbeOptions::new(Duration::from_secs(1))
    };
    let probe = link.run(Job::Probe(options), Report::into_probe, |_| {})?;
    if probe.is_ok_and(|probe| probe.protocol == Some(Protocol::Kmp)) {
        return Err(Failure::usage(format!(
            "the meter on {} speaks KMP, which has no readout to print whole: name its \
             registers (e.g. read 60 68 74)",
            args.port.port()
        )));
    }
    text_ending(report)
}

/// Rows of ID, name and value, then what was missing.
fn table(rows: impl Iterator<Item = (String, String, String)>, missing: &[Missing]) -> String {
    let mut out = String::new();
    // IDs keep their column of 8 unless a longer one (a /#1 field such as `peak_power`) needs more.
    let rows: Vec<_> = rows.collect();
    let width = rows
        .iter()
        .map(|(id, ..)| id.chars().count())
        .fold(8, usize::max);
    for (id, name, display) in rows {
        let _ = writeln!(out, "{id:>width$}  {name:<32} {display}");
    }
    if !missing.is_empty() {
        let ids: Vec<String> = missing
            .iter()
            .map(|missing| match missing {
                Missing::Id(id) => id.to_string(),
                Missing::Key(key) => key.clone(),
            })
            .collect();
        let _ = writeln!(
            out,
            "missing (the meter does not have them): {}",
            ids.join(", ")
        );
    }
    out
}
