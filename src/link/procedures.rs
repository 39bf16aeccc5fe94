//! The link's longer jobs, run on the worker thread: the link check (`probe`) and reading
//! registers (`read`). Both look at the command channel between exchanges, so a Cancel stops
//! them within one exchange, with what was found so far.

use std::time::{Duration, Instant};

use crate::kmp::{
    MAX_REGISTERS_PER_REQUEST, MeterType, Register, RegisterId, RegisterList, Request, Response,
    absent_ids,
};

use super::connection::{Connection, ExchangeResult};
use super::diagnosis::{Diagnosis, diagnose};
use super::engine::{Exchange, ExchangeFailure};
use super::worker::{Event, Worker};
use super::{LineSettings, LinkError, Parity};

/// Echo tests at the start of a probe; they cost the meter nothing.
const ECHO_TESTS: u32 = 3;

/// How the link check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    /// How long to keep asking while the eye wakes.
    pub wait: Duration,
    /// Also try 2400 and 9600 baud and one stop bit.
    pub sweep: bool,
}

/// How the continuous link check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonitorOptions {
    /// Time from one round (an echo test and a request) to the next. Battery meters throttle
    /// when asked too often, so this stays modest.
    pub interval: Duration,
}

/// Reading registers again and again: what `log` and the live plots run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollPlan {
    /// The registers.
    pub ids: Vec<RegisterId>,
    /// Time from one poll to the next while the meter answers.
    pub interval: Duration,
}

/// The slowest a poll of a silent meter gets: battery meters that throttle are asked again at
/// most this far apart.
pub const SLOWEST_POLL: Duration = Duration::from_secs(300);

/// One line setting tried by the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepResult {
    /// The settings.
    pub line: LineSettings,
    /// Whether the meter answered with them.
    pub answered: bool,
}

/// What the link check found.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReport {
    /// The port.
    pub port: String,
    /// The line settings the probe ran with.
    pub line: LineSettings,
    /// Whether the head heard itself.
    pub echo: bool,
    /// Whether every echo came back unchanged.
    pub echo_clean: bool,
    /// Whether the meter answered.
    pub answered: bool,
    /// From the first request to the first answer.
    pub seconds_to_first_answer: Option<f64>,
    /// The serial number, when the meter answered.
    pub serial: Option<u32>,
    /// The meter type, when the meter answered GetType.
    pub meter_type: Option<MeterType>,
    /// What the evidence points to.
    pub diagnosis: Diagnosis,
    /// The line settings the sweep tried.
    pub sweep: Vec<SweepResult>,
    /// Whether it was cancelled before the end.
    pub interrupted: bool,
}

/// What a read found.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadReport {
    /// When the read ended.
    pub at: jiff::Timestamp,
    /// The registers read, in the order asked.
    pub registers: Vec<Register>,
    /// IDs the meter left out of its answers: it does not have them.
    pub missing: Vec<RegisterId>,
    /// IDs whose requests got no valid answer.
    pub failed: Vec<RegisterId>,
    /// Why they got none.
    pub failure: Option<ExchangeFailure>,
    /// The diagnosis at the end.
    pub diagnosis: Diagnosis,
    /// Whether it was cancelled before the end.
    pub interrupted: bool,
}

/// The link check: echo tests, then asking until the eye wakes, then identifying the meter.
pub fn probe(
    connection: &mut Connection,
    options: &ProbeOptions,
    worker: &mut Worker,
) -> Result<ProbeReport, LinkError> {
    let mut emit = |event| worker.emit(event);
    for _ in 0..ECHO_TESTS {
        // What the echo tests show is kept in the connection's evidence.
        let _echo_only = connection.exchange(Exchange::EchoTest, &mut emit)?;
    }

    let (serial, interrupted) =
        match until_answered(connection, Request::GetSerialNo, options.wait, worker)? {
            Awake::Answered(Response::SerialNo(serial)) => (Some(serial), false),
            Awake::Answered(_) | Awake::GaveUp(_) => (None, false),
            Awake::Interrupted => (None, true),
        };
    let mut emit = |event| worker.emit(event);
    let meter_type = match serial {
        Some(_) => match connection.exchange(Exchange::Request(Request::GetType), &mut emit)? {
            Ok(Response::Type(meter_type)) => Some(meter_type),
            _ => None,
        },
        None => None,
    };
    let evidence = connection.evidence();
    let seconds_to_first_answer = match (evidence.first_request_at, evidence.first_answer_at) {
        (Some(request), Some(answer)) => {
            Some(answer.saturating_duration_since(request).as_secs_f64())
        }
        _ => None,
    };
    let line = connection.config().line;
    let echo = evidence.echoes_seen > 0;
    let echo_clean = echo && evidence.echoes_clean == evidence.echoes_seen;
    let diagnosis = diagnose(evidence, Instant::now());
    worker.emit(Event::Diagnosis(diagnosis.clone()));
    let sweep = if options.sweep && !interrupted {
        sweep(connection, worker)?
    } else {
        Vec::new()
    };
    Ok(ProbeReport {
        port: connection.config().port.clone(),
        line,
        echo,
        echo_clean,
        answered: serial.is_some(),
        seconds_to_first_answer,
        serial,
        meter_type,
        diagnosis,
        sweep,
        interrupted,
    })
}

/// The other line settings a meter's eye may use: 2400 and 9600 baud, and one stop bit.
fn sweep(connection: &mut Connection, worker: &mut Worker) -> Result<Vec<SweepResult>, LinkError> {
    let original = connection.config().line;
    let candidates = [
        original,
        LineSettings {
            baud: 2400,
            ..original
        },
        LineSettings {
            baud: 9600,
            ..original
        },
        LineSettings {
            stop_bits: 1,
            parity: Parity::None,
            ..original
        },
    ];
    let mut results = Vec::new();
    for line in candidates {
        if worker.interrupted() {
            break;
        }
        connection.set_line(line)?;
        let mut emit = |event| worker.emit(event);
        let answered = connection
            .exchange(Exchange::Request(Request::GetSerialNo), &mut emit)?
            .is_ok();
        results.push(SweepResult { line, answered });
    }
    connection.set_line(original)?;
    Ok(results)
}

/// How asking until the eye wakes ended.
enum Awake {
    Answered(Response),
    GaveUp(ExchangeFailure),
    Interrupted,
}

/// Sends `request` again and again, one attempt at a time, until the meter answers or `wait`
/// has passed since the first attempt; reports the time left as it goes.
fn until_answered(
    connection: &mut Connection,
    request: Request,
    wait: Duration,
    worker: &mut Worker,
) -> Result<Awake, LinkError> {
    let start = Instant::now();
    loop {
        let mut emit = |event| worker.emit(event);
        let result = connection.exchange_with_retries(Exchange::Request(request), 0, &mut emit)?;
        emit(Event::Diagnosis(diagnose(
            connection.evidence(),
            Instant::now(),
        )));
        match result {
            Ok(response) => return Ok(Awake::Answered(response)),
            Err(failure) => {
                let waited = start.elapsed();
                if waited >= wait {
                    return Ok(Awake::GaveUp(failure));
                }
                worker.emit(Event::Waiting {
                    left: wait - waited,
                });
                if worker.interrupted() {
                    return Ok(Awake::Interrupted);
                }
            }
        }
    }
}

/// Reads `ids`, eight to a request; the first request waits up to `wait` for the eye to wake.
pub fn read(
    connection: &mut Connection,
    ids: &[RegisterId],
    wait: Duration,
    worker: &mut Worker,
) -> Result<ReadReport, LinkError> {
    let mut registers = Vec::new();
    let mut missing = Vec::new();
    let mut failed = Vec::new();
    let mut failure = None;
    let mut interrupted = false;
    for (batch_idx, batch) in ids.chunks(MAX_REGISTERS_PER_REQUEST).enumerate() {
        let Ok(list) = RegisterList::new(batch) else {
            continue;
        };
        let request = Request::GetRegister(list);
        let result: ExchangeResult = if batch_idx == 0 && connection.evidence().answers == 0 {
            match until_answered(connection, request, wait, worker)? {
                Awake::Answered(response) => Ok(response),
                Awake::GaveUp(failure) => Err(failure),
                Awake::Interrupted => {
                    interrupted = true;
                    failed.extend_from_slice(&ids[batch_idx * MAX_REGISTERS_PER_REQUEST..]);
                    break;
                }
            }
        } else {
            let mut emit = |event| worker.emit(event);
            connection.exchange(Exchange::Request(request), &mut emit)?
        };
        match result {
            Ok(Response::Registers(answered)) => {
                let absent = absent_ids(batch, &answered);
                connection
                    .evidence_mut()
                    .missing
                    .extend(absent.iter().copied());
                missing.extend(absent);
                registers.extend(
                    answered
                        .into_iter()
                        .filter(|register| batch.contains(&register.id())),
                );
            }
            Ok(_) => {}
            Err(why) => {
                failed.extend_from_slice(batch);
                failure = Some(why);
            }
        }
        if batch_idx + 1 < ids.len().div_ceil(MAX_REGISTERS_PER_REQUEST) && worker.interrupted() {
            interrupted = true;
            failed.extend_from_slice(&ids[(batch_idx + 1) * MAX_REGISTERS_PER_REQUEST..]);
            break;
        }
    }
    let diagnosis = diagnose(connection.evidence(), Instant::now());
    worker.emit(Event::Diagnosis(diagnosis.clone()));
    Ok(ReadReport {
        at: jiff::Timestamp::now(),
        registers,
        missing,
        failed,
        failure,
        diagnosis,
        interrupted,
    })
}

/// The continuous link check behind the alignment meter: each round an echo test (which costs the
/// meter nothing) and one GetSerialNo without retries, so every success and failure shows. The
/// first answer also asks GetType, to identify the meter. Runs until cancelled.
pub fn monitor(
    connection: &mut Connection,
    options: &MonitorOptions,
    worker: &mut Worker,
) -> Result<(), LinkError> {
    let mut identified = false;
    loop {
        let round = Instant::now();
        let mut emit = |event| worker.emit(event);
        let _echo = connection.exchange(Exchange::EchoTest, &mut emit)?;
        let answer = connection.exchange_with_retries(
            Exchange::Request(Request::GetSerialNo),
            0,
            &mut emit,
        )?;
        if let (false, Ok(Response::SerialNo(serial))) = (identified, &answer) {
            let meter_type =
                match connection.exchange(Exchange::Request(Request::GetType), &mut emit)? {
                    Ok(Response::Type(meter_type)) => Some(meter_type),
                    _ => None,
                };
            identified = true;
            emit(Event::Identified {
                serial: *serial,
                meter_type,
            });
        }
        emit(Event::Diagnosis(diagnose(
            connection.evidence(),
            Instant::now(),
        )));
        let rest = options.interval.saturating_sub(round.elapsed());
        if worker.interrupted_within(rest) {
            return Ok(());
        }
    }
}

/// Polls `plan` until cancelled, one [`Event::Read`] a poll. When a meter that answered before
/// stops answering (it throttles or fell asleep), the pace halves, down to one poll in
/// [`SLOWEST_POLL`], and returns to the plan's once the meter answers again.
pub fn poll(
    connection: &mut Connection,
    plan: &PollPlan,
    worker: &mut Worker,
) -> Result<(), LinkError> {
    let mut interval = plan.interval;
    loop {
        let round = Instant::now();
        let report = read(connection, &plan.ids, Duration::ZERO, worker)?;
        let answered = report.failed.len() < plan.ids.len();
        interval = if answered || connection.evidence().answers == 0 {
            plan.interval
        } else {
            (interval * 2).min(SLOWEST_POLL.max(plan.interval))
        };
        worker.emit(Event::Read(report));
        if worker.interrupted_within(interval.saturating_sub(round.elapsed())) {
            return Ok(());
        }
    }
}
