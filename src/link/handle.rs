//! The handle the rest of the program holds: it starts the `kmp-link` thread, gives out job
//! identities, sends commands and receives events. Dropping it closes the port and joins the
//! thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::config::LinkConfig;
use super::driver::{Driver, Repaint, Tap};
use super::messages::{Command, Event, Job, JobId};
use super::port::Opener;

/// The handle to the link's thread; see the module documentation.
#[derive(Debug)]
pub struct LinkHandle {
    commands: Sender<Command>,
    events: Receiver<Event>,
    jobs_started: AtomicU64,
    thread: Option<JoinHandle<()>>,
}

impl LinkHandle {
    /// Starts the link's thread. `repaint` is called after each batch of events with how soon a
    /// GUI should draw them (at most four times a second, so the events of one exchange or of
    /// a burst make one frame); `tap`, if given, sees every event on the link's thread before it
    /// is sent.
    pub fn spawn(
        opener: Box<dyn Opener>,
        repaint: Repaint,
        tap: Option<Tap>,
    ) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::channel();
        let (outbox, events) = mpsc::channel();
        let driver = Driver::new(opener, repaint, tap, inbox, outbox);
        let thread = thread::Builder::new()
            .name("kmp-link".into())
            .spawn(move || driver.run())?;
        Ok(Self {
            commands,
            events,
            jobs_started: AtomicU64::new(0),
            thread: Some(thread),
        })
    }

    /// A handle with no thread behind it, for tests that play the link's part.
    #[doc(hidden)]
    pub fn from_parts(commands: Sender<Command>, events: Receiver<Event>) -> Self {
        Self {
            commands,
            events,
            jobs_started: AtomicU64::new(0),
            thread: None,
        }
    }

    /// Opens a port, closing one that is open.
    pub fn open(&self, config: LinkConfig) {
        self.send(Command::Open(config));
    }

    /// Closes the port.
    pub fn close(&self) {
        self.send(Command::Close);
    }

    /// Starts a job, replacing the one under way; its events carry the returned identity.
    pub fn start(&self, job: Job) -> JobId {
        let id = JobId::new(self.jobs_started.fetch_add(1, Ordering::Relaxed) + 1);
        self.send(Command::Start { id, job });
        id
    }

    /// The identity the next job started will get: jobs started from now on have it or a later
    /// one.
    pub fn next_job(&self) -> JobId {
        JobId::new(self.jobs_started.load(Ordering::Relaxed) + 1)
    }

    /// Stops the job `id` if it is still under way.
    pub fn cancel(&self, id: JobId) {
        self.send(Command::Cancel(id));
    }

    /// Says that the magnet was placed on the meter (again).
    pub fn magnet_placed(&self) {
        self.send(Command::MagnetPlaced);
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
