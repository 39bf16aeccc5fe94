//! The traffic journal: every traffic line appended as it happens, with an index in memory (where
//! each line starts, and its direction) so the Traffic screen can show any stretch of hours of
//! traffic by reading just the lines on screen from the file.
//!
//! Lines are [`TrafficRecord::line`]s after a header line, the same text `--traffic` writes.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use crate::link::traffic::{TrafficDirection, TrafficRecord};

use super::{JournalProblem, SessionError};

/// The first line of every traffic journal.
const HEADER: &str = "kmp-workbench traffic 1";

/// The traffic journal of a session and its index.
#[derive(Debug)]
pub struct TrafficLog {
    file: File,
    starts: Vec<u64>,
    directions: Vec<TrafficDirection>,
    end: u64,
}

impl TrafficLog {
    /// Starts a new journal at `path`, which must not exist yet.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(path)?;
        let header = format!("{HEADER}\n");
        file.write_all(header.as_bytes())?;
        Ok(Self {
            file,
            starts: Vec::new(),
            directions: Vec::new(),
            end: header.len() as u64,
        })
    }

    /// Opens the journal at `path` and indexes its lines. A last line cut short (a write
    /// interrupted by a crash) is cut off the file, so what follows starts on a line of its own.
    pub fn open(path: &Path) -> Result<Self, SessionError> {
        let name = path.display().to_string();
        let io_error = |source| SessionError::Io {
            path: name.clone(),
            source,
        };
        let damaged = |line: usize, problem| SessionError::Journal {
            file: name.clone(),
            line,
            problem,
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(io_error)?;
        let mut log = Self {
            file: file.try_clone().map_err(io_error)?,
            starts: Vec::new(),
            directions: Vec::new(),
            end: 0,
        };
        // Line by line: hours of traffic never sit in memory as text.
        let mut input = io::BufReader::new(file);
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line).map_err(io_error)?;
        if line != format!("{HEADER}\n").as_bytes() {
            let problem = if line.starts_with(b"kmp-workbench traffic ") {
                JournalProblem::NewerFormat
            } else {
                JournalProblem::NotAJournal
            };
            return Err(damaged(1, problem));
        }
        let mut offset = line.len() as u64;
        for number in 2.. {
            line.clear();
            if input.read_until(b'\n', &mut line).map_err(io_error)? == 0 {
                break;
            }
            if !line.ends_with(b"\n") {
                log.file.set_len(offset).map_err(io_error)?;
                break;
            }
            let direction = std::str::from_utf8(&line)
                .ok()
                .and_then(direction_of)
                .ok_or_else(|| damaged(number, JournalProblem::BadTraffic))?;
            log.starts.push(offset);
            log.directions.push(direction);
            offset += line.len() as u64;
        }
        log.end = offset;
        Ok(log)
    }

    /// Appends a record as one line.
    pub fn append(&mut self, record: &TrafficRecord) -> io::Result<()> {
        let line = format!("{}\n", record.line());
        self.file.write_all(line.as_bytes())?;
        self.starts.push(self.end);
        self.directions.push(record.direction);
        self.end += line.len() as u64;
        Ok(())
    }

    /// How many lines there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The direction of line `index`.
    pub fn direction(&self, index: usize) -> Option<TrafficDirection> {
        self.directions.get(index).copied()
    }

    /// The directions of every line, in order.
    pub fn directions(&self) -> &[TrafficDirection] {
        &self.directions
    }

    /// The text of lines `first..first + count` (fewer at the end), read in one piece.
    pub fn lines(&mut self, first: usize, count: usize) -> io::Result<Vec<String>> {
        let last = (first + count).min(self.len());
        if first >= last {
            return Ok(Vec::new());
        }
        let from = self.starts[first];
        let to = self.starts.get(last).copied().unwrap_or(self.end);
        let mut bytes = vec![0; (to - from) as usize];
        self.file.seek(SeekFrom::Start(from))?;
        self.file.read_exact(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// Writes the lines at `indices` (ascending) to `out`, one per line, reading runs of
    /// consecutive lines in pieces rather than line by line.
    pub fn export(&mut self, indices: &[usize], out: &mut impl io::Write) -> io::Result<()> {
        const PIECE: usize = 4096;
        let mut rest = indices;
        while let Some(&first) = rest.first() {
            let run = rest
                .iter()
                .enumerate()
                .take(PIECE)
                .take_while(|&(offset, &index)| index == first + offset)
                .count();
            for line in self.lines(first, run)? {
                writeln!(out, "{line}")?;
            }
            rest = &rest[run..];
        }
        Ok(())
    }
}

/// The direction mark of a traffic line: the second field, after the time.
fn direction_of(line: &str) -> Option<TrafficDirection> {
    let mut fields = line.split_whitespace();
    let time = fields.next()?;
    time.parse::<jiff::Timestamp>().ok()?;
    match fields.next()? {
        "TX" => Some(TrafficDirection::Tx),
        "ECHO" => Some(TrafficDirection::Echo),
        "RX" => Some(TrafficDirection::Rx),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
