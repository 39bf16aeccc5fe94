//! What an exchange comes to: a valid answer in one of the protocols, or why there was none.

use crate::iec::{self, Identification, Readout};
use crate::kmp::logger::LoggerResponse;
use crate::kmp::{DecodeError, Response};
use crate::mc66;

/// A valid answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A KMP response.
    Kmp(Response),
    /// The answer to the IEC sign-on.
    SignedOn {
        /// The identification line.
        identification: Identification,
        /// The data readout, which follows the identification in mode A.
        readout: Option<Readout>,
    },
    /// The IEC data readout after an option select.
    Readout(Readout),
    /// The `/#1` answer.
    Mc66(mc66::Answer),
    /// The answer to a logger read.
    Logger(LoggerResponse),
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
}
