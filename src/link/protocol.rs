//! Where the link check tries the text protocols when KMP gets no answer.

use super::config::LineSettings;
use super::engine::Exchange;
pub use crate::protocol::{Protocol, UnknownProtocol};

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
