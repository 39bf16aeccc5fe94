//! Running one link job from the command line: open the port, send the job, and pump the link's
//! events until its report arrives, writing traffic to a file and progress to stderr.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kmp_workbench::kmp::START_TO_METER;
use kmp_workbench::link::port::{SimSettings, SystemOpener};
use kmp_workbench::link::traffic::{TrafficDirection, TrafficFile};
use kmp_workbench::link::{Command, Event, LinkConfig, LinkError, LinkHandle};

use super::output::{Failure, status};
use super::port_args::PortArgs;

/// How a link job ended.
pub enum Ending<T> {
    /// With its report.
    Done(T),
    /// The port could not be opened.
    OpenFailed(LinkError),
    /// The port went away during the job.
    Lost(LinkError),
}

/// An open link for one command.
pub struct LinkRun {
    link: LinkHandle,
    traffic: Option<TrafficFile>,
    interrupted: Arc<AtomicBool>,
    cancel_sent: bool,
    /// The whole seconds left that the countdown last showed, so it speaks once a second.
    countdown_shown: Option<u64>,
    /// Requests sent, retries included.
    requests: u64,
}

impl LinkRun {
    /// Starts the link thread and opens the port; Ctrl-C from here on cancels the job.
    pub fn open(args: &PortArgs) -> Result<Result<Self, LinkError>, Failure> {
        let traffic = match &args.traffic {
            Some(path) => Some(TrafficFile::append(path).map_err(|error| {
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
        let link = LinkHandle::spawn(Box::new(opener), Box::new(|| {}))
            .map_err(|error| Failure::port(format!("cannot start the link thread: {error}")))?;
        let mut run = Self {
            link,
            traffic,
            interrupted,
            cancel_sent: false,
            countdown_shown: None,
            requests: 0,
        };
        let config: LinkConfig = args.config();
        run.link.send(Command::Open(config));
        let opened = run.pump(|event| match event {
            Event::Opened { .. } => Some(Ok(())),
            Event::OpenFailed(error) => Some(Err(error.clone())),
            _ => None,
        })?;
        Ok(match opened {
            Ending::Done(Ok(())) => Ok(run),
            Ending::Done(Err(error)) | Ending::OpenFailed(error) | Ending::Lost(error) => {
                Err(error)
            }
        })
    }

    /// Sends `command` and pumps events until `report` picks the one that ends it.
    pub fn run<T>(
        &mut self,
        command: Command,
        report: impl FnMut(&Event) -> Option<T>,
    ) -> Result<Ending<T>, Failure> {
        self.link.send(command);
        self.pump(report)
    }

    /// Whether Ctrl-C was pressed.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    fn pump<T>(
        &mut self,
        mut report: impl FnMut(&Event) -> Option<T>,
    ) -> Result<Ending<T>, Failure> {
        loop {
            let Some(event) = self.next_event(Duration::from_millis(50))? else {
                continue;
            };
            if let Some(done) = report(&event) {
                return Ok(Ending::Done(done));
            }
            match event {
                Event::OpenFailed(error) => return Ok(Ending::OpenFailed(error)),
                Event::Lost(error) => return Ok(Ending::Lost(error)),
                _ => {}
            }
        }
    }

    /// The next event within `timeout`, after writing traffic to the file, showing the
    /// countdown, and passing Ctrl-C on to the link as a Cancel.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Failure> {
        if self.interrupted() && !self.cancel_sent {
            self.link.send(Command::Cancel);
            self.cancel_sent = true;
        }
        let Some(event) = self.link.event_timeout(timeout) else {
            return Ok(None);
        };
        match &event {
            Event::Traffic(record) => {
                if record.direction == TrafficDirection::Tx
                    && record.bytes.first() == Some(&START_TO_METER)
                {
                    self.requests += 1;
                }
                if let Some(file) = &mut self.traffic {
                    file.write(record).map_err(|error| {
                        Failure::usage(format!("cannot write the traffic file: {error}"))
                    })?;
                }
            }
            Event::Waiting { left } => {
                let seconds = left.as_secs_f64().ceil() as u64;
                if self.countdown_shown != Some(seconds) {
                    self.countdown_shown = Some(seconds);
                    status(&format!(
                        "no answer yet; asking again for {seconds} s (is the magnet on the meter?)"
                    ));
                }
            }
            _ => {}
        }
        Ok(Some(event))
    }

    /// Sends a command without waiting for anything.
    pub fn send(&self, command: Command) {
        self.link.send(command);
    }

    /// Requests sent to the meter so far, retries included.
    pub fn requests(&self) -> u64 {
        self.requests
    }
}
