//! Memory while a long raw logic recording is decoded: sigrok session files (`.sr`) of a head
//! polling a meter once a second (request, echo, answer at 1200 baud 8N2, 20 kHz sampling), one
//! minute and one hour long, each written to a temporary folder and read by `capture`'s own
//! path (`capture::format::read_file`: the samples streamed twice through the UART decoder).
//!
//! Run: `cargo bench --bench capture_memory` (about a minute). Budget: the hour's peak resident
//! memory at most 16 MB above the minute's, and at most 64 MB in all, while the hour's samples
//! alone are 72 MB; over budget, the bench exits 1. The memory figure is the kernel's own
//! account (`/proc/self/status`): Linux only, elsewhere the bench says so.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    missing_docs
)]

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use kmp_workbench::capture::analysis::analyse;
use kmp_workbench::capture::format::read_file;

const SAMPLERATE: u32 = 20_000;
const BAUD: u32 = 1200;
const REQUEST: [u8; 9] = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x44, 0x4D, 0xC0, 0x0D];
const ANSWER: [u8; 15] = [
    0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x90, 0x0D,
];

#[path = "support/peak_rss.rs"]
mod peak_rss;
use peak_rss::peak_rss_mb;

/// The line's level at each sample of one second: TX (bit 0) sends the request at 0.1 s, RX
/// (bit 1) echoes it and answers 60 ms after.
fn one_second() -> Vec<u8> {
    let samples = SAMPLERATE as usize;
    let bit = f64::from(SAMPLERATE) / f64::from(BAUD);
    let mut tx = vec![true; samples];
    let mut rx = vec![true; samples];
    let send = |line: &mut Vec<bool>, bytes: &[u8], at: f64| {
        let mut t = at * f64::from(SAMPLERATE);
        for &byte in bytes {
            let mut bits = vec![false];
            bits.extend((0..8).map(|k| byte >> k & 1 == 1));
            bits.extend([true, true]);
            for level in bits {
                let (from, to) = (t as usize, (t + bit) as usize);
                for sample in line.iter_mut().take(to.min(samples)).skip(from) {
                    *sample = level;
                }
                t += bit;
            }
        }
        t / f64::from(SAMPLERATE)
    };
    let end = send(&mut tx, &REQUEST, 0.1);
    send(&mut rx, &REQUEST, 0.1 + 0.0005);
    send(&mut rx, &ANSWER, end + 0.060);
    tx.iter()
        .zip(&rx)
        .map(|(&t, &r)| u8::from(t) | u8::from(r) << 1)
        .collect()
}

fn write_session(path: &Path, seconds: usize) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("version", options).unwrap();
    zip.write_all(b"2").unwrap();
    zip.start_file("metadata", options).unwrap();
    zip.write_all(
        format!(
            "[global]\nsigrok version=0.5.2\n\n[device 1]\ncapturefile=logic-1\ntotal probes=2\n\
             samplerate={} kHz\ntotal analog=0\nprobe1=TX\nprobe2=RX\nunitsize=1\n",
            SAMPLERATE / 1000
        )
        .as_bytes(),
    )
    .unwrap();
    zip.start_file("logic-1-1", options).unwrap();
    let second = one_second();
    for _ in 0..seconds {
        zip.write_all(&second).unwrap();
    }
    zip.finish().unwrap();
}

fn main() {
    let dir = std::env::temp_dir().join(format!("kmp-capture-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut peaks = Vec::new();
    for (label, seconds) in [("a minute", 60), ("an hour", 3600)] {
        let path = dir.join(format!("{seconds}.sr"));
        write_session(&path, seconds);
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
        let peak = peak_rss_mb();
        let shown = peak.map_or_else(
            || "not measured (Linux only)".into(),
            |mb| format!("{mb:.1} MB"),
        );
        println!(
            "{label}: {} samples ({:.1} MB of samples, {:.2} MB on disk), {frames} frames in {took:.1} s; peak RSS {shown}",
            seconds * SAMPLERATE as usize,
            (seconds * SAMPLERATE as usize) as f64 / 1e6,
            size as f64 / 1e6
        );
        peaks.push(peak);
        std::fs::remove_file(&path).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let (Some(minute), Some(hour)) = (peaks[0], peaks[1]) else {
        println!("capture_memory peak_rss_mb=none (measured on Linux only)");
        return;
    };
    println!("budget: the hour within 16 MB of the minute, 64 MB in all");
    println!("capture_memory minute_mb={minute:.1} hour_mb={hour:.1}");
    if hour > minute + 16.0 || hour > 64.0 {
        eprintln!("over budget: {hour:.1} MB for the hour, {minute:.1} MB for the minute");
        std::process::exit(1);
    }
}
