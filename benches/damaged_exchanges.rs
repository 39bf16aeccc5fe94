//! Damaged exchanges (see `faults/scenario.rs`): reads against a simulated meter behind a noisy
//! infrared head, in invented time, every value the link accepts compared with the answers the
//! meter meant for that read. CRC-16 misses about one random corruption in 65,536, so a long
//! run is what can show whether anything else lets a wrong value through.
//!
//! Run: `cargo bench --bench damaged_exchanges`. Budget: 0 values accepted wrong, at least
//! 100,000 answers; the bench exits 1 when either is missed. The last line is
//! `faults exchanges=N accepted_wrong=0 accepted_right=A rejected=R`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::time::Instant;

#[path = "faults/scenario.rs"]
mod scenario;

const ANSWERS: u64 = 100_000;

fn main() {
    let began = Instant::now();
    println!("damaged_exchanges: reads of six registers through a noisy head, in invented time");
    let outcome = scenario::run(ANSWERS, 17);
    println!(
        "{} answers, {} of them damaged; {} reads failed after their retries; {} of {} accepted reads differed from the read before; {:.1} s of wall time",
        outcome.exchanges,
        outcome.damaged,
        outcome.failed_reads,
        outcome.changed,
        outcome.accepted_right + outcome.accepted_wrong,
        began.elapsed().as_secs_f64()
    );
    println!(
        "faults exchanges={} accepted_wrong={} accepted_right={} rejected={}",
        outcome.exchanges, outcome.accepted_wrong, outcome.accepted_right, outcome.rejected
    );
    if outcome.accepted_wrong > 0 || outcome.exchanges < ANSWERS {
        eprintln!("over budget: values accepted wrong, or too few answers");
        std::process::exit(1);
    }
}
