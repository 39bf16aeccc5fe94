//! What a link is opened with: the port, the line settings, the meter's address, and how the
//! exchanges behave (echo, timeouts, retries).

use std::time::Duration;

use crate::kmp::DEFAULT_DESTINATION;
use crate::line::LineSettings;

/// The prefix of raw TCP ports' names (`socket://HOST:PORT`).
pub const SOCKET_PREFIX: &str = "socket://";
/// The prefix of RFC 2217 ports' names (`rfc2217://HOST:PORT`).
pub const RFC2217_PREFIX: &str = "rfc2217://";

/// Whether `port` names a head across the network.
pub fn is_network(port: &str) -> bool {
    is_raw_socket(port) || port.starts_with(RFC2217_PREFIX)
}

/// Whether `port` names a raw TCP head, whose line settings are the bridge's own.
pub fn is_raw_socket(port: &str) -> bool {
    port.starts_with(SOCKET_PREFIX)
}

/// Whether the head echoes what it sends.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum EchoMode {
    /// Learn it from the first exchange that hears anything.
    #[default]
    Auto,
    /// The head echoes: an exchange without the echo is evidence of a fault.
    On,
    /// The head does not echo.
    Off,
}

/// Everything a link is opened with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkConfig {
    /// A serial port path, or `sim:PROFILE` for an in-process simulated meter.
    pub port: String,
    /// Baud rate and framing.
    pub line: LineSettings,
    /// The meter's destination address.
    pub address: u8,
    /// Whether the head echoes.
    pub echo: EchoMode,
    /// How long to wait for the first byte of an answer once the request has left the wire.
    pub timeout: Duration,
    /// How often a failed exchange is tried again.
    pub retries: u32,
    /// Level to set DTR to, for heads powered from it; `None` leaves it alone.
    pub dtr: Option<bool>,
    /// Level to set RTS to, for heads powered from it; `None` leaves it alone.
    pub rts: Option<bool>,
}

impl LinkConfig {
    /// The defaults of the command-line contract for `port`.
    pub fn new(port: impl Into<String>) -> Self {
        Self {
            port: port.into(),
            line: LineSettings::default(),
            address: DEFAULT_DESTINATION,
            echo: EchoMode::Auto,
            timeout: Duration::from_millis(400),
            retries: 2,
            dtr: None,
            rts: None,
        }
    }
}
