//! The protocols a meter's optical eye may speak (docs/protocols.md §7).

use std::fmt;
use std::str::FromStr;

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
