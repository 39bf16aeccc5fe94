use std::time::{Duration, Instant};

use super::*;
use crate::kmp::Request;
use crate::link::OpenFailure;
use crate::protocol::Protocol;

fn opened() -> Event {
    Event::Opened {
        port: "sim:multical21".into(),
        line: LineSettings::default(),
        round_trip: None,
    }
}

fn exchanged(exchange: Exchange, result: Result<(), ExchangeFailure>) -> Event {
    Event::Job {
        id: crate::link::JobId::new(1),
        event: JobEvent::Exchanged {
            exchange,
            result,
            requests: 7,
        },
    }
}

fn echo(clean: bool) -> Event {
    exchanged(Exchange::EchoTest, Err(ExchangeFailure::EchoOnly { clean }))
}

fn request(answered: bool) -> Event {
    let result = if answered {
        Ok(())
    } else {
        Err(ExchangeFailure::Silence)
    };
    exchanged(Exchange::Request(Request::GetSerialNo), result)
}

#[test]
fn the_wake_countdown_runs_from_connecting_and_suggests_turning_the_magnet() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    let delay = Duration::from_secs(4);
    assert_eq!(view.wake_state(t0, delay), WakeState::NotConnected);
    view.handle(&opened(), t0);
    assert_eq!(
        view.wake_state(t0 + Duration::from_secs(1), delay),
        WakeState::Waking(Duration::from_secs(3))
    );
    assert_eq!(
        view.wake_state(t0 + Duration::from_secs(5), delay),
        WakeState::Overdue { turn_magnet: false }
    );
    assert_eq!(
        view.wake_state(t0 + Duration::from_secs(11), delay),
        WakeState::Overdue { turn_magnet: true }
    );
    view.magnet_placed(t0 + Duration::from_secs(11));
    assert!(matches!(
        view.wake_state(t0 + Duration::from_secs(12), delay),
        WakeState::Waking(_)
    ));
    view.handle(&request(true), t0 + Duration::from_secs(15));
    assert_eq!(
        view.wake_state(t0 + Duration::from_secs(15), delay),
        WakeState::Awake
    );
}

#[test]
fn the_alignment_rates_cover_the_last_twenty_rounds() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), t0);
    assert_eq!(view.echo_rate(), None);
    for _ in 0..30 {
        view.handle(&echo(false), t0);
    }
    for idx in 0..20 {
        view.handle(&echo(idx % 4 != 0), t0);
        view.handle(&request(idx % 2 == 0), t0);
    }
    assert_eq!(view.echo_rate(), Some(0.75));
    assert_eq!(view.answer_rate(), Some(0.5));
    assert_eq!(view.echoes().len(), HISTORY);
    assert_eq!(view.requests(), 7, "the link's own count");
}

#[test]
fn a_pushing_meters_telegrams_count_one_by_one_with_the_bytes_a_second() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), t0);
    let heard = |whole, damaged| Event::Job {
        id: crate::link::JobId::new(1),
        event: JobEvent::Heard(crate::link::Heard {
            whole,
            damaged,
            bytes: 500,
            took: Duration::from_secs(2),
        }),
    };
    view.handle(&heard(1, 2), t0);
    // The listen's own end adds nothing: its telegrams are counted.
    view.handle(&exchanged(Exchange::Listen { telegrams: 1 }, Ok(())), t0);
    view.handle(&heard(1, 0), t0);
    assert_eq!(view.answers(), &[true, false, false, true]);
    assert_eq!(view.answer_rate(), Some(0.5));
    assert_eq!(view.byte_rate(), Some(250.0));
}

#[test]
fn open_failures_show_with_their_advice_and_clear_on_success() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    let error = LinkError::Open {
        port: "/dev/ttyUSB0".into(),
        failure: OpenFailure::Busy,
        detail: "busy".into(),
    };
    view.handle(&Event::OpenFailed(error), t0);
    let shown = view.error().cloned().unwrap();
    assert!(shown.message.contains("/dev/ttyUSB0") && shown.advice.contains("other program"));
    view.handle(&opened(), t0);
    assert!(view.error().is_none());
    assert!(view.is_connected());
}

#[test]
fn a_lost_port_keeps_its_name_and_the_error() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), t0);
    view.handle(
        &Event::Lost(LinkError::Lost {
            port: "sim:multical21".into(),
            detail: "unplugged".into(),
        }),
        t0,
    );
    assert_eq!(
        *view.connection(),
        ConnectionState::Lost {
            port: "sim:multical21".into()
        }
    );
    assert!(view.error().unwrap().message.contains("unplugged"));
}

#[test]
fn the_countdown_asks_to_be_drawn_again_only_while_it_moves() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    let delay = Duration::from_secs(4);
    assert_eq!(view.wake_changes_in(t0, delay), None, "not connected");
    view.handle(&opened(), t0);
    let tenth = Duration::from_millis(100);
    assert_eq!(
        view.wake_changes_in(t0 + Duration::from_secs(1), delay),
        Some(tenth)
    );
    assert_eq!(
        view.wake_changes_in(t0 + Duration::from_millis(3950), delay),
        Some(Duration::from_millis(50))
    );
    assert_eq!(
        view.wake_changes_in(t0 + Duration::from_secs(6), delay),
        Some(TURN_MAGNET_AFTER - Duration::from_secs(6)),
        "overdue: the advice to turn the magnet over comes later"
    );
    assert_eq!(
        view.wake_changes_in(t0 + Duration::from_secs(11), delay),
        None
    );
    view.handle(&request(true), t0 + Duration::from_secs(12));
    view.magnet_placed(t0 + Duration::from_secs(13));
    assert!(
        view.wake_changes_in(t0 + Duration::from_secs(13), delay)
            .is_some()
    );
    view.handle(&request(true), t0 + Duration::from_secs(14));
    assert_eq!(
        view.wake_changes_in(t0 + Duration::from_secs(14), delay),
        None,
        "awake"
    );
}

#[test]
fn requests_before_the_eye_first_answers_count_as_waking_not_as_misses() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), t0);
    for _ in 0..3 {
        view.handle(&request(false), t0);
    }
    assert_eq!(view.answer_rate(), None, "no round since the eye woke");
    assert_eq!(view.waking_requests(), 3);
    view.handle(&request(true), t0);
    view.handle(&request(false), t0);
    assert_eq!(view.answer_rate(), Some(0.5), "one of two since it woke");
    assert_eq!(view.waking_requests(), 3);
    // The magnet placed again: the eye wakes once more, and its silence is waking again.
    view.magnet_placed(t0);
    view.handle(&request(false), t0);
    assert_eq!(view.waking_requests(), 1);
    assert_eq!(view.answers().len(), 2);
}

#[test]
fn a_new_connection_starts_the_alignment_meter_and_the_findings_afresh() {
    let t0 = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), t0);
    for _ in 0..5 {
        view.handle(&echo(true), t0);
        view.handle(&request(true), t0);
    }
    view.handle(
        &Event::Job {
            id: crate::link::JobId::new(1),
            event: JobEvent::Identified {
                serial: 71_234_567,
                meter_type: None,
            },
        },
        t0,
    );
    let ok = Diagnosis {
        code: diagnosis::DiagnosisCode::Ok,
        finding: "the meter answers".into(),
        advice: String::new(),
    };
    view.handle(
        &Event::Job {
            id: crate::link::JobId::new(1),
            event: JobEvent::Diagnosed(ok),
        },
        t0,
    );
    assert!(view.diagnosis().is_some() && view.identity().is_some());
    view.handle(&Event::Closed, t0);
    view.handle(&opened(), t0 + Duration::from_secs(30));
    assert_eq!(view.echo_rate(), None);
    assert_eq!(view.answer_rate(), None);
    assert_eq!(view.identity(), None);
    assert_eq!(view.diagnosis(), None);
    assert_eq!(view.requests(), 7, "the link's own count goes on");
    assert_eq!(
        view.wake_state(t0 + Duration::from_secs(31), Duration::from_secs(4)),
        WakeState::Waking(Duration::from_secs(3))
    );
}

#[test]
fn a_mode_a_sign_on_shows_at_once_and_gives_way_to_the_protocol_found() {
    let now = Instant::now();
    let mut view = LinkView::default();
    view.handle(&opened(), now);
    let line = LineSettings::iec(1);
    let job = |event| Event::Job {
        id: crate::link::JobId::new(1),
        event,
    };
    view.handle(
        &job(JobEvent::ReadoutFollows {
            identification: "KAM0382C".into(),
            line,
        }),
        now,
    );
    assert_eq!(
        view.signed_on(),
        Some("KAM0382C"),
        "told before the readout"
    );
    assert!(view.spoken().is_none());
    view.handle(
        &job(JobEvent::Spoke {
            protocol: Protocol::Iec,
            identification: Some("KAM0382C".into()),
            asked_at: LineSettings::iec(2),
            line,
            push: false,
        }),
        now,
    );
    assert_eq!(view.signed_on(), None);
    assert_eq!(view.spoken().map(|spoken| spoken.line), Some(line));
    let diagnosis = view.diagnosis().unwrap();
    assert_eq!(diagnosis.code, crate::link::diagnosis::DiagnosisCode::Ok);
    assert!(
        diagnosis
            .finding
            .contains("asked at 300 7E2, answering at 300 7E1"),
        "{}",
        diagnosis.finding
    );
}
