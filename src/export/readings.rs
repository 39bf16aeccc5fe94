//! Readings to CSV as PRODUCT.md "CSV" says: one row per poll (`time_utc`, `time_local`,
//! `elapsed_s`, then one column per register headed with its name, unit and ID), the exact values
//! as the meter sent them, a register missing from a poll leaving its cell empty.

use std::io::Write;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::{Readings, RegisterMap};

use super::{CsvError, Dialect, LogColumn, LogWriter};

/// Writes every reading of `readings`, named from `map`; returns the number of rows.
pub fn write_readings(
    out: impl Write,
    readings: &Readings,
    map: &RegisterMap,
    dialect: Dialect,
    zone: TimeZone,
) -> Result<usize, CsvError> {
    let series = readings.series();
    let columns: Vec<LogColumn> = series
        .iter()
        .map(|series| LogColumn {
            id: series.key().to_string(),
            name: map.key_name(series.key()),
            unit: series.unit().to_string(),
        })
        .collect();
    let mut writer = LogWriter::create(out, &columns, dialect, zone)?;
    // One cursor per series; each row takes the earliest time left and every series' reading
    // at that time (the readings of one poll share its time).
    let mut cursors = vec![0; series.len()];
    let first = readings.first_time();
    let mut rows = 0;
    loop {
        let next = series
            .iter()
            .zip(&cursors)
            .filter_map(|(series, &at)| series.times().get(at).copied())
            .reduce(f64::min);
        let Some(time) = next else {
            break;
        };
        let cells: Vec<Option<String>> = series
            .iter()
            .zip(cursors.iter_mut())
            .map(|(series, cursor)| {
                let reading = series.get(*cursor).filter(|reading| reading.at == time)?;
                *cursor += 1;
                Some(reading.value.to_string())
            })
            .collect();
        let at = Timestamp::from_millisecond((time * 1000.0).round() as i64)
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let elapsed = first.map_or(0.0, |first| time - first);
        writer.row(at, elapsed, &cells)?;
        rows += 1;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmp::{Number, RegisterId};

    fn readings() -> Readings {
        let mut readings = Readings::default();
        let volume = RegisterId::V1_VOLUME.into();
        let flow = RegisterId::FLOW_V1.into();
        let number = |m, e| Number::new(false, m, e).unwrap();
        readings.push(volume, "m³", 1_790_000_000.0, number(6344, -2));
        readings.push(flow, "l/h", 1_790_000_000.0, number(120, 0));
        // The second poll lost the flow register.
        readings.push(volume, "m³", 1_790_000_001.5, number(6345, -2));
        readings
    }

    #[test]
    fn one_row_per_poll_with_names_units_and_exact_values() {
        let mut map = RegisterMap::default();
        map.set_name(RegisterId::FLOW_V1, "=Flow, flat 3");
        let mut out = Vec::new();
        let rows =
            write_readings(&mut out, &readings(), &map, Dialect::Rfc4180, TimeZone::UTC).unwrap();
        assert_eq!(rows, 2);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "time_utc,time_local,elapsed_s,V1 volume [m³] (68),\"'=Flow, flat 3 [l/h] (74)\""
        );
        assert_eq!(
            lines[1],
            "2026-09-21T14:13:20.000Z,2026-09-21 14:13:20,0.000,63.44,120"
        );
        assert_eq!(
            lines[2],
            "2026-09-21T14:13:21.500Z,2026-09-21 14:13:21,1.500,63.45,"
        );
    }

    #[test]
    fn the_excel_dialect_has_a_bom_semicolons_and_decimal_commas() {
        let mut out = Vec::new();
        write_readings(
            &mut out,
            &readings(),
            &RegisterMap::default(),
            Dialect::ExcelEu,
            TimeZone::UTC,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.lines().nth(2).unwrap().ends_with(";1,500;63,45;"));
    }
}
