//! Values read in the text protocols and from pushed SML telegrams: the data lines of an IEC
//! 62056-21 readout, the fields of a `/#1` answer and the entries of an SML value list, each kept
//! as sent beside its exact number.

use crate::iec::{DataLine, Readout};
use crate::kmp::Number;
use crate::{mc66, sml};

use super::RegisterKey;

/// One value of a text protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextReading {
    /// Its OBIS code or `/#1` field.
    pub key: RegisterKey,
    /// Its unit as the meter wrote it (`kWh`), or the field's; empty when it has none.
    pub unit: String,
    /// The value, exact, when it is a number (dates, times and codes are not).
    pub number: Option<Number>,
    /// The value as sent: `0012345.678`, the field's digits.
    pub text: String,
    /// What the meter sent for it: the data line (`1.8.0(0012345.678*kWh)`), the field's digits.
    pub raw: String,
    /// Whether the value's scale is an assumption (`/#1` fields the sources disagree on).
    pub assumed_scale: bool,
    /// The full OBIS code of a value from an SML telegram (whose `raw` is then `OBIS VALUE
    /// UNIT`, no data line): the journal keeps SML values apart, exactly.
    pub sml: Option<sml::Obis>,
}

impl TextReading {
    /// The data lines of a readout, in the order sent.
    pub fn from_readout(readout: &Readout) -> Vec<Self> {
        readout.lines.iter().map(Self::from_line).collect()
    }

    /// One data line; its first value is its value.
    pub fn from_line(line: &DataLine) -> Self {
        let first = line.values.first();
        Self {
            key: RegisterKey::Obis(line.address),
            unit: first
                .and_then(|value| value.unit.clone())
                .unwrap_or_default(),
            number: first.and_then(|value| value.number()),
            text: first.map(|value| value.text.clone()).unwrap_or_default(),
            raw: line.text(),
            assumed_scale: false,
            sml: None,
        }
    }

    /// A `/#1` field from its digits as sent.
    pub fn from_field(field: mc66::Field, digits: &str) -> Option<Self> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = Number::new(false, digits.parse().ok()?, field.exponent()).ok()?;
        Some(Self {
            key: RegisterKey::Field(field),
            unit: field.unit().to_string(),
            number: Some(number),
            text: digits.to_string(),
            raw: digits.to_string(),
            assumed_scale: field.assumed(),
            sml: None,
        })
    }

    /// The entries of an SML telegram that carry an OBIS code, in the order sent, keyed by the
    /// code's short form (`1.8.0`) as readouts write it; a value that is no number (a
    /// manufacturer's name) is kept as hex.
    pub fn from_sml(file: &sml::File) -> Vec<Self> {
        file.entries()
            .filter_map(|entry| {
                let number = entry.number();
                let text = match (&number, &entry.value) {
                    (Some(number), _) => number.to_string(),
                    (None, sml::Value::Bytes(bytes)) => crate::kmp::to_hex(bytes),
                    (None, other) => format!("{other:?}"),
                };
                let unit = entry.unit_symbol().unwrap_or_default();
                Self::from_sml_entry(entry.obis()?, number, text, unit)
            })
            .collect()
    }

    /// One SML entry: its OBIS code, its number (the scaler its exponent) or its text, its
    /// unit's symbol.
    pub fn from_sml_entry(
        obis: sml::Obis,
        number: Option<Number>,
        text: String,
        unit: &str,
    ) -> Option<Self> {
        Some(Self {
            key: RegisterKey::Obis(obis.short().parse().ok()?),
            raw: format!("{obis} {text} {unit}").trim_end().to_string(),
            unit: unit.to_string(),
            number,
            text,
            assumed_scale: false,
            sml: Some(obis),
        })
    }

    /// The fields of a `/#1` answer, in the order sent.
    pub fn from_mc66(answer: &mc66::Answer) -> Vec<Self> {
        answer
            .readings
            .iter()
            .map(|reading| Self {
                key: RegisterKey::Field(reading.field),
                unit: reading.field.unit().to_string(),
                number: Some(reading.number),
                text: reading.digits.clone(),
                raw: reading.digits.clone(),
                assumed_scale: reading.field.assumed(),
                sml: None,
            })
            .collect()
    }

    /// The value as the command line and CSV write it: the exact number (`12345.678`), or the
    /// text as sent.
    pub fn value(&self) -> String {
        self.number
            .map_or_else(|| self.text.clone(), |number| number.to_string())
    }

    /// The value with its unit: `12345.678 kWh`.
    pub fn display(&self) -> String {
        if self.unit.is_empty() {
            self.value()
        } else {
            format!("{} {}", self.value(), self.unit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iec::bcc_xor;

    #[test]
    fn readout_lines_keep_their_text_and_exact_values() {
        let mut block = b"\x021.8.0(0012345.678*kWh)\r\n0.9.1(12:00:05)\r\n1.6.0(00.560*kW)(26-01-01 12:00)\r\n!\r\n\x03".to_vec();
        block.push(bcc_xor(&block[1..]));
        let readings = TextReading::from_readout(&Readout::decode(&block).unwrap());
        assert_eq!(readings[0].key.to_string(), "1.8.0");
        assert_eq!(readings[0].display(), "12345.678 kWh");
        assert_eq!(readings[0].raw, "1.8.0(0012345.678*kWh)");
        assert_eq!(readings[1].number, None);
        assert_eq!(readings[1].value(), "12:00:05");
        assert_eq!(readings[2].value(), "0.560");
        assert_eq!(readings[2].raw, "1.6.0(00.560*kW)(26-01-01 12:00)");
    }

    #[test]
    fn mc66_fields_keep_their_digits_and_mark_the_disputed_scales() {
        let answer =
            mc66::Answer::decode(b"0123456 0045678 0012345 6811 4012 2799 0123 0456 0078 0\r\n")
                .unwrap();
        let readings = TextReading::from_mc66(&answer);
        assert_eq!(readings[0].display(), "123.456 GJ");
        assert_eq!(readings[1].raw, "0045678");
        assert!(readings[1].assumed_scale && !readings[0].assumed_scale);
        assert_eq!(readings[3].display(), "68.11 °C");
    }
}
