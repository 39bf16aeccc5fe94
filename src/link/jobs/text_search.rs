//! Asking a meter in a text protocol: the tries of the protocols asked for, in order (those at
//! the settings that answered before first), one attempt each, round after round until the wait
//! is over; a mode C meter is followed to the rate it offers. The link check finds out the
//! protocol with it; the readout reads the meter with it.

use std::time::{Duration, Instant};

use crate::iec::{Identification, Mode};
use crate::model::TextReading;

use super::step::{Cx, ExchangeResult, Step};
use crate::line::LineSettings;
use crate::link::engine::{Answer, Exchange, ExchangeFailure, Telegram, TelegramBody};
use crate::link::messages::JobEvent;
use crate::protocol::Protocol;

/// One way of asking a meter in a text protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextTry {
    /// What is sent.
    pub exchange: Exchange,
    /// The settings it is sent at.
    pub line: LineSettings,
    /// The settings its answer comes at.
    pub answer_line: LineSettings,
}

/// The IEC 62056-21 sign-on (docs/protocols.md §7). Sent with two stop bits and its answer read
/// with one: every meter, whichever stop bits it wants, reads a request sent with two (the
/// second is idle line to it), and a receiver that wants one reads an answer sent with either,
/// so one try finds the 7E1 meters (the standard, a 382C) and the 7E2 ones (MULTICAL 41/401,
/// 66C) alike.
pub const SIGN_ON: TextTry = TextTry {
    exchange: Exchange::SignOn,
    line: LineSettings::iec(2),
    answer_line: LineSettings::iec(1),
};

/// `/#1`, sent as the sign-on is; its answer comes at 1200 baud.
pub const MC66: TextTry = TextTry {
    exchange: Exchange::Mc66,
    line: LineSettings::iec(2),
    answer_line: LineSettings::iec(1).at(1200),
};

/// Listening at 9600 8N1 for the next telegram of a meter that pushes unasked: SML, or mode D
/// text, which eight data bits hear whether the meter sends it at 8N1 or 7E1 (the parity bit
/// then comes as bit 7).
pub const LISTEN: TextTry = TextTry {
    exchange: Exchange::Listen { telegrams: 1 },
    line: LineSettings::SML,
    answer_line: LineSettings::SML,
};

/// Listening at the slower rates mode D meters push at (2400 and 300 baud 7E1), after bytes came
/// at 9600 that formed nothing: a receiver faster than the sender makes garbage of each
/// character it hears.
pub const LISTEN_SLOWER: [TextTry; 2] = [
    TextTry {
        exchange: Exchange::Listen { telegrams: 1 },
        line: LineSettings::iec(1).at(2400),
        answer_line: LineSettings::iec(1).at(2400),
    },
    TextTry {
        exchange: Exchange::Listen { telegrams: 1 },
        line: LineSettings::iec(1),
        answer_line: LineSettings::iec(1),
    },
];

/// The tries of the text protocols, in the order the link check makes them after KMP.
pub const TEXT_TRIES: [TextTry; 3] = [SIGN_ON, MC66, LISTEN];

impl TextTry {
    /// Whether a meter that speaks `protocol` may answer this try: listening hears SML and
    /// mode D, which is IEC 62056-21.
    pub fn speaks(&self, protocol: Protocol) -> bool {
        match self.exchange {
            Exchange::Mc66 | Exchange::Mc66Quick => protocol == Protocol::Mc66,
            Exchange::Listen { .. } => matches!(protocol, Protocol::Sml | Protocol::Iec),
            _ => protocol == Protocol::Iec,
        }
    }

    /// The step that sends `exchange` (this try's, or its quick form) as this try does.
    pub fn step(&self, exchange: Exchange) -> Step {
        let answer_line = (self.answer_line != self.line).then_some(self.answer_line);
        Step::exchange_on(exchange, self.line, answer_line)
    }
}

/// A text protocol that answered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TextFound {
    /// The protocol.
    pub protocol: Protocol,
    /// The IEC identification.
    pub identification: Option<Identification>,
    /// When the answer that named the protocol and its settings came whole: a mode A meter's
    /// identification, seconds before its readout at 300 baud has; otherwise the answer's end.
    pub named_at: Instant,
    /// The try that answered (with its full wait): how to ask next time.
    pub tried: TextTry,
    /// The settings the answer came at: the readout's after a mode C switch.
    pub line: LineSettings,
    /// The values; `None` when a mode C meter identified itself and its readout never came.
    pub readings: Option<Vec<TextReading>>,
    /// What was heard of a meter that pushes (SML or mode D); `None` for the others.
    pub pushed: Option<Pushed>,
    /// Why that readout never came.
    pub failure: Option<ExchangeFailure>,
}

impl TextFound {
    /// What the meter is known by: its IEC identification line (a mode D meter's too), or a
    /// pushing meter's SML server ID.
    pub fn known_as(&self) -> Option<String> {
        self.identification
            .as_ref()
            .map(|ident| ident.line.clone())
            .or_else(|| {
                self.pushed
                    .as_ref()
                    .and_then(|pushed| pushed.server_id.clone())
            })
    }
}

/// What was heard of a meter that pushes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pushed {
    /// Its SML server ID, in hex.
    pub server_id: Option<String>,
    /// The time between its first two telegrams, when two came.
    pub interval: Option<Duration>,
    /// Whether its SML CRC comes high byte first, against the standard.
    pub crc_swapped: bool,
    /// Telegrams heard whole: fewer than damaged ones is a head that needs adjusting.
    pub whole: u32,
    /// Telegrams heard failing their checks.
    pub damaged: u32,
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
    /// Whether each try is sent with its short wait ([`Exchange::quick`]).
    quick: bool,
    wait: Duration,
    index: usize,
    began: Option<Instant>,
    selecting: Option<Selecting>,
    last_failure: Option<ExchangeFailure>,
    /// When the try under way began.
    try_began: Option<Instant>,
}

impl TextSearch {
    /// A search among the text protocols (`protocol`, or all of them), trying `first` (the try
    /// that answered before) before the others, going round again until `wait` has passed since
    /// the first try (one round at least).
    pub fn new(protocol: Option<Protocol>, first: Option<TextTry>, wait: Duration) -> Self {
        let tries = TEXT_TRIES
            .into_iter()
            .filter(|tried| protocol.is_none_or(|asked| tried.speaks(asked)));
        Self::of(
            first
                .into_iter()
                .chain(tries.filter(|&tried| Some(tried) != first)),
            wait,
        )
    }

    /// A search of `tries`, in order.
    fn of(tries: impl IntoIterator<Item = TextTry>, wait: Duration) -> Self {
        Self {
            tries: tries.into_iter().collect(),
            quick: false,
            wait,
            index: 0,
            began: None,
            selecting: None,
            last_failure: None,
            try_began: None,
        }
    }

    /// The same search, listening for two telegrams where it listens: the time between them is
    /// the meter's interval, which the link check reports.
    pub fn timing_pushes(mut self) -> Self {
        for tried in &mut self.tries {
            if tried.exchange.listens() {
                tried.exchange = Exchange::Listen { telegrams: 2 };
            }
        }
        self
    }

    /// One round of `tries` with the short waits of the link check's early round: a meter that
    /// reacts within them is named before a waking KMP eye answers.
    pub fn quick(tries: impl IntoIterator<Item = TextTry>) -> Self {
        Self {
            quick: true,
            ..Self::of(tries, Duration::ZERO)
        }
    }

    /// The first try.
    pub fn start(&mut self, now: Instant) -> Searched {
        self.began = Some(now);
        self.try_began = Some(now);
        self.index = 0;
        self.ask()
    }

    fn ask(&self) -> Searched {
        match self.tries.get(self.index) {
            Some(tried) => {
                let exchange = if self.quick {
                    tried.exchange.quick()
                } else {
                    tried.exchange
                };
                Searched::Next(tried.step(exchange))
            }
            None => Searched::GaveUp(self.last_failure),
        }
    }

    /// Takes the result of the step asked for.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> Searched {
        if let Some(selecting) = self.selecting.take() {
            return Searched::Found(selected(selecting, result, cx.now.instant));
        }
        let Some(&tried) = self.tries.get(self.index) else {
            return Searched::GaveUp(self.last_failure);
        };
        match result {
            Ok(Answer::SignedOn {
                identification,
                identified_at,
                readout,
            }) => match (identification.mode(), readout) {
                (Mode::C(baud), None) => {
                    let rate = tried.answer_line.at(baud);
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
                    named_at: identified_at,
                    tried,
                    line: tried.answer_line,
                    failure: readout.is_none().then_some(ExchangeFailure::Silence),
                    pushed: None,
                    readings: readout.as_ref().map(TextReading::from_readout),
                }),
            },
            Ok(Answer::Pushed { telegrams, damaged }) => match telegrams.as_slice() {
                [first, ..] => Searched::Found(pushed(&telegrams, damaged, first, tried)),
                [] => self.next(None, cx),
            },
            Ok(Answer::Mc66(answer)) => Searched::Found(TextFound {
                protocol: Protocol::Mc66,
                identification: None,
                named_at: cx.now.instant,
                tried,
                line: tried.answer_line,
                readings: Some(TextReading::from_mc66(&answer)),
                pushed: None,
                failure: None,
            }),
            Ok(_) => self.next(None, cx),
            Err(failure) => {
                if tried.exchange.listens() && matches!(failure, ExchangeFailure::Garbage { .. }) {
                    self.listen_slower(tried);
                }
                self.next(Some(failure), cx)
            }
        }
    }

    /// After `tried` heard bytes that formed nothing: the slower rates of a pushing meter next,
    /// listening for as many telegrams, unless they are tried already.
    fn listen_slower(&mut self, tried: TextTry) {
        let slower = LISTEN_SLOWER
            .into_iter()
            .filter(|slower| slower.line.baud < tried.line.baud)
            .map(|slower| TextTry {
                exchange: tried.exchange,
                ..slower
            })
            .filter(|slower| !self.tries.contains(slower))
            .collect::<Vec<_>>();
        let at = self.index + 1;
        self.tries.splice(at..at, slower);
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
        self.try_began = Some(cx.now.instant);
        self.ask()
    }

    /// When the try under way (or the one that answered) began: a readout takes from then, not
    /// from the tries that went unanswered before it.
    pub fn try_began(&self) -> Option<Instant> {
        self.try_began
    }
}

/// What was heard of a meter that pushed `telegrams`, the first `first`, and `damaged` ones while
/// `tried` listened.
fn pushed(telegrams: &[Telegram], damaged: u32, first: &Telegram, tried: TextTry) -> TextFound {
    let line = match first.body {
        TelegramBody::ModeD { parity: true, .. } => LineSettings::iec(1).at(tried.answer_line.baud),
        _ => tried.answer_line,
    };
    TextFound {
        protocol: first.protocol(),
        identification: first.identification().cloned(),
        named_at: first.at,
        tried,
        line,
        readings: telegrams.last().map(Telegram::readings),
        pushed: Some(Pushed {
            server_id: first.server_id(),
            interval: telegrams
                .get(1)
                .map(|second| second.at.saturating_duration_since(first.at)),
            crc_swapped: matches!(
                first.body,
                TelegramBody::Sml {
                    crc_swapped: true,
                    ..
                }
            ),
            whole: telegrams.len() as u32,
            damaged,
        }),
        failure: None,
    }
}

/// What came of the option select of a mode C meter, which ended at `now`: it speaks IEC either
/// way; the readout came at the rate it offered, or the answer is its identification at the
/// sign-on's settings.
fn selected(selecting: Selecting, result: ExchangeResult, now: Instant) -> TextFound {
    let Selecting {
        identification,
        tried,
        rate,
    } = selecting;
    let found = TextFound {
        protocol: Protocol::Iec,
        identification: Some(identification),
        named_at: now,
        tried,
        line: tried.answer_line,
        readings: None,
        pushed: None,
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
