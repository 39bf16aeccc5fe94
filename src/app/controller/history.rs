//! Reads of the meter's loggers: starting and cancelling one, its progress, and its records,
//! with what it asked kept so that a read cut short can be resumed with the same registers.

use crate::link::{HistoryOptions, HistoryProgress, HistoryReport, Job, JobId};

use super::Controller;

/// Reads a logger, or lists what it holds.
pub(super) fn read(state: &mut Controller, options: HistoryOptions) {
    let id = state
        .jobs
        .start_between_checks(Job::History(options.clone()));
    state.history_asked = Some((id, options));
}

/// Stops the logger read under way; it reports the records read so far.
pub(super) fn cancel(state: &mut Controller) {
    state.jobs.cancel_if(|job| matches!(job, Job::History(_)));
}

pub(super) fn on_progress(state: &mut Controller, progress: HistoryProgress) {
    state.workspace.history_moved(progress);
}

/// A logger read ended; says what came of it. Only a read of the session on screen counts: its
/// records are in that session's journal.
pub(super) fn on_read(
    state: &mut Controller,
    id: JobId,
    report: &HistoryReport,
) -> Option<Result<String, String>> {
    if !state.recording.holds(id) {
        return None;
    }
    let asked = state
        .history_asked
        .as_ref()
        .filter(|(asked, _)| *asked == id)
        .map(|(_, options)| options);
    state.workspace.read_history(report, asked)
}
