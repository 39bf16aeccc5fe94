//! What a session keeps of one log of the meter's history: every record read of it, across
//! reads, cancels and resumes. A record read again keeps its registers and takes the new
//! values of those read again, so a resumed read completes the records a cancel left short.

use crate::link::{HistoryRecord, Logger};

/// The records read of one log, newest (highest record ID) first, as a read gives them and as
/// the screen and the export take them, borrowed.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggerHistory {
    logger: Logger,
    records: Vec<HistoryRecord>,
}

impl LoggerHistory {
    /// Nothing read yet of `logger`.
    pub fn new(logger: Logger) -> Self {
        Self {
            logger,
            records: Vec::new(),
        }
    }

    /// Which log.
    pub fn logger(&self) -> Logger {
        self.logger
    }

    /// Takes the records of a read.
    pub fn merge<'a>(&mut self, records: impl IntoIterator<Item = &'a HistoryRecord>) {
        for record in records {
            // Newest first: the IDs fall along the list.
            match self
                .records
                .binary_search_by(|kept| record.id.cmp(&kept.id))
            {
                Ok(at) => {
                    let kept = &mut self.records[at].registers;
                    for register in &record.registers {
                        match kept.iter_mut().find(|old| old.id() == register.id()) {
                            Some(old) => *old = register.clone(),
                            None => kept.push(register.clone()),
                        }
                    }
                }
                Err(at) => self.records.insert(at, record.clone()),
            }
        }
    }

    /// The records, newest first.
    pub fn records(&self) -> &[HistoryRecord] {
        &self.records
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The history of `logger` among `histories`, made when there is none yet.
pub fn history_of(histories: &mut Vec<LoggerHistory>, logger: Logger) -> &mut LoggerHistory {
    let at = match histories
        .iter()
        .position(|history| history.logger == logger)
    {
        Some(at) => at,
        None => {
            histories.push(LoggerHistory::new(logger));
            histories.len() - 1
        }
    };
    &mut histories[at]
}
