//! Heads across the network, reached through a serial port server (ser2net, an ESPHome stream
//! server, a serial device server), named as pyserial names them:
//!
//! - `socket://HOST:PORT`: raw TCP. The bytes are the line's; the line settings are the
//!   server's own, so [`NetworkPort::set_line`] changes nothing.
//! - `rfc2217://HOST:PORT`: Telnet with RFC 2217's COM-PORT-OPTION ([`crate::rfc2217`]): the
//!   line settings are set on the remote port, DTR and RTS only when asked (a server whose port
//!   has no such lines never acknowledges them, and nothing here waits for an acknowledgement).
//!
//! A server that takes one client at a time (ser2net) accepts a second connection and closes it
//! at once with a line saying the port is in use: that is read at opening, asked again for a
//! few seconds (the server may only be letting go of the last client), and is then
//! [`OpenFailure::ServerBusy`].

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::time::{Duration, Instant};

use crate::rfc2217::{Command, Control, Event, Parity as RemoteParity, Telnet, encode_data};

use super::super::config::{LinkConfig, RFC2217_PREFIX, SOCKET_PREFIX};
use super::super::error::{LinkError, OpenFailure};
use crate::line::{LineSettings, Parity};

/// How long a connection may take to be set up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a server that closes a connection at once (the port in use) takes to do so.
const CLOSE_AT_ONCE: Duration = Duration::from_millis(200);
/// How long a server that says its port is in use is asked again before that is reported.
pub const BUSY_RETRY: Duration = Duration::from_secs(3);
/// The pause between those tries.
const BUSY_PAUSE: Duration = Duration::from_millis(100);
/// How long an RFC 2217 server may take to agree to COM-PORT-OPTION.
const NEGOTIATION_TIMEOUT: Duration = Duration::from_secs(2);

/// Which kind of network port a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkKind {
    /// `socket://`.
    Raw,
    /// `rfc2217://`.
    Rfc2217,
}

/// The kind and `HOST:PORT` of a network port's name; `None` for any other name.
pub fn parse(name: &str) -> Option<(NetworkKind, &str)> {
    if let Some(address) = name.strip_prefix(SOCKET_PREFIX) {
        Some((NetworkKind::Raw, address))
    } else {
        name.strip_prefix(RFC2217_PREFIX)
            .map(|address| (NetworkKind::Rfc2217, address))
    }
}

/// Opens the network port `config` names. A server that says its port is in use is asked
/// again for [`BUSY_RETRY`]: ser2net lets go of its serial device a moment after a client
/// leaves, so a command started right after another would otherwise be refused.
pub fn open(
    kind: NetworkKind,
    address: &str,
    config: &LinkConfig,
) -> Result<NetworkPort, LinkError> {
    let began = Instant::now();
    loop {
        match open_once(kind, address, config) {
            Err((OpenFailure::ServerBusy, _)) if began.elapsed() < BUSY_RETRY => {
                std::thread::sleep(BUSY_PAUSE);
            }
            Err((failure, detail)) => {
                let detail = if failure == OpenFailure::ServerBusy {
                    format!("{detail}, still after {} s", BUSY_RETRY.as_secs())
                } else {
                    detail
                };
                return Err(LinkError::Open {
                    port: config.port.clone(),
                    failure,
                    detail,
                });
            }
            Ok(port) => return Ok(port),
        }
    }
}

fn open_once(
    kind: NetworkKind,
    address: &str,
    config: &LinkConfig,
) -> Result<NetworkPort, (OpenFailure, String)> {
    let (stream, round_trip) = connect(address)?;
    let mut port = NetworkPort {
        round_trip,
        stream,
        telnet: (kind == NetworkKind::Rfc2217).then(Telnet::new),
        pending: Vec::new(),
    };
    port.greet(config)?;
    Ok(port)
}

/// Connects to `HOST:PORT`, trying each address the name has; gives the connection and the time
/// its handshake took, one round trip (the name's lookup left out).
fn connect(address: &str) -> Result<(TcpStream, Duration), (OpenFailure, String)> {
    let addresses: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|error| {
            let failure = if address
                .rsplit_once(':')
                .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
            {
                OpenFailure::Unreachable
            } else {
                OpenFailure::InvalidName
            };
            (failure, format!("cannot find {address}: {error}"))
        })?
        .collect();
    let mut last = (
        OpenFailure::Unreachable,
        format!("{address} has no address"),
    );
    for socket in addresses {
        let began = Instant::now();
        match TcpStream::connect_timeout(&socket, CONNECT_TIMEOUT) {
            Ok(stream) => {
                let round_trip = began.elapsed();
                // Requests are a few bytes, each awaited: send each at once.
                stream
                    .set_nodelay(true)
                    .map_err(|error| (OpenFailure::Other, error.to_string()))?;
                return Ok((stream, round_trip));
            }
            Err(error) => {
                let failure = match error.kind() {
                    io::ErrorKind::ConnectionRefused => OpenFailure::Refused,
                    _ => OpenFailure::Unreachable,
                };
                last = (failure, format!("{socket}: {error}"));
            }
        }
    }
    Err(last)
}

/// A TCP connection to a serial port server, raw or with Telnet; the link's `Port` through
/// the methods of the same names.
pub struct NetworkPort {
    stream: TcpStream,
    round_trip: Duration,
    /// For `rfc2217://`.
    telnet: Option<Telnet>,
    /// Line bytes read while opening, not yet taken.
    pending: Vec<u8>,
}

impl NetworkPort {
    /// Opens the conversation: for RFC 2217, the negotiation and the line settings (and DTR and
    /// RTS where asked); for both, a server that closes the connection at once is read.
    fn greet(&mut self, config: &LinkConfig) -> Result<(), (OpenFailure, String)> {
        self.try_greet(config).map_err(|error| match error.kind() {
            // ser2net drops a connection it cannot serve (its port held by a client that has
            // just left, or a device it cannot open) before or after a line saying so.
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => self.closed_text(),
            _ => (OpenFailure::Other, error.to_string()),
        })
    }

    fn try_greet(&mut self, config: &LinkConfig) -> io::Result<()> {
        let closed = || io::Error::new(io::ErrorKind::UnexpectedEof, "closed");
        if let Some(telnet) = &mut self.telnet {
            let mut out = telnet.opening();
            out.extend(line_commands(&config.line));
            for (wanted, on, off) in [
                (config.dtr, Control::DtrOn, Control::DtrOff),
                (config.rts, Control::RtsOn, Control::RtsOff),
            ] {
                if let Some(level) = wanted {
                    out.extend(Command::SetControl(if level { on } else { off }).encode());
                }
            }
            self.send(&out)?;
            let deadline = Instant::now() + NEGOTIATION_TIMEOUT;
            loop {
                let events = self.receive_until(deadline)?.ok_or_else(closed)?;
                if events.contains(&Event::ComPortAccepted) {
                    break;
                }
                if events.contains(&Event::ComPortRefused) {
                    return Err(io::Error::other(
                        "the server refused RFC 2217's COM-PORT-OPTION: it cannot set the line; \
                         open it as socket://",
                    ));
                }
                if Instant::now() >= deadline {
                    return Err(io::Error::other(
                        "the server started no Telnet negotiation: if it is a raw TCP bridge, \
                         open it as socket://",
                    ));
                }
            }
        }
        // A server that takes one client at a time says so and closes at once.
        let deadline = Instant::now() + CLOSE_AT_ONCE;
        while Instant::now() < deadline {
            self.receive_until(deadline)?.ok_or_else(closed)?;
        }
        Ok(())
    }

    /// Reads what arrives until `deadline` or the first bytes: line bytes into `pending`,
    /// negotiation answered; gives the Telnet events, or `None` when the server closed the
    /// connection.
    fn receive_until(&mut self, deadline: Instant) -> io::Result<Option<Vec<Event>>> {
        let wait = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(wait))?;
        let mut raw = [0u8; 1024];
        let read = match self.stream.read(&mut raw) {
            Ok(0) => return Ok(None),
            Ok(read) => read,
            Err(error) if is_timeout(&error) => return Ok(Some(Vec::new())),
            Err(error) => return Err(error),
        };
        let Some(telnet) = &mut self.telnet else {
            self.pending.extend(&raw[..read]);
            return Ok(Some(Vec::new()));
        };
        let received = telnet.receive(&raw[..read]);
        self.pending.extend(&received.data);
        if !received.reply.is_empty() {
            self.send(&received.reply)?;
        }
        Ok(Some(received.events))
    }

    /// Why the server closed the connection, from what it said before.
    fn closed_text(&self) -> (OpenFailure, String) {
        let said = String::from_utf8_lossy(&self.pending).trim().to_string();
        if said.to_ascii_lowercase().contains("in use") {
            (
                OpenFailure::ServerBusy,
                format!("in use by another client of the server (it said {said:?})"),
            )
        } else if said.is_empty() {
            (
                OpenFailure::Other,
                "the server closed the connection at once".into(),
            )
        } else {
            (
                OpenFailure::Other,
                format!("the server closed the connection at once, saying {said:?}"),
            )
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The round trip to the server, measured as the connection was made.
    pub fn round_trip(&self) -> Duration {
        self.round_trip
    }
}

/// The commands that set `line` on the remote port.
fn line_commands(line: &LineSettings) -> Vec<u8> {
    let parity = match line.parity {
        Parity::None => RemoteParity::None,
        Parity::Even => RemoteParity::Even,
        Parity::Odd => RemoteParity::Odd,
    };
    [
        Command::SetBaud(line.baud),
        Command::SetDataSize(line.data_bits),
        Command::SetParity(parity),
        Command::SetStopBits(line.stop_bits),
    ]
    .into_iter()
    .flat_map(Command::encode)
    .collect()
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

impl NetworkPort {
    /// Sends the line's bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.telnet.is_some() {
            self.send(&encode_data(bytes))
        } else {
            self.send(bytes)
        }
    }

    /// Reads the line's bytes that have arrived, waiting at most `timeout` for the first.
    pub fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        // Telnet commands and notifications carry no line bytes: read on until some come or the
        // time is up.
        while self.pending.is_empty() {
            if self.receive_until(deadline)?.is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        let count = self.pending.len().min(buffer.len());
        buffer[..count].copy_from_slice(&self.pending[..count]);
        self.pending.drain(..count);
        Ok(count)
    }

    /// Drops what has arrived and, over RFC 2217, what the server holds.
    pub fn clear_input(&mut self) -> io::Result<()> {
        self.pending.clear();
        if self.telnet.is_some() {
            self.send(&Command::PurgeReceived.encode())?;
        }
        // What the network has delivered and not been read.
        self.stream.set_nonblocking(true)?;
        let mut raw = [0u8; 1024];
        let drained = loop {
            match self.stream.read(&mut raw) {
                Ok(0) => {
                    break Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    ));
                }
                Ok(read) => {
                    // Negotiation still needs its answers; the line's bytes are dropped.
                    if let Some(telnet) = &mut self.telnet {
                        let reply = telnet.receive(&raw[..read]).reply;
                        if !reply.is_empty() {
                            self.stream.set_nonblocking(false)?;
                            self.send(&reply)?;
                            self.stream.set_nonblocking(true)?;
                        }
                    }
                }
                Err(error) if is_timeout(&error) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        self.stream.set_nonblocking(false)?;
        drained
    }

    /// Sets the remote port's line over RFC 2217; a raw socket's stays as it is.
    pub fn set_line(&mut self, line: &LineSettings) -> io::Result<()> {
        // A raw socket's line is the server's own: there is nothing to set.
        if self.telnet.is_some() {
            self.send(&line_commands(line))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
