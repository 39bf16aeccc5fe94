//! The meter's log of the answers it sent ([`super::MeterConfig::log_answers`]): what each
//! answers, the bytes as meant and as they went out, and the faults done to them.

use std::time::Instant;

use crate::kmp::logger::LoggerRequest;
use crate::kmp::{Message, Register, Request, Response, decode};
use crate::sim::faults::Damage;

/// What a client asked, as the meter's answer log names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    /// A KMP request.
    Kmp(Request),
    /// An IEC 62056-21 sign-on, answered with the identification.
    SignOn,
    /// The IEC 62056-21 data readout, after the identification or an option select.
    Readout,
    /// Kamstrup's `/#1`.
    Mc66,
    /// Nothing: a telegram a meter pushes.
    Push,
    /// A logger read.
    Logger(LoggerRequest),
}

/// An answer the meter sent, as its log keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAnswer {
    /// When the request it answers had reached the meter.
    pub requested: Instant,
    /// When its last byte left.
    pub at: Instant,
    /// What it answers.
    pub asked: Asked,
    /// The bytes as the meter meant them, before any fault.
    pub frame: Vec<u8>,
    /// How it was damaged on its way (a fault), if it was; noise before it leaves it whole.
    pub damage: Option<Damage>,
    /// How many bytes went out just before it (a fault): noise, or the tail of the answer
    /// before; they are the first bytes of [`Self::wire`].
    pub noise: usize,
    /// Whether it came late (a fault, [`super::MeterConfig::late`]): held back past its own
    /// exchange and sent just before the meter's next answer.
    pub late: bool,
    /// The bytes as they went out, damage and noise included.
    pub wire: Vec<u8>,
}

impl SentAnswer {
    /// The registers of a GetRegister answer, as the meter meant them; `None` for any other.
    pub fn registers(&self) -> Option<Vec<Register>> {
        match decode(&self.frame) {
            Ok(Message::Response {
                response: Response::Registers(registers),
                ..
            }) => Some(registers),
            _ => None,
        }
    }
}
