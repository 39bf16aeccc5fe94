//! Speed and memory of decoding an analog recording: sigrok session files of a scope's two
//! channels (float32 volts, as PulseView saves a capture from a Rigol through sigrok's driver)
//! of a head polling a meter once a second at 1200 baud 8N2, sampled at 12 kHz, one minute and
//! one hour long, each written to a temporary folder and read by `capture`'s own path (levels
//! found in two passes, then two replays through the UART decoder).
//!
//! Run: `cargo bench --bench analog_decode` (about a minute), or as `.ci/run` does, with only
//! the crate optimised (its unoptimised zip inflate then takes most of the time: about 5.5
//! million samples a second here). Budgets: at least 4 million samples (of one channel) a
//! second, the hour's peak resident memory at most 16 MB above the minute's and 64 MB in all,
//! while the hour's samples are 346 MB of floats; over budget, the bench exits 1. The memory figure is the Linux kernel's (`/proc/self/status`): elsewhere the
//! bench says it cannot measure and exits 2, claiming nothing.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    missing_docs
)]

use std::time::Instant;

use kmp_workbench::capture::analysis::analyse;
use kmp_workbench::capture::format::read_file;

const SAMPLERATE: u32 = 12_000;
const BAUD: u32 = 1200;
/// Samples of one channel a second, at the least.
const MIN_SAMPLES_PER_S: f64 = 4e6;

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

#[path = "support/sigrok_session.rs"]
// Shared by the benches that decode `.sr` files, each writing the kind it decodes.
#[allow(dead_code)]
mod sigrok_session;
use sigrok_session::write_analog_session;

fn peak() -> f64 {
    peak_rss_mb().unwrap_or_else(|| {
        eprintln!(
            "analog_decode measured nothing: the peak resident memory is the Linux kernel's figure, which this system does not give"
        );
        std::process::exit(2)
    })
}

fn main() {
    peak();
    let dir = std::env::temp_dir().join(format!("kmp-analog-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut peaks, mut speed) = (Vec::new(), 0.0);
    for (label, seconds) in [("a minute", 60), ("an hour", 3600)] {
        let path = dir.join(format!("{seconds}.sr"));
        write_analog_session(&path, SAMPLERATE, BAUD, seconds);
        let size = std::fs::metadata(&path).unwrap().len();
        let began = Instant::now();
        let recording = read_file(&path, None, &Default::default()).unwrap();
        let analysis = analyse(&recording.events, None);
        let took = began.elapsed().as_secs_f64();
        assert_eq!(
            analysis.frames.len(),
            3 * seconds,
            "every request, echo and answer decoded"
        );
        let samples = seconds * SAMPLERATE as usize;
        speed = samples as f64 / took;
        let peak_mb = peak();
        println!(
            "{label}: {samples} samples a channel ({:.0} MB of floats, {:.2} MB on disk) in {took:.2} s, {:.1} million samples a second; peak RSS {peak_mb:.1} MB",
            (2 * 4 * samples) as f64 / 1e6,
            size as f64 / 1e6,
            speed / 1e6
        );
        peaks.push(peak_mb);
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let (minute, hour) = (peaks[0], peaks[1]);
    println!(
        "budget: {:.0} million samples a second at least, the hour within 16 MB of the minute, 64 MB in all",
        MIN_SAMPLES_PER_S / 1e6
    );
    println!("analog_decode samples_per_s={speed:.0} minute_mb={minute:.1} hour_mb={hour:.1}");
    if hour > minute + 16.0 || hour > 64.0 || speed < MIN_SAMPLES_PER_S {
        eprintln!("over budget");
        std::process::exit(1);
    }
}
