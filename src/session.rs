//! Sessions: everything a commissioning job produced, kept on disk as it happens, so a crash loses
//! at most the poll in flight, and opened again later or sent to someone else.
//!
//! A session is a folder:
//!
//! - `session.ron`: the manifest (format version, when it started, port and line settings, the
//!   registers polled), small and rewritten whole when it changes;
//! - `registers.ron`: the register map with the user's names ([`RegisterMap`]);
//! - `readings.journal`: one line per poll, appended and synced ([`ReadingsJournal`]);
//! - `traffic.journal`: every traffic line, appended ([`TrafficWriter`]) and read back by an index
//!   ([`TrafficLog`]);
//! - `history.journal`: the records read of the meter's loggers, a read's records appended when
//!   it ends ([`HistoryJournal`]) and read back per log ([`LoggerHistory`]); a session from
//!   before logger reads gets an empty one when opened.
//!
//! A [`Session`] is the writing side; the [`Recorder`] owns it on a thread of its own, fed from
//! the link's events, so journaling never waits for the app's frames or dialogs.

mod history_journal;
mod journal_lines;
mod logger_history;
mod manifest;
mod readings_journal;
pub mod recorder;
pub mod stored;
mod traffic_log;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::kmp::Register;
use crate::link::traffic::{TrafficRecord, TrafficWriter};
use crate::link::{HistoryRecord, Logger};
use crate::model::{MapFileError, Readings, RegisterMap, TextReading};

pub use history_journal::HistoryJournal;
pub use logger_history::{LoggerHistory, history_of};
pub use manifest::{MANIFEST_VERSION, Manifest};
pub use readings_journal::ReadingsJournal;
pub use recorder::{Recorder, RecorderReport};
pub use stored::StoredSession;
pub use traffic_log::TrafficLog;

const MANIFEST: &str = "session.ron";
const REGISTERS: &str = "registers.ron";
const READINGS: &str = "readings.journal";
const TRAFFIC: &str = "traffic.journal";
const HISTORY: &str = "history.journal";
/// A manifest is a few hundred bytes; anything this big is not one.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// A week of 1 s polls of a few registers is some 40 MB; a hundred times that is not a session's.
const MAX_READINGS_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Every record of every logger of a MULTICAL 603 read a hundred times over is some 100 MB.
const MAX_HISTORY_BYTES: u64 = 1024 * 1024 * 1024;

/// What is wrong with a journal line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JournalProblem {
    /// The first line is not the journal's header.
    #[error("not a kmp-workbench journal")]
    NotAJournal,
    /// A later version of the program wrote it.
    #[error("written by a newer version of kmp-workbench")]
    NewerFormat,
    /// The poll's time is not a number of milliseconds.
    #[error("the time is not a number of milliseconds")]
    BadTime,
    /// A register is not `ID:RAW`.
    #[error("a register is not ID:RAW with a valid register block")]
    BadRegister,
    /// A history line has no log and record ID.
    #[error("not a logger record (time, log, record ID, then ID:RAW registers)")]
    BadRecord,
    /// A traffic line has no time and direction.
    #[error("not a traffic line (time, TX/ECHO/RX, hex, meaning)")]
    BadTraffic,
}

/// Why a session could not be made, opened or saved.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// The folder holds no session.
    #[error("{path} is not a kmp-workbench session (no {MANIFEST} in it)")]
    NotASession {
        /// The folder.
        path: String,
    },
    /// A file is far bigger than a session's.
    #[error("{path} is {bytes} bytes, too large for a session file")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// The manifest is not one.
    #[error("{path} is damaged: {detail}")]
    Invalid {
        /// The file.
        path: String,
        /// What the parser found.
        detail: String,
    },
    /// A later version of the program wrote the session.
    #[error(
        "{path} is a version {version} session; this kmp-workbench opens up to version {MANIFEST_VERSION}: update it"
    )]
    TooNew {
        /// The manifest.
        path: String,
        /// Its version.
        version: u32,
    },
    /// A journal has a damaged line.
    #[error("{file}, line {line}: {problem}")]
    Journal {
        /// The journal.
        file: String,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        problem: JournalProblem,
    },
    /// The register map is damaged.
    #[error(transparent)]
    Map(#[from] MapFileError),
    /// Saving into a folder that already holds something.
    #[error("{path} exists already and is not empty; choose a new folder")]
    Exists {
        /// The folder.
        path: String,
    },
}

/// What opening a session found besides its contents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Whether the last poll was cut short by a crash (and left out).
    pub cut_short: bool,
}

/// A session open for recording: its folder, manifest and journals.
#[derive(Debug)]
pub struct Session {
    dir: PathBuf,
    manifest: Manifest,
    readings: ReadingsJournal,
    traffic: TrafficWriter,
    history: HistoryJournal,
}

/// A session's contents as read from disk.
#[derive(Debug)]
pub struct Opened {
    /// The session, ready to record more.
    pub session: Session,
    /// Its readings.
    pub readings: Readings,
    /// The records read of the meter's loggers, per log.
    pub history: Vec<LoggerHistory>,
    /// Its register map.
    pub map: RegisterMap,
    /// Its traffic, indexed.
    pub traffic: TrafficLog,
    /// What else was found.
    pub report: OpenReport,
}

/// Where each journal's whole lines end, when its last line was left half written.
#[derive(Clone, Copy, Debug, Default)]
struct Cut {
    readings: Option<u64>,
    history: Option<u64>,
}

/// A session's contents, read without changing a byte of it: for a command that only looks
/// (`config --session`), and the first half of [`Session::open`].
#[derive(Debug)]
pub struct Contents {
    /// Its folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its readings.
    pub readings: Readings,
    /// The records read of the meter's loggers, per log.
    pub history: Vec<LoggerHistory>,
    /// Its register map.
    pub map: RegisterMap,
    /// Its traffic, indexed.
    pub traffic: TrafficLog,
    cut: Cut,
}

impl Contents {
    /// Reads the session in `dir` (or the folder of `dir` when it names the manifest).
    pub fn read(dir: &Path) -> Result<Self, SessionError> {
        let dir = if dir.file_name().is_some_and(|name| name == MANIFEST) {
            dir.parent().unwrap_or(dir)
        } else {
            dir
        };
        let manifest_path = dir.join(MANIFEST);
        if !manifest_path.is_file() {
            return Err(SessionError::NotASession {
                path: dir.display().to_string(),
            });
        }
        let manifest = Manifest::from_ron(
            &read_limited(&manifest_path, MAX_MANIFEST_BYTES)?,
            &manifest_path.display().to_string(),
        )?;
        let map_path = dir.join(REGISTERS);
        let map = if map_path.exists() {
            RegisterMap::load(&map_path)?
        } else {
            RegisterMap::default()
        };
        let (readings, readings_cut) = read_journal(
            &dir.join(READINGS),
            MAX_READINGS_BYTES,
            readings_journal::read,
        )?;
        let traffic = TrafficLog::open(&dir.join(TRAFFIC))?;
        let history_path = dir.join(HISTORY);
        let (history, history_cut) = if history_path.exists() {
            read_journal(&history_path, MAX_HISTORY_BYTES, history_journal::read)?
        } else {
            (Vec::new(), None)
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            manifest,
            readings,
            history,
            map,
            traffic,
            cut: Cut {
                readings: readings_cut,
                history: history_cut,
            },
        })
    }
}

/// The traffic journal's file in the session folder `dir`.
pub fn traffic_path(dir: &Path) -> PathBuf {
    dir.join(TRAFFIC)
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> SessionError + '_ {
    move |source| SessionError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Session {
    /// Starts a session in `dir`, which must not exist or be empty.
    pub fn create(dir: &Path, manifest: Manifest, map: &RegisterMap) -> Result<Self, SessionError> {
        make_empty_dir(dir)?;
        let readings_path = dir.join(READINGS);
        let traffic_path = dir.join(TRAFFIC);
        let history_path = dir.join(HISTORY);
        let session = Self {
            dir: dir.to_path_buf(),
            readings: ReadingsJournal::create(&readings_path).map_err(io_error(&readings_path))?,
            traffic: TrafficWriter::create_new(&traffic_path, traffic_log::HEADER)
                .map_err(io_error(&traffic_path))?,
            history: HistoryJournal::create(&history_path).map_err(io_error(&history_path))?,
            manifest,
        };
        session.write_manifest()?;
        session.save_map(map)?;
        Ok(session)
    }

    /// Opens the session in `dir` (or the folder of `dir` when it names the manifest) to
    /// record more: a journal's last line left half written by a crash is cut off, so the next
    /// line starts on a line of its own.
    pub fn open(dir: &Path) -> Result<Opened, SessionError> {
        let contents = Contents::read(dir)?;
        let dir = contents.dir;
        let readings_path = dir.join(READINGS);
        let traffic_path = dir.join(TRAFFIC);
        let history_path = dir.join(HISTORY);
        for (path, whole) in [
            (&readings_path, contents.cut.readings),
            (&traffic_path, Some(contents.traffic.whole_len())),
            (&history_path, contents.cut.history),
        ] {
            if let Some(whole) = whole {
                trim_to(path, whole)?;
            }
        }
        Ok(Opened {
            session: Self {
                manifest: contents.manifest,
                readings: ReadingsJournal::append_to(&readings_path)
                    .map_err(io_error(&readings_path))?,
                traffic: TrafficWriter::append_existing(&traffic_path)
                    .map_err(io_error(&traffic_path))?,
                history: HistoryJournal::append_to(&history_path)
                    .map_err(io_error(&history_path))?,
                dir,
            },
            readings: contents.readings,
            history: contents.history,
            map: contents.map,
            traffic: contents.traffic,
            report: OpenReport {
                cut_short: contents.cut.readings.is_some(),
            },
        })
    }

    /// The session's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Changes the manifest and writes it.
    pub fn update_manifest(
        &mut self,
        change: impl FnOnce(&mut Manifest),
    ) -> Result<(), SessionError> {
        change(&mut self.manifest);
        self.write_manifest()
    }

    /// Journals one poll.
    pub fn record_poll(
        &mut self,
        at: Timestamp,
        registers: &[Register],
    ) -> Result<(), SessionError> {
        let path = self.dir.join(READINGS);
        self.readings.append(at, registers).map_err(io_error(&path))
    }

    /// Journals one readout of a text protocol (none read: the meter was silent).
    pub fn record_readout(
        &mut self,
        at: Timestamp,
        readings: &[TextReading],
    ) -> Result<(), SessionError> {
        let path = self.dir.join(READINGS);
        self.readings
            .append_text(at, readings)
            .map_err(io_error(&path))
    }

    /// Journals the records of one logger read.
    pub fn record_history(
        &mut self,
        at: Timestamp,
        logger: Logger,
        records: &[HistoryRecord],
    ) -> Result<(), SessionError> {
        let path = self.dir.join(HISTORY);
        self.history
            .append(at, logger, records)
            .map_err(io_error(&path))
    }

    /// Journals one traffic line.
    pub fn record_traffic(&mut self, record: &TrafficRecord) -> Result<(), SessionError> {
        let path = self.dir.join(TRAFFIC);
        self.traffic.write(record).map_err(io_error(&path))
    }

    /// The traffic journal's file, for a [`TrafficLog`] to read it.
    pub fn traffic_path(&self) -> PathBuf {
        traffic_path(&self.dir)
    }

    /// The readings journal (the memory benchmark turns its syncing off).
    pub fn readings_journal(&mut self) -> &mut ReadingsJournal {
        &mut self.readings
    }

    /// Writes the register map.
    pub fn save_map(&self, map: &RegisterMap) -> Result<(), SessionError> {
        Ok(map.save(&self.dir.join(REGISTERS))?)
    }

    /// Copies the session to `dir` (which must not exist or be empty) and goes on recording
    /// there; the old folder stays as it was.
    pub fn save_as(&mut self, dir: &Path, map: &RegisterMap) -> Result<(), SessionError> {
        if dir == self.dir {
            return self.save_map(map);
        }
        make_empty_dir(dir)?;
        for name in [READINGS, TRAFFIC, HISTORY] {
            let to = dir.join(name);
            fs::copy(self.dir.join(name), &to).map_err(io_error(&to))?;
        }
        let (readings_path, traffic_path) = (dir.join(READINGS), dir.join(TRAFFIC));
        let history_path = dir.join(HISTORY);
        let traffic =
            TrafficWriter::append_existing(&traffic_path).map_err(io_error(&traffic_path))?;
        let readings =
            ReadingsJournal::append_to(&readings_path).map_err(io_error(&readings_path))?;
        let history = HistoryJournal::append_to(&history_path).map_err(io_error(&history_path))?;
        self.write_manifest_in(dir)?;
        map.save(&dir.join(REGISTERS))?;
        // Only with everything in place there does recording move: a failure above leaves it
        // where it was.
        self.dir = dir.to_path_buf();
        self.readings = readings;
        self.traffic = traffic;
        self.history = history;
        Ok(())
    }

    fn write_manifest(&self) -> Result<(), SessionError> {
        self.write_manifest_in(&self.dir)
    }

    fn write_manifest_in(&self, dir: &Path) -> Result<(), SessionError> {
        let path = dir.join(MANIFEST);
        crate::atomic_file::write(&path, self.manifest.to_ron().as_bytes()).map_err(io_error(&path))
    }
}

/// Reads the journal at `path`, at most `max` bytes, with `read`; says where its whole lines
/// end when the last one was left half written.
fn read_journal<T, R>(path: &Path, max: u64, read: R) -> Result<(T, Option<u64>), SessionError>
where
    R: FnOnce(io::BufReader<fs::File>, &str) -> Result<(T, Option<u64>), SessionError>,
{
    check_size(path, max)?;
    let journal = fs::File::open(path).map_err(io_error(path))?;
    read(io::BufReader::new(journal), &path.display().to_string())
}

/// Cuts a journal back to its whole lines, so the next line starts on a line of its own.
fn trim_to(path: &Path, whole: u64) -> Result<(), SessionError> {
    let file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_error(path))?;
    if file.metadata().map_err(io_error(path))?.len() > whole {
        file.set_len(whole).map_err(io_error(path))?;
    }
    Ok(())
}

/// Refuses a file bigger than `limit`.
fn check_size(path: &Path, limit: u64) -> Result<(), SessionError> {
    let bytes = fs::metadata(path).map_err(io_error(path))?.len();
    if bytes > limit {
        return Err(SessionError::TooLarge {
            path: path.display().to_string(),
            bytes,
        });
    }
    Ok(())
}

/// A file's text, refused when bigger than `limit`.
fn read_limited(path: &Path, limit: u64) -> Result<String, SessionError> {
    check_size(path, limit)?;
    let raw = fs::read(path).map_err(io_error(path))?;
    String::from_utf8(raw).map_err(|_| SessionError::Invalid {
        path: path.display().to_string(),
        detail: "not UTF-8 text".into(),
    })
}

/// Makes `dir` for a session: it may exist, but only empty.
fn make_empty_dir(dir: &Path) -> Result<(), SessionError> {
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(SessionError::Exists {
            path: dir.display().to_string(),
        });
    }
    fs::create_dir_all(dir).map_err(io_error(dir))
}

#[cfg(test)]
mod tests;
