//! Files the user picks: the dialog asked for (one at a time, its answer a message), the typed
//! path asked for when no file was picked, what is done with the file, the CSV dialect of
//! exports, and the recording shown on the Traffic screen.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::export::Dialect;
use crate::link::Now;

use super::{Controller, Notice, sessions};
use crate::app::action::FileJob;
use crate::app::file_jobs;
use crate::app::files::{FilePicker, PickAnswer, Picked, Wake, shown};
use crate::app::screen::Screen;

/// How files are asked for, and what was asked.
pub(super) struct Files {
    picker: Box<dyn FilePicker>,
    /// Wakes the app when a dialog's answer arrives.
    wake: Wake,
    picks: (Sender<Picked>, Receiver<Picked>),
    /// The job a file dialog is open for.
    picking: Option<FileJob>,
    /// The job a typed path is asked for.
    prompt: Option<FileJob>,
}

impl Files {
    pub(super) fn new(picker: Box<dyn FilePicker>, wake: Wake) -> Self {
        Self {
            picker,
            wake,
            picks: mpsc::channel(),
            picking: None,
            prompt: None,
        }
    }

    pub(super) fn set_picker(&mut self, picker: Box<dyn FilePicker>) {
        self.picker = picker;
    }

    /// A dialog's answer, if one came.
    pub(super) fn try_picked(&self) -> Option<Picked> {
        self.picks.1.try_recv().ok()
    }

    /// The job a typed path is asked for.
    pub(super) fn prompt(&self) -> Option<FileJob> {
        self.prompt
    }
}

/// Asks for a file for `job`, unless a dialog is open already.
pub(super) fn choose(state: &mut Controller, job: FileJob) {
    let files = &mut state.files;
    if files.picking.is_none() {
        files.picking = Some(job);
        let answer = PickAnswer::new(job, files.picks.0.clone(), Arc::clone(&files.wake));
        files.picker.pick(answer);
    }
}

/// A dialog answered: the file picked is used (the dialog asked before replacing one), and
/// without one a typed path is asked for.
pub(super) fn on_picked(state: &mut Controller, Picked { job, path }: Picked, now: Now) {
    state.files.picking = None;
    match path {
        Some(path) => use_file(state, job, &path, true, now),
        None => state.files.prompt = Some(job),
    }
}

/// Does `job` with the file at `path`, replacing an existing one only if `replace`; the
/// notice says what was done, or what went wrong and the fix.
pub(super) fn use_file(state: &mut Controller, job: FileJob, path: &Path, replace: bool, now: Now) {
    let outcome = if job.writes() && !replace && path.exists() {
        Err(format!(
            "{} exists already and was left as it is; choose a new name",
            shown(path)
        ))
    } else {
        match job {
            FileJob::SaveSession => sessions::save_as(state, path),
            FileJob::OpenSession => sessions::open(state, path),
            FileJob::SaveHandover(target) => save_handover(state, target, path),
            job => file_jobs::carry_out(&mut state.workspace, job, path, now),
        }
    };
    if outcome.is_ok() {
        state.files.prompt = None;
        if job == FileJob::OpenCapture {
            super::signal_plot::show_first(state);
        }
    }
    state.notice = Some(Notice::from(outcome));
}

/// Opens what was dropped on the window, or named on the command line: a folder as a session
/// on the Session screen, a file as a recording on the Traffic screen. Each screen shows one,
/// so the first is opened and the notice says how many were left.
pub(super) fn open_dropped(state: &mut Controller, paths: &[PathBuf], now: Now) {
    let Some(path) = paths.first() else {
        return;
    };
    let (screen, job) = if path.is_dir() {
        (Screen::Session, FileJob::OpenSession)
    } else {
        (Screen::Traffic, FileJob::OpenCapture)
    };
    state.settings.screen = screen;
    use_file(state, job, path, false, now);
    if let (Some(notice), [_, rest @ ..]) = (&mut state.notice, paths)
        && !rest.is_empty()
    {
        notice.text.push_str(&format!(
            " ({} more dropped and not opened: one at a time)",
            rest.len()
        ));
    }
}

/// Writes what was proven as `target`'s configuration to `path`.
fn save_handover(
    state: &Controller,
    target: crate::handover::Target,
    path: &Path,
) -> Result<String, String> {
    let proven =
        crate::app::handover_view::proven(&state.settings, state.link_view(), &state.workspace)?;
    let text = crate::handover::write(target, &proven).map_err(|cannot| cannot.to_string())?;
    crate::atomic_file::write(path, text.as_bytes())
        .map_err(|error| format!("cannot write {}: {error}", shown(path)))?;
    Ok(format!(
        "Saved the {} configuration to {}",
        target.name(),
        shown(path)
    ))
}

/// Forgets the typed-path prompt.
pub(super) fn dismiss_prompt(state: &mut Controller) {
    state.files.prompt = None;
}

/// Closes the recording shown on the Traffic screen.
pub(super) fn close_capture(state: &mut Controller) {
    state.workspace.close_capture();
}

/// Decodes text pasted off an analyser's screen, and says what came of it.
pub(super) fn paste_capture(state: &mut Controller, text: &str, now: Now) {
    let outcome = crate::app::file_jobs::paste_capture(&mut state.workspace, text, now);
    state.notice = Some(Notice::from(outcome));
}

/// Exports CSV in `dialect` from now on.
pub(super) fn set_dialect(state: &mut Controller, dialect: Dialect) {
    state.settings.dialect = dialect;
}
