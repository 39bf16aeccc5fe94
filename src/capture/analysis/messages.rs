//! What each message of a recording says, read by its codec: a KMP frame, an IEC 62056-21
//! message or a `/#1` request or answer; why it fails its checks, if it does; the registers and
//! values it holds.

use super::frames::is_text_start;
use crate::model::TextReading;
use crate::{iec, kmp, mc66, sml};

/// One message read: whether it is valid, what it says or is, why not, and the KMP registers
/// it answers.
pub(super) struct Reading {
    pub(super) valid: bool,
    /// A start byte began it: invalid, it is a bad message rather than noise.
    pub(super) framed: bool,
    pub(super) meaning: String,
    pub(super) error: Option<String>,
    pub(super) registers: Vec<kmp::Register>,
    /// The values of a readout or a `/#1` answer.
    pub(super) values: Vec<TextReading>,
    /// The identification line a meter sent.
    pub(super) identification: Option<String>,
}

/// Reads a KMP frame.
pub(super) fn read_kmp(bytes: &[u8]) -> Reading {
    match kmp::decode(bytes) {
        Ok(message) => Reading {
            valid: true,
            framed: true,
            meaning: crate::link::traffic::describe_received(bytes),
            error: None,
            values: Vec::new(),
            identification: None,
            registers: match message {
                kmp::Message::Response {
                    response: kmp::Response::Registers(registers),
                    ..
                } => registers,
                _ => Vec::new(),
            },
        },
        Err(error) => Reading {
            valid: false,
            framed: matches!(bytes.first(), Some(0x80 | 0x40)),
            meaning: if bytes.last() == Some(&0x0D) {
                "a frame that fails its checks".to_string()
            } else if matches!(bytes.first(), Some(0x80 | 0x40)) {
                "a frame cut short".to_string()
            } else {
                format!("{} bytes outside any frame", bytes.len())
            },
            error: Some(error.to_string()),
            registers: Vec::new(),
            values: Vec::new(),
            identification: None,
        },
    }
}

/// Reads an IEC 62056-21 message: the client's when `client`, else the meter's.
pub(super) fn read_iec(bytes: &[u8], client: bool) -> Reading {
    let ok = |meaning: String| Reading {
        valid: true,
        framed: true,
        meaning,
        error: None,
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    let failed = |meaning: &str, error: String| Reading {
        valid: false,
        framed: bytes.first().is_some_and(|first| is_text_start(*first)),
        meaning: meaning.to_string(),
        error: Some(error),
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    if client {
        return match iec::ClientMessage::decode(bytes) {
            Ok(iec::ClientMessage::SignOn { address }) if address.is_empty() => {
                ok("IEC 62056-21 sign-on".into())
            }
            Ok(iec::ClientMessage::SignOn { address }) => {
                ok(format!("IEC 62056-21 sign-on to {address}"))
            }
            Ok(iec::ClientMessage::OptionSelect {
                baud_character,
                mode,
                ..
            }) => ok(format!(
                "IEC 62056-21 option select: mode {}, at {} baud",
                char::from(mode),
                iec::baud_of(baud_character).map_or_else(|| "?".to_string(), |b| b.to_string())
            )),
            Ok(iec::ClientMessage::Break) => ok("IEC 62056-21 break".into()),
            Err(error) => failed("not an IEC 62056-21 request", error.to_string()),
        };
    }
    // More than the identification line: a mode D telegram, pushed whole.
    let telegram = bytes
        .windows(2)
        .position(|pair| pair == b"\r\n")
        .is_some_and(|end| end + 2 < bytes.len());
    match bytes.first() {
        Some(b'/') if telegram => match iec::Telegram::decode(bytes) {
            Ok(telegram) => {
                let first: Vec<String> = telegram.lines.iter().take(3).map(|l| l.text()).collect();
                let more = if telegram.lines.len() > 3 {
                    ", …"
                } else {
                    ""
                };
                Reading {
                    identification: Some(telegram.identification.line.clone()),
                    values: telegram.lines.iter().map(TextReading::from_line).collect(),
                    ..ok(format!(
                        "mode D telegram /{} of {} lines: {}{more}",
                        telegram.identification.line,
                        telegram.lines.len(),
                        first.join(", ")
                    ))
                }
            }
            Err(error) => failed("a mode D telegram that fails its checks", error.to_string()),
        },
        Some(b'/') => match iec::Identification::decode(bytes) {
            Ok(identification) => Reading {
                identification: Some(identification.line.clone()),
                ..ok(format!("identification {}", identification.line))
            },
            Err(error) => failed("an identification that fails its checks", error.to_string()),
        },
        Some(&iec::STX) => match iec::Readout::decode(bytes) {
            Ok(readout) => {
                let first: Vec<String> = readout.lines.iter().take(3).map(|l| l.text()).collect();
                let more = if readout.lines.len() > 3 { ", …" } else { "" };
                Reading {
                    values: TextReading::from_readout(&readout),
                    ..ok(format!(
                        "readout of {} lines: {}{more}",
                        readout.lines.len(),
                        first.join(", ")
                    ))
                }
            }
            Err(error) => failed("a readout that fails its checks", error.to_string()),
        },
        Some(&iec::NAK) => ok("NAK: the meter did not take the last message".into()),
        _ => failed(
            &format!("{} bytes outside any message", bytes.len()),
            "no IEC 62056-21 message".into(),
        ),
    }
}

/// Reads a `/#1` message: the client's request when `client`, else the meter's answer.
pub(super) fn read_mc66(bytes: &[u8], client: bool) -> Reading {
    let reading = |valid: bool, meaning: String, error: Option<String>| Reading {
        valid,
        framed: valid || bytes.first() == Some(&b'/') || bytes.last() == Some(&b'\n'),
        meaning,
        error,
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    if client {
        return if bytes == mc66::REQUEST {
            reading(true, "Kamstrup /#1 request".into(), None)
        } else {
            reading(
                false,
                format!("{} bytes outside any message", bytes.len()),
                Some("not a /#1 request".into()),
            )
        };
    }
    match mc66::Answer::decode(bytes) {
        Ok(answer) => {
            let fields: Vec<String> = answer
                .readings
                .iter()
                .take(3)
                .map(|r| format!("{} {} {}", r.field.name(), r.number, r.field.unit()))
                .collect();
            Reading {
                values: TextReading::from_mc66(&answer),
                ..reading(
                    true,
                    format!(
                        "/#1 answer of {} fields: {}, …",
                        answer.readings.len(),
                        fields.join(", ")
                    ),
                    None,
                )
            }
        }
        Err(error) => reading(
            false,
            if bytes.last() == Some(&b'\n') {
                "a /#1 answer that fails its checks".into()
            } else {
                "a /#1 answer cut short".into()
            },
            Some(error.to_string()),
        ),
    }
}

/// A pushed SML telegram: its frames, checked, and the values of the first.
pub(super) fn read_sml(bytes: &[u8]) -> Reading {
    let mut receiver = sml::Receiver::new();
    let mut frames = bytes.iter().filter_map(|&byte| receiver.push(byte));
    let (valid, meaning, error, values, identification) = match frames.next() {
        Some(Ok(frame)) => match sml::File::decode(&frame.payload) {
            Ok(file) => {
                let codes: Vec<String> = file
                    .entries()
                    .filter_map(sml::Entry::obis)
                    .take(3)
                    .map(|obis| obis.short())
                    .collect();
                let meaning = format!("SML telegram: {} …", codes.join(", "));
                let server_id = file.server_id().map(crate::kmp::to_hex);
                (true, meaning, None, TextReading::from_sml(&file), server_id)
            }
            Err(error) => (
                false,
                "SML frame".into(),
                Some(error.to_string()),
                Vec::new(),
                None,
            ),
        },
        Some(Err(error)) => (
            false,
            "SML frame".into(),
            Some(error.to_string()),
            Vec::new(),
            None,
        ),
        None => (
            false,
            format!("{} bytes outside any SML frame", bytes.len()),
            Some("no whole frame".into()),
            Vec::new(),
            None,
        ),
    };
    Reading {
        valid,
        framed: bytes.starts_with(&[0x1B; 4]),
        meaning,
        error,
        registers: Vec::new(),
        values,
        identification,
    }
}
