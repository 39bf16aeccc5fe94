//! Getting readings and register maps out to spreadsheets: CSV in the two dialects of the
//! command-line contract. Pure functions over `io::Write`, so tests write into a `Vec<u8>`.

mod csv;
mod history;
mod readings;

pub use self::csv::{
    CsvError, Dialect, LogColumn, LogWriter, RegisterRow, neutralise, write_registers,
};
pub use self::history::{history_columns, meter_time, write_history};
pub use self::readings::write_readings;
