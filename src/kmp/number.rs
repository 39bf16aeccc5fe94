//! KMP numbers: an unsigned mantissa, a sign and a decimal exponent, kept exact.
//!
//! The sign/exponent byte holds the value's sign in bit 7, the exponent's sign in bit 6 and the
//! exponent's magnitude in bits 0-5 (docs/protocols.md §5). Floats would turn 63.44 into
//! 63.440000000000005, so values stay integer mantissa plus exponent here, and become `f64` only
//! where they are plotted.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

use super::EncodeError;

const SIGN_BIT: u8 = 0x80;
const EXPONENT_SIGN_BIT: u8 = 0x40;
const EXPONENT_MASK: u8 = 0x3F;

/// An exact decimal number as KMP carries it: `(-1)^negative × mantissa × 10^exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    mantissa: u128,
    exponent: i8,
}

/// Why text is not a number in the plain notation [`Number`] prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ParseNumberError {
    /// The text is not `[-]digits[.digits]`.
    #[error("not a plain decimal number")]
    Syntax,
    /// More digits than 16 mantissa bytes hold, or more than 63 after the point.
    #[error("number out of range")]
    Range,
}

impl Number {
    /// A number from its parts; the exponent must lie in -63..=63.
    pub fn new(negative: bool, mantissa: u128, exponent: i8) -> Result<Self, EncodeError> {
        if exponent.unsigned_abs() > EXPONENT_MASK {
            return Err(EncodeError::ExponentRange { exponent });
        }
        Ok(Self {
            negative,
            mantissa,
            exponent,
        })
    }

    /// The number a sign/exponent byte and a mantissa describe.
    pub fn from_parts(sign_exponent: u8, mantissa: u128) -> Self {
        let magnitude = (sign_exponent & EXPONENT_MASK) as i8;
        let exponent = if sign_exponent & EXPONENT_SIGN_BIT != 0 {
            -magnitude
        } else {
            magnitude
        };
        Self {
            negative: sign_exponent & SIGN_BIT != 0,
            mantissa,
            exponent,
        }
    }

    /// The sign/exponent byte for this number.
    pub fn sign_exponent(self) -> u8 {
        let mut byte = self.exponent.unsigned_abs() & EXPONENT_MASK;
        if self.exponent < 0 {
            byte |= EXPONENT_SIGN_BIT;
        }
        if self.negative {
            byte |= SIGN_BIT;
        }
        byte
    }

    /// Whether the sign bit is set (a zero may carry it too).
    pub fn is_negative(self) -> bool {
        self.negative
    }

    /// The unsigned mantissa.
    pub fn mantissa(self) -> u128 {
        self.mantissa
    }

    /// The decimal exponent, -63..=63.
    pub fn exponent(self) -> i8 {
        self.exponent
    }

    /// The nearest `f64`, for plots; exact text comes from `Display`.
    pub fn to_f64(self) -> f64 {
        let magnitude = self.mantissa as f64 * 10f64.powi(i32::from(self.exponent));
        if self.negative { -magnitude } else { magnitude }
    }

    /// The mantissa as a non-negative integer when the number is one, for calendar units.
    pub(crate) fn as_plain_integer(self) -> Option<u128> {
        (self.exponent == 0 && (!self.negative || self.mantissa == 0)).then_some(self.mantissa)
    }
}

impl fmt::Display for Number {
    /// Plain notation that keeps the meter's resolution: exactly `-exponent` digits after the
    /// point for a negative exponent (`8.540`), an integer otherwise (`120`), no sign on zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative && self.mantissa != 0 {
            f.write_str("-")?;
        }
        let digits = self.mantissa.to_string();
        if self.exponent >= 0 {
            f.write_str(&digits)?;
            if self.mantissa != 0 {
                for _ in 0..self.exponent {
                    f.write_str("0")?;
                }
            }
            return Ok(());
        }
        let decimals = usize::from(self.exponent.unsigned_abs());
        let padded = format!("{digits:0>width$}", width = decimals + 1);
        let (whole, fraction) = padded.split_at(padded.len() - decimals);
        write!(f, "{whole}.{fraction}")
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;

    /// Reads the plain notation back; `"8.540"` gives mantissa 8540 and exponent -3.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || unsigned.ends_with('.')
        {
            return Err(ParseNumberError::Syntax);
        }
        let exponent = i8::try_from(fraction.len()).map_err(|_| ParseNumberError::Range)?;
        let mut mantissa: u128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(digit - b'0')))
                .ok_or(ParseNumberError::Range)?;
        }
        Self::new(negative, mantissa, -exponent).map_err(|_| ParseNumberError::Range)
    }
}

#[cfg(test)]
mod tests;
