//! Damaged exchanges (see `faults/scenario.rs`): reads against a simulated meter behind a noisy
//! infrared head, in invented time, every value the link accepts compared with the answers the
//! meter meant for that read. CRC-16 misses about one random corruption in 65,536, so a long
//! run is what can show whether anything else lets a wrong value through: above all a whole,
//! valid answer of an earlier read arriving while a later read waits.
//!
//! Run: `cargo bench --bench damaged_exchanges`. Four seeds of 25,000 answers each. Budget: 0
//! values accepted wrong; at least 100,000 answers; at least 200 whole answers of earlier reads
//! received during later reads; and each seed's shares of damaged, noisy, late and lost answers
//! within four standard deviations of the configured ones (so faults that are not applied
//! fail). The bench exits 1 when any is missed. The last line is
//! `faults exchanges=N accepted_wrong=0 accepted_right=A rejected=R stale=S`.

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

const SEEDS: [u64; 4] = [17, 18, 19, 20];
const ANSWERS_PER_SEED: u64 = 25_000;
const ANSWERS: u64 = 100_000;
const STALE: u64 = 200;

fn main() {
    let began = Instant::now();
    println!("damaged_exchanges: reads of six registers through a noisy head, in invented time");
    let mut total = scenario::Outcome::default();
    let mut missed: Vec<String> = Vec::new();
    for seed in SEEDS {
        let outcome = scenario::run(ANSWERS_PER_SEED, seed);
        let shares = outcome.shares(&scenario::meter(seed));
        let shown: Vec<String> = shares
            .iter()
            .map(|share| {
                format!(
                    "{} {:.2} % (set {:.1} ± {:.2})",
                    share.name,
                    share.found * 100.0,
                    share.configured * 100.0,
                    share.tolerance() * 100.0
                )
            })
            .collect();
        println!(
            "seed {seed}: {} answers: {}; {} whole answers of earlier reads arrived during later reads; {} accepted wrong",
            outcome.exchanges,
            shown.join(", "),
            outcome.stale,
            outcome.accepted_wrong
        );
        missed.extend(
            shares
                .iter()
                .filter(|share| !share.holds())
                .map(|share| format!("seed {seed}: the {} share is not as set", share.name)),
        );
        total.add(&outcome);
    }
    println!(
        "{} answers, {} of them damaged; {} whole answers of earlier reads arrived during later reads; {} reads failed after their retries; {} of {} accepted reads differed from the read before; {:.1} s of wall time",
        total.exchanges,
        total.damaged,
        total.stale,
        total.failed_reads,
        total.changed,
        total.accepted_right + total.accepted_wrong,
        began.elapsed().as_secs_f64()
    );
    println!(
        "faults exchanges={} accepted_wrong={} accepted_right={} rejected={} stale={}",
        total.exchanges, total.accepted_wrong, total.accepted_right, total.rejected, total.stale
    );
    if total.accepted_wrong > 0 {
        missed.push(format!("{} values accepted wrong", total.accepted_wrong));
    }
    if total.exchanges < ANSWERS {
        missed.push(format!("fewer than {ANSWERS} answers"));
    }
    if total.stale < STALE {
        missed.push(format!(
            "fewer than {STALE} whole answers of earlier reads arrived during later reads"
        ));
    }
    if !missed.is_empty() {
        eprintln!("over budget: {}", missed.join("; "));
        std::process::exit(1);
    }
}
