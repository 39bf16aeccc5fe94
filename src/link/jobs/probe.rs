//! The link check: echo tests, then asking until the eye wakes, then identifying the meter. After
//! the first unanswered request, the early round ([`super::early_round`]) asks what costs little
//! (the other known addresses and baud rates, the text protocols with short waits) before the
//! wait goes on; an eye that answers only damaged frames ends the wait. When KMP gets no answer,
//! it asks at the other addresses meters use (or at every address), then tries the text
//! protocols (IEC 62056-21's sign-on, `/#1`) at their own line settings; with the sweep, it asks
//! with the other line settings a meter's eye may use.

use std::time::{Duration, Instant};

use crate::kmp::{MeterType, Request, Response};

use super::address_search::{AddressAsked, AddressSearch};
use super::early_round::{EarlyAsked, EarlyRound};
use super::step::{Attempts, Cx, Input, Step};
use super::sweep::Sweep;
use super::text_search::{LISTEN, Searched, TextFound, TextSearch};
use super::wake::{WakeUp, Woken};
use crate::line::LineSettings;
use crate::link::diagnosis::{self, Diagnosis, DiagnosisCode, Pushing, diagnose};
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::{JobEvent, Report};
use crate::link::options::ProbeOptions;
use crate::link::reports::ProbeReport;
use crate::model::TextReading;
use crate::protocol::Protocol;

/// Echo tests at the start of a probe; they cost the meter nothing.
const ECHO_TESTS: u32 = 3;
/// Damaged answers in a row after which the eye is taken to be awake and the head to garble
/// what it says: waiting out the wake-up would tell nothing more. With a third of the answers
/// damaged, five in a row come once in about 250 probes.
const GARBLED_ENOUGH: u32 = 5;

#[derive(Debug)]
enum Phase {
    /// Echo tests, this many done.
    Echo(u32),
    /// Asking for the serial number until the eye wakes.
    Wake(WakeUp),
    /// The early round, then back to waiting for the eye.
    Early(EarlyRound, WakeUp),
    /// Asking for it at other addresses.
    Address(AddressSearch),
    /// Asking for the meter's type.
    Type,
    /// Trying the text protocols.
    Text(TextSearch),
    /// Trying the sweep's line settings.
    Sweep(Sweep),
}

/// What the evidence said once the meter was identified (or given up on): the report's fields,
/// kept before the sweep tries settings that are expected to fail.
#[derive(Clone, Debug)]
struct Findings {
    echo: bool,
    echo_clean: bool,
    seconds_to_first_answer: Option<f64>,
    diagnosis: Diagnosis,
}

/// What was heard of a meter that pushes.
#[derive(Clone, Copy, Debug)]
struct Push {
    /// Between its first two telegrams, when two came.
    interval: Option<Duration>,
    /// Whether it sends energy but no power: locked with its PIN.
    pin_locked: bool,
    /// Whether its SML CRC comes high byte first.
    crc_swapped: bool,
    /// Telegrams heard whole.
    whole: u32,
    /// Telegrams heard failing their checks, in this listen and those before.
    damaged: u32,
}

/// Whether a pushing meter's values hold energy drawn (1.8.0) but not the power (16.7.0): what a
/// meter sends until its PIN is entered (docs/protocols.md §11).
fn pin_locked(readings: &[TextReading]) -> bool {
    let has = |code: &str| {
        readings
            .iter()
            .any(|reading| reading.key.to_string() == code)
    };
    has("1.8.0") && !has("16.7.0")
}

/// The protocol that answered.
#[derive(Clone, Debug)]
struct Spoken {
    protocol: Protocol,
    identification: Option<String>,
    /// The settings it was asked at.
    asked_at: LineSettings,
    /// The settings its answer came at.
    line: LineSettings,
    /// When the answer that named it came whole.
    named_at: Instant,
}

impl Spoken {
    /// KMP, asked and answered at `line`, named at `now`.
    fn kmp(line: LineSettings, now: Instant) -> Self {
        Self {
            protocol: Protocol::Kmp,
            identification: None,
            asked_at: line,
            line,
            named_at: now,
        }
    }
}

impl From<TextFound> for Spoken {
    fn from(found: TextFound) -> Self {
        Self {
            protocol: found.protocol,
            identification: found.known_as(),
            asked_at: found.tried.line,
            line: found.line,
            named_at: found.named_at,
        }
    }
}

/// The link check; see the module documentation.
#[derive(Debug)]
pub(crate) struct Probe {
    options: ProbeOptions,
    phase: Phase,
    serial: Option<u32>,
    meter_type: Option<MeterType>,
    /// The address the meter answered KMP at.
    address: Option<u8>,
    /// The settings it answered KMP at, when not the link's own.
    kmp_line: Option<LineSettings>,
    /// What was heard of a meter that pushes.
    push: Option<Push>,
    /// Listens that heard a pushing meter's telegrams fail their checks, and none whole.
    push_garbled: u32,
    spoken: Option<Spoken>,
    /// Whether KMP got no answer and the text protocols were tried.
    kmp_silent: bool,
    /// Damaged answers in a row while waiting for the eye.
    garbled_in_a_row: u32,
    /// Whether the early round was asked.
    early_done: bool,
    findings: Option<Findings>,
}

impl Probe {
    pub fn new(options: ProbeOptions) -> Self {
        Self {
            options,
            phase: Phase::Echo(0),
            serial: None,
            meter_type: None,
            address: None,
            kmp_line: None,
            push: None,
            push_garbled: 0,
            spoken: None,
            kmp_silent: false,
            garbled_in_a_row: 0,
            early_done: false,
            findings: None,
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let result = match input {
            Input::Start => {
                *self = Self::new(self.options);
                return Step::exchange(Exchange::EchoTest, Attempts::One);
            }
            Input::Exchanged(result) => {
                if matches!(&result, Err(ExchangeFailure::BadText(error)) if error.pushed()) {
                    self.push_garbled += 1;
                }
                result
            }
            // A probe never asks for a pause, so no timer of its own can end; were one to, it
            // would end with what it found.
            Input::Timeout => return Step::Done(Some(Report::Probe(self.report(cx, true)))),
        };
        match &mut self.phase {
            Phase::Echo(done) => {
                // What the echo tests show is kept in the link's evidence.
                *done += 1;
                if *done < ECHO_TESTS {
                    return Step::exchange(Exchange::EchoTest, Attempts::One);
                }
                if matches!(self.options.protocol, None | Some(Protocol::Kmp)) {
                    let exchange = Exchange::Request(Request::GetSerialNo);
                    let mut wake = WakeUp::new(exchange, self.options.wait);
                    let step = wake.step(cx.now.instant);
                    self.phase = Phase::Wake(wake);
                    step
                } else {
                    // A named protocol gets the whole wait: the eye may be waking.
                    self.search(self.options.protocol, self.options.wait, cx)
                }
            }
            Phase::Wake(wake) => {
                let damaged = matches!(
                    result,
                    Err(ExchangeFailure::BadFrame(_)
                        | ExchangeFailure::BadText(_)
                        | ExchangeFailure::Garbage { .. })
                );
                self.garbled_in_a_row = if damaged {
                    self.garbled_in_a_row + 1
                } else {
                    0
                };
                // The eye answers, damaged every time: no use waiting for it to wake.
                if self.garbled_in_a_row >= GARBLED_ENOUGH {
                    return self.identified(cx);
                }
                let silent = matches!(
                    result,
                    Err(ExchangeFailure::Silence | ExchangeFailure::EchoOnly { .. })
                );
                match wake.handle(result, cx) {
                    Woken::Answered(Answer::Kmp(Response::SerialNo(serial))) => {
                        self.answered_at(cx.address, serial, cx)
                    }
                    // Silent once: before waiting on, ask what costs little.
                    Woken::Again
                        if silent
                            && !self.early_done
                            && matches!(self.options.protocol, None | Some(Protocol::Kmp)) =>
                    {
                        self.early_done = true;
                        let home = Sweep::possible(cx.port).then_some(cx.line);
                        let mut round =
                            EarlyRound::new(cx.address, self.options.protocol.is_none(), home);
                        let asked = round.start(cx);
                        self.phase = Phase::Early(round, wake.clone());
                        self.early(asked, cx)
                    }
                    Woken::Again => wake.step(cx.now.instant),
                    // Nothing but the echo, or nothing at all from a head that does not echo: the
                    // meter may answer at another address, or speak another protocol. Garbled
                    // answers are KMP's to sort out.
                    Woken::GaveUp(_)
                        if diagnose(cx.evidence, cx.now.instant).code != DiagnosisCode::Garbled =>
                    {
                        let mut search = AddressSearch::new(cx.address, self.options.address_sweep);
                        match search.start() {
                            Some(exchange) => {
                                self.phase = Phase::Address(search);
                                Step::exchange(exchange, Attempts::One)
                            }
                            None => self.other_protocols(cx),
                        }
                    }
                    Woken::Answered(_) | Woken::GaveUp(_) => self.identified(cx),
                }
            }
            Phase::Early(round, _) => {
                let asked = round.handle(result, cx);
                self.early(asked, cx)
            }
            Phase::Address(search) => match search.handle(&result) {
                AddressAsked::Next(exchange) => Step::exchange(exchange, Attempts::One),
                AddressAsked::Found { address, serial } => self.answered_at(address, serial, cx),
                AddressAsked::NoneAnswered => self.other_protocols(cx),
            },
            Phase::Type => {
                if let Ok(Answer::Kmp(Response::Type(meter_type))) = result {
                    self.meter_type = Some(meter_type);
                }
                let line = self.kmp_line.unwrap_or(cx.line);
                self.spoke(Spoken::kmp(line, cx.now.instant), cx);
                self.identified(cx)
            }
            Phase::Text(search) => match search.handle(result, cx) {
                Searched::Next(step) => step,
                Searched::Found(found) => {
                    self.heard(&found);
                    self.spoke(found.into(), cx);
                    self.identified(cx)
                }
                Searched::GaveUp(_) => self.identified(cx),
            },
            Phase::Sweep(sweep) => {
                sweep.handle(&result, cx.line);
                self.sweep_step(cx)
            }
        }
    }

    /// Carries on with what the early round asked; back to waiting for the eye when nothing
    /// answered it.
    fn early(&mut self, asked: EarlyAsked, cx: &mut Cx<'_>) -> Step {
        match asked {
            EarlyAsked::Next(step) => step,
            EarlyAsked::KmpAt { address, serial } => self.answered_at(address, serial, cx),
            EarlyAsked::KmpOn { line, serial } => {
                self.serial = Some(serial);
                self.address = Some(cx.address);
                self.kmp_line = Some(line);
                self.phase = Phase::Type;
                Step::exchange_on(Exchange::Request(Request::GetType), line, None)
            }
            EarlyAsked::Text(found) => {
                self.heard(&found);
                self.spoke(found.into(), cx);
                self.kmp_silent = true;
                self.identified(cx)
            }
            EarlyAsked::Nothing => match std::mem::replace(&mut self.phase, Phase::Type) {
                Phase::Early(_, mut wake) => {
                    let step = wake.step(cx.now.instant);
                    self.phase = Phase::Wake(wake);
                    step
                }
                other => {
                    self.phase = other;
                    self.identified(cx)
                }
            },
        }
    }

    /// The meter gave its serial number at `address`: its type is asked there next.
    fn answered_at(&mut self, address: u8, serial: u32, cx: &Cx<'_>) -> Step {
        self.serial = Some(serial);
        self.address = Some(address);
        self.phase = Phase::Type;
        let request = Request::GetType;
        let exchange = if address == cx.address {
            Exchange::Request(request)
        } else {
            Exchange::RequestAt { request, address }
        };
        Step::exchange(exchange, Attempts::Configured)
    }

    /// KMP got no answer at any address asked: the text protocols get one round, when no
    /// protocol was named (KMP had the wait).
    fn other_protocols(&mut self, cx: &mut Cx<'_>) -> Step {
        if self.options.protocol.is_some() {
            return self.identified(cx);
        }
        self.kmp_silent = true;
        self.search(None, Duration::ZERO, cx)
    }

    /// Asks in the text protocols (`protocol`, or all of them).
    fn search(&mut self, protocol: Option<Protocol>, wait: Duration, cx: &mut Cx<'_>) -> Step {
        let mut search = TextSearch::new(protocol, None, wait).timing_pushes();
        let searched = search.start(cx.now.instant);
        self.phase = Phase::Text(search);
        match searched {
            Searched::Next(step) => step,
            Searched::Found(_) | Searched::GaveUp(_) => self.identified(cx),
        }
    }

    /// Notes what was heard of a meter that pushes, if `found` is one.
    fn heard(&mut self, found: &TextFound) {
        self.push = found.pushed.as_ref().map(|pushed| Push {
            interval: pushed.interval,
            crc_swapped: pushed.crc_swapped,
            whole: pushed.whole,
            damaged: pushed.damaged + self.push_garbled,
            pin_locked: found.readings.as_deref().is_some_and(pin_locked),
        });
    }

    fn spoke(&mut self, spoken: Spoken, cx: &mut Cx<'_>) {
        cx.emit(JobEvent::Spoke {
            protocol: spoken.protocol,
            identification: spoken.identification.clone(),
            asked_at: spoken.asked_at,
            line: spoken.line,
            push: self.push.is_some(),
        });
        self.spoken = Some(spoken);
    }

    /// The meter told who it is, or was given up on: note the findings, then sweep or finish.
    fn identified(&mut self, cx: &mut Cx<'_>) -> Step {
        self.findings = Some(self.findings(cx));
        // The sweep asks KMP at other settings: nothing to learn of a meter that speaks another
        // protocol.
        let text = self
            .spoken
            .as_ref()
            .is_some_and(|spoken| spoken.protocol != Protocol::Kmp);
        if !self.options.sweep || text || !Sweep::possible(cx.port) {
            return Step::Done(Some(Report::Probe(self.report(cx, false))));
        }
        self.phase = Phase::Sweep(Sweep::default());
        self.sweep_step(cx)
    }

    fn sweep_step(&mut self, cx: &mut Cx<'_>) -> Step {
        let next = match &self.phase {
            Phase::Sweep(sweep) => sweep.next(cx.line),
            _ => None,
        };
        next.unwrap_or_else(|| Step::Done(Some(Report::Probe(self.report(cx, false)))))
    }

    /// The report of what was found; `interrupted` when the probe ended before it was through.
    pub fn report(&self, cx: &Cx<'_>, interrupted: bool) -> ProbeReport {
        let findings = self.findings.clone().unwrap_or_else(|| self.findings(cx));
        ProbeReport {
            port: cx.port.to_string(),
            protocol: self.spoken.as_ref().map(|spoken| spoken.protocol),
            identification: self
                .spoken
                .as_ref()
                .and_then(|spoken| spoken.identification.clone()),
            line: self.spoken.as_ref().map_or(cx.line, |spoken| spoken.line),
            asked_at: self.spoken.as_ref().map(|spoken| spoken.asked_at),
            push: self.push.is_some(),
            push_interval: self.push.and_then(|push| push.interval),
            echo: findings.echo,
            echo_clean: findings.echo_clean,
            answered: self.spoken.is_some(),
            seconds_to_first_answer: findings.seconds_to_first_answer,
            // A mode A meter is named by its identification, seconds before its readout is in.
            seconds_to_diagnosis: cx.evidence.opened_at.map(|opened| {
                let named = self
                    .spoken
                    .as_ref()
                    .map_or(cx.now.instant, |spoken| spoken.named_at.min(cx.now.instant));
                named.saturating_duration_since(opened).as_secs_f64()
            }),
            round_trip: cx.evidence.network_round_trip,
            address: self.address,
            serial: self.serial,
            meter_type: self.meter_type,
            diagnosis: findings.diagnosis,
            sweep: match &self.phase {
                Phase::Sweep(sweep) => sweep.rows().to_vec(),
                _ => Vec::new(),
            },
            interrupted,
        }
    }

    /// What the evidence shows; a text protocol that answered makes the link good, though the
    /// evidence (of KMP at the link's own settings) says otherwise.
    fn findings(&self, cx: &Cx<'_>) -> Findings {
        let evidence = cx.evidence;
        let echo = evidence.echoes_seen > 0;
        // The evidence is of KMP at the link's own settings: the text tries at others do not
        // change it, though the time they took may end the wake-up window.
        let mut diagnosis = match &self.spoken {
            Some(spoken) if let Some(push) = self.push => diagnosis::pushes(&Pushing {
                protocol: spoken.protocol,
                known_as: spoken.identification.as_deref(),
                line: Some(spoken.line),
                interval: push.interval,
                pin_locked: push.pin_locked,
                crc_swapped: push.crc_swapped,
                whole: push.whole,
                damaged: push.damaged,
            }),
            Some(spoken) if spoken.protocol != Protocol::Kmp => diagnosis::speaks(
                spoken.protocol,
                spoken.identification.as_deref(),
                (spoken.asked_at, spoken.line),
                self.kmp_silent,
            ),
            _ => match self.kmp_line {
                Some(line) => diagnosis::kmp_at(line, cx.line),
                None if self.push_garbled > 0 && self.spoken.is_none() => {
                    diagnosis::pushes_garbled(LISTEN.line)
                }
                None => diagnose(evidence, cx.now.instant),
            },
        };
        if let Some(address) = self.address.filter(|&address| address != cx.address) {
            diagnosis.finding.push_str(&format!(
                " It answers at address 0x{address:02X}, not at 0x{:02X} as set: read it at \
                 0x{address:02X} (--address 0x{address:02X}).",
                cx.address
            ));
        }
        if self.kmp_silent && self.spoken.is_none() {
            diagnosis.finding.push_str(
                " Neither IEC 62056-21 nor /#1 answered (asked at 300 7E2, heard at 7E1).",
            );
        }
        Findings {
            echo,
            echo_clean: echo && evidence.echoes_clean == evidence.echoes_seen,
            seconds_to_first_answer: match (evidence.first_request_at, evidence.first_answer_at) {
                (Some(request), Some(answer)) => {
                    Some(answer.saturating_duration_since(request).as_secs_f64())
                }
                _ => None,
            },
            diagnosis,
        }
    }
}
