//! A simulated week of polling through the link's real job machines, with faults, a port that
//! vanishes and a user who scans, reads again and pauses (see `soak/scenario.rs`): every poll
//! answer the meter sent must be in the session's journal exactly once, with its values.
//!
//! Run: `cargo bench --bench soak_week`. Budget: no reading lost or wrong, at least one reading
//! checked per simulated second (604,800), under 60 s of wall time. The last line is
//! `soak_week readings_checked=N readings_lost=0 wrong_values=0 wall_s=X`; a reading lost or
//! wrong, too few readings checked, or over 60 s, exits 1.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::time::{Duration, Instant};

#[path = "soak/scenario.rs"]
mod scenario;

const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

fn main() {
    let dir = std::env::temp_dir().join(format!("kmp-soak-week-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let began = Instant::now();
    println!("soak_week: a week of 1 s polls of volume and flow, in invented time");
    let outcome = scenario::run(WEEK, &dir, 7);
    let wall = began.elapsed().as_secs_f64();
    let floor = scenario::readings_floor(WEEK);
    println!(
        "{} poll answers sent whole, {} of their readings checked against the journal (floor {floor}); {} polls journaled, silent ones included; {} requests; {} scans, {} reads again, {} pauses, the port gone {} times",
        outcome.answers,
        outcome.readings_checked,
        outcome.polls,
        outcome.requests,
        outcome.scans,
        outcome.rereads,
        outcome.pauses,
        outcome.vanished
    );
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "soak_week readings_checked={} readings_lost={} wrong_values={} wall_s={wall:.1}",
        outcome.readings_checked, outcome.readings_lost, outcome.wrong_values
    );
    let mut missed = Vec::new();
    if outcome.readings_lost > 0 || outcome.wrong_values > 0 {
        missed.push("readings lost or wrong".to_string());
    }
    if outcome.readings_checked < floor {
        missed.push(format!("fewer than {floor} readings checked"));
    }
    if wall > 60.0 {
        missed.push("over 60 s of wall time".to_string());
    }
    if !missed.is_empty() {
        eprintln!("over budget: {}", missed.join("; "));
        std::process::exit(1);
    }
}
