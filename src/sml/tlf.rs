//! SML's type-length fields: every value starts with one or more TL bytes saying its type and
//! its length, and lists say how many values follow (docs/protocols.md §11).
//!
//! ```text
//! TL byte: m ttt llll    m: another TL byte follows (its low four bits extend the length)
//!                        ttt: 000 octet string, 100 boolean, 101 integer, 110 unsigned, 111 list
//!                        llll: the length, TL bytes included; for a list, its number of values
//! ```
//!
//! An octet string of length one (`01`, no data) stands for an optional value left out; `00`
//! ends a message.

use super::SmlError;

/// How deep lists may nest: SML's deepest (a message, its body, a value list, an entry, a
/// time) is five.
const MAX_DEPTH: usize = 16;

/// One value as the fields carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An octet string; empty when an optional value is left out.
    Bytes(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// A signed integer, and how many bytes it took (1 to 8).
    Int(i64, u8),
    /// An unsigned integer, and how many bytes it took (1 to 8).
    UInt(u64, u8),
    /// A list.
    List(Vec<Value>),
    /// The `00` that ends a message.
    EndOfMessage,
}

impl Value {
    /// Whether it is an optional value left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Bytes(bytes) if bytes.is_empty())
    }

    /// The octet string, if it is one.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The value as an unsigned number, if it is a non-negative integer of either kind.
    pub fn unsigned(&self) -> Option<u64> {
        match *self {
            Self::UInt(value, _) => Some(value),
            Self::Int(value, _) => u64::try_from(value).ok(),
            _ => None,
        }
    }

    /// The list, if it is one.
    pub fn list(&self) -> Option<&[Value]> {
        match self {
            Self::List(values) => Some(values),
            _ => None,
        }
    }
}

/// Reads one value from `input` at `*pos`, moving `*pos` past it.
pub fn decode(input: &[u8], pos: &mut usize) -> Result<Value, SmlError> {
    decode_at(input, pos, 0)
}

fn decode_at(input: &[u8], pos: &mut usize, depth: usize) -> Result<Value, SmlError> {
    if depth > MAX_DEPTH {
        return Err(SmlError::TooDeep);
    }
    let first = *input.get(*pos).ok_or(SmlError::CutShort)?;
    if first == 0x00 {
        *pos += 1;
        return Ok(Value::EndOfMessage);
    }
    let kind = (first >> 4) & 0x07;
    let mut len = usize::from(first & 0x0F);
    let mut tl_len = 1;
    let mut more = first & 0x80 != 0;
    while more {
        let next = *input.get(*pos + tl_len).ok_or(SmlError::CutShort)?;
        if next & 0x70 != 0 || tl_len >= 4 {
            return Err(SmlError::TypeLength(first));
        }
        len = (len << 4) | usize::from(next & 0x0F);
        more = next & 0x80 != 0;
        tl_len += 1;
    }
    let start = *pos + tl_len;
    if kind == 0b111 {
        *pos = start;
        // Each value takes a byte at least: a count beyond what is left cannot be.
        if len > input.len().saturating_sub(start) {
            return Err(SmlError::CutShort);
        }
        let mut values = Vec::with_capacity(len);
        for _ in 0..len {
            values.push(decode_at(input, pos, depth + 1)?);
        }
        return Ok(Value::List(values));
    }
    let data_len = len.checked_sub(tl_len).ok_or(SmlError::TypeLength(first))?;
    let data = input
        .get(start..start + data_len)
        .ok_or(SmlError::CutShort)?;
    *pos = start + data_len;
    match kind {
        0b000 => Ok(Value::Bytes(data.to_vec())),
        0b100 if data_len == 1 => Ok(Value::Bool(data[0] != 0)),
        0b101 | 0b110 if (1..=8).contains(&data_len) => {
            let mut raw = [0u8; 8];
            raw[8 - data_len..].copy_from_slice(data);
            let unsigned = u64::from_be_bytes(raw);
            let width = data_len as u8;
            if kind == 0b110 {
                return Ok(Value::UInt(unsigned, width));
            }
            // Sign-extend from the width sent.
            let shift = 64 - 8 * data_len as u32;
            Ok(Value::Int(((unsigned << shift) as i64) >> shift, width))
        }
        _ => Err(SmlError::TypeLength(first)),
    }
}

/// Appends `value`'s bytes to `out`.
pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Bytes(bytes) => {
            type_length(0b000, bytes.len(), true, out);
            out.extend_from_slice(bytes);
        }
        Value::Bool(value) => {
            type_length(0b100, 1, true, out);
            out.push(u8::from(*value));
        }
        Value::Int(value, width) => {
            let width = usize::from((*width).clamp(1, 8));
            type_length(0b101, width, true, out);
            out.extend_from_slice(&value.to_be_bytes()[8 - width..]);
        }
        Value::UInt(value, width) => {
            let width = usize::from((*width).clamp(1, 8));
            type_length(0b110, width, true, out);
            out.extend_from_slice(&value.to_be_bytes()[8 - width..]);
        }
        Value::List(values) => {
            type_length(0b111, values.len(), false, out);
            for value in values {
                encode(value, out);
            }
        }
        Value::EndOfMessage => out.push(0x00),
    }
}

/// The TL bytes of a value of `kind` with `len` data bytes (or values, for a list); `counts_tl`
/// when the length includes the TL bytes.
fn type_length(kind: u8, len: usize, counts_tl: bool, out: &mut Vec<u8>) {
    let mut tl_len = 1;
    while {
        let total = if counts_tl { len + tl_len } else { len };
        total >> (4 * tl_len) != 0
    } {
        tl_len += 1;
    }
    let total = if counts_tl { len + tl_len } else { len };
    for index in 0..tl_len {
        let shift = 4 * (tl_len - 1 - index);
        let nibble = ((total >> shift) & 0x0F) as u8;
        let more = if index + 1 < tl_len { 0x80 } else { 0 };
        let kind_bits = if index == 0 { kind << 4 } else { 0 };
        out.push(more | kind_bits | nibble);
    }
}
