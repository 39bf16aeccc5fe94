//! `probe`: the link check. Echo test, wake-up, identification, diagnosis.

use std::fmt::Write as _;

use serde::Serialize;

use kmp_workbench::duration;
use kmp_workbench::link::diagnosis::{Diagnosis, DiagnosisCode, Evidence, timeless};
use kmp_workbench::link::port::is_raw_socket;
use kmp_workbench::link::{Job, LinkError, ProbeOptions, ProbeReport, Report};
use kmp_workbench::protocol::Protocol;

use super::Exit;
use super::args::{ProtocolChoice, WakeWait, parse_protocol};
use super::link_run::LinkRun;
use super::output::{Failure, print_result, status};
use super::port_args::PortArgs;

/// Arguments of `probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    port: PortArgs,
    #[command(flatten)]
    wake: WakeWait,
    /// Also try 2400 and 9600 baud and 1 stop bit, and say which settings the meter answers.
    #[arg(long)]
    sweep: bool,
    /// The protocol to ask in: auto (KMP, then IEC 62056-21 and /#1, asked at 300 7E2 and heard
    /// at 7E1, when KMP gets no answer), kmp, iec62056-21 or kamstrup-66c.
    #[arg(long, default_value = "auto", value_parser = parse_protocol)]
    protocol: ProtocolChoice,
    /// When KMP gets no answer at --address, ask every address 0–255 (about half a second each),
    /// not only those meters and logger modules use (0x3F, 0x7F, 0xBF).
    #[arg(long)]
    address_sweep: bool,
    /// The magnet is on the meter: a meter that still does not answer points to the head's
    /// receiver.
    #[arg(long)]
    magnet_placed: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct SweepJson {
    line: String,
    answered: bool,
}

/// The JSON shape of the command-line contract.
#[derive(Debug, Serialize)]
struct ProbeJson {
    port: String,
    protocol: Option<&'static str>,
    identification: Option<String>,
    echo: bool,
    echo_clean: bool,
    answered: bool,
    seconds_to_first_answer: Option<f64>,
    /// From the port's opening to the answer that settled the diagnosis.
    seconds_to_diagnosis: Option<f64>,
    /// A network port's round trip as it opened; absent for a local port.
    #[serde(skip_serializing_if = "Option::is_none")]
    round_trip_s: Option<f64>,
    /// The address the meter answered KMP at, `0x3F`.
    address: Option<String>,
    serial: Option<String>,
    meter_type: Option<String>,
    line: String,
    /// The settings the protocol that answered was asked at.
    asked_at: Option<String>,
    /// Whether the meter sent without being asked.
    push: bool,
    /// The seconds between two of its telegrams, when it pushes and two came.
    push_interval_s: Option<f64>,
    diagnosis_code: &'static str,
    diagnosis: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sweep: Option<Vec<SweepJson>>,
}

/// Why a sweep and the search for other protocols say little over a raw socket.
const RAW_SOCKET_NOTE: &str = "over a raw socket the line settings are the bridge's own: the \
     other protocols' 300 baud sign-on cannot change them, and there is no sweep to make \
     (rfc2217:// can change them)";

/// Runs `probe`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let link = LinkRun::open(&args.port, None)?;
    let (json, exit) = match link {
        Err(error) => (port_error_json(args, error.clone()), Exit::PortFailed),
        Ok(mut link) => {
            if args.magnet_placed {
                link.magnet_placed();
            }
            let options = ProbeOptions {
                wait: args.wake.wait,
                sweep: args.sweep,
                address_sweep: args.address_sweep,
                protocol: args.protocol.0,
            };
            status(&format!(
                "probing {} (waiting up to {} for an answer)",
                args.port.port(),
                duration::format(args.wake.wait)
            ));
            if is_raw_socket(args.port.port()) {
                status(RAW_SOCKET_NOTE);
            }
            if args.address_sweep {
                status(&format!(
                    "if the meter is silent at 0x{:02X}, every other address is asked: up to {}",
                    args.port.config().address,
                    duration::format(ProbeOptions::address_sweep_time(&args.port.config()))
                ));
            }
            match link.run(Job::Probe(options), Report::into_probe, |_| {})? {
                Ok(report) => {
                    let exit = if report.interrupted {
                        Exit::Interrupted
                    } else if report.answered {
                        Exit::Done
                    } else {
                        Exit::NoAnswer
                    };
                    (report_json(&report, args.sweep), exit)
                }
                Err(error) => (port_error_json(args, error), Exit::PortFailed),
            }
        }
    };
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&json).unwrap_or_default())
    } else {
        table(&json)
    };
    print_result(&text)?;
    status(&format!(
        "diagnosis ({}): {}",
        json.diagnosis_code, json.diagnosis
    ));
    match exit {
        Exit::Done => Ok(()),
        exit => Err(Failure::quiet(exit)),
    }
}

fn port_error_json(args: &Args, error: LinkError) -> ProbeJson {
    let evidence = Evidence {
        port_error: Some(error),
        ..Evidence::default()
    };
    let diagnosis: Diagnosis = timeless(&evidence);
    ProbeJson {
        port: args.port.port().to_string(),
        protocol: None,
        identification: None,
        echo: false,
        echo_clean: false,
        answered: false,
        seconds_to_first_answer: None,
        seconds_to_diagnosis: None,
        round_trip_s: None,
        address: None,
        serial: None,
        meter_type: None,
        line: args.port.config().line.to_string(),
        asked_at: None,
        push: false,
        push_interval_s: None,
        diagnosis_code: DiagnosisCode::PortError.as_str(),
        diagnosis: diagnosis.text(),
        sweep: None,
    }
}

fn report_json(report: &ProbeReport, with_sweep: bool) -> ProbeJson {
    ProbeJson {
        port: report.port.clone(),
        protocol: report.protocol.map(Protocol::name),
        identification: report.identification.clone(),
        echo: report.echo,
        echo_clean: report.echo_clean,
        answered: report.answered,
        seconds_to_first_answer: report
            .seconds_to_first_answer
            .map(|s| (s * 100.0).round() / 100.0),
        seconds_to_diagnosis: report
            .seconds_to_diagnosis
            .map(|s| (s * 100.0).round() / 100.0),
        // To a tenth of a millisecond: finer is the machine's noise, not the network's.
        round_trip_s: report
            .round_trip
            .map(|rtt| (rtt.as_secs_f64() * 1e4).round() / 1e4),
        address: report.address.map(|address| format!("0x{address:02X}")),
        serial: report.serial.map(|serial| serial.to_string()),
        meter_type: report.meter_type.map(|t| format!("0x{:04X}", t.meter_type)),
        line: report.line.to_string(),
        asked_at: report.asked_at.map(|line| line.to_string()),
        push: report.push,
        push_interval_s: report
            .push_interval
            .map(|interval| (interval.as_secs_f64() * 100.0).round() / 100.0),
        diagnosis_code: report.diagnosis.code.as_str(),
        diagnosis: report.diagnosis.text(),
        sweep: with_sweep.then(|| {
            report
                .sweep
                .iter()
                .map(|result| SweepJson {
                    line: result.line.to_string(),
                    answered: result.answered,
                })
                .collect()
        }),
    }
}

fn table(json: &ProbeJson) -> String {
    let yes_no = |value: bool| if value { "yes" } else { "no" };
    let mut out = String::new();
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "{key:<16} {value}");
    };
    line("port", json.port.clone());
    line("protocol", json.protocol.unwrap_or("-").into());
    if let Some(identification) = &json.identification {
        line("identification", format!("/{identification}"));
    }
    line("line", json.line.clone());
    line(
        "echo",
        format!(
            "{}{}",
            yes_no(json.echo),
            if json.echo && !json.echo_clean {
                " (garbled)"
            } else {
                ""
            }
        ),
    );
    line("answered", yes_no(json.answered).into());
    if let Some(seconds) = json.seconds_to_first_answer {
        line(
            "first answer",
            format!("{seconds:.1} s after the first request"),
        );
    }
    if let Some(seconds) = json.round_trip_s {
        line(
            "round trip",
            format!("{:.1} ms across the network", seconds * 1e3),
        );
    }
    line(
        "address",
        json.address.clone().unwrap_or_else(|| "-".into()),
    );
    line("serial", json.serial.clone().unwrap_or_else(|| "-".into()));
    line(
        "meter type",
        json.meter_type.clone().unwrap_or_else(|| "-".into()),
    );
    line("diagnosis", json.diagnosis_code.into());
    for result in json.sweep.iter().flatten() {
        line(
            "sweep",
            format!(
                "{}: {}",
                result.line,
                if result.answered {
                    "answers"
                } else {
                    "no answer"
                }
            ),
        );
    }
    out
}
