//! `read`: registers, eight to a request, retrying bad answers.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use kmp_workbench::kmp::RegisterId;
use kmp_workbench::link::{Job, ReadOptions, ReadReport, Report};

use super::Exit;
use super::args::parse_duration;
use super::json::{RegisterObject, family_of};
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::{PortArgs, parse_register_id};

/// Arguments of `read`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    /// How long the first request keeps asking while the meter's eye wakes up.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    wait: Duration,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Register IDs, decimal or 0x hex.
    #[arg(required = true, value_parser = parse_register_id, value_name = "ID")]
    ids: Vec<u16>,
}

#[derive(Debug, Serialize)]
struct ReadJson {
    registers: Vec<RegisterObject>,
    missing: Vec<u16>,
}

/// Runs `read`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let mut link = match LinkRun::open(&args.port, None)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    let ids: Vec<RegisterId> = args.ids.iter().copied().map(RegisterId::new).collect();
    let job = Job::Read(ReadOptions {
        ids,
        wait: args.wait,
    });
    let report = match link.run(job, Report::into_read, |_| {})? {
        Ok(report) => report,
        Err(error) => return Err(Failure::link(&error)),
    };
    let family = family_of(args.port.port());
    let json = ReadJson {
        registers: report
            .registers
            .iter()
            .map(|register| RegisterObject::new(register, family))
            .collect(),
        missing: report.missing.iter().map(|id| id.value()).collect(),
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
    } else {
        table(&json)
    };
    print_result(&text)?;
    ending(&report)
}

fn ending(report: &ReadReport) -> Result<(), Failure> {
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
        .map(|failure| format!(" ({failure:?})"))
        .unwrap_or_default();
    Err(Failure::no_answer(format!(
        "no valid answer for registers {}{why}; {}",
        ids.join(", "),
        report.diagnosis.text()
    )))
}

fn table(json: &ReadJson) -> String {
    let mut out = String::new();
    for register in &json.registers {
        let name = register.name.unwrap_or("-");
        let _ = writeln!(out, "{:>5}  {:<32} {}", register.id, name, register.display);
    }
    if !json.missing.is_empty() {
        let ids: Vec<String> = json.missing.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "missing (the meter does not have them): {}",
            ids.join(", ")
        );
    }
    out
}
