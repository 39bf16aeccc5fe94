//! A `meters` entry of vzlogger's configuration (volkszaehler; `etc/vzlogger.conf`, its
//! `MeterD0.cpp` and `MeterSML.cpp`): protocol `d0` for IEC 62056-21, with the sign-on as
//! `pullseq` for a meter that is asked and `ackseq: "auto"` for a mode C meter (vzlogger then
//! acknowledges at the rate the identification offers), or `sml`. Its `parity` takes `8n1`,
//! `7n1`, `7e1` or `7o1`: one stop bit, both ways. vzlogger has no KMP and no `/#1`. Each
//! channel needs its UUID in the volkszaehler middleware, written as a placeholder.

use serde_json::{Value, json};

use super::{Cannot, Proven, Target, provenance, unsupported};
use crate::line::Parity;
use crate::protocol::Protocol;

/// The IEC 62056-21 sign-on, `/?!` and its line end, as vzlogger takes it.
const SIGN_ON: &str = "2F3F210D0A";

pub(super) fn write(proven: &Proven) -> Result<String, Cannot> {
    let protocol = match proven.protocol {
        Protocol::Iec => "d0",
        Protocol::Sml => "sml",
        other => return Err(unsupported(Target::Vzlogger, other)),
    };
    let line = proven.opening_line();
    let parity = match (line.data_bits, line.parity) {
        (8, Parity::None) => "8n1",
        (7, Parity::None) => "7n1",
        (7, Parity::Even) => "7e1",
        (7, Parity::Odd) => "7o1",
        _ => {
            return Err(Cannot {
                target: Target::Vzlogger.name(),
                why: format!("its parity setting has no {line}"),
            });
        }
    };
    let channels: Vec<Value> = proven
        .registers
        .iter()
        .map(|register| {
            json!({
                "uuid": "00000000-0000-0000-0000-000000000000",
                "middleware": "http://localhost/middleware.php",
                "identifier": register.key.to_string(),
            })
        })
        .collect();
    let mut meter = json!({
        "enabled": true,
        "protocol": protocol,
        "device": proven.port.value,
        "baudrate": line.baud,
        "parity": parity,
        "channels": channels,
    });
    if let Value::Object(map) = &mut meter {
        if !proven.push {
            map.insert("pullseq".into(), json!(SIGN_ON));
            map.insert("interval".into(), json!(proven.interval.value.as_secs()));
            map.insert("read_timeout".into(), json!(10));
        }
        if let Some(baud) = proven.switch_to {
            map.insert("ackseq".into(), json!("auto"));
            map.insert("baudrate_read".into(), json!(baud));
        }
    }
    let mut lines = provenance(proven, "//");
    lines.push(
        "// Each channel's uuid (zeros here) and middleware are placeholders: set yours.".into(),
    );
    if proven.asked_at.is_some_and(|asked| asked.stop_bits == 2) && !proven.push {
        lines.push(format!(
            "// The meter was asked at {}, and vzlogger asks with one stop bit: a meter that wants \
             two does not answer it.",
            proven
                .asked_at
                .map(|asked| asked.to_string())
                .unwrap_or_default()
        ));
    }
    lines.push(serde_json::to_string_pretty(&meter).unwrap_or_default());
    Ok(lines.join("\n") + "\n")
}
