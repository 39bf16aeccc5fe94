//! The link check's early round. Once the meter has let one request at the link's address go
//! unanswered, and before the wait for a waking eye goes on, the check asks what costs little
//! and names at once a meter that is awake but not where KMP was asked: GetSerialNo at the
//! logger top module's 0x7F; when no protocol was named, the IEC 62056-21 sign-on and `/#1` with
//! their short waits ([`TextSearch::quick`]), asked with two stop bits and heard with one, each
//! followed by GetSerialNo at the link's address again; then the base module's 0xBF; and, where
//! the port can change its settings, GetSerialNo at 2400 and 9600 baud and, when no protocol was
//! named, listening at 9600 8N1 for a meter that pushes SML or mode D text unasked (2.5 s, or
//! 5 s once a telegram has begun, until two are whole).
//!
//! An eye that wakes during the round is answered at most about 2 s late (just missed by a
//! request, it waits through `/#1`, which costs 1.6 s: the meter answers only after changing its
//! baud rate). A MULTICAL 21 or flowIQ whose magnet was placed as the link opened wakes about 4 s
//! later, as `/#1` ends, and the request after it is answered (docs/protocols.md §7).

use std::collections::VecDeque;

use crate::kmp::{Request, Response};
use crate::line::LineSettings;
use crate::link::engine::{Answer, Exchange};

use super::address_search::KNOWN_ADDRESSES;
use super::step::{Attempts, Cx, ExchangeResult, Step};
use super::text_search::{LISTEN, MC66, SIGN_ON, Searched, TextFound, TextSearch, TextTry};

/// What came of a step of the round.
#[derive(Debug)]
pub(crate) enum EarlyAsked {
    /// Ask this next.
    Next(Step),
    /// A KMP meter answered at this address (another one, or the link's own as its eye woke),
    /// with its serial number.
    KmpAt {
        /// The address.
        address: u8,
        /// Its serial number.
        serial: u32,
    },
    /// A KMP meter answered at the link's address at other line settings, with its serial
    /// number.
    KmpOn {
        /// The settings.
        line: LineSettings,
        /// Its serial number.
        serial: u32,
    },
    /// A meter answered a text protocol, or pushed telegrams while the round listened.
    Text(TextFound),
    /// Nothing answered: back to waiting for the eye.
    Nothing,
}

/// One try of the round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Try {
    /// GetSerialNo at this address.
    Kmp(u8),
    /// GetSerialNo at the link's address at these settings.
    Line(LineSettings),
    /// The quick form of a text try.
    Text(TextTry),
}

/// The round; see the module documentation.
#[derive(Debug)]
pub(crate) struct EarlyRound {
    set: u8,
    left: VecDeque<Try>,
    /// The try under way, and the search that asks it when it is a text protocol.
    asking: Option<(Try, Option<TextSearch>)>,
}

impl EarlyRound {
    /// A round past `set`, the address already asked; `with_text` adds the text protocols, and
    /// `home`, the link's own settings where the port can change them, the other baud rates KMP
    /// eyes use.
    pub fn new(set: u8, with_text: bool, home: Option<LineSettings>) -> Self {
        let mut others = KNOWN_ADDRESSES
            .into_iter()
            .filter(|&address| address != set)
            .map(Try::Kmp);
        // The first other address costs what asking KMP again does; each text try is followed
        // by KMP at the link's address.
        let mut left: VecDeque<Try> = others.next().into_iter().collect();
        if with_text {
            for tried in [SIGN_ON, MC66] {
                left.extend([Try::Text(tried), Try::Kmp(set)]);
            }
        }
        left.extend(others);
        for line in home.into_iter().flat_map(other_bauds) {
            left.push_back(Try::Line(line));
        }
        if home.is_some() && with_text {
            left.push_back(Try::Text(LISTEN));
        }
        Self {
            set,
            left,
            asking: None,
        }
    }

    /// The first step.
    pub fn start(&mut self, cx: &mut Cx<'_>) -> EarlyAsked {
        self.next(cx)
    }

    /// Takes the result of the step asked for.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> EarlyAsked {
        match &mut self.asking {
            Some((_, Some(search))) => match search.handle(result, cx) {
                Searched::GaveUp(_) => self.next(cx),
                searched => searched.into(),
            },
            Some((tried @ (Try::Kmp(_) | Try::Line(_)), None)) => match (*tried, result) {
                (Try::Kmp(address), Ok(Answer::Kmp(Response::SerialNo(serial)))) => {
                    EarlyAsked::KmpAt { address, serial }
                }
                (Try::Line(line), Ok(Answer::Kmp(Response::SerialNo(serial)))) => {
                    EarlyAsked::KmpOn { line, serial }
                }
                _ => self.next(cx),
            },
            _ => self.next(cx),
        }
    }

    /// Asks the next try, or gives up when none is left.
    fn next(&mut self, cx: &mut Cx<'_>) -> EarlyAsked {
        let Some(tried) = self.left.pop_front() else {
            self.asking = None;
            return EarlyAsked::Nothing;
        };
        match tried {
            Try::Kmp(address) => {
                self.asking = Some((tried, None));
                let request = Request::GetSerialNo;
                let exchange = if address == self.set {
                    Exchange::Request(request)
                } else {
                    Exchange::RequestAt { request, address }
                };
                EarlyAsked::Next(Step::exchange(exchange, Attempts::One))
            }
            Try::Line(line) => {
                self.asking = Some((tried, None));
                EarlyAsked::Next(Step::exchange_on(
                    Exchange::Request(Request::GetSerialNo),
                    line,
                    None,
                ))
            }
            Try::Text(text) => {
                let mut search = TextSearch::quick([text]).timing_pushes();
                let searched = search.start(cx.now.instant);
                self.asking = Some((tried, Some(search)));
                match searched {
                    Searched::GaveUp(_) => self.next(cx),
                    searched => searched.into(),
                }
            }
        }
    }
}

/// The other baud rates a KMP eye may use (electricity meters at 2400 or 9600, docs/protocols.md
/// §2), at `home`'s framing.
fn other_bauds(home: LineSettings) -> impl Iterator<Item = LineSettings> {
    [2400, 9600]
        .into_iter()
        .filter(move |&baud| baud != home.baud)
        .map(move |baud| LineSettings { baud, ..home })
}

impl From<Searched> for EarlyAsked {
    fn from(searched: Searched) -> Self {
        match searched {
            Searched::Next(step) => Self::Next(step),
            Searched::Found(found) => Self::Text(found),
            Searched::GaveUp(_) => Self::Nothing,
        }
    }
}
