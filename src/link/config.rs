//! What a link is opened with: the port, the line settings, the meter's address, and how the
//! exchanges behave (echo, timeouts, retries).

use std::fmt;
use std::time::Duration;

use crate::kmp::DEFAULT_DESTINATION;

/// Parity of the serial line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Parity {
    /// No parity bit (what KMP uses).
    None,
    /// Even parity.
    Even,
    /// Odd parity.
    Odd,
}

/// Baud rate and character framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LineSettings {
    /// Bits per second: 1200 for most meters' optical eye, 2400 or 9600 for some.
    pub baud: u32,
    /// Data bits per character: 8 for KMP.
    pub data_bits: u8,
    /// Parity bit.
    pub parity: Parity,
    /// Stop bits: 2 for KMP (PROTOCOL.md §1.1), 1 also read by most meters.
    pub stop_bits: u8,
}

impl Default for LineSettings {
    /// 1200 baud, 8 data bits, no parity, 2 stop bits.
    fn default() -> Self {
        Self {
            baud: 1200,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 2,
        }
    }
}

impl LineSettings {
    /// Bits on the wire per character: start bit, data, parity, stop bits.
    pub fn bits_per_byte(&self) -> u32 {
        1 + u32::from(self.data_bits)
            + u32::from(self.parity != Parity::None)
            + u32::from(self.stop_bits)
    }

    /// How long one byte takes on the wire.
    pub fn byte_time(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.bits_per_byte()) / f64::from(self.baud.max(1)))
    }
}

impl fmt::Display for LineSettings {
    /// `1200 8N2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parity = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        write!(
            f,
            "{} {}{}{}",
            self.baud, self.data_bits, parity, self.stop_bits
        )
    }
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
