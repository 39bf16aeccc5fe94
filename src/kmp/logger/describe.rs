//! Logger messages in a line of words, for traffic logs and `decode`'s table.

use std::fmt::Write as _;

use super::{LoggerRequest, LoggerResponse, NEWEST_OFFSET};
use crate::kmp::{Register, RegisterId, to_hex};

impl LoggerRequest {
    /// What the request asks for, in words.
    pub fn describe(&self) -> String {
        match self {
            Self::Configuration { logger } => {
                format!("GetConfiguration (B8 05) of the {} logger", logger.name())
            }
            Self::PastById {
                logger,
                log_id,
                count,
                registers,
            } => format!(
                "GetLogIDPastAbs (B8 06) {} logger: {count} entries back from {log_id}, registers {}",
                logger.name(),
                ids(registers)
            ),
            Self::LastEntryPast {
                logger,
                offset,
                count,
                registers,
            } => format!(
                "GetLogLastEntryPastAbs (B8 07) {} logger: {count} entries from {}, registers {}",
                logger.name(),
                match offset {
                    &NEWEST_OFFSET => "the newest".to_string(),
                    other => format!("offset {other}"),
                },
                ids(registers)
            ),
            Self::TimePresent { query, time } => format!(
                "GetLogTimePresent (A0) log {}: {} records of {} from time field {} (byte order disputed)",
                query.log,
                query.records,
                ids(query.registers.as_slice()),
                to_hex(time)
            ),
            Self::LastPresent(query) => format!(
                "GetLogLastPresent (A1) log {}: {} records of {}, answer at most {} bytes",
                query.log,
                query.records,
                ids(query.registers.as_slice()),
                query.max_len
            ),
            Self::IdPresent { query, from_id } => format!(
                "GetLogIDPresent (A2) log {}: {} records of {} from record {from_id}, answer at most {} bytes",
                query.log,
                query.records,
                ids(query.registers.as_slice()),
                query.max_len
            ),
            Self::TimePast {
                query,
                time,
                offset,
            } => format!(
                "GetLogTimePast (A3) log {}: {} records of {} from time field {} (byte order disputed), {offset} back",
                query.log,
                query.records,
                ids(query.registers.as_slice()),
                to_hex(time)
            ),
            Self::EventStatus => "GetEventStatus (9B)".into(),
            Self::ClearEventStatus(masks) => {
                format!(
                    "ClearEventStatus (9C) masks {}: changes the meter",
                    to_hex(masks)
                )
            }
        }
    }
}

impl LoggerResponse {
    /// What the answer holds, in words, every value with its unit.
    pub fn describe(&self) -> String {
        match self {
            Self::Configuration(config) => format!(
                "{} logger: depth {}, {} registers ({})",
                config.logger.name(),
                config.depth,
                config.registers.len(),
                ids(&config.registers)
            ),
            Self::Readout(readout) => {
                let mut text = format!(
                    "{} logger: {} rows, newest in the meter {}",
                    readout.logger.name(),
                    readout.table().rows().len(),
                    readout.newest_id
                );
                flags_and_records(&mut text, &readout.info.names(), readout.records());
                text
            }
            Self::Interval(readout) => {
                let mut text = format!(
                    "{} log {}: {} records, last {}, newest in the log {}",
                    crate::kmp::command_name(readout.cid).unwrap_or("logger"),
                    readout.log,
                    readout.table().rows().len(),
                    readout.last_id,
                    readout.newest_id
                );
                flags_and_records(&mut text, &readout.info.names(), readout.records());
                text
            }
            Self::EventStatus(status) => {
                let unread = status[2] & 1 != 0;
                format!(
                    "event status {}: the interval log has {}unread records",
                    to_hex(status),
                    if unread { "" } else { "no " }
                )
            }
        }
    }
}

fn ids(ids: &[RegisterId]) -> String {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    ids.join(", ")
}

/// Appends the info flags set, if any, then every record with its values.
fn flags_and_records<'a>(
    text: &mut String,
    flags: &[String],
    records: impl Iterator<Item = (u32, &'a [Register])>,
) {
    if !flags.is_empty() {
        let _ = write!(text, ", info {}", flags.join(", "));
    }
    for (id, row) in records {
        let values: Vec<String> = row
            .iter()
            .map(|register| format!("{} = {}", register.id(), register.display_text()))
            .collect();
        let _ = write!(text, "; #{id}: {}", values.join(", "));
    }
}
