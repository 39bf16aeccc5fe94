//! The one thread that owns the port, and the handle the rest of the program holds.
//!
//! Commands go in and events come out over channels; nothing is shared behind a lock. The
//! worker's states: idle (no port), connected, and backing off after the port was lost, when it
//! reopens the same name with growing pauses until the port comes back.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::kmp::{MeterType, RegisterId};

use super::connection::Connection;
use super::diagnosis::Diagnosis;
use super::engine::{Exchange, ExchangeFailure};
use super::port::Opener;
use super::procedures::{self, MonitorOptions, PollPlan, ProbeOptions, ProbeReport, ReadReport};
use super::scan::{self, ScanOptions, ScanProgress, ScanReport};
use super::traffic::TrafficRecord;
use super::{LineSettings, LinkConfig, LinkError};

/// First pause before reopening a lost port; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Longest pause between attempts to reopen a lost port.
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// What the rest of the program asks of the link.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a port (closing one that is open).
    Open(LinkConfig),
    /// Close the port.
    Close,
    /// Run the link check.
    Probe(ProbeOptions),
    /// Read registers, eight to a request, waiting up to `wait` for the eye to wake.
    Read {
        /// The registers.
        ids: Vec<RegisterId>,
        /// How long to keep asking while the meter is silent.
        wait: Duration,
    },
    /// Read registers again and again until cancelled, one [`Event::Read`] a poll. Polling
    /// goes on by itself after a lost port comes back.
    Poll(PollPlan),
    /// Find which registers of a range the meter answers.
    Scan(ScanOptions),
    /// Check the link continuously (echo test and request each round) until cancelled.
    Monitor(MonitorOptions),
    /// Stop the probe, read or monitoring under way; a probe or read reports what it found.
    Cancel,
    /// Close the port and end the thread.
    Shutdown,
}

/// What the link reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The port is open.
    Opened {
        /// Its name.
        port: String,
        /// Its line settings.
        line: LineSettings,
    },
    /// The port could not be opened.
    OpenFailed(LinkError),
    /// The port was closed on request.
    Closed,
    /// The port went away; the link tries to reopen it.
    Lost(LinkError),
    /// Bytes went out or came in.
    Traffic(TrafficRecord),
    /// An exchange ended, after its retries.
    Exchanged {
        /// What was sent.
        exchange: Exchange,
        /// Whether a valid answer came.
        result: Result<(), ExchangeFailure>,
    },
    /// The meter told who it is.
    Identified {
        /// Its serial number.
        serial: u32,
        /// Its type, when it answered GetType.
        meter_type: Option<MeterType>,
    },
    /// The diagnosis after the latest exchange.
    Diagnosis(Diagnosis),
    /// Still no answer; the link keeps asking for `left` more.
    Waiting {
        /// Time left before it gives up.
        left: Duration,
    },
    /// The link check ended.
    Probed(ProbeReport),
    /// A read, or one poll, ended.
    Read(ReadReport),
    /// A scan moved on.
    ScanProgress(ScanProgress),
    /// A scan found these registers, so a table can fill as it goes.
    ScanFound(Vec<crate::kmp::Register>),
    /// A scan ended.
    Scanned(ScanReport),
    /// A probe or read was asked for with no port open.
    NotOpen,
}

/// The handle to the link's thread; dropping it closes the port and joins the thread.
#[derive(Debug)]
pub struct LinkHandle {
    commands: Sender<Command>,
    events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl LinkHandle {
    /// Starts the link's thread. `repaint` is called after events are sent, so a GUI wakes up.
    pub fn spawn(opener: Box<dyn Opener>, repaint: Box<dyn Fn() + Send>) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::channel();
        let (outbox, events) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("kmp-link".into())
            .spawn(move || {
                Worker {
                    opener,
                    repaint,
                    inbox,
                    outbox,
                    stash: VecDeque::new(),
                    receiver_gone: Default::default(),
                }
                .run();
            })?;
        Ok(Self {
            commands,
            events,
            thread: Some(thread),
        })
    }

    /// A handle with no thread behind it, for tests that play the worker's part.
    #[doc(hidden)]
    pub fn from_parts(commands: Sender<Command>, events: Receiver<Event>) -> Self {
        Self {
            commands,
            events,
            thread: None,
        }
    }

    /// Sends a command; a link whose thread has ended ignores it.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting up to `timeout`.
    pub fn event_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }
}

impl Drop for LinkHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where the worker is.
enum State {
    Idle,
    Connected(Box<Connection>),
    Backoff {
        config: LinkConfig,
        retry_at: Instant,
        pause: Duration,
        /// A job that goes on once the port is back (polling, monitoring).
        resume: Option<Command>,
    },
}

/// The worker's side of the channels.
pub(super) struct Worker {
    opener: Box<dyn Opener>,
    repaint: Box<dyn Fn() + Send>,
    inbox: Receiver<Command>,
    outbox: Sender<Event>,
    /// Commands that arrived during a probe or read, to run after it.
    stash: VecDeque<Command>,
    /// Set when an event could not be sent: nobody listens any more.
    receiver_gone: std::cell::Cell<bool>,
}

impl Worker {
    fn run(mut self) {
        let mut state = State::Idle;
        loop {
            let command = match self.stash.pop_front() {
                Some(command) => command,
                None => match &state {
                    State::Backoff { retry_at, .. } => {
                        match self
                            .inbox
                            .recv_timeout(retry_at.saturating_duration_since(Instant::now()))
                        {
                            Ok(command) => command,
                            Err(RecvTimeoutError::Timeout) => {
                                state = self.reopen(state);
                                continue;
                            }
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    State::Idle | State::Connected(_) => match self.inbox.recv() {
                        Ok(command) => command,
                        Err(_) => return,
                    },
                },
            };
            state = match command {
                Command::Shutdown => return,
                Command::Open(config) => self.open(config),
                Command::Close => {
                    self.emit(Event::Closed);
                    State::Idle
                }
                Command::Cancel => state,
                Command::Probe(options) => {
                    self.with_connection(state, None, |worker, connection| {
                        let report = procedures::probe(connection, &options, worker)?;
                        worker.emit(Event::Probed(report));
                        Ok(())
                    })
                }
                Command::Scan(options) => {
                    self.with_connection(state, None, |worker, connection| {
                        let report = scan::scan(connection, &options, worker)?;
                        worker.emit(Event::Scanned(report));
                        Ok(())
                    })
                }
                Command::Monitor(options) => {
                    let resume = Some(Command::Monitor(options));
                    self.with_connection(state, resume, |worker, connection| {
                        procedures::monitor(connection, &options, worker)
                    })
                }
                Command::Poll(plan) => {
                    let resume = Some(Command::Poll(plan.clone()));
                    self.with_connection(state, resume, |worker, connection| {
                        procedures::poll(connection, &plan, worker)
                    })
                }
                Command::Read { ids, wait } => {
                    self.with_connection(state, None, |worker, connection| {
                        let report = procedures::read(connection, &ids, wait, worker)?;
                        worker.emit(Event::Read(report));
                        Ok(())
                    })
                }
            };
            if !self.alive() {
                return;
            }
        }
    }

    fn open(&mut self, config: LinkConfig) -> State {
        match Connection::open(self.opener.as_ref(), config) {
            Ok(connection) => {
                let (port, line) = (connection.config().port.clone(), connection.config().line);
                self.emit(Event::Opened { port, line });
                State::Connected(Box::new(connection))
            }
            Err(error) => {
                self.emit(Event::OpenFailed(error));
                State::Idle
            }
        }
    }

    fn reopen(&mut self, state: State) -> State {
        let State::Backoff {
            config,
            pause,
            resume,
            ..
        } = state
        else {
            return state;
        };
        match Connection::open(self.opener.as_ref(), config.clone()) {
            Ok(connection) => {
                self.emit(Event::Opened {
                    port: config.port.clone(),
                    line: config.line,
                });
                self.stash.extend(resume);
                State::Connected(Box::new(connection))
            }
            Err(_) => {
                let pause = (pause * 2).min(MAX_BACKOFF);
                State::Backoff {
                    config,
                    retry_at: Instant::now() + pause,
                    pause,
                    resume,
                }
            }
        }
    }

    /// Runs `job` on the open connection; a lost port turns into backing off, and `resume` runs
    /// again once the port is back.
    fn with_connection(
        &mut self,
        state: State,
        resume: Option<Command>,
        job: impl FnOnce(&mut Self, &mut Connection) -> Result<(), LinkError>,
    ) -> State {
        let State::Connected(mut connection) = state else {
            self.emit(Event::NotOpen);
            return state;
        };
        match job(self, &mut connection) {
            Ok(()) => State::Connected(connection),
            Err(error) => {
                self.emit(Event::Lost(error));
                let config = connection.config().clone();
                drop(connection);
                State::Backoff {
                    config,
                    retry_at: Instant::now() + FIRST_BACKOFF,
                    pause: FIRST_BACKOFF,
                    resume,
                }
            }
        }
    }

    /// Sends an event and asks for a repaint.
    pub(super) fn emit(&self, event: Event) {
        if self.outbox.send(event).is_ok() {
            (self.repaint)();
        } else {
            self.receiver_gone.set(true);
        }
    }

    /// Whether anyone still listens: once the event receiver is gone, the thread ends.
    fn alive(&self) -> bool {
        !self.receiver_gone.get()
    }

    /// Whether the job under way should stop because a command arrived; commands other than
    /// Cancel are kept to run afterwards.
    pub(super) fn interrupted(&mut self) -> bool {
        self.interrupted_within(Duration::ZERO)
    }

    /// Like [`Self::interrupted`], waiting up to `timeout` for such a command.
    pub(super) fn interrupted_within(&mut self, timeout: Duration) -> bool {
        let received = if timeout.is_zero() {
            self.inbox.try_recv()
        } else {
            self.inbox
                .recv_timeout(timeout)
                .map_err(|error| match error {
                    RecvTimeoutError::Timeout => TryRecvError::Empty,
                    RecvTimeoutError::Disconnected => TryRecvError::Disconnected,
                })
        };
        match received {
            Ok(Command::Cancel) => true,
            Ok(command) => {
                // The link does one job at a time and the latest request wins: a new port, a
                // close or another job ends the one under way and runs next.
                self.stash.push_back(command);
                true
            }
            Err(TryRecvError::Empty) => false,
            Err(TryRecvError::Disconnected) => {
                self.stash.push_back(Command::Shutdown);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests;
