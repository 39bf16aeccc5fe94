//! The `kmp-link` thread: the only code that reads the clock for the link, waits, and touches
//! the port. It carries out what the [`LinkMachine`] asks ([`Io`]), reads the port while an
//! exchange waits for an answer (and about once a second otherwise, to notice a port that went
//! away between polls), hands commands in and events out, and sleeps until the machine's next
//! deadline or the next command, whichever comes first.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::clock::Now;
use super::machine::{Io, LinkMachine};
use super::messages::{Command, Event};
use super::port::{Opener, Port};

/// The longest a single port read waits, so that commands are looked at while an answer is
/// awaited, and deadlines are met within a few milliseconds.
const READ_SLICE: Duration = Duration::from_millis(50);

/// How often an open port with nothing awaited from it is looked at, to notice that it is gone.
pub(crate) const IDLE_LOOK: Duration = Duration::from_secs(1);

/// The fewest milliseconds between two repaints asked for: a screen that changes more often
/// than four times a second is not read any better, and a laptop's battery pays for each frame.
const REPAINT_EVERY: Duration = Duration::from_millis(250);

/// Called on the link's thread with every event before it is sent: the session recorder's way
/// in, so that journaling never waits for whoever reads the events.
pub type Tap = Box<dyn FnMut(&Event) + Send>;

/// Asks a GUI to draw the events sent, within the time given.
pub type Repaint = Box<dyn Fn(Duration) + Send>;

/// The thread's side of everything.
pub(crate) struct Driver {
    opener: Box<dyn Opener>,
    repaint: Repaint,
    tap: Option<Tap>,
    inbox: Receiver<Command>,
    outbox: Sender<Event>,
    /// When the last repaint asked for is due.
    repaint_due: Option<Instant>,
}

fn now() -> Now {
    Now::new(Instant::now(), Timestamp::now())
}

impl Driver {
    /// The driver of a link reached through these channels.
    pub fn new(
        opener: Box<dyn Opener>,
        repaint: Repaint,
        tap: Option<Tap>,
        inbox: Receiver<Command>,
        outbox: Sender<Event>,
    ) -> Self {
        Self {
            opener,
            repaint,
            tap,
            inbox,
            outbox,
            repaint_due: None,
        }
    }

    /// Runs until a Shutdown command, or until nobody holds either end of the channels.
    pub fn run(mut self) {
        let mut machine = LinkMachine::new();
        let mut port: Option<Box<dyn Port>> = None;
        let mut buffer = [0u8; 256];
        let mut looked_at = Instant::now();
        loop {
            self.carry_out(&mut machine, &mut port);
            if !self.hand_on(&mut machine) {
                return;
            }
            let deadline = machine.poll_timeout();
            let command = match (port.as_mut(), machine.wants_input()) {
                (Some(open), true) => {
                    let wait = deadline
                        .map_or(READ_SLICE, |at| {
                            at.saturating_duration_since(Instant::now())
                        })
                        .min(READ_SLICE);
                    looked_at = Instant::now();
                    match open.read(&mut buffer, wait) {
                        Ok(0) => {}
                        Ok(n) => machine.handle_input(&buffer[..n], now()),
                        Err(error) => {
                            port = None;
                            machine.handle_lost(error.to_string(), now());
                        }
                    }
                    match self.inbox.try_recv() {
                        Ok(command) => Some(command),
                        Err(TryRecvError::Empty) => None,
                        Err(TryRecvError::Disconnected) => Some(Command::Shutdown),
                    }
                }
                (open, _) => {
                    // An open port with nothing awaited is still looked at now and then, so
                    // an adapter unplugged between polls is noticed within a second or so.
                    let look = open.is_some().then_some(looked_at + IDLE_LOOK);
                    let received = match deadline.into_iter().chain(look).min() {
                        Some(at) => self
                            .inbox
                            .recv_timeout(at.saturating_duration_since(Instant::now())),
                        None => self
                            .inbox
                            .recv()
                            .map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match received {
                        Ok(command) => Some(command),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => Some(Command::Shutdown),
                    }
                }
            };
            if let Some(command) = command {
                let shutdown = command == Command::Shutdown;
                machine.handle_command(command, now());
                if shutdown {
                    self.carry_out(&mut machine, &mut port);
                    self.hand_on(&mut machine);
                    return;
                }
            } else if !machine.wants_input()
                && let Some(open) = port.as_mut()
                && looked_at.elapsed() >= IDLE_LOOK
            {
                looked_at = Instant::now();
                // Bytes nobody waits for would be thrown away before the next request anyway.
                if let Err(error) = open.read(&mut buffer, Duration::ZERO) {
                    port = None;
                    machine.handle_lost(error.to_string(), now());
                }
            }
            machine.handle_timeout(now());
        }
    }

    /// Does what the machine asks with the port; what happens is fed back at once.
    fn carry_out(&self, machine: &mut LinkMachine, port: &mut Option<Box<dyn Port>>) {
        while let Some(io) = machine.poll_io() {
            match io {
                Io::Open(config) => match self.opener.open(&config) {
                    Ok(opened) => {
                        let round_trip = opened.round_trip();
                        *port = Some(opened);
                        machine.handle_opened(round_trip, now());
                    }
                    Err(error) => machine.handle_open_failed(error, now()),
                },
                Io::Close => *port = None,
                Io::Transmit(bytes) => {
                    let Some(open) = port.as_mut() else {
                        continue;
                    };
                    let written = open.clear_input().and_then(|()| open.write_all(&bytes));
                    if let Err(error) = written {
                        *port = None;
                        machine.handle_lost(error.to_string(), now());
                    }
                }
                Io::SetLine(line) => {
                    let Some(open) = port.as_mut() else {
                        continue;
                    };
                    if let Err(error) = open.set_line(&line) {
                        *port = None;
                        machine.handle_lost(error.to_string(), now());
                    }
                }
            }
        }
    }

    /// Hands the machine's events to the tap and the receiver, then asks for one repaint, at
    /// least [`REPAINT_EVERY`] after the one before. Returns false once nobody listens any more.
    fn hand_on(&mut self, machine: &mut LinkMachine) -> bool {
        let mut sent = false;
        while let Some(event) = machine.poll_event() {
            if let Some(tap) = &mut self.tap {
                tap(&event);
            }
            if self.outbox.send(event).is_err() {
                return false;
            }
            sent = true;
        }
        let now = Instant::now();
        match self.repaint_due {
            _ if !sent => {}
            // A repaint still to come draws these events too.
            Some(due) if due > now => {}
            last => {
                let due = last.map_or(now, |last| (last + REPAINT_EVERY).max(now));
                (self.repaint)(due - now);
                self.repaint_due = Some(due);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests;
