//! The protocols a meter's optical eye may speak (PROTOCOL.md §7), and where the link check tries
//! the text ones when KMP gets no answer.

use std::fmt;
use std::str::FromStr;

use super::config::LineSettings;
use super::engine::Exchange;

/// A protocol of the optical eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    /// The Kamstrup Meter Protocol: binary frames at 1200 baud 8N2.
    Kmp,
    /// IEC 62056-21 (IEC 1107): the `/?!` sign-on at 300 baud 7E1 or 7E2, an OBIS data readout.
    Iec,
    /// Kamstrup's `/#1` (MULTICAL 66C/66B, MULTICAL III): asked at 300 baud, answered at 1200.
    Mc66,
}

impl Protocol {
    /// Every protocol, in the order the link check tries them.
    pub const ALL: [Protocol; 3] = [Self::Kmp, Self::Iec, Self::Mc66];

    /// The name on the command line and in JSON: `kmp`, `iec62056-21`, `kamstrup-66c`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Kmp => "kmp",
            Self::Iec => "iec62056-21",
            Self::Mc66 => "kamstrup-66c",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kmp => "KMP",
            Self::Iec => "IEC 62056-21",
            Self::Mc66 => "Kamstrup /#1",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A protocol name that is not one of [`Protocol::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol (expected kmp, iec62056-21 or kamstrup-66c)")]
pub struct UnknownProtocol;

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|protocol| protocol.name().eq_ignore_ascii_case(text.trim()))
            .ok_or(UnknownProtocol)
    }
}

/// One way of asking a meter in a text protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextTry {
    /// The protocol.
    pub protocol: Protocol,
    /// What is sent.
    pub exchange: Exchange,
    /// The settings it is sent at.
    pub line: LineSettings,
    /// The settings its answer comes at.
    pub answer_line: LineSettings,
}

/// The text protocols the link check tries after KMP, in order (PROTOCOL.md §7): the IEC
/// sign-on at 300 baud 7E1 (the standard) and 7E2 (older Kamstrup meters), then `/#1` at 7E2
/// and 7E1, whose answer comes at 1200 baud.
pub const TEXT_TRIES: [TextTry; 4] = [
    TextTry {
        protocol: Protocol::Iec,
        exchange: Exchange::SignOn,
        line: LineSettings::iec(1),
        answer_line: LineSettings::iec(1),
    },
    TextTry {
        protocol: Protocol::Iec,
        exchange: Exchange::SignOn,
        line: LineSettings::iec(2),
        answer_line: LineSettings::iec(2),
    },
    TextTry {
        protocol: Protocol::Mc66,
        exchange: Exchange::Mc66,
        line: LineSettings::iec(2),
        answer_line: LineSettings::iec(2).at(1200),
    },
    TextTry {
        protocol: Protocol::Mc66,
        exchange: Exchange::Mc66,
        line: LineSettings::iec(1),
        answer_line: LineSettings::iec(1).at(1200),
    },
];
