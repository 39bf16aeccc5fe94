//! Asking a meter in a text protocol: the tries of the protocols asked for, in order (those at
//! the settings that answered before first), one attempt each, round after round until the wait
//! is over; a mode C meter is followed to the rate it offers. The link check finds out the
//! protocol with it; the readout reads the meter with it.

use std::time::{Duration, Instant};

use crate::iec::{Identification, Mode};
use crate::model::TextReading;

use super::step::{Cx, ExchangeResult, Step};
use crate::line::LineSettings;
use crate::link::engine::{Answer, Exchange, ExchangeFailure};
use crate::link::messages::JobEvent;
use crate::protocol::Protocol;

/// One way of asking a meter in a text protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextTry {
    /// The protocol.
    pub protocol: Protocol,
    /// What is sent.
    pub exchange: Exchange,
    /// The settings it is sent at.
    pub line: LineSettings,
    /// The settings its answer comes at.
    pub answer_line: LineSettings,
}

/// The text protocols the link check tries after KMP, in order (docs/protocols.md §7): the IEC
/// sign-on at 300 baud 7E1 (the standard) and 7E2 (older Kamstrup meters), then `/#1` at 7E2
/// and 7E1, whose answer comes at 1200 baud.
pub const TEXT_TRIES: [TextTry; 4] = [
    TextTry {
        protocol: Protocol::Iec,
        exchange: Exchange::SignOn,
        line: LineSettings::iec(1),
        answer_line: LineSettings::iec(1),
    },
    TextTry {
        protocol: Protocol::Iec,
        exchange: Exchange::SignOn,
        line: LineSettings::iec(2),
        answer_line: LineSettings::iec(2),
    },
    TextTry {
        protocol: Protocol::Mc66,
        exchange: Exchange::Mc66,
        line: LineSettings::iec(2),
        answer_line: LineSettings::iec(2).at(1200),
    },
    TextTry {
        protocol: Protocol::Mc66,
        exchange: Exchange::Mc66,
        line: LineSettings::iec(1),
        answer_line: LineSettings::iec(1).at(1200),
    },
];

/// A text protocol that answered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TextFound {
    /// The protocol.
    pub protocol: Protocol,
    /// The IEC identification.
    pub identification: Option<Identification>,
    /// The settings of the try that answered: where to ask next time.
    pub asked_at: LineSettings,
    /// The settings the answer came at: the readout's after a mode C switch.
    pub line: LineSettings,
    /// The values; `None` when a mode C meter identified itself and its readout never came.
    pub readings: Option<Vec<TextReading>>,
    /// Why that readout never came.
    pub failure: Option<ExchangeFailure>,
}

/// What came of a step of the search.
#[derive(Debug)]
pub(crate) enum Searched {
    /// Ask this next.
    Next(Step),
    /// A protocol answered.
    Found(TextFound),
    /// Nothing answered before the wait was over; the last failure.
    GaveUp(Option<ExchangeFailure>),
}

#[derive(Clone, Debug)]
struct Selecting {
    identification: Identification,
    tried: TextTry,
    rate: LineSettings,
}

/// The search; see the module documentation.
#[derive(Debug)]
pub(crate) struct TextSearch {
    tries: Vec<TextTry>,
    wait: Duration,
    index: usize,
    began: Option<Instant>,
    selecting: Option<Selecting>,
    last_failure: Option<ExchangeFailure>,
}

impl TextSearch {
    /// A search among the text protocols (`protocol`, or all of them), trying those asked at
    /// `first` before the others, going round again until `wait` has passed since the first try
    /// (one round at least).
    pub fn new(protocol: Option<Protocol>, first: Option<LineSettings>, wait: Duration) -> Self {
        let mut tries: Vec<TextTry> = TEXT_TRIES
            .into_iter()
            .filter(|tried| protocol.is_none_or(|asked| asked == tried.protocol))
            .collect();
        if let Some(first) = first {
            // A stable sort keeps the usual order among the rest.
            tries.sort_by_key(|tried| tried.line != first);
        }
        Self {
            tries,
            wait,
            index: 0,
            began: None,
            selecting: None,
            last_failure: None,
        }
    }

    /// One try of the standard's sign-on at 300 7E1, with the short wait of the link check's
    /// early round.
    pub fn standard_sign_on() -> Self {
        Self {
            tries: vec![TextTry {
                exchange: Exchange::SignOnQuick,
                ..TEXT_TRIES[0]
            }],
            ..Self::new(None, None, Duration::ZERO)
        }
    }

    /// The first try.
    pub fn start(&mut self, now: Instant) -> Searched {
        self.began = Some(now);
        self.index = 0;
        self.ask()
    }

    fn ask(&self) -> Searched {
        match self.tries.get(self.index) {
            Some(tried) => {
                let answer_line = (tried.answer_line != tried.line).then_some(tried.answer_line);
                Searched::Next(Step::exchange_on(tried.exchange, tried.line, answer_line))
            }
            None => Searched::GaveUp(self.last_failure),
        }
    }

    /// Takes the result of the step asked for.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Searched {
        if let Some(selecting) = self.selecting.take() {
            return Searched::Found(selected(selecting, result));
        }
        let Some(&tried) = self.tries.get(self.index) else {
            return Searched::GaveUp(self.last_failure);
        };
        match result {
            Ok(Answer::SignedOn {
                identification,
                readout,
            }) => match (identification.mode(), readout) {
                (Mode::C(baud), None) => {
                    let rate = tried.line.at(baud);
                    let step = Step::exchange_on(
                        Exchange::ReadoutAt(identification.baud_character),
                        tried.line,
                        Some(rate),
                    );
                    self.selecting = Some(Selecting {
                        identification,
                        tried,
                        rate,
                    });
                    Searched::Next(step)
                }
                (_, readout) => Searched::Found(TextFound {
                    protocol: Protocol::Iec,
                    identification: Some(identification),
                    asked_at: tried.line,
                    line: tried.answer_line,
                    failure: readout.is_none().then_some(ExchangeFailure::Silence),
                    readings: readout.as_ref().map(TextReading::from_readout),
                }),
            },
            Ok(Answer::Mc66(answer)) => Searched::Found(TextFound {
                protocol: Protocol::Mc66,
                identification: None,
                asked_at: tried.line,
                line: tried.answer_line,
                readings: Some(TextReading::from_mc66(&answer)),
                failure: None,
            }),
            Ok(_) => self.next(None, cx),
            Err(failure) => self.next(Some(failure), cx),
        }
    }

    /// The next try, or the first again while there is time.
    fn next(&mut self, failure: Option<ExchangeFailure>, cx: &mut Cx<'_>) -> Searched {
        self.last_failure = failure.or(self.last_failure);
        self.index += 1;
        if self.index >= self.tries.len() {
            let began = *self.began.get_or_insert(cx.now.instant);
            let waited = cx.now.instant.saturating_duration_since(began);
            if waited >= self.wait {
                return Searched::GaveUp(self.last_failure);
            }
            cx.emit(JobEvent::Waiting {
                left: self.wait - waited,
            });
            self.index = 0;
        }
        self.ask()
    }
}

/// What came of the option select of a mode C meter: it speaks IEC either way; the readout
/// came at the rate it offered, or the answer is its identification at the sign-on's settings.
fn selected(selecting: Selecting, result: ExchangeResult) -> TextFound {
    let Selecting {
        identification,
        tried,
        rate,
    } = selecting;
    let found = TextFound {
        protocol: Protocol::Iec,
        identification: Some(identification),
        asked_at: tried.line,
        line: tried.line,
        readings: None,
        failure: None,
    };
    match result {
        Ok(Answer::Readout(readout)) => TextFound {
            line: rate,
            readings: Some(TextReading::from_readout(&readout)),
            ..found
        },
        Ok(_) => TextFound {
            failure: Some(ExchangeFailure::Silence),
            ..found
        },
        Err(failure) => TextFound {
            failure: Some(failure),
            ..found
        },
    }
}
