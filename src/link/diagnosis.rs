//! From evidence to a diagnosis in plain words: the matrix of PRODUCT.md, "What the link check
//! must tell apart". The probe uses it at its end, the app after every exchange.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::kmp::RegisterId;

use super::engine::{Answer, Attempt, Exchange, ExchangeFailure};
use super::error::LinkError;
use crate::line::LineSettings;
use crate::protocol::Protocol;

/// How long after connecting an echo without an answer still counts as the eye waking up: the
/// MULTICAL 21 and flowIQ eyes answer about 4 s after the magnet is sensed (docs/protocols.md §2).
pub const WAKE_WINDOW: Duration = Duration::from_secs(5);

/// Exchanges that failed in a row after answers, before the meter counts as throttling.
const THROTTLE_AFTER: u32 = 2;

/// What the evidence points to, as the `diagnosis_code` of `probe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisCode {
    /// The meter answers.
    Ok,
    /// The port cannot be opened.
    PortError,
    /// Nothing comes back, not even the echo.
    NoEcho,
    /// The echo comes back; the eye may still be waking up.
    Waking,
    /// The echo comes back, the meter never answers.
    EchoOnly,
    /// Bytes come back that do not form valid frames.
    Garbled,
    /// The meter answered, then went silent.
    Throttled,
}

impl DiagnosisCode {
    /// The code as `probe --json` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::PortError => "port_error",
            Self::NoEcho => "no_echo",
            Self::Waking => "waking",
            Self::EchoOnly => "echo_only",
            Self::Garbled => "garbled",
            Self::Throttled => "throttled",
        }
    }
}

/// A diagnosis: the code, what was seen, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The code.
    pub code: DiagnosisCode,
    /// What the evidence shows, in plain words.
    pub finding: String,
    /// What to do about it.
    pub advice: String,
}

impl Diagnosis {
    /// Finding and advice in one paragraph.
    pub fn text(&self) -> String {
        format!("{} {}", self.finding, self.advice)
    }
}

/// Everything seen on a link since it was opened.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// The port could not be opened, or was lost.
    pub port_error: Option<LinkError>,
    /// When the port was opened.
    pub opened_at: Option<Instant>,
    /// When the user last said the magnet was placed on the meter.
    pub magnet_placed_at: Option<Instant>,
    /// Echo tests sent.
    pub echo_tests: u32,
    /// Attempts (echo tests and requests) in which an echo came back.
    pub echoes_seen: u32,
    /// Attempts in which the echo came back whole and unchanged.
    pub echoes_clean: u32,
    /// Attempts in which the echo came back changed.
    pub echoes_garbled: u32,
    /// Requests sent, retries included.
    pub requests: u32,
    /// Valid answers.
    pub answers: u32,
    /// Answers that failed their CRC or other checks.
    pub bad_frames: u32,
    /// Attempts that got bytes that never formed a frame.
    pub garbage: u32,
    /// Exchanges that failed, in a row, since the last answer.
    pub failed_since_answer: u32,
    /// When the first request went out.
    pub first_request_at: Option<Instant>,
    /// When the first valid answer came.
    pub first_answer_at: Option<Instant>,
    /// Registers the meter left out of its answers: it does not have them.
    pub missing: BTreeSet<RegisterId>,
    /// For a port across a network, the round trip measured as it opened.
    pub network_round_trip: Option<Duration>,
}

impl Evidence {
    /// Evidence of a link opened at `now`.
    pub fn opened(now: Instant) -> Self {
        Self {
            opened_at: Some(now),
            ..Self::default()
        }
    }

    /// Adds one attempt.
    pub fn record_attempt(&mut self, attempt: &Attempt) {
        let echo = attempt.echo_seen;
        self.echoes_seen += u32::from(echo.seen());
        self.echoes_clean += u32::from(echo.clean());
        self.echoes_garbled += u32::from(echo.garbled);
        match attempt.exchange {
            Exchange::EchoTest => {
                self.echo_tests += 1;
                return;
            }
            _ => {
                self.requests += 1;
                self.first_request_at.get_or_insert(attempt.started);
            }
        }
        match &attempt.result {
            Ok(_) => {
                self.answers += 1;
                self.first_answer_at
                    .get_or_insert(attempt.received_at.unwrap_or(attempt.started));
            }
            Err(ExchangeFailure::BadFrame(_) | ExchangeFailure::BadText(_)) => self.bad_frames += 1,
            Err(ExchangeFailure::Garbage { .. }) => self.garbage += 1,
            Err(ExchangeFailure::Silence | ExchangeFailure::EchoOnly { .. }) => {}
        }
    }

    /// Adds the end of one exchange (after its retries).
    pub fn record_done(&mut self, result: &Result<Answer, ExchangeFailure>) {
        if result.is_ok() {
            self.failed_since_answer = 0;
        } else if self.answers > 0 {
            self.failed_since_answer += 1;
        }
    }

    /// The share of requests answered, for the alignment meter.
    pub fn answer_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| f64::from(self.answers) / f64::from(self.requests))
    }
}

/// The diagnosis the evidence supports at `now`.
pub fn diagnose(evidence: &Evidence, now: Instant) -> Diagnosis {
    // The eye wakes after the magnet: placed again, it is given its time again.
    let since_open = evidence
        .opened_at
        .max(evidence.magnet_placed_at)
        .map(|opened| now.saturating_duration_since(opened));
    diagnose_since(evidence, since_open)
}

/// The diagnosis of evidence that no port opened at a known moment gathered (a recording, a
/// port that never opened): the eye is never taken to be still waking.
pub fn timeless(evidence: &Evidence) -> Diagnosis {
    diagnose_since(evidence, None)
}

/// The diagnosis of `evidence` gathered over `since_open` since the port opened.
fn diagnose_since(evidence: &Evidence, since_open: Option<Duration>) -> Diagnosis {
    let mut diagnosis = diagnose_link(evidence, since_open);
    // The waits were widened by the network's round trip: where it is slow, say so, so that a
    // slow network is not taken for a slow meter.
    if let Some(round_trip) = evidence.network_round_trip
        && round_trip >= SLOW_NETWORK
        && diagnosis.code != DiagnosisCode::PortError
    {
        diagnosis.finding.push_str(&format!(
            " The network is slow: a round trip takes {} ms, and the waits for answers were \
             widened by it.",
            round_trip.as_millis()
        ));
    }
    diagnosis
}

/// A network round trip that is worth mentioning: longer than a meter takes to react.
pub const SLOW_NETWORK: Duration = Duration::from_millis(50);

fn diagnose_link(evidence: &Evidence, since_open: Option<Duration>) -> Diagnosis {
    let diagnosis = |code, finding: String, advice: &str| Diagnosis {
        code,
        finding,
        advice: advice.to_string(),
    };
    if let Some(error) = &evidence.port_error {
        return Diagnosis {
            code: DiagnosisCode::PortError,
            finding: format!("{error}."),
            advice: capitalised(&error.advice()),
        };
    }
    if evidence.answers > 0 && evidence.failed_since_answer >= THROTTLE_AFTER {
        return diagnosis(
            DiagnosisCode::Throttled,
            format!(
                "The meter answered {} times, then stopped answering ({} exchanges in a row failed).",
                evidence.answers, evidence.failed_since_answer
            ),
            "Battery meters throttle or fall asleep when polled often: slow the polling down, and \
             place the magnet again to wake the eye.",
        );
    }
    if evidence.answers > 0 {
        let missing = if evidence.missing.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = evidence.missing.iter().map(ToString::to_string).collect();
            format!(
                " Registers {} are not in this meter: they are absent, not errors.",
                ids.join(", ")
            )
        };
        return diagnosis(
            DiagnosisCode::Ok,
            format!(
                "The meter answers ({} of {} requests).{missing}",
                evidence.answers, evidence.requests
            ),
            "Nothing to fix.",
        );
    }
    if evidence.bad_frames > 0 || evidence.garbage > 0 || evidence.echoes_garbled > 0 {
        return diagnosis(
            DiagnosisCode::Garbled,
            format!(
                "Bytes came back that never formed a valid frame ({} failed their checks, {} were noise, {} garbled echoes).",
                evidence.bad_frames, evidence.garbage, evidence.echoes_garbled
            ),
            "Adjust the head while watching the success rate: slide it, turn it 180°, add a spacer, \
             shade it from daylight, or turn the receiver's sensitivity potentiometer; if nothing \
             helps, try 2400 baud.",
        );
    }
    if evidence.echoes_seen > 0 {
        if since_open.is_some_and(|since_open| since_open < WAKE_WINDOW) {
            return diagnosis(
                DiagnosisCode::Waking,
                "The head hears its own transmission, and the meter has not answered yet.".into(),
                "Wait: the optical eye wakes about 4 s after it senses the magnet. Keep the head and magnet in place.",
            );
        }
        if evidence.magnet_placed_at.is_some() {
            return diagnosis(
                DiagnosisCode::EchoOnly,
                format!(
                    "The head hears its own transmission, but the meter never answered ({} \
                     requests), though the magnet was placed.",
                    evidence.requests
                ),
                "The head's receiver may not hear the meter: watch the meter's eye through a phone \
                 camera while requests go out. If it blinks, the meter answers and the head does \
                 not hear it: raise the receiver's sensitivity (its potentiometer), shade the head \
                 from daylight, check the RX wiring and the head's position over the eye. If it \
                 does not blink, turn the magnet over, and look for the meter at another address \
                 (probe --address-sweep, or \"Search every address\").",
            );
        }
        return diagnosis(
            DiagnosisCode::EchoOnly,
            format!(
                "The head hears its own transmission, but the meter never answered ({} requests).",
                evidence.requests
            ),
            "Place the magnet on the meter, then turn it over (polarity matters); press a button on \
             the meter to wake the eye; a meter set to another address than 0x3F is found by \
             probe --address-sweep, or \"Search every address\" on the Link check screen.",
        );
    }
    diagnosis(
        DiagnosisCode::NoEcho,
        "Nothing came back, not even the echo of our own transmission.".into(),
        "Check that the head sits on the meter's eye and the wiring (TX to the LED, RX to the \
         receiver, ground); look at the LED through a phone camera while sending, or hold a mirror \
         to the head: a working head hears itself.",
    )
}

/// The diagnosis when the meter answered `protocol`, one of the text protocols, at `line`;
/// `kmp_tried` when KMP was asked first and got no answer.
pub fn speaks(
    protocol: Protocol,
    identification: Option<&str>,
    (asked_at, line): (LineSettings, LineSettings),
    kmp_tried: bool,
) -> Diagnosis {
    let identified = identification
        .map(|ident| format!("identification /{ident}, "))
        .unwrap_or_default();
    let identified = if asked_at == line {
        identified
    } else {
        format!("{identified}asked at {asked_at}, ")
    };
    let finding = if kmp_tried {
        format!(
            "This meter speaks {protocol}, not KMP; it is read as such ({identified}answering at {line})."
        )
    } else {
        format!("The meter answers {protocol} ({identified}answering at {line}).")
    };
    Diagnosis {
        code: DiagnosisCode::Ok,
        finding,
        advice: "Nothing to fix.".into(),
    }
}

/// What was heard of a meter that pushes, for its diagnosis.
#[derive(Clone, Copy, Debug)]
pub struct Pushing<'a> {
    /// SML, or IEC 62056-21 for mode D.
    pub protocol: Protocol,
    /// Its SML server ID or mode D identification line.
    pub known_as: Option<&'a str>,
    /// Where its telegrams were heard, when known (not from a recording).
    pub line: Option<LineSettings>,
    /// The time between two telegrams, when two came.
    pub interval: Option<Duration>,
    /// Whether it sends energy but no power: locked with its PIN.
    pub pin_locked: bool,
    /// Whether its SML CRC comes high byte first.
    pub crc_swapped: bool,
    /// Telegrams heard whole.
    pub whole: u32,
    /// Telegrams heard failing their checks.
    pub damaged: u32,
}

/// What to do when a pushing meter's telegrams fail their checks.
const ADJUST_FOR_TELEGRAMS: &str = "Adjust the head while watching the success rate: slide it, \
     turn it 180°, add a spacer, shade it from daylight, or turn the receiver's sensitivity \
     potentiometer.";

/// The diagnosis when a meter pushes its telegrams unasked.
pub fn pushes(pushing: &Pushing<'_>) -> Diagnosis {
    let (what, known_as) = match pushing.protocol {
        Protocol::Sml => ("SML", pushing.known_as.map(|id| format!("server ID {id}"))),
        _ => (
            "IEC 62056-21 mode D text",
            pushing
                .known_as
                .map(|ident| format!("identification /{ident}")),
        ),
    };
    let at = pushing.line.map(|line| format!("at {line}"));
    let every = pushing
        .interval
        .map(|interval| format!("a telegram every {:.1} s", interval.as_secs_f64()));
    let known: Vec<String> = [known_as.clone(), at.clone()]
        .into_iter()
        .flatten()
        .collect();
    let known = if known.is_empty() {
        String::new()
    } else {
        format!(" ({})", known.join(", "))
    };
    let all: Vec<String> = [known_as, at, every].into_iter().flatten().collect();
    let all = if all.is_empty() {
        String::new()
    } else {
        format!(" ({})", all.join(", "))
    };
    // As many damaged as whole: a telegram without a check character (mode D) that lost a
    // digit passes, so the whole ones are no proof either.
    if pushing.damaged >= pushing.whole {
        let heard = pushing.whole + pushing.damaged;
        return Diagnosis {
            code: DiagnosisCode::Garbled,
            finding: format!(
                "This meter pushes {what} unasked{known}, but most of its telegrams fail their \
                 checks ({} of {heard}): its values cannot be trusted yet.",
                pushing.damaged
            ),
            advice: ADJUST_FOR_TELEGRAMS.into(),
        };
    }
    let mut finding = format!(
        "This meter pushes {what} unasked{all}; it is read by listening, and a head without a \
         transmitter is enough."
    );
    if pushing.damaged > 0 {
        finding.push_str(&format!(
            " {} of the {} telegrams heard failed their checks: the head is close to losing \
             them.",
            pushing.damaged,
            pushing.whole + pushing.damaged
        ));
    }
    if pushing.crc_swapped {
        finding.push_str(
            " Its CRC comes high byte first, against the standard (as some Holley DTZ541 send \
             it): a reader that checks it strictly drops every telegram.",
        );
    }
    if pushing.pin_locked {
        finding.push_str(
            " It sends its energy registers but not the power (16.7.0): it is locked with its \
             PIN.",
        );
    }
    Diagnosis {
        code: DiagnosisCode::Ok,
        finding,
        advice: if pushing.pin_locked {
            "To see the power, enter the meter's PIN (from the grid operator) with a torch on its \
             eye or its button."
                .into()
        } else if pushing.damaged > 0 {
            ADJUST_FOR_TELEGRAMS.into()
        } else {
            "Nothing to fix.".into()
        },
    }
}

/// The diagnosis when a meter pushes telegrams at `line` that fail their checks: the eye is
/// heard, not cleanly.
pub fn pushes_garbled(line: LineSettings) -> Diagnosis {
    Diagnosis {
        code: DiagnosisCode::Garbled,
        finding: format!(
            "A meter pushes telegrams at {line}, but none came whole: they fail their checks."
        ),
        advice: ADJUST_FOR_TELEGRAMS.into(),
    }
}

/// The diagnosis when the meter answered KMP at `line` and not at the link's own settings `own`.
pub fn kmp_at(line: LineSettings, own: LineSettings) -> Diagnosis {
    Diagnosis {
        code: DiagnosisCode::Ok,
        finding: format!("The meter answers KMP at {line}, not at {own} as set."),
        advice: format!("Read it at {} baud (--baud {}).", line.baud, line.baud),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect::<String>() + ".")
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
