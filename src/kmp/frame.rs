//! Data-link frames: `start | destination | CID | data… | CRC hi | CRC lo | stop`, stuffed between
//! start and stop (docs/protocols.md §3).

use super::{
    DecodeError, MAX_FRAME_LEN, START_FROM_METER, START_TO_METER, STOP, crc::crc16, stuffing,
};

/// Offsets of the fixed fields in the unstuffed content between start and stop.
mod field {
    pub const DESTINATION: usize = 0;
    pub const CID: usize = 1;
    pub const DATA: usize = 2;
    /// Length of the CRC at the end of the content.
    pub const CRC_LEN: usize = 2;
    /// Destination, CID and CRC: the smallest content.
    pub const MIN_CONTENT: usize = DATA + CRC_LEN;
}

/// Which way a frame travels, told by its start byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Start byte 0x80: a request to the meter.
    ToMeter,
    /// Start byte 0x40: an answer from the meter.
    FromMeter,
}

impl Direction {
    /// The start byte of frames in this direction.
    pub const fn start_byte(self) -> u8 {
        match self {
            Self::ToMeter => START_TO_METER,
            Self::FromMeter => START_FROM_METER,
        }
    }
}

/// A frame whose stuffing and CRC have been checked.
///
/// Its fields are public for reading; only this crate can encode one, so that the public API
/// cannot put a write command on the wire (see [`Request`](super::Request)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Which way the frame travels.
    pub direction: Direction,
    /// The destination address (0x3F for the meter itself).
    pub destination: u8,
    /// The command ID.
    pub cid: u8,
    /// The application data, unstuffed, without the CRC.
    pub data: Vec<u8>,
}

impl Frame {
    /// Checks and decodes one physical frame, start and stop byte included.
    ///
    /// ```
    /// use kmp_workbench::kmp::{Direction, Frame};
    /// let frame = Frame::decode(&[0x80, 0x3F, 0x02, 0x35, 0xE9, 0x0D]).unwrap();
    /// assert_eq!((frame.direction, frame.destination, frame.cid), (Direction::ToMeter, 0x3F, 0x02));
    /// ```
    pub fn decode(physical: &[u8]) -> Result<Self, DecodeError> {
        let (&start, rest) = physical.split_first().ok_or(DecodeError::Empty)?;
        if physical.len() > MAX_FRAME_LEN {
            return Err(DecodeError::TooLong {
                len: physical.len(),
                max: MAX_FRAME_LEN,
            });
        }
        let direction = match start {
            START_TO_METER => Direction::ToMeter,
            START_FROM_METER => Direction::FromMeter,
            found => return Err(DecodeError::BadStart { found }),
        };
        let (&stop, stuffed) = rest
            .split_last()
            .ok_or(DecodeError::MissingStop { found: start })?;
        if stop != STOP {
            return Err(DecodeError::MissingStop { found: stop });
        }
        let content = stuffing::unstuff(stuffed, 1)?;
        if content.len() < field::MIN_CONTENT {
            return Err(DecodeError::TooShort {
                len: content.len(),
                min: field::MIN_CONTENT,
            });
        }
        let (covered, crc_bytes) = content.split_at(content.len() - field::CRC_LEN);
        let frame_crc = u16::from_be_bytes([crc_bytes[0], crc_bytes[1]]);
        let computed = crc16(covered);
        if computed != frame_crc {
            return Err(DecodeError::CrcMismatch {
                computed,
                frame: frame_crc,
            });
        }
        Ok(Self {
            direction,
            destination: covered[field::DESTINATION],
            cid: covered[field::CID],
            data: covered[field::DATA..].to_vec(),
        })
    }

    /// The physical bytes of this frame: CRC appended, content stuffed, start and stop added.
    ///
    /// Crate-private on purpose: public code builds frames to a meter only through
    /// [`Request::encode`](super::Request::encode), which knows nothing but the read commands.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut content = Vec::with_capacity(field::MIN_CONTENT + self.data.len());
        content.extend_from_slice(&[self.destination, self.cid]);
        content.extend_from_slice(&self.data);
        let crc = crc16(&content);
        content.extend_from_slice(&crc.to_be_bytes());

        let mut physical = Vec::with_capacity(2 + content.len() * 2);
        physical.push(self.direction.start_byte());
        stuffing::stuff(&content, &mut physical);
        physical.push(STOP);
        physical
    }
}

#[cfg(test)]
mod tests;
