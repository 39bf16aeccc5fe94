//! The options of `smartmeter-obis` 4 (ioBroker's smartmeter adapter) as JSON: `SmlProtocol` or
//! `D0Protocol` (IEC 62056-21), through `SerialResponseTransport` for a meter that pushes and
//! `SerialRequestResponseTransport` for one that is asked, at the settings proven. Its options
//! take one framing for both ways, so a meter asked at 7E2 and answering at 7E1 gets the one it
//! answers at. It reads no KMP and no `/#1`. What was proven, and where each value came from,
//! goes in `_handedOver`, since JSON has no comments.

use serde_json::{Value, json};

use super::{Cannot, Proven, Target, provenance, unsupported};
use crate::line::Parity;
use crate::protocol::Protocol;

pub(super) fn write(proven: &Proven) -> Result<String, Cannot> {
    let protocol = match proven.protocol {
        Protocol::Sml => "SmlProtocol",
        Protocol::Iec => "D0Protocol",
        other => return Err(unsupported(Target::SmartmeterObis, other)),
    };
    let line = proven.opening_line();
    let parity = match line.parity {
        Parity::None => "none",
        Parity::Even => "even",
        Parity::Odd => "odd",
    };
    let transport = if proven.push {
        "SerialResponseTransport"
    } else {
        "SerialRequestResponseTransport"
    };
    let mut options = json!({
        "protocol": protocol,
        "transport": transport,
        "transportSerialPort": proven.port.value,
        "transportSerialBaudrate": line.baud,
        "transportSerialDataBits": line.data_bits,
        "transportSerialParity": parity,
        "transportSerialStopBits": line.stop_bits,
        "requestInterval": proven.interval.value.as_secs(),
        "obisNameLanguage": "en",
    });
    if let Value::Object(map) = &mut options {
        if protocol == "SmlProtocol" {
            map.insert("protocolSmlIgnoreInvalidCRC".into(), json!(false));
        }
        if let Some(baud) = proven.switch_to {
            // Mode C: it follows the identification's offer by itself; stated for the record.
            map.insert("protocolD0BaudrateChangeoverOverwrite".into(), json!(baud));
        }
    }
    // JSON has no comments: what was proven goes in a key of its own, which the library
    // ignores.
    let mut notes: Vec<String> = provenance(proven, "")
        .into_iter()
        .map(|line| line.trim().to_string())
        .collect();
    if proven.echo.value && !proven.push {
        notes.push(
            "The head hears itself: smartmeter-obis may take the echo of its sign-on for the \
             start of an answer."
                .into(),
        );
    }
    if let Value::Object(map) = &mut options {
        map.insert("_handedOver".into(), json!(notes));
    }
    Ok(serde_json::to_string_pretty(&options).unwrap_or_default() + "\n")
}
