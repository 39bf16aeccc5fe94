//! The user's data in the app: the register map with the user's names, the readings polled, and
//! the session they are recorded into (its folder, its manifest, and an index of its traffic
//! journal for the Traffic screen), with what has changed and is not written yet. The session's
//! journals themselves are written by the recorder's thread. No egui here.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::link::{
    HistoryOptions, HistoryProgress, HistoryReport, Logger, Now, ReadReport, ReadoutReport,
};
use crate::model::{Readings, RegisterMap};
use crate::session::{LoggerHistory, Manifest, SessionError, TrafficLog, history_of, traffic_path};

/// The register map is written at most this often while the user types names.
const MAP_SAVE_EVERY: Duration = Duration::from_secs(1);

/// The session being recorded, as the app sees it.
#[derive(Debug)]
pub struct RecordedSession {
    dir: PathBuf,
    manifest: Manifest,
    traffic: TrafficLog,
}

impl RecordedSession {
    /// The session in `dir`, with its manifest and its traffic journal's index.
    pub fn new(dir: PathBuf, manifest: Manifest, traffic: TrafficLog) -> Self {
        Self {
            dir,
            manifest,
            traffic,
        }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Its traffic, indexed as far as the last refresh.
    pub fn traffic(&self) -> &TrafficLog {
        &self.traffic
    }
}

/// The user's data; see the module documentation.
#[derive(Debug, Default)]
pub struct Workspace {
    map: RegisterMap,
    readings: Readings,
    /// Whether the map changed since it was last written into the session.
    map_dirty: bool,
    map_saved_at: Option<Instant>,
    session: Option<RecordedSession>,
    /// The newest readout of a meter that speaks a text protocol.
    readout: Option<ReadoutReport>,
    /// The newest logger read (or listing), without its records, and how far the one under
    /// way has come.
    history: Option<HistoryReport>,
    history_progress: Option<HistoryProgress>,
    /// The read that completes one cut short: what it asked, for the records it had left.
    history_resume: Option<HistoryOptions>,
    /// Every record read of each log this session, merged across reads, resumes and the
    /// session's journal.
    histories: Vec<LoggerHistory>,
    /// The recording opened last, decoded.
    capture: Option<OpenedCapture>,
    /// The last IEC 62056-21 readout or `/#1` answer in that recording, as a readout.
    capture_readout: Option<ReadoutReport>,
}

/// A recording from a logic analyser or sniffer, decoded: what the Traffic screen shows of it.
#[derive(Clone, Debug)]
pub struct OpenedCapture {
    /// The file, as the app shows paths.
    pub name: String,
    /// The format it was read as.
    pub format: crate::capture::format::Format,
    /// For raw logic: the line the decoder found (`1200 8N2`).
    pub line: Option<String>,
    /// Its frames and diagnosis.
    pub analysis: crate::capture::analysis::Analysis,
    /// For a scope's recording: what the volts said of the head (levels, then findings).
    pub signal: Vec<(String, bool)>,
    /// For an analog recording read from a file: its channels, to plot around a frame.
    pub plot: Option<SignalPlot>,
}

/// What the Traffic screen plots of an analog recording: each channel around the frame
/// selected, with the threshold it was cut at.
#[derive(Clone, Debug)]
pub struct SignalPlot {
    /// The file, read again for each frame's stretch.
    pub path: std::path::PathBuf,
    /// Each channel's name, what it carries (`TX`, `RX`) and the threshold it was cut at: none
    /// for a sound card's, cut at its edges.
    pub channels: Vec<(String, Option<&'static str>, Option<f32>)>,
    /// One character's time on the line, seconds: the margin shown around a frame.
    pub byte_s: f64,
    /// The frame selected, and its stretch.
    pub shown: Option<(usize, Stretch)>,
}

/// A frame's stretch of the recording, as far as it was read.
#[derive(Clone, Debug)]
pub enum Stretch {
    /// Being read from the file.
    Reading,
    /// Read.
    Read(crate::capture::excerpt::Excerpt),
    /// Could not be read: why.
    Failed(String),
}

impl Workspace {
    /// The recording opened last, if one is open.
    pub fn capture(&self) -> Option<&OpenedCapture> {
        self.capture.as_ref()
    }

    /// Shows `capture`; the registers its answers hold go into the register map, to be
    /// named and exported like any others.
    /// Its last IEC 62056-21 readout or `/#1` answer becomes the readout the Registers screen
    /// shows while no meter is connected, stamped `now`, when it was opened.
    pub fn open_capture(&mut self, capture: OpenedCapture, now: Now) {
        let analysis = &capture.analysis;
        if !analysis.registers.is_empty() {
            self.map_mut().insert(analysis.registers.iter().cloned());
        }
        self.capture_readout = (!analysis.readout.is_empty()).then(|| ReadoutReport {
            at: now.wall,
            protocol: analysis.protocol,
            identification: analysis.identification.clone(),
            asked_at: None,
            line: None,
            readings: analysis.readout.clone(),
            push: analysis.pushed,
            failure: None,
            took: std::time::Duration::ZERO,
            diagnosis: analysis.diagnosis.clone(),
            interrupted: false,
        });
        self.capture = Some(capture);
    }

    /// The plot of the recording shown, for the frame selected to be plotted.
    pub fn capture_plot_mut(&mut self) -> Option<&mut SignalPlot> {
        self.capture.as_mut()?.plot.as_mut()
    }

    /// Closes the recording shown, and its readout.
    pub fn close_capture(&mut self) {
        self.capture = None;
        self.capture_readout = None;
    }

    /// The readout in the recording open, if it holds one.
    pub fn capture_readout(&self) -> Option<&ReadoutReport> {
        self.capture_readout.as_ref()
    }

    /// The register map: registers found, names, family.
    pub fn map(&self) -> &RegisterMap {
        &self.map
    }

    /// The register map, to change; it is written into the session soon after.
    pub fn map_mut(&mut self) -> &mut RegisterMap {
        self.map_dirty = true;
        &mut self.map
    }

    /// Lets `change` change the register map; it says whether it did, and a changed map is
    /// written into the session soon after.
    pub fn change_map(&mut self, change: impl FnOnce(&mut RegisterMap) -> bool) {
        if change(&mut self.map) {
            self.map_dirty = true;
        }
    }

    /// The readings polled.
    pub fn readings(&self) -> &Readings {
        &self.readings
    }

    /// The session being recorded, if any.
    pub fn session(&self) -> Option<&RecordedSession> {
        self.session.as_ref()
    }

    /// The folder of the session being recorded.
    pub fn session_dir(&self) -> Option<&Path> {
        self.session.as_ref().map(RecordedSession::dir)
    }

    /// Takes one poll's readings.
    pub fn record_poll(&mut self, report: &ReadReport) {
        if report.registers.is_empty() {
            self.readings.record_silent_poll();
        } else {
            self.readings.record(report.at, &report.registers);
        }
    }

    /// Takes one polled readout of a text protocol: its numbers join the readings, and a
    /// readout that came is the one the Registers screen shows.
    pub fn record_readout_poll(&mut self, report: &ReadoutReport) {
        if report.readings.is_empty() {
            self.readings.record_silent_poll();
        } else {
            self.readings.record_text(report.at, &report.readings);
            self.readout = Some(report.clone());
        }
    }

    /// Takes a readout read on request; says what came of it, unless it was cut short before
    /// it read anything.
    pub fn read_readout(&mut self, report: &ReadoutReport) -> Option<Result<String, String>> {
        if report.readings.is_empty() {
            return (!report.interrupted).then(|| {
                Err(format!(
                    "No readout came{}",
                    report
                        .failure
                        .map(|failure| format!(" ({failure})"))
                        .unwrap_or_default()
                ))
            });
        }
        self.readout = Some(report.clone());
        Some(Ok(format!(
            "Read {} values in {}",
            report.readings.len(),
            crate::app::style::seconds(report.took)
        )))
    }

    /// Takes the progress of the logger read under way.
    pub fn history_moved(&mut self, progress: HistoryProgress) {
        self.history_progress = Some(progress);
    }

    /// Takes a logger read (or listing) that asked `asked`; says what came of it. Its records
    /// join those read before of the same log.
    pub fn read_history(
        &mut self,
        report: &HistoryReport,
        asked: Option<&HistoryOptions>,
    ) -> Option<Result<String, String>> {
        self.history_progress = None;
        // A listing reads no records, so the offer of a read cut short stands through it.
        if !report.listing {
            self.history_resume = report
                .resume
                .zip(asked)
                .map(|(span, asked)| HistoryOptions {
                    span,
                    ..asked.clone()
                });
        }
        if !report.answered {
            return (!report.interrupted).then(|| {
                Err(
                    "The meter answered none of the logger reads this program may send; its \
                     history may need commands no public source documents."
                        .to_string(),
                )
            });
        }
        let outcome = if report.listing {
            format!(
                "Listed the {} logger: {} entries of {} registers",
                report.logger,
                report.depth.unwrap_or(0),
                report.holds.len()
            )
        } else {
            let of = report.logger.described();
            let left = if self.history_resume.is_some() {
                "; the rest can be resumed"
            } else {
                ""
            };
            format!(
                "Read {} records of {of} in {} requests{left}",
                report.records.len(),
                report.requests
            )
        };
        if !report.records.is_empty() {
            history_of(&mut self.histories, report.logger).merge(&report.records);
        }
        self.history = Some(HistoryReport {
            records: Vec::new(),
            ..report.clone()
        });
        Some(Ok(outcome))
    }

    /// The records read of `logger`, if any were.
    pub fn logger_history(&self, logger: Logger) -> Option<&LoggerHistory> {
        self.histories
            .iter()
            .find(|history| history.logger() == logger && !history.is_empty())
    }

    /// How many records were read of all logs.
    pub fn history_records(&self) -> usize {
        self.histories.iter().map(LoggerHistory::len).sum()
    }

    /// The read that completes the last one, when it was cut short.
    pub fn history_resume(&self) -> Option<&HistoryOptions> {
        self.history_resume.as_ref()
    }

    /// The newest logger read or listing, without its records (those are in
    /// [`Self::logger_history`]).
    pub fn history(&self) -> Option<&HistoryReport> {
        self.history.as_ref()
    }

    /// How far the logger read under way has come.
    pub fn history_progress(&self) -> Option<HistoryProgress> {
        self.history_progress
    }

    /// The newest readout of a meter that speaks a text protocol.
    pub fn readout(&self) -> Option<&ReadoutReport> {
        self.readout.as_ref()
    }

    /// Takes the registers of a read done again; says what came of it, unless it was cut short
    /// before it read anything.
    pub fn read_again(&mut self, report: &ReadReport) -> Option<Result<String, String>> {
        if !report.registers.is_empty() {
            self.map_mut().insert(report.registers.iter().cloned());
        }
        if report.interrupted {
            return (!report.registers.is_empty()).then(|| {
                Ok(format!(
                    "Read {} registers again before the read was stopped",
                    report.registers.len()
                ))
            });
        }
        let mut text = format!("Read {} registers again", report.registers.len());
        if !report.missing.is_empty() {
            let ids: Vec<String> = report.missing.iter().map(ToString::to_string).collect();
            text.push_str(&format!("; the meter left out {}", ids.join(", ")));
        }
        Some(match &report.failure {
            Some(failure) => Err(format!("{text}; no valid answer for the rest: {failure}")),
            None => Ok(text),
        })
    }

    /// The map, when it changed and was last written a second or more ago: it is taken as
    /// written.
    pub fn map_to_save(&mut self, now: Instant) -> Option<&RegisterMap> {
        let due = self
            .map_saved_at
            .is_none_or(|at| now.saturating_duration_since(at) >= MAP_SAVE_EVERY);
        if !self.map_dirty || !due || self.session.is_none() {
            return None;
        }
        self.map_dirty = false;
        self.map_saved_at = Some(now);
        Some(&self.map)
    }

    /// The map, when it changed since it was last written: it is taken as written.
    pub fn unsaved_map(&mut self) -> Option<&RegisterMap> {
        if !self.map_dirty || self.session.is_none() {
            return None;
        }
        self.map_dirty = false;
        Some(&self.map)
    }

    /// Records into `session` from now on.
    pub fn set_session(&mut self, session: RecordedSession) {
        self.session = Some(session);
    }

    /// Changes the session's manifest; returns it, to be written.
    pub fn change_manifest(&mut self, change: impl FnOnce(&mut Manifest)) -> Option<&Manifest> {
        let session = self.session.as_mut()?;
        change(&mut session.manifest);
        Some(&session.manifest)
    }

    /// The session now records in `dir` (save as): its traffic is read from there.
    pub fn session_moved(&mut self, dir: PathBuf) -> Result<(), SessionError> {
        if let Some(session) = &mut self.session {
            session.dir = dir;
            session.traffic = TrafficLog::open(&traffic_path(&session.dir))?;
        }
        Ok(())
    }

    /// Indexes the traffic lines the recorder wrote since the last look.
    pub fn refresh_traffic(&mut self) -> Result<(), SessionError> {
        match &mut self.session {
            Some(session) => session.traffic.refresh().map(|_| ()),
            None => Ok(()),
        }
    }

    /// Starts afresh for a new session: no readings, no registers, no names, no session; the
    /// meter family stays.
    pub fn clear(&mut self) {
        let family = self.map.family;
        *self = Self::default();
        self.map.family = family;
    }

    /// Takes what an opened session holds.
    pub fn open(
        &mut self,
        readings: Readings,
        histories: Vec<LoggerHistory>,
        map: RegisterMap,
        session: RecordedSession,
    ) {
        *self = Self {
            readings,
            histories,
            map,
            session: Some(session),
            ..Self::default()
        };
    }

    /// Replaces the register map with one opened from a file.
    pub fn replace_map(&mut self, map: RegisterMap) {
        self.map = map;
        self.map_dirty = true;
    }
}

#[cfg(test)]
mod tests;
