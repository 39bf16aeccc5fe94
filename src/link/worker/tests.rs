//! The worker thread with in-process ports: real threads and clocks, no pseudo-terminal.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::kmp::{self, Message};
use crate::link::diagnosis::DiagnosisCode;
use crate::link::port::{Port, SimPort};
use crate::link::{ECHO_PATTERN, OpenFailure, ProbeOptions};
use crate::sim::{Faults, MeterConfig, Profile};

/// Opens ports with a closure, so each test decides what opening does.
struct TestOpener<F>(F);

impl<F> Opener for TestOpener<F>
where
    F: Fn(&LinkConfig) -> Result<Box<dyn Port>, LinkError> + Send,
{
    fn open(&self, config: &LinkConfig) -> Result<Box<dyn Port>, LinkError> {
        (self.0)(config)
    }
}

fn spawn(opener: impl Opener + 'static) -> LinkHandle {
    LinkHandle::spawn(Box::new(opener), Box::new(|| {})).unwrap()
}

fn sim_opener(config: MeterConfig) -> impl Opener {
    crate::link::port::FixedSimOpener(config)
}

fn quick(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.magnet_delay = Duration::ZERO;
    config
}

fn link_config() -> LinkConfig {
    let mut config = LinkConfig::new("test");
    config.timeout = Duration::from_millis(100);
    config
}

/// Waits up to 10 s for an event that `pick` accepts; the others are returned too.
fn wait_for<T>(link: &LinkHandle, mut pick: impl FnMut(&Event) -> Option<T>) -> (T, Vec<Event>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(event) = link.event_timeout(Duration::from_millis(50)) {
            if let Some(found) = pick(&event) {
                return (found, seen);
            }
            seen.push(event);
        }
    }
    panic!("the event never came; seen: {seen:#?}");
}

fn opened(link: &LinkHandle) {
    wait_for(link, |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
}

#[test]
fn a_read_returns_values_and_lists_the_ids_the_meter_lacks() {
    let link = spawn(sim_opener(quick(Profile::Multical403)));
    link.send(Command::Open(link_config()));
    opened(&link);
    let ids = [68, 74, 9999, 86].map(crate::kmp::RegisterId::new).to_vec();
    link.send(Command::Read {
        ids,
        wait: Duration::from_secs(1),
    });
    let (report, _) = wait_for(&link, |event| match event {
        Event::Read(report) => Some(report.clone()),
        _ => None,
    });
    let read: Vec<u16> = report.registers.iter().map(|r| r.id().value()).collect();
    assert_eq!(read, [68, 74, 86]);
    assert_eq!(report.missing, [crate::kmp::RegisterId::new(9999)]);
    assert!(report.failed.is_empty());
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn a_probe_waits_for_the_eye_counts_down_and_identifies_the_meter() {
    let mut meter = MeterConfig::new(Profile::Multical21);
    meter.echo = true;
    meter.magnet_delay = Duration::from_millis(400);
    let link = spawn(sim_opener(meter));
    link.send(Command::Open(link_config()));
    opened(&link);
    link.send(Command::Probe(ProbeOptions {
        wait: Duration::from_secs(5),
        sweep: false,
    }));
    let (report, seen) = wait_for(&link, |event| match event {
        Event::Probed(report) => Some(report.clone()),
        _ => None,
    });
    assert!(
        seen.iter()
            .any(|event| matches!(event, Event::Waiting { .. })),
        "no countdown"
    );
    assert!(
        seen.iter()
            .any(|event| matches!(event, Event::Diagnosis(d) if d.code == DiagnosisCode::Waking))
    );
    assert!(report.echo && report.echo_clean && report.answered);
    assert_eq!(report.serial, Some(71_234_567));
    assert!(report.meter_type.is_some());
    let seconds = report.seconds_to_first_answer.unwrap();
    assert!(
        (0.3..2.0).contains(&seconds),
        "{seconds} s to the first answer"
    );
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
}

#[test]
fn a_silent_meter_is_a_finished_probe_with_its_diagnosis_not_a_hang() {
    let mut meter = MeterConfig::new(Profile::Multical21);
    meter.echo = true;
    meter.magnet_delay = Duration::from_secs(3600);
    let link = spawn(sim_opener(meter));
    link.send(Command::Open(link_config()));
    opened(&link);
    let started = Instant::now();
    link.send(Command::Probe(ProbeOptions {
        wait: Duration::from_millis(600),
        sweep: false,
    }));
    let (report, _) = wait_for(&link, |event| match event {
        Event::Probed(report) => Some(report.clone()),
        _ => None,
    });
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(!report.answered && report.echo);
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Waking,
        "600 ms is still within the wake-up window"
    );
}

#[test]
fn open_failures_come_back_with_their_kind() {
    for failure in [
        OpenFailure::Busy,
        OpenFailure::PermissionDenied,
        OpenFailure::NotFound,
    ] {
        let link = spawn(TestOpener(move |config: &LinkConfig| {
            Err(LinkError::Open {
                port: config.port.clone(),
                failure,
                detail: "injected".into(),
            })
        }));
        link.send(Command::Open(link_config()));
        let (error, _) = wait_for(&link, |event| match event {
            Event::OpenFailed(error) => Some(error.clone()),
            _ => None,
        });
        assert!(matches!(error, LinkError::Open { failure: f, .. } if f == failure));
        link.send(Command::Probe(ProbeOptions {
            wait: Duration::ZERO,
            sweep: false,
        }));
        wait_for(&link, |event| matches!(event, Event::NotOpen).then_some(()));
    }
}

/// A port that works until a shared switch says it has been unplugged.
struct Unpluggable {
    inner: SimPort,
    unplugged: Arc<Mutex<bool>>,
}

impl Unpluggable {
    fn check(&self) -> io::Result<()> {
        if *self.unplugged.lock().unwrap() {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "device unplugged",
            ))
        } else {
            Ok(())
        }
    }
}

impl Port for Unpluggable {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.check()?;
        self.inner.write_all(bytes)
    }
    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.check()?;
        self.inner.read(buffer, timeout)
    }
    fn clear_input(&mut self) -> io::Result<()> {
        self.check()?;
        self.inner.clear_input()
    }
    fn set_line(&mut self, line: &crate::link::LineSettings) -> io::Result<()> {
        self.inner.set_line(line)
    }
}

#[test]
fn a_port_that_vanishes_is_reported_and_reopened_when_it_returns() {
    let unplugged = Arc::new(Mutex::new(false));
    let switch = Arc::clone(&unplugged);
    let link = spawn(TestOpener(move |config: &LinkConfig| {
        if *switch.lock().unwrap() {
            return Err(LinkError::Open {
                port: config.port.clone(),
                failure: OpenFailure::NotFound,
                detail: "gone".into(),
            });
        }
        Ok(Box::new(Unpluggable {
            inner: SimPort::new(quick(Profile::Multical603)),
            unplugged: Arc::clone(&switch),
        }) as Box<dyn Port>)
    }));
    link.send(Command::Open(link_config()));
    opened(&link);

    *unplugged.lock().unwrap() = true;
    let asked = Instant::now();
    link.send(Command::Read {
        ids: vec![crate::kmp::RegisterId::new(68)],
        wait: Duration::from_secs(1),
    });
    let (error, _) = wait_for(&link, |event| match event {
        Event::Lost(error) => Some(error.clone()),
        _ => None,
    });
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "the loss took {:?} to show",
        asked.elapsed()
    );
    assert!(error.to_string().contains("unplugged"), "{error}");

    *unplugged.lock().unwrap() = false;
    opened(&link);
    link.send(Command::Read {
        ids: vec![crate::kmp::RegisterId::new(68)],
        wait: Duration::from_secs(1),
    });
    let (report, _) = wait_for(&link, |event| match event {
        Event::Read(report) => Some(report.clone()),
        _ => None,
    });
    assert_eq!(report.registers.len(), 1);
}

/// A port that records every byte written to it.
struct Recording {
    inner: SimPort,
    written: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Port for Recording {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.written.lock().unwrap().push(bytes.to_vec());
        self.inner.write_all(bytes)
    }
    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.inner.read(buffer, timeout)
    }
    fn clear_input(&mut self) -> io::Result<()> {
        self.inner.clear_input()
    }
    fn set_line(&mut self, line: &crate::link::LineSettings) -> io::Result<()> {
        self.inner.set_line(line)
    }
}

#[test]
fn nothing_but_read_commands_and_the_echo_pattern_is_ever_sent() {
    let written = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&written);
    let mut meter = quick(Profile::Kamstrup382);
    meter.echo = true;
    meter.faults = Faults {
        corrupt: 0.2,
        drop: 0.1,
        noise: 0.1,
    };
    let link = spawn(TestOpener(move |_: &LinkConfig| {
        Ok(Box::new(Recording {
            inner: SimPort::new(meter.clone()),
            written: Arc::clone(&record),
        }) as Box<dyn Port>)
    }));
    link.send(Command::Open(link_config()));
    opened(&link);
    link.send(Command::Probe(ProbeOptions {
        wait: Duration::from_secs(1),
        sweep: true,
    }));
    wait_for(&link, |event| {
        matches!(event, Event::Probed(_)).then_some(())
    });
    let ids = (0..40).map(crate::kmp::RegisterId::new).collect();
    link.send(Command::Read {
        ids,
        wait: Duration::from_secs(1),
    });
    wait_for(&link, |event| matches!(event, Event::Read(_)).then_some(()));

    let written = written.lock().unwrap();
    assert!(written.len() > 10);
    for bytes in written.iter() {
        let allowed = bytes.as_slice() == ECHO_PATTERN
            || matches!(
                kmp::decode(bytes),
                Ok(Message::Request {
                    destination: 0x3F,
                    ..
                })
            );
        assert!(allowed, "sent {bytes:02X?}");
    }
}

#[test]
fn cancel_stops_a_probe_with_what_it_found() {
    let mut meter = MeterConfig::new(Profile::FlowIq2200);
    meter.magnet_delay = Duration::from_secs(3600);
    let link = spawn(sim_opener(meter));
    link.send(Command::Open(link_config()));
    opened(&link);
    link.send(Command::Probe(ProbeOptions {
        wait: Duration::from_secs(60),
        sweep: false,
    }));
    wait_for(&link, |event| {
        matches!(event, Event::Waiting { .. }).then_some(())
    });
    let cancelled = Instant::now();
    link.send(Command::Cancel);
    let (report, _) = wait_for(&link, |event| match event {
        Event::Probed(report) => Some(report.clone()),
        _ => None,
    });
    assert!(report.interrupted);
    assert!(cancelled.elapsed() < Duration::from_secs(2));
}

#[test]
fn monitoring_reports_every_round_identifies_once_and_stops_on_cancel() {
    let mut meter = quick(Profile::Multical603);
    meter.echo = true;
    let link = spawn(sim_opener(meter));
    link.send(Command::Open(link_config()));
    opened(&link);
    link.send(Command::Monitor(crate::link::MonitorOptions {
        interval: Duration::from_millis(50),
    }));
    let mut echo_tests = 0;
    let mut requests = 0;
    let mut identified = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while requests < 5 && Instant::now() < deadline {
        match link.event_timeout(Duration::from_millis(50)) {
            Some(Event::Exchanged {
                exchange: crate::link::Exchange::EchoTest,
                ..
            }) => echo_tests += 1,
            Some(Event::Exchanged { result: Ok(()), .. }) => requests += 1,
            Some(Event::Identified { serial, meter_type }) => {
                assert_eq!(serial, 69_234_567);
                assert!(meter_type.is_some());
                identified += 1;
            }
            _ => {}
        }
    }
    assert!(
        requests >= 5 && echo_tests >= 4,
        "{requests} requests, {echo_tests} echo tests"
    );
    assert_eq!(identified, 1);
    link.send(Command::Cancel);
    // After the cancel the link takes the next job at once.
    link.send(Command::Read {
        ids: vec![crate::kmp::RegisterId::new(68)],
        wait: Duration::from_secs(1),
    });
    let (report, _) = wait_for(&link, |event| match event {
        Event::Read(report) => Some(report.clone()),
        _ => None,
    });
    assert_eq!(report.registers.len(), 1);
}

#[test]
fn polling_goes_on_by_itself_after_the_port_comes_back() {
    let unplugged = Arc::new(Mutex::new(false));
    let switch = Arc::clone(&unplugged);
    let link = spawn(TestOpener(move |config: &LinkConfig| {
        if *switch.lock().unwrap() {
            return Err(LinkError::Open {
                port: config.port.clone(),
                failure: OpenFailure::NotFound,
                detail: "gone".into(),
            });
        }
        Ok(Box::new(Unpluggable {
            inner: SimPort::new(quick(Profile::Multical21)),
            unplugged: Arc::clone(&switch),
        }) as Box<dyn Port>)
    }));
    link.send(Command::Open(link_config()));
    opened(&link);
    let plan = crate::link::PollPlan {
        ids: vec![crate::kmp::RegisterId::new(68)],
        interval: Duration::from_millis(50),
    };
    link.send(Command::Poll(plan));
    wait_for(&link, |event| {
        matches!(event, Event::Read(report) if report.registers.len() == 1).then_some(())
    });
    *unplugged.lock().unwrap() = true;
    wait_for(&link, |event| matches!(event, Event::Lost(_)).then_some(()));
    *unplugged.lock().unwrap() = false;
    opened(&link);
    wait_for(&link, |event| {
        matches!(event, Event::Read(report) if report.registers.len() == 1).then_some(())
    });
}

#[test]
fn polling_slows_down_when_a_meter_that_answered_goes_silent() {
    let mut meter = quick(Profile::FlowIq2200);
    meter.budget = Some(2);
    let link = spawn(sim_opener(meter));
    link.send(Command::Open(link_config()));
    opened(&link);
    // Long enough that a failed poll (three attempts) fits in it, so the pacing shows.
    let plan = crate::link::PollPlan {
        ids: vec![crate::kmp::RegisterId::new(68)],
        interval: Duration::from_millis(300),
    };
    link.send(Command::Poll(plan));
    let mut reads = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while reads.len() < 6 && Instant::now() < deadline {
        if let Some(Event::Read(report)) = link.event_timeout(Duration::from_millis(50)) {
            reads.push((Instant::now(), report.registers.len()));
        }
    }
    assert_eq!(
        reads.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [1, 1, 0, 0, 0, 0]
    );
    let gaps: Vec<Duration> = reads.windows(2).map(|pair| pair[1].0 - pair[0].0).collect();
    assert!(
        gaps[4] > gaps[3] && gaps[3] > gaps[1],
        "the pace did not slow down: {gaps:?}"
    );
}
