//! Reads under damaged answers, in invented time: 10,000 reads, every register returned
//! compared byte for byte with the answers the meter meant for that request. A damaged answer
//! is retried, never returned.

use std::time::Duration;

use super::{finish, meter, opened, read_report};
use crate::kmp::{Register, RegisterId, RegisterList, Request};
use crate::link::{Job, ReadOptions};
use crate::sim::{Asked, Faults, Profile};

const IDS: [u16; 4] = [68, 74, 99, 1004];

#[test]
// The success rate per corruption level is a figure worth seeing in the test output.
#[allow(clippy::print_stdout)]
fn corrupted_answers_are_never_returned_and_retries_recover_most_reads() {
    let ids = IDS.map(RegisterId::new);
    let request = Request::GetRegister(RegisterList::new(&ids).unwrap());
    let mut total = 0;
    for (rate, reads, min_success) in [
        (0.001, 3000, 0.999),
        (0.01, 3000, 0.99),
        (0.1, 2000, 0.97),
        (0.3, 2000, 0.85),
    ] {
        let mut config = meter(Profile::Multical21);
        config.faults = Faults {
            corrupt: rate,
            noise: rate / 2.0,
            echo: rate / 50.0,
            ..Faults::default()
        };
        config.seed = 99;
        config.log_answers = true;
        let mut link = opened(config);
        let mut ok = 0;
        for _ in 0..reads {
            let id = link.start(Job::Read(ReadOptions {
                ids: ids.to_vec(),
                wait: Duration::ZERO,
            }));
            let (end, _) = finish(&mut link, id, Duration::from_secs(10));
            let report = read_report(&end);
            let sent = link.meter().take_sent();
            if !report.failed.is_empty() {
                assert!(report.registers.is_empty());
                continue;
            }
            // Right only when equal, value for value, to an answer the meter meant for this
            // request during this read (retries included).
            let meant: Vec<Vec<Register>> = sent
                .iter()
                .filter(|answer| answer.asked == Asked::Kmp(request))
                .filter_map(crate::sim::SentAnswer::registers)
                .collect();
            assert!(
                meant.contains(&report.registers),
                "the values returned are not values the meter sent: {:?}",
                report.registers
            );
            ok += 1;
        }
        total += reads;
        let rate_ok = f64::from(ok) / f64::from(reads);
        println!(
            "corruption {:>5.1}%: {ok} of {reads} reads succeeded ({:.2}%), every value as sent",
            rate * 100.0,
            rate_ok * 100.0
        );
        assert!(
            rate_ok >= min_success,
            "corruption {rate}: only {rate_ok} succeeded"
        );
    }
    assert!(total >= 10_000);
}
