//! The traffic record: every byte sent and received, timestamped, marked TX, echo or RX, and
//! decoded where it can be. The evidence a technician sends to someone who can help.

use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

use jiff::Timestamp;

use crate::iec::{self, Received};
use crate::kmp::{self, Deframed, Deframer, Message, Request, Response, command_name};
use crate::{mc66, sml};

use super::engine::{Attempt, Exchange};

/// Which way bytes went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TrafficDirection {
    /// Sent by us.
    Tx,
    /// Our own transmission, heard back by the head.
    Echo,
    /// Anything else received.
    Rx,
}

impl TrafficDirection {
    /// The mark in the log: `TX`, `ECHO` or `RX`.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Tx => "TX",
            Self::Echo => "ECHO",
            Self::Rx => "RX",
        }
    }
}

/// One line of traffic.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrafficRecord {
    /// When the first byte went or came.
    pub at: Timestamp,
    /// Which way.
    pub direction: TrafficDirection,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What they mean, or why they mean nothing.
    pub meaning: String,
}

impl TrafficRecord {
    /// `2026-11-22T10:00:00.123Z TX   80 3F 02 35 E9 0D  GetSerialNo`
    pub fn line(&self) -> String {
        let hex: Vec<String> = self.bytes.iter().map(|b| format!("{b:02X}")).collect();
        format!(
            "{} {:<4} {}  {}",
            self.at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"),
            self.direction.mark(),
            hex.join(" "),
            self.meaning
        )
    }

    /// The records of one attempt, with `wall` turning its instants into timestamps.
    pub fn from_attempt(
        attempt: &Attempt,
        wall: impl Fn(std::time::Instant) -> Timestamp,
    ) -> Vec<Self> {
        let mut records = vec![Self {
            at: wall(attempt.started),
            direction: TrafficDirection::Tx,
            bytes: attempt.sent.clone(),
            meaning: describe_sent(attempt),
        }];
        if let Some(at) = attempt.echo_at {
            let state = if attempt.echo_seen.clean() {
                "clean"
            } else if attempt.echo_seen.garbled {
                "garbled"
            } else {
                "incomplete"
            };
            records.push(Self {
                at: wall(at),
                direction: TrafficDirection::Echo,
                bytes: attempt.echo.clone(),
                meaning: format!("echo, {state}"),
            });
        }
        if let Some(at) = attempt.received_at {
            records.push(Self {
                at: wall(at),
                direction: TrafficDirection::Rx,
                bytes: attempt.received.clone(),
                meaning: if attempt.exchange.is_text() {
                    describe_text(&attempt.exchange, &attempt.received)
                } else {
                    describe_received(&attempt.received)
                },
            });
        }
        records
    }
}

fn describe_sent(attempt: &Attempt) -> String {
    let retry = if attempt.number > 1 {
        format!(" (attempt {})", attempt.number)
    } else {
        String::new()
    };
    match attempt.exchange {
        Exchange::EchoTest => format!("echo test pattern{retry}"),
        Exchange::Request(request) => format!("{}{retry}", describe_request(&request)),
        Exchange::RequestAt { request, address } => format!(
            "{} at address 0x{address:02X}{retry}",
            describe_request(&request)
        ),
        Exchange::SignOn | Exchange::SignOnQuick => format!("IEC 62056-21 sign-on{retry}"),
        Exchange::ReadoutAt(character) => format!(
            "IEC 62056-21 option select: the data readout at {} baud{retry}",
            iec::baud_of(character).map_or_else(|| "?".to_string(), |baud| baud.to_string())
        ),
        Exchange::Mc66 | Exchange::Mc66Quick => format!("/#1 readout request{retry}"),
        Exchange::Logger(read) => format!(
            "{}{retry}",
            kmp::logger::LoggerRequest::from(read).describe()
        ),
        Exchange::Listen { .. } => "listening for a meter that pushes SML or mode D".into(),
    }
}

/// `GetRegister 68, 74`.
pub fn describe_request(request: &Request) -> String {
    match request {
        Request::GetType => "GetType".into(),
        Request::GetSerialNo => "GetSerialNo".into(),
        Request::GetRegister(ids) => {
            let ids: Vec<String> = ids.as_slice().iter().map(ToString::to_string).collect();
            format!("GetRegister {}", ids.join(", "))
        }
    }
}

/// What received bytes hold: each frame decoded or its error, and how much was noise.
pub fn describe_received(bytes: &[u8]) -> String {
    let mut deframer = Deframer::new();
    let mut parts: Vec<String> = deframer
        .push(bytes)
        .map(|item| match item {
            Deframed::Ack => "ACK".to_string(),
            Deframed::Frame(frame) => match kmp::decode(&frame) {
                Ok(message) => describe_message(&message),
                Err(error) => format!("bad frame: {error}"),
            },
        })
        .collect();
    let noise = deframer.discarded() as usize + deframer.pending();
    if noise > 0 {
        parts.push(format!("{noise} bytes of noise"));
    }
    parts.join("; ")
}

/// What the text answer to `exchange` holds: identification lines, readouts, a `/#1` answer,
/// or why they are none, and how much was noise.
fn describe_text(exchange: &Exchange, bytes: &[u8]) -> String {
    let mut parts = Vec::new();
    if exchange.listens() {
        return describe_pushed(bytes);
    }
    if matches!(exchange, Exchange::Mc66 | Exchange::Mc66Quick) {
        let mut receiver = mc66::Receiver::new();
        for &byte in bytes {
            match receiver.push(byte) {
                Some(Ok(answer)) => {
                    parts.push(format!("/#1 answer of {} fields", answer.readings.len()))
                }
                Some(Err(error)) => parts.push(format!("bad /#1 answer: {error}")),
                None => {}
            }
        }
        if receiver.pending() > 0 {
            parts.push(format!(
                "{} bytes of an unfinished answer",
                receiver.pending()
            ));
        }
        return parts.join("; ");
    }
    let mut receiver = iec::Receiver::new();
    for &byte in bytes {
        match receiver.push(byte) {
            Some(Received::Identification(Ok(ident))) => {
                parts.push(format!("identification /{}", ident.line));
            }
            Some(Received::Identification(Err(error))) => {
                parts.push(format!("bad identification: {error}"));
            }
            Some(Received::Readout(Ok(readout))) => parts.push(format!(
                "data readout of {} lines, check character as {}",
                readout.lines.len(),
                match readout.bcc {
                    iec::Bcc::Xor => "XOR",
                    iec::Bcc::Sum => "a sum",
                }
            )),
            Some(Received::Readout(Err(error))) => parts.push(format!("bad readout: {error}")),
            Some(Received::Nak) => parts.push("NAK".into()),
            Some(Received::Break) => parts.push("break".into()),
            None => {}
        }
    }
    let noise = receiver.discarded() + receiver.pending();
    if noise > 0 {
        parts.push(format!("{noise} bytes of noise"));
    }
    parts.join("; ")
}

/// What a pushing meter's bytes hold: SML telegrams, or mode D telegrams (their characters
/// read as 7 bits), whichever came.
fn describe_pushed(bytes: &[u8]) -> String {
    let mut sml_parts = Vec::new();
    let mut receiver = sml::Receiver::new();
    for &byte in bytes {
        match receiver.push(byte) {
            Some(Ok(frame)) => match sml::File::decode(&frame.payload) {
                Ok(file) => {
                    sml_parts.push(format!("SML telegram of {} values", file.entries().count()))
                }
                Err(error) => sml_parts.push(format!("bad SML telegram: {error}")),
            },
            Some(Err(error)) => sml_parts.push(format!("bad SML frame: {error}")),
            None => {}
        }
    }
    let mut text_parts = Vec::new();
    let mut text = iec::TelegramReceiver::new();
    for &byte in bytes {
        match text.push(byte & 0x7F) {
            Some(Ok(telegram)) => text_parts.push(format!(
                "mode D telegram /{} of {} lines",
                telegram.identification.line,
                telegram.lines.len()
            )),
            Some(Err(error)) => text_parts.push(format!("bad mode D telegram: {error}")),
            None => {}
        }
    }
    let sml_noise = receiver.discarded() + receiver.pending();
    let text_noise = text.discarded() + text.pending();
    let (mut parts, noise) = if text_noise < sml_noise {
        (text_parts, text_noise)
    } else {
        (sml_parts, sml_noise)
    };
    if noise > 0 {
        parts.push(format!("{noise} bytes outside whole telegrams"));
    }
    parts.join("; ")
}

fn describe_message(message: &Message) -> String {
    match message {
        Message::Ack => "ACK".into(),
        Message::Request { request, .. } => format!("request {}", describe_request(request)),
        Message::Response { response, .. } => match response {
            Response::Type(meter_type) => format!(
                "meter type 0x{:04X}, revision {}",
                meter_type.meter_type,
                meter_type
                    .revision_text()
                    .unwrap_or_else(|| "not given".into())
            ),
            Response::SerialNo(serial) => format!("serial {serial}"),
            Response::Registers(registers) if registers.is_empty() => "no registers".into(),
            Response::Registers(registers) => {
                let mut text = String::new();
                for (idx, register) in registers.iter().enumerate() {
                    let sep = if idx == 0 { "" } else { ", " };
                    let _ = write!(text, "{sep}{} = {}", register.id(), register.display_text());
                }
                text
            }
        },
        Message::LoggerRequest { request, .. } => format!("request {}", request.describe()),
        Message::LoggerResponse { response, .. } => response.describe(),
        Message::Other(frame) => {
            format!(
                "{} 0x{:02X}, data {}",
                command_name(frame.cid).unwrap_or("command"),
                frame.cid,
                kmp::to_hex(&frame.data)
            )
        }
    }
}

/// Appends traffic records to a file, each line in one write, so that a crash or a kill never
/// leaves half a line: the commands' `--traffic` file and a session's traffic journal alike.
#[derive(Debug)]
pub struct TrafficWriter {
    file: File,
}

impl TrafficWriter {
    /// Appends to `path`, creating it if needed (`--traffic`).
    pub fn append(path: &Path) -> io::Result<Self> {
        Self::open(path, OpenOptions::new().create(true))
    }

    /// Starts a new file at `path`, which must not exist yet, with `header` as its first line.
    pub fn create_new(path: &Path, header: &str) -> io::Result<Self> {
        let mut writer = Self::open(path, OpenOptions::new().create_new(true))?;
        writer.file.write_all(format!("{header}\n").as_bytes())?;
        Ok(writer)
    }

    /// Goes on appending to the file at `path`, which must exist (and whose last line is whole).
    pub fn append_existing(path: &Path) -> io::Result<Self> {
        Self::open(path, &mut OpenOptions::new())
    }

    fn open(path: &Path, options: &mut OpenOptions) -> io::Result<Self> {
        Ok(Self {
            file: options.append(true).open(path)?,
        })
    }

    /// Appends one record as one line.
    pub fn write(&mut self, record: &TrafficRecord) -> io::Result<()> {
        self.file
            .write_all(format!("{}\n", record.line()).as_bytes())
    }
}

#[cfg(test)]
mod tests;
