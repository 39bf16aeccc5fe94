//! Kamstrup's `/#1`, the readout of the MULTICAL 66C/66B, sans-IO: the client
//! sends `/#1` (no line end) at 300 baud, 7E1 or 7E2; the meter answers at 1200 baud with decimal
//! fields separated by spaces (docs/protocols.md §7): energy, volume, operating hours, T1, T2, ΔT,
//! power, flow, field 8 and an info code. Each field keeps its digits exactly. The sources agree
//! that energy is in units of 0.001 GJ; they disagree on the scale of volume, flow and field 8
//! (it is set per meter), so those scales are assumptions, said so in [`Field::assumed`].
//!
//! ```
//! use kmp_workbench::mc66::{Answer, Field};
//!
//! let answer = Answer::decode(b"0012345 0004567 0012021 6811 4205 2606 0110 0350 0123 0\r\n").unwrap();
//! assert_eq!(answer.get(Field::Energy).unwrap().number.to_string(), "12.345");
//! assert_eq!(answer.get(Field::T1).unwrap().number.to_string(), "68.11");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::kmp::Number;

/// What a client sends to ask for the readout.
pub const REQUEST: &[u8] = b"/#1";

/// The longest answer read: ten fields of up to a dozen digits each.
const MAX_ANSWER_LEN: usize = 160;

/// The fields of the answer, in the order sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Field {
    /// Heat energy, in units of 0.001 GJ.
    Energy,
    /// Volume, assumed in units of 0.01 m³ (the sources say 0.01 or 0.001).
    Volume,
    /// Operating hours.
    Hours,
    /// Forward temperature, in units of 0.01 °C.
    T1,
    /// Return temperature, in units of 0.01 °C.
    T2,
    /// Their difference, in units of 0.01 K.
    Dt,
    /// Power, in units of 0.1 kW.
    Power,
    /// Flow, assumed in l/h (the sources say 1 or 0.1 l/h).
    Flow,
    /// Field 8, the peak power, assumed in kW (the sources say 1 or 0.1 kW).
    PeakPower,
    /// Field 9, an info code.
    Info,
}

impl Field {
    /// Every field, in the order the meter sends them.
    pub const ALL: [Field; 10] = [
        Self::Energy,
        Self::Volume,
        Self::Hours,
        Self::T1,
        Self::T2,
        Self::Dt,
        Self::Power,
        Self::Flow,
        Self::PeakPower,
        Self::Info,
    ];

    /// The name the command line and CSV use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Energy => "energy",
            Self::Volume => "volume",
            Self::Hours => "hours",
            Self::T1 => "t1",
            Self::T2 => "t2",
            Self::Dt => "dt",
            Self::Power => "power",
            Self::Flow => "flow",
            Self::PeakPower => "peak_power",
            Self::Info => "info",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Energy => "heat energy",
            Self::Volume => "volume",
            Self::Hours => "operating hours",
            Self::T1 => "T1 forward temperature",
            Self::T2 => "T2 return temperature",
            Self::Dt => "T1-T2 temperature difference",
            Self::Power => "power",
            Self::Flow => "flow",
            Self::PeakPower => "peak power",
            Self::Info => "info code",
        }
    }

    /// The unit of the value.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Energy => "GJ",
            Self::Volume => "m³",
            Self::Hours => "h",
            Self::T1 | Self::T2 => "°C",
            Self::Dt => "K",
            Self::Power | Self::PeakPower => "kW",
            Self::Flow => "l/h",
            Self::Info => "",
        }
    }

    /// The power of ten the digits are scaled by.
    pub fn exponent(self) -> i8 {
        match self {
            Self::Energy => -3,
            Self::Volume | Self::T1 | Self::T2 | Self::Dt => -2,
            Self::Power => -1,
            Self::Hours | Self::Flow | Self::PeakPower | Self::Info => 0,
        }
    }

    /// Whether the scale is an assumption, the public sources disagreeing.
    pub fn assumed(self) -> bool {
        matches!(self, Self::Volume | Self::Flow | Self::PeakPower)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`Field::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a /#1 field (energy, volume, hours, t1, t2, dt, power, flow, peak_power, info)")]
pub struct UnknownField;

impl FromStr for Field {
    type Err = UnknownField;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|field| field.name().eq_ignore_ascii_case(name.trim()))
            .ok_or(UnknownField)
    }
}

/// Why bytes are not a `/#1` answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mc66Error {
    /// A field holds something other than digits.
    #[error("field {field} is not a decimal number")]
    NotDigits {
        /// Its number, from 0.
        field: usize,
    },
    /// Fewer fields than the meter sends.
    #[error("{0} fields; the answer has at least 9")]
    TooFew(usize),
    /// Longer than any answer.
    #[error("longer than {MAX_ANSWER_LEN} bytes")]
    TooLong,
}

/// One field of the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Which field.
    pub field: Field,
    /// Its digits, as sent.
    pub digits: String,
    /// Its value, scaled.
    pub number: Number,
}

/// The meter's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The fields, in the order sent (the info code may be missing).
    pub readings: Vec<Reading>,
}

impl Answer {
    /// Reads an answer; NUL and `x` bytes, which some meters send around it, are skipped.
    pub fn decode(bytes: &[u8]) -> Result<Self, Mc66Error> {
        if bytes.len() > MAX_ANSWER_LEN {
            return Err(Mc66Error::TooLong);
        }
        let text: String = bytes
            .iter()
            .filter(|&&b| b != 0 && b != b'x')
            .map(|&b| char::from(b))
            .collect();
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() < 9 {
            return Err(Mc66Error::TooFew(parts.len()));
        }
        let readings = parts
            .iter()
            .zip(Field::ALL)
            .enumerate()
            .map(|(idx, (digits, field))| {
                let not_digits = Mc66Error::NotDigits { field: idx };
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(not_digits);
                }
                let mantissa: u128 = digits.parse().map_err(|_| not_digits)?;
                let number =
                    Number::new(false, mantissa, field.exponent()).map_err(|_| not_digits)?;
                Ok(Reading {
                    field,
                    digits: (*digits).to_string(),
                    number,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { readings })
    }

    /// The reading of `field`, if the answer has it.
    pub fn get(&self, field: Field) -> Option<&Reading> {
        self.readings.iter().find(|reading| reading.field == field)
    }

    /// The answer as a meter sends it: the digits, spaces between, CR LF.
    pub fn encode(&self) -> Vec<u8> {
        let digits: Vec<&str> = self.readings.iter().map(|r| r.digits.as_str()).collect();
        format!("{}\r\n", digits.join(" ")).into_bytes()
    }
}

/// Collects an answer as it arrives: complete at its line end.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    buffer: Vec<u8>,
}

impl Receiver {
    /// A receiver with nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received and not yet part of an answer.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// Takes one byte; returns the answer, or why it is none, at the line end.
    pub fn push(&mut self, byte: u8) -> Option<Result<Answer, Mc66Error>> {
        if byte == b'\n' {
            let bytes = std::mem::take(&mut self.buffer);
            return Some(Answer::decode(&bytes));
        }
        self.buffer.push(byte);
        if self.buffer.len() > MAX_ANSWER_LEN {
            self.buffer.clear();
            return Some(Err(Mc66Error::TooLong));
        }
        None
    }
}

#[cfg(test)]
mod tests;
