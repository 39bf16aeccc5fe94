//! Application messages: the three read commands, their answers, and every other frame as data.
//!
//! Only [`Request`] builds frames to a meter, and it knows GetType, GetSerialNo and GetRegister
//! alone: SetClock, PutRegister or any other command cannot be built with this API.

use super::logger::{LoggerRequest, LoggerResponse};
use super::register_list::{MAX_REGISTERS_PER_REQUEST, RegisterList};
use super::{ACK, DecodeError, Direction, Frame, Register, RegisterId, Unit};

/// Length of a register block before its mantissa: ID (2), unit, length, sign/exponent.
const BLOCK_HEADER_LEN: usize = 5;

/// The commands this crate reads with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cid {
    /// 0x01: meter type and software revision.
    GetType = 0x01,
    /// 0x02: serial number.
    GetSerialNo = 0x02,
    /// 0x10: register values.
    GetRegister = 0x10,
}

impl Cid {
    /// The command ID byte.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// The name of a command ID, for people reading traffic; `None` when no source names it.
pub fn command_name(cid: u8) -> Option<&'static str> {
    Some(match cid {
        0x01 => "GetType",
        0x02 => "GetSerialNo",
        0x09 => "SetClock",
        0x10 => "GetRegister",
        0x11 => "PutRegister",
        0x9B => "GetEventStatus",
        0x9C => "ClearEventStatus",
        0xA0 => "GetLogTimePresent",
        0xA1 => "GetLogLastPresent",
        0xA2 => "GetLogIDPresent",
        0xA3 => "GetLogTimePast",
        0xB8 => "logger command",
        _ => return None,
    })
}

/// A read request to a meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Request {
    /// Meter type and software revision.
    GetType,
    /// Serial number.
    GetSerialNo,
    /// Register values.
    GetRegister(RegisterList),
}

impl Request {
    /// The command ID.
    pub fn cid(&self) -> Cid {
        match self {
            Self::GetType => Cid::GetType,
            Self::GetSerialNo => Cid::GetSerialNo,
            Self::GetRegister(_) => Cid::GetRegister,
        }
    }

    /// The physical bytes of this request to the meter at `destination`.
    pub fn encode(&self, destination: u8) -> Vec<u8> {
        let data = match self {
            Self::GetType | Self::GetSerialNo => Vec::new(),
            Self::GetRegister(list) => {
                let mut data = vec![list.count()];
                for id in list.as_slice() {
                    data.extend_from_slice(&id.value().to_be_bytes());
                }
                data
            }
        };
        Frame {
            direction: Direction::ToMeter,
            destination,
            cid: self.cid().code(),
            data,
        }
        .encode()
    }

    fn decode(cid: u8, data: &[u8]) -> Result<Option<Self>, DecodeError> {
        let request = match cid {
            0x01 => expect_len(cid, data, 0).map(|()| Self::GetType)?,
            0x02 => expect_len(cid, data, 0).map(|()| Self::GetSerialNo)?,
            0x10 => {
                let (&count, ids) = data.split_first().ok_or(DecodeError::DataLength {
                    cid,
                    expected: 1,
                    actual: 0,
                })?;
                let count = usize::from(count);
                if count == 0 || count > MAX_REGISTERS_PER_REQUEST {
                    return Err(DecodeError::RegisterCount { count });
                }
                expect_len(cid, data, 1 + 2 * count)?;
                let ids: Vec<RegisterId> = ids
                    .chunks_exact(2)
                    .map(|pair| RegisterId::new(u16::from_be_bytes([pair[0], pair[1]])))
                    .collect();
                let list =
                    RegisterList::new(&ids).map_err(|_| DecodeError::RegisterCount { count })?;
                Self::GetRegister(list)
            }
            _ => return Ok(None),
        };
        Ok(Some(request))
    }
}

/// Meter type and software revision, the answer to GetType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MeterType {
    /// The meter type code.
    pub meter_type: u16,
    /// Letter index (1 = 'A') in the high byte, number in the low byte; 0 when not available.
    pub revision: u16,
}

impl MeterType {
    /// The revision as printed on the meter, e.g. `"A2"`; `None` when the meter does not say
    /// (then register 1005 may tell).
    pub fn revision_text(&self) -> Option<String> {
        let [letter, number] = self.revision.to_be_bytes();
        match letter {
            1..=26 => Some(format!("{}{number}", char::from(b'A' + letter - 1))),
            _ => None,
        }
    }
}

/// A meter's answer to one of the read commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    /// Answer to GetType.
    Type(MeterType),
    /// Answer to GetSerialNo.
    SerialNo(u32),
    /// Answer to GetRegister: the blocks in the order sent; unknown IDs are left out by the meter.
    Registers(Vec<Register>),
}

impl Response {
    /// The command this answers.
    pub fn cid(&self) -> Cid {
        match self {
            Self::Type(_) => Cid::GetType,
            Self::SerialNo(_) => Cid::GetSerialNo,
            Self::Registers(_) => Cid::GetRegister,
        }
    }

    /// The physical bytes a meter at `destination` sends for this answer.
    pub fn encode(&self, destination: u8) -> Vec<u8> {
        let data = match self {
            Self::Type(meter_type) => [
                meter_type.meter_type.to_be_bytes(),
                meter_type.revision.to_be_bytes(),
            ]
            .concat(),
            Self::SerialNo(serial) => serial.to_be_bytes().to_vec(),
            Self::Registers(registers) => {
                let mut data = Vec::new();
                for register in registers {
                    register.encode_into(&mut data);
                }
                data
            }
        };
        Frame {
            direction: Direction::FromMeter,
            destination,
            cid: self.cid().code(),
            data,
        }
        .encode()
    }

    fn decode(cid: u8, data: &[u8]) -> Result<Option<Self>, DecodeError> {
        let response = match cid {
            0x01 => {
                expect_len(cid, data, 4)?;
                Self::Type(MeterType {
                    meter_type: u16::from_be_bytes([data[0], data[1]]),
                    revision: u16::from_be_bytes([data[2], data[3]]),
                })
            }
            0x02 => {
                expect_len(cid, data, 4)?;
                Self::SerialNo(u32::from_be_bytes([data[0], data[1], data[2], data[3]]))
            }
            0x10 => Self::Registers(decode_blocks(data)?),
            _ => return Ok(None),
        };
        Ok(Some(response))
    }
}

/// Any decoded physical frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// The lone acknowledge byte.
    Ack,
    /// A read request.
    Request {
        /// Destination address.
        destination: u8,
        /// The request.
        request: Request,
    },
    /// An answer to a read request.
    Response {
        /// Destination address the meter repeated.
        destination: u8,
        /// The answer.
        response: Response,
    },
    /// A logger request (`B8` sub 05–07, `A0`–`A3`, `9B`, `9C`), whoever sent it.
    LoggerRequest {
        /// Destination address.
        destination: u8,
        /// The request.
        request: LoggerRequest,
    },
    /// A meter's answer to a logger request.
    LoggerResponse {
        /// Destination address the meter repeated.
        destination: u8,
        /// The answer.
        response: LoggerResponse,
    },
    /// A frame of any other command (SetClock, the other `B8` dialect…), checked but not
    /// interpreted.
    Other(Frame),
}

/// Decodes one physical frame, or the lone ACK byte.
pub fn decode(physical: &[u8]) -> Result<Message, DecodeError> {
    if physical == [ACK] {
        return Ok(Message::Ack);
    }
    let frame = Frame::decode(physical)?;
    let destination = frame.destination;
    let (cid, data) = (frame.cid, frame.data.as_slice());
    let message = match frame.direction {
        Direction::ToMeter => match Request::decode(cid, data)? {
            Some(request) => Some(Message::Request {
                destination,
                request,
            }),
            None => LoggerRequest::decode(cid, data)?.map(|request| Message::LoggerRequest {
                destination,
                request,
            }),
        },
        Direction::FromMeter => match Response::decode(cid, data)? {
            Some(response) => Some(Message::Response {
                destination,
                response,
            }),
            None => LoggerResponse::decode(cid, data)?.map(|response| Message::LoggerResponse {
                destination,
                response,
            }),
        },
    };
    Ok(message.unwrap_or(Message::Other(frame)))
}

/// The requested IDs that an answer left out: the meter does not have them.
pub fn absent_ids(requested: &[RegisterId], answered: &[Register]) -> Vec<RegisterId> {
    requested
        .iter()
        .copied()
        .filter(|id| !answered.iter().any(|register| register.id() == *id))
        .collect()
}

fn expect_len(cid: u8, data: &[u8], expected: usize) -> Result<(), DecodeError> {
    if data.len() == expected {
        Ok(())
    } else {
        Err(DecodeError::DataLength {
            cid,
            expected,
            actual: data.len(),
        })
    }
}

/// Register blocks one after another, each read by its own ID and length, never by position.
fn decode_blocks(data: &[u8]) -> Result<Vec<Register>, DecodeError> {
    let mut registers = Vec::new();
    let mut offset = 0;
    while offset < data.len() {
        let rest = &data[offset..];
        let truncated = |needed| DecodeError::TruncatedRegister {
            offset,
            needed,
            available: rest.len(),
        };
        let [id_hi, id_lo, unit, len, sign_exponent, ..] = *rest else {
            return Err(truncated(BLOCK_HEADER_LEN));
        };
        let block_len = BLOCK_HEADER_LEN + usize::from(len);
        let mantissa = rest
            .get(BLOCK_HEADER_LEN..block_len)
            .ok_or_else(|| truncated(block_len))?;
        let id = RegisterId::new(u16::from_be_bytes([id_hi, id_lo]));
        let register = Register::new(id, Unit::from_code(unit), sign_exponent, mantissa.to_vec())
            .map_err(|_| truncated(block_len))?;
        registers.push(register);
        offset += block_len;
    }
    Ok(registers)
}

#[cfg(test)]
mod tests;
