//! Ports, reached through a small trait so that the link treats a serial adapter, the in-process
//! simulated meter and a test's fake port alike.
//!
//! Port names: a path (`/dev/ttyUSB0`, `/dev/serial/by-id/…`, `COM3`), `sim:PROFILE` for a
//! simulated meter in this process (`sim:multical21`), or a head across the network,
//! `socket://HOST:PORT` or `rfc2217://HOST:PORT` (`port/network.rs`).

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use crate::sim::{Meter, MeterConfig, Profile, Timing};

use super::config::LinkConfig;
use super::error::{LinkError, OpenFailure};
use crate::line::{LineSettings, Parity};

mod network;
mod os_error;

pub use super::config::{RFC2217_PREFIX, SOCKET_PREFIX, is_raw_socket};
pub use network::{NetworkKind, parse as parse_network};

/// The prefix of in-process simulated meters' port names.
pub const SIM_PREFIX: &str = "sim:";

/// An open port.
pub trait Port: Send {
    /// Sends all of `bytes`.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what has arrived, waiting at most `timeout` for the first byte; `Ok(0)` when nothing
    /// came. Any error means the port is gone.
    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Throws away what has arrived and not been read.
    fn clear_input(&mut self) -> io::Result<()>;
    /// Switches baud rate and framing.
    fn set_line(&mut self, line: &LineSettings) -> io::Result<()>;
    /// For a port across a network, the round trip measured when it opened: the answer's
    /// deadlines are widened by it.
    fn round_trip(&self) -> Option<Duration> {
        None
    }
}

/// Opens ports by name; the link's driver holds one.
pub trait Opener: Send {
    /// Opens the port `config` names, with its line settings and control lines.
    fn open(&self, config: &LinkConfig) -> Result<Box<dyn Port>, LinkError>;
}

/// How `sim:` ports behave: the command line runs them at full speed, the app in real time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSettings {
    /// Whether the simulated head echoes.
    pub echo: bool,
    /// Pace bytes at the line's baud rate and answer after 60 ms, as a real meter does.
    pub realtime: bool,
}

/// Opens serial ports through `serialport`, and `sim:` ports in this process.
#[derive(Clone, Copy, Debug)]
pub struct SystemOpener {
    /// How `sim:` ports behave.
    pub sim: SimSettings,
}

impl Opener for SystemOpener {
    fn open(&self, config: &LinkConfig) -> Result<Box<dyn Port>, LinkError> {
        if let Some(profile) = config.port.strip_prefix(SIM_PREFIX) {
            let profile: Profile =
                profile
                    .parse()
                    .map_err(|error: crate::sim::UnknownProfile| LinkError::Open {
                        port: config.port.clone(),
                        failure: OpenFailure::InvalidName,
                        detail: error.to_string(),
                    })?;
            let mut meter = MeterConfig::new(profile);
            meter.echo = self.sim.echo;
            if self.sim.realtime {
                meter.timing = Timing::realtime(Duration::from_millis(60));
            }
            meter.clock_start = jiff::Zoned::now().datetime();
            return Ok(Box::new(SimPort::new(meter, config.line)));
        }
        if let Some((kind, address)) = network::parse(&config.port) {
            return network::open(kind, address, config)
                .map(|port| Box::new(port) as Box<dyn Port>);
        }
        open_serial(config).map(|port| Box::new(SerialPort(port)) as Box<dyn Port>)
    }
}

fn open_serial(config: &LinkConfig) -> Result<Box<dyn serialport::SerialPort>, LinkError> {
    let line = &config.line;
    let line_error = |line: &'static str| {
        move |error: serialport::Error| LinkError::Open {
            port: config.port.clone(),
            failure: OpenFailure::ControlLines,
            detail: format!("cannot set {line}: {error}"),
        }
    };
    let mut port = serialport::new(&config.port, line.baud)
        .data_bits(data_bits(line.data_bits))
        .parity(parity(line.parity))
        .stop_bits(stop_bits(line.stop_bits))
        .flow_control(serialport::FlowControl::None)
        .timeout(Duration::from_millis(10))
        .open()
        .map_err(|error| {
            // The system's own code, where it can be had, says more than the library's kind.
            let failure = os_error::OsFamily::CURRENT
                .and_then(|os| {
                    let code = os_error::code_of(&os_error::device_path(&config.port, os))?;
                    os_error::failure_of(code, os)
                })
                .unwrap_or_else(|| classify(&error));
            // Where the library's words would mislead (Windows says a busy port is "not
            // found" or "access denied"), the failure found says it first.
            // Windows' words end in a full stop, which would stand before the advice.
            let words = error.to_string();
            let words = words.trim_end().trim_end_matches('.');
            let detail = match failure {
                OpenFailure::Busy => format!("in use by another program ({words})"),
                _ => words.to_string(),
            };
            LinkError::Open {
                port: config.port.clone(),
                failure,
                detail,
            }
        })?;
    // Some heads draw power from DTR or RTS; a port without these lines (a pseudo-terminal)
    // refuses to set them, which matters only if the user asked.
    if let Some(level) = config.dtr {
        port.write_data_terminal_ready(level)
            .map_err(line_error("DTR"))?;
    }
    if let Some(level) = config.rts {
        port.write_request_to_send(level)
            .map_err(line_error("RTS"))?;
    }
    Ok(port)
}

/// The failure the serial library's kind suggests, when the system gave no code to go by.
fn classify(error: &serialport::Error) -> OpenFailure {
    match error.kind() {
        serialport::ErrorKind::NoDevice => OpenFailure::NotFound,
        serialport::ErrorKind::InvalidInput => OpenFailure::InvalidName,
        serialport::ErrorKind::Io(io::ErrorKind::NotFound) => OpenFailure::NotFound,
        serialport::ErrorKind::Io(io::ErrorKind::PermissionDenied) => OpenFailure::PermissionDenied,
        serialport::ErrorKind::Io(io::ErrorKind::ResourceBusy | io::ErrorKind::WouldBlock) => {
            OpenFailure::Busy
        }
        serialport::ErrorKind::Io(_) | serialport::ErrorKind::Unknown => OpenFailure::Other,
    }
}

fn data_bits(bits: u8) -> serialport::DataBits {
    match bits {
        5 => serialport::DataBits::Five,
        6 => serialport::DataBits::Six,
        7 => serialport::DataBits::Seven,
        _ => serialport::DataBits::Eight,
    }
}

fn parity(parity: Parity) -> serialport::Parity {
    match parity {
        Parity::None => serialport::Parity::None,
        Parity::Even => serialport::Parity::Even,
        Parity::Odd => serialport::Parity::Odd,
    }
}

fn stop_bits(bits: u8) -> serialport::StopBits {
    if bits == 1 {
        serialport::StopBits::One
    } else {
        serialport::StopBits::Two
    }
}

/// A serial port from the `serialport` crate.
struct SerialPort(Box<dyn serialport::SerialPort>);

impl Port for SerialPort {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(&mut self.0, bytes)?;
        io::Write::flush(&mut self.0)
    }

    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.0.set_timeout(timeout.max(Duration::from_millis(1)))?;
        match io::Read::read(&mut self.0, buffer) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the port was closed",
            )),
            Ok(n) => Ok(n),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            Err(error) => Err(error),
        }
    }

    fn clear_input(&mut self) -> io::Result<()> {
        self.0
            .clear(serialport::ClearBuffer::Input)
            .map_err(io::Error::from)
    }

    fn set_line(&mut self, line: &LineSettings) -> io::Result<()> {
        self.0.set_baud_rate(line.baud)?;
        self.0.set_data_bits(data_bits(line.data_bits))?;
        self.0.set_parity(parity(line.parity))?;
        self.0.set_stop_bits(stop_bits(line.stop_bits))?;
        Ok(())
    }
}

impl Port for network::NetworkPort {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        network::NetworkPort::write_all(self, bytes)
    }

    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        network::NetworkPort::read(self, buffer, timeout)
    }

    fn clear_input(&mut self) -> io::Result<()> {
        network::NetworkPort::clear_input(self)
    }

    fn set_line(&mut self, line: &LineSettings) -> io::Result<()> {
        network::NetworkPort::set_line(self, line)
    }

    fn round_trip(&self) -> Option<Duration> {
        Some(network::NetworkPort::round_trip(self))
    }
}

/// A simulated meter in this process, behind the port trait: the GUI's demo mode, and fast tests
/// on any operating system.
pub struct SimPort {
    meter: Meter,
    pending: VecDeque<u8>,
}

impl SimPort {
    /// A port with the meter `config` describes, started now, opened at `line`.
    pub fn new(config: MeterConfig, line: LineSettings) -> Self {
        let now = Instant::now();
        let mut meter = Meter::new(config, now);
        meter.set_line(line, now);
        Self {
            meter,
            pending: VecDeque::new(),
        }
    }
}

impl Port for SimPort {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.meter.handle_input(bytes, Instant::now());
        Ok(())
    }

    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if let Some(bytes) = self.meter.poll_transmit(now) {
                self.pending.extend(bytes);
            }
            if !self.pending.is_empty() || now >= deadline {
                let n = buffer.len().min(self.pending.len());
                for (slot, byte) in buffer.iter_mut().zip(self.pending.drain(..n)) {
                    *slot = byte;
                }
                return Ok(n);
            }
            let next = self
                .meter
                .poll_timeout()
                .map_or(deadline, |due| due.min(deadline));
            std::thread::sleep(next.saturating_duration_since(now));
        }
    }

    fn clear_input(&mut self) -> io::Result<()> {
        if let Some(bytes) = self.meter.poll_transmit(Instant::now()) {
            drop(bytes);
        }
        self.pending.clear();
        Ok(())
    }

    fn set_line(&mut self, line: &LineSettings) -> io::Result<()> {
        self.meter.set_line(*line, Instant::now());
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod testing;
