//! A simulated stretch of polling through the link's real job machines ([`VirtualLink`]) in
//! invented time, against a simulated MULTICAL 21 with the faults of a real one, recorded by
//! the session recorder as the app and `log --session` record, and then checked: every poll
//! answer the meter sent and the link could receive is in the journal exactly once, with the
//! values the meter sent.
//!
//! Shared by `benches/soak_week.rs` (a week) and the integration tests (six hours).
//!
//! The meter: 1200 baud 8N2 with 60 ms latency and an echoing head; the eye wakes 4 s after the
//! magnet; it stops answering after 2000 answers (throttling after bursts) and falls asleep after
//! a minute without requests, until the magnet is placed again; 1 % of its answers are
//! corrupted, 1 % come after noise or the tail of the answer before, 1 % never come, and 0.1 %
//! of the bytes its head echoes are damaged or lost. The port vanishes for 10 s every 3 hours.
//! The user polls volume (68) and flow (74) every second, places the magnet every 45 minutes,
//! pauses polling for 3 minutes every 2 hours (and wakes the meter when resuming), and every 6
//! hours scans registers 0..=120, reads 99 and 1004 again, and goes back to polling. A run
//! checks enough readings to mean something: a meter that never answers fails it.

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use kmp_workbench::kmp::{
    Family, Message, Number, RegisterId, RegisterList, Request, Response, Unit, Value,
};
use kmp_workbench::link::{
    Event, Job, JobEvent, JobId, LinkConfig, Now, PollPlan, ReadOptions, ScanOptions, VirtualLink,
};
use kmp_workbench::session::{Manifest, Recorder, Session};
use kmp_workbench::sim::{Asked, Faults, MeterConfig, Profile, SentAnswer, Timing};

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Polls in the journal, answered or not.
    pub polls: u64,
    /// Poll answers the meter sent whole and undamaged while the port was there.
    pub answers: usize,
    /// Readings of those answers looked for in the journal, one per register polled.
    pub readings_checked: usize,
    /// Of their readings, those missing from the journal.
    pub readings_lost: usize,
    /// Readings in the journal that differ from what the meter sent, or that it never sent.
    pub wrong_values: usize,
    /// Requests the link sent, retries included.
    pub requests: u64,
    /// What the scripted user did.
    pub scans: u32,
    /// Reads of ticked registers.
    pub rereads: u32,
    /// Pauses of polling.
    pub pauses: u32,
    /// Times the port vanished.
    pub vanished: u32,
}

const POLLED: [u16; 2] = [68, 74];
const CHUNK: Duration = Duration::from_secs(1);

/// The fewest readings a run of `duration` must check: one a second, half of what the polls
/// ask for, since the meter throttles, sleeps and is paused and scanned part of the time.
pub fn readings_floor(duration: Duration) -> usize {
    duration.as_secs() as usize
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

fn meter(seed: u64) -> MeterConfig {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.echo = true;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.magnet_delay = Duration::from_secs(4);
    config.budget = Some(2000);
    config.sleep_after = Some(minutes(1));
    config.faults = Faults {
        corrupt: 0.01,
        noise: 0.01,
        drop: 0.01,
        echo: 0.001,
    };
    config.seed = seed;
    config.log_answers = true;
    config
}

fn poll() -> Job {
    Job::Poll(PollPlan {
        ids: POLLED.map(RegisterId::new).to_vec(),
        interval: Duration::from_secs(1),
    })
}

/// What the user does next, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Magnet,
    Unplug,
    Replug,
    Pause,
    Resume,
    Scan,
}

/// Runs `duration` of invented time, recording into a new session in `dir`.
pub fn run(duration: Duration, dir: &Path, seed: u64) -> Outcome {
    let origin = Now::new(
        Instant::now(),
        Timestamp::from_second(1_790_000_000).unwrap(),
    );
    let mut link = VirtualLink::new(meter(seed), origin);
    let recorder = Recorder::spawn(Box::new(|| {})).unwrap();
    let mut session = Session::create(dir, Manifest::default(), &Default::default()).unwrap();
    // As the memory benchmark does: syncing changes how long a week takes to write, not what.
    session.readings_journal().set_sync(false);
    recorder.begin(session, JobId::new(0));
    let mut tap = recorder.tap();

    let end = origin.instant + duration;
    let every = |first: Duration, period: Duration, step: Step| {
        std::iter::successors(Some(origin.instant + first), move |t| Some(*t + period))
            .take_while(move |t| *t < end)
            .map(move |t| (t, step))
    };
    let mut plan: Vec<(Instant, Step)> = every(minutes(45), minutes(45), Step::Magnet)
        .chain(every(hours(3), hours(3), Step::Unplug))
        .chain(every(
            hours(3) + Duration::from_secs(10),
            hours(3),
            Step::Replug,
        ))
        .chain(every(minutes(40), hours(2), Step::Pause))
        .chain(every(minutes(43), hours(2), Step::Resume))
        .chain(every(minutes(90), hours(6), Step::Scan))
        .collect();
    plan.sort_by_key(|(t, _)| *t);

    let mut outcome = Outcome::default();
    let mut expected: Vec<(i64, [(Unit, Number); 2])> = Vec::new();
    let mut unplugged_since: Option<Instant> = None;
    link.open(LinkConfig::new("virtual"));
    let mut polling = Some(link.start(poll()));
    let (mut scanning, mut rereading): (Option<JobId>, Option<JobId>) = (None, None);
    let mut steps = plan.into_iter().peekable();
    while link.now().instant < end {
        let until = (link.now().instant + CHUNK).min(end);
        let mut ended: Vec<JobId> = Vec::new();
        link.run_until(until, |event| {
            tap(&event);
            if let Event::Job {
                id,
                event: JobEvent::Ended(_),
            } = &event
            {
                ended.push(*id);
            }
        });
        let sent = link.meter().take_sent();
        keep_poll_answers(&sent, origin, unplugged_since, &mut expected);
        if scanning.is_some_and(|id| ended.contains(&id)) {
            scanning = None;
            outcome.rereads += 1;
            rereading = Some(link.start(Job::Read(ReadOptions {
                ids: vec![RegisterId::new(99), RegisterId::new(1004)],
                wait: Duration::from_secs(10),
            })));
        } else if rereading.is_some_and(|id| ended.contains(&id)) {
            rereading = None;
            polling = Some(link.start(poll()));
        }
        while let Some((_, step)) = steps.next_if(|(t, _)| *t <= link.now().instant) {
            match step {
                Step::Magnet => link.place_magnet(),
                Step::Unplug => {
                    outcome.vanished += 1;
                    unplugged_since = Some(link.now().instant);
                    link.unplug();
                }
                Step::Replug => {
                    unplugged_since = None;
                    link.replug();
                }
                Step::Pause => {
                    if let Some(id) = polling.take() {
                        outcome.pauses += 1;
                        link.send(kmp_workbench::link::Command::Cancel(id));
                    }
                }
                Step::Resume => {
                    if polling.is_none() && scanning.is_none() && rereading.is_none() {
                        link.place_magnet();
                        polling = Some(link.start(poll()));
                    }
                }
                Step::Scan => {
                    outcome.scans += 1;
                    polling = None;
                    rereading = None;
                    let options =
                        ScanOptions::catalogue_first(0, 120, minutes(1), Some(Family::Water));
                    scanning = Some(link.start(Job::Scan(options)));
                }
            }
        }
    }
    if let Some(id) = polling {
        link.send(kmp_workbench::link::Command::Cancel(id));
    }
    link.run_for(Duration::from_secs(5), |event| tap(&event));
    let sent = link.meter().take_sent();
    keep_poll_answers(&sent, origin, unplugged_since, &mut expected);
    outcome.requests = link.requests();
    drop(tap);
    assert!(
        recorder.sync(Duration::from_secs(600)),
        "the recorder fell behind"
    );
    drop(recorder);

    let opened = Session::open(dir).expect("the journal reads back");
    outcome.polls = opened.readings.polls();
    outcome.answers = expected.len();
    for (column, id) in POLLED.into_iter().enumerate() {
        let series = opened.readings.get(RegisterId::new(id).into());
        let got: Vec<(i64, Number)> = series
            .map(|series| {
                (0..series.len())
                    .filter_map(|index| series.get(index))
                    .map(|reading| ((reading.at * 1000.0).round() as i64, reading.value))
                    .collect()
            })
            .unwrap_or_default();
        let want: Vec<(i64, Number)> = expected
            .iter()
            .map(|(ms, values)| (*ms, values[column].1))
            .collect();
        let (lost, wrong) = compare(&want, &got);
        outcome.readings_checked += want.len();
        outcome.readings_lost += lost;
        outcome.wrong_values += wrong;
        // Every reading of a register carries the unit the meter sent with it.
        let unit = expected.first().map(|(_, values)| values[column].0);
        assert!(
            expected
                .iter()
                .all(|(_, values)| Some(values[column].0) == unit),
            "the meter changed a register's unit"
        );
        if series.is_some_and(|series| Some(series.unit()) != unit.map(Unit::symbol)) {
            outcome.wrong_values += got.len();
        }
    }
    outcome
}

/// Keeps, of the answers the meter sent, the whole and undamaged answers to polls that the port
/// was there to carry: their wall-clock time in milliseconds, and the unit and value of each
/// register polled.
fn keep_poll_answers(
    sent: &[SentAnswer],
    origin: Now,
    unplugged_since: Option<Instant>,
    expected: &mut Vec<(i64, [(Unit, Number); 2])>,
) {
    let ids = POLLED.map(RegisterId::new);
    let polled = RegisterList::new(&ids).unwrap();
    for answer in sent {
        if answer.damage.is_some()
            || answer.asked != Asked::Kmp(Request::GetRegister(polled))
            || unplugged_since.is_some_and(|since| answer.at >= since)
        {
            continue;
        }
        let Ok(Message::Response {
            response: Response::Registers(registers),
            ..
        }) = kmp_workbench::kmp::decode(&answer.frame)
        else {
            panic!("the meter sent an answer it cannot decode itself");
        };
        let value = |id: RegisterId| {
            registers
                .iter()
                .find(|register| register.id() == id)
                .and_then(|register| match register.value() {
                    Value::Number(number) => Some((register.unit(), number)),
                    _ => None,
                })
                .expect("the meter has both registers")
        };
        let ms = origin.wall_at(answer.at).as_millisecond();
        expected.push((ms, [value(ids[0]), value(ids[1])]));
    }
}

/// Walks what the meter sent and what the journal holds, both in time order: a reading the
/// journal lacks is lost; one that differs, or that the meter never sent (or sent once and the
/// journal holds twice), is wrong. A poll is stamped when the answer's last byte arrives, which
/// is when the meter's log says it left: the times agree to the millisecond.
pub fn compare(want: &[(i64, Number)], got: &[(i64, Number)]) -> (usize, usize) {
    let (mut lost, mut wrong) = (0, 0);
    let mut next = 0;
    for &(ms, value) in want {
        while next < got.len() && got[next].0 < ms - 1 {
            wrong += 1;
            next += 1;
        }
        match got.get(next) {
            Some(&(at, journaled)) if at <= ms + 1 => {
                if journaled != value {
                    wrong += 1;
                }
                next += 1;
            }
            _ => lost += 1,
        }
    }
    (lost, wrong + got.len() - next)
}
