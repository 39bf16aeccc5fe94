//! Memory while a long raw logic recording is decoded: sigrok session files (`.sr`) of a head
//! polling a meter once a second (request, echo, answer at 1200 baud 8N2, 20 kHz sampling), one
//! minute and one hour long, each written to a temporary folder and read by `capture`'s own
//! path (`capture::format::read_file`: the samples streamed twice through the UART decoder).
//!
//! Run: `cargo bench --bench capture_memory` (about a minute). Budget: the hour's peak resident
//! memory at most 16 MB above the minute's, and at most 64 MB in all, while the hour's samples
//! alone are 72 MB; over budget, the bench exits 1. The memory figure is the kernel's own
//! account (`/proc/self/status`): Linux only; elsewhere the bench says at once that it cannot
//! measure and exits 2, claiming nothing.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    missing_docs
)]

use std::time::Instant;

use kmp_workbench::capture::analysis::analyse;
use kmp_workbench::capture::format::read_file;

const SAMPLERATE: u32 = 20_000;
const BAUD: u32 = 1200;

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

#[path = "support/sigrok_session.rs"]
// Shared by the benches that decode `.sr` files, each writing the kind it decodes.
#[allow(dead_code)]
mod sigrok_session;
use sigrok_session::write_session;

/// The peak so far; a bench that cannot read it has nothing to report, and says so.
fn peak() -> f64 {
    peak_rss_mb().unwrap_or_else(|| {
        eprintln!(
            "capture_memory measured nothing: the peak resident memory is the Linux kernel's figure, which this system does not give"
        );
        std::process::exit(2)
    })
}

fn main() {
    // Before any work: where nothing can be measured, nothing is run.
    peak();
    let dir = std::env::temp_dir().join(format!("kmp-capture-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut peaks = Vec::new();
    for (label, seconds) in [("a minute", 60), ("an hour", 3600)] {
        let path = dir.join(format!("{seconds}.sr"));
        write_session(&path, SAMPLERATE, BAUD, seconds);
        let size = std::fs::metadata(&path).unwrap().len();
        let began = Instant::now();
        let recording = read_file(&path, None, &Default::default()).unwrap();
        let analysis = analyse(&recording.events, None);
        let took = began.elapsed().as_secs_f64();
        let frames = analysis.frames.len();
        assert_eq!(
            frames,
            3 * seconds,
            "every request, echo and answer decoded"
        );
        let peak_mb = peak();
        println!(
            "{label}: {} samples ({:.1} MB of samples, {:.2} MB on disk), {frames} frames in {took:.1} s; peak RSS {peak_mb:.1} MB",
            seconds * SAMPLERATE as usize,
            (seconds * SAMPLERATE as usize) as f64 / 1e6,
            size as f64 / 1e6
        );
        peaks.push(peak_mb);
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let (minute, hour) = (peaks[0], peaks[1]);
    println!("budget: the hour within 16 MB of the minute, 64 MB in all");
    println!("capture_memory minute_mb={minute:.1} hour_mb={hour:.1}");
    if hour > minute + 16.0 || hour > 64.0 {
        eprintln!("over budget: {hour:.1} MB for the hour, {minute:.1} MB for the minute");
        std::process::exit(1);
    }
}
