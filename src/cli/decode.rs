//! `decode [--json] [--family F] HEX`: one physical frame, as a table or as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use kmp_workbench::kmp::{
    self, DecodeError, Direction, Family, Message, Request, Response, command_name,
};

use super::json::RegisterObject;
use super::output::{Failure, print_result, status};
use kmp_workbench::capture::analyser_text;
use kmp_workbench::hex_text as hex;

mod logger;

/// Arguments of `decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Which meter family's register names to use (default: heat and water).
    #[arg(long, value_enum)]
    family: Option<FamilyArg>,
    /// The frame as hex bytes, from start byte to stop byte; spaces allowed. What an analyser
    /// shows is taken too: 0x3F[?], BREAK (read as 0x00 where that makes the frame check).
    #[arg(required = true, num_args = 1.., value_name = "HEX")]
    hex: Vec<String>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum FamilyArg {
    Water,
    Heat,
    Electricity,
}

impl From<FamilyArg> for Family {
    fn from(arg: FamilyArg) -> Self {
        match arg {
            FamilyArg::Water => Family::Water,
            FamilyArg::Heat => Family::Heat,
            FamilyArg::Electricity => Family::Electricity,
        }
    }
}

/// The JSON shape of a decoded frame; fields a message does not have are left out.
#[derive(Debug, Default, Serialize)]
struct Decoded {
    direction: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ack: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cid: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested: Option<Vec<u16>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    depth: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    newest_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info_flags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registers: Option<Registers>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "records")]
    records_asked: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_len: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<Vec<logger::Record>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meter_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

/// The `registers` field: values in an answer, IDs in a request, or what a logger holds.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Registers {
    Values(Vec<RegisterObject>),
    Ids(Vec<u16>),
    Held(Vec<super::json::HeldRegister>),
}

/// Runs `decode`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let bytes = frame_of(&args.hex.join(" "))?;
    let message = kmp::decode(&bytes)
        .map_err(|error| Failure::invalid_input(format!("{error}; {}", fix_for(error))))?;
    let decoded = to_json_shape(&message, args.family.map(Family::from));
    let text = if args.json {
        let mut json = serde_json::to_string(&decoded).map_err(|error| {
            Failure::invalid_input(format!("cannot format the result as JSON: {error}"))
        })?;
        json.push('\n');
        json
    } else {
        table(&decoded)
    };
    print_result(&text)
}

/// The frame's bytes: hex, or what an analyser shows, its breaks read as 0x00 where that makes
/// the frame check (and said so).
fn frame_of(text: &str) -> Result<Vec<u8>, Failure> {
    let hex_error = match hex::parse(text) {
        Ok(bytes) => return Ok(bytes),
        Err(error) => error,
    };
    let lower = text.to_ascii_lowercase();
    match analyser_text::frame_bytes(text) {
        Ok((bytes, zeros)) => {
            if zeros > 0 {
                status(&format!(
                    "read {zeros} BREAK as 0x00, which makes the frame check: the analyser's \
                     framing differs from the line's (0x00 at 8N1 is nine low bit times); set it \
                     to the line's, e.g. 1200 baud 8N2 for KMP"
                ));
            }
            Ok(bytes)
        }
        Err(error) if lower.contains("break") || lower.contains('[') => {
            Err(Failure::invalid_input(error))
        }
        Err(_) => Err(Failure::invalid_input(hex_error)),
    }
}

/// What a person can do about a frame that does not decode.
fn fix_for(error: DecodeError) -> &'static str {
    match error {
        DecodeError::BadStart { .. } => {
            "a frame starts with 80 (to the meter) or 40 (from the meter); copy it from there"
        }
        DecodeError::UnescapedReserved { .. } | DecodeError::InvalidEscape { .. } => {
            "inside a frame the bytes 06 0D 1B 40 80 travel as 1B and the byte XOR FF (80 as 1B 7F); \
             was the frame written down before stuffing?"
        }
        DecodeError::RegisterCount { .. }
        | DecodeError::DataLength { .. }
        | DecodeError::TruncatedRegister { .. } => {
            "the checksum is right but the content does not fit the command; please report the frame"
        }
        DecodeError::Empty
        | DecodeError::MissingStop { .. }
        | DecodeError::TooLong { .. }
        | DecodeError::TruncatedEscape { .. }
        | DecodeError::TooShort { .. }
        | DecodeError::CrcMismatch { .. } => {
            "check that the whole frame was copied, from its start byte (80 or 40) to its stop byte (0D)"
        }
    }
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::ToMeter => "request",
        Direction::FromMeter => "response",
    }
}

fn to_json_shape(message: &Message, family: Option<Family>) -> Decoded {
    match message {
        Message::Ack => Decoded {
            direction: "response",
            ack: Some(true),
            ..Decoded::default()
        },
        Message::Request {
            destination,
            request,
        } => Decoded {
            direction: "request",
            destination: Some(*destination),
            cid: Some(request.cid().code()),
            requested: match request {
                Request::GetRegister(list) => {
                    Some(list.as_slice().iter().map(|id| id.value()).collect())
                }
                Request::GetType | Request::GetSerialNo => None,
            },
            ..Decoded::default()
        },
        Message::Response {
            destination,
            response,
        } => {
            let mut decoded = Decoded {
                direction: "response",
                destination: Some(*destination),
                cid: Some(response.cid().code()),
                ..Decoded::default()
            };
            match response {
                Response::Registers(registers) => {
                    decoded.registers = Some(Registers::Values(
                        registers
                            .iter()
                            .map(|r| RegisterObject::new(r, family))
                            .collect(),
                    ));
                }
                Response::SerialNo(serial) => decoded.serial = Some(serial.to_string()),
                Response::Type(meter_type) => {
                    decoded.meter_type = Some(format!("0x{:04X}", meter_type.meter_type));
                    decoded.revision = Some(meter_type.revision_text());
                }
            }
            decoded
        }
        Message::LoggerRequest {
            destination,
            request,
        } => logger::request(*destination, request),
        Message::LoggerResponse {
            destination,
            response,
        } => logger::response(*destination, response, family),
        Message::Other(frame) => Decoded {
            direction: direction_name(frame.direction),
            destination: Some(frame.destination),
            cid: Some(frame.cid),
            data: Some(kmp::to_hex(&frame.data)),
            ..Decoded::default()
        },
    }
}

/// The readable form: a few `key  value` lines, then the registers as a table.
fn table(decoded: &Decoded) -> String {
    let mut lines: Vec<(&str, String)> = vec![("direction", decoded.direction.to_string())];
    if decoded.ack.is_some() {
        lines.push(("command", "ACK (0x06)".into()));
    }
    if let Some(destination) = decoded.destination {
        lines.push((
            "destination",
            format!("0x{destination:02X} ({destination})"),
        ));
    }
    if let Some(cid) = decoded.cid {
        let name = command_name(cid).unwrap_or("unknown command");
        lines.push(("command", format!("{name} (0x{cid:02X})")));
    }
    if let Some(requested) = &decoded.requested {
        let ids: Vec<String> = requested.iter().map(u16::to_string).collect();
        lines.push(("requested", ids.join(", ")));
    }
    if let Some(serial) = &decoded.serial {
        lines.push(("serial", serial.clone()));
    }
    if let Some(meter_type) = &decoded.meter_type {
        lines.push(("meter type", meter_type.clone()));
    }
    if let Some(revision) = &decoded.revision {
        lines.push((
            "revision",
            revision
                .clone()
                .unwrap_or_else(|| "not given (see register 1005)".into()),
        ));
    }
    if let Some(data) = &decoded.data {
        lines.push((
            "data",
            if data.is_empty() {
                "(none)".into()
            } else {
                data.clone()
            },
        ));
    }
    logger::lines(decoded, &mut lines);
    match &decoded.registers {
        Some(Registers::Values(registers)) => {
            lines.push(("registers", registers.len().to_string()));
        }
        Some(Registers::Ids(ids)) => {
            let ids: Vec<String> = ids.iter().map(u16::to_string).collect();
            lines.push(("registers", ids.join(", ")));
        }
        Some(Registers::Held(held)) => lines.push(("registers", held.len().to_string())),
        None => {}
    }
    let mut out = String::new();
    for (key, value) in lines {
        let _ = writeln!(out, "{key:<12} {value}");
    }
    match &decoded.registers {
        Some(Registers::Values(registers)) if !registers.is_empty() => {
            out.push('\n');
            out.push_str(&register_table(registers));
        }
        Some(Registers::Held(held)) => out.push_str(&logger::held_table(held)),
        _ => {}
    }
    for record in decoded.records.iter().flatten() {
        let _ = write!(out, "\nrecord {}\n", record.record_id);
        out.push_str(&register_table(&record.registers));
    }
    out
}

fn register_table(registers: &[RegisterObject]) -> String {
    let header = ["id", "id_hex", "name", "unit", "value", "display", "raw"];
    let rows: Vec<[String; 7]> = registers
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.id_hex.clone(),
                r.name.unwrap_or("-").to_string(),
                if r.unit.is_empty() {
                    "-".into()
                } else {
                    r.unit.to_string()
                },
                r.value.clone().unwrap_or_else(|| "-".into()),
                r.display.clone(),
                r.raw.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header.map(String::from)).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
