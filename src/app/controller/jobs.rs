//! The one job under way on the link, as the link keeps one: a job started replaces it. A
//! sweep, scan or read interrupts the link check, which comes back when the job is through;
//! the check that pauses itself after its request limit is remembered until the next job.

use crate::link::{EndReason, Job, JobId, LinkHandle};

/// The job under way, and the job to go back to when it is through.
#[derive(Clone, Debug)]
struct CurrentJob {
    id: JobId,
    job: Job,
    /// The link check, when a sweep, scan or read interrupted it.
    then: Option<Job>,
}

/// The link and the job under way on it.
pub(super) struct Jobs {
    link: LinkHandle,
    current: Option<CurrentJob>,
    /// The link check paused itself after this many requests, and nothing ran since.
    check_paused: Option<u32>,
}

impl Jobs {
    pub(super) fn new(link: LinkHandle) -> Self {
        Self {
            link,
            current: None,
            check_paused: None,
        }
    }

    /// The link, for what is not a job: opening, closing, its events.
    pub(super) fn link(&self) -> &LinkHandle {
        &self.link
    }

    /// The job under way.
    pub(super) fn job(&self) -> Option<&Job> {
        self.current.as_ref().map(|current| &current.job)
    }

    /// The requests after which the link check paused itself, if it did and nothing ran since.
    pub(super) fn check_paused(&self) -> Option<u32> {
        self.check_paused
    }

    /// Starts `job` in place of the one under way; `then` comes back when it is through.
    pub(super) fn start(&mut self, job: Job, then: Option<Job>) -> JobId {
        let id = self.link.start(job.clone());
        self.current = Some(CurrentJob { id, job, then });
        self.check_paused = None;
        id
    }

    /// Starts a job that goes back to the link check when it is through, if the check was
    /// running (or was to come back after the job it replaces).
    pub(super) fn start_between_checks(&mut self, job: Job) -> JobId {
        let then = match &self.current {
            Some(CurrentJob {
                job: check @ Job::Check(_),
                ..
            }) => Some(check.clone()),
            Some(current) => current.then.clone(),
            None => None,
        };
        self.start(job, then)
    }

    /// Cancels the job under way if it is of `kind`; the link check comes back if the job
    /// had interrupted it.
    pub(super) fn cancel_if(&mut self, kind: impl Fn(&Job) -> bool) {
        if let Some(current) = self.current.take_if(|current| kind(&current.job)) {
            self.link.cancel(current.id);
            if let Some(then) = current.then {
                self.start(then, None);
            }
        }
    }

    /// The job `id` ended for `reason`: if it was the one under way, what it interrupted comes
    /// back, unless the port is gone or another job took its place.
    pub(super) fn ended(&mut self, id: JobId, reason: EndReason) {
        let Some(ended) = self.current.take_if(|current| current.id == id) else {
            return;
        };
        if let (Job::Check(options), EndReason::Done) = (&ended.job, reason) {
            // The check paused itself to spare the meter's battery.
            self.check_paused = options.request_limit;
        }
        if matches!(reason, EndReason::Done | EndReason::Cancelled)
            && let Some(then) = ended.then
        {
            self.start(then, None);
        }
    }

    /// The port closed (or never opened): no job goes on.
    pub(super) fn forget(&mut self) {
        self.current = None;
    }
}
