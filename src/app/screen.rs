//! The screens of the app, in the order the navigation shows them.

use std::fmt;
use std::str::FromStr;

/// One screen of the app.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Screen {
    /// Pick the port and line settings; connect.
    #[default]
    Connection,
    /// Echo, wake-up, alignment and the diagnosis.
    LinkCheck,
    /// Which registers the meter answers.
    Registers,
    /// Flow and volume on plots.
    Live,
    /// The meter's own loggers.
    History,
    /// The raw exchange log.
    Traffic,
    /// Saving and opening sessions, CSV export.
    Session,
    /// What was proven, as another reader's configuration.
    Handover,
}

/// A screen name that is not one of [`Screen::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown screen (expected connection, link-check, registers, live, history, traffic, session or hand-over)"
)]
pub struct UnknownScreen;

impl Screen {
    /// Every screen, as the navigation lists them.
    pub const ALL: [Screen; 8] = [
        Self::Connection,
        Self::LinkCheck,
        Self::Registers,
        Self::Live,
        Self::History,
        Self::Traffic,
        Self::Session,
        Self::Handover,
    ];

    /// The title shown in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Self::Connection => "Connection",
            Self::LinkCheck => "Link check",
            Self::Registers => "Registers",
            Self::Live => "Live",
            Self::History => "History",
            Self::Traffic => "Traffic",
            Self::Session => "Session",
            Self::Handover => "Hand over",
        }
    }

    /// The name used by `gui --screen`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::LinkCheck => "link-check",
            Self::Registers => "registers",
            Self::Live => "live",
            Self::History => "history",
            Self::Traffic => "traffic",
            Self::Session => "session",
            Self::Handover => "hand-over",
        }
    }
}

impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Screen {
    type Err = UnknownScreen;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|screen| screen.name().eq_ignore_ascii_case(name))
            .ok_or(UnknownScreen)
    }
}
