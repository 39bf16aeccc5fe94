//! How close `scan` gets to the speed of the line.
//!
//! A real-time simulated MULTICAL 603 (1200 baud, 11 bit times a byte, echo on, 60 ms latency) on a
//! pseudo-terminal, scanned over IDs 0..=1023 through the real link worker and serialport. The
//! lower bound is the wire time of every byte sent and answered plus the meter's latency for each
//! request; the figure is the scan's time over that bound. Target: at most 1.10.
//!
//! Run with `cargo bench --bench scan_wire` (about a minute).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use kmp_workbench::link::port::{SimSettings, SystemOpener};
use kmp_workbench::link::traffic::TrafficDirection;
use kmp_workbench::link::{
    Event, Job, JobEnd, JobEvent, LineSettings, LinkConfig, LinkHandle, Report, ScanOptions,
};
use kmp_workbench::sim::pty::spawn;
use kmp_workbench::sim::{MeterConfig, Profile, Timing};

const LATENCY: Duration = Duration::from_millis(60);

fn main() {
    let line = LineSettings::default();
    let mut meter = MeterConfig::new(Profile::Multical603);
    meter.echo = true;
    meter.timing = Timing::realtime(line.baud, line.bits_per_byte(), LATENCY);
    let sim = spawn(meter, None).unwrap();

    let opener = SystemOpener {
        sim: SimSettings {
            echo: true,
            realtime: true,
        },
    };
    let link = LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), None).unwrap();
    link.open(LinkConfig::new(sim.path().display().to_string()));
    loop {
        match link.event_timeout(Duration::from_secs(5)) {
            Some(Event::Opened { .. }) => break,
            Some(Event::OpenFailed(error)) => panic!("{error}"),
            _ => {}
        }
    }

    let started = Instant::now();
    link.start(Job::Scan(ScanOptions {
        from: 0,
        to: 1023,
        wait: Duration::from_secs(10),
    }));
    let (mut wire_bytes, mut requests) = (0usize, 0u32);
    let report = loop {
        match link.event_timeout(Duration::from_secs(10)) {
            Some(Event::Job {
                event:
                    JobEvent::Ended(JobEnd {
                        report: Some(Report::Scan(report)),
                        ..
                    }),
                ..
            }) => break report,
            Some(Event::Job {
                event: JobEvent::Traffic(record),
                ..
            }) => match record.direction {
                TrafficDirection::Tx => {
                    wire_bytes += record.bytes.len();
                    requests += 1;
                }
                TrafficDirection::Rx => wire_bytes += record.bytes.len(),
                // The echo comes back while the request is on the wire: it takes no time of its own.
                TrafficDirection::Echo => {}
            },
            Some(_) => {}
            None => panic!("the scan stalled"),
        }
    };
    let elapsed = started.elapsed();
    let lower_bound = line.byte_time() * wire_bytes as u32 + LATENCY * requests;
    let ratio = elapsed.as_secs_f64() / lower_bound.as_secs_f64();
    println!(
        "scanned {} IDs with {} requests ({} found), {wire_bytes} bytes on the wire",
        report.scanned,
        requests,
        report.found.len()
    );
    println!(
        "elapsed {:.2} s, wire-time lower bound {:.2} s",
        elapsed.as_secs_f64(),
        lower_bound.as_secs_f64()
    );
    println!("scan_wire ids={} ratio={ratio:.3}", report.scanned);
}
