//! The Telnet and COM-PORT-OPTION codec against RFC 2217's message layouts and a real server's
//! greeting.

use super::*;
use proptest::prelude::*;

#[test]
fn commands_are_laid_out_as_rfc_2217_gives_them() {
    // SET-BAUDRATE's value is four bytes, network order: 9600 is 00 00 25 80.
    assert_eq!(
        Command::SetBaud(9600).encode(),
        [IAC, SB, 44, 1, 0x00, 0x00, 0x25, 0x80, IAC, SE]
    );
    assert_eq!(
        Command::SetDataSize(7).encode(),
        [IAC, SB, 44, 2, 7, IAC, SE]
    );
    // Parity: 1 none, 2 odd, 3 even.
    assert_eq!(
        Command::SetParity(Parity::Even).encode(),
        [IAC, SB, 44, 3, 3, IAC, SE]
    );
    // Stop size: 1 one, 2 two.
    assert_eq!(
        Command::SetStopBits(2).encode(),
        [IAC, SB, 44, 4, 2, IAC, SE]
    );
    // Control: 1 no flow control, 8/9 DTR on/off, 11/12 RTS on/off.
    assert_eq!(
        Command::SetControl(Control::DtrOn).encode(),
        [IAC, SB, 44, 5, 8, IAC, SE]
    );
    assert_eq!(
        Command::SetControl(Control::RtsOff).encode(),
        [IAC, SB, 44, 5, 12, IAC, SE]
    );
    assert_eq!(
        Command::SetControl(Control::NoFlowControl).encode(),
        [IAC, SB, 44, 5, 1, IAC, SE]
    );
    // PURGE-DATA 1: the access server's receive buffer.
    assert_eq!(
        Command::PurgeReceived.encode(),
        [IAC, SB, 44, 12, 1, IAC, SE]
    );
}

#[test]
fn a_255_inside_a_command_value_is_doubled() {
    // 65,280 baud is 00 00 FF 00.
    assert_eq!(
        Command::SetBaud(65_280).encode(),
        [IAC, SB, 44, 1, 0, 0, IAC, IAC, 0, IAC, SE]
    );
    let mut telnet = Telnet::new();
    let received = telnet.receive(&[IAC, SB, 44, 101, 0, 0, IAC, IAC, 0, IAC, SE]);
    assert_eq!(received.events, [Event::Reply(Reply::Baud(65_280))]);
}

#[test]
fn the_servers_answers_are_its_command_plus_100() {
    let mut telnet = Telnet::new();
    let received = telnet.receive(&[
        IAC, SB, 44, 101, 0, 0, 0x04, 0xB0, IAC, SE, // 1200 baud
        IAC, SB, 44, 102, 7, IAC, SE, // 7 data bits
        IAC, SB, 44, 103, 3, IAC, SE, // even parity
        IAC, SB, 44, 104, 1, IAC, SE, // one stop bit
        IAC, SB, 44, 106, 0x10, IAC, SE, // line state: break detected
    ]);
    assert_eq!(
        received.events,
        [
            Event::Reply(Reply::Baud(1200)),
            Event::Reply(Reply::DataSize(7)),
            Event::Reply(Reply::Parity(Some(Parity::Even))),
            Event::Reply(Reply::StopBits(1)),
            Event::Reply(Reply::LineState(0x10)),
        ]
    );
    assert!(received.data.is_empty() && received.reply.is_empty());
}

/// What ser2net 4.3 sends when a client connects to its `telnet(rfc2217)` accepter.
const SER2NET_GREETING: [u8; 21] = [
    IAC, WILL, SGA, IAC, DO, SGA, IAC, WILL, ECHO, IAC, DONT, ECHO, IAC, DO, BINARY, IAC, WILL,
    BINARY, IAC, DO, 44,
];

#[test]
fn a_servers_greeting_after_our_opening_needs_only_the_refusal_of_echo() {
    let mut telnet = Telnet::new();
    let opening = telnet.opening();
    assert_eq!(
        opening,
        [
            IAC, WILL, BINARY, IAC, WILL, SGA, IAC, WILL, 44, IAC, DO, BINARY, IAC, DO, SGA
        ]
    );
    let received = telnet.receive(&SER2NET_GREETING);
    assert_eq!(received.reply, [IAC, DONT, ECHO]);
    assert_eq!(received.events, [Event::ComPortAccepted]);
    assert!(telnet.com_port());
}

#[test]
fn a_greeting_before_our_opening_is_answered_option_by_option() {
    let mut telnet = Telnet::new();
    let received = telnet.receive(&SER2NET_GREETING);
    assert_eq!(
        received.reply,
        [
            IAC, DO, SGA, IAC, WILL, SGA, IAC, DONT, ECHO, IAC, WILL, BINARY, IAC, DO, BINARY, IAC,
            WILL, 44
        ]
    );
    // The same requests again change nothing, so nothing is answered: no loop.
    let again = telnet.receive(&[IAC, DO, BINARY, IAC, WILL, BINARY, IAC, DO, 44]);
    assert!(again.reply.is_empty(), "{:?}", again.reply);
}

#[test]
fn options_the_client_does_not_know_are_refused_and_a_refused_com_port_is_reported() {
    let mut telnet = Telnet::new();
    telnet.opening();
    // Terminal type (24) asked of us, NAWS (31) offered.
    let received = telnet.receive(&[IAC, DO, 24, IAC, WILL, 31]);
    assert_eq!(received.reply, [IAC, WONT, 24, IAC, DONT, 31]);
    let refused = telnet.receive(&[IAC, DONT, 44]);
    assert_eq!(refused.reply, [IAC, WONT, 44]);
    assert_eq!(refused.events, [Event::ComPortRefused]);
    assert!(!telnet.com_port());
}

#[test]
fn data_around_commands_comes_through_in_order() {
    let mut telnet = Telnet::new();
    let received = telnet.receive(&[
        0x40, 0x3F, IAC, NOP, 0x10, IAC, SB, 44, 107, 0x30, IAC, SE, IAC, IAC, 0x0D,
    ]);
    assert_eq!(received.data, [0x40, 0x3F, 0x10, 0xFF, 0x0D]);
    assert_eq!(received.events, [Event::Reply(Reply::ModemState(0x30))]);
}

/// Telnet's no-operation command.
const NOP: u8 = 241;

#[test]
fn an_endless_subnegotiation_is_dropped_not_kept() {
    let mut telnet = Telnet::new();
    let mut bytes = vec![IAC, SB, 44, 200];
    bytes.extend(std::iter::repeat_n(7, 10_000));
    bytes.extend([IAC, SE, 0x42]);
    let received = telnet.receive(&bytes);
    assert_eq!(received.events, [Event::Oversized]);
    assert_eq!(received.data, [0x42]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Any bytes escaped by the client come out of a receiver unchanged, however the network
    /// splits them.
    #[test]
    fn iac_escaping_round_trips_in_any_split(
        bytes in prop::collection::vec(prop::sample::select(vec![0u8, 0x0D, 0x40, 0x80, 0xF0, 0xFA, 0xFF]), 0..200),
        cut in any::<prop::sample::Index>(),
    ) {
        let wire = encode_data(&bytes);
        let at = cut.index(wire.len() + 1);
        let mut telnet = Telnet::new();
        let mut data = telnet.receive(&wire[..at]).data;
        let rest = telnet.receive(&wire[at..]);
        data.extend(rest.data);
        prop_assert_eq!(data, bytes);
        prop_assert!(rest.events.is_empty());
    }

    /// Whatever a server sends, the client never panics, never answers more than it read
    /// could ask for, and passes on no more data than it received.
    #[test]
    fn any_bytes_from_a_server_are_taken_without_a_panic(
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..8),
    ) {
        let mut telnet = Telnet::new();
        telnet.opening();
        let (mut read, mut data, mut replies) = (0, 0, 0);
        for chunk in chunks {
            let received = telnet.receive(&chunk);
            read += chunk.len();
            data += received.data.len();
            replies += received.reply.len();
            prop_assert!(data <= read);
            // At most one three-byte answer for each three-byte negotiation.
            prop_assert!(replies <= read);
        }
    }
}
