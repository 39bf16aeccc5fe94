//! The readings journal: one line per poll, appended and synced as it arrives, so a crash or a
//! kill loses at most the poll in flight.
//!
//! ```text
//! kmp-workbench readings 1
//! 1790000000123 68:2804420000303A 74:290200016B
//! 1790000001123
//! ```
//!
//! Each line is the poll's Unix time in milliseconds, then every register answered as `ID:RAW`,
//! RAW being the register block after its ID (unit, length, sign/exponent, mantissa) in hex, so a
//! reading reads back exactly as the meter sent it. A poll the meter did not answer is a time
//! alone. A last line without its line end is a write cut short and is left out.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write as _};
use std::path::Path;

use jiff::Timestamp;

use crate::kmp::Register;
use crate::model::Readings;

use super::{JournalProblem, SessionError};

/// The first line of every readings journal.
const HEADER: &str = "kmp-workbench readings 1";

/// Appends polls to a journal.
#[derive(Debug)]
pub struct ReadingsJournal {
    file: File,
    sync: bool,
}

impl ReadingsJournal {
    /// Starts a new journal at `path`, which must not exist yet.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(format!("{HEADER}\n").as_bytes())?;
        file.sync_all()?;
        Ok(Self { file, sync: true })
    }

    /// Goes on appending to the journal at `path`.
    pub fn append_to(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Self { file, sync: true })
    }

    /// Whether each poll is synced to the disk before the next (the default). Without it a
    /// killed process still loses nothing (the system keeps what was written), only a power cut
    /// could; the memory benchmark turns it off to write a week of polls in seconds.
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// Appends one poll, whole, in one write.
    pub fn append(&mut self, at: Timestamp, registers: &[Register]) -> io::Result<()> {
        let mut line = at.as_millisecond().to_string();
        for register in registers {
            line.push(' ');
            line.push_str(&register.id().to_string());
            line.push(':');
            line.push_str(&crate::kmp::to_hex(&register.raw()));
        }
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        if self.sync {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// Reads a journal back into readings, line by line (a week of polls never sits in memory as
/// text). When a last line was cut short, also gives the length of the whole lines before it,
/// to cut the file back to.
pub fn read(mut input: impl BufRead, file: &str) -> Result<(Readings, Option<u64>), SessionError> {
    let damaged = |line: usize, problem: JournalProblem| SessionError::Journal {
        file: file.to_string(),
        line,
        problem,
    };
    let io_error = |source| SessionError::Io {
        path: file.to_string(),
        source,
    };
    let mut line = Vec::new();
    input.read_until(b'\n', &mut line).map_err(io_error)?;
    match std::str::from_utf8(&line).map(str::trim_end) {
        Ok(HEADER) => {}
        Ok(first) if first.starts_with("kmp-workbench readings ") => {
            return Err(damaged(1, JournalProblem::NewerFormat));
        }
        _ => return Err(damaged(1, JournalProblem::NotAJournal)),
    }
    let mut readings = Readings::default();
    let mut whole = line.len() as u64;
    let mut number = 1;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(io_error)? == 0 {
            return Ok((readings, None));
        }
        number += 1;
        let Some(text) = line.strip_suffix(b"\n") else {
            return Ok((readings, Some(whole)));
        };
        whole += line.len() as u64;
        let text =
            std::str::from_utf8(text).map_err(|_| damaged(number, JournalProblem::BadTime))?;
        let (at, registers) = parse_line(text).map_err(|problem| damaged(number, problem))?;
        readings.record(at, &registers);
    }
}

fn parse_line(line: &str) -> Result<(Timestamp, Vec<Register>), JournalProblem> {
    let mut fields = line.split(' ');
    let at = fields
        .next()
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or(JournalProblem::BadTime)?;
    let registers = fields
        .map(|field| parse_register(field).ok_or(JournalProblem::BadRegister))
        .collect::<Result<_, _>>()?;
    Ok((at, registers))
}

fn parse_register(field: &str) -> Option<Register> {
    let (id, hex) = field.split_once(':')?;
    Register::from_raw(id.parse().ok()?, &crate::kmp::from_hex(hex)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmp::{Number, RegisterId, Unit};

    fn volume(mantissa: u128) -> Register {
        let number = Number::new(false, mantissa, -2).unwrap();
        Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
    }

    fn journal(name: &str, polls: &[(i64, Vec<Register>)]) -> String {
        let dir = std::env::temp_dir().join(format!("kmp-rj-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("readings.journal");
        let mut journal = ReadingsJournal::create(&path).unwrap();
        for (ms, registers) in polls {
            journal
                .append(Timestamp::from_millisecond(*ms).unwrap(), registers)
                .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        text
    }

    #[test]
    fn polls_read_back_exactly_including_silent_ones() {
        let text = journal(
            "exact",
            &[
                (1_000, vec![volume(6344)]),
                (2_000, vec![]),
                (3_000, vec![volume(6345)]),
            ],
        );
        let (readings, cut_at) = read(text.as_bytes(), "readings.journal").unwrap();
        assert_eq!(cut_at, None);
        assert_eq!(readings.polls(), 3);
        let series = readings.get(RegisterId::V1_VOLUME.into()).unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series.latest().unwrap().value.to_string(), "63.45");
        assert_eq!(series.times(), &[1.0, 3.0]);
    }

    #[test]
    fn a_line_cut_short_is_left_out_and_reported() {
        let text = journal("cut", &[(1_000, vec![volume(1)]), (2_000, vec![volume(2)])]);
        let cut = &text[..text.len() - 5];
        let (readings, cut_at) = read(cut.as_bytes(), "r").unwrap();
        let whole = text.lines().take(2).map(|line| line.len() as u64 + 1).sum();
        assert_eq!(cut_at, Some(whole), "the header and the first poll stay");
        assert_eq!(readings.polls(), 1);
    }

    #[test]
    fn damage_inside_the_journal_is_an_error_naming_the_line() {
        let text = journal(
            "damage",
            &[(1_000, vec![volume(1)]), (2_000, vec![volume(2)])],
        );
        let broken = text.replacen("2000 68:", "2000 68:ZZ", 1);
        let error = read(broken.as_bytes(), "readings.journal").unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
        assert!(read(&b"garbage\n"[..], "r").is_err());
        assert!(read(&b""[..], "r").is_err());
        assert!(matches!(
            read(&b"kmp-workbench readings 9\n"[..], "r"),
            Err(SessionError::Journal {
                problem: JournalProblem::NewerFormat,
                ..
            })
        ));
    }
}
