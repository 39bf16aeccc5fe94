//! Telnet with the COM-PORT-OPTION of RFC 2217, sans-IO: what a client of a serial port server
//! (ser2net's `telnet(rfc2217)` accepter, a serial device server) needs to send the line's bytes
//! and set the remote port's line settings and control lines.
//!
//! The Telnet layer (RFC 854): `IAC` (255) starts a command, `IAC IAC` is a data byte 255 both
//! ways; `IAC WILL/WONT/DO/DONT option` negotiate options; `IAC SB option … IAC SE` carries an
//! option's subnegotiation. The client offers and accepts BINARY (RFC 856: bytes pass
//! untranslated, no CR NUL stuffing) and SUPPRESS-GO-AHEAD both ways, offers COM-PORT-OPTION and
//! refuses every other option, answering each request once so that two sides never loop.
//!
//! COM-PORT-OPTION (option 44): the client sends `SB 44 <command> <value> SE`; the server
//! answers with the command plus 100 and the value it set, and notifies line and modem state
//! changes. [`Telnet::receive`] turns the server's bytes into data and [`Event`]s and gives the
//! replies the negotiation needs; [`encode_data`] and [`Command::encode`] build what goes out.
//!
//! ```
//! use kmp_workbench::rfc2217::{Command, Event, Parity, Reply, Telnet, encode_data};
//!
//! let mut telnet = Telnet::new();
//! let mut out = telnet.opening();
//! out.extend(Command::SetBaud(1200).encode());
//! out.extend(encode_data(&[0x80, 0xFF, 0x0D]));
//! assert!(out.ends_with(&[0x80, 0xFF, 0xFF, 0x0D]));
//!
//! // The server agrees to the option, then reports the rate it set and a data byte 255.
//! let received = telnet.receive(&[255, 253, 44, 255, 250, 44, 101, 0, 0, 4, 176, 255, 240, 255, 255]);
//! assert_eq!(received.data, [0xFF]);
//! assert_eq!(received.events, [Event::ComPortAccepted, Event::Reply(Reply::Baud(1200))]);
//! ```

/// Interpret as command.
pub const IAC: u8 = 255;
/// Negotiation: the sender refuses to do, or stops doing, an option.
pub const DONT: u8 = 254;
/// Negotiation: the sender asks the other side to do an option.
pub const DO: u8 = 253;
/// Negotiation: the sender will not do an option.
pub const WONT: u8 = 252;
/// Negotiation: the sender offers to do an option.
pub const WILL: u8 = 251;
/// Start of a subnegotiation.
pub const SB: u8 = 250;
/// End of a subnegotiation.
pub const SE: u8 = 240;

/// Option: binary transmission (RFC 856).
pub const BINARY: u8 = 0;
/// Option: echo (RFC 857); refused, the line's own echo is the meter head's.
pub const ECHO: u8 = 1;
/// Option: suppress go-ahead (RFC 858).
pub const SGA: u8 = 3;
/// Option: the serial port's settings (RFC 2217).
pub const COM_PORT_OPTION: u8 = 44;

/// The longest subnegotiation kept; a server's signature text is the longest there is.
const MAX_SUBNEGOTIATION: usize = 256;

/// A parity setting of the remote port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parity {
    /// No parity bit.
    None,
    /// Odd parity.
    Odd,
    /// Even parity.
    Even,
}

impl Parity {
    fn code(self) -> u8 {
        match self {
            Self::None => 1,
            Self::Odd => 2,
            Self::Even => 3,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::None),
            2 => Some(Self::Odd),
            3 => Some(Self::Even),
            _ => None,
        }
    }
}

/// A control line state the client asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// No flow control (the meters have none).
    NoFlowControl,
    /// DTR on.
    DtrOn,
    /// DTR off.
    DtrOff,
    /// RTS on.
    RtsOn,
    /// RTS off.
    RtsOff,
}

impl Control {
    fn code(self) -> u8 {
        match self {
            Self::NoFlowControl => 1,
            Self::DtrOn => 8,
            Self::DtrOff => 9,
            Self::RtsOn => 11,
            Self::RtsOff => 12,
        }
    }
}

/// What a client asks the server's port to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Bits a second.
    SetBaud(u32),
    /// Data bits, 5 to 8.
    SetDataSize(u8),
    /// The parity.
    SetParity(Parity),
    /// Stop bits, 1 or 2.
    SetStopBits(u8),
    /// A control line or the flow control.
    SetControl(Control),
    /// Drop what the server's port has received and not yet sent on.
    PurgeReceived,
}

impl Command {
    /// The command as it goes on the wire: `IAC SB 44 <command> <value> IAC SE`, any 255 in
    /// the value doubled.
    pub fn encode(self) -> Vec<u8> {
        let (command, value): (u8, Vec<u8>) = match self {
            Self::SetBaud(baud) => (1, baud.to_be_bytes().to_vec()),
            Self::SetDataSize(bits) => (2, vec![bits]),
            Self::SetParity(parity) => (3, vec![parity.code()]),
            Self::SetStopBits(bits) => (4, vec![if bits == 2 { 2 } else { 1 }]),
            Self::SetControl(control) => (5, vec![control.code()]),
            Self::PurgeReceived => (12, vec![1]),
        };
        let mut out = vec![IAC, SB, COM_PORT_OPTION, command];
        out.extend(encode_data(&value));
        out.extend([IAC, SE]);
        out
    }
}

/// What the server said its port did, in answer to a [`Command`] or on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The rate set.
    Baud(u32),
    /// The data bits set.
    DataSize(u8),
    /// The parity set; `None` for one this client never asks for (mark, space).
    Parity(Option<Parity>),
    /// The stop bits set (1, 2, or 3 for one and a half).
    StopBits(u8),
    /// The control or flow setting reported.
    Control(u8),
    /// A line state notification (break, framing and parity errors, overrun).
    LineState(u8),
    /// A modem state notification (CTS, DSR, RI, CD).
    ModemState(u8),
    /// Any other COM-PORT-OPTION message, by its command.
    Other(u8),
}

/// Something the server's bytes said besides data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The server will take COM-PORT-OPTION commands.
    ComPortAccepted,
    /// The server refused COM-PORT-OPTION: its port's settings are its own.
    ComPortRefused,
    /// An answer or notification of COM-PORT-OPTION.
    Reply(Reply),
    /// A subnegotiation longer than any this client knows, dropped.
    Oversized,
}

/// What [`Telnet::receive`] found in the server's bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// The line's bytes, unescaped.
    pub data: Vec<u8>,
    /// What else the server said, in order.
    pub events: Vec<Event>,
    /// Bytes to send back (answers to the server's negotiation), already encoded.
    pub reply: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    Negotiate(u8),
    Subnegotiation,
    SubnegotiationIac,
}

/// Whether an option is on at each side.
#[derive(Clone, Copy, Debug, Default)]
struct OptionState {
    /// We do it (we sent or answered WILL).
    us: bool,
    /// The server does it (we sent or answered DO).
    him: bool,
}

/// The client's Telnet state; see the module documentation.
#[derive(Clone, Debug)]
pub struct Telnet {
    state: State,
    subnegotiation: Vec<u8>,
    oversized: bool,
    options: [OptionState; 256],
}

impl Default for Telnet {
    fn default() -> Self {
        Self::new()
    }
}

impl Telnet {
    /// A client before anything was sent.
    pub fn new() -> Self {
        Self {
            state: State::Data,
            subnegotiation: Vec::new(),
            oversized: false,
            options: [OptionState::default(); 256],
        }
    }

    /// What the client sends first: it offers BINARY, SGA and COM-PORT-OPTION and asks the
    /// server for BINARY and SGA. The options count as on from here; a refusal turns them off.
    pub fn opening(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for option in [BINARY, SGA, COM_PORT_OPTION] {
            self.options[usize::from(option)].us = true;
            out.extend([IAC, WILL, option]);
        }
        for option in [BINARY, SGA] {
            self.options[usize::from(option)].him = true;
            out.extend([IAC, DO, option]);
        }
        out
    }

    /// Whether the server takes COM-PORT-OPTION commands, as far as it has said.
    pub fn com_port(&self) -> bool {
        self.options[usize::from(COM_PORT_OPTION)].us
    }

    /// Reads bytes from the server.
    pub fn receive(&mut self, bytes: &[u8]) -> Received {
        let mut received = Received::default();
        for &byte in bytes {
            self.state = match (self.state, byte) {
                (State::Data, IAC) => State::Iac,
                (State::Data, _) => {
                    received.data.push(byte);
                    State::Data
                }
                (State::Iac, IAC) => {
                    received.data.push(IAC);
                    State::Data
                }
                (State::Iac, WILL | WONT | DO | DONT) => State::Negotiate(byte),
                (State::Iac, SB) => {
                    self.subnegotiation.clear();
                    self.oversized = false;
                    State::Subnegotiation
                }
                // NOP, data mark, break, go ahead and the like: nothing for a serial line.
                (State::Iac, _) => State::Data,
                (State::Negotiate(verb), option) => {
                    self.negotiate(verb, option, &mut received);
                    State::Data
                }
                (State::Subnegotiation, IAC) => State::SubnegotiationIac,
                (State::Subnegotiation, _) => {
                    self.keep(byte);
                    State::Subnegotiation
                }
                (State::SubnegotiationIac, SE) => {
                    self.subnegotiation_ended(&mut received);
                    State::Data
                }
                (State::SubnegotiationIac, IAC) => {
                    self.keep(IAC);
                    State::Subnegotiation
                }
                // A command inside a subnegotiation (a server's error): end it there.
                (State::SubnegotiationIac, _) => {
                    self.subnegotiation_ended(&mut received);
                    State::Data
                }
            };
        }
        received
    }

    fn keep(&mut self, byte: u8) {
        if self.subnegotiation.len() < MAX_SUBNEGOTIATION {
            self.subnegotiation.push(byte);
        } else {
            self.oversized = true;
        }
    }

    /// Answers `IAC verb option`, only where the option's state changes (RFC 854's rule against
    /// loops: never acknowledge a request for a state one is already in).
    fn negotiate(&mut self, verb: u8, option: u8, received: &mut Received) {
        let wanted_by_us = matches!(option, BINARY | SGA | COM_PORT_OPTION);
        let wanted_of_him = matches!(option, BINARY | SGA);
        let state = &mut self.options[usize::from(option)];
        match verb {
            DO if wanted_by_us => {
                if !state.us {
                    state.us = true;
                    received.reply.extend([IAC, WILL, option]);
                }
                if option == COM_PORT_OPTION {
                    received.events.push(Event::ComPortAccepted);
                }
            }
            DO => received.reply.extend([IAC, WONT, option]),
            DONT => {
                if state.us {
                    state.us = false;
                    received.reply.extend([IAC, WONT, option]);
                }
                if option == COM_PORT_OPTION {
                    received.events.push(Event::ComPortRefused);
                }
            }
            WILL if wanted_of_him => {
                if !state.him {
                    state.him = true;
                    received.reply.extend([IAC, DO, option]);
                }
            }
            WILL => received.reply.extend([IAC, DONT, option]),
            _ => {
                // WONT
                if state.him {
                    state.him = false;
                    received.reply.extend([IAC, DONT, option]);
                }
            }
        }
    }

    fn subnegotiation_ended(&mut self, received: &mut Received) {
        if self.oversized {
            received.events.push(Event::Oversized);
            return;
        }
        let [COM_PORT_OPTION, command, ref value @ ..] = self.subnegotiation[..] else {
            return;
        };
        let first = value.first().copied().unwrap_or(0);
        let reply = match command {
            101 => match value {
                [a, b, c, d] => Reply::Baud(u32::from_be_bytes([*a, *b, *c, *d])),
                _ => Reply::Other(command),
            },
            102 => Reply::DataSize(first),
            103 => Reply::Parity(Parity::from_code(first)),
            104 => Reply::StopBits(first),
            105 => Reply::Control(first),
            106 => Reply::LineState(first),
            107 => Reply::ModemState(first),
            _ => Reply::Other(command),
        };
        received.events.push(Event::Reply(reply));
    }
}

/// The line's bytes as they go to the server: each 255 doubled.
pub fn encode_data(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 4);
    for &byte in bytes {
        out.push(byte);
        if byte == IAC {
            out.push(IAC);
        }
    }
    out
}

#[cfg(test)]
mod tests;
