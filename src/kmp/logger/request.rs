//! Logger requests: every one decodes ([`LoggerRequest`]); only the reads whose meaning the
//! sources agree on can be built ([`LoggerRead`]).

use super::table::Reader;
use super::{
    CID_CLEAR_EVENT_STATUS, CID_EVENT_STATUS, CID_LOG_ID_PRESENT, CID_LOG_LAST_PRESENT,
    CID_LOG_TIME_PAST, CID_LOG_TIME_PRESENT, CID_LOGGER, LoggerType, NEWEST_OFFSET, PeriodLogger,
};
use crate::kmp::{
    DecodeError, Direction, Frame, MAX_REGISTERS_PER_REQUEST, RegisterId, RegisterList,
};

/// What the `A0`–`A3` requests share: the log, 1 to 8 registers, how many records, and the
/// largest answer the meter may send (MaxL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntervalQuery {
    /// The log ID (LID): 1 is the interval logger of the MULTICAL 601/801 modules and the 382's
    /// debiting logger, 6 the electricity meters' load profile.
    pub log: u8,
    /// The registers asked for.
    pub registers: RegisterList,
    /// Records asked for (NRcs); the meter sends fewer to stay within `max_len`.
    pub records: u8,
    /// The largest answer, in application bytes, the meter may send (MaxL).
    pub max_len: u8,
}

impl IntervalQuery {
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.log);
        push_counted_ids(out, self.registers.as_slice());
        out.push(self.records);
        out.push(self.max_len);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let log = reader.u8()?;
        let count = usize::from(reader.u8()?);
        if count == 0 || count > MAX_REGISTERS_PER_REQUEST {
            return Err(DecodeError::RegisterCount { count });
        }
        let ids = reader.register_ids(count)?;
        let registers =
            RegisterList::new(&ids).map_err(|_| DecodeError::RegisterCount { count })?;
        Ok(Self {
            log,
            registers,
            records: reader.u8()?,
            max_len: reader.u8()?,
        })
    }
}

/// A logger request as it travels: what a capture or an echo holds, whoever sent it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoggerRequest {
    /// `B8 05`: a logger's depth and registers.
    Configuration {
        /// The logger type.
        logger: LoggerType,
    },
    /// `B8 06`: `count` entries ending at `log_id`, newest first.
    PastById {
        /// The logger type.
        logger: LoggerType,
        /// The newest entry asked for.
        log_id: u32,
        /// Entries asked for.
        count: u16,
        /// The registers asked for.
        registers: Vec<RegisterId>,
    },
    /// `B8 07`: `count` entries from an offset (0xFFFF: the newest), newest first.
    LastEntryPast {
        /// The logger type.
        logger: LoggerType,
        /// The offset; only 0xFFFF ("the newest") is explained by a source.
        offset: u16,
        /// Entries asked for.
        count: u16,
        /// The registers asked for.
        registers: Vec<RegisterId>,
    },
    /// `A0` GetLogTimePresent: records from a time on. Never built: the sources dispute the
    /// byte order of `time`, kept here as sent.
    TimePresent {
        /// Log, registers, records, MaxL.
        query: IntervalQuery,
        /// The time field as sent (8 bytes, order disputed).
        time: [u8; 8],
    },
    /// `A1` GetLogLastPresent: the records after the meter's "last read" marker.
    LastPresent(IntervalQuery),
    /// `A2` GetLogIDPresent: records from `from_id` on, oldest first.
    IdPresent {
        /// Log, registers, records, MaxL.
        query: IntervalQuery,
        /// The first record asked for.
        from_id: u16,
    },
    /// `A3` GetLogTimePast: records back from a time. Never built (the time field, as `A0`).
    TimePast {
        /// Log, registers, records, MaxL.
        query: IntervalQuery,
        /// The time field as sent (8 bytes, order disputed).
        time: [u8; 8],
        /// How many records older than the one found to start at.
        offset: u16,
    },
    /// `9B` GetEventStatus.
    EventStatus,
    /// `9C` ClearEventStatus, with its eight mask bytes. Never built: it changes the meter.
    ClearEventStatus([u8; 8]),
}

impl LoggerRequest {
    /// The command ID.
    pub fn cid(&self) -> u8 {
        match self {
            Self::Configuration { .. } | Self::PastById { .. } | Self::LastEntryPast { .. } => {
                CID_LOGGER
            }
            Self::TimePresent { .. } => CID_LOG_TIME_PRESENT,
            Self::LastPresent(_) => CID_LOG_LAST_PRESENT,
            Self::IdPresent { .. } => CID_LOG_ID_PRESENT,
            Self::TimePast { .. } => CID_LOG_TIME_PAST,
            Self::EventStatus => CID_EVENT_STATUS,
            Self::ClearEventStatus(_) => CID_CLEAR_EVENT_STATUS,
        }
    }

    /// Whether the program may send this request: the reads of [`LoggerRead`].
    pub fn is_allowed_read(&self) -> bool {
        match self {
            Self::Configuration { logger } => logger.history().is_some(),
            Self::PastById {
                logger, registers, ..
            } => logger.history().is_some() && RegisterList::new(registers).is_ok(),
            Self::LastEntryPast {
                logger,
                offset,
                registers,
                ..
            } => {
                logger.history().is_some()
                    && *offset == NEWEST_OFFSET
                    && RegisterList::new(registers).is_ok()
            }
            Self::LastPresent(_) | Self::IdPresent { .. } | Self::EventStatus => true,
            Self::TimePresent { .. } | Self::TimePast { .. } | Self::ClearEventStatus(_) => false,
        }
    }

    /// The application data after the command ID.
    pub(super) fn data(&self) -> Vec<u8> {
        let mut data = Vec::new();
        match self {
            Self::Configuration { logger } => data.extend([0x05, logger.0]),
            Self::PastById {
                logger,
                log_id,
                count,
                registers,
            } => {
                data.extend([0x06, logger.0]);
                data.extend(log_id.to_be_bytes());
                data.extend(count.to_be_bytes());
                push_counted_ids(&mut data, registers);
            }
            Self::LastEntryPast {
                logger,
                offset,
                count,
                registers,
            } => {
                data.extend([0x07, logger.0]);
                data.extend(offset.to_be_bytes());
                data.extend(count.to_be_bytes());
                push_counted_ids(&mut data, registers);
            }
            Self::TimePresent { query, time } => {
                query.encode_into(&mut data);
                data.extend(time);
            }
            Self::LastPresent(query) => query.encode_into(&mut data),
            Self::IdPresent { query, from_id } => {
                query.encode_into(&mut data);
                data.extend(from_id.to_be_bytes());
            }
            Self::TimePast {
                query,
                time,
                offset,
            } => {
                query.encode_into(&mut data);
                data.extend(time);
                data.extend(offset.to_be_bytes());
            }
            Self::EventStatus => {}
            Self::ClearEventStatus(masks) => data.extend(masks),
        }
        data
    }

    /// The physical bytes of this request as it was sent to `destination`: for checking that
    /// a decoded frame re-encodes to itself. Crate-private, as [`Frame::encode`] is: a meter is
    /// sent only what [`LoggerRead`] builds.
    pub(crate) fn encode(&self, destination: u8) -> Vec<u8> {
        Frame {
            direction: Direction::ToMeter,
            destination,
            cid: self.cid(),
            data: self.data(),
        }
        .encode()
    }

    /// The request in a frame of command `cid` to a meter; `None` for a command or `B8`
    /// sub-command this module does not know (the other `B8` dialect stays a plain frame).
    pub(crate) fn decode(cid: u8, data: &[u8]) -> Result<Option<Self>, DecodeError> {
        let mut reader = Reader::new(cid, data);
        let request = match cid {
            CID_LOGGER => {
                let Some(&sub) = data.first() else {
                    return Ok(None);
                };
                if !(0x05..=0x07).contains(&sub) {
                    return Ok(None);
                }
                reader.u8()?;
                let logger = LoggerType(reader.u8()?);
                match sub {
                    0x05 => Self::Configuration { logger },
                    0x06 => {
                        let log_id = reader.u32()?;
                        let count = reader.u16()?;
                        let n = usize::from(reader.u8()?);
                        Self::PastById {
                            logger,
                            log_id,
                            count,
                            registers: reader.register_ids(n)?,
                        }
                    }
                    _ => {
                        let offset = reader.u16()?;
                        let count = reader.u16()?;
                        let n = usize::from(reader.u8()?);
                        Self::LastEntryPast {
                            logger,
                            offset,
                            count,
                            registers: reader.register_ids(n)?,
                        }
                    }
                }
            }
            CID_LOG_TIME_PRESENT => Self::TimePresent {
                query: IntervalQuery::decode(&mut reader)?,
                time: time(&mut reader)?,
            },
            CID_LOG_LAST_PRESENT => Self::LastPresent(IntervalQuery::decode(&mut reader)?),
            CID_LOG_ID_PRESENT => Self::IdPresent {
                query: IntervalQuery::decode(&mut reader)?,
                from_id: reader.u16()?,
            },
            CID_LOG_TIME_PAST => Self::TimePast {
                query: IntervalQuery::decode(&mut reader)?,
                time: time(&mut reader)?,
                offset: reader.u16()?,
            },
            CID_EVENT_STATUS => Self::EventStatus,
            CID_CLEAR_EVENT_STATUS => {
                let mut masks = [0; 8];
                masks.copy_from_slice(reader.take(8)?);
                Self::ClearEventStatus(masks)
            }
            _ => return Ok(None),
        };
        reader.finish()?;
        Ok(Some(request))
    }
}

/// The logger reads the program may send to a meter, and nothing else.
///
/// `A0`/`A3` (disputed time field), `9C` (moves the "last read" marker), `07` from any offset
/// but the newest, and the other `B8` sub-commands have no variant here, so they cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoggerRead {
    /// `B8 05`: a logger's depth and registers.
    Configuration(PeriodLogger),
    /// `B8 06`: `count` entries ending at `log_id`, newest first.
    PastById {
        /// The logger.
        logger: PeriodLogger,
        /// The newest entry asked for.
        log_id: u32,
        /// Entries asked for.
        count: u16,
        /// The registers asked for.
        registers: RegisterList,
    },
    /// `B8 07` from the newest entry (offset 0xFFFF): the newest `count` entries.
    Newest {
        /// The logger.
        logger: PeriodLogger,
        /// Entries asked for.
        count: u16,
        /// The registers asked for.
        registers: RegisterList,
    },
    /// `A1` GetLogLastPresent.
    LastPresent(IntervalQuery),
    /// `A2` GetLogIDPresent from `from_id`.
    IdPresent {
        /// Log, registers, records, MaxL.
        query: IntervalQuery,
        /// The first record asked for.
        from_id: u16,
    },
    /// `9B` GetEventStatus.
    EventStatus,
}

impl LoggerRead {
    /// The physical bytes of this request to the meter at `destination`.
    pub fn encode(&self, destination: u8) -> Vec<u8> {
        LoggerRequest::from(*self).encode(destination)
    }
}

impl From<LoggerRead> for LoggerRequest {
    fn from(read: LoggerRead) -> Self {
        match read {
            LoggerRead::Configuration(logger) => Self::Configuration {
                logger: logger.logger_type(),
            },
            LoggerRead::PastById {
                logger,
                log_id,
                count,
                registers,
            } => Self::PastById {
                logger: logger.logger_type(),
                log_id,
                count,
                registers: registers.as_slice().to_vec(),
            },
            LoggerRead::Newest {
                logger,
                count,
                registers,
            } => Self::LastEntryPast {
                logger: logger.logger_type(),
                offset: NEWEST_OFFSET,
                count,
                registers: registers.as_slice().to_vec(),
            },
            LoggerRead::LastPresent(query) => Self::LastPresent(query),
            LoggerRead::IdPresent { query, from_id } => Self::IdPresent { query, from_id },
            LoggerRead::EventStatus => Self::EventStatus,
        }
    }
}

fn time(reader: &mut Reader<'_>) -> Result<[u8; 8], DecodeError> {
    let mut time = [0; 8];
    time.copy_from_slice(reader.take(8)?);
    Ok(time)
}

/// A register list: the count in one byte. A decoded list never holds more than 255, and
/// [`LoggerRead`] builds lists of 1 to 8.
fn push_counted_ids(out: &mut Vec<u8>, ids: &[RegisterId]) {
    out.push(u8::try_from(ids.len()).unwrap_or(u8::MAX));
    for id in ids.iter().take(usize::from(u8::MAX)) {
        out.extend(id.value().to_be_bytes());
    }
}
