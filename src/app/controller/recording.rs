//! The session being recorded: started when a port opens, fed by the recorder's own thread from
//! the link's tap, told of the register map and the manifest as they change; what the recorder
//! reports; recording that failed, said once a session.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::link::{JobId, Now};
use crate::session::{
    Manifest, Recorder, RecorderReport, Session, StoredSession, TrafficLog, stored,
};

use super::{Controller, Notice};
use crate::app::files::shown;
use crate::app::workspace::RecordedSession;

/// The recorder, and what the controller knows of the sessions it writes.
pub(super) struct Recording {
    recorder: Recorder,
    /// Where sessions are autosaved; without it, nothing is recorded until a session is opened.
    dir: Option<PathBuf>,
    /// The first job whose polls belong to the session on screen: a session holds the polls
    /// of the jobs started while it is the one recorded (the recorder keeps the same rule).
    first_job: JobId,
    /// Whether the user was told that recording failed, this session.
    error_shown: bool,
    /// The sessions in the autosave folder, as last looked at.
    stored: Vec<StoredSession>,
}

impl Recording {
    pub(super) fn new(recorder: Recorder, dir: Option<PathBuf>) -> Self {
        Self {
            recorder,
            dir,
            first_job: JobId::new(0),
            error_shown: false,
            stored: Vec::new(),
        }
    }

    pub(super) fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    pub(super) fn try_report(&self) -> Option<RecorderReport> {
        self.recorder.try_report()
    }

    /// Whether what job `id` brings belongs to the session on screen.
    pub(super) fn holds(&self, id: JobId) -> bool {
        id >= self.first_job
    }

    /// Another session is on screen from now on, holding the jobs from `first_job` on.
    pub(super) fn restart(&mut self, first_job: JobId) {
        self.first_job = first_job;
        self.error_shown = false;
    }

    /// Has the recorder write `session` from now on, with the polls of the jobs that belong to
    /// it.
    pub(super) fn record(&self, session: Session) {
        self.recorder.begin(session, self.first_job);
    }

    /// Whether the user was told that recording this session failed.
    pub(super) fn failed_already(&self) -> bool {
        self.error_shown
    }

    /// The sessions in the autosave folder, newest first, as last looked at.
    pub(super) fn stored(&self) -> &[StoredSession] {
        &self.stored
    }

    /// Looks again at the sessions in the autosave folder.
    pub(super) fn look_at_stored(&mut self) {
        self.stored = self.dir.as_deref().map(stored::list).unwrap_or_default();
    }
}

/// Makes sure a session records this connection: starts one if none is open, else writes the
/// port and line into its manifest.
pub(super) fn begin(state: &mut Controller, now: Now) {
    let connection = &state.settings.connection;
    let (port, line) = (connection.port.clone(), connection.line);
    if state.workspace.session().is_some() {
        change_manifest(state, |manifest| {
            manifest.port = port;
            manifest.line = line;
        });
        return;
    }
    let Some(root) = state.recording.dir.clone() else {
        return;
    };
    let manifest = Manifest {
        started: Some(now.wall),
        port,
        line,
        address: connection.address,
        echo: connection.echo,
        ..Manifest::default()
    };
    let dir = new_session_dir(&root, now);
    let started = Session::create(&dir, manifest.clone(), state.workspace.map())
        .and_then(|session| Ok((TrafficLog::open(&session.traffic_path())?, session)));
    match started {
        Ok((traffic, session)) => {
            state.recording.record(session);
            state
                .workspace
                .set_session(RecordedSession::new(dir, manifest, traffic));
            state.recording.look_at_stored();
        }
        Err(error) => failed(state, error.to_string()),
    }
}

/// Keeps what the link check found the meter speaking in the session's manifest, so the
/// session hands it over later (`config --session`).
pub(super) fn on_spoken(state: &mut Controller) {
    let spoken = state.view.spoken().cloned();
    change_manifest(state, |manifest| manifest.spoken = spoken);
}

/// Changes the manifest of the session being recorded, if one is, and has it written.
pub(super) fn change_manifest(state: &mut Controller, change: impl FnOnce(&mut Manifest)) {
    if let Some(manifest) = state.workspace.change_manifest(change) {
        state.recording.recorder.set_manifest(manifest);
    }
}

/// Writes the register map into the session when it changed and was last written a while
/// ago; indexes the traffic the recorder wrote since.
pub(super) fn keep_up(state: &mut Controller, now: Instant) {
    if let Some(map) = state.workspace.map_to_save(now) {
        state.recording.recorder.save_map(map);
    }
    if let Err(error) = state.workspace.refresh_traffic() {
        failed(state, error.to_string());
    }
}

/// Writes the register map into the session now if it changed.
pub(super) fn flush_map(state: &mut Controller) {
    if let Some(map) = state.workspace.unsaved_map() {
        state.recording.recorder.save_map(map);
    }
}

/// Takes what the recorder reports: a failure, or where a session was saved to.
pub(super) fn on_report(state: &mut Controller, report: RecorderReport) {
    match report {
        RecorderReport::Failed(error) => failed(state, error),
        RecorderReport::SavedAs(Ok(dir)) => {
            state.settings.remember_session(&dir);
            state.recording.look_at_stored();
            state.notice = Some(match state.workspace.session_moved(dir.clone()) {
                Ok(()) => Notice {
                    text: format!(
                        "Saved the session to {}; recording goes on there",
                        shown(&dir)
                    ),
                    good: true,
                },
                // The session was saved, but its traffic cannot be shown from there.
                Err(error) => Notice {
                    text: format!("Saved the session, but cannot read its traffic: {error}"),
                    good: false,
                },
            });
        }
        RecorderReport::SavedAs(Err(error)) => {
            state.notice = Some(Notice {
                text: format!("{error}. Recording goes on where it was."),
                good: false,
            });
        }
    }
}

/// Tells the user once a session that recording failed, and why.
fn failed(state: &mut Controller, error: String) {
    if !state.recording.error_shown {
        state.recording.error_shown = true;
        state.notice = Some(Notice {
            text: format!(
                "Recording the session failed: {error}. Readings stay on screen; save the \
                 session elsewhere (Session screen)."
            ),
            good: false,
        });
    }
}

/// A new folder for a session under `root`, named by the local time `now`, when it starts. The
/// folder is made here, by one `create_dir` that fails if it exists, so two windows started in
/// the same second each get their own (`…_2` for the second) instead of sharing one. A folder
/// that cannot be made for another reason is returned all the same, for the session to report
/// why.
pub(super) fn new_session_dir(root: &Path, now: Now) -> PathBuf {
    let stamp = now
        .wall
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d_%H%M%S")
        .to_string();
    // Any failure here shows again, with its path, when the session is created.
    let _ = std::fs::create_dir_all(root);
    let mut n = 1;
    loop {
        let dir = match n {
            1 => root.join(&stamp),
            _ => root.join(format!("{stamp}_{n}")),
        };
        match std::fs::create_dir(&dir) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            _ => return dir,
        }
    }
}

#[cfg(test)]
mod tests;
