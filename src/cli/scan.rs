//! `scan`: which register IDs of a range the meter answers, at the speed of the line.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use kmp_workbench::duration;
use kmp_workbench::export::{Dialect, RegisterRow, write_registers};
use kmp_workbench::link::{Event, Job, JobEvent, Report, ScanOptions, ScanProgress, ScanReport};

use super::Exit;
use super::args::parse_duration;
use super::json::{RegisterObject, family_of};
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::{PortArgs, parse_register_id};

/// Arguments of `scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    /// First register ID, decimal or 0x hex.
    #[arg(long, value_parser = parse_register_id)]
    from: u16,
    /// Last register ID, included.
    #[arg(long, value_parser = parse_register_id)]
    to: u16,
    /// How long to wait for a meter that stopped answering before giving up.
    #[arg(long, default_value = "1min", value_parser = parse_duration)]
    wait: Duration,
    /// Also write the registers found to this CSV file (it must not exist yet).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct ScanJson {
    from: u16,
    to: u16,
    scanned: u32,
    requests: u32,
    found: Vec<RegisterObject>,
    silencing: Vec<u16>,
    elapsed_s: f64,
    interrupted: bool,
}

/// Runs `scan`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if let Some(path) = &args.csv
        && path.exists()
    {
        return Err(Failure::usage(format!(
            "{} exists; choose another name for the CSV file",
            path.display()
        )));
    }
    let mut link = match LinkRun::open(&args.port, None)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    let total = u32::from(args.from.abs_diff(args.to)) + 1;
    status(&format!(
        "scanning {total} register IDs, {} to {}, 8 to a request",
        args.from.min(args.to),
        args.from.max(args.to)
    ));
    let mut reporter = ProgressReporter::default();
    let family = family_of(args.port.port());
    let options = ScanOptions::catalogue_first(args.from, args.to, args.wait, family);
    let progress = |event: &Event| match event {
        Event::Job {
            event: JobEvent::ScanProgress(progress),
            ..
        } => reporter.show(progress),
        Event::Job {
            event: JobEvent::Diagnosed(diagnosis),
            ..
        } => reporter.diagnosis = Some(diagnosis.text()),
        _ => {}
    };
    let report = link.report(Job::Scan(options), Report::into_scan, progress)?;
    let found: Vec<RegisterObject> = report
        .found
        .iter()
        .map(|register| RegisterObject::new(register, family))
        .collect();
    if let Some(path) = &args.csv {
        write_csv(path, &found)?;
    }
    let json = ScanJson {
        from: report.from,
        to: report.to,
        scanned: report.scanned,
        requests: report.requests,
        silencing: report.silencing.iter().map(|id| id.value()).collect(),
        elapsed_s: (report.elapsed.as_secs_f64() * 10.0).round() / 10.0,
        interrupted: report.interrupted,
        found,
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
    } else {
        table(&json)
    };
    print_result(&text)?;
    ending(&report, link.interrupted())
}

fn ending(report: &ScanReport, ctrl_c: bool) -> Result<(), Failure> {
    let resume = report
        .resume_from
        .map(|id| format!("; resume with --from {id}"))
        .unwrap_or_default();
    if ctrl_c {
        status(&format!(
            "interrupted: printed the {} registers found so far{resume}",
            report.found.len()
        ));
        return Err(Failure::quiet(Exit::Interrupted));
    }
    if report.interrupted {
        return Err(Failure::no_answer(format!(
            "the meter stopped answering and did not come back{resume}; {}",
            report.diagnosis.text()
        )));
    }
    Ok(())
}

fn write_csv(path: &std::path::Path, found: &[RegisterObject]) -> Result<(), Failure> {
    let rows: Vec<RegisterRow> = found
        .iter()
        .map(|r| RegisterRow {
            id: r.id,
            name: r.name.map(str::to_string),
            unit: r.unit.to_string(),
            unit_code: r.unit_code,
            value: r.value.clone(),
            display: r.display.clone(),
            raw: r.raw.clone(),
        })
        .collect();
    let file = std::fs::File::create_new(path)
        .map_err(|error| Failure::usage(format!("cannot create {}: {error}", path.display())))?;
    write_registers(std::io::BufWriter::new(file), &rows, Dialect::Rfc4180)
        .map_err(|error| Failure::usage(format!("{}: {error}", path.display())))
}

/// Progress on stderr at most once a second, and a plain word when the scan pauses or resumes.
#[derive(Default)]
struct ProgressReporter {
    last: Option<Instant>,
    paused: bool,
    diagnosis: Option<String>,
}

impl ProgressReporter {
    fn show(&mut self, progress: &ScanProgress) {
        if progress.paused != self.paused {
            self.paused = progress.paused;
            if progress.paused && progress.done == 0 {
                // Nothing answered yet: an eye still waking, asked back to back.
                status("waiting for the meter's first answer");
            } else if progress.paused {
                let why = self.diagnosis.clone().unwrap_or_default();
                status(&format!(
                    "paused: the meter stopped answering. {why} Asking again every 2 s."
                ));
            } else if progress.done == 0 {
                status("the meter answers: scanning");
            } else {
                status("resumed: the meter answers again");
            }
        }
        if self
            .last
            .is_some_and(|last| last.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.last = Some(Instant::now());
        let left = progress
            .time_left()
            .map(|left| {
                format!(
                    ", about {} left",
                    duration::format(Duration::from_secs(left.as_secs().max(1)))
                )
            })
            .unwrap_or_default();
        status(&format!(
            "scanned {} of {} IDs, {} found, {:.1} IDs/s{left}",
            progress.done,
            progress.total,
            progress.found,
            progress.rate()
        ));
    }
}

fn table(json: &ScanJson) -> String {
    let mut out = String::new();
    for register in &json.found {
        let _ = writeln!(
            out,
            "{:>5}  {}  {:<32} {}",
            register.id,
            register.id_hex,
            register.name.unwrap_or("-"),
            register.display
        );
    }
    let _ = writeln!(
        out,
        "{} of {} IDs scanned with {} requests in {:.1} s: {} registers found",
        json.scanned,
        u32::from(json.to) - u32::from(json.from) + 1,
        json.requests,
        json.elapsed_s,
        json.found.len()
    );
    if !json.silencing.is_empty() {
        let ids: Vec<String> = json.silencing.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "registers that silence the meter (leave them out of requests): {}",
            ids.join(", ")
        );
    }
    out
}
