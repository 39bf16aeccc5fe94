use jiff::tz::TimeZone;

use super::*;

fn columns() -> Vec<LogColumn> {
    vec![
        LogColumn {
            id: "68".into(),
            name: "V1 volume".into(),
            unit: "m³".into(),
        },
        LogColumn {
            id: "74".into(),
            name: "flow V1".into(),
            unit: "l/h".into(),
        },
        LogColumn {
            id: "99".into(),
            name: "info code".into(),
            unit: String::new(),
        },
    ]
}

fn log(dialect: Dialect) -> String {
    let mut out = Vec::new();
    let mut writer = LogWriter::create(
        &mut out,
        &columns(),
        dialect,
        TimeZone::fixed(jiff::tz::offset(1)),
    )
    .unwrap();
    let at: Timestamp = "2026-11-22T10:00:00.250Z".parse().unwrap();
    writer
        .row(
            at,
            0.0,
            &[Some("8.541".into()), Some("120".into()), Some("0".into())],
        )
        .unwrap();
    writer
        .row(
            at + jiff::SignedDuration::from_millis(1500),
            1.5,
            &[Some("8.542".into()), None, Some("0".into())],
        )
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn rfc4180_log_has_the_contract_header_and_rows() {
    assert_eq!(
        log(Dialect::Rfc4180),
        "time_utc,time_local,elapsed_s,V1 volume [m³] (68),flow V1 [l/h] (74),info code (99)\r\n\
         2026-11-22T10:00:00.250Z,2026-11-22 11:00:00,0.000,8.541,120,0\r\n\
         2026-11-22T10:00:01.750Z,2026-11-22 11:00:01,1.500,8.542,,0\r\n"
    );
}

#[test]
fn excel_eu_log_has_bom_semicolons_and_decimal_commas() {
    let text = log(Dialect::ExcelEu);
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "time_utc;time_local;elapsed_s;V1 volume [m³] (68);flow V1 [l/h] (74);info code (99)"
    );
    assert_eq!(
        lines[1],
        "2026-11-22T10:00:00.250Z;2026-11-22 11:00:00;0,000;8,541;120;0"
    );
}

#[test]
fn appending_needs_the_same_header() {
    let header = format!(
        "\u{feff}{}\r\n",
        LogWriter::<Vec<u8>>::header(&columns(), Dialect::ExcelEu)
    );
    assert!(
        LogWriter::append(
            Vec::new(),
            &header,
            &columns(),
            Dialect::ExcelEu,
            TimeZone::UTC
        )
        .is_ok()
    );
    let other = vec![LogColumn {
        id: "68".into(),
        name: "V1 volume".into(),
        unit: "m³".into(),
    }];
    let error = LogWriter::append(Vec::new(), &header, &other, Dialect::ExcelEu, TimeZone::UTC)
        .err()
        .unwrap();
    assert!(matches!(error, CsvError::HeaderMismatch { .. }));
}

#[test]
fn user_text_that_would_be_a_formula_is_neutralised() {
    assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
    assert_eq!(neutralise("@cmd"), "'@cmd");
    assert_eq!(neutralise("V1 volume"), "V1 volume");
    let column = LogColumn {
        id: "1".into(),
        name: "+cmd|' /C calc'!A0".into(),
        unit: String::new(),
    };
    assert!(column.heading().starts_with("'+cmd"));
}

#[test]
fn a_register_map_parses_back_in_both_dialects() {
    let rows = vec![RegisterRow {
        id: 68,
        name: Some("V1 volume".into()),
        unit: "m³".into(),
        unit_code: 40,
        value: Some("8.541".into()),
        display: "8.541 m³".into(),
        raw: "2804430000215D".into(),
    }];
    for dialect in [Dialect::Rfc4180, Dialect::ExcelEu] {
        let mut out = Vec::new();
        write_registers(&mut out, &rows, dialect).unwrap();
        let text = String::from_utf8(out).unwrap();
        let body = text.trim_start_matches('\u{feff}');
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(dialect.delimiter())
            .from_reader(body.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[0], "68");
        assert_eq!(&record[3], "m³");
        assert_eq!(
            &record[5],
            if dialect == Dialect::ExcelEu {
                "8,541"
            } else {
                "8.541"
            }
        );
        assert_eq!(&record[7], "2804430000215D");
    }
}

#[test]
fn text_values_keep_their_points_and_never_become_formulas() {
    let rows = vec![RegisterRow {
        id: 1005,
        name: None,
        unit: String::new(),
        unit_code: 0x30,
        value: Some("=v1.2".into()),
        display: "=v1.2".into(),
        raw: "30053D76312E32".into(),
    }];
    let mut out = Vec::new();
    write_registers(&mut out, &rows, Dialect::ExcelEu).unwrap();
    let text = String::from_utf8(out).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.contains(";'=v1.2;"), "{row}");
}

#[test]
fn a_logged_text_value_keeps_its_points_and_never_becomes_a_formula() {
    let mut out = Vec::new();
    let mut writer =
        LogWriter::create(&mut out, &columns(), Dialect::ExcelEu, TimeZone::UTC).unwrap();
    let at: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
    let values = [
        Some("=v1.2".into()),
        Some("-12.5".into()),
        Some("1.2.3".into()),
    ];
    writer.row(at, 0.0, &values).unwrap();
    let text = String::from_utf8(out).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(';').collect();
    // Text as the meter sent it, neutralised; a negative number is a number, with its comma.
    assert_eq!(row[3..], ["'=v1.2", "-12,5", "1.2.3"]);
}
