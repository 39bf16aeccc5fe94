//! The simulated loggers: entries that agree with the physics and never rise into the past,
//! answers cut to the buffer with the flags set, paging that loses and repeats nothing, and the
//! meter answering the reads over its eye.

use std::time::{Duration, Instant};

use super::*;
use crate::kmp::logger::{LoggerRead, LoggerResponse};
use crate::kmp::{Message, RegisterList, decode};
use crate::sim::logger_specs::{KAMSTRUP_382, MULTICAL_603};
use crate::sim::{Meter, MeterConfig};

fn loggers(elapsed: Duration) -> Loggers<'static> {
    Loggers {
        profile: Profile::Multical603,
        specs: MULTICAL_603,
        intervals: &[],
        seed: 1,
        clock_start: jiff::civil::date(2026, 12, 1).at(10, 20, 0, 0),
        elapsed,
    }
}

fn ids(ids: &[u16]) -> Vec<RegisterId> {
    ids.iter().copied().map(RegisterId::new).collect()
}

fn readout(response: Option<LoggerResponse>) -> LoggerRows {
    match response {
        Some(LoggerResponse::Readout(readout)) => readout,
        other => panic!("no readout: {other:?}"),
    }
}

fn newest(logger: PeriodLogger, count: u16, registers: &[u16], at: &Loggers<'_>) -> LoggerRows {
    readout(at.answer(&LoggerRequest::LastEntryPast {
        logger: logger.logger_type(),
        offset: 0xFFFF,
        count,
        registers: ids(registers),
    }))
}

fn number(register: &Register) -> f64 {
    register.number().map(|n| n.to_f64()).unwrap()
}

#[test]
fn twelve_months_back_the_volume_never_rises_into_the_past_and_stays_below_the_start() {
    let at = loggers(Duration::ZERO);
    let months = newest(PeriodLogger::Month, 12, &[1003, 68], &at);
    let records: Vec<(u32, &[Register])> = months.records().collect();
    assert_eq!(records.len(), 12);
    assert_eq!(records[0].0, months.newest_id);
    assert_eq!(records[0].1[0].display_text(), "2026-12-01");
    assert_eq!(records[11].1[0].display_text(), "2026-01-01");
    let volumes: Vec<f64> = records.iter().map(|(_, row)| number(&row[1])).collect();
    assert!(
        volumes.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first, never falling back in time: {volumes:?}"
    );
    assert!(
        volumes[11] < volumes[0],
        "a year uses some water: {volumes:?}"
    );
    let start = Physics::new(Profile::Multical603, 1, at.clock_start).value(
        Quantity::Volume,
        crate::kmp::Unit::M3,
        Duration::ZERO,
    );
    assert!(volumes[0] <= start);
    assert!(months.info.has(B8Info::HEAD_INCLUDED));
    assert!(!months.info.has(B8Info::TRUNCATED_ENTRIES));
}

#[test]
fn the_oldest_year_is_still_above_zero_and_the_tail_is_flagged() {
    let at = loggers(Duration::ZERO);
    let years = newest(PeriodLogger::Year, 20, &[68], &at);
    assert_eq!(years.records().count(), 20);
    assert!(years.info.has(B8Info::TAIL_INCLUDED));
    let (_, oldest) = years.records().last().unwrap();
    assert!(number(&oldest[0]) > 0.0);
}

#[test]
fn a_long_read_is_cut_to_the_buffer_and_paging_on_loses_and_repeats_nothing() {
    let at = loggers(Duration::ZERO);
    let registers = [60, 63, 68, 69, 97, 110, 1004, 1003, 1002];
    let first = newest(PeriodLogger::Day, 40, &registers, &at);
    assert!(first.info.has(B8Info::TRUNCATED_ENTRIES));
    let got = first.records().count();
    assert!(got < 40 && got > 1, "{got} rows");
    let mut seen: Vec<u32> = first.records().map(|(id, _)| id).collect();
    while seen.len() < 40 {
        let next = *seen.last().unwrap() - 1;
        let page = readout(at.answer(&LoggerRequest::PastById {
            logger: PeriodLogger::Day.logger_type(),
            log_id: next,
            count: u16::try_from(40 - seen.len()).unwrap(),
            registers: ids(&registers),
        }));
        assert_eq!(page.first_id, next);
        seen.extend(page.records().map(|(id, _)| id));
    }
    let expected: Vec<u32> = (0..40).map(|back| first.newest_id - back).collect();
    assert_eq!(seen, expected);
}

#[test]
fn out_of_range_empty_loggers_and_unknown_registers_are_flagged() {
    let at = loggers(Duration::ZERO);
    let month = PeriodLogger::Month.logger_type();
    let past_newest = readout(at.answer(&LoggerRequest::PastById {
        logger: month,
        log_id: entry_id(PeriodLogger::Month, at.now()) + 1,
        count: 1,
        registers: ids(&[68]),
    }));
    assert!(past_newest.info.has(B8Info::OUT_OF_RANGE));
    assert_eq!(past_newest.records().count(), 0);
    let minutes = newest(PeriodLogger::Minute2, 1, &[1002], &at);
    assert!(minutes.info.has(B8Info::NO_ENTRIES));
    let unknown = newest(PeriodLogger::Month, 1, &[68, 74], &at);
    assert!(unknown.info.has(B8Info::UNSUPPORTED_REGISTER));
    assert_eq!(unknown.table().register_ids(), ids(&[68]));
    let odd_offset = readout(at.answer(&LoggerRequest::LastEntryPast {
        logger: month,
        offset: 3,
        count: 1,
        registers: ids(&[68]),
    }));
    assert!(odd_offset.info.has(B8Info::INVALID_REQUEST));
}

#[test]
fn an_hour_logged_after_the_start_holds_the_physics_value_of_its_time() {
    // Started at 10:20; at 12:30 the newest hour entry is 12:00, 100 minutes in.
    let at = loggers(Duration::from_secs(2 * 3600 + 600));
    let hours = newest(PeriodLogger::Hour, 1, &[68, 1002], &at);
    let (_, row) = hours.records().next().unwrap();
    assert_eq!(row[1].display_text(), "12:00:00");
    let expected = Physics::new(Profile::Multical603, 1, at.clock_start).value(
        Quantity::Volume,
        crate::kmp::Unit::M3,
        Duration::from_secs(100 * 60),
    );
    assert!(
        (number(&row[0]) - expected).abs() < 0.006,
        "{row:?} vs {expected}"
    );
}

#[test]
fn entry_ids_and_times_agree() {
    let now = jiff::civil::date(2026, 12, 1).at(10, 20, 0, 0);
    for logger in PeriodLogger::ALL {
        let id = entry_id(logger, now);
        let time = entry_time(logger, id);
        assert!(time <= now, "{logger}: {time} after {now}");
        assert_eq!(entry_id(logger, time), id, "{logger}");
    }
    assert_eq!(
        entry_time(PeriodLogger::Month, entry_id(PeriodLogger::Month, now)),
        jiff::civil::date(2026, 12, 1).at(0, 0, 0, 0)
    );
}

#[test]
fn the_multical_603_answers_logger_reads_over_its_eye_and_the_multical_21_does_not() {
    let request = LoggerRead::Configuration(PeriodLogger::Year).encode(0x3F);
    let start = Instant::now();
    let awake = start + Duration::from_secs(5);
    let mut meter = Meter::new(MeterConfig::new(Profile::Multical603), start);
    meter.handle_input(&request, awake);
    let answer = meter
        .poll_transmit(awake + Duration::from_secs(10))
        .unwrap_or_default();
    let Ok(Message::LoggerResponse {
        response: LoggerResponse::Configuration(config),
        ..
    }) = decode(&answer)
    else {
        panic!("no configuration: {answer:02X?}");
    };
    assert_eq!(config.depth, 20);
    let mut water = Meter::new(MeterConfig::new(Profile::Multical21), start);
    let read = LoggerRead::Newest {
        logger: PeriodLogger::Month,
        count: 1,
        registers: RegisterList::single(RegisterId::new(68)),
    };
    water.handle_input(&read.encode(0x3F), awake);
    assert_eq!(water.poll_transmit(awake + Duration::from_secs(10)), None);
}

fn load_profile(elapsed: Duration) -> Loggers<'static> {
    Loggers {
        profile: Profile::Kamstrup382,
        specs: &[],
        intervals: KAMSTRUP_382,
        seed: 1,
        clock_start: jiff::civil::date(2026, 12, 1).at(10, 20, 0, 0),
        elapsed,
    }
}

fn interval(response: Option<LoggerResponse>) -> crate::kmp::logger::IntervalRows {
    match response {
        Some(LoggerResponse::Interval(readout)) => readout,
        other => panic!("no interval readout: {other:?}"),
    }
}

fn query(records: u8, max_len: u8) -> crate::kmp::logger::IntervalQuery {
    crate::kmp::logger::IntervalQuery {
        log: 6,
        registers: RegisterList::new(&ids(&[1002, 1003, 1])).unwrap(),
        records,
        max_len,
    }
}

#[test]
fn the_load_profile_reads_hourly_records_oldest_first_to_the_end_of_the_log() {
    let at = load_profile(Duration::ZERO);
    let newest = interval(at.answer(&LoggerRequest::LastPresent(query(1, 0xFF)))).newest_id;
    let readout = interval(at.answer(&LoggerRequest::IdPresent {
        query: query(6, 0xFF),
        from_id: newest - 5,
    }));
    let ids: Vec<u32> = readout.records().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        (0..6)
            .rev()
            .map(|back| u32::from(newest) - back)
            .collect::<Vec<_>>()
    );
    assert!(
        readout
            .info
            .has(crate::kmp::logger::IntervalInfo::END_OF_LOG)
    );
    assert_eq!(readout.last_id, newest);
    let (_, last) = readout.records().last().unwrap();
    assert_eq!(last[0].display_text(), "10:00:00");
    assert_eq!(last[1].display_text(), "2026-12-01");
    let energies: Vec<f64> = readout.records().map(|(_, row)| number(&row[2])).collect();
    assert!(
        energies.windows(2).all(|pair| pair[0] <= pair[1]),
        "{energies:?}"
    );
}

#[test]
fn a_small_max_len_leaves_records_out_and_an_id_past_the_newest_is_out_of_range() {
    let at = load_profile(Duration::ZERO);
    let newest = interval(at.answer(&LoggerRequest::LastPresent(query(1, 0xFF)))).newest_id;
    let short = interval(at.answer(&LoggerRequest::IdPresent {
        query: query(20, 60),
        from_id: newest - 19,
    }));
    assert!(
        short
            .info
            .has(crate::kmp::logger::IntervalInfo::RECORDS_LEFT_OUT)
    );
    assert!(short.records().count() < 20);
    // The whole answer fits the MaxL asked for.
    let data_len = LoggerResponse::Interval(short).encode(0x3F).len();
    assert!(data_len < 60 + 10, "{data_len}");
    let past = interval(at.answer(&LoggerRequest::IdPresent {
        query: query(1, 0xFF),
        from_id: newest + 1,
    }));
    assert!(
        past.info
            .has(crate::kmp::logger::IntervalInfo::OUT_OF_RANGE)
    );
    assert_eq!(past.records().count(), 0);
    // Another log ID is not kept: no answer.
    let mut other = query(1, 0xFF);
    other.log = 1;
    assert!(at.answer(&LoggerRequest::LastPresent(other)).is_none());
}
