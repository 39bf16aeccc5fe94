//! What an exchange comes to: a valid answer in one of the protocols, or why there was none, and
//! what each attempt saw on the way.

use std::time::Instant;

use crate::iec::{self, Identification, Readout};
use crate::kmp::logger::LoggerResponse;
use crate::kmp::{DecodeError, Response};
use crate::{mc66, sml};

use crate::model::TextReading;
use crate::protocol::Protocol;

use super::Exchange;

/// A valid answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A KMP response.
    Kmp(Response),
    /// The answer to the IEC sign-on.
    SignedOn {
        /// The identification line.
        identification: Identification,
        /// When the identification came whole: in mode A, seconds before the readout has.
        identified_at: Instant,
        /// The data readout, which follows the identification in mode A.
        readout: Option<Readout>,
    },
    /// The IEC data readout after an option select.
    Readout(Readout),
    /// The `/#1` answer.
    Mc66(mc66::Answer),
    /// The answer to a logger read.
    Logger(LoggerResponse),
    /// Telegrams a meter pushed while the link listened.
    Pushed {
        /// Those that passed their checks, in the order they came.
        telegrams: Vec<Telegram>,
        /// How many came and failed them.
        damaged: u32,
    },
}

/// A telegram a meter pushed, and when it came whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Telegram {
    /// What it holds.
    pub body: TelegramBody,
    /// When its last byte came.
    pub at: Instant,
}

/// What a pushed telegram holds, in the protocol it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TelegramBody {
    /// SML messages.
    Sml {
        /// The messages.
        file: sml::File,
        /// Whether its CRC came high byte first, as some meters send it.
        crc_swapped: bool,
    },
    /// IEC 62056-21 mode D text.
    ModeD {
        /// The telegram.
        telegram: iec::Telegram,
        /// Whether its characters came with a parity bit as bit 7: a 7E1 meter heard at eight
        /// data bits.
        parity: bool,
    },
}

impl Telegram {
    /// The protocol it came in.
    pub fn protocol(&self) -> Protocol {
        match self.body {
            TelegramBody::Sml { .. } => Protocol::Sml,
            TelegramBody::ModeD { .. } => Protocol::Iec,
        }
    }

    /// Its values, in the order sent.
    pub fn readings(&self) -> Vec<TextReading> {
        match &self.body {
            TelegramBody::Sml { file, .. } => TextReading::from_sml(file),
            TelegramBody::ModeD { telegram, .. } => {
                telegram.lines.iter().map(TextReading::from_line).collect()
            }
        }
    }

    /// A mode D telegram's identification line.
    pub fn identification(&self) -> Option<&Identification> {
        match &self.body {
            TelegramBody::ModeD { telegram, .. } => Some(&telegram.identification),
            TelegramBody::Sml { .. } => None,
        }
    }

    /// An SML telegram's server ID, in hex.
    pub fn server_id(&self) -> Option<String> {
        match &self.body {
            TelegramBody::Sml { file, .. } => file.server_id().map(crate::kmp::to_hex),
            TelegramBody::ModeD { .. } => None,
        }
    }
}

impl Answer {
    /// The KMP response, if it is one.
    pub fn kmp(&self) -> Option<&Response> {
        match self {
            Self::Kmp(response) => Some(response),
            _ => None,
        }
    }
}

/// Why an attempt got no valid answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeFailure {
    /// Nothing came back at all.
    #[error("nothing came back")]
    Silence,
    /// Only our own echo came back.
    #[error("only the head's own echo came back")]
    EchoOnly {
        /// Whether the echo matched what was sent, byte for byte.
        clean: bool,
    },
    /// A frame came back that failed its CRC, stuffing or length checks.
    #[error("an answer failed its checks ({0})")]
    BadFrame(DecodeError),
    /// A text answer (IEC 62056-21 or `/#1`) came back that failed its checks.
    #[error("an answer failed its checks ({0})")]
    BadText(TextError),
    /// Bytes came back that never formed a frame.
    #[error("{bytes} bytes came back that never formed a frame")]
    Garbage {
        /// How many.
        bytes: usize,
    },
}

/// Why a text answer failed its checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// An IEC 62056-21 message.
    #[error("{0}")]
    Iec(#[from] iec::IecError),
    /// A `/#1` answer.
    #[error("{0}")]
    Mc66(#[from] mc66::Mc66Error),
    /// An SML telegram.
    #[error("{0}")]
    Sml(#[from] sml::SmlError),
    /// A mode D telegram.
    #[error("{0}")]
    ModeD(iec::IecError),
}

impl TextError {
    /// Whether it is of a telegram a meter pushed.
    pub fn pushed(&self) -> bool {
        matches!(self, Self::Sml(_) | Self::ModeD(_))
    }
}

/// What one listen heard of a pushing meter: how its head sits, telegram by telegram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heard {
    /// Telegrams that came whole and passed their checks.
    pub whole: u32,
    /// Telegrams that came and failed them.
    pub damaged: u32,
    /// Bytes received.
    pub bytes: usize,
    /// How long it listened.
    pub took: std::time::Duration,
}

/// What was seen of the echo in one attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EchoSeen {
    /// How many bytes of our transmission came back in order.
    pub matched: usize,
    /// How many bytes were sent.
    pub sent: usize,
    /// Whether a byte differed from what was sent.
    pub garbled: bool,
}

impl EchoSeen {
    /// Whether any echo came back.
    pub fn seen(&self) -> bool {
        self.matched > 0 || self.garbled
    }

    /// Whether the whole transmission came back unchanged.
    pub fn clean(&self) -> bool {
        self.sent > 0 && self.matched == self.sent && !self.garbled
    }
}

/// One attempt, for traffic logs, counters and the diagnosis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// What was sent.
    pub exchange: Exchange,
    /// 1 for the first attempt.
    pub number: u32,
    /// When it was sent.
    pub started: Instant,
    /// The bytes sent.
    pub sent: Vec<u8>,
    /// The bytes that came back as our echo.
    pub echo: Vec<u8>,
    /// When the first echo byte came.
    pub echo_at: Option<Instant>,
    /// Every other byte that came back.
    pub received: Vec<u8>,
    /// When the first of those came.
    pub received_at: Option<Instant>,
    /// What was seen of the echo.
    pub echo_seen: EchoSeen,
    /// The answer, or why there was none (an echo test always "fails" with its echo).
    pub result: Result<Answer, ExchangeFailure>,
}

/// What the engine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineEvent {
    /// An attempt ended.
    Attempt(Attempt),
    /// A mode A meter identified itself to the sign-on under way; its readout follows.
    ReadoutFollows(Identification),
    /// A listen ended: what it heard of a pushing meter.
    Heard(Heard),
    /// The exchange ended: the answer, or the last attempt's failure.
    Done {
        /// The answer, or the last attempt's failure.
        result: Result<Answer, ExchangeFailure>,
        /// When it ended: when the answer's last byte came (a doubtful answer is reported only
        /// after the quiet that confirms it), or the last attempt's deadline.
        at: Instant,
    },
}
