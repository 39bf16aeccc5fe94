//! The link's machine and a simulated meter joined in invented time: the same [`LinkMachine`]
//! the `kmp-link` thread drives, with a sans-IO [`Meter`] in place of the port and time that
//! jumps from one deadline to the next. A week of polling runs in seconds, a test of a ten-second
//! wait takes none, and every run is the same.
//!
//! It plays the driver's part as the driver plays it: it reads the port while an exchange waits
//! for an answer, and once a second otherwise (bytes nobody waits for are thrown away, as
//! clearing the input before the next request does), and it learns that the port is gone when
//! it next reads or writes it.

use std::time::{Duration, Instant};

use crate::sim::{Meter, MeterConfig};

use super::clock::Now;
use super::config::LinkConfig;
use super::driver::IDLE_LOOK;
use super::error::{LinkError, OpenFailure};
use super::machine::{Io, LinkMachine};
use super::messages::{Command, Event, Job, JobId};

/// A link to a simulated meter in invented time; see the module documentation.
#[derive(Debug)]
pub struct VirtualLink {
    machine: LinkMachine,
    meter: Meter,
    now: Now,
    /// Whether the machine has the port open.
    open: bool,
    /// Whether the adapter is there: when not, the port fails and cannot be opened.
    plugged: bool,
    /// When the port was last read.
    looked_at: Instant,
    jobs_started: u64,
    /// Every [`Io`] the machine asked for, when asked to keep them.
    io_log: Option<Vec<Io>>,
}

impl VirtualLink {
    /// A link whose meter (`meter`) starts, with the magnet placed, at `origin`.
    pub fn new(meter: MeterConfig, origin: Now) -> Self {
        Self {
            machine: LinkMachine::new(),
            meter: Meter::new(meter, origin.instant),
            now: origin,
            open: false,
            plugged: true,
            looked_at: origin.instant,
            jobs_started: 0,
            io_log: None,
        }
    }

    /// Keeps every [`Io`] the machine asks for from now on: what was written to the port, line
    /// settings, opening and closing.
    pub fn keep_io(&mut self) {
        self.io_log.get_or_insert_with(Vec::new);
    }

    /// What [`Self::keep_io`] kept.
    pub fn io_log(&self) -> &[Io] {
        self.io_log.as_deref().unwrap_or_default()
    }

    /// The invented time now.
    pub fn now(&self) -> Now {
        self.now
    }

    /// The simulated meter.
    pub fn meter(&mut self) -> &mut Meter {
        &mut self.meter
    }

    /// Requests sent to the meter so far, retries included.
    pub fn requests(&self) -> u64 {
        self.machine.requests()
    }

    /// Sends a command, as the handle does.
    pub fn send(&mut self, command: Command) {
        self.machine.handle_command(command, self.now);
    }

    /// Opens the port.
    pub fn open(&mut self, config: LinkConfig) {
        self.send(Command::Open(config));
    }

    /// Starts a job, as [`super::LinkHandle::start`] does.
    pub fn start(&mut self, job: Job) -> JobId {
        self.jobs_started += 1;
        let id = JobId::new(self.jobs_started);
        self.send(Command::Start { id, job });
        id
    }

    /// Places the magnet on the meter now.
    pub fn place_magnet(&mut self) {
        self.meter.place_magnet(self.now.instant);
    }

    /// The adapter is unplugged: the port fails at its next use, and cannot be opened.
    pub fn unplug(&mut self) {
        self.plugged = false;
    }

    /// The adapter is back.
    pub fn replug(&mut self) {
        self.plugged = true;
    }

    /// Runs for `duration` of invented time, handing every event to `on_event`.
    pub fn run_for(&mut self, duration: Duration, on_event: impl FnMut(Event)) {
        let until = self.now.instant + duration;
        self.run_until(until, on_event);
    }

    /// Runs until `until`, handing every event to `on_event`.
    pub fn run_until(&mut self, until: Instant, mut on_event: impl FnMut(Event)) {
        loop {
            self.carry_out();
            while let Some(event) = self.machine.poll_event() {
                on_event(event);
            }
            let meter_due = self.meter.poll_timeout();
            let look =
                (self.open && !self.machine.wants_input()).then_some(self.looked_at + IDLE_LOOK);
            let next = [self.machine.poll_timeout(), meter_due, look]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next.filter(|next| *next <= until) else {
                self.advance_to(until);
                return;
            };
            self.advance_to(next);
            let waiting = self.open && self.machine.wants_input();
            let looking = self.open && self.now.instant >= self.looked_at + IDLE_LOOK;
            if waiting || looking {
                self.looked_at = self.now.instant;
            }
            let bytes = self.meter.poll_transmit(self.now.instant);
            if (waiting || looking) && !self.plugged {
                self.lose_port();
            } else if let Some(bytes) = bytes
                && waiting
            {
                self.machine.handle_input(&bytes, self.now);
            }
            self.machine.handle_timeout(self.now);
        }
    }

    /// Runs until `done` accepts an event (returned with the events before it), or gives up
    /// after `limit` of invented time.
    pub fn run_until_event<T>(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Event) -> Option<T>,
    ) -> (Option<T>, Vec<Event>) {
        let until = self.now.instant + limit;
        let mut seen = Vec::new();
        let mut found = None;
        while found.is_none() && self.now.instant < until {
            let step = (self.now.instant + Duration::from_millis(10)).min(until);
            self.run_until(step, |event| {
                if found.is_none() {
                    found = done(&event);
                    if found.is_none() {
                        seen.push(event);
                    }
                }
            });
        }
        (found, seen)
    }

    fn advance_to(&mut self, at: Instant) {
        if at > self.now.instant {
            self.now = Now::new(at, self.now.wall_at(at));
        }
    }

    fn lose_port(&mut self) {
        self.open = false;
        self.machine
            .handle_lost("the adapter was unplugged".into(), self.now);
    }

    fn carry_out(&mut self) {
        while let Some(io) = self.machine.poll_io() {
            if let Some(log) = &mut self.io_log {
                log.push(io.clone());
            }
            match io {
                Io::Open(config) => {
                    if self.plugged {
                        self.open = true;
                        self.meter.set_line(config.line, self.now.instant);
                        self.machine.handle_opened(None, self.now);
                    } else {
                        let error = LinkError::Open {
                            port: config.port,
                            failure: OpenFailure::NotFound,
                            detail: "no such device".into(),
                        };
                        self.machine.handle_open_failed(error, self.now);
                    }
                }
                Io::Close => self.open = false,
                Io::Transmit(bytes) => {
                    if !self.open {
                        continue;
                    }
                    if !self.plugged {
                        self.lose_port();
                        continue;
                    }
                    // Clearing the input: bytes due by now and not read are gone.
                    let _late = self.meter.poll_transmit(self.now.instant);
                    self.meter.handle_input(&bytes, self.now.instant);
                }
                Io::SetLine(line) => {
                    if self.open && !self.plugged {
                        self.lose_port();
                    } else if self.open {
                        self.meter.set_line(line, self.now.instant);
                    }
                }
            }
        }
    }
}
