//! The traffic journal: every traffic line appended as it happens (a [`TrafficWriter`](crate::link::traffic::TrafficWriter), the
//! session recorder's side, started with [`HEADER`]), and an index of it in memory ([`TrafficLog`], the reader's side:
//! where each line starts, and its direction) so the Traffic screen can show any stretch of hours
//! of traffic by reading just the lines on screen from the file. The reader catches up with the
//! writer by indexing the whole lines appended since it last looked; a line still being written
//! waits for the next look.
//!
//! Lines are [`TrafficRecord::line`]s after a header line, the same text `--traffic` writes.

use std::fs::File;
use std::io::{self, BufRead as _, Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use crate::link::traffic::TrafficDirection;

use super::{JournalProblem, SessionError};

/// The first line of every traffic journal.
pub const HEADER: &str = "kmp-workbench traffic 1";

/// An index of a traffic journal, for reading any of its lines.
#[derive(Debug)]
pub struct TrafficLog {
    path: PathBuf,
    file: File,
    starts: Vec<u64>,
    directions: Vec<TrafficDirection>,
    /// Where the whole lines indexed so far end.
    end: u64,
}

impl TrafficLog {
    /// Opens the journal at `path` and indexes its whole lines, checking each.
    pub fn open(path: &Path) -> Result<Self, SessionError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|source| SessionError::Io {
            path: name.clone(),
            source,
        })?;
        let mut log = Self {
            path: path.to_path_buf(),
            file,
            starts: Vec::new(),
            directions: Vec::new(),
            end: 0,
        };
        let mut header = Vec::new();
        io::BufReader::new(&log.file)
            .read_until(b'\n', &mut header)
            .map_err(|source| SessionError::Io {
                path: name.clone(),
                source,
            })?;
        if header != format!("{HEADER}\n").as_bytes() {
            let problem = if header.starts_with(b"kmp-workbench traffic ") {
                JournalProblem::NewerFormat
            } else {
                JournalProblem::NotAJournal
            };
            return Err(SessionError::Journal {
                file: name,
                line: 1,
                problem,
            });
        }
        log.end = header.len() as u64;
        log.refresh()?;
        Ok(log)
    }

    /// Indexes the whole lines appended since the last look; returns how many there were. A
    /// damaged line is an error naming it; the lines before it stay indexed.
    pub fn refresh(&mut self) -> Result<usize, SessionError> {
        let name = self.path.display().to_string();
        let io_error = |source| SessionError::Io {
            path: name.clone(),
            source,
        };
        let before = self.starts.len();
        if self.file.metadata().map_err(io_error)?.len() <= self.end {
            return Ok(0);
        }
        // Line by line: hours of traffic never sit in memory as text.
        let mut input = io::BufReader::new(&self.file);
        input.seek(SeekFrom::Start(self.end)).map_err(io_error)?;
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line).map_err(io_error)? == 0 || !line.ends_with(b"\n")
            {
                break;
            }
            let direction = std::str::from_utf8(&line)
                .ok()
                .and_then(direction_of)
                .ok_or_else(|| SessionError::Journal {
                    file: name.clone(),
                    line: self.starts.len() + 2,
                    problem: JournalProblem::BadTraffic,
                })?;
            self.starts.push(self.end);
            self.directions.push(direction);
            self.end += line.len() as u64;
        }
        Ok(self.starts.len() - before)
    }

    /// Where the whole lines end: anything after it is a line cut short (or being written).
    pub fn whole_len(&self) -> u64 {
        self.end
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
    pub fn lines(&self, first: usize, count: usize) -> io::Result<Vec<String>> {
        let last = (first + count).min(self.len());
        if first >= last {
            return Ok(Vec::new());
        }
        let from = self.starts[first];
        let to = self.starts.get(last).copied().unwrap_or(self.end);
        let mut bytes = vec![0; (to - from) as usize];
        let mut file = &self.file;
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// Writes the lines at `indices` (ascending) to `out`, one per line, reading runs of
    /// consecutive lines in pieces rather than line by line.
    pub fn export(&self, indices: &[usize], out: &mut impl io::Write) -> io::Result<()> {
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
