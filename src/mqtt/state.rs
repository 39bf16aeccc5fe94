//! What one poll publishes: a JSON object on `PREFIX/DEVICE/state` with the poll's time (UTC)
//! and each register under a key that stays the same from poll to poll, with its value as a
//! number and as the exact decimal string the meter sent, and its unit. The time lets a
//! consumer drop the duplicate that at-least-once delivery may bring.

use jiff::Timestamp;
use serde_json::{Map, json};

use crate::kmp::{MeterType, Register, Value};
use crate::model::{RegisterKey, TextReading};
use crate::protocol::Protocol;

/// The meter a publisher speaks for, and the topics it publishes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Its identifier in topics: the serial number, or the identification of a meter that has
    /// none; letters, digits, `-` and `_` only.
    pub id: String,
    /// Its maker, when known.
    pub manufacturer: Option<String>,
    /// Its model as far as it told: the meter type, the identification.
    pub model: Option<String>,
    /// Its serial number, when it told.
    pub serial: Option<String>,
    /// The topics' prefix.
    pub prefix: String,
}

/// What a meter told of itself, for naming it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Told<'a> {
    /// The protocol it answered in.
    pub protocol: Option<Protocol>,
    /// Its serial number (KMP GetSerialNo).
    pub serial: Option<u32>,
    /// Its meter type (KMP GetType).
    pub meter_type: Option<MeterType>,
    /// Its identification: an IEC identification line, an SML server ID.
    pub identification: Option<&'a str>,
}

impl Device {
    /// The meter that told `told`, on `port`, publishing under `prefix`: named by its serial
    /// number, else by its identification, else by its port.
    pub fn new(told: Told<'_>, port: &str, prefix: &str) -> Self {
        let serial = told.serial.map(|serial| serial.to_string());
        let manufacturer = match (told.protocol, told.identification) {
            (Some(Protocol::Kmp | Protocol::Mc66), _) => Some("Kamstrup".to_string()),
            // An IEC identification starts with the maker's three-letter flag (`KAM`, `LGZ`).
            (Some(Protocol::Iec), Some(ident)) => ident.get(..3).map(|flag| {
                if flag.eq_ignore_ascii_case("KAM") {
                    "Kamstrup".to_string()
                } else {
                    flag.to_string()
                }
            }),
            _ => None,
        };
        let model = match (told.meter_type, told.identification) {
            (Some(meter_type), _) => Some(format!("meter type 0x{:04X}", meter_type.meter_type)),
            (None, Some(ident)) => Some(ident.to_string()),
            (None, None) => None,
        };
        let id = Self::topic_id(
            serial
                .as_deref()
                .or(told.identification)
                .unwrap_or_else(|| port.rsplit('/').next().unwrap_or(port)),
        );
        Self {
            id,
            manufacturer,
            model,
            serial,
            prefix: prefix.to_string(),
        }
    }

    /// `text` as a topic level: letters, digits, `-` and `_`, everything else `_`.
    pub fn topic_id(text: &str) -> String {
        let id: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if id.is_empty() { "meter".into() } else { id }
    }

    /// Where each poll's values go.
    pub fn state_topic(&self) -> String {
        format!("{}/{}/state", self.prefix, self.id)
    }

    /// Where `online` and `offline` go (the will says `offline`).
    pub fn availability_topic(&self) -> String {
        format!("{}/{}/availability", self.prefix, self.id)
    }
}

/// The key a register has in the state object: `kmp_68`, `obis_1_8_0`, `mc66_e1`.
pub fn key(register: RegisterKey) -> String {
    let (kind, name) = match register {
        RegisterKey::Kmp(id) => ("kmp", id.value().to_string()),
        RegisterKey::Obis(address) => ("obis", address.to_string()),
        RegisterKey::Field(field) => ("mc66", field.name().to_string()),
    };
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{kind}_{}", name.to_ascii_lowercase())
}

/// One value of a poll: its register, its name, its exact text and whether it is a number,
/// and its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolledValue {
    /// The register.
    pub key: RegisterKey,
    /// Its name.
    pub name: String,
    /// The exact decimal text, or the value as sent when it is no number.
    pub text: String,
    /// Whether `text` is a number.
    pub number: bool,
    /// Its unit; empty when none.
    pub unit: String,
}

impl PolledValue {
    /// A KMP register as read, called `name`; none when its value is too long to write.
    pub fn of_register(register: &Register, name: String) -> Option<Self> {
        Some(Self {
            key: RegisterKey::Kmp(register.id()),
            name,
            number: matches!(register.value(), Value::Number(_)),
            text: register.value_text()?,
            unit: register.unit().symbol().to_string(),
        })
    }

    /// A value of a readout or telegram, called `name`.
    pub fn of_reading(reading: &TextReading, name: String) -> Self {
        Self {
            key: reading.key,
            name,
            number: reading.number.is_some(),
            text: reading.value(),
            unit: reading.unit.clone(),
        }
    }
}

/// The state payload of the poll at `at`.
pub fn payload(at: Timestamp, values: &[PolledValue]) -> Vec<u8> {
    let mut object = Map::new();
    object.insert(
        "time".into(),
        json!(at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
    );
    for value in values {
        let number = if value.number {
            value
                .text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(serde_json::Value::Null, serde_json::Value::Number)
        } else {
            serde_json::Value::Null
        };
        object.insert(
            key(value.key),
            json!({
                "name": value.name,
                "value": number,
                "text": value.text,
                "unit": value.unit,
            }),
        );
    }
    serde_json::Value::Object(object).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_is_one_object_with_each_value_as_a_number_and_as_sent() {
        let values = [
            PolledValue {
                key: "68".parse().unwrap(),
                name: "V1 volume".into(),
                text: "123.450".into(),
                number: true,
                unit: "m³".into(),
            },
            PolledValue {
                key: "1-0:1.8.0*255".parse().unwrap(),
                name: "active energy import".into(),
                text: "23456.781".into(),
                number: true,
                unit: "kWh".into(),
            },
            PolledValue {
                key: "0.9.2".parse().unwrap(),
                name: "date".into(),
                text: "261207".into(),
                number: false,
                unit: String::new(),
            },
        ];
        let at = Timestamp::from_millisecond(1_796_672_448_642).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&payload(at, &values)).unwrap();
        assert_eq!(json["time"], "2026-12-07T19:40:48.642Z");
        assert_eq!(json["kmp_68"]["value"], 123.45);
        assert_eq!(json["kmp_68"]["text"], "123.450");
        assert_eq!(json["kmp_68"]["unit"], "m³");
        assert_eq!(json["obis_1_0_1_8_0_255"]["value"], 23456.781);
        assert_eq!(json["obis_0_9_2"]["value"], serde_json::Value::Null);
        assert_eq!(json["obis_0_9_2"]["text"], "261207");
    }

    #[test]
    fn topics_are_built_of_safe_levels() {
        assert_eq!(Device::topic_id("KAM5MC403 #1/2"), "KAM5MC403__1_2");
        assert_eq!(Device::topic_id(""), "meter");
        let device = Device {
            id: "70000001".into(),
            manufacturer: None,
            model: None,
            serial: None,
            prefix: "home/meters".into(),
        };
        assert_eq!(device.state_topic(), "home/meters/70000001/state");
        assert_eq!(
            device.availability_topic(),
            "home/meters/70000001/availability"
        );
    }
}
