//! Live polling for the plots (KMP registers request by request, a text meter by its readout),
//! the readout read on request, and the readings the polls bring.

use std::time::Duration;

use crate::kmp::RegisterId;
use crate::link::{Job, JobId, PollPlan, ReadReport, ReadoutOptions, ReadoutPlan, ReadoutReport};
use crate::model::RegisterKey;
use crate::mqtt::Secret;
use crate::protocol::Protocol;

use super::{Controller, Notice, publishing, recording};

/// How long a readout read on request waits for the eye.
const READOUT_WAIT: Duration = Duration::from_secs(10);

/// Polls `keys` every `interval`: KMP registers request by request, the others by their
/// readout. The session's manifest says what is polled.
pub(super) fn start(
    state: &mut Controller,
    keys: Vec<RegisterKey>,
    interval: Duration,
    password: Option<Secret>,
) {
    let ids: Vec<RegisterId> = keys.iter().filter_map(|key| key.kmp()).collect();
    recording::change_manifest(state, |manifest| {
        manifest.polled = ids.clone();
        manifest.interval_s = Some(interval.as_secs_f64());
    });
    // OBIS codes are polled in the protocol the meter was found speaking: IEC or SML.
    let spoken = state.view.spoken().map(|spoken| spoken.protocol);
    let protocol = keys.first().map_or(Protocol::Kmp, |key| match spoken {
        Some(spoken) if key.read_in(spoken) => spoken,
        _ => key.protocol(),
    });
    let job = if protocol == Protocol::Kmp {
        Job::Poll(PollPlan { ids, interval })
    } else {
        Job::ReadoutPoll(ReadoutPlan {
            options: ReadoutOptions {
                protocol: Some(protocol),
                wait: Duration::ZERO,
            },
            interval,
        })
    };
    state.poll_keys = keys;
    state.jobs.start(job, None);
    if let Err(why) = publishing::start(state, password) {
        state.notice = Some(Notice {
            text: format!("Polling, not publishing: {why}"),
            good: false,
        });
    }
}

pub(super) fn stop(state: &mut Controller) {
    publishing::stop(state);
    state
        .jobs
        .cancel_if(|job| matches!(job, Job::Poll(_) | Job::ReadoutPoll(_)));
}

/// Reads the whole readout of a meter found speaking a text protocol, in that protocol.
pub(super) fn read_readout(state: &mut Controller) {
    let spoken = state.view.spoken().filter(|spoken| spoken.is_text());
    let options = ReadoutOptions {
        protocol: spoken.map(|spoken| spoken.protocol),
        wait: READOUT_WAIT,
    };
    state.jobs.start_between_checks(Job::Readout(options));
}

/// Every poll's readings count, whichever job is current by now, if the poll was started for
/// the session on screen.
pub(super) fn on_polled(state: &mut Controller, id: JobId, report: &ReadReport) {
    if state.recording.holds(id) {
        state.workspace.record_poll(report);
    }
}

/// As [`on_polled`], for a readout polled.
pub(super) fn on_readout_polled(state: &mut Controller, id: JobId, report: &ReadoutReport) {
    if state.recording.holds(id) {
        state.workspace.record_readout_poll(report);
    }
}

/// A readout read on request ended; says what came of it.
pub(super) fn on_readout(
    state: &mut Controller,
    report: &ReadoutReport,
) -> Option<Result<String, String>> {
    state.workspace.read_readout(report)
}
