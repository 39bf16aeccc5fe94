//! A Tasmota Smart Meter Interface script (tasmota/docs, `Smart-Meter-Interface.md`): `>D`, `>B`
//! with `=>sensor53 r`, `>M 1`, the meter line `+1,<rx>,<type>,0,<baud>,<prefix>[,<tx>,
//! <period>,<blocks>]` and a value line per register, closed by `#`:
//! - SML (`s`): each value by its OBIS code in hex, `77070100010800ff`;
//! - OBIS text (`o`, which reads and sends 7E1 itself): each value by its code as the meter
//!   writes it and `(`; a meter that is asked gets the sign-on as its block, a mode C meter the
//!   acknowledgement that keeps 300 baud after it, as the docs' L+G ZMB120 example;
//! - Kamstrup KMP (`k`, with `N2` for 8N2): one block per register, `3F1001003C` (the address,
//!   GetRegister, one ID; Tasmota adds the frame and CRC), and a value line `3F10003Ckstr@i0:1000`.
//!   Tasmota's `kstr` (`xsns_53_sml.ino`, `SML_Decode`) applies a register's sign and a positive
//!   exponent but leaves a negative one out: the mantissa comes through, and the value line's
//!   divisor is 10 to the exponent's size, as in the docs' MULTICAL 403 example (`@i0:1000` for
//!   its heat energy). An echo fails Tasmota's CRC check and is dropped.
//!
//! `@1` keeps the value as decoded: Tasmota applies an SML scaler from -4 to 3 itself
//! (`sml_getvalue`), and a value line divides by the rest. The pins are
//! placeholders; a line other than 8N1 needs a hardware serial port (software serial does 8N1
//! only).

use super::{
    Cannot, Proven, ProvenRegister, Target, obis_parts, power_of_ten, provenance, unsupported,
};
use crate::protocol::Protocol;

/// The placeholder pins: the head's receiver, and its transmitter.
const RX_PIN: u8 = 3;
const TX_PIN: u8 = 1;

pub(super) fn write(proven: &Proven) -> Result<String, Cannot> {
    let line = proven.opening_line();
    // One block a period, in turn: the interval shared among the blocks, in tenths of a second.
    let blocks = match proven.protocol {
        Protocol::Kmp => proven.registers.len().max(1),
        _ => 1,
    };
    let period = (proven.interval.value.as_millis() / 100 / blocks as u128).clamp(1, 9999);
    let (meter, values) = match proven.protocol {
        Protocol::Sml => (
            format!("+1,{RX_PIN},s,0,{},SML", line.baud),
            proven
                .registers
                .iter()
                .filter_map(|register| {
                    let [a, b, c, d, e] = obis_parts(register.key)?;
                    // `sml_getvalue` applies a scaler from -4 to 3 only.
                    let divisor = match register.exponent {
                        Some(exponent) if !(-4..=3).contains(&exponent) => power_of_ten(-exponent),
                        _ => "1".into(),
                    };
                    Some(value_line(
                        &format!("7707{a:02x}{b:02x}{c:02x}{d:02x}{e:02x}ff@{divisor}"),
                        register,
                    ))
                })
                .collect::<Vec<_>>(),
        ),
        Protocol::Iec => {
            let blocks = match (proven.push, proven.switch_to) {
                (true, _) => String::new(),
                (false, None) => format!(",{TX_PIN},{period},2F3F210D0A"),
                // The acknowledgement must follow the identification within the meter's
                // patience: a second apart, as the docs' example has it.
                (false, Some(_)) => format!(",{TX_PIN},10,2F3F210D0A,063030300D0A"),
            };
            (
                format!("+1,{RX_PIN},o,0,{},OBIS{blocks}", line.baud),
                proven
                    .registers
                    .iter()
                    .map(|register| value_line(&format!("{}(", register.key), register))
                    .collect(),
            )
        }
        Protocol::Kmp => {
            let address = proven
                .address
                .as_ref()
                .map_or(0x3F, |address| address.value);
            let ids: Vec<u16> = proven
                .registers
                .iter()
                .filter_map(|register| register.key.kmp())
                .map(|id| id.value())
                .collect();
            let blocks: Vec<String> = ids
                .iter()
                .map(|id| format!("{address:02X}1001{id:04X}"))
                .collect();
            let stop = if line.stop_bits == 2 { "N2" } else { "N1" };
            (
                format!(
                    "+1,{RX_PIN},k{stop},0,{},KMP,{TX_PIN},{period},{}",
                    line.baud,
                    blocks.join(",")
                ),
                proven
                    .registers
                    .iter()
                    .filter_map(|register| Some((register.key.kmp()?, register)))
                    .enumerate()
                    .map(|(index, (id, register))| {
                        // `kstr` passes the mantissa of a negative exponent unscaled.
                        let exponent = register.exponent.map_or(0, |e| e.min(0));
                        value_line(
                            &format!(
                                "{address:02X}10{:04X}kstr@i{index}:{}",
                                id.value(),
                                power_of_ten(-exponent)
                            ),
                            register,
                        )
                    })
                    .collect(),
            )
        }
        Protocol::Mc66 => return Err(unsupported(Target::Tasmota, Protocol::Mc66)),
    };
    let mut lines = provenance(proven, ";");
    lines.push(format!(
        "; The pins ({RX_PIN} receive, {TX_PIN} transmit) are placeholders: set yours. {}",
        if line.data_bits == 8 && line.stop_bits == 1 {
            "A software serial port will do."
        } else {
            "This line needs a hardware serial port: software serial does 8N1 only."
        }
    ));
    lines.extend([
        ">D".to_string(),
        ">B".into(),
        "=>sensor53 r".into(),
        ">M 1".into(),
        meter,
    ]);
    lines.extend(values);
    lines.push("#".into());
    Ok(lines.join("\n") + "\n")
}

/// `1,<decoder>@1,<label>,<unit>,<name>,<precision>` for `register`, within Tasmota's limits:
/// 23 characters of label and name, 7 of unit, no commas. The JSON name comes from the register's
/// key, which is unique: `1_8_0`, `reg60`.
fn value_line(decoder: &str, register: &ProvenRegister) -> String {
    let clean = |text: &str, limit: usize| -> String {
        text.replace(',', " ").chars().take(limit).collect()
    };
    let key = match register.key.kmp() {
        Some(id) => format!("reg{id}"),
        None => register.key.to_string(),
    };
    let name: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(23)
        .collect();
    let decoder = if decoder.contains('@') {
        decoder.to_string()
    } else {
        format!("{decoder}@1")
    };
    // As many decimals as the meter sends; three for a value whose resolution is unknown.
    let decimals = register
        .exponent
        .map_or(3, |exponent| exponent.min(0).unsigned_abs().min(9));
    format!(
        "1,{decoder},{},{},{name},{decimals}",
        clean(&register.name, 23),
        clean(&register.unit, 7)
    )
}
