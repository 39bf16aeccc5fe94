//! Reading a journal back line by line, shared by the readings and the history journals: the
//! header checked (a newer version refused), each whole line handed on with its number, and a
//! last line without its line end (a write cut short) left out, with the length of the whole
//! lines before it to cut the file back to.

use std::io::BufRead;

use super::{JournalProblem, SessionError};

/// Reads the journal `file` from `input`: `header` must be its first line (a first line that
/// starts with `kind` but differs is a newer format); `each` takes every whole line after it.
/// Returns the length of the whole lines when the last one was cut short.
pub(super) fn read_lines(
    mut input: impl BufRead,
    file: &str,
    (header, kind): (&str, &str),
    mut each: impl FnMut(&str) -> Result<(), JournalProblem>,
) -> Result<Option<u64>, SessionError> {
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
        Ok(first) if first == header => {}
        Ok(first) if first.starts_with(kind) => {
            return Err(damaged(1, JournalProblem::NewerFormat));
        }
        _ => return Err(damaged(1, JournalProblem::NotAJournal)),
    }
    let mut whole = line.len() as u64;
    let mut number = 1;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(io_error)? == 0 {
            return Ok(None);
        }
        number += 1;
        let Some(text) = line.strip_suffix(b"\n") else {
            return Ok(Some(whole));
        };
        whole += line.len() as u64;
        let text =
            std::str::from_utf8(text).map_err(|_| damaged(number, JournalProblem::BadTime))?;
        each(text).map_err(|problem| damaged(number, problem))?;
    }
}
