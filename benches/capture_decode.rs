//! Speed of the raw logic decoder: a 120 s, 1 MHz, two-channel sigrok session file (`.sr`) of
//! a head polling a meter once a second at 1200 baud, decoded end to end by `capture`'s own
//! path (`capture::format::read_file`, then `capture::analysis::analyse`).
//!
//! Run: `cargo bench --bench capture_decode` (about a minute). Prints samples a second and the
//! peak resident memory. Budget: at least twice the speed of sigrok-cli's own UART decoder on
//! the same file and machine, and under 64 MB. When `sigrok-cli` is on the PATH it is timed on
//! the file here (`-P uart … -A uart=rx-data:tx-data`, output discarded); elsewhere the
//! reference is 43 M samples a second, what Debian's sigrok-cli 0.7.2 does on a 2-core machine
//! of the kind CI runs on. Over budget, the bench exits 1.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    missing_docs
)]

use std::process::{Command, Stdio};
use std::time::Instant;

use kmp_workbench::capture::analysis::analyse;
use kmp_workbench::capture::format::read_file;

const SAMPLERATE: u32 = 1_000_000;
const BAUD: u32 = 1200;
const SECONDS: usize = 120;
/// sigrok-cli 0.7.2's speed on this kind of machine, when it cannot be timed here.
const SIGROK_REFERENCE: f64 = 43e6;
const RUNS: usize = 3;

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

#[path = "support/sigrok_session.rs"]
mod sigrok_session;
use sigrok_session::write_session;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// sigrok-cli's samples a second on `path`, when it is installed.
fn sigrok_rate(path: &std::path::Path, samples: f64) -> Option<f64> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let began = Instant::now();
        let status = Command::new("sigrok-cli")
            .arg("-i")
            .arg(path)
            .args([
                "-P",
                &format!("uart:tx=TX:rx=RX:baudrate={BAUD}:stop_bits=2"),
                "-A",
                "uart=rx-data:tx-data",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        times.push(began.elapsed().as_secs_f64());
    }
    Some(samples / median(times))
}

fn main() {
    let dir = std::env::temp_dir().join(format!("kmp-capture-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("polling.sr");
    write_session(&path, SAMPLERATE, BAUD, SECONDS);
    let size = std::fs::metadata(&path).unwrap().len();
    let samples = (SECONDS * SAMPLERATE as usize) as f64;
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let began = Instant::now();
        let recording = read_file(&path, None, &Default::default()).unwrap();
        let analysis = analyse(&recording.events, None);
        times.push(began.elapsed().as_secs_f64());
        assert_eq!(
            analysis.frames.len(),
            3 * SECONDS,
            "every request, echo and answer decoded"
        );
    }
    let took = median(times);
    let rate = samples / took;
    let peak = peak_rss_mb();
    let (reference, measured) = match sigrok_rate(&path, samples) {
        Some(rate) => (rate, "measured here"),
        None => (SIGROK_REFERENCE, "not installed: the stated figure"),
    };
    std::fs::remove_dir_all(&dir).unwrap();
    println!(
        "{samples:.0} samples ({:.1} MB on disk) decoded in {took:.2} s (median of {RUNS})",
        size as f64 / 1e6
    );
    println!(
        "sigrok-cli: {:.1} M samples/s ({measured})",
        reference / 1e6
    );
    let shown = peak.map_or_else(|| "none".into(), |mb| format!("{mb:.1}"));
    println!("budget: at least twice sigrok-cli's speed, under 64 MB");
    println!(
        "capture_decode msamples_per_s={:.1} ratio_to_sigrok={:.2} peak_rss_mb={shown}",
        rate / 1e6,
        rate / reference
    );
    if rate < 2.0 * reference || peak.is_some_and(|mb| mb >= 64.0) {
        eprintln!("over budget");
        std::process::exit(1);
    }
}
