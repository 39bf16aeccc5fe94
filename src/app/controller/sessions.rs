//! What the user does with sessions: a new one, one opened or saved as a new folder, stored
//! ones deleted, and the lists the Session screen shows (recent and stored sessions).

use std::path::{Path, PathBuf};

use crate::link::{Job, Now};
use crate::session::{Session, stored};

use super::{Controller, Notice, recording};
use crate::app::files::{shown, size_text};
use crate::app::scan_view::ScanView;
use crate::app::screen::Screen;
use crate::app::workspace::RecordedSession;

/// Shows `screen`; the Session screen lists the stored sessions as they are now.
pub(super) fn show(state: &mut Controller, screen: Screen) {
    state.settings.screen = screen;
    if screen == Screen::Session {
        state.recording.look_at_stored();
    }
}

/// Closes the session, keeping it among the recent ones, and starts an empty one (recording
/// at once when connected). The meter family stays; readings, registers and names go with
/// the old session.
pub(super) fn new_session(state: &mut Controller, now: Now) {
    close(state);
    if let Some(old) = state.workspace.session_dir().map(Path::to_path_buf) {
        state.settings.remember_session(&old);
    }
    state.recording.recorder().end();
    state.workspace.clear();
    if state.view.is_connected() {
        recording::begin(state, now);
    }
    state.recording.look_at_stored();
    if state.recording.failed_already() {
        // The failure to start recording is the news.
        return;
    }
    state.notice = Some(Notice {
        text: match state.workspace.session_dir() {
            Some(dir) => format!("New session, recording to {}", shown(dir)),
            None => "New session: it starts recording when a port opens".into(),
        },
        good: true,
    });
}

/// Ends what belongs to the session on screen before another takes its place: its polls and
/// logger reads stop, its map is written, its scans are forgotten, and the jobs from now on
/// belong to the next.
fn close(state: &mut Controller) {
    state
        .jobs
        .cancel_if(|job| matches!(job, Job::Poll(_) | Job::History(_)));
    recording::flush_map(state);
    state.scans = ScanView::default();
    let first_job = state.jobs.link().next_job();
    state.recording.restart(first_job);
}

/// Copies the session to `path` and records on there; the recorder says when it is done.
pub(super) fn save_as(state: &mut Controller, path: &Path) -> Result<String, String> {
    if state.workspace.session().is_none() {
        return Err(
            "Nothing is recorded yet: connect to a port and a session starts by itself.".into(),
        );
    }
    state
        .recording
        .recorder()
        .save_as(path.to_path_buf(), state.workspace.map());
    Ok(format!("Saving the session to {}…", shown(path)))
}

/// Opens the session at `path` in place of the one on screen, and records on there.
pub(super) fn open(state: &mut Controller, path: &Path) -> Result<String, String> {
    let shown_path = shown(path);
    let same = |dir: &Path| {
        std::fs::canonicalize(dir).ok() == std::fs::canonicalize(path).ok()
            || std::fs::canonicalize(dir.join("session.ron")).ok()
                == std::fs::canonicalize(path).ok()
    };
    if state.workspace.session_dir().is_some_and(same) {
        return Err(format!("{shown_path} is the session being recorded now"));
    }
    let opened =
        Session::open(path).map_err(|error| format!("{error}. The session on screen was kept."))?;
    close(state);
    let cut = if opened.report.cut_short {
        " (its last poll was cut short by a crash and is left out)"
    } else {
        ""
    };
    let session = RecordedSession::new(
        opened.session.dir().to_path_buf(),
        opened.session.manifest().clone(),
        opened.traffic,
    );
    state.recording.record(opened.session);
    state
        .workspace
        .open(opened.readings, opened.history, opened.map, session);
    state.settings.remember_session(path);
    let records = match state.workspace.history_records() {
        0 => String::new(),
        records => format!(", {records} logger records"),
    };
    Ok(format!(
        "Opened {shown_path}: {} polls{records}{cut}",
        state.workspace.readings().polls()
    ))
}

/// Deletes stored sessions, never the one being recorded; says what was done.
pub(super) fn delete(state: &mut Controller, dirs: &[PathBuf]) {
    let outcome = delete_stored(state, dirs);
    state.notice = Some(Notice::from(outcome));
    state.recording.look_at_stored();
}

fn delete_stored(state: &mut Controller, dirs: &[PathBuf]) -> Result<String, String> {
    let recording = state.workspace.session_dir().map(Path::to_path_buf);
    let (mut deleted, mut freed, mut problems) = (0, 0, Vec::new());
    for dir in dirs {
        if recording.as_deref() == Some(dir) {
            problems.push(format!("{} is being recorded", shown(dir)));
            continue;
        }
        match stored::delete(dir) {
            Ok(bytes) => {
                deleted += 1;
                freed += bytes;
                let gone = dir.display().to_string();
                state
                    .settings
                    .recent_sessions
                    .retain(|recent| *recent != gone);
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    let done = format!(
        "Deleted {deleted} session{} ({})",
        if deleted == 1 { "" } else { "s" },
        size_text(freed)
    );
    if problems.is_empty() {
        Ok(done)
    } else {
        Err(format!("{done}; kept: {}", problems.join("; ")))
    }
}
