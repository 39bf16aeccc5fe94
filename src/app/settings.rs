//! What the app remembers between runs (eframe's storage): the last port, the line settings,
//! the screen, recent sessions and the CSV dialect. Runtime state (the link, what it reported) lives elsewhere and is never saved.

use std::time::Duration;

use crate::export::Dialect;
use crate::line::LineSettings;
use crate::link::{EchoMode, LinkConfig};
use crate::protocol::Protocol;

use super::screen::Screen;

/// The key under which eframe stores the settings.
pub const APP_KEY: &str = "kmp-workbench-settings";

/// Preferences that persist between runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The port last chosen: a path or `sim:PROFILE`.
    pub port: String,
    /// Baud rate and framing.
    pub line: LineSettings,
    /// The meter's address.
    pub address: u8,
    /// Whether the head echoes.
    pub echo: EchoMode,
    /// DTR level, or `None` to leave it alone.
    pub dtr: Option<bool>,
    /// RTS level, or `None` to leave it alone.
    pub rts: Option<bool>,
    /// The protocol the meter speaks, or `None` to find out.
    pub protocol: Option<Protocol>,
    /// The screen last shown.
    pub screen: Screen,
    /// Seconds between rounds of the link check.
    pub check_interval_s: f32,
    /// Requests the link check sends to the meter before it pauses itself, to spare a battery
    /// meter; 0 never pauses.
    pub check_request_limit: u32,
    /// Session folders opened or saved lately, newest first.
    pub recent_sessions: Vec<String>,
    /// The CSV dialect for exports.
    pub dialect: Dialect,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: "sim:multical21".into(),
            line: LineSettings::default(),
            address: crate::kmp::DEFAULT_DESTINATION,
            echo: EchoMode::Auto,
            dtr: None,
            rts: None,
            protocol: None,
            screen: Screen::Connection,
            check_interval_s: 1.0,
            check_request_limit: 120,
            recent_sessions: Vec::new(),
            dialect: Dialect::default(),
        }
    }
}

/// The port and line settings the Connection screen chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionChoice {
    /// A path or `sim:PROFILE`.
    pub port: String,
    /// Baud rate and framing.
    pub line: LineSettings,
    /// The meter's address.
    pub address: u8,
    /// Whether the head echoes.
    pub echo: EchoMode,
    /// DTR level, or `None` to leave it alone.
    pub dtr: Option<bool>,
    /// RTS level, or `None` to leave it alone.
    pub rts: Option<bool>,
    /// The protocol the meter speaks, or `None` to find out.
    pub protocol: Option<Protocol>,
}

impl Settings {
    /// The port and line settings chosen.
    pub fn connection(&self) -> ConnectionChoice {
        ConnectionChoice {
            port: self.port.clone(),
            line: self.line,
            address: self.address,
            echo: self.echo,
            dtr: self.dtr,
            rts: self.rts,
            protocol: self.protocol,
        }
    }

    /// Chooses another port or line settings.
    pub fn choose(&mut self, choice: ConnectionChoice) {
        let ConnectionChoice {
            port,
            line,
            address,
            echo,
            dtr,
            rts,
            protocol,
        } = choice;
        (
            self.port,
            self.line,
            self.address,
            self.echo,
            self.dtr,
            self.rts,
            self.protocol,
        ) = (port, line, address, echo, dtr, rts, protocol);
    }

    /// The link configuration these settings describe.
    pub fn link_config(&self) -> LinkConfig {
        let mut config = LinkConfig::new(self.port.clone());
        config.line = self.line;
        config.address = self.address;
        config.echo = self.echo;
        config.dtr = self.dtr;
        config.rts = self.rts;
        config
    }

    /// Requests the link check sends before it pauses itself, if it ever does.
    pub fn check_limit(&self) -> Option<u32> {
        (self.check_request_limit > 0).then_some(self.check_request_limit)
    }

    /// Time between rounds of the link check, kept within sane bounds.
    pub fn check_interval(&self) -> Duration {
        // Settings files and typed values may hold NaN, on which `Duration` panics.
        let seconds = if self.check_interval_s.is_finite() {
            self.check_interval_s.clamp(0.5, 60.0)
        } else {
            1.0
        };
        Duration::from_secs_f32(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_check_interval_falls_back_instead_of_panicking() {
        for odd in [f32::NAN, f32::INFINITY, -3.0, 1e9] {
            let settings = Settings {
                check_interval_s: odd,
                ..Settings::default()
            };
            let interval = settings.check_interval();
            assert!(interval >= Duration::from_millis(500) && interval <= Duration::from_secs(60));
        }
    }
}
