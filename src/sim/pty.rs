//! A simulated meter served on a pseudo-terminal, so that other programs (and our own link) reach
//! it through the same serial-port code as real hardware.
//!
//! The serving thread holds both ends of the terminal. Holding the client's end too keeps the
//! terminal alive between clients, so it serves one after another; a client that opens the port
//! flushes what an earlier one left unread. Stopping the handle closes both ends: to a client,
//! the port vanishes as an unplugged adapter does.
//!
//! The meter hears the client at the baud rate and stop bits the client set on the terminal,
//! read before each use of the line. A pseudo-terminal keeps no data bits or parity (Linux forces
//! 8N), so those the meter takes as its own ([`Meter::set_terminal_line`]).

use std::io::{self, Read as _, Write as _};
use std::os::fd::AsRawFd as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serialport::{SerialPort as _, StopBits, TTYPort};

use super::{Meter, MeterConfig, SentAnswer, Stats};

/// How long the serving thread waits for input before it looks at its commands again.
const IDLE_WAIT: Duration = Duration::from_millis(20);

/// Creating a terminal pair is not thread-safe in serialport; one at a time, process-wide.
static PAIR_LOCK: Mutex<()> = Mutex::new(());

/// Why a simulated meter could not be served.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The operating system gave no pseudo-terminal.
    #[error("cannot create a pseudo-terminal: {0}")]
    Pty(#[from] serialport::Error),
    /// The stable link to the terminal could not be made.
    #[error("cannot create the link {path}: {source}")]
    Link {
        /// The link asked for.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The serving thread could not be started.
    #[error("cannot start the simulator thread: {0}")]
    Thread(io::Error),
}

enum SimCommand {
    PlaceMagnet,
    /// Hand over the answers sent since the last time (with [`MeterConfig::log_answers`]).
    TakeSent(Sender<Vec<SentAnswer>>),
}

/// A simulated meter being served; dropping it stops the meter and closes the terminal.
#[derive(Debug)]
pub struct SimHandle {
    path: PathBuf,
    link: Option<PathBuf>,
    commands: Option<Sender<SimCommand>>,
    thread: Option<JoinHandle<Stats>>,
}

/// A new pseudo-terminal: the master end, and the end clients open (its name is the path).
///
/// Use this rather than `TTYPort::pair`, which is not safe to call from several threads at once.
pub fn pair() -> Result<(TTYPort, TTYPort), serialport::Error> {
    let _guard = PAIR_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (master, slave) = TTYPort::pair()?;
    // serialport opens both ends without close-on-exec: a program started meanwhile would
    // inherit them and keep the terminal alive after the simulator stops, so the port would
    // never vanish for its client.
    for fd in [master.as_raw_fd(), slave.as_raw_fd()] {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .map_err(|error| {
            serialport::Error::new(
                serialport::ErrorKind::Io(io::ErrorKind::Other),
                error.desc(),
            )
        })?;
    }
    Ok((master, slave))
}

/// Serves a meter made from `config` on a new pseudo-terminal; with `link`, also keeps a symbolic
/// link at that path pointing to the terminal, replacing whatever link was there.
pub fn spawn(config: MeterConfig, link: Option<&Path>) -> Result<SimHandle, SimError> {
    let (master, slave) = pair()?;
    let path = PathBuf::from(slave.name().unwrap_or_default());
    if let Some(link) = link {
        replace_link(link, &path).map_err(|source| SimError::Link {
            path: link.to_path_buf(),
            source,
        })?;
    }
    let (commands, inbox) = mpsc::channel();
    let thread = thread::Builder::new()
        .name("kmp-sim".into())
        .spawn(move || serve(master, slave, config, &inbox))
        .map_err(SimError::Thread)?;
    Ok(SimHandle {
        path,
        link: link.map(Path::to_path_buf),
        commands: Some(commands),
        thread: Some(thread),
    })
}

impl SimHandle {
    /// The terminal to open, e.g. `/dev/pts/5`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Places the magnet again: the eye wakes after its delay, with a fresh polling budget.
    pub fn place_magnet(&self) {
        if let Some(commands) = &self.commands {
            // A serving thread that has ended has nothing left to wake.
            let _ = commands.send(SimCommand::PlaceMagnet);
        }
    }

    /// The answers the meter sent since the last call, oldest first, as it meant them and with
    /// the damage done to each (with [`MeterConfig::log_answers`]); empty when the meter is gone.
    pub fn take_sent(&self) -> Vec<SentAnswer> {
        let (reply, answers) = mpsc::channel();
        let asked = self
            .commands
            .as_ref()
            .is_some_and(|commands| commands.send(SimCommand::TakeSent(reply)).is_ok());
        if !asked {
            return Vec::new();
        }
        answers
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default()
    }

    /// Stops serving; returns what the meter did.
    pub fn stop(mut self) -> Stats {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Stats {
        // Dropping the sender is the stop signal: the thread sees the channel closed.
        self.commands = None;
        let stats = self
            .thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default();
        if let Some(link) = self.link.take() {
            // Remove the link only while it is ours; another simulator may have taken the name.
            if std::fs::read_link(&link).is_ok_and(|target| target == self.path) {
                let _ = std::fs::remove_file(&link);
            }
        }
        stats
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Points `link` at `target` in one step, so a client never finds the name missing.
fn replace_link(link: &Path, target: &Path) -> io::Result<()> {
    let mut temporary = link.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    std::os::unix::fs::symlink(target, &temporary)?;
    std::fs::rename(&temporary, link)
}

/// The baud rate and stop bits the client set on the terminal, if they can be read: all a
/// pseudo-terminal keeps of the line settings.
fn client_line(terminal: &TTYPort) -> Option<(u32, u8)> {
    let stop_bits = match terminal.stop_bits().ok()? {
        StopBits::One => 1,
        StopBits::Two => 2,
    };
    Some((terminal.baud_rate().ok()?, stop_bits))
}

/// The serving loop: send what is due, read what arrives, obey commands, until told to stop.
fn serve(
    mut master: TTYPort,
    slave: TTYPort,
    config: MeterConfig,
    inbox: &Receiver<SimCommand>,
) -> Stats {
    let mut meter = Meter::new(config, Instant::now());
    let mut buffer = [0u8; 512];
    loop {
        match inbox.try_recv() {
            Ok(SimCommand::PlaceMagnet) => meter.place_magnet(Instant::now()),
            Ok(SimCommand::TakeSent(reply)) => {
                // The asker may have given up waiting; the answers are then of no use.
                let _ = reply.send(meter.take_sent());
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => break,
        }
        let now = Instant::now();
        // The client sets its end's line settings; the master reads the same terminal's.
        if let Some((baud, stop_bits)) = client_line(&master) {
            meter.set_terminal_line(baud, stop_bits, now);
        }
        if let Some(bytes) = meter.poll_transmit(now) {
            // A client that is gone or stuck loses these bytes, as it would on a real line.
            let _ = master.write_all(&bytes);
        }
        let wait = meter
            .poll_timeout()
            .map_or(IDLE_WAIT, |due| due.saturating_duration_since(now));
        if master.set_timeout(wait.min(IDLE_WAIT)).is_err() {
            thread::sleep(IDLE_WAIT);
            continue;
        }
        match master.read(&mut buffer) {
            Ok(n) => {
                let now = Instant::now();
                if let Some((baud, stop_bits)) = client_line(&master) {
                    meter.set_terminal_line(baud, stop_bits, now);
                }
                meter.handle_input(&buffer[..n], now);
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => thread::sleep(IDLE_WAIT),
        }
    }
    drop(slave);
    meter.stats()
}
