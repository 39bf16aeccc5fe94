//! Sigrok session files (`.sr`) of a head polling a meter once a second, written for the
//! benches that decode raw logic: TX (probe 1) sends a KMP request 0.1 s into each second, RX
//! (probe 2) hears its echo and, 60 ms after, the answer; 8N2 as the meters speak.

use std::io::Write as _;
use std::path::Path;

/// The request: GetRegister 0x0044 (V1), Kamstrup's own example.
const REQUEST: [u8; 9] = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x44, 0x4D, 0xC0, 0x0D];
/// The answer to it.
const ANSWER: [u8; 15] = [
    0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x90, 0x0D,
];

/// sigrok's own chunk size: its session output starts a new `logic-1-N` member every 4 MiB.
const CHUNK: usize = 4 << 20;

/// The two lines' levels at each sample of one second (bit 0 TX, bit 1 RX).
fn one_second(samplerate: u32, baud: u32) -> Vec<u8> {
    let samples = samplerate as usize;
    let bit = f64::from(samplerate) / f64::from(baud);
    let mut tx = vec![true; samples];
    let mut rx = vec![true; samples];
    let send = |line: &mut Vec<bool>, bytes: &[u8], at: f64| {
        let mut t = at * f64::from(samplerate);
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
        t / f64::from(samplerate)
    };
    let end = send(&mut tx, &REQUEST, 0.1);
    send(&mut rx, &REQUEST, 0.1 + 0.0005);
    send(&mut rx, &ANSWER, end + 0.060);
    tx.iter()
        .zip(&rx)
        .map(|(&t, &r)| u8::from(t) | u8::from(r) << 1)
        .collect()
}

/// A session file at `path` with its version and its metadata, `device` the device's lines.
fn start_session(
    path: &Path,
    device: &str,
) -> (zip::ZipWriter<std::fs::File>, zip::write::SimpleFileOptions) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("version", options).unwrap();
    zip.write_all(b"2").unwrap();
    zip.start_file("metadata", options).unwrap();
    zip.write_all(format!("[global]\nsigrok version=0.5.2\n\n[device 1]\n{device}").as_bytes())
        .unwrap();
    (zip, options)
}

/// Writes `seconds` of polling at `samplerate` and `baud` to `path`, probes named TX and RX.
pub fn write_session(path: &Path, samplerate: u32, baud: u32, seconds: usize) {
    let (mut zip, options) = start_session(
        path,
        &format!(
            "capturefile=logic-1\ntotal probes=2\nsamplerate={} kHz\ntotal analog=0\n\
             probe1=TX\nprobe2=RX\nunitsize=1\n",
            samplerate / 1000
        ),
    );
    let second = one_second(samplerate, baud);
    let (mut part, mut in_part) = (0, CHUNK);
    for _ in 0..seconds {
        let mut rest = &second[..];
        while !rest.is_empty() {
            if in_part == CHUNK {
                part += 1;
                in_part = 0;
                zip.start_file(format!("logic-1-{part}"), options).unwrap();
            }
            let take = rest.len().min(CHUNK - in_part);
            zip.write_all(&rest[..take]).unwrap();
            in_part += take;
            rest = &rest[take..];
        }
    }
    zip.finish().unwrap();
}

/// Writes `seconds` of the same polling as a scope saves it through PulseView: analog channels
/// TX and RX of float32 volts (TX 0 to 3.3 V, RX idling at 3.3 V and pulled to 0.25 V, each edge
/// a ramp over two samples), a part of `CHUNK` bytes a channel at a time.
pub fn write_analog_session(path: &Path, samplerate: u32, baud: u32, seconds: usize) {
    let (mut zip, options) = start_session(
        path,
        &format!(
            "samplerate={} kHz\ntotal analog=2\nanalog1=TX\nanalog2=RX\n",
            samplerate / 1000
        ),
    );
    let second = one_second(samplerate, baud);
    let volts = |bit: u8, (low, high): (f32, f32)| {
        let mut last = high;
        second
            .iter()
            .flat_map(move |levels| {
                let target = if levels >> bit & 1 == 1 { high } else { low };
                // A ramp: half way the first sample, there the next.
                let value = if (target - last).abs() > 0.5 * (high - low) {
                    (target + last) / 2.0
                } else {
                    target
                };
                last = value;
                value.to_le_bytes()
            })
            .collect::<Vec<u8>>()
    };
    let channels = [volts(0, (0.0, 3.3)), volts(1, (0.25, 3.3))];
    // Whole seconds a part, as many as fit in a chunk.
    let per_part = (CHUNK / channels[0].len()).max(1);
    let mut part = 0;
    let mut written = 0;
    while written < seconds {
        part += 1;
        let now = per_part.min(seconds - written);
        for (index, channel) in channels.iter().enumerate() {
            zip.start_file(format!("analog-1-{}-{part}", index + 1), options)
                .unwrap();
            for _ in 0..now {
                zip.write_all(channel).unwrap();
            }
        }
        written += now;
    }
    zip.finish().unwrap();
}
