//! What the app remembers between runs (eframe's storage): the last port, the line settings,
//! the screen, recent sessions, the CSV dialect and where polling publishes. Runtime state (the link, what it reported) lives elsewhere and is never saved.

use std::time::Duration;

use crate::export::Dialect;
use crate::line::LineSettings;
use crate::link::port::SIM_PREFIX;
use crate::link::{EchoMode, LinkConfig};
use crate::protocol::Protocol;
use crate::sim::Profile;

use super::screen::Screen;

/// The key under which eframe stores the settings.
pub const APP_KEY: &str = "kmp-workbench-settings";

/// Preferences that persist between runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The port and line settings last chosen.
    pub connection: Connection,
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
    /// Where polling publishes to (the password is never kept).
    pub mqtt: MqttSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connection: Connection::default(),
            screen: Screen::Connection,
            check_interval_s: 1.0,
            check_request_limit: 120,
            recent_sessions: Vec::new(),
            dialect: Dialect::default(),
            mqtt: MqttSettings::default(),
        }
    }
}

/// Where the Live screen's polling publishes, as the user last set it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MqttSettings {
    /// Whether polling publishes.
    pub publish: bool,
    /// The broker: `mqtt://[user@]host[:port][/prefix]`.
    pub url: String,
    /// Whether Home Assistant's discovery configs go out with the first poll.
    pub discovery: bool,
}

impl Default for MqttSettings {
    fn default() -> Self {
        Self {
            publish: false,
            url: "mqtt://localhost".into(),
            discovery: true,
        }
    }
}

/// The port and how to speak to the meter on it: what the Connection screen chooses and the
/// settings keep.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Connection {
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

impl Default for Connection {
    fn default() -> Self {
        Self {
            port: "sim:multical21".into(),
            line: LineSettings::default(),
            address: crate::kmp::DEFAULT_DESTINATION,
            echo: EchoMode::Auto,
            dtr: None,
            rts: None,
            protocol: None,
        }
    }
}

impl Connection {
    /// The link configuration this connection describes.
    pub fn link_config(&self) -> LinkConfig {
        let mut config = LinkConfig::new(self.port.clone());
        config.line = self.line;
        config.address = self.address;
        config.echo = self.echo;
        config.dtr = self.dtr;
        config.rts = self.rts;
        config
    }

    /// The simulated meter the port names, if it names one.
    pub fn simulated(&self) -> Option<Profile> {
        self.port
            .strip_prefix(SIM_PREFIX)
            .and_then(|name| name.parse::<Profile>().ok())
    }
}

/// How many recent sessions the Session screen lists.
const RECENT: usize = 8;

impl Settings {
    /// Puts the session at `path` first among the recent ones.
    pub fn remember_session(&mut self, path: &std::path::Path) {
        let path = path.display().to_string();
        self.recent_sessions.retain(|known| *known != path);
        self.recent_sessions.insert(0, path);
        self.recent_sessions.truncate(RECENT);
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

    #[test]
    fn the_connection_chosen_is_remembered_between_runs() {
        let mut settings = Settings::default();
        settings.connection.port = "/dev/ttyUSB0".into();
        settings.connection.echo = EchoMode::On;
        settings.screen = Screen::Live;
        settings.mqtt.publish = true;
        settings.mqtt.url = "mqtt://meter@broker.local/home".into();
        let stored = ron::ser::to_string(&settings).unwrap();
        assert_eq!(ron::from_str::<Settings>(&stored).unwrap(), settings);
    }

    #[test]
    fn settings_of_an_older_version_keep_what_they_hold_besides_the_port() {
        // Before the connection was a part of its own, its fields stood at the top.
        let older = r#"(port: "/dev/ttyUSB0", echo: On, screen: Live, check_request_limit: 7,
            recent_sessions: ["/home/a/meter-session"])"#;
        let settings: Settings = ron::from_str(older).unwrap();
        assert_eq!(settings.screen, Screen::Live);
        assert_eq!(settings.check_request_limit, 7);
        assert_eq!(settings.recent_sessions, ["/home/a/meter-session"]);
        assert_eq!(settings.connection, Connection::default());
    }
}
