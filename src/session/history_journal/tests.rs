use super::*;
use crate::kmp::logger::PeriodLogger;
use crate::kmp::{Number, Register, RegisterId, Unit};

fn volume(mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, -2).unwrap();
    Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
}

fn energy(mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, 0).unwrap();
    Register::from_number(RegisterId::new(60), Unit::from_code(0x02), number, 4).unwrap()
}

fn record(id: u32, registers: &[Register]) -> HistoryRecord {
    HistoryRecord {
        id,
        registers: registers.to_vec(),
    }
}

const MONTH: Logger = Logger::Period(PeriodLogger::Month);

fn written(name: &str, reads: &[(Logger, Vec<HistoryRecord>)]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("kmp-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("history.journal");
    let mut journal = HistoryJournal::create(&path).unwrap();
    for (logger, records) in reads {
        journal
            .append(
                Timestamp::from_millisecond(1_790_000_000_000).unwrap(),
                *logger,
                records,
            )
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    bytes
}

#[test]
fn the_records_of_each_log_read_back_exactly_and_a_resume_completes_them() {
    let bytes = written(
        "resume",
        &[
            // A read cut short after its first group of registers...
            (
                MONTH,
                vec![
                    record(12, &[volume(634_400)]),
                    record(11, &[volume(620_000)]),
                ],
            ),
            (Logger::Interval(6), vec![record(4411, &[energy(17)])]),
            // ...and its resume, which brings the second group and a value read again.
            (
                MONTH,
                vec![
                    record(12, &[volume(634_401), energy(9)]),
                    record(11, &[energy(8)]),
                ],
            ),
        ],
    );
    let (histories, cut) = read(&bytes[..], "history.journal").unwrap();
    assert_eq!(cut, None);
    assert_eq!(histories.len(), 2);
    let month = &histories[0];
    assert_eq!(month.logger(), MONTH);
    assert_eq!(
        month.records(),
        [
            record(12, &[volume(634_401), energy(9)]),
            record(11, &[volume(620_000), energy(8)]),
        ]
    );
    assert_eq!(histories[1].logger(), Logger::Interval(6));
    assert_eq!(histories[1].records(), [record(4411, &[energy(17)])]);
}

#[test]
fn a_last_line_cut_short_is_left_out_and_a_damaged_one_is_named() {
    let mut bytes = written("cut", &[(MONTH, vec![record(12, &[volume(634_400)])])]);
    let whole = bytes.len() as u64;
    bytes.extend_from_slice(b"1790000000000 month 11 68:28044");
    let (histories, cut) = read(&bytes[..], "history.journal").unwrap();
    assert_eq!(cut, Some(whole));
    assert_eq!(histories[0].len(), 1);

    let damaged = [
        "kmp-workbench history 1\n1790000000000 fortnight 3 68:2804420000303A\n",
        "kmp-workbench history 1\n1790000000000 month x 68:2804420000303A\n",
        "kmp-workbench history 1\n1790000000000 month 3 68:zz\n",
    ];
    for text in damaged {
        let error = read(text.as_bytes(), "history.journal").unwrap_err();
        assert!(
            error.to_string().starts_with("history.journal, line 2: "),
            "{error}"
        );
    }
    let newer = read(&b"kmp-workbench history 2\n"[..], "history.journal").unwrap_err();
    assert!(newer.to_string().contains("newer version"), "{newer}");
}
