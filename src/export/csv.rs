//! CSV as spreadsheets read it.
//!
//! `rfc4180` (the default): comma, decimal point, UTF-8 without BOM. `excel-eu`: semicolon,
//! decimal comma, UTF-8 with BOM, so spreadsheets set to Danish, Swedish or German locales show
//! `m³` and the numbers right. Numbers are written exactly as decoded, only the decimal separator
//! changes. Text from users that starts with `=`, `+`, `-` or `@` is neutralised, so a cell never
//! becomes a formula.

use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The byte order mark that tells spreadsheets the file is UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// A CSV dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dialect {
    /// Comma, decimal point, no BOM.
    #[default]
    Rfc4180,
    /// Semicolon, decimal comma, BOM.
    ExcelEu,
}

impl Dialect {
    fn delimiter(self) -> u8 {
        match self {
            Self::Rfc4180 => b',',
            Self::ExcelEu => b';',
        }
    }

    /// Whether files in this dialect start with a byte order mark.
    pub fn bom(self) -> bool {
        self == Self::ExcelEu
    }

    /// A number written in this dialect: `8.541` or `8,541`.
    pub fn number(self, text: &str) -> String {
        match self {
            Self::Rfc4180 => text.to_string(),
            Self::ExcelEu => text.replace('.', ","),
        }
    }
}

/// Why a CSV file could not be written or appended to.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Writing failed.
    #[error("cannot write the CSV file: {0}")]
    Io(#[from] io::Error),
    /// The CSV layer failed.
    #[error("cannot write the CSV file: {0}")]
    Csv(#[from] ::csv::Error),
    /// An existing file's header is not the one this log writes.
    #[error("its header is \"{found}\", not \"{expected}\"")]
    HeaderMismatch {
        /// The header this log writes.
        expected: String,
        /// The header in the file.
        found: String,
    },
}

/// Makes user text safe in a spreadsheet cell: text that would start a formula gets a leading
/// apostrophe, which spreadsheets show as plain text.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One register of a register map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    /// The ID.
    pub id: u16,
    /// Its name, from a catalogue or the user.
    pub name: Option<String>,
    /// The unit symbol.
    pub unit: String,
    /// The unit code.
    pub unit_code: u8,
    /// The exact value, if it has one.
    pub value: Option<String>,
    /// The value as a person reads it.
    pub display: String,
    /// The raw block bytes in hex.
    pub raw: String,
}

impl RegisterRow {
    /// The row of `register` as the meter sent it, under `name`, its value shown as `display`.
    pub fn new(register: &crate::kmp::Register, name: Option<String>, display: String) -> Self {
        Self {
            id: register.id().value(),
            name,
            unit: register.unit().symbol().to_string(),
            unit_code: register.unit().code(),
            value: register.value_text(),
            display,
            raw: crate::kmp::to_hex(&register.raw()),
        }
    }
}

/// Writes a register map: `id,id_hex,name,unit,unit_code,value,display,raw`.
pub fn write_registers(
    out: impl Write,
    rows: &[RegisterRow],
    dialect: Dialect,
) -> Result<(), CsvError> {
    let mut out = out;
    if dialect.bom() {
        out.write_all(BOM)?;
    }
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(dialect.delimiter())
        .from_writer(out);
    writer.write_record([
        "id",
        "id_hex",
        "name",
        "unit",
        "unit_code",
        "value",
        "display",
        "raw",
    ])?;
    for row in rows {
        writer.write_record([
            row.id.to_string(),
            format!("0x{:04X}", row.id),
            neutralise(row.name.as_deref().unwrap_or("")),
            row.unit.clone(),
            row.unit_code.to_string(),
            row.value
                .as_deref()
                .map(|v| value_cell(v, dialect))
                .unwrap_or_default(),
            neutralise(&dialect.number_in_text(&row.display)),
            row.raw.clone(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// A register's value in a cell: numbers in the dialect; text (ASCII registers) kept as the meter
/// sent it, but never as a formula.
pub(crate) fn value_cell(value: &str, dialect: Dialect) -> String {
    if value.parse::<f64>().is_ok() {
        dialect.number(value)
    } else {
        neutralise(value)
    }
}

impl Dialect {
    /// The display text of a value: its leading number in this dialect, the unit kept.
    fn number_in_text(self, display: &str) -> String {
        match display.split_once(' ') {
            Some((number, unit)) if number.parse::<f64>().is_ok() => {
                format!("{} {unit}", self.number(number))
            }
            _ if display.parse::<f64>().is_ok() => self.number(display),
            _ => display.to_string(),
        }
    }
}

/// One register column of a log: `V1 volume [m³] (68)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogColumn {
    /// The register's key: a KMP ID such as `68` (or, for other protocols, an OBIS code).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its unit symbol; empty for plain numbers.
    pub unit: String,
}

impl LogColumn {
    /// The column heading.
    pub fn heading(&self) -> String {
        let name = neutralise(&self.name);
        if self.unit.is_empty() {
            format!("{name} ({})", self.id)
        } else {
            format!("{name} [{}] ({})", self.unit, self.id)
        }
    }
}

/// Writes log rows: `time_utc,time_local,elapsed_s,<one column per register>`, one flushed row a
/// poll, each written whole in one call, so a killed process leaves no partial row.
pub struct LogWriter<W: Write> {
    out: W,
    dialect: Dialect,
    columns: usize,
    zone: TimeZone,
}

impl<W: Write> LogWriter<W> {
    /// The header line (without line end) for these columns.
    pub fn header(columns: &[LogColumn], dialect: Dialect) -> String {
        let mut cells = vec![
            "time_utc".to_string(),
            "time_local".into(),
            "elapsed_s".into(),
        ];
        cells.extend(columns.iter().map(LogColumn::heading));
        record(&cells, dialect)
    }

    /// Starts a new file: BOM where the dialect has one, then the header.
    pub fn create(
        mut out: W,
        columns: &[LogColumn],
        dialect: Dialect,
        zone: TimeZone,
    ) -> Result<Self, CsvError> {
        let mut start = Vec::new();
        if dialect.bom() {
            start.extend_from_slice(BOM);
        }
        start.extend_from_slice(Self::header(columns, dialect).as_bytes());
        start.extend_from_slice(b"\r\n");
        out.write_all(&start)?;
        out.flush()?;
        Ok(Self {
            out,
            dialect,
            columns: columns.len(),
            zone,
        })
    }

    /// Continues a file whose first line is `existing_header` (BOM allowed), if it matches.
    pub fn append(
        out: W,
        existing_header: &str,
        columns: &[LogColumn],
        dialect: Dialect,
        zone: TimeZone,
    ) -> Result<Self, CsvError> {
        let expected = Self::header(columns, dialect);
        let found = existing_header
            .trim_start_matches('\u{feff}')
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if found != expected {
            return Err(CsvError::HeaderMismatch { expected, found });
        }
        Ok(Self {
            out,
            dialect,
            columns: columns.len(),
            zone,
        })
    }

    /// Writes one poll: `values` holds one cell per column, `None` for a register missing from
    /// this poll.
    pub fn row(
        &mut self,
        at: Timestamp,
        elapsed_s: f64,
        values: &[Option<String>],
    ) -> Result<(), CsvError> {
        let mut cells = vec![
            at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            at.to_zoned(self.zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            self.dialect.number(&format!("{elapsed_s:.3}")),
        ];
        cells.extend((0..self.columns).map(|idx| {
            values
                .get(idx)
                .cloned()
                .flatten()
                .map(|v| value_cell(&v, self.dialect))
                .unwrap_or_default()
        }));
        let mut line = record(&cells, self.dialect).into_bytes();
        line.extend_from_slice(b"\r\n");
        self.out.write_all(&line)?;
        self.out.flush()?;
        Ok(())
    }

    /// The writer underneath, to sync a file to disk.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

/// One CSV record in the dialect, quoted where needed, without a line end.
pub(super) fn record(cells: &[String], dialect: Dialect) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(dialect.delimiter())
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = writer.write_record(cells);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

#[cfg(test)]
mod tests;
