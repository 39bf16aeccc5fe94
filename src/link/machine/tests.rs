//! The machine's own rules, seen in what it asks of the port: line settings that always return
//! to the link's own, replacement that waits for the exchange in flight and no longer, and
//! nothing but read requests and the echo pattern written, whatever the jobs and the faults.

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::*;
use crate::kmp::{self, Message, RegisterId};
use crate::link::{
    CheckOptions, ECHO_PATTERN, HistoryOptions, HistorySpan, LinkConfig, Logger, PollPlan,
    ProbeOptions, ScanOptions, VirtualLink,
};
use crate::protocol::Protocol;
use crate::sim::{Faults, MeterConfig, Profile, Timing};

fn link(meter: MeterConfig) -> VirtualLink {
    let mut link = VirtualLink::new(
        meter,
        Now::new(
            Instant::now(),
            Timestamp::from_second(1_790_000_000).unwrap(),
        ),
    );
    link.keep_io();
    link.open(LinkConfig::new("virtual"));
    link.run_for(Duration::from_millis(1), |_| {});
    link
}

fn meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.magnet_delay = Duration::ZERO;
    config
}

fn lines_set(link: &VirtualLink) -> Vec<String> {
    link.io_log()
        .iter()
        .filter_map(|io| match io {
            Io::SetLine(line) => Some(line.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_sweep_sets_each_line_and_the_links_own_again_at_its_end() {
    let mut link = link(meter(Profile::Multical603));
    link.start(Job::Probe(ProbeOptions {
        wait: Duration::from_secs(1),
        sweep: true,
        address_sweep: false,
        protocol: None,
    }));
    link.run_for(Duration::from_secs(30), |_| {});
    assert_eq!(
        lines_set(&link),
        ["2400 8N2", "9600 8N2", "1200 8N1", "1200 8N2"]
    );
}

#[test]
fn a_sweep_cut_short_still_returns_to_the_links_own_line() {
    let mut link = link(meter(Profile::Multical603));
    let probe = link.start(Job::Probe(ProbeOptions {
        wait: Duration::from_secs(1),
        sweep: true,
        address_sweep: false,
        protocol: None,
    }));
    // Three echo tests, the serial number, the type, then the sweep: the link's own line, then
    // 2400 baud; the seventh exchange ends as the one at 9600 baud begins.
    let mut exchanges = 0;
    link.run_until_event(Duration::from_secs(30), |event| {
        if let Event::Job {
            id,
            event: JobEvent::Exchanged { .. },
        } = event
            && *id == probe
        {
            exchanges += 1;
        }
        (exchanges == 7).then_some(())
    });
    link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    link.run_for(Duration::from_secs(3), |_| {});
    assert_eq!(lines_set(&link), ["2400 8N2", "9600 8N2", "1200 8N2"]);
}

#[test]
fn a_new_job_waits_for_the_attempt_in_flight_and_not_for_its_retries() {
    let mut config = meter(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(3600);
    let mut link = link(config);
    let started = link.now().instant;
    link.start(Job::Scan(ScanOptions {
        from: 0,
        to: 7,
        wait: Duration::ZERO,
        first: Vec::new(),
    }));
    // The scan's first attempt (23 bytes on the wire, then 400 ms for an answer) is in flight.
    link.run_for(Duration::from_millis(300), |_| {});
    let monitor = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    let (first, _) = link.run_until_event(Duration::from_secs(5), |event| match event {
        Event::Job {
            id,
            event: JobEvent::Traffic(record),
        } if *id == monitor => Some(record.at),
        _ => None,
    });
    let written = transmissions(&link);
    let scan_requests = written
        .iter()
        .filter(|bytes| {
            matches!(
                kmp::decode(bytes),
                Ok(Message::Request {
                    request: kmp::Request::GetRegister(_),
                    ..
                })
            )
        })
        .count();
    assert_eq!(scan_requests, 1, "no retry after the scan was replaced");
    assert_eq!(
        written[1], ECHO_PATTERN,
        "the monitor's echo test came next"
    );
    let waited = link.now().wall_at(started);
    let after = first.unwrap().duration_since(waited).as_secs_f64();
    assert!(
        (0.55..0.75).contains(&after),
        "the monitor began {after} s in"
    );
}

fn transmissions(link: &VirtualLink) -> Vec<Vec<u8>> {
    link.io_log()
        .iter()
        .filter_map(|io| match io {
            Io::Transmit(bytes) => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn nothing_but_read_requests_and_the_echo_pattern_is_ever_written() {
    let mut config = meter(Profile::Kamstrup382);
    config.faults = Faults {
        corrupt: 0.2,
        drop: 0.1,
        noise: 0.1,
        echo: 0.01,
    };
    let mut link = link(config);
    link.start(Job::Probe(ProbeOptions {
        wait: Duration::from_secs(1),
        sweep: true,
        address_sweep: false,
        protocol: None,
    }));
    link.run_for(Duration::from_secs(20), |_| {});
    link.start(Job::Scan(ScanOptions {
        from: 0,
        to: 200,
        wait: Duration::from_secs(2),
        first: Vec::new(),
    }));
    link.run_for(Duration::from_secs(20), |_| {});
    link.start(Job::Poll(PollPlan {
        ids: (1..=12).map(RegisterId::new).collect(),
        interval: Duration::from_secs(1),
    }));
    link.run_for(Duration::from_secs(20), |_| {});
    link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    link.run_for(Duration::from_secs(20), |_| {});
    link.start(Job::History(HistoryOptions {
        logger: Logger::Interval(6),
        registers: Some(vec![RegisterId::new(68)]),
        span: HistorySpan::Last(12),
        wait: Duration::from_secs(2),
    }));
    link.run_for(Duration::from_secs(20), |_| {});
    let written = transmissions(&link);
    assert!(written.len() > 100, "{} transmissions", written.len());
    let mut logger_reads = 0;
    for bytes in &written {
        let logger_read = matches!(
            kmp::decode(bytes),
            Ok(Message::LoggerRequest {
                destination: 0x3F,
                request,
            }) if request.is_allowed_read()
        );
        logger_reads += usize::from(logger_read);
        let allowed = logger_read
            || bytes.as_slice() == ECHO_PATTERN
            || matches!(
                kmp::decode(bytes),
                Ok(Message::Request {
                    destination: 0x3F,
                    ..
                })
            );
        assert!(allowed, "sent {bytes:02X?}");
    }
    assert!(logger_reads > 0, "the history job asked the meter");
}

#[test]
fn opening_another_port_ends_the_job_under_way() {
    let mut link = link(meter(Profile::Multical603));
    let poll = link.start(Job::Poll(PollPlan {
        ids: vec![RegisterId::new(68)],
        interval: Duration::from_secs(1),
    }));
    link.run_for(Duration::from_millis(1500), |_| {});
    link.open(LinkConfig::new("virtual"));
    let mut ended = None;
    let mut opened = 0;
    link.run_for(Duration::from_secs(1), |event| match event {
        Event::Job {
            id,
            event: JobEvent::Ended(end),
        } if id == poll => ended = Some(end.reason),
        Event::Opened { .. } => opened += 1,
        _ => {}
    });
    assert_eq!(ended, Some(EndReason::Closed));
    assert_eq!(opened, 1);
}

#[test]
fn a_job_waiting_to_replace_another_when_the_port_goes_ends_with_it() {
    let mut config = meter(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(3600);
    let mut link = link(config);
    let monitor = link.start(Job::Check(CheckOptions {
        interval: Duration::from_secs(1),
        request_limit: None,
        protocol: Some(Protocol::Kmp),
    }));
    link.run_for(Duration::from_millis(100), |_| {});
    let read = link.start(Job::Read(crate::link::ReadOptions {
        ids: vec![RegisterId::new(68)],
        wait: Duration::from_secs(10),
    }));
    link.unplug();
    let mut ends = Vec::new();
    link.run_for(Duration::from_secs(2), |event| {
        if let Event::Job {
            id,
            event: JobEvent::Ended(end),
        } = event
        {
            ends.push((id, end.reason));
        }
    });
    assert_eq!(
        ends,
        [(monitor, EndReason::Replaced), (read, EndReason::PortLost)]
    );
}
