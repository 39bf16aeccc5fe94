//! Autosave: while connected, everything goes into a session on disk as it arrives. The first
//! connection starts a session in the app's data folder; a session opened or saved elsewhere
//! goes on recording where it is.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::kmp::Register;
use crate::link::traffic::TrafficRecord;
use crate::session::{Manifest, Session, SessionError};

use super::{MeterApp, Notice};

/// The register map is written at most this often while the user types names.
const MAP_SAVE_EVERY: Duration = Duration::from_secs(1);

impl MeterApp {
    /// Makes sure a session records this connection: starts one if none is open.
    pub(super) fn begin_session(&mut self) {
        let manifest = |settings: &super::Settings| Manifest {
            started: Some(Timestamp::now()),
            port: settings.port.clone(),
            line: settings.line,
            address: settings.address,
            echo: settings.echo,
            ..Manifest::default()
        };
        if let Some(session) = &mut self.session {
            let (port, line) = (self.settings.port.clone(), self.settings.line);
            let result = session.update_manifest(|manifest| {
                manifest.port = port;
                manifest.line = line;
            });
            self.recording_failed(result);
            return;
        }
        let Some(root) = self.sessions_dir.clone() else {
            return;
        };
        let dir = new_session_dir(&root);
        match Session::create(&dir, manifest(&self.settings), &self.map) {
            Ok(session) => self.session = Some(session),
            Err(error) => self.recording_failed(Err(error)),
        }
    }

    /// Closes the session, keeping it among the recent ones, and starts an empty one (recording
    /// at once when connected). The meter family stays; readings, registers and names go with
    /// the old session.
    pub(super) fn new_session(&mut self) {
        if self.polling.is_some() {
            self.act(super::Action::StopPolling);
        }
        if let Some(old) = self.session.take() {
            self.remember(old.dir());
        }
        let family = self.map.family;
        self.map = crate::model::RegisterMap::default();
        self.map.family = family;
        self.readings = crate::model::Readings::default();
        self.scans = super::ScanView::default();
        self.map_dirty = false;
        self.recording_error_shown = false;
        if self.view.is_connected() {
            self.begin_session();
        }
        self.notice = Some(Notice {
            text: match &self.session {
                Some(session) => format!(
                    "New session, recording to {}",
                    super::files::shown(session.dir())
                ),
                None => "New session: it starts recording when a port opens".into(),
            },
            good: true,
        });
    }

    /// Journals a traffic line.
    pub(super) fn record_traffic(&mut self, record: &TrafficRecord) {
        if let Some(session) = &mut self.session {
            let result = session.record_traffic(record);
            self.recording_failed(result);
        }
    }

    /// Journals a poll.
    pub(super) fn record_poll(&mut self, at: Timestamp, registers: &[Register]) {
        if let Some(session) = &mut self.session {
            let result = session.record_poll(at, registers);
            self.recording_failed(result);
        }
    }

    /// Writes the register map into the session if it changed, at most once a second.
    pub(super) fn save_map_if_changed(&mut self) {
        let due = self
            .map_saved_at
            .is_none_or(|at| at.elapsed() >= MAP_SAVE_EVERY);
        if !self.map_dirty || !due {
            return;
        }
        if let Some(session) = &self.session {
            let result = session.save_map(&self.map);
            self.map_saved_at = Some(Instant::now());
            self.map_dirty = false;
            self.recording_failed(result);
        }
    }

    /// Tells the user once that recording failed, and why.
    fn recording_failed(&mut self, result: Result<(), SessionError>) {
        if let Err(error) = result
            && !self.recording_error_shown
        {
            self.recording_error_shown = true;
            self.notice = Some(Notice {
                text: format!(
                    "Recording the session failed: {error}. Readings stay on screen; save the \
                     session elsewhere (Session screen)."
                ),
                good: false,
            });
        }
    }
}

/// A new folder for a session under `root`, named by the local time it starts.
fn new_session_dir(root: &std::path::Path) -> PathBuf {
    let stamp = jiff::Zoned::now().strftime("%Y-%m-%d_%H%M%S").to_string();
    let mut dir = root.join(&stamp);
    let mut n = 2;
    while dir.exists() {
        dir = root.join(format!("{stamp}_{n}"));
        n += 1;
    }
    dir
}
