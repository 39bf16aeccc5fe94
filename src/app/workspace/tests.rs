use super::*;
use crate::kmp::logger::PeriodLogger;
use crate::kmp::{Number, Register, RegisterId, Unit};
use crate::link::diagnosis::{Diagnosis, DiagnosisCode};
use crate::link::{HistoryRecord, HistorySpan};

const MONTH: Logger = Logger::Period(PeriodLogger::Month);

fn register(id: u16, mantissa: u128) -> Register {
    let number = Number::new(false, mantissa, 0).unwrap();
    Register::from_number(RegisterId::new(id), Unit::from_code(0x02), number, 4).unwrap()
}

fn record(id: u32, registers: &[Register]) -> HistoryRecord {
    HistoryRecord {
        id,
        registers: registers.to_vec(),
    }
}

fn report(records: Vec<HistoryRecord>, resume: Option<HistorySpan>) -> HistoryReport {
    HistoryReport {
        at: jiff::Timestamp::from_second(1_790_000_000).unwrap(),
        logger: MONTH,
        answered: true,
        listing: false,
        depth: Some(36),
        holds: vec![RegisterId::new(60), RegisterId::new(68)],
        not_held: Vec::new(),
        newest_id: Some(12),
        requests: 2,
        flags: Vec::new(),
        failure: None,
        diagnosis: Diagnosis {
            code: DiagnosisCode::Ok,
            finding: String::new(),
            advice: String::new(),
        },
        interrupted: resume.is_some(),
        records,
        resume,
    }
}

fn asked(span: HistorySpan) -> HistoryOptions {
    HistoryOptions {
        logger: MONTH,
        registers: Some(vec![RegisterId::new(60), RegisterId::new(68)]),
        span,
        wait: Duration::from_secs(10),
    }
}

#[test]
fn a_read_cut_short_offers_the_rest_with_the_same_registers_and_the_resume_completes_it() {
    let mut workspace = Workspace::default();
    let first = asked(HistorySpan::Last(4));
    let outcome = workspace.read_history(
        &report(
            vec![
                record(12, &[register(60, 9)]),
                record(11, &[register(60, 8)]),
            ],
            Some(HistorySpan::Ids { from: 9, to: 10 }),
        ),
        Some(&first),
    );
    assert!(
        outcome
            .unwrap()
            .unwrap()
            .ends_with("the rest can be resumed")
    );
    // Listing the logger again (as picking it does) keeps the offer.
    workspace.read_history(
        &HistoryReport {
            listing: true,
            ..report(Vec::new(), None)
        },
        None,
    );
    let resume = workspace.history_resume().unwrap().clone();
    assert_eq!(resume.span, HistorySpan::Ids { from: 9, to: 10 });
    assert_eq!(resume.registers, first.registers);

    workspace.read_history(
        &report(
            vec![
                record(10, &[register(60, 7)]),
                record(9, &[register(60, 6)]),
            ],
            None,
        ),
        Some(&resume),
    );
    assert_eq!(workspace.history_resume(), None);
    let ids: Vec<u32> = workspace
        .logger_history(MONTH)
        .unwrap()
        .records()
        .iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(ids, [12, 11, 10, 9]);
    assert_eq!(workspace.history_records(), 4);
    // The report kept for its listing holds no second copy of the records.
    assert!(workspace.history().unwrap().records.is_empty());
}

#[test]
fn a_later_read_of_other_registers_joins_the_records_read_before() {
    let mut workspace = Workspace::default();
    let read =
        |registers: &[Register]| report(vec![record(12, registers), record(11, registers)], None);
    workspace.read_history(&read(&[register(68, 100)]), None);
    // A listing in between keeps the records.
    workspace.read_history(
        &HistoryReport {
            listing: true,
            ..report(Vec::new(), None)
        },
        None,
    );
    workspace.read_history(&read(&[register(60, 5)]), None);
    let records = workspace.logger_history(MONTH).unwrap().records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].registers, [register(68, 100), register(60, 5)]);
    assert!(workspace.logger_history(Logger::Interval(6)).is_none());
}
