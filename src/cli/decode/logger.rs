//! `decode` of logger frames: the fields a request asks for, an answer's records with their
//! register objects (PRODUCT.md). The `A0`/`A3` time field stays raw hex, never a date, since
//! the sources dispute its byte order.

use serde::Serialize;

use kmp_workbench::kmp::logger::{CID_LOGGER, LoggerRequest, LoggerResponse, NEWEST_OFFSET};
use kmp_workbench::kmp::{Family, Register, RegisterId, to_hex};

use super::{Decoded, Registers};
use crate::cli::json::{HeldRegister, RegisterObject};

/// One record of a logger answer.
#[derive(Debug, Serialize)]
pub struct Record {
    pub record_id: u32,
    pub registers: Vec<RegisterObject>,
}

/// The table's lines for a logger message's fields.
pub fn lines(decoded: &Decoded, lines: &mut Vec<(&'static str, String)>) {
    let mut push = |key, value: Option<String>| {
        if let Some(value) = value {
            lines.push((key, value));
        }
    };
    push("logger", decoded.logger.clone());
    push("log", decoded.log.map(|log| log.to_string()));
    push("log id", decoded.log_id.map(|id| id.to_string()));
    push(
        "offset",
        decoded.offset.map(|offset| match (offset, decoded.cid) {
            (NEWEST_OFFSET, Some(CID_LOGGER)) => "0xFFFF (the newest)".into(),
            _ => offset.to_string(),
        }),
    );
    push("count", decoded.count.map(|count| count.to_string()));
    push("records", decoded.records_asked.map(|n| n.to_string()));
    push("max length", decoded.max_len.map(|n| format!("{n} bytes")));
    push("from id", decoded.from_id.map(|id| id.to_string()));
    push(
        "time field",
        decoded
            .time
            .as_ref()
            .map(|time| format!("{time} (byte order disputed: not read as a date)")),
    );
    push("depth", decoded.depth.map(|depth| depth.to_string()));
    push("newest id", decoded.newest_id.map(|id| id.to_string()));
    push(
        "info",
        decoded.info.as_ref().map(|info| {
            match decoded
                .info_flags
                .as_deref()
                .filter(|flags| !flags.is_empty())
            {
                Some(flags) => format!("{info} ({})", flags.join(", ")),
                None => info.clone(),
            }
        }),
    );
}

/// The registers a logger holds: ID and name.
pub fn held_table(held: &[HeldRegister]) -> String {
    let mut out = String::from("\nid     name\n");
    for register in held {
        out.push_str(&format!(
            "{:<6} {}\n",
            register.id,
            register.name.unwrap_or("-")
        ));
    }
    out
}

pub fn request(destination: u8, request: &LoggerRequest) -> Decoded {
    let mut decoded = Decoded {
        direction: "request",
        destination: Some(destination),
        cid: Some(request.cid()),
        ..Decoded::default()
    };
    match request {
        LoggerRequest::Configuration { logger } => decoded.logger = Some(logger.name()),
        LoggerRequest::PastById {
            logger,
            log_id,
            count,
            registers,
        } => {
            decoded.logger = Some(logger.name());
            decoded.log_id = Some(*log_id);
            decoded.count = Some(*count);
            decoded.registers = Some(Registers::Ids(ids(registers)));
        }
        LoggerRequest::LastEntryPast {
            logger,
            offset,
            count,
            registers,
        } => {
            decoded.logger = Some(logger.name());
            decoded.offset = Some(*offset);
            decoded.count = Some(*count);
            decoded.registers = Some(Registers::Ids(ids(registers)));
        }
        LoggerRequest::TimePresent { query, time }
        | LoggerRequest::TimePast { query, time, .. } => {
            decoded.log = Some(query.log);
            decoded.registers = Some(Registers::Ids(ids(query.registers.as_slice())));
            decoded.records_asked = Some(query.records);
            decoded.max_len = Some(query.max_len);
            decoded.time = Some(to_hex(time));
            if let LoggerRequest::TimePast { offset, .. } = request {
                decoded.offset = Some(*offset);
            }
        }
        LoggerRequest::LastPresent(query) | LoggerRequest::IdPresent { query, .. } => {
            decoded.log = Some(query.log);
            decoded.registers = Some(Registers::Ids(ids(query.registers.as_slice())));
            decoded.records_asked = Some(query.records);
            decoded.max_len = Some(query.max_len);
            if let LoggerRequest::IdPresent { from_id, .. } = request {
                decoded.from_id = Some(*from_id);
            }
        }
        LoggerRequest::EventStatus => {}
        LoggerRequest::ClearEventStatus(masks) => decoded.data = Some(to_hex(masks)),
    }
    decoded
}

pub fn response(destination: u8, response: &LoggerResponse, family: Option<Family>) -> Decoded {
    let mut decoded = Decoded {
        direction: "response",
        destination: Some(destination),
        cid: Some(response.cid()),
        ..Decoded::default()
    };
    let records = |records: &mut dyn Iterator<Item = (u32, &[Register])>| {
        records
            .map(|(record_id, row)| Record {
                record_id,
                registers: row
                    .iter()
                    .map(|register| RegisterObject::new(register, family))
                    .collect(),
            })
            .collect()
    };
    match response {
        LoggerResponse::Configuration(config) => {
            decoded.logger = Some(config.logger.name());
            decoded.depth = Some(config.depth);
            decoded.registers = Some(Registers::Held(
                config
                    .registers
                    .iter()
                    .map(|id| HeldRegister::new(*id, family))
                    .collect(),
            ));
        }
        LoggerResponse::Readout(readout) => {
            decoded.logger = Some(readout.logger.name());
            decoded.newest_id = Some(readout.newest_id);
            decoded.info = Some(format!("{:04X}", readout.info.0));
            decoded.info_flags = Some(readout.info.names());
            decoded.records = Some(records(&mut readout.records()));
        }
        LoggerResponse::Interval(readout) => {
            decoded.logger = Some(format!("log {}", readout.log));
            decoded.newest_id = Some(u32::from(readout.newest_id));
            decoded.info = Some(format!("{:02X}", readout.info.0));
            decoded.info_flags = Some(readout.info.names());
            decoded.records = Some(records(&mut readout.records()));
        }
        LoggerResponse::EventStatus(status) => decoded.data = Some(to_hex(status)),
    }
    decoded
}

fn ids(ids: &[RegisterId]) -> Vec<u16> {
    ids.iter().map(|id| id.value()).collect()
}
