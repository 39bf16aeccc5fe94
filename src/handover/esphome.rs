//! ESPHome YAML (checked against ESPHome 2026.6): the `uart` at the line proven, with pins as
//! marked placeholders, and
//! - for a KMP meter, the `kamstrup_kmp` sensor platform: its named sensors for the registers
//!   it knows (60 heat energy, 80 power, 86 and 87 the temperatures, 89 their difference, 74
//!   flow, 68 volume), `custom` entries with `command:` for the others. Its validation demands
//!   1200 baud and both pins; it asks at address 0x3F only; and it reads until the first `0x0D`,
//!   so an echo of its request ends every reading (`kamstrup_kmp.cpp`, `read_command_`);
//! - for a meter that pushes SML, the `sml` component and a sensor per OBIS code, written in
//!   full (`1-0:1.8.0`), the only form it takes. Its sensor publishes the integer the meter
//!   sent and leaves the scaler out (`sml_sensor.cpp`, `publish_val`), so a value with one gets
//!   a `multiply` filter; a value that is no number (a server ID) is a `text_sensor` in hex.
//!
//! ESPHome's core has no IEC 62056-21 component and no `/#1`: those meters are refused.

use super::{
    Cannot, Proven, ProvenRegister, Target, obis_parts, power_of_ten, provenance, unsupported,
};
use crate::kmp::RegisterId;
use crate::line::Parity;
use crate::protocol::Protocol;

/// The registers `kamstrup_kmp` names, and the keys it names them by.
const NAMED: [(u16, &str); 7] = [
    (60, "heat_energy"),
    (80, "power"),
    (86, "temp1"),
    (87, "temp2"),
    (89, "temp_diff"),
    (74, "flow"),
    (68, "volume"),
];

pub(super) fn write(proven: &Proven) -> Result<String, Cannot> {
    let cannot = |why: String| {
        Err(Cannot {
            target: Target::Esphome.name(),
            why,
        })
    };
    let body = match proven.protocol {
        Protocol::Kmp => {
            let line = proven.line.value;
            if line.baud != 1200 {
                return cannot(format!(
                    "its kamstrup_kmp platform asks at 1200 baud only, and this meter answers at \
                     {line}"
                ));
            }
            if let Some(address) = proven
                .address
                .as_ref()
                .filter(|address| address.value != 0x3F)
            {
                return cannot(format!(
                    "its kamstrup_kmp platform asks at address 0x3F only, and this meter answers \
                     at 0x{:02X}",
                    address.value
                ));
            }
            if proven.echo.value {
                return cannot(
                    "the head hears itself, and kamstrup_kmp reads until the first line end, \
                     which is its request's echo: every reading would fail. Use a head without \
                     an echo"
                        .into(),
                );
            }
            kmp(proven)
        }
        Protocol::Sml => sml(proven),
        other => return Err(unsupported(Target::Esphome, other)),
    };
    let mut lines = provenance(proven, "#");
    lines.extend([
        "# The board and the pins are placeholders: set yours.".to_string(),
        "esphome:".into(),
        "  name: meter".into(),
        "esp32:".into(),
        "  board: esp32dev".into(),
        "  framework:".into(),
        "    type: esp-idf".into(),
        "logger:".into(),
    ]);
    lines.extend(uart(proven));
    lines.extend(body);
    Ok(lines.join("\n") + "\n")
}

fn uart(proven: &Proven) -> Vec<String> {
    let line = proven.line.value;
    let parity = match line.parity {
        Parity::None => "NONE",
        Parity::Even => "EVEN",
        Parity::Odd => "ODD",
    };
    let mut lines = vec!["uart:".to_string(), "  id: head".into()];
    // A meter that pushes needs no transmitter.
    if !proven.push {
        lines.push("  tx_pin: GPIO17  # placeholder: the pin to the head's transmitter".into());
    }
    lines.extend([
        "  rx_pin: GPIO16  # placeholder: the pin from the head's receiver".to_string(),
        format!("  baud_rate: {}", line.baud),
        format!("  data_bits: {}", line.data_bits),
        format!("  parity: {parity}"),
        format!("  stop_bits: {}", line.stop_bits),
    ]);
    lines
}

fn kmp(proven: &Proven) -> Vec<String> {
    let mut lines = vec![
        "sensor:".to_string(),
        "  - platform: kamstrup_kmp".into(),
        "    uart_id: head".into(),
        format!(
            "    update_interval: {}s",
            proven.interval.value.as_secs().max(1)
        ),
    ];
    let mut custom = Vec::new();
    for register in &proven.registers {
        let Some(id) = register.key.kmp() else {
            continue;
        };
        match NAMED.iter().find(|(named, _)| *named == id.value()) {
            Some((_, key)) => {
                lines.push(format!("    {key}:"));
                lines.extend(sensor_fields(register, "      "));
            }
            None => custom.push((id, register)),
        }
    }
    if !custom.is_empty() {
        lines.push("    custom:".into());
        for (id, register) in custom {
            lines.push(format!("      - command: {}", hex(id)));
            lines.extend(sensor_fields(register, "        "));
        }
    }
    lines
}

fn sml(proven: &Proven) -> Vec<String> {
    let mut lines = vec![
        "sml:".to_string(),
        "  id: meter_sml".into(),
        "  uart_id: head".into(),
    ];
    let coded: Vec<(String, &ProvenRegister)> = proven
        .registers
        .iter()
        .filter_map(|register| {
            let [a, b, c, d, e] = obis_parts(register.key)?;
            Some((format!("\"{a}-{b}:{c}.{d}.{e}\""), register))
        })
        .collect();
    let (numbers, texts): (Vec<_>, Vec<_>) = coded
        .iter()
        .partition(|(_, register)| register.exponent.is_some());
    if !numbers.is_empty() {
        lines.push("sensor:".into());
    }
    for (code, register) in numbers {
        lines.extend([
            "  - platform: sml".to_string(),
            "    sml_id: meter_sml".into(),
            format!("    obis_code: {code}"),
        ]);
        lines.extend(sensor_fields(register, "    "));
        // The sensor publishes the integer sent, without the scaler (`sml_sensor.cpp`).
        if let Some(exponent) = register.exponent.filter(|exponent| *exponent != 0) {
            lines.extend([
                "    filters:".to_string(),
                format!("      - multiply: {}", power_of_ten(exponent)),
            ]);
        }
    }
    if !texts.is_empty() {
        lines.push("text_sensor:".into());
    }
    for (code, register) in texts {
        lines.extend([
            "  - platform: sml".to_string(),
            "    sml_id: meter_sml".into(),
            format!("    obis_code: {code}"),
            format!("    name: {}", quoted(&register.name)),
            "    format: hex".into(),
        ]);
    }
    lines
}

/// A sensor's name and unit, at `indent`.
fn sensor_fields(register: &ProvenRegister, indent: &str) -> Vec<String> {
    let mut lines = vec![format!("{indent}name: {}", quoted(&register.name))];
    if !register.unit.is_empty() {
        lines.push(format!(
            "{indent}unit_of_measurement: {}",
            quoted(&register.unit)
        ));
    }
    lines
}

/// `text` as a YAML double-quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `0x03EC`.
fn hex(id: RegisterId) -> String {
    format!("0x{:04X}", id.value())
}
