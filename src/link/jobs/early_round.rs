//! The link check's early round. Once the meter has let one request at the link's address go
//! unanswered, and before the wait for a waking eye goes on, the check asks what costs little
//! and names at once a meter that is awake but not where KMP was asked: GetSerialNo at the
//! other known addresses (the logger modules' 0x7F and 0xBF), then, when no protocol was named,
//! the IEC 62056-21 sign-on at the standard's 300 7E1. Against a KMP meter that takes about
//! 2.6 s at 1200 baud: a MULTICAL 21 or flowIQ whose magnet was placed as the link opened wakes
//! about 4 s later, and is asked again before then. The other text protocols, and the other
//! addresses when all are asked, wait until the wake-up is over.

use super::address_search::{AddressAsked, AddressSearch};
use super::step::{Attempts, Cx, ExchangeResult, Step};
use super::text_search::{Searched, TextFound, TextSearch};

/// What came of a step of the round.
#[derive(Debug)]
pub(crate) enum EarlyAsked {
    /// Ask this next.
    Next(Step),
    /// A KMP meter answered at this other address, with its serial number.
    KmpAt {
        /// The address.
        address: u8,
        /// Its serial number.
        serial: u32,
    },
    /// A meter answered the sign-on.
    Text(TextFound),
    /// Nothing answered: back to waiting for the eye.
    Nothing,
}

/// The round; see the module documentation.
#[derive(Debug)]
pub(crate) struct EarlyRound {
    addresses: AddressSearch,
    /// The sign-on, once the addresses are through; `None` before, and when KMP was named.
    text: Option<TextSearch>,
    with_text: bool,
}

impl EarlyRound {
    /// A round past `set`, the address already asked; `with_text` adds the sign-on.
    pub fn new(set: u8, with_text: bool) -> Self {
        Self {
            addresses: AddressSearch::new(set, false),
            text: None,
            with_text,
        }
    }

    /// The first step.
    pub fn start(&mut self, cx: &mut Cx<'_>) -> EarlyAsked {
        match self.addresses.start() {
            Some(exchange) => EarlyAsked::Next(Step::exchange(exchange, Attempts::One)),
            None => self.sign_on(cx),
        }
    }

    /// Takes the result of the step asked for.
    pub fn handle(&mut self, result: ExchangeResult, cx: &mut Cx<'_>) -> EarlyAsked {
        if let Some(text) = &mut self.text {
            return text.handle(result, cx).into();
        }
        match self.addresses.handle(&result) {
            AddressAsked::Next(exchange) => {
                EarlyAsked::Next(Step::exchange(exchange, Attempts::One))
            }
            AddressAsked::Found { address, serial } => EarlyAsked::KmpAt { address, serial },
            AddressAsked::NoneAnswered => self.sign_on(cx),
        }
    }

    fn sign_on(&mut self, cx: &mut Cx<'_>) -> EarlyAsked {
        if !self.with_text {
            return EarlyAsked::Nothing;
        }
        let text = self.text.insert(TextSearch::standard_sign_on());
        text.start(cx.now.instant).into()
    }
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
