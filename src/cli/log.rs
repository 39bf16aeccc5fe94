//! `log`: records readings to CSV, one row per poll, each written, flushed and synced at once,
//! so a kill or an unplugged adapter loses at most the poll in flight.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use kmp_workbench::duration;
use kmp_workbench::export::{Dialect, LogColumn, LogWriter};
use kmp_workbench::kmp::Number;
use kmp_workbench::line::LineSettings;
use kmp_workbench::link::diagnosis::DiagnosisCode;
use kmp_workbench::link::{
    Event, Job, JobEvent, JobId, PollPlan, ProbeOptions, ReadReport, ReadoutOptions, ReadoutPlan,
    ReadoutReport, Report,
};
use kmp_workbench::model::{RegisterKey, RegisterMap};
use kmp_workbench::mqtt::PolledValue;
use kmp_workbench::protocol::{Protocol, Spoken};
use kmp_workbench::session::{Manifest, Recorder, RecorderReport, Session};

use super::Exit;
use super::args::{DialectArg, ProtocolChoice, parse_duration, parse_protocol};
use super::json::family_of;
use super::link_run::LinkRun;
use super::log_mqtt::{MqttArgs, MqttSink};
use super::output::{Failure, status};
use super::port_args::PortArgs;

/// Polling more often than this may make a battery meter throttle or sleep; a flowIQ 2200 read
/// every 5 min around the clock was reported not to (docs/protocols.md §2).
const SAFE_INTERVAL: Duration = Duration::from_secs(300);

/// How long `log --mqtt` waits for the meter to say who it is before naming it by its port.
const IDENTIFY_WAIT: Duration = Duration::from_secs(10);

/// Arguments of `log`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    /// Registers to record, comma-separated: KMP register IDs (decimal or 0x hex), OBIS codes
    /// (1.8.0) or /#1 fields (energy, t1, …).
    #[arg(long, value_delimiter = ',', required = true)]
    registers: Vec<RegisterKey>,
    /// The protocol to read in: auto (what the registers name), kmp, iec62056-21 or
    /// kamstrup-66c.
    #[arg(long, default_value = "auto", value_parser = parse_protocol)]
    protocol: ProtocolChoice,
    /// Time from one poll to the next.
    #[arg(long, value_parser = parse_duration)]
    interval: Duration,
    /// The CSV file to write (optional when publishing with --mqtt).
    #[arg(long, required_unless_present = "mqtt")]
    csv: Option<PathBuf>,
    /// Stop after this long.
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// rfc4180: comma and decimal point; excel-eu: semicolon, decimal comma and BOM.
    #[arg(long, value_enum, default_value = "rfc4180")]
    dialect: DialectArg,
    /// Add to an existing file with the same header instead of refusing.
    #[arg(long)]
    append: bool,
    /// Also record a session in this folder (new or empty): the readings and traffic journals
    /// that the app opens (Session screen).
    #[arg(long, value_name = "DIR")]
    session: Option<PathBuf>,
    #[command(flatten)]
    mqtt: MqttArgs,
}

/// The file being written, once the first answer told the units.
struct Recording {
    writer: LogWriter<File>,
    keys: Vec<RegisterKey>,
}

/// One poll, whatever its protocol: when, each value read with its unit, and what the meter
/// was found speaking.
struct Row {
    at: Timestamp,
    values: Vec<(RegisterKey, Option<String>, String)>,
    spoken: Option<Spoken>,
}

impl Row {
    /// A KMP poll, asked and answered at `line`.
    fn of_registers(report: &ReadReport, line: LineSettings) -> Self {
        Self {
            at: report.at,
            spoken: Some(Spoken::new(Protocol::Kmp, None, (line, line), false)),
            values: report
                .registers
                .iter()
                .map(|r| (r.id().into(), r.value_text(), r.unit().symbol().to_string()))
                .collect(),
        }
    }

    fn of_readout(report: &ReadoutReport) -> Self {
        Self {
            at: report.at,
            spoken: report.protocol.zip(report.line).map(|(protocol, line)| {
                Spoken::new(
                    protocol,
                    report.identification.clone(),
                    (report.asked_at.unwrap_or(line), line),
                    report.push,
                )
            }),
            values: report
                .readings
                .iter()
                .map(|r| (r.key, Some(r.value()), r.unit.clone()))
                .collect(),
        }
    }
}

/// Runs `log`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let protocol = protocol_of(args)?;
    if let Some(csv) = args.csv.as_ref().filter(|csv| csv.exists() && !args.append) {
        return Err(Failure::usage(format!(
            "{} exists; pass --append to add to it (its header must match), or choose another name",
            csv.display()
        )));
    }
    // Electricity meters that push do not tire.
    if args.interval < SAFE_INTERVAL && protocol != Protocol::Sml {
        status(&format!(
            "warning: polling every {} may make a battery meter (MULTICAL 21, flowIQ) throttle or fall asleep; \
             {} is known to be safe",
            duration::format(args.interval),
            duration::format(SAFE_INTERVAL)
        ));
    }
    // Declared before the link, so the link (and its tap) is gone before the recorder writes
    // what is left in its queue and ends.
    let (recorder, mut manifest) = match args.session.as_deref() {
        Some(dir) => {
            let (recorder, manifest) = start_session(args, dir)?;
            (Some(recorder), Some(manifest))
        }
        None => (None, None),
    };
    let tap = recorder.as_ref().map(Recorder::tap);
    let mut link = match LinkRun::open(&args.port, tap)? {
        Ok(link) => link,
        Err(error) => return Err(Failure::link(&error)),
    };
    let mut mqtt = match &args.mqtt.mqtt {
        Some(url) => {
            // Who the meter is names its topics and its device in Home Assistant.
            status(&format!("asking {} who the meter is", args.port.port()));
            let probe = ProbeOptions {
                wait: IDENTIFY_WAIT,
                sweep: false,
                address_sweep: false,
                protocol: Some(protocol),
            };
            let report = link.report(Job::Probe(probe), Report::into_probe, |_| {})?;
            Some(MqttSink::start(&args.mqtt, url, &report)?)
        }
        None => None,
    };
    match protocol {
        Protocol::Kmp => link.start(Job::Poll(PollPlan {
            ids: args.registers.iter().filter_map(|key| key.kmp()).collect(),
            interval: args.interval,
        })),
        text => link.start(Job::ReadoutPoll(ReadoutPlan {
            options: ReadoutOptions {
                protocol: Some(text),
                wait: Duration::ZERO,
            },
            interval: args.interval,
        })),
    };
    status(&format!(
        "logging registers {} every {} to {}",
        join(&args.registers),
        duration::format(args.interval),
        destination(args)
    ));

    let started = Instant::now();
    let started_at = Timestamp::now();
    let mut recording: Option<Recording> = None;
    let mut rows = 0u64;
    let mut silent_polls = 0u64;
    let mut last_code = None;
    loop {
        if args
            .duration
            .is_some_and(|limit| started.elapsed() >= limit)
            || link.interrupted()
        {
            break;
        }
        if let Some(sink) = &mut mqtt {
            sink.check()?;
        }
        if let Some(RecorderReport::Failed(error)) =
            recorder.as_ref().and_then(Recorder::try_report)
        {
            return Err(Failure::usage(format!(
                "cannot record the session: {error}"
            )));
        }
        let Some(event) = link.next_event(Duration::from_millis(50))? else {
            continue;
        };
        let row = match event {
            Event::Job {
                event: JobEvent::Polled(report),
                ..
            } => Row::of_registers(&report, args.port.config().line),
            Event::Job {
                event: JobEvent::ReadoutPolled(report),
                ..
            } => {
                // A pushing meter sets the pace: a round waits for its next telegram.
                if report.took > args.interval && !report.push {
                    return Err(slow_readout(args, &report));
                }
                Row::of_readout(&report)
            }
            event => {
                watch(&event, &mut last_code, rows);
                continue;
            }
        };
        if row.values.is_empty() {
            silent_polls += 1;
            continue;
        }
        // The first answer proves the protocol and line: the session keeps them for the
        // reader they are handed over to (`config --session`).
        if let (Some(recorder), Some(manifest)) = (&recorder, &mut manifest)
            && manifest.spoken.is_none()
            && row.spoken.is_some()
        {
            manifest.spoken.clone_from(&row.spoken);
            recorder.set_manifest(manifest);
        }
        if let Some(csv) = &args.csv {
            let recording = match &mut recording {
                Some(recording) => recording,
                None => recording.insert(start_recording(args, csv, &row)?),
            };
            write_row(recording, &row, started_at)?;
        }
        // Journaled first, then published.
        if let Some(sink) = &mut mqtt {
            sink.publish(row.at, &polled_values(args, &row));
        }
        rows += 1;
    }
    link.cancel();
    status(&format!(
        "logged {rows} rows in {} ({silent_polls} polls without an answer, {} requests) to {}",
        duration::format(Duration::from_secs(started.elapsed().as_secs())),
        link.requests(),
        destination(args)
    ));
    if let Some(sink) = mqtt {
        sink.finish();
    }
    if link.interrupted() {
        Err(Failure::quiet(Exit::Interrupted))
    } else {
        Ok(())
    }
}

/// The protocol to log in: the one asked for, else the one the registers name.
fn protocol_of(args: &Args) -> Result<Protocol, Failure> {
    let named = args.registers[0].protocol();
    if args.registers.iter().any(|key| key.protocol() != named) {
        return Err(Failure::usage(
            "the registers mix protocols: KMP register IDs, OBIS codes and /#1 fields cannot be logged together",
        ));
    }
    match args.protocol.0 {
        Some(asked) if !args.registers[0].read_in(asked) => Err(Failure::usage(format!(
            "{} names no {} register",
            args.registers[0],
            asked.label()
        ))),
        // OBIS codes of a meter that pushes SML: --protocol sml.
        Some(asked) => Ok(asked),
        None => Ok(named),
    }
}

/// A readout that takes longer than the interval: the interval cannot be kept.
fn slow_readout(args: &Args, report: &ReadoutReport) -> Failure {
    let at = match (report.protocol, report.line) {
        (Some(protocol), Some(line)) => format!(" ({protocol} at {line})"),
        _ => String::new(),
    };
    Failure::usage(format!(
        "a readout of this meter takes {}{at}, longer than the interval of {}: choose an \
         --interval of at least {}",
        duration::format(report.took),
        duration::format(args.interval),
        duration::format(Duration::from_secs(report.took.as_secs() + 1))
    ))
}

/// Says what the link does while logging.
fn watch(event: &Event, last_code: &mut Option<DiagnosisCode>, rows: u64) {
    match event {
        Event::Job {
            event: JobEvent::Diagnosed(diagnosis),
            ..
        } if Some(diagnosis.code) != *last_code => {
            *last_code = Some(diagnosis.code);
            match diagnosis.code {
                DiagnosisCode::Throttled => status(&format!(
                    "the meter stopped answering after answering before (throttled): {} Asking again more slowly.",
                    diagnosis.finding
                )),
                DiagnosisCode::Ok => status("the meter answers"),
                _ => status(&format!("{} {}", diagnosis.finding, diagnosis.advice)),
            }
        }
        Event::Lost(error) => {
            *last_code = None;
            status(&format!(
                "lost the port: {error}; the file is intact, {rows} rows so far; reconnecting"
            ));
        }
        Event::Opened { port, .. } => status(&format!("{port} is back; logging goes on")),
        _ => {}
    }
}

/// Starts recording the session `--session` asks for; its manifest as written.
fn start_session(args: &Args, dir: &Path) -> Result<(Recorder, Manifest), Failure> {
    let config = args.port.config();
    let manifest = Manifest {
        started: Some(Timestamp::now()),
        port: config.port.clone(),
        line: config.line,
        address: config.address,
        echo: config.echo,
        polled: args.registers.iter().filter_map(|key| key.kmp()).collect(),
        interval_s: Some(args.interval.as_secs_f64()),
        ..Manifest::default()
    };
    let mut map = RegisterMap::default();
    map.family = family_of(args.port.port());
    let session = Session::create(dir, manifest.clone(), &map)
        .map_err(|error| Failure::usage(format!("cannot start the session: {error}")))?;
    let recorder = Recorder::spawn(Box::new(|| {}))
        .map_err(|error| Failure::usage(format!("cannot start the recorder: {error}")))?;
    recorder.begin(session, JobId::new(0));
    Ok((recorder, manifest))
}

/// Where the rows go: `rows.csv`, `mqtt://broker:1883/kmp-workbench`, or both.
fn destination(args: &Args) -> String {
    let csv = args.csv.as_ref().map(|csv| csv.display().to_string());
    let broker = args.mqtt.mqtt.as_ref().map(ToString::to_string);
    match (csv, broker) {
        (Some(csv), Some(broker)) => format!("{csv} and {broker}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => String::new(),
    }
}

/// A row's values as published: each register logged, named, its exact text.
fn polled_values(args: &Args, row: &Row) -> Vec<PolledValue> {
    let mut map = RegisterMap::default();
    map.family = family_of(args.port.port());
    args.registers
        .iter()
        .filter_map(|&key| {
            let (_, value, unit) = row.values.iter().find(|(of, _, _)| of.answers(key))?;
            let text = value.clone()?;
            Some(PolledValue {
                key,
                name: map.key_name(key),
                number: text.parse::<Number>().is_ok(),
                text,
                unit: unit.clone(),
            })
        })
        .collect()
}

fn join(ids: &[RegisterKey]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Opens the file once the first answer gave the units: a new file gets the header, an existing
/// one must already have it.
fn start_recording(args: &Args, csv: &Path, first: &Row) -> Result<Recording, Failure> {
    let mut map = RegisterMap::default();
    map.family = family_of(args.port.port());
    let columns: Vec<LogColumn> = args
        .registers
        .iter()
        .map(|key| LogColumn {
            id: key.to_string(),
            name: map.key_name(*key),
            unit: first
                .values
                .iter()
                .find(|(of, _, _)| of.answers(*key))
                .map(|(_, _, unit)| unit.clone())
                .unwrap_or_default(),
        })
        .collect();
    let dialect = Dialect::from(args.dialect);
    let zone = TimeZone::system();
    let file_error =
        |error: std::io::Error| Failure::usage(format!("cannot write {}: {error}", csv.display()));
    let writer = if csv.exists() {
        let header = first_line(csv).map_err(file_error)?;
        let file = OpenOptions::new()
            .append(true)
            .open(csv)
            .map_err(file_error)?;
        LogWriter::append(file, &header, &columns, dialect, zone).map_err(|error| {
            Failure::usage(format!("will not append to {}: {error}", csv.display()))
        })?
    } else {
        let file = File::create_new(csv).map_err(file_error)?;
        LogWriter::create(file, &columns, dialect, zone)
            .map_err(|error| Failure::usage(error.to_string()))?
    };
    Ok(Recording {
        writer,
        keys: args.registers.clone(),
    })
}

fn first_line(path: &Path) -> std::io::Result<String> {
    let mut line = String::new();
    BufReader::new(File::open(path)?).read_line(&mut line)?;
    Ok(line)
}

fn write_row(recording: &mut Recording, row: &Row, started_at: Timestamp) -> Result<(), Failure> {
    let values: Vec<Option<String>> = recording
        .keys
        .iter()
        .map(|key| {
            row.values
                .iter()
                .find(|(of, _, _)| of.answers(*key))
                .and_then(|(_, value, _)| value.clone())
        })
        .collect();
    let elapsed = row.at.duration_since(started_at).as_secs_f64().max(0.0);
    let write_error = |error: &dyn std::fmt::Display| {
        Failure::usage(format!("cannot write the CSV file: {error}"))
    };
    recording
        .writer
        .row(row.at, elapsed, &values)
        .map_err(|error| write_error(&error))?;
    // On disk before the next poll: a power cut, too, loses at most the poll in flight.
    recording
        .writer
        .get_mut()
        .sync_data()
        .map_err(|error| write_error(&error))
}
