//! `ports`: the ports `--port` can name, simulated meters first.

use std::fmt::Write as _;

use serde::Serialize;

use kmp_workbench::link::listing::{PortKind, list_ports};

use super::output::{Failure, print_result};

/// Arguments of `ports`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct PortJson {
    port: String,
    description: String,
    simulated: bool,
}

#[derive(Debug, Serialize)]
struct PortsJson {
    ports: Vec<PortJson>,
}

/// Runs `ports`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let ports: Vec<PortJson> = list_ports()
        .into_iter()
        .map(|entry| PortJson {
            simulated: matches!(entry.kind, PortKind::Simulated(_)),
            port: entry.name,
            description: entry.description,
        })
        .collect();
    let text = if args.json {
        format!(
            "{}\n",
            serde_json::to_string(&PortsJson { ports }).unwrap_or_default()
        )
    } else {
        let width = ports.iter().map(|p| p.port.len()).max().unwrap_or(0);
        let mut out = String::new();
        for port in &ports {
            let _ = writeln!(out, "{:<width$}  {}", port.port, port.description);
        }
        if !ports.iter().any(|port| !port.simulated) {
            out.push_str("(no serial ports found: is the adapter plugged in?)\n");
        }
        out
    };
    print_result(&text)
}
