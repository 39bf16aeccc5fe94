//! The link check: echo tests, then asking until the eye wakes, then identifying the meter, and
//! with the sweep, asking with the other line settings a meter's eye may use.

use crate::kmp::{MeterType, Request, Response};

use super::step::{Attempts, Cx, Input, Step};
use super::wake::{WakeUp, Woken};
use crate::link::config::{LineSettings, Parity};
use crate::link::diagnosis::{Diagnosis, diagnose};
use crate::link::engine::Exchange;
use crate::link::messages::Report;
use crate::link::options::ProbeOptions;
use crate::link::reports::{ProbeReport, SweepResult};

/// Echo tests at the start of a probe; they cost the meter nothing.
const ECHO_TESTS: u32 = 3;

#[derive(Debug)]
enum Phase {
    /// Echo tests, this many done.
    Echo(u32),
    /// Asking for the serial number until the eye wakes.
    Wake(WakeUp),
    /// Asking for the meter's type.
    Type,
    /// Trying the sweep's line settings, this many done.
    Sweep(usize),
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

/// The link check; see the module documentation.
#[derive(Debug)]
pub(crate) struct Probe {
    options: ProbeOptions,
    phase: Phase,
    serial: Option<u32>,
    meter_type: Option<MeterType>,
    findings: Option<Findings>,
    sweep: Vec<SweepResult>,
}

impl Probe {
    pub fn new(options: ProbeOptions) -> Self {
        Self {
            options,
            phase: Phase::Echo(0),
            serial: None,
            meter_type: None,
            findings: None,
            sweep: Vec::new(),
        }
    }

    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        let result = match input {
            Input::Start => {
                *self = Self::new(self.options);
                return Step::exchange(Exchange::EchoTest, Attempts::One);
            }
            Input::Exchanged(result) => result,
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
                let mut wake = WakeUp::new(Request::GetSerialNo, self.options.wait);
                let step = wake.step(cx.now.instant);
                self.phase = Phase::Wake(wake);
                step
            }
            Phase::Wake(wake) => match wake.handle(result, cx) {
                Woken::Answered(Response::SerialNo(serial)) => {
                    self.serial = Some(serial);
                    self.phase = Phase::Type;
                    Step::exchange(Exchange::Request(Request::GetType), Attempts::Configured)
                }
                Woken::Again => wake.step(cx.now.instant),
                Woken::Answered(_) | Woken::GaveUp(_) => self.identified(cx),
            },
            Phase::Type => {
                if let Ok(Response::Type(meter_type)) = result {
                    self.meter_type = Some(meter_type);
                }
                self.identified(cx)
            }
            Phase::Sweep(done) => {
                if let Some(&line) = candidates(cx.line).get(*done) {
                    self.sweep.push(SweepResult {
                        line,
                        answered: result.is_ok(),
                    });
                }
                *done += 1;
                self.sweep_step(cx)
            }
        }
    }

    /// The meter told who it is, or was given up on: note the findings, then sweep or finish.
    fn identified(&mut self, cx: &mut Cx<'_>) -> Step {
        self.findings = Some(findings(cx));
        if !self.options.sweep {
            return Step::Done(Some(Report::Probe(self.report(cx, false))));
        }
        self.phase = Phase::Sweep(0);
        self.sweep_step(cx)
    }

    fn sweep_step(&mut self, cx: &mut Cx<'_>) -> Step {
        let Phase::Sweep(done) = self.phase else {
            return Step::Done(Some(Report::Probe(self.report(cx, false))));
        };
        match candidates(cx.line).get(done) {
            Some(&line) => Step::Exchange {
                exchange: Exchange::Request(Request::GetSerialNo),
                attempts: Attempts::Configured,
                line: Some(line),
            },
            None => Step::Done(Some(Report::Probe(self.report(cx, false)))),
        }
    }

    /// The report of what was found; `interrupted` when the probe ended before it was through.
    pub fn report(&self, cx: &Cx<'_>, interrupted: bool) -> ProbeReport {
        let findings = self.findings.clone().unwrap_or_else(|| findings(cx));
        ProbeReport {
            port: cx.port.to_string(),
            line: cx.line,
            echo: findings.echo,
            echo_clean: findings.echo_clean,
            answered: self.serial.is_some(),
            seconds_to_first_answer: findings.seconds_to_first_answer,
            serial: self.serial,
            meter_type: self.meter_type,
            diagnosis: findings.diagnosis,
            sweep: self.sweep.clone(),
            interrupted,
        }
    }
}

fn findings(cx: &Cx<'_>) -> Findings {
    let evidence = cx.evidence;
    let echo = evidence.echoes_seen > 0;
    Findings {
        echo,
        echo_clean: echo && evidence.echoes_clean == evidence.echoes_seen,
        seconds_to_first_answer: match (evidence.first_request_at, evidence.first_answer_at) {
            (Some(request), Some(answer)) => {
                Some(answer.saturating_duration_since(request).as_secs_f64())
            }
            _ => None,
        },
        diagnosis: diagnose(evidence, cx.now.instant),
    }
}

/// The line settings the sweep tries: the link's own, 2400 and 9600 baud, and one stop bit.
fn candidates(home: LineSettings) -> [LineSettings; 4] {
    [
        home,
        LineSettings { baud: 2400, ..home },
        LineSettings { baud: 9600, ..home },
        LineSettings {
            stop_bits: 1,
            parity: Parity::None,
            ..home
        },
    ]
}
