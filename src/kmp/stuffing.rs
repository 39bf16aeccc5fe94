//! Byte stuffing: reserved bytes between start and stop travel as `0x1B, byte ^ 0xFF`.
//!
//! Both directions are single-pass state machines. A decoder built from successive
//! search-and-replace calls double-decodes (`1B E4 F9` would become `06` instead of `1B F9`), as
//! PyKMP 0.0.2 does (docs/protocols.md §3); an escape that stands for no reserved byte, or one cut off
//! by the end, is an error rather than a guess.

use super::{DecodeError, ESCAPE, RESERVED};

/// Whether `byte` must be stuffed between the start and the stop byte.
pub fn is_reserved(byte: u8) -> bool {
    RESERVED.contains(&byte)
}

/// Appends `bytes` to `out`, stuffing every reserved byte.
///
/// ```
/// let mut out = Vec::new();
/// kmp_workbench::kmp::stuffing::stuff(&[0x40, 0x2B], &mut out);
/// assert_eq!(out, [0x1B, 0xBF, 0x2B]);
/// ```
pub fn stuff(bytes: &[u8], out: &mut Vec<u8>) {
    for &byte in bytes {
        if is_reserved(byte) {
            out.extend_from_slice(&[ESCAPE, byte ^ 0xFF]);
        } else {
            out.push(byte);
        }
    }
}

/// Undoes [`stuff`].
///
/// `offset` is where `stuffed` starts in the physical frame, so that errors name the position a
/// person sees in the hex dump.
///
/// ```
/// use kmp_workbench::kmp::{stuffing::unstuff, DecodeError};
/// assert_eq!(unstuff(&[0x1B, 0xBF, 0x2B], 1), Ok(vec![0x40, 0x2B]));
/// assert_eq!(unstuff(&[0x1B, 0x00], 1), Err(DecodeError::InvalidEscape { offset: 1, byte: 0x00 }));
/// ```
pub fn unstuff(stuffed: &[u8], offset: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(stuffed.len());
    let mut bytes = stuffed.iter().copied().enumerate();
    while let Some((idx, byte)) = bytes.next() {
        if byte == ESCAPE {
            let Some((_, escaped)) = bytes.next() else {
                return Err(DecodeError::TruncatedEscape {
                    offset: offset + idx,
                });
            };
            let original = escaped ^ 0xFF;
            if !is_reserved(original) {
                return Err(DecodeError::InvalidEscape {
                    offset: offset + idx,
                    byte: escaped,
                });
            }
            out.push(original);
        } else if is_reserved(byte) {
            return Err(DecodeError::UnescapedReserved {
                offset: offset + idx,
                byte,
            });
        } else {
            out.push(byte);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
