//! `history`: a logger of the meter's history (`B8` dialect), read by record ID, records newest
//! first; without `--registers`, what the logger holds. JSON, a table, and CSV.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use kmp_workbench::export::{Dialect, history_columns, meter_time, write_history};
use kmp_workbench::kmp::logger::{PeriodLogger, is_stamp};
use kmp_workbench::kmp::register::lookup;
use kmp_workbench::kmp::{Family, RegisterId};
use kmp_workbench::link::{
    Cost, Event, HistoryOptions, HistoryReport, HistorySpan, Job, JobEvent, Logger, Report,
};

use super::Exit;
use super::args::{DialectArg, WakeWait};
use super::json::{HeldRegister, RegisterObject, family_of};
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::PortArgs;

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    /// The logger: year, month, day, hour, minute-1 or minute-2 (the B8 loggers of MULTICAL
    /// 603/303-class meters), or interval (the A commands' log: MULTICAL 601/801 logger modules
    /// at --address 0x7F, electricity meters at 0x3F with --log-id 6 for the load profile).
    #[arg(long, value_parser = parse_logger)]
    logger: LoggerArg,
    /// The interval log's ID (with --logger interval).
    #[arg(long, default_value_t = 1)]
    log_id: u8,
    /// Registers to read, comma-separated (the logger's clock and date are added where it holds
    /// them); without it, the registers the logger holds are listed.
    #[arg(long, value_delimiter = ',')]
    registers: Option<Vec<RegisterId>>,
    /// The newest N records.
    #[arg(long, default_value_t = 12, conflicts_with_all = ["from_id", "to_id"])]
    last: u16,
    /// The oldest record ID to read (with --to-id).
    #[arg(long, requires = "to_id")]
    from_id: Option<u32>,
    /// The newest record ID to read (with --from-id).
    #[arg(long, requires = "from_id")]
    to_id: Option<u32>,
    #[command(flatten)]
    wake: WakeWait,
    /// Also write the records to this CSV file (refused if it exists).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// The CSV dialect.
    #[arg(long, value_enum, default_value = "rfc4180")]
    dialect: DialectArg,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// What `--logger` names.
#[derive(Clone, Copy, Debug)]
enum LoggerArg {
    Logger(PeriodLogger),
    Interval,
}

fn parse_logger(text: &str) -> Result<LoggerArg, String> {
    if text == "interval" {
        return Ok(LoggerArg::Interval);
    }
    text.parse().map(LoggerArg::Logger).map_err(|_| {
        format!(
            "no logger is called {text:?}; the loggers are year, month, day, hour, minute-1, \
             minute-2 and interval"
        )
    })
}

#[derive(Debug, Serialize)]
struct RecordJson {
    record_id: u32,
    registers: Vec<RegisterObject>,
}

#[derive(Debug, Serialize)]
struct RecordsJson {
    logger: String,
    newest_id: Option<u32>,
    requests: u32,
    records: Vec<RecordJson>,
}

#[derive(Debug, Serialize)]
struct ListingJson {
    logger: String,
    depth: Option<u16>,
    registers: Vec<HeldRegister>,
}

/// Runs `history`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if let Some(path) = args.csv.as_ref().filter(|path| path.exists()) {
        return Err(Failure::usage(format!(
            "{} exists; choose another name for the CSV file",
            path.display()
        )));
    }
    let span = match (args.from_id, args.to_id) {
        (Some(from), Some(to)) if from <= to => HistorySpan::Ids { from, to },
        (Some(from), Some(to)) => {
            return Err(Failure::usage(format!(
                "--from-id {from} is newer than --to-id {to}: give the oldest record first"
            )));
        }
        _ if args.last == 0 => return Err(Failure::usage("--last must be at least 1")),
        _ => HistorySpan::Last(args.last),
    };
    let logger = match args.logger {
        LoggerArg::Logger(logger) => Logger::Period(logger),
        LoggerArg::Interval if args.registers.is_none() => {
            return Err(Failure::usage(
                "the interval log cannot be listed (only A0, whose time field the sources \
                 dispute, would tell what it holds): name the registers to read, e.g. \
                 --registers 60,68",
            ));
        }
        LoggerArg::Interval => Logger::Interval(args.log_id),
    };
    let mut link = match LinkRun::open(&args.port, None)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    let job = Job::History(HistoryOptions {
        logger,
        registers: args.registers.clone(),
        span,
        wait: args.wake.wait,
    });
    let mut told = None;
    let report = link.report(job, Report::into_history, |event| {
        progress(event, &mut told);
    })?;
    if !report.answered {
        let why = report
            .failure
            .map(|failure| format!(" ({failure})"))
            .unwrap_or_default();
        return Err(Failure::no_answer(format!(
            "the meter answered none of the logger reads this program may send{why}; its \
             history may need commands no public source documents. {}",
            report.diagnosis.text()
        )));
    }
    if !report.not_held.is_empty() {
        let ids: Vec<String> = report.not_held.iter().map(ToString::to_string).collect();
        status(&format!(
            "warning: the {} logger does not hold register {}",
            report.logger,
            ids.join(", ")
        ));
    }
    let family = family_of(args.port.port());
    let text = match &args.registers {
        None => listing(args, &report, family),
        Some(_) => records(args, &report, family),
    };
    print_result(&text)?;
    if let Some(path) = &args.csv {
        write_csv(path, &report, family, args.dialect.into())?;
    }
    let resume = match report.resume {
        Some(HistorySpan::Ids { from, to }) => {
            format!("; resume with --from-id {from} --to-id {to}")
        }
        Some(HistorySpan::Last(n)) => format!("; resume with --last {n}"),
        None => String::new(),
    };
    if report.interrupted {
        status(&format!(
            "interrupted: printed what was read so far{resume}"
        ));
        return Err(Failure::quiet(Exit::Interrupted));
    }
    if let Some(failure) = report.failure {
        return Err(Failure::no_answer(format!(
            "a logger read got no valid answer ({failure}); printed the {} records read \
             before{resume}",
            report.records.len()
        )));
    }
    Ok(())
}

/// Progress on stderr: before the first page what the read costs at least, after it the
/// reckoning from the page's size, then records read and requests sent.
fn progress(event: &Event, told: &mut Option<Cost>) {
    let Event::Job {
        event: JobEvent::HistoryProgress(progress),
        ..
    } = event
    else {
        return;
    };
    if *told != Some(progress.cost) {
        let more = match progress.cost {
            Cost::AtLeast(_) => " (more where the meter cuts its answers short)",
            Cost::About(_) => "",
        };
        status(&format!(
            "reading {} records takes {}{more}",
            progress.of, progress.cost
        ));
        *told = Some(progress.cost);
    }
    if progress.records > 0 {
        status(&format!(
            "{} of {} records, {} requests",
            progress.records, progress.of, progress.requests
        ));
    }
}

fn name(family: Option<Family>, id: RegisterId) -> Option<&'static str> {
    lookup(family, id).map(|info| info.name)
}

fn listing(args: &Args, report: &HistoryReport, family: Option<Family>) -> String {
    let json = ListingJson {
        logger: report.logger.to_string(),
        depth: report.depth,
        registers: report
            .holds
            .iter()
            .map(|id| HeldRegister::new(*id, family))
            .collect(),
    };
    if args.json {
        return format!("{}\n", serde_json::to_string(&json).unwrap_or_default());
    }
    let mut out = format!(
        "{} logger: {} entries deep, {} registers\n",
        json.logger,
        json.depth.unwrap_or(0),
        json.registers.len()
    );
    for held in &json.registers {
        let _ = writeln!(out, "{:>6}  {}", held.id, held.name.unwrap_or("-"));
    }
    out
}

fn records(args: &Args, report: &HistoryReport, family: Option<Family>) -> String {
    let json = RecordsJson {
        logger: report.logger.to_string(),
        newest_id: report.newest_id,
        requests: report.requests,
        records: report
            .records
            .iter()
            .map(|record| RecordJson {
                record_id: record.id,
                registers: record
                    .registers
                    .iter()
                    .map(|register| RegisterObject::new(register, family))
                    .collect(),
            })
            .collect(),
    };
    if args.json {
        return format!("{}\n", serde_json::to_string(&json).unwrap_or_default());
    }
    let mut out = String::new();
    for record in &report.records {
        let time = meter_time(&record.registers).unwrap_or_else(|| "-".into());
        let values: Vec<String> = record
            .registers
            .iter()
            .filter(|register| !is_stamp(register.id()))
            .map(|register| format!("{} = {}", register.id(), register.display_text()))
            .collect();
        let _ = writeln!(out, "{:>8}  {time:<19}  {}", record.id, values.join(", "));
    }
    if report.records.is_empty() {
        out.push_str("no records (the logger holds none in this span)\n");
    }
    out
}

fn write_csv(
    path: &std::path::Path,
    report: &HistoryReport,
    family: Option<Family>,
    dialect: Dialect,
) -> Result<(), Failure> {
    let columns = history_columns(&report.records, |id| {
        name(family, id).map_or_else(|| format!("register {id}"), str::to_string)
    });
    let file = std::fs::File::create_new(path)
        .map_err(|error| Failure::usage(format!("cannot create {}: {error}", path.display())))?;
    write_history(
        std::io::BufWriter::new(file),
        &report.records,
        &columns,
        dialect,
    )
    .map_err(|error| Failure::port(format!("{}: {error}", path.display())))?;
    status(&format!(
        "wrote {} records to {}",
        report.records.len(),
        path.display()
    ));
    Ok(())
}
