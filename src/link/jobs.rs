//! The link's jobs as sans-IO state machines, in the manner of quinn-proto: a job never touches
//! the port, the clock or a channel. The link's machine ([`super::machine`]) resumes it with an
//! [`Input`] (its start, the result of the exchange it asked for, its timer) and the moment it
//! happens, and the job answers with the next [`Step`]: an exchange, a pause, or its end. What it
//! has to report goes into the context's event list.
//!
//! A job is stopped between steps: when it is cancelled or replaced with an exchange in flight,
//! that exchange runs to its end (one attempt at most) and its result is handed to the job before
//! [`Running::stop`], so no answer the meter gave is lost.

mod address_search;
mod check;
mod early_round;
mod history;
mod pace;
mod poll;
mod probe;
mod read;
mod readout;
mod scan;
mod step;
mod sweep;
mod text_search;
mod wake;

use super::messages::{EndReason, Job, Report};

pub(crate) use step::{Attempts, Cx, Input, Step};

/// A job under way.
#[derive(Debug)]
pub(crate) enum Running {
    Probe(probe::Probe),
    Read(read::Read),
    Poll(poll::Poll),
    Readout(readout::Readout),
    ReadoutPoll(readout::ReadoutPoll),
    Scan(scan::Scan),
    Sweep(sweep::Sweep),
    Check(check::Check),
    History(history::History),
}

impl Running {
    /// The machine for `job`, not yet started.
    pub fn new(job: Job) -> Self {
        match job {
            Job::Probe(options) => Self::Probe(probe::Probe::new(options)),
            Job::Read(options) => Self::Read(read::Read::new(options)),
            Job::Poll(plan) => Self::Poll(poll::Poll::new(plan)),
            Job::Readout(options) => Self::Readout(readout::Readout::new(options)),
            Job::ReadoutPoll(plan) => Self::ReadoutPoll(readout::ReadoutPoll::new(plan)),
            Job::Scan(options) => Self::Scan(scan::Scan::new(options)),
            Job::Sweep => Self::Sweep(sweep::Sweep::default()),
            Job::Check(options) => Self::Check(check::Check::new(options)),
            Job::History(options) => Self::History(history::History::new(options)),
        }
    }

    /// Resumes the job with `input`; returns what it wants next.
    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match self {
            Self::Probe(job) => job.resume(input, cx),
            Self::Read(job) => job.resume(input, cx),
            Self::Poll(job) => job.resume(input, cx),
            Self::Readout(job) => job.resume(input, cx),
            Self::ReadoutPoll(job) => job.resume(input, cx),
            Self::Scan(job) => job.resume(input, cx),
            Self::Sweep(job) => job.resume(input, cx),
            Self::Check(job) => job.resume(input, cx),
            Self::History(job) => job.resume(input, cx),
        }
    }

    /// Ends the job before it is through; returns its report of what it found.
    pub fn stop(&mut self, reason: EndReason, cx: &mut Cx<'_>) -> Option<Report> {
        match self {
            Self::Probe(job) => Some(Report::Probe(job.report(cx, reason != EndReason::Done))),
            Self::Read(job) => Some(Report::Read(job.stop(cx))),
            Self::Poll(job) => {
                job.interrupt(cx);
                None
            }
            Self::Scan(job) => Some(Report::Scan(job.stop(cx))),
            Self::Sweep(job) => Some(Report::Sweep(job.rows().to_vec())),
            Self::Readout(job) => Some(Report::Readout(job.stop(cx, reason != EndReason::Done))),
            Self::ReadoutPoll(job) => {
                job.interrupt();
                None
            }
            Self::History(job) => Some(Report::History(job.stop(cx))),
            Self::Check(_) => None,
        }
    }

    /// Whether the job waits for a lost port and goes on once it is back, rather than ending.
    pub fn survives_port_loss(&self) -> bool {
        matches!(self, Self::Poll(_) | Self::ReadoutPoll(_) | Self::Check(_))
    }

    /// The port was lost: a job that survives it drops the round under way (a poll reports
    /// what it had read of it) and starts afresh with [`Input::Start`] once the port is back.
    pub fn suspend(&mut self, cx: &mut Cx<'_>) {
        match self {
            Self::Poll(job) => job.interrupt(cx),
            Self::ReadoutPoll(job) => job.interrupt(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
