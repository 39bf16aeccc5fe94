//! The history journal: the records of the meter's own loggers the session read, one line a
//! record, a read's records appended in one write and synced when the read ends.
//!
//! ```text
//! kmp-workbench history 1
//! 1790000000123 month 9498 1002:... 1003:... 68:2804420000303A
//! 1790000000123 log-6 4411 1:... 1023:...
//! ```
//!
//! Each line is when the read ended (Unix milliseconds), the log (`year` … `minute-2`, or
//! `log-N` for the interval log `N`), the record ID, and the registers as `ID:RAW` like the
//! readings journal's. Read back, a record read again takes the newer values
//! ([`LoggerHistory::merge`]).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write as _};
use std::path::Path;

use jiff::Timestamp;

use crate::link::{HistoryRecord, Logger};

use super::journal_lines::read_lines;
use super::logger_history::{LoggerHistory, history_of};
use super::readings_journal::{parse_register, push_register};
use super::{JournalProblem, SessionError};

const HEADER: &str = "kmp-workbench history 1";

/// Appends logger records to a journal.
#[derive(Debug)]
pub struct HistoryJournal {
    file: File,
}

impl HistoryJournal {
    /// Starts a new journal at `path`, which must not exist yet.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(format!("{HEADER}\n").as_bytes())?;
        file.sync_all()?;
        Ok(Self { file })
    }

    /// Goes on appending to the journal at `path`; a session from before logger reads has
    /// none, and gets one.
    pub fn append_to(path: &Path) -> io::Result<Self> {
        if !path.exists() {
            return Self::create(path);
        }
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Self { file })
    }

    /// Appends the records of one read, whole, in one write.
    pub fn append(
        &mut self,
        at: Timestamp,
        logger: Logger,
        records: &[HistoryRecord],
    ) -> io::Result<()> {
        let mut text = String::new();
        for record in records {
            text.push_str(&format!(
                "{} {} {}",
                at.as_millisecond(),
                log_name(logger),
                record.id
            ));
            for register in &record.registers {
                push_register(&mut text, register);
            }
            text.push('\n');
        }
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }
}

/// Reads a journal back into the records of each log. When a last line was cut short, also
/// gives the length of the whole lines before it, to cut the file back to.
pub fn read(
    input: impl BufRead,
    file: &str,
) -> Result<(Vec<LoggerHistory>, Option<u64>), SessionError> {
    let mut histories = Vec::new();
    let cut_at = read_lines(input, file, (HEADER, "kmp-workbench history "), |text| {
        let (logger, record) = parse_line(text)?;
        history_of(&mut histories, logger).merge([&record]);
        Ok(())
    })?;
    Ok((histories, cut_at))
}

fn log_name(logger: Logger) -> String {
    match logger {
        Logger::Period(logger) => logger.name().to_string(),
        Logger::Interval(log) => format!("log-{log}"),
    }
}

fn parse_line(line: &str) -> Result<(Logger, HistoryRecord), JournalProblem> {
    let mut fields = line.split(' ');
    fields
        .next()
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or(JournalProblem::BadTime)?;
    let logger = fields
        .next()
        .and_then(|name| match name.strip_prefix("log-") {
            Some(log) => log.parse().ok().map(Logger::Interval),
            None => name.parse().ok().map(Logger::Period),
        })
        .ok_or(JournalProblem::BadRecord)?;
    let id = fields
        .next()
        .and_then(|id| id.parse().ok())
        .ok_or(JournalProblem::BadRecord)?;
    let registers = fields
        .map(|field| parse_register(field).ok_or(JournalProblem::BadRegister))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((logger, HistoryRecord { id, registers }))
}

#[cfg(test)]
mod tests;
