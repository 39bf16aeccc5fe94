//! The address search: when KMP gets no answer at the link's address, GetSerialNo is asked at
//! the addresses Kamstrup gives its meter and logger modules (docs/protocols.md §6: 0x3F the meter,
//! 0x7F the logger top module, 0xBF the base module), and on request at every address 0–255,
//! one attempt each. The first address that answers is the meter's.

use std::collections::VecDeque;

use crate::kmp::{Request, Response};

use super::step::ExchangeResult;
use crate::link::engine::{Answer, Exchange};

/// The addresses meters and logger modules answer at, asked first.
pub const KNOWN_ADDRESSES: [u8; 3] = [0x3F, 0x7F, 0xBF];

/// What came of one attempt.
#[derive(Debug)]
pub(crate) enum AddressAsked {
    /// No answer yet: ask this next, one attempt.
    Next(Exchange),
    /// The meter answered at this address, with its serial number.
    Found {
        /// The address.
        address: u8,
        /// The serial number it gave.
        serial: u32,
    },
    /// No address answered.
    NoneAnswered,
}

/// The search; see the module documentation.
#[derive(Debug)]
pub(crate) struct AddressSearch {
    left: VecDeque<u8>,
    /// The address asked last.
    asking: Option<u8>,
}

impl AddressSearch {
    /// A search past `set`, the link's own address (already asked): the known addresses, then,
    /// with `every`, all the others from 0 to 255.
    pub fn new(set: u8, every: bool) -> Self {
        let mut left = VecDeque::new();
        let all = every.then_some(0..=u8::MAX).into_iter().flatten();
        for address in KNOWN_ADDRESSES.into_iter().chain(all) {
            if address != set && !left.contains(&address) {
                left.push_back(address);
            }
        }
        Self { left, asking: None }
    }

    /// The first exchange (one attempt), or `None` when there is no address to ask.
    pub fn start(&mut self) -> Option<Exchange> {
        self.next()
    }

    fn next(&mut self) -> Option<Exchange> {
        let address = self.left.pop_front()?;
        self.asking = Some(address);
        Some(Exchange::RequestAt {
            request: Request::GetSerialNo,
            address,
        })
    }

    /// Takes the result of the attempt asked last.
    pub fn handle(&mut self, result: &ExchangeResult) -> AddressAsked {
        if let (Ok(Answer::Kmp(Response::SerialNo(serial))), Some(address)) = (result, self.asking)
        {
            return AddressAsked::Found {
                address,
                serial: *serial,
            };
        }
        self.next()
            .map_or(AddressAsked::NoneAnswered, AddressAsked::Next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::engine::ExchangeFailure;

    fn asked(exchange: &Exchange) -> u8 {
        match exchange {
            Exchange::RequestAt { address, .. } => *address,
            other => panic!("not an address asked: {other:?}"),
        }
    }

    #[test]
    fn the_known_addresses_are_asked_but_the_one_already_asked() {
        let mut search = AddressSearch::new(0x3F, false);
        let mut seen = vec![asked(&search.start().unwrap())];
        let silence = Err(ExchangeFailure::EchoOnly { clean: true });
        while let AddressAsked::Next(step) = search.handle(&silence) {
            seen.push(asked(&step));
        }
        assert_eq!(seen, [0x7F, 0xBF]);
    }

    #[test]
    fn every_address_is_asked_once_known_ones_first() {
        let mut search = AddressSearch::new(0x7F, true);
        let mut seen = vec![asked(&search.start().unwrap())];
        while let AddressAsked::Next(step) = search.handle(&Err(ExchangeFailure::Silence)) {
            seen.push(asked(&step));
        }
        assert_eq!(seen[..2], [0x3F, 0xBF]);
        assert_eq!(seen.len(), 255, "all but the one already asked");
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 255, "each once");
        assert!(!seen.contains(&0x7F));
    }

    #[test]
    fn the_address_that_answers_is_the_meters() {
        let mut search = AddressSearch::new(0x3F, false);
        search.start();
        let answer = Ok(Answer::Kmp(Response::SerialNo(71_234_567)));
        assert!(matches!(
            search.handle(&answer),
            AddressAsked::Found {
                address: 0x7F,
                serial: 71_234_567
            }
        ));
    }
}
