//! Logger answers: a `B8` logger's configuration and readouts, the `A0`–`A3` readouts, and the
//! event status.

use super::table::{Reader, RowTable};
use super::{
    B8Info, CID_EVENT_STATUS, CID_LOG_TIME_PAST, CID_LOG_TIME_PRESENT, CID_LOGGER, IntervalInfo,
    LoggerType,
};
use crate::kmp::{DecodeError, Direction, EncodeError, Frame, Register, RegisterId};

/// A `B8 05` answer: how deep a logger is and which registers it holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoggerConfig {
    /// The logger type.
    pub logger: LoggerType,
    /// The ten bytes before the depth, kept as sent: one source labels them as two dates, a
    /// mirror and an interval with their formats, which no other source confirms.
    pub settings: [u8; 10],
    /// How many entries the logger keeps.
    pub depth: u16,
    /// The registers it holds, in its order.
    pub registers: Vec<RegisterId>,
}

/// Which `B8` readout an answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowsKind {
    /// Sub-command `06` GetLogIDPastAbs.
    PastById,
    /// Sub-command `07` GetLogLastEntryPastAbs.
    LastEntryPast,
}

impl RowsKind {
    const fn code(self) -> u8 {
        match self {
            Self::PastById => 0x06,
            Self::LastEntryPast => 0x07,
        }
    }
}

/// A `B8 06`/`07` answer: rows newest first, the first with ID `first_id`, then one less each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggerRows {
    /// Which readout.
    pub kind: RowsKind,
    /// The logger type.
    pub logger: LoggerType,
    /// The ID of the first (newest) row.
    pub first_id: u32,
    /// The newest entry in the logger (not in this answer).
    pub newest_id: u32,
    /// The info word.
    pub info: B8Info,
    register_count: u8,
    table: RowTable,
}

impl LoggerRows {
    /// An answer holding `table`'s rows (at most 65,535, of at most 255 registers).
    pub fn new(
        kind: RowsKind,
        logger: LoggerType,
        first_id: u32,
        newest_id: u32,
        info: B8Info,
        table: RowTable,
    ) -> Result<Self, EncodeError> {
        let count = table.register_ids().len();
        let register_count =
            u8::try_from(count).map_err(|_| EncodeError::RegisterCount { count })?;
        if u16::try_from(table.rows().len()).is_err() {
            return Err(EncodeError::LoggerRowCount {
                count: table.rows().len(),
            });
        }
        Ok(Self {
            kind,
            logger,
            first_id,
            newest_id,
            info,
            register_count,
            table,
        })
    }

    /// The rows, newest first.
    pub fn table(&self) -> &RowTable {
        &self.table
    }

    /// The rows with their IDs (`first_id`, then one less each), newest first; a row whose ID
    /// would fall below 0 is left out, as no logger has one.
    pub fn records(&self) -> impl Iterator<Item = (u32, &[Register])> {
        self.table
            .rows()
            .iter()
            .enumerate()
            .filter_map(|(index, row)| {
                let back = u32::try_from(index).ok()?;
                Some((self.first_id.checked_sub(back)?, row.as_slice()))
            })
    }

    /// How many registers the answer says each row holds.
    pub fn register_count(&self) -> u8 {
        self.register_count
    }
}

/// An `A0`–`A3` answer: records by 16-bit ID, the first carrying the formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntervalRows {
    /// The command it answers (`A0` to `A3`).
    pub cid: u8,
    /// The log type ID; in the examples, the log asked for.
    pub log: u8,
    /// The ID of the last record in this answer (LRORecID).
    pub last_id: u16,
    /// The newest record in the log (NewRecID).
    pub newest_id: u16,
    /// The INFO byte.
    pub info: IntervalInfo,
    register_count: u8,
    record_ids: Vec<u16>,
    table: RowTable,
}

impl IntervalRows {
    /// An answer holding one record per row of `table`, with the IDs `record_ids`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cid: u8,
        log: u8,
        record_ids: Vec<u16>,
        table: RowTable,
        last_id: u16,
        newest_id: u16,
        info: IntervalInfo,
    ) -> Result<Self, EncodeError> {
        if record_ids.len() != table.rows().len() {
            return Err(EncodeError::LoggerRowCount {
                count: record_ids.len(),
            });
        }
        let count = table.register_ids().len();
        let register_count =
            u8::try_from(count).map_err(|_| EncodeError::RegisterCount { count })?;
        Ok(Self {
            cid,
            log,
            last_id,
            newest_id,
            info,
            register_count,
            record_ids,
            table,
        })
    }

    /// The rows in the order sent.
    pub fn table(&self) -> &RowTable {
        &self.table
    }

    /// The records with their IDs, in the order sent.
    pub fn records(&self) -> impl Iterator<Item = (u32, &[Register])> {
        self.record_ids
            .iter()
            .zip(self.table.rows())
            .map(|(id, row)| (u32::from(*id), row.as_slice()))
    }

    /// How many registers the answer says each record holds (NRtR).
    pub fn register_count(&self) -> u8 {
        self.register_count
    }
}

/// A meter's answer to a logger request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoggerResponse {
    /// `B8 05`.
    Configuration(LoggerConfig),
    /// `B8 06`/`07`.
    Readout(LoggerRows),
    /// `A0`–`A3`.
    Interval(IntervalRows),
    /// `9B`: the four event status bytes (ES2 bit 0: the interval log has unread records).
    EventStatus([u8; 4]),
}

impl LoggerResponse {
    /// The command ID.
    pub fn cid(&self) -> u8 {
        match self {
            Self::Configuration(_) | Self::Readout(_) => CID_LOGGER,
            Self::Interval(readout) => readout.cid,
            Self::EventStatus(_) => CID_EVENT_STATUS,
        }
    }

    /// The physical bytes a meter at `destination` sends for this answer.
    pub fn encode(&self, destination: u8) -> Vec<u8> {
        Frame {
            direction: Direction::FromMeter,
            destination,
            cid: self.cid(),
            data: self.data(),
        }
        .encode()
    }

    pub(super) fn data(&self) -> Vec<u8> {
        let mut data = Vec::new();
        match self {
            Self::Configuration(config) => {
                data.extend([0x05, config.logger.0]);
                data.extend(config.settings);
                data.extend(config.depth.to_be_bytes());
                data.push(u8::try_from(config.registers.len()).unwrap_or(u8::MAX));
                for id in config.registers.iter().take(usize::from(u8::MAX)) {
                    data.extend(id.value().to_be_bytes());
                }
            }
            Self::Readout(readout) => {
                data.extend([readout.kind.code(), readout.logger.0]);
                // `new` and `decode` keep the row count within 16 bits.
                let rows = u16::try_from(readout.table.rows().len()).unwrap_or(u16::MAX);
                data.extend(rows.to_be_bytes());
                data.push(readout.register_count);
                data.extend(readout.first_id.to_be_bytes());
                data.extend(readout.newest_id.to_be_bytes());
                data.extend(readout.info.0.to_be_bytes());
                for row in 0..readout.table.rows().len() {
                    readout.table.encode_row(row, &mut data);
                }
            }
            Self::Interval(readout) => {
                data.extend([readout.log, readout.register_count]);
                for (row, id) in readout.record_ids.iter().enumerate() {
                    data.extend(id.to_be_bytes());
                    readout.table.encode_row(row, &mut data);
                }
                data.extend(readout.last_id.to_be_bytes());
                data.extend(readout.newest_id.to_be_bytes());
                data.push(readout.info.0);
            }
            Self::EventStatus(status) => data.extend(status),
        }
        data
    }

    /// The answer in a frame of command `cid` from a meter; `None` for a command or `B8`
    /// sub-command this module does not know, and for an `A0`–`A3` answer whose INFO is set and
    /// whose records do not follow the layout (the source allows such answers to "vary").
    pub(crate) fn decode(cid: u8, data: &[u8]) -> Result<Option<Self>, DecodeError> {
        let response = match cid {
            CID_LOGGER => match data.first() {
                Some(0x05) => Self::Configuration(decode_config(data)?),
                Some(0x06 | 0x07) => Self::Readout(decode_readout(data)?),
                _ => return Ok(None),
            },
            CID_LOG_TIME_PRESENT..=CID_LOG_TIME_PAST => match decode_interval(cid, data) {
                Ok(readout) => Self::Interval(readout),
                Err(_) if data.last().is_some_and(|info| *info != 0) => return Ok(None),
                Err(error) => return Err(error),
            },
            CID_EVENT_STATUS => {
                let mut reader = Reader::new(cid, data);
                let mut status = [0; 4];
                status.copy_from_slice(reader.take(4)?);
                reader.finish()?;
                Self::EventStatus(status)
            }
            _ => return Ok(None),
        };
        Ok(Some(response))
    }
}

fn decode_config(data: &[u8]) -> Result<LoggerConfig, DecodeError> {
    let mut reader = Reader::new(CID_LOGGER, data);
    reader.u8()?;
    let logger = LoggerType(reader.u8()?);
    let mut settings = [0; 10];
    settings.copy_from_slice(reader.take(10)?);
    let depth = reader.u16()?;
    let count = usize::from(reader.u8()?);
    let registers = reader.register_ids(count)?;
    reader.finish()?;
    Ok(LoggerConfig {
        logger,
        settings,
        depth,
        registers,
    })
}

fn decode_readout(data: &[u8]) -> Result<LoggerRows, DecodeError> {
    let mut reader = Reader::new(CID_LOGGER, data);
    let kind = match reader.u8()? {
        0x06 => RowsKind::PastById,
        _ => RowsKind::LastEntryPast,
    };
    let logger = LoggerType(reader.u8()?);
    let rows = usize::from(reader.u16()?);
    let register_count = reader.u8()?;
    let first_id = reader.u32()?;
    let newest_id = reader.u32()?;
    let info = B8Info(reader.u16()?);
    let table = read_rows(&mut reader, rows, register_count)?;
    reader.finish()?;
    Ok(LoggerRows {
        kind,
        logger,
        first_id,
        newest_id,
        info,
        register_count,
        table,
    })
}

fn decode_interval(cid: u8, data: &[u8]) -> Result<IntervalRows, DecodeError> {
    // The trailer (LRORecID, NewRecID, INFO) is the last five bytes; the records fill the rest.
    let trailer_at = data.len().checked_sub(5).ok_or(DecodeError::DataLength {
        cid,
        expected: 7,
        actual: data.len(),
    })?;
    let (body, trailer) = data.split_at(trailer_at);
    let mut reader = Reader::new(cid, body);
    let log = reader.u8()?;
    let register_count = reader.u8()?;
    let mut rows: Vec<Vec<Register>> = Vec::new();
    let mut record_ids = Vec::new();
    while reader.left() > 0 {
        record_ids.push(reader.u16()?);
        let row = match rows.first() {
            None => reader.blocks(usize::from(register_count))?,
            Some(first) => reader.values_like(first)?,
        };
        rows.push(row);
    }
    let table = RowTable::decoded(rows);
    let mut trailer = Reader::new(cid, trailer);
    Ok(IntervalRows {
        cid,
        log,
        last_id: trailer.u16()?,
        newest_id: trailer.u16()?,
        info: IntervalInfo(trailer.u8()?),
        register_count,
        record_ids,
        table,
    })
}

/// `rows` rows of `registers` registers: whole blocks first, values after.
fn read_rows(reader: &mut Reader<'_>, rows: usize, registers: u8) -> Result<RowTable, DecodeError> {
    let mut table: Vec<Vec<Register>> = Vec::new();
    for _ in 0..rows {
        let row = match table.first() {
            None => reader.blocks(usize::from(registers))?,
            Some(first) => reader.values_like(first)?,
        };
        table.push(row);
    }
    Ok(RowTable::decoded(table))
}
