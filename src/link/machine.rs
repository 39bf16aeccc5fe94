//! The link as one sans-IO state machine: the port's state (closed, opening, open, backing off
//! after a loss), the exchange engine, the evidence, and the job under way. The driver feeds it
//! commands, bytes and the time, carries out the [`Io`] it asks for, and hands its [`Event`]s on;
//! tests and benchmarks do the same with a simulated meter and invented time. The port's states,
//! with the engine and the line settings of an open port, are `port_state`'s; this file runs
//! the jobs over them.
//!
//! The rules of jobs live here and only here: one job at a time; a new job replaces the one under
//! way once the exchange in flight has ended (one attempt at most: retries stop at once); every
//! job ends with exactly one [`JobEvent::Ended`]; polls and the link check outlive a lost port and
//! go on when it is back (started while it is away, they wait for it), while any other job ends
//! with it (or at once, when started while it is away); the line settings return to the link's
//! own when a job ends.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

mod backoff;
mod port_state;

use crate::kmp::{Request, Response, absent_ids};

use super::clock::Now;
use super::diagnosis::{Diagnosis, Evidence, diagnose};
use super::engine::{Answer, EngineEvent, Exchange};
use super::error::LinkError;
use super::jobs::{Attempts, Cx, Input, Running, Step};
use super::messages::{Command, EndReason, Event, Job, JobEnd, JobEvent, JobId, Report};
use super::traffic::TrafficRecord;
use crate::line::LineSettings;
use backoff::Backoff;
pub use port_state::Io;
use port_state::{OpenPort, Port};

#[derive(Debug)]
struct Current {
    id: JobId,
    job: Running,
    /// When the job's pause ends.
    wait: Option<Instant>,
    /// Waiting for the port before it can (re)start.
    suspended: bool,
    /// Ending once the exchange in flight is over, for this reason.
    stopping: Option<EndReason>,
}

/// The link's state machine; see the module documentation.
#[derive(Debug)]
pub struct LinkMachine {
    port: Port,
    evidence: Evidence,
    /// Requests sent since the machine started, retries included.
    requests: u64,
    current: Option<Current>,
    /// A job waiting for the one under way to stop.
    next: Option<(JobId, Job)>,
    io: VecDeque<Io>,
    events: VecDeque<Event>,
}

impl Default for LinkMachine {
    fn default() -> Self {
        Self::new()
    }
}

impl LinkMachine {
    /// A machine with no port open.
    pub fn new() -> Self {
        Self {
            port: Port::Closed,
            evidence: Evidence::default(),
            requests: 0,
            current: None,
            next: None,
            io: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The next thing to do with the port.
    pub fn poll_io(&mut self) -> Option<Io> {
        self.io.pop_front()
    }

    /// The next event to hand on.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Self::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let job = self.current.as_ref().and_then(|current| current.wait);
        self.port.poll_timeout().into_iter().chain(job).min()
    }

    /// Whether an exchange is waiting for bytes from the port: only then is the port read.
    pub fn wants_input(&self) -> bool {
        self.port.is_busy()
    }

    /// Requests sent to the meter since the machine started, retries included.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Takes a command.
    pub fn handle_command(&mut self, command: Command, now: Now) {
        match command {
            Command::Open(config) => {
                self.end_all(EndReason::Closed, now);
                self.close_port();
                self.io.push_back(Io::Open(config.clone()));
                self.port = Port::Opening {
                    config,
                    backoff: None,
                };
            }
            Command::Close => {
                self.end_all(EndReason::Closed, now);
                self.close_port();
                self.events.push_back(Event::Closed);
            }
            Command::Shutdown => {
                self.end_all(EndReason::Closed, now);
                self.close_port();
            }
            Command::Start { id, job } => self.start(id, job, now),
            Command::MagnetPlaced => self.evidence.magnet_placed_at = Some(now.instant),
            Command::Cancel(id) => {
                if self.next.as_ref().is_some_and(|(next, _)| *next == id) {
                    self.next = None;
                    self.job_event(id, ended(EndReason::Cancelled, None));
                } else if self
                    .current
                    .as_ref()
                    .is_some_and(|current| current.id == id)
                {
                    self.stop(EndReason::Cancelled, now);
                }
            }
        }
    }

    /// The port asked for with [`Io::Open`] is open.
    /// `round_trip` is a network port's, measured as it opened.
    pub fn handle_opened(&mut self, round_trip: Option<Duration>, now: Now) {
        let config = match std::mem::replace(&mut self.port, Port::Closed) {
            Port::Opening { config, .. } | Port::Lost { config, .. } => config,
            other => {
                self.port = other;
                return;
            }
        };
        self.evidence = Evidence {
            network_round_trip: round_trip,
            ..Evidence::opened(now.instant)
        };
        self.events.push_back(Event::Opened {
            port: config.port.clone(),
            line: config.line,
            round_trip,
        });
        self.port = Port::Open(OpenPort::new(config, round_trip));
        if let Some(current) = &mut self.current
            && current.suspended
        {
            current.suspended = false;
            self.resume(Input::Start, now);
        }
    }

    /// The port asked for with [`Io::Open`] could not be opened.
    pub fn handle_open_failed(&mut self, error: LinkError, now: Now) {
        match std::mem::replace(&mut self.port, Port::Closed) {
            Port::Opening {
                config,
                backoff: Some(mut backoff),
            } => {
                backoff.failed(now.instant);
                self.port = Port::Lost { config, backoff };
            }
            Port::Opening { backoff: None, .. } => {
                self.events.push_back(Event::OpenFailed(error));
                self.end_all(EndReason::NotOpen, now);
            }
            other => self.port = other,
        }
    }

    /// Reading, writing or setting up the port failed: it is gone. `detail` is what the
    /// operating system said.
    pub fn handle_lost(&mut self, detail: String, now: Now) {
        let Port::Open(OpenPort { config, .. }) = std::mem::replace(&mut self.port, Port::Closed)
        else {
            return;
        };
        self.io.push_back(Io::Close);
        self.events.push_back(Event::Lost(LinkError::Lost {
            port: config.port.clone(),
            detail,
        }));
        self.port = Port::Lost {
            config,
            backoff: Backoff::start(now.instant),
        };
        if let Some(mut current) = self.current.take() {
            if let Some(reason) = current.stopping {
                self.end(current, reason, now);
            } else if current.job.survives_port_loss() {
                let mut events = Vec::new();
                current.job.suspend(&mut self.cx(now, &mut events));
                self.job_events(current.id, events);
                current.wait = None;
                current.suspended = true;
                self.current = Some(current);
            } else {
                self.end(current, EndReason::PortLost, now);
            }
        }
        // A job that was waiting to replace the one under way is treated as if it had begun.
        if let Some((id, job)) = self.next.take() {
            let job = Running::new(job);
            if self.current.is_none() && job.survives_port_loss() {
                self.current = Some(Current {
                    id,
                    job,
                    wait: None,
                    suspended: true,
                    stopping: None,
                });
            } else {
                self.job_event(id, ended(EndReason::PortLost, None));
            }
        }
    }

    /// Bytes arrived from the port.
    pub fn handle_input(&mut self, bytes: &[u8], now: Now) {
        if let Port::Open(open) = &mut self.port {
            open.engine.handle_input(bytes, now.instant);
            self.pump_engine(now);
        }
    }

    /// Time has passed: deadlines of the exchange, the job's pause, the backoff.
    pub fn handle_timeout(&mut self, now: Now) {
        match &mut self.port {
            Port::Open(open) => {
                self.io.extend(open.switch_if_due(now.instant));
                open.engine.handle_timeout(now.instant);
                self.pump_engine(now);
            }
            Port::Lost { config, backoff } if backoff.retry_at() <= now.instant => {
                let (config, backoff) = (config.clone(), *backoff);
                self.io.push_back(Io::Open(config.clone()));
                self.port = Port::Opening {
                    config,
                    backoff: Some(backoff),
                };
            }
            _ => {}
        }
        if let Some(current) = &mut self.current
            && current.wait.is_some_and(|at| at <= now.instant)
            && !current.suspended
        {
            current.wait = None;
            self.resume(Input::Timeout, now);
        }
    }

    fn start(&mut self, id: JobId, job: Job, now: Now) {
        if matches!(self.port, Port::Closed) {
            self.job_event(id, ended(EndReason::NotOpen, None));
            return;
        }
        let reopening = matches!(
            self.port,
            Port::Lost { .. }
                | Port::Opening {
                    backoff: Some(_),
                    ..
                }
        );
        if reopening && !Running::new(job.clone()).survives_port_loss() {
            // Only polls and the link check wait for a lost port; anything else would wait
            // for as long as the adapter stays away.
            self.job_event(id, ended(EndReason::PortLost, None));
            return;
        }
        if let Some((replaced, _)) = self.next.take() {
            self.job_event(replaced, ended(EndReason::Replaced, None));
        }
        if self.port.is_busy() && self.current.is_some() {
            // The exchange in flight ends first (no more retries), then the job, then this one.
            self.next = Some((id, job));
            self.stop(EndReason::Replaced, now);
            return;
        }
        if let Some(current) = self.current.take() {
            self.end(current, EndReason::Replaced, now);
        }
        self.begin(id, job, now);
    }

    fn begin(&mut self, id: JobId, job: Job, now: Now) {
        let open = matches!(self.port, Port::Open(_));
        self.current = Some(Current {
            id,
            job: Running::new(job),
            wait: None,
            suspended: !open,
            stopping: None,
        });
        if open {
            self.resume(Input::Start, now);
        }
    }

    /// Asks the job under way to stop: at once, or after the exchange in flight.
    fn stop(&mut self, reason: EndReason, now: Now) {
        let in_flight = match &mut self.port {
            Port::Open(open) if open.engine.is_busy() => {
                open.engine.stop_retrying();
                true
            }
            _ => false,
        };
        if in_flight {
            if let Some(current) = &mut self.current {
                current.stopping.get_or_insert(reason);
            }
            return;
        }
        if let Some(current) = self.current.take() {
            self.end(current, reason, now);
        }
        self.begin_next(now);
    }

    fn begin_next(&mut self, now: Now) {
        if self.current.is_none()
            && let Some((id, job)) = self.next.take()
        {
            self.begin(id, job, now);
        }
    }

    /// Ends the job and the one waiting, abandoning the exchange in flight: the port is closing.
    fn end_all(&mut self, reason: EndReason, now: Now) {
        if let Some((id, _)) = self.next.take() {
            self.job_event(id, ended(reason, None));
        }
        if let Some(current) = self.current.take() {
            let reason = current.stopping.unwrap_or(reason);
            self.end(current, reason, now);
        }
    }

    fn end(&mut self, mut current: Current, reason: EndReason, now: Now) {
        let mut events = Vec::new();
        let report = current.job.stop(reason, &mut self.cx(now, &mut events));
        self.job_events(current.id, events);
        self.finish(current.id, reason, report);
    }

    /// The job's last event; the line goes back to the link's own settings.
    fn finish(&mut self, id: JobId, reason: EndReason, report: Option<Report>) {
        self.job_event(id, ended(reason, report));
        if let Port::Open(open) = &mut self.port {
            self.io.extend(open.back_to_own_line());
        }
    }

    fn close_port(&mut self) {
        if matches!(self.port, Port::Open(_)) {
            self.io.push_back(Io::Close);
        }
        self.port = Port::Closed;
    }

    /// Resumes the job under way and carries out the steps it asks for.
    fn resume(&mut self, input: Input, now: Now) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        let mut events = Vec::new();
        let step = current.job.resume(input, &mut self.cx(now, &mut events));
        self.job_events(current.id, events);
        match (step, current.stopping) {
            (Step::Done(report), _) => {
                self.finish(current.id, EndReason::Done, report);
                self.begin_next(now);
            }
            (_, Some(reason)) => {
                self.end(current, reason, now);
                self.begin_next(now);
            }
            (Step::Wait(at), None) => {
                current.wait = Some(at);
                self.current = Some(current);
            }
            (
                Step::Exchange {
                    exchange,
                    attempts,
                    line,
                    answer_line,
                },
                None,
            ) => {
                self.current = Some(current);
                self.exchange(exchange, attempts, line, answer_line, now);
            }
        }
    }

    fn exchange(
        &mut self,
        exchange: Exchange,
        attempts: Attempts,
        wanted: Option<LineSettings>,
        answer_line: Option<LineSettings>,
        now: Now,
    ) {
        let Port::Open(open) = &mut self.port else {
            return;
        };
        self.io
            .extend(open.start(exchange, attempts, wanted, answer_line, now.instant));
        self.pump_engine(now);
    }

    /// Hands the engine's bytes to the driver and its results to the evidence, the events and
    /// the job.
    fn pump_engine(&mut self, now: Now) {
        loop {
            let Port::Open(open) = &mut self.port else {
                return;
            };
            if let Some(bytes) = open.engine.poll_transmit() {
                self.io.push_back(Io::Transmit(bytes));
            }
            // Exchanges on other line settings (the sweep, other protocols) are expected to
            // fail; they are not evidence about the link as it is set up.
            let counts = open.at_own_line;
            let Some(event) = open.engine.poll_event() else {
                return;
            };
            let id = self.current.as_ref().map(|current| current.id);
            match event {
                EngineEvent::Attempt(attempt) => {
                    if attempt.exchange.is_request() {
                        self.requests += 1;
                    }
                    if counts {
                        self.evidence.record_attempt(&attempt);
                    }
                    if let Some(id) = id {
                        let records = TrafficRecord::from_attempt(&attempt, |at| now.wall_at(at));
                        for record in records {
                            self.job_event(id, JobEvent::Traffic(record));
                        }
                    }
                }
                EngineEvent::Heard(heard) => {
                    if let Some(id) = id {
                        self.job_event(id, JobEvent::Heard(heard));
                    }
                }
                EngineEvent::ReadoutFollows(identification) => {
                    if let Some(id) = id {
                        let line = open.line;
                        self.job_event(
                            id,
                            JobEvent::ReadoutFollows {
                                identification: identification.line,
                                line,
                            },
                        );
                    }
                }
                EngineEvent::Done { result, at } => {
                    let exchange = open.exchange_done();
                    if counts {
                        self.evidence.record_done(&result);
                        if let (
                            Some(Exchange::Request(Request::GetRegister(list))),
                            Ok(Answer::Kmp(Response::Registers(answered))),
                        ) = (exchange, &result)
                        {
                            self.evidence
                                .missing
                                .extend(absent_ids(list.as_slice(), answered));
                        }
                    }
                    if let (Some(id), Some(exchange)) = (id, exchange) {
                        self.job_event(
                            id,
                            JobEvent::Exchanged {
                                exchange,
                                result: result.clone().map(|_| ()),
                                requests: self.requests,
                            },
                        );
                        // A new diagnosis only when there is new evidence.
                        if counts {
                            self.job_event(id, JobEvent::Diagnosed(self.diagnosis(now)));
                        }
                    }
                    // The job goes on from when the exchange ended: a doubtful answer is
                    // reported after the quiet that confirms it, and is stamped when it came.
                    self.resume(Input::Exchanged(result), now.at(at));
                }
            }
        }
    }

    fn diagnosis(&self, now: Now) -> Diagnosis {
        diagnose(&self.evidence, now.instant)
    }

    fn cx<'a>(&'a self, now: Now, events: &'a mut Vec<JobEvent>) -> Cx<'a> {
        let (port, line) = self.port.named();
        Cx {
            now,
            evidence: &self.evidence,
            port,
            line,
            address: self.port.address(),
            requests: self.requests,
            events,
        }
    }

    fn job_events(&mut self, id: JobId, events: Vec<JobEvent>) {
        for event in events {
            self.job_event(id, event);
        }
    }

    fn job_event(&mut self, id: JobId, event: JobEvent) {
        self.events.push_back(Event::Job { id, event });
    }
}

fn ended(reason: EndReason, report: Option<Report>) -> JobEvent {
    JobEvent::Ended(JobEnd { reason, report })
}

#[cfg(test)]
mod tests;
