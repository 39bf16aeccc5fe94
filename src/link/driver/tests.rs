//! The `kmp-link` thread with in-process ports: what only the driver does, on the real clock.
//! Opening failures, a port that fails under a job, the tap that sees events first, and what is
//! written to the port. The jobs themselves are tested in invented time (`jobs::tests`).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::kmp::RegisterId;
use crate::link::port::testing::{FixedSimOpener, Plug, PluggedOpener};
use crate::link::port::{Opener, Port};
use crate::link::{
    EndReason, Event, Job, JobEvent, LinkConfig, LinkError, LinkHandle, OpenFailure, ReadOptions,
    Report,
};
use crate::sim::{MeterConfig, Profile};

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
    LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), None).unwrap()
}

fn quick(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.magnet_delay = Duration::ZERO;
    config.echo = true;
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

fn read(ids: &[u16]) -> Job {
    Job::Read(ReadOptions {
        ids: ids.iter().copied().map(RegisterId::new).collect(),
        wait: Duration::from_secs(1),
    })
}

fn read_end(link: &LinkHandle, id: crate::link::JobId) -> (EndReason, Option<Report>) {
    wait_for(link, |event| match event {
        Event::Job {
            id: of,
            event: JobEvent::Ended(end),
        } if *of == id => Some((end.reason, end.report.clone())),
        _ => None,
    })
    .0
}

#[test]
fn a_read_through_the_thread_returns_its_values() {
    let link = spawn(FixedSimOpener(quick(Profile::Multical403)));
    link.open(link_config());
    opened(&link);
    let id = link.start(read(&[68, 74, 9999]));
    let (reason, report) = read_end(&link, id);
    assert_eq!(reason, EndReason::Done);
    let Some(Report::Read(report)) = report else {
        panic!("no read report");
    };
    assert_eq!(report.registers.len(), 2);
    assert_eq!(report.missing, [RegisterId::new(9999)]);
}

#[test]
fn open_failures_come_back_with_their_kind_and_jobs_end_not_open() {
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
        link.open(link_config());
        let (error, _) = wait_for(&link, |event| match event {
            Event::OpenFailed(error) => Some(error.clone()),
            _ => None,
        });
        assert!(matches!(error, LinkError::Open { failure: f, .. } if f == failure));
        let id = link.start(read(&[68]));
        assert_eq!(read_end(&link, id), (EndReason::NotOpen, None));
    }
}

#[test]
fn a_port_that_fails_is_reported_at_once_and_reopened_when_it_returns() {
    let plug = Plug::default();
    let mut meter = quick(Profile::Multical603);
    // Slow enough that the read is under way when the port goes.
    meter.timing = crate::sim::Timing::realtime(Duration::from_millis(60));
    let link = spawn(PluggedOpener {
        meter,
        plug: plug.clone(),
    });
    link.open(link_config());
    opened(&link);
    let id = link.start(read(&(1..=64).collect::<Vec<_>>()));
    // Mid-job: once its first request has gone out.
    wait_for(&link, |event| match event {
        Event::Job {
            event: JobEvent::Traffic(record),
            ..
        } if record.direction == crate::link::traffic::TrafficDirection::Tx => Some(()),
        _ => None,
    });
    plug.unplug();
    let unplugged_at = Instant::now();
    let (error, _) = wait_for(&link, |event| match event {
        Event::Lost(error) => Some(error.clone()),
        _ => None,
    });
    assert!(
        unplugged_at.elapsed() < Duration::from_secs(1),
        "the loss took {:?} to show",
        unplugged_at.elapsed()
    );
    assert!(error.to_string().contains("unplugged"), "{error}");
    assert_eq!(read_end(&link, id).0, EndReason::PortLost);

    plug.replug();
    opened(&link);
    let id = link.start(read(&[68]));
    assert_eq!(read_end(&link, id).0, EndReason::Done);
}

#[test]
fn the_tap_sees_every_event_before_the_receiver_does() {
    let (tapped, taps) = mpsc::channel();
    let link = LinkHandle::spawn(
        Box::new(FixedSimOpener(quick(Profile::Multical21))),
        Box::new(|_| {}),
        Some(Box::new(move |event: &Event| {
            let _ = tapped.send(event.clone());
        })),
    )
    .unwrap();
    link.open(link_config());
    let id = link.start(read(&[68, 74]));
    let (mut tapped, mut received) = (Vec::new(), 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "the read never ended");
        let Some(event) = link.event_timeout(Duration::from_millis(50)) else {
            continue;
        };
        // Whatever the receiver holds, the tap was handed first, in the same order.
        tapped.extend(taps.try_iter());
        assert_eq!(
            tapped.get(received),
            Some(&event),
            "received before the tap saw it"
        );
        received += 1;
        if matches!(&event, Event::Job { id: of, event: JobEvent::Ended(_) } if *of == id) {
            break;
        }
    }
    assert!(tapped.iter().any(|event| matches!(
        event,
        Event::Job {
            event: JobEvent::Traffic(_),
            ..
        }
    )));
}

#[test]
fn dropping_the_handle_ends_the_thread_even_while_a_job_runs() {
    let link = spawn(FixedSimOpener(quick(Profile::Multical21)));
    link.open(link_config());
    opened(&link);
    link.start(Job::Poll(crate::link::PollPlan {
        ids: vec![RegisterId::new(68)],
        interval: Duration::from_millis(10),
    }));
    // While the job runs: once it has polled.
    wait_for(&link, |event| match event {
        Event::Job {
            event: JobEvent::Polled(_),
            ..
        } => Some(()),
        _ => None,
    });
    let dropped = Instant::now();
    drop(link);
    assert!(dropped.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_port_that_goes_away_with_no_job_under_way_is_noticed_within_a_second_or_so() {
    let plug = Plug::default();
    let link = spawn(PluggedOpener {
        meter: quick(Profile::Multical603),
        plug: plug.clone(),
    });
    link.open(link_config());
    opened(&link);
    plug.unplug();
    let unplugged_at = Instant::now();
    wait_for(&link, |event| matches!(event, Event::Lost(_)).then_some(()));
    assert!(
        unplugged_at.elapsed() < Duration::from_secs(3),
        "noticed after {:?}",
        unplugged_at.elapsed()
    );
}
