//! A logger's records to CSV (PRODUCT.md): one row per record, `record_id`, `meter_time` (the
//! meter's own local time from the logger's clock and date registers, with no zone, so there is
//! no `time_utc`), then one column per register headed with its name, unit and ID, the exact
//! values as the meter sent them.

use std::io::Write;

use crate::kmp::logger::is_stamp;
use crate::kmp::{Register, RegisterId};
use crate::link::HistoryRecord;

use super::csv::{record, value_cell};
use super::{CsvError, Dialect, LogColumn};

/// The meter's time of a record: its date-time register (348), else its date and clock
/// (`2026-01-01 00:00:00`), else its date alone; `None` when it holds none of them.
pub fn meter_time(registers: &[Register]) -> Option<String> {
    let display = |id: u16| {
        registers
            .iter()
            .find(|register| register.id() == RegisterId::new(id))
            .map(Register::display_text)
    };
    display(348).or_else(|| match (display(1003), display(1002)) {
        (Some(date), Some(clock)) => Some(format!("{date} {clock}")),
        (date, _) => date,
    })
}

/// The columns of `records` (every register any of them holds, in the order they first come,
/// the stamps left out), each named by `name`: what [`write_history`] writes under. Records
/// merged from several reads need not hold the same registers.
pub fn history_columns(
    records: &[HistoryRecord],
    name: impl Fn(RegisterId) -> String,
) -> Vec<(RegisterId, LogColumn)> {
    let mut columns: Vec<(RegisterId, LogColumn)> = Vec::new();
    for register in records.iter().flat_map(|record| &record.registers) {
        let id = register.id();
        if is_stamp(id) || columns.iter().any(|(known, _)| *known == id) {
            continue;
        }
        let column = LogColumn {
            id: id.to_string(),
            name: name(id),
            unit: register.unit().symbol().to_string(),
        };
        columns.push((id, column));
    }
    columns
}

/// Writes `records` under a header of `columns` (one per register, the stamps left out);
/// returns the number of rows.
pub fn write_history(
    mut out: impl Write,
    records: &[HistoryRecord],
    columns: &[(RegisterId, LogColumn)],
    dialect: Dialect,
) -> Result<usize, CsvError> {
    let mut text = Vec::new();
    if dialect.bom() {
        text.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut header = vec!["record_id".to_string(), "meter_time".into()];
    header.extend(columns.iter().map(|(_, column)| column.heading()));
    text.extend_from_slice(record(&header, dialect).as_bytes());
    text.extend_from_slice(b"\r\n");
    for history in records {
        let mut cells = vec![
            history.id.to_string(),
            meter_time(&history.registers).unwrap_or_default(),
        ];
        cells.extend(columns.iter().map(|(id, _)| {
            history
                .registers
                .iter()
                .find(|register| register.id() == *id)
                .and_then(Register::value_text)
                .map(|value| value_cell(&value, dialect))
                .unwrap_or_default()
        }));
        text.extend_from_slice(record(&cells, dialect).as_bytes());
        text.extend_from_slice(b"\r\n");
    }
    out.write_all(&text)?;
    out.flush()?;
    Ok(records.len())
}
