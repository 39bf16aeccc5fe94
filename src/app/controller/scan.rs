//! Register scans and the register map they fill: scanning a range, reading ticked registers
//! again, the names the user gives and the meter family that names the rest.

use std::time::Duration;

use crate::kmp::{Family, RegisterId};
use crate::link::{Job, JobEvent, JobId, ReadOptions, ReadReport, ScanOptions};

use super::Controller;

/// How long a scan waits for an eye that has not answered yet.
const SCAN_WAKE_WAIT: Duration = Duration::from_secs(120);

/// How long a read again waits for the eye.
const READ_WAIT: Duration = Duration::from_secs(10);

/// Scans IDs `from..=to`, the family's catalogue first.
pub(super) fn start(state: &mut Controller, from: u16, to: u16) {
    let family = state.workspace.map().family;
    let options = ScanOptions::catalogue_first(from, to, SCAN_WAKE_WAIT, family);
    state.jobs.start_between_checks(Job::Scan(options));
}

/// Stops the scan under way; it reports what it found and where to resume.
pub(super) fn cancel(state: &mut Controller) {
    state.jobs.cancel_if(|job| matches!(job, Job::Scan(_)));
}

pub(super) fn read_again(state: &mut Controller, ids: Vec<RegisterId>) {
    let options = ReadOptions {
        ids,
        wait: READ_WAIT,
    };
    state.jobs.start_between_checks(Job::Read(options));
}

/// Names register `id`; an empty name removes the name.
pub(super) fn rename(state: &mut Controller, id: RegisterId, name: &str) {
    state.workspace.map_mut().set_name(id, name);
}

/// Names registers from `family`'s catalogue.
pub(super) fn set_family(state: &mut Controller, family: Option<Family>) {
    state.workspace.map_mut().family = family;
}

/// Every job's events pass the scans' view, which takes what a scan found into the map.
pub(super) fn on_job_event(state: &mut Controller, id: JobId, event: &JobEvent) {
    let scans = &mut state.scans;
    state
        .workspace
        .change_map(|map| scans.handle(id, event, map));
}

/// A read again ended; says what came of it.
pub(super) fn on_read(
    state: &mut Controller,
    report: &ReadReport,
) -> Option<Result<String, String>> {
    state.workspace.read_again(report)
}
