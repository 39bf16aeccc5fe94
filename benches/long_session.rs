//! Peak resident memory of a week-long recording: 7 days of polls at a 1 s interval, each poll
//! answering volume (68) and flow (74), with its traffic (request, echo, answer), through the
//! data structures and journals the app uses (`model::Readings`, `session::Session`), then the
//! session opened again from disk as the app opens it.
//!
//! Run: `cargo bench --bench long_session`. Budget: 150 MB. The last line is
//! `long_session samples=N peak_rss_mb=X`, N counting the readings of both series; over budget,
//! the bench exits 1.
//!
//! The memory figure is the kernel's own account, read from `/proc/self/status`: Linux only; on
//! other systems the bench says at once that it cannot measure and exits 2, claiming nothing.
//!
//! The journals are not synced to the disk after each poll here (the app syncs them); syncing
//! changes how long a week takes to write, not the memory it needs.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    missing_docs
)]

use std::time::Instant;

use jiff::Timestamp;
use kmp_workbench::kmp::{Number, Register, RegisterId, RegisterList, Request, Response, Unit};
use kmp_workbench::link::traffic::{TrafficDirection, TrafficRecord};
use kmp_workbench::model::{Readings, RegisterMap};
use kmp_workbench::session::{Manifest, Session};

const POLLS: i64 = 7 * 24 * 3600;

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

/// The peak so far; a bench that cannot read it has nothing to report, and says so.
fn peak() -> f64 {
    peak_rss_mb().unwrap_or_else(|| {
        eprintln!(
            "long_session measured nothing: the peak resident memory is the Linux kernel's figure, which this system does not give"
        );
        std::process::exit(2)
    })
}

fn register(id: RegisterId, unit: u8, mantissa: u128, exponent: i8) -> Register {
    let number = Number::new(false, mantissa, exponent).unwrap();
    Register::from_number(id, Unit::from_code(unit), number, 4).unwrap()
}

fn main() {
    // Before any work: where nothing can be measured, nothing is run.
    peak();
    let dir = std::env::temp_dir().join(format!("kmp-long-session-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = Timestamp::from_second(1_790_000_000).unwrap();
    let mut map = RegisterMap::default();
    map.set_name(RegisterId::V1_VOLUME, "Cold water");
    let mut session = Session::create(&dir, Manifest::default(), &map).unwrap();
    session.readings_journal().set_sync(false);
    let mut readings = Readings::default();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut litres: u128 = 123_456_000;
    let polled = RegisterList::new(&[RegisterId::V1_VOLUME, RegisterId::FLOW_V1]).unwrap();
    let began = Instant::now();
    println!("long_session: recording {POLLS} polls of 2 registers at 1 s, with traffic");
    for poll in 0..POLLS {
        let at = start + jiff::SignedDuration::from_secs(poll);
        let flow = rng.u128(0..900);
        litres += flow / 3600;
        let registers = [
            register(RegisterId::V1_VOLUME, 0x28, litres / 10, -2),
            register(RegisterId::FLOW_V1, 0x29, flow, 0),
        ];
        // The very frames of the exchange: the request, and the answer with these values,
        // checksummed and stuffed as the meter sends it.
        let request = Request::GetRegister(polled).encode(0x3F);
        let answer = Response::Registers(registers.to_vec()).encode(0x3F);
        for (direction, bytes, meaning) in [
            (
                TrafficDirection::Tx,
                &request[..],
                "GetRegister 68, 74".to_string(),
            ),
            (
                TrafficDirection::Echo,
                &request[..],
                "echo, clean".to_string(),
            ),
            (
                TrafficDirection::Rx,
                &answer[..],
                format!("68 = {} m³, 74 = {flow} l/h", registers[0].display_text()),
            ),
        ] {
            session
                .record_traffic(&TrafficRecord {
                    at,
                    direction,
                    bytes: bytes.to_vec(),
                    meaning,
                })
                .unwrap();
        }
        session.record_poll(at, &registers).unwrap();
        readings.record(at, &registers);
    }
    let recorded_mb = peak();
    let samples: usize = readings.series().iter().map(|series| series.len()).sum();
    println!(
        "recorded {samples} readings and {} traffic lines in {:.1} s; peak RSS {recorded_mb:.1} MB",
        3 * POLLS,
        began.elapsed().as_secs_f64(),
    );
    drop(session);
    drop(readings);

    let began = Instant::now();
    let opened = Session::open(&dir).unwrap();
    let reopened: usize = opened.readings.series().iter().map(|s| s.len()).sum();
    assert_eq!(reopened, samples, "every reading reads back");
    println!(
        "opened again: {reopened} readings in {:.1} s; peak RSS {:.1} MB",
        began.elapsed().as_secs_f64(),
        peak()
    );
    let disk: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .map(|meta| meta.len())
        .sum();
    println!("on disk: {:.1} MB", disk as f64 / 1e6);
    drop(opened);
    std::fs::remove_dir_all(&dir).unwrap();
    println!("budget: 150 MB");
    let peak_mb = peak();
    println!("long_session samples={samples} peak_rss_mb={peak_mb:.1}");
    if peak_mb > 150.0 {
        eprintln!("over budget: peak RSS {peak_mb:.1} MB");
        std::process::exit(1);
    }
}
