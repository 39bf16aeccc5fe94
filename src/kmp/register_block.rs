//! Register blocks of a GetRegister answer: `ID hi | ID lo | unit | len | sign/exponent | mantissa`
//! (docs/protocols.md §5), and how their values read as text.

use super::{EncodeError, Number, RegisterId, Unit, UnitKind, to_hex};

/// Mantissas of up to 16 bytes are decoded exactly; longer ones keep only their raw bytes.
const MAX_EXACT_MANTISSA: usize = 16;

/// One register as a meter reported it, raw bytes kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Register {
    id: RegisterId,
    unit: Unit,
    sign_exponent: u8,
    mantissa: Vec<u8>,
}

/// A register's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An exact decimal number.
    Number(Number),
    /// Text, for the ASCII unit.
    Text(String),
    /// A numeric mantissa longer than 16 bytes: kept raw, never guessed at.
    TooLong {
        /// Length of the mantissa in bytes.
        len: usize,
    },
}

impl Register {
    /// A register block from its parts as they travel; the mantissa is at most 255 bytes.
    pub fn new(
        id: RegisterId,
        unit: Unit,
        sign_exponent: u8,
        mantissa: Vec<u8>,
    ) -> Result<Self, EncodeError> {
        if u8::try_from(mantissa.len()).is_err() {
            return Err(EncodeError::MantissaTooLong {
                len: mantissa.len(),
            });
        }
        Ok(Self {
            id,
            unit,
            sign_exponent,
            mantissa,
        })
    }

    /// A register holding `number`, its mantissa written in `len` bytes as a meter would.
    pub fn from_number(
        id: RegisterId,
        unit: Unit,
        number: Number,
        len: u8,
    ) -> Result<Self, EncodeError> {
        let wide = number.mantissa().to_be_bytes();
        let len_usize = usize::from(len);
        let significant = wide.iter().skip_while(|&&b| b == 0).count();
        if significant > len_usize {
            return Err(EncodeError::MantissaOverflow {
                mantissa: number.mantissa(),
                len: len_usize,
            });
        }
        let mut mantissa = vec![0; len_usize.saturating_sub(wide.len())];
        mantissa.extend_from_slice(&wide[wide.len().saturating_sub(len_usize)..]);
        Self::new(id, unit, number.sign_exponent(), mantissa)
    }

    /// The register ID.
    pub fn id(&self) -> RegisterId {
        self.id
    }

    /// The unit the meter reported.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The mantissa bytes as the meter sent them.
    pub fn mantissa_bytes(&self) -> &[u8] {
        &self.mantissa
    }

    /// Unit, length, sign/exponent and mantissa bytes as the meter sent them (the ID left out).
    pub fn raw(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity(3 + self.mantissa.len());
        raw.extend_from_slice(&[
            self.unit.code(),
            self.mantissa.len() as u8,
            self.sign_exponent,
        ]);
        raw.extend_from_slice(&self.mantissa);
        raw
    }

    /// The register whose block after the ID is `raw` (as [`Register::raw`] gives it), if the
    /// length byte matches the mantissa.
    pub fn from_raw(id: RegisterId, raw: &[u8]) -> Option<Self> {
        let [unit, len, sign_exponent, mantissa @ ..] = raw else {
            return None;
        };
        (usize::from(*len) == mantissa.len()).then(|| Self {
            id,
            unit: Unit::from_code(*unit),
            sign_exponent: *sign_exponent,
            mantissa: mantissa.to_vec(),
        })
    }

    /// The sign/exponent byte as sent.
    pub fn sign_exponent(&self) -> u8 {
        self.sign_exponent
    }

    /// The same register (ID, unit, sign/exponent) holding another mantissa of the same length,
    /// as the later rows of a logger answer send only their values.
    pub(crate) fn with_mantissa(&self, mantissa: Vec<u8>) -> Self {
        Self {
            mantissa,
            ..self.clone()
        }
    }

    /// Appends the whole block, ID first, to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.value().to_be_bytes());
        out.extend_from_slice(&self.raw());
    }

    /// The decoded value.
    pub fn value(&self) -> Value {
        if self.unit.kind() == UnitKind::Ascii {
            return Value::Text(ascii_text(&self.mantissa));
        }
        if self.mantissa.len() > MAX_EXACT_MANTISSA {
            return Value::TooLong {
                len: self.mantissa.len(),
            };
        }
        let mantissa = self
            .mantissa
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        Value::Number(Number::from_parts(self.sign_exponent, mantissa))
    }

    /// The number, when the value is one.
    pub fn number(&self) -> Option<Number> {
        match self.value() {
            Value::Number(number) => Some(number),
            Value::Text(_) | Value::TooLong { .. } => None,
        }
    }

    /// The value as exact text (`"8.541"`), or `None` for a mantissa too long to decode.
    pub fn value_text(&self) -> Option<String> {
        match self.value() {
            Value::Number(number) => Some(number.to_string()),
            Value::Text(text) => Some(text),
            Value::TooLong { .. } => None,
        }
    }

    /// The value as a person reads it: with its unit, and dates and times in calendar form.
    pub fn display_text(&self) -> String {
        let number = match self.value() {
            Value::Text(text) => return text,
            Value::TooLong { len } => {
                return format!("({len}-byte mantissa, too long to show exactly)");
            }
            Value::Number(number) => number,
        };
        let calendar = match self.unit.kind() {
            UnitKind::TimeOfDay => number.as_plain_integer().and_then(time_of_day),
            UnitKind::DateYymmdd => number
                .as_plain_integer()
                .and_then(|n| date(2000 + n / 10_000, n % 10_000)),
            UnitKind::DateYyyymmdd => number
                .as_plain_integer()
                .and_then(|n| date(n / 10_000, n % 10_000)),
            UnitKind::MonthDay => number.as_plain_integer().and_then(month_day),
            UnitKind::DstDateTime => dst_date_time(&self.mantissa),
            UnitKind::Bitfield => Some(format!("0x{}", to_hex(&self.mantissa))),
            UnitKind::Quantity | UnitKind::Ascii => None,
        };
        calendar.unwrap_or_else(|| match self.unit.symbol() {
            "" => number.to_string(),
            symbol => format!("{number} {symbol}"),
        })
    }
}

/// Printable ASCII as it is, trailing NUL and space padding dropped, anything else escaped.
fn ascii_text(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && b != b' ')
        .map_or(0, |i| i + 1);
    bytes[..end]
        .iter()
        .map(|&b| {
            if (0x20..0x7F).contains(&b) {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02X}")
            }
        })
        .collect()
}

fn time_of_day(hhmmss: u128) -> Option<String> {
    let (h, m, s) = (hhmmss / 10_000, hhmmss / 100 % 100, hhmmss % 100);
    (h < 24 && m < 60 && s < 60).then(|| format!("{h:02}:{m:02}:{s:02}"))
}

fn month_day_valid(month: u128, day: u128) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn date(year: u128, mmdd: u128) -> Option<String> {
    let (month, day) = (mmdd / 100, mmdd % 100);
    (year <= 9999 && month_day_valid(month, day)).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

fn month_day(mmdd: u128) -> Option<String> {
    let (month, day) = (mmdd / 100, mmdd % 100);
    (mmdd < 10_000 && month_day_valid(month, day)).then(|| format!("{month:02}-{day:02}"))
}

/// Unit 0x4F: DST offset in minutes, then yy mm dd hh mi ss, one byte each (docs/protocols.md §5).
fn dst_date_time(bytes: &[u8]) -> Option<String> {
    let &[dst, yy, mm, dd, hh, mi, ss] = bytes else {
        return None;
    };
    let valid = u128::from(yy) < 100
        && month_day_valid(u128::from(mm), u128::from(dd))
        && hh < 24
        && mi < 60
        && ss < 60;
    let text = format!("20{yy:02}-{mm:02}-{dd:02} {hh:02}:{mi:02}:{ss:02}");
    valid.then(|| {
        if dst == 0 {
            text
        } else {
            format!("{text} (DST +{dst} min)")
        }
    })
}

#[cfg(test)]
mod tests;
