//! The data readout: STX, lines of `address(value*unit)` (several values may follow one address),
//! a `!` line, ETX, and the block check character over everything after STX up to and including
//! ETX. The standard's BCC is the XOR of those bytes; the MULTICAL 41/401 documents call theirs
//! "calculated arithmetically" without defining it, so a block that fails the XOR is also tried
//! as the sum modulo 128 of the same bytes — an assumption, kept visible in [`Bcc::Sum`].

use crate::kmp::Number;

use super::{Address, ETX, IecError, STX};

/// The longest readout read: a meter's whole data set is a few hundred bytes to a few kilobytes.
pub const MAX_READOUT_LEN: usize = 16 * 1024;
/// The longest line of a readout.
const MAX_LINE_LEN: usize = 256;
/// The longest value or unit between parentheses.
const MAX_VALUE_LEN: usize = 64;

/// How a block's check character was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bcc {
    /// The XOR of the block, as IEC 62056-21 defines it.
    Xor,
    /// The sum modulo 128 of the block: an assumption for the MULTICAL 41/401, whose documents
    /// say "calculated arithmetically" and no more.
    Sum,
}

/// The XOR of `bytes`, as IEC 62056-21 computes the block check character.
pub fn bcc_xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |bcc, byte| bcc ^ byte)
}

/// The sum modulo 128 of `bytes` (see [`Bcc::Sum`]).
pub fn bcc_sum(bytes: &[u8]) -> u8 {
    (bytes.iter().map(|&b| u32::from(b)).sum::<u32>() % 128) as u8
}

/// One value of a data line, as sent, with its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataValue {
    /// The value's text, exactly as sent: `0012345.678`.
    pub text: String,
    /// The unit after `*`, if any: `kWh`.
    pub unit: Option<String>,
}

impl DataValue {
    /// The value as an exact number, when it is one (`0012345.678` is 12345.678 with three
    /// decimals); dates, times and codes are not.
    pub fn number(&self) -> Option<Number> {
        let text = self.text.trim();
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        let number: Number = unsigned.parse().ok()?;
        if text.starts_with('-') {
            Number::new(true, number.mantissa(), number.exponent()).ok()
        } else {
            Some(number)
        }
    }
}

/// One line of a readout: an address and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataLine {
    /// The address: an OBIS code or the meter's own label.
    pub address: Address,
    /// Its values, most often one.
    pub values: Vec<DataValue>,
}

impl DataLine {
    /// The line as a meter sends it, without its line end: `1.8.0(0012345.678*kWh)`.
    pub fn text(&self) -> String {
        let mut text = self.address.to_string();
        for value in &self.values {
            text.push('(');
            text.push_str(&value.text);
            if let Some(unit) = &value.unit {
                text.push('*');
                text.push_str(unit);
            }
            text.push(')');
        }
        text
    }

    /// Reads one line as a meter sends it, without its line end.
    pub fn parse(line: &str) -> Result<Self, IecError> {
        Self::decode(line, 1)
    }

    fn decode(line: &str, number: usize) -> Result<Self, IecError> {
        let bad = IecError::Line { line: number };
        if line.len() > MAX_LINE_LEN {
            return Err(bad);
        }
        let open = line.find('(').ok_or(bad)?;
        let address: Address = line[..open].parse().map_err(|_| bad)?;
        let mut values = Vec::new();
        let mut rest = &line[open..];
        while let Some(inner) = rest.strip_prefix('(') {
            let close = inner.find(')').ok_or(bad)?;
            let content = &inner[..close];
            if content.len() > MAX_VALUE_LEN || content.contains('(') {
                return Err(bad);
            }
            let (text, unit) = match content.split_once('*') {
                Some((text, unit)) => (text, Some(unit.to_string())),
                None => (content, None),
            };
            values.push(DataValue {
                text: text.to_string(),
                unit,
            });
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return Err(bad);
        }
        Ok(Self { address, values })
    }
}

/// A data readout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readout {
    /// Its lines, in the order sent.
    pub lines: Vec<DataLine>,
    /// How its check character was computed.
    pub bcc: Bcc,
}

impl Readout {
    /// Reads a whole block, from STX to the block check character.
    pub fn decode(block: &[u8]) -> Result<Self, IecError> {
        if block.len() > MAX_READOUT_LEN {
            return Err(IecError::TooLong(MAX_READOUT_LEN));
        }
        let body = block.strip_prefix(&[STX]).ok_or(IecError::Unknown)?;
        let etx = body
            .iter()
            .position(|&b| b == ETX)
            .ok_or(IecError::CutShort)?;
        let (&found, checked) = match &body[etx + 1..] {
            [bcc] => (bcc, &body[..=etx]),
            [] => return Err(IecError::CutShort),
            _ => return Err(IecError::Unknown),
        };
        let (xor, sum) = (bcc_xor(checked), bcc_sum(checked));
        let bcc = if found == xor {
            Bcc::Xor
        } else if found == sum {
            Bcc::Sum
        } else {
            return Err(IecError::Bcc {
                computed: xor,
                sum,
                found,
            });
        };
        let text = &body[..etx];
        if let Some(&byte) = text.iter().find(|b| !b.is_ascii()) {
            return Err(IecError::NotText(byte));
        }
        let text = String::from_utf8_lossy(text);
        let body = text.strip_suffix("!\r\n").ok_or(IecError::CutShort)?;
        let mut lines = Vec::new();
        for (idx, line) in body.split_terminator("\r\n").enumerate() {
            if line.is_empty() {
                return Err(IecError::Line { line: idx + 1 });
            }
            lines.push(DataLine::decode(line, idx + 1)?);
        }
        Ok(Self { lines, bcc })
    }

    /// The block as a meter sends it, with its check character computed as `self.bcc` says.
    pub fn encode(&self) -> Vec<u8> {
        encode_readout(&self.lines, self.bcc)
    }
}

/// A block of `lines` as a meter sends it.
pub fn encode_readout(lines: &[DataLine], bcc: Bcc) -> Vec<u8> {
    let mut block = vec![STX];
    for line in lines {
        block.extend_from_slice(line.text().as_bytes());
        block.extend_from_slice(b"\r\n");
    }
    block.extend_from_slice(b"!\r\n");
    block.push(ETX);
    let checked = &block[1..];
    block.push(match bcc {
        Bcc::Xor => bcc_xor(checked),
        Bcc::Sum => bcc_sum(checked),
    });
    block
}
