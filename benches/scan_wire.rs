//! How soon `scan` finds the registers a technician wants, and how close it gets to the speed of
//! the line.
//!
//! A real-time simulated MULTICAL 603 (1200 baud, 11 bit times a byte, echo on, 60 ms latency) on
//! a pseudo-terminal, scanned over IDs 0..=1100 through the real link thread and serialport, the
//! catalogue's IDs first (the heat and water catalogue, as `scan` does for a port whose meter it
//! does not know). Three figures:
//!
//! - the time until the most asked-for registers the meter has (1001–1004, 60, 68, 74, 86, 87,
//!   99) are in the table; target: 2 s;
//! - the time until every catalogued register the meter has is in the table, over the wire-time
//!   bound of the catalogue's requests; target: at most 1.1;
//! - the whole scan's time over the wire-time lower bound of every byte sent and answered plus
//!   the meter's latency for each request; target: at most 1.01.
//!
//! Run with `cargo bench --bench scan_wire` (about a minute); it exits 1 when a target is missed.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kmp_workbench::kmp::MAX_REGISTERS_PER_REQUEST;
use kmp_workbench::link::port::{SimSettings, SystemOpener};
use kmp_workbench::link::traffic::TrafficDirection;
use kmp_workbench::link::{
    ASKED_FOR, Event, Job, JobEnd, JobEvent, LineSettings, LinkConfig, LinkHandle, Report,
    ScanOptions,
};
use kmp_workbench::sim::pty::spawn;
use kmp_workbench::sim::{MeterConfig, Profile, Timing};

const LATENCY: Duration = Duration::from_millis(60);

fn main() {
    let line = LineSettings::default();
    let profile = Profile::Multical603;
    let mut meter = MeterConfig::new(profile);
    meter.echo = true;
    meter.timing = Timing::realtime(LATENCY);
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

    let options = ScanOptions::catalogue_first(0, 1100, Duration::from_secs(10), None);
    let meter_has: BTreeSet<u16> = profile
        .registers()
        .iter()
        .map(|spec| spec.id.value())
        .filter(|id| *id <= 1100)
        .collect();
    let asked_for: BTreeSet<u16> = ASKED_FOR
        .iter()
        .map(|id| id.value())
        .filter(|id| meter_has.contains(id))
        .collect();
    let catalogued: BTreeSet<u16> = options
        .first
        .iter()
        .map(|id| id.value())
        .filter(|id| meter_has.contains(id))
        .collect();
    let catalogue_requests = options.first.len().div_ceil(MAX_REGISTERS_PER_REQUEST);

    let started = Instant::now();
    link.start(Job::Scan(options));
    // Bytes on the wire of each request and its answer, in order.
    let mut wire_bytes: Vec<usize> = Vec::new();
    let mut found = BTreeSet::new();
    let (mut asked_for_at, mut catalogued_at) = (None, None);
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
                event: JobEvent::ScanFound(registers),
                ..
            }) => {
                found.extend(registers.iter().map(|r| r.id().value()));
                if asked_for_at.is_none() && asked_for.is_subset(&found) {
                    asked_for_at = Some(started.elapsed());
                }
                if catalogued_at.is_none() && catalogued.is_subset(&found) {
                    catalogued_at = Some(started.elapsed());
                }
            }
            Some(Event::Job {
                event: JobEvent::Traffic(record),
                ..
            }) => match record.direction {
                TrafficDirection::Tx => wire_bytes.push(record.bytes.len()),
                TrafficDirection::Rx => {
                    if let Some(last) = wire_bytes.last_mut() {
                        *last += record.bytes.len();
                    }
                }
                // The echo comes back while the request is on the wire: it takes no time of its own.
                TrafficDirection::Echo => {}
            },
            Some(_) => {}
            None => panic!("the scan stalled"),
        }
    };
    let elapsed = started.elapsed();
    let bound = |requests: &[usize]| {
        line.byte_time() * requests.iter().sum::<usize>() as u32 + LATENCY * requests.len() as u32
    };
    let lower_bound = bound(&wire_bytes);
    let catalogue_bound = bound(&wire_bytes[..catalogue_requests.min(wire_bytes.len())]);
    let asked_for_s = asked_for_at.unwrap().as_secs_f64();
    let catalogue_ratio = catalogued_at.unwrap().as_secs_f64() / catalogue_bound.as_secs_f64();
    let ratio = elapsed.as_secs_f64() / lower_bound.as_secs_f64();
    println!(
        "scanned {} IDs with {} requests ({} found), {} bytes on the wire",
        report.scanned,
        wire_bytes.len(),
        report.found.len(),
        wire_bytes.iter().sum::<usize>()
    );
    println!(
        "the {} most asked-for registers the meter has: in the table after {asked_for_s:.2} s (target 2 s)",
        asked_for.len()
    );
    println!(
        "all {} catalogued registers it has: after {:.2} s, {catalogue_ratio:.3} × the {:.2} s wire time of the catalogue's {catalogue_requests} requests (target 1.1)",
        catalogued.len(),
        catalogued_at.unwrap().as_secs_f64(),
        catalogue_bound.as_secs_f64()
    );
    println!(
        "the whole range: {:.2} s, wire-time lower bound {:.2} s (target 1.01)",
        elapsed.as_secs_f64(),
        lower_bound.as_secs_f64()
    );
    println!(
        "scan_wire ids={} asked_for_s={asked_for_s:.2} catalogue_ratio={catalogue_ratio:.3} ratio={ratio:.3}",
        report.scanned
    );
    let missed: Vec<&str> = [
        (asked_for_s > 2.0, "the asked-for registers took over 2 s"),
        (
            catalogue_ratio > 1.1,
            "the catalogue took over 1.1 × its wire time",
        ),
        (
            ratio > 1.01,
            "the whole range took over 1.01 × its wire time",
        ),
    ]
    .into_iter()
    .filter_map(|(over, what)| over.then_some(what))
    .collect();
    if !missed.is_empty() {
        eprintln!("over budget: {}", missed.join("; "));
        std::process::exit(1);
    }
}
