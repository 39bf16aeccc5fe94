//! What a simulated meter answers, built with the codecs from the physics' values: KMP responses,
//! the IEC 62056-21 identification line and data readout, and the `/#1` answer.

use std::time::Duration;

use super::physics::Physics;
use super::profile::{
    IecSpeech, Mc66Field, ModeDSpeech, Profile, ReadoutLine, RegisterSpec, SmlSpeech,
};
use crate::iec::{Address, DataLine, DataValue, encode_readout};
use crate::kmp::{Number, Register, Request, Response};
use crate::sml::{Body, Entry, File, Message, Value, ValueList, encode_frame};

/// The KMP response to `request`.
pub(super) fn kmp(
    profile: Profile,
    physics: &mut Physics,
    request: &Request,
    elapsed: Duration,
) -> Response {
    match request {
        Request::GetType => Response::Type(profile.meter_type()),
        Request::GetSerialNo => Response::SerialNo(profile.serial()),
        Request::GetRegister(ids) => {
            // Registers the meter does not have are left out of the answer (docs/protocols.md §4).
            let registers = ids
                .as_slice()
                .iter()
                .filter_map(|&id| profile.register(id))
                .filter_map(|spec| register(physics, spec, elapsed))
                .collect();
            Response::Registers(registers)
        }
    }
}

/// One register block, its value rounded to the register's resolution and clamped to what its
/// mantissa length holds.
fn register(physics: &mut Physics, spec: &RegisterSpec, elapsed: Duration) -> Option<Register> {
    register_with(spec, physics.value(spec.quantity, spec.unit, elapsed))
}

/// The register block of `spec` holding `value`, rounded and clamped as [`register`] does.
pub(super) fn register_with(spec: &RegisterSpec, value: f64) -> Option<Register> {
    let scaled = (value.abs() / 10f64.powi(i32::from(spec.exponent))).round();
    let max = if spec.len >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * u32::from(spec.len))) - 1
    };
    let mantissa = if scaled.is_finite() {
        (scaled as u128).min(max)
    } else {
        0
    };
    let number = Number::new(value < 0.0, mantissa, spec.exponent).ok()?;
    Register::from_number(spec.id, spec.unit, number, spec.len).ok()
}

/// The identification line: `/`, the identification, CR LF.
pub(super) fn identification(speech: &IecSpeech) -> Vec<u8> {
    format!("/{}\r\n", speech.ident).into_bytes()
}

/// The data readout block, with the check character the meter computes.
pub(super) fn readout(speech: &IecSpeech, physics: &mut Physics, elapsed: Duration) -> Vec<u8> {
    encode_readout(&data_lines(speech.readout, physics, elapsed), speech.bcc)
}

/// A pushed mode D telegram: the identification, an empty line, the data lines and `!`, with no
/// check character, as most such meters send it.
pub(super) fn mode_d_telegram(
    speech: &ModeDSpeech,
    physics: &mut Physics,
    elapsed: Duration,
) -> Vec<u8> {
    let mut text = format!("/{}\r\n\r\n", speech.ident);
    for line in data_lines(speech.lines, physics, elapsed) {
        text.push_str(&line.text());
        text.push_str("\r\n");
    }
    text.push_str("!\r\n");
    text.into_bytes()
}

/// The data lines of `lines`, their values from the physics.
fn data_lines(lines: &[ReadoutLine], physics: &mut Physics, elapsed: Duration) -> Vec<DataLine> {
    lines
        .iter()
        .filter_map(|line| {
            let value = physics.value(line.quantity, line.unit, elapsed);
            let mut values = vec![DataValue {
                text: digits(value, line.decimals, line.width),
                unit: line.unit_text.map(str::to_string),
            }];
            values.extend(line.then.map(|text| DataValue {
                text: text.to_string(),
                unit: None,
            }));
            // The profile's addresses are valid; a bad one would drop its line, not the readout.
            let address: Address = line.address.parse().ok()?;
            Some(DataLine { address, values })
        })
        .collect()
}

/// The `/#1` answer: each field's digits, spaces between, CR LF.
pub(super) fn mc66(fields: &[Mc66Field], physics: &mut Physics, elapsed: Duration) -> Vec<u8> {
    let digits: Vec<String> = fields
        .iter()
        .map(|field| {
            let value = physics.value(field.quantity, field.unit, elapsed);
            digits(
                value / 10f64.powi(i32::from(field.exponent)),
                0,
                field.width,
            )
        })
        .collect();
    format!("{}\r\n", digits.join(" ")).into_bytes()
}

/// `value` (never negative: these meters send no sign) with `decimals` digits after the point,
/// zero-padded on the left to `width` characters and clamped to the largest that fits.
fn digits(value: f64, decimals: u8, width: u8) -> String {
    let decimals = usize::from(decimals);
    let width = usize::from(width);
    let whole_digits = width
        .saturating_sub(decimals + usize::from(decimals > 0))
        .max(1);
    let largest = 10f64.powi(whole_digits as i32) - 10f64.powi(-(decimals as i32));
    let value = if value.is_finite() {
        value.clamp(0.0, largest)
    } else {
        0.0
    };
    format!("{value:0width$.decimals$}")
}

/// A pushed SML telegram, framed: the open response, the value list and the close response,
/// their transactions numbered by `count`. Locked with its PIN (`pin_locked`), the meter sends
/// only the energy registers, in whole kWh, as the public dumps of such meters show.
pub(super) fn sml_telegram(
    speech: &SmlSpeech,
    physics: &mut Physics,
    elapsed: Duration,
    pin_locked: bool,
    count: u32,
) -> Vec<u8> {
    let entries = speech
        .lines
        .iter()
        .filter(|line| !pin_locked || line.dlms_unit == WH)
        .map(|line| {
            let value =
                physics.value(line.quantity, line.unit, elapsed) * f64::from(line.share) / 100.0;
            let (scaler, value) = if pin_locked {
                (0, (value / 1000.0).round() * 1000.0)
            } else {
                (line.scaler, value)
            };
            let scaled = (value / 10f64.powi(i32::from(scaler))).round();
            Entry {
                name: line.obis.to_vec(),
                status: None,
                unit: Some(line.dlms_unit),
                scaler: Some(scaler),
                // Energy counts up and is unsigned; power may run backwards.
                value: if line.dlms_unit == WH {
                    Value::UInt(scaled.max(0.0) as u64, 8)
                } else {
                    Value::Int(scaled as i64, 4)
                },
            }
        })
        .collect();
    let server_id = speech.server_id.to_vec();
    let message = |step: u8, body| Message {
        transaction_id: [&count.to_be_bytes()[..], &[step]].concat(),
        group: 0,
        abort_on_error: 0,
        body,
    };
    let file = File {
        messages: vec![
            message(
                1,
                Body::OpenResponse {
                    file_id: count.to_be_bytes().to_vec(),
                    server_id: server_id.clone(),
                },
            ),
            message(
                2,
                Body::GetListResponse(ValueList {
                    server_id,
                    name: None,
                    entries,
                }),
            ),
            message(3, Body::CloseResponse),
        ],
    };
    encode_frame(&file.encode())
}

/// The DLMS unit code of Wh.
const WH: u8 = 30;

#[cfg(test)]
mod tests {
    use super::digits;

    #[test]
    fn digits_are_padded_rounded_and_clamped() {
        assert_eq!(digits(12_345.678_4, 3, 11), "0012345.678");
        assert_eq!(digits(7.0, 0, 4), "0007");
        assert_eq!(digits(123_456.0, 0, 4), "9999");
        assert_eq!(digits(-3.0, 1, 5), "000.0");
        assert_eq!(digits(f64::NAN, 2, 6), "000.00");
    }
}
