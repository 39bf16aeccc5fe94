//! Rows of logged values: the first row's registers carry their formats (ID, unit, length,
//! sign/exponent), later rows only their values, read with the first row's lengths. And a
//! reader over a command's data that names the command and the length in its errors.

use crate::kmp::{DecodeError, EncodeError, Register, RegisterId, Unit};

/// Rows of logged values, every row holding the same registers in the same formats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowTable {
    rows: Vec<Vec<Register>>,
}

impl RowTable {
    /// A table of `rows`; each must hold the first row's registers with the same unit, length
    /// and sign/exponent, since only the first row carries them on the wire.
    pub fn new(rows: Vec<Vec<Register>>) -> Result<Self, EncodeError> {
        if let Some(first) = rows.first() {
            for (row, registers) in rows.iter().enumerate().skip(1) {
                let same = registers.len() == first.len()
                    && registers
                        .iter()
                        .zip(first)
                        .all(|(register, format)| same_format(register, format));
                if !same {
                    return Err(EncodeError::LoggerRowFormat { row });
                }
            }
        }
        Ok(Self { rows })
    }

    /// Rows read from a frame: the later ones were read in the first row's formats, so they
    /// share them by construction.
    pub(super) fn decoded(rows: Vec<Vec<Register>>) -> Self {
        Self { rows }
    }

    /// The rows, in the order the meter sent them.
    pub fn rows(&self) -> &[Vec<Register>] {
        &self.rows
    }

    /// The registers of the rows, in order; empty for a table without rows.
    pub fn register_ids(&self) -> Vec<RegisterId> {
        self.rows
            .first()
            .map(|row| row.iter().map(Register::id).collect())
            .unwrap_or_default()
    }

    /// Appends row `index` as it travels: whole blocks for the first row, values after it.
    pub(super) fn encode_row(&self, index: usize, out: &mut Vec<u8>) {
        let Some(row) = self.rows.get(index) else {
            return;
        };
        for register in row {
            if index == 0 {
                register.encode_into(out);
            } else {
                out.extend_from_slice(register.mantissa_bytes());
            }
        }
    }
}

fn same_format(register: &Register, format: &Register) -> bool {
    register.id() == format.id()
        && register.unit() == format.unit()
        && register.mantissa_bytes().len() == format.mantissa_bytes().len()
        && register.sign_exponent() == format.sign_exponent()
}

/// Reads a command's data front to back; running out is an error naming the command.
pub(super) struct Reader<'a> {
    cid: u8,
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(cid: u8, data: &'a [u8]) -> Self {
        Self { cid, data, at: 0 }
    }

    /// Bytes left.
    pub(super) fn left(&self) -> usize {
        self.data.len() - self.at
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at.saturating_add(len);
        let bytes = self.data.get(self.at..end).ok_or(DecodeError::DataLength {
            cid: self.cid,
            expected: end,
            actual: self.data.len(),
        })?;
        self.at = end;
        Ok(bytes)
    }

    pub(super) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16, DecodeError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    pub(super) fn u32(&mut self) -> Result<u32, DecodeError> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    pub(super) fn register_ids(&mut self, count: usize) -> Result<Vec<RegisterId>, DecodeError> {
        (0..count)
            .map(|_| self.u16().map(RegisterId::new))
            .collect()
    }

    /// `count` whole register blocks: ID, unit, length, sign/exponent, mantissa.
    pub(super) fn blocks(&mut self, count: usize) -> Result<Vec<Register>, DecodeError> {
        (0..count)
            .map(|_| {
                let offset = self.at;
                let id = RegisterId::new(self.u16()?);
                let unit = self.u8()?;
                let len = self.u8()?;
                let sign_exponent = self.u8()?;
                let mantissa = self.take(usize::from(len))?;
                Register::new(id, Unit::from_code(unit), sign_exponent, mantissa.to_vec()).map_err(
                    |_| DecodeError::TruncatedRegister {
                        offset,
                        needed: 5 + usize::from(len),
                        available: self.data.len() - offset,
                    },
                )
            })
            .collect()
    }

    /// The values of one later row, in the formats of `first`.
    pub(super) fn values_like(&mut self, first: &[Register]) -> Result<Vec<Register>, DecodeError> {
        first
            .iter()
            .map(|format| {
                let mantissa = self.take(format.mantissa_bytes().len())?;
                Ok(format.with_mantissa(mantissa.to_vec()))
            })
            .collect()
    }

    /// The data must end here.
    pub(super) fn finish(&self) -> Result<(), DecodeError> {
        if self.at == self.data.len() {
            Ok(())
        } else {
            Err(DecodeError::DataLength {
                cid: self.cid,
                expected: self.at,
                actual: self.data.len(),
            })
        }
    }
}
