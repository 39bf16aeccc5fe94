//! The one place that writes to stdout and stderr.
//!
//! A closed stdout (`kmp-workbench decode … | head -1`) ends the command quietly: the reader has
//! what it wanted, and a panic or an error message would only be noise.

#![allow(clippy::print_stderr)]

use std::io::{self, Write as _};
use std::process::ExitCode;

use super::Exit;

/// Why a command did not finish its job: the exit code, and one sentence with the numbers and
/// the fix for stderr.
#[derive(Debug)]
pub struct Failure {
    exit: Exit,
    message: String,
}

impl Failure {
    /// Invalid input data (exit 3).
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::InvalidInput,
            message: message.into(),
        }
    }

    /// The port failed (exit 1).
    pub fn port(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::PortFailed,
            message: message.into(),
        }
    }

    /// The port failed (exit 1), with the link's own advice.
    pub fn link(error: &kmp_workbench::link::LinkError) -> Self {
        Self::port(format!("{error}; {}", error.advice()))
    }

    /// A usage error (exit 2), for a bad path and the like that clap cannot see.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// The meter gave no valid answer (exit 4).
    pub fn no_answer(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::NoAnswer,
            message: message.into(),
        }
    }

    /// An exit code whose explanation was already printed.
    pub fn quiet(exit: Exit) -> Self {
        Self {
            exit,
            message: String::new(),
        }
    }

    /// Prints `error: …` to stderr and gives the exit code.
    pub fn report(self) -> ExitCode {
        if !self.message.is_empty() {
            eprintln!("error: {}", self.message);
        }
        self.exit.into()
    }
}

/// Writes the result to stdout. A reader that went away is not an error.
pub fn print_result(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        // Nothing sensible can be done when stdout itself fails; say so where it still shows.
        Err(error) => {
            eprintln!("warning: could not write the result to stdout: {error}");
            Ok(())
        }
    }
}

/// A line of progress, a warning or a diagnosis, for stderr.
pub fn status(text: &str) {
    eprintln!("{text}");
}
