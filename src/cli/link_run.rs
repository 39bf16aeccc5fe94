//! Running link jobs from the command line: open the port, start a job, and pump the link's
//! events until the job ends, writing traffic to a file, the countdown to stderr, and passing
//! Ctrl-C on to the link as a cancel of the job.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kmp_workbench::link::port::{SimSettings, SystemOpener};
use kmp_workbench::link::traffic::TrafficWriter;
use kmp_workbench::link::{
    EndReason, Event, Job, JobEvent, JobId, LinkConfig, LinkError, LinkHandle, Report, Tap,
};

use super::output::{Failure, status};
use super::port_args::PortArgs;

/// An open link for one command.
pub struct LinkRun {
    link: LinkHandle,
    traffic: Option<TrafficWriter>,
    interrupted: Arc<AtomicBool>,
    /// The job under way, and whether Ctrl-C was passed on to it.
    job: Option<(JobId, bool)>,
    /// The whole seconds left that the countdown last showed, so it speaks once a second.
    countdown_shown: Option<u64>,
    /// Whether a mode A meter's sign-on was told: once a run, not every poll's.
    readout_follows_shown: bool,
    /// Requests sent, retries included, as the link counts them.
    requests: u64,
    /// Why the port went away, the last time it did.
    lost: Option<LinkError>,
}

impl LinkRun {
    /// Starts the link thread and opens the port; Ctrl-C from here on cancels the job under way.
    /// `tap` sees every event on the link's thread (the session recorder's way in).
    pub fn open(args: &PortArgs, tap: Option<Tap>) -> Result<Result<Self, LinkError>, Failure> {
        let traffic = match &args.traffic {
            Some(path) => Some(TrafficWriter::append(path).map_err(|error| {
                Failure::usage(format!(
                    "cannot append to the traffic file {}: {error}",
                    path.display()
                ))
            })?),
            None => None,
        };
        let interrupted = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&interrupted))
            .map_err(|error| Failure::port(format!("cannot listen for Ctrl-C: {error}")))?;
        // A simulated meter on the command line echoes like a head on the glass and answers at
        // once: scripts and tests want speed, and `sim --realtime` is there for timing.
        let opener = SystemOpener {
            sim: SimSettings {
                echo: true,
                realtime: false,
            },
        };
        let link = LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), tap)
            .map_err(|error| Failure::port(format!("cannot start the link thread: {error}")))?;
        let mut run = Self {
            link,
            traffic,
            interrupted,
            job: None,
            countdown_shown: None,
            readout_follows_shown: false,
            requests: 0,
            lost: None,
        };
        let config: LinkConfig = args.config();
        run.link.open(config);
        loop {
            match run.next_event(Duration::from_millis(50))? {
                Some(Event::Opened { .. }) => return Ok(Ok(run)),
                Some(Event::OpenFailed(error)) => return Ok(Err(error)),
                _ => {}
            }
        }
    }

    /// As [`Self::run`], a port that went away meanwhile being a failure like the others.
    pub fn report<T>(
        &mut self,
        job: Job,
        pick: fn(Report) -> Option<T>,
        progress: impl FnMut(&Event),
    ) -> Result<T, Failure> {
        self.run(job, pick, progress)?
            .map_err(|error| Failure::link(&error))
    }

    /// Starts `job` (a probe, read or scan) and pumps events until it ends; `progress` sees
    /// every event of the job on the way, and the link's own events (diagnoses, a lost port).
    /// Gives the job's report (what it found, also when cancelled), picked by `pick`, or the
    /// error of a port that went away meanwhile.
    pub fn run<T>(
        &mut self,
        job: Job,
        pick: fn(Report) -> Option<T>,
        mut progress: impl FnMut(&Event),
    ) -> Result<Result<T, LinkError>, Failure> {
        let id = self.start(job);
        let end = loop {
            let Some(event) = self.next_event(Duration::from_millis(50))? else {
                continue;
            };
            match event {
                Event::Job {
                    id: of,
                    event: JobEvent::Ended(end),
                } if of == id => break end,
                Event::Job { id: of, .. } if of != id => {}
                event => progress(&event),
            }
        };
        if let (EndReason::PortLost, Some(error)) = (end.reason, &self.lost) {
            return Ok(Err(error.clone()));
        }
        match end.report.and_then(pick) {
            Some(report) => Ok(Ok(report)),
            None => Err(Failure::port(format!(
                "the link ended the job ({:?}) without its report",
                end.reason
            ))),
        }
    }

    /// Starts `job` without waiting for it; its events come from [`Self::next_event`].
    pub fn start(&mut self, job: Job) -> JobId {
        let id = self.link.start(job);
        self.job = Some((id, false));
        id
    }

    /// Tells the link that the magnet was placed on the meter.
    pub fn magnet_placed(&self) {
        self.link.magnet_placed();
    }

    /// Whether Ctrl-C was pressed.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// The next event within `timeout`, after writing traffic to the file, showing the
    /// countdown, counting requests, and passing Ctrl-C on to the link as a cancel.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Failure> {
        if self.interrupted()
            && let Some((id, cancelled @ false)) = &mut self.job
        {
            *cancelled = true;
            self.link.cancel(*id);
        }
        let Some(event) = self.link.event_timeout(timeout) else {
            return Ok(None);
        };
        match &event {
            Event::Job {
                event: JobEvent::Traffic(record),
                ..
            } => {
                if let Some(file) = &mut self.traffic {
                    file.write(record).map_err(|error| {
                        Failure::usage(format!("cannot write the traffic file: {error}"))
                    })?;
                }
            }
            Event::Job {
                event: JobEvent::Exchanged { requests, .. },
                ..
            } => self.requests = *requests,
            Event::Job {
                event: JobEvent::Waiting { left },
                ..
            } => {
                let seconds = left.as_secs_f64().ceil() as u64;
                if self.countdown_shown != Some(seconds) {
                    self.countdown_shown = Some(seconds);
                    status(&format!(
                        "no answer yet; asking again for {seconds} s (is the magnet on the meter?)"
                    ));
                }
            }
            Event::Job {
                event:
                    JobEvent::ReadoutFollows {
                        identification,
                        line,
                    },
                ..
            } if !self.readout_follows_shown => {
                self.readout_follows_shown = true;
                status(&format!(
                    "the meter signed on as /{identification} (IEC 62056-21 mode A, at {line}); \
                     its readout follows, which takes seconds at {} baud",
                    line.baud
                ));
            }
            Event::Lost(error) => self.lost = Some(error.clone()),
            _ => {}
        }
        Ok(Some(event))
    }

    /// Stops the job under way, if any.
    pub fn cancel(&mut self) {
        if let Some((id, _)) = self.job.take() {
            self.link.cancel(id);
        }
    }

    /// Requests sent to the meter so far, retries included.
    pub fn requests(&self) -> u64 {
        self.requests
    }
}
