//! The protocols a meter's optical eye may speak (docs/protocols.md §7).

use std::fmt;
use std::str::FromStr;

use crate::line::LineSettings;

/// A protocol of the optical eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    /// The Kamstrup Meter Protocol: binary frames at 1200 baud 8N2.
    Kmp,
    /// IEC 62056-21 (IEC 1107): the `/?!` sign-on at 300 baud 7E1 or 7E2, an OBIS data readout.
    Iec,
    /// Kamstrup's `/#1` (MULTICAL 66C/66B): asked at 300 baud, answered at 1200.
    Mc66,
    /// SML, which electricity meters push unasked at 9600 8N1 (docs/protocols.md §11).
    Sml,
}

impl Protocol {
    /// Every protocol, in the order the link check tries them.
    pub const ALL: [Protocol; 4] = [Self::Kmp, Self::Iec, Self::Mc66, Self::Sml];

    /// The name on the command line and in JSON: `kmp`, `iec62056-21`, `kamstrup-66c`, `sml`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Kmp => "kmp",
            Self::Iec => "iec62056-21",
            Self::Mc66 => "kamstrup-66c",
            Self::Sml => "sml",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kmp => "KMP",
            Self::Iec => "IEC 62056-21",
            Self::Mc66 => "Kamstrup /#1",
            Self::Sml => "SML",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the link check found a meter speaking, once it answered: shown by the link check,
/// kept in a session's manifest, handed over to another reader.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Spoken {
    /// The protocol.
    pub protocol: Protocol,
    /// The IEC 62056-21 identification line, without `/` and the line end.
    pub identification: Option<String>,
    /// The line settings its answer came at.
    pub line: LineSettings,
    /// The line settings it was asked at, where they differ from `line`.
    pub asked_at: Option<LineSettings>,
    /// Whether it pushes its telegrams unasked (SML, mode D): it is listened to, not asked.
    pub push: bool,
}

impl Spoken {
    /// A meter asked at `asked_at` that answered at `line`.
    pub fn new(
        protocol: Protocol,
        identification: Option<String>,
        (asked_at, line): (LineSettings, LineSettings),
        push: bool,
    ) -> Self {
        Self {
            protocol,
            identification,
            line,
            asked_at: (asked_at != line).then_some(asked_at),
            push,
        }
    }

    /// Whether it is a text protocol (IEC 62056-21, `/#1`), read by its readout.
    pub fn is_text(&self) -> bool {
        self.protocol != Protocol::Kmp
    }

    /// An IEC mode C meter's readout rate: asked at one rate, it answered at another.
    pub fn switched_to(&self) -> Option<u32> {
        self.asked_at
            .filter(|asked| {
                self.protocol == Protocol::Iec && !self.push && asked.baud != self.line.baud
            })
            .map(|_| self.line.baud)
    }
}

/// A protocol name that is not one of [`Protocol::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol (expected kmp, iec62056-21, kamstrup-66c or sml)")]
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
