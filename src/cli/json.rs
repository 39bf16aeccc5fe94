//! The JSON shapes of the command-line contract.

use serde::Serialize;

use kmp_workbench::iec;
use kmp_workbench::kmp::register::lookup;
use kmp_workbench::kmp::{Family, Register, RegisterId, to_hex};
use kmp_workbench::link::port::SIM_PREFIX;
use kmp_workbench::model::{RegisterKey, TextReading};
use kmp_workbench::sim::Profile;

/// The register object every command prints:
/// `{"id":68,"id_hex":"0x0044","name":"V1 volume","unit":"m³","unit_code":40,"value":"8.541",…}`.
#[derive(Debug, Serialize)]
pub struct RegisterObject {
    pub id: u16,
    pub id_hex: String,
    pub name: Option<&'static str>,
    pub unit: &'static str,
    pub unit_code: u8,
    pub value: Option<String>,
    pub display: String,
    pub raw: String,
}

impl RegisterObject {
    /// The object for `register`, named from `family`'s catalogue (`None`: heat and water).
    pub fn new(register: &Register, family: Option<Family>) -> Self {
        let id = register.id();
        Self {
            id: id.value(),
            id_hex: id.hex(),
            name: lookup(family, id).map(|info| info.name),
            unit: register.unit().symbol(),
            unit_code: register.unit().code(),
            value: register.value_text(),
            display: register.display_text(),
            raw: to_hex(&register.raw()),
        }
    }
}

/// A register a logger holds, as its configuration lists it: `{"id":60,"name":"E1 heat energy"}`.
#[derive(Debug, Serialize)]
pub struct HeldRegister {
    pub id: u16,
    pub name: Option<&'static str>,
}

impl HeldRegister {
    /// The object for `id`, named from `family`'s catalogue (`None`: heat and water).
    pub fn new(id: RegisterId, family: Option<Family>) -> Self {
        Self {
            id: id.value(),
            name: lookup(family, id).map(|info| info.name),
        }
    }
}

/// The register object of a text protocol's value: `obis` (IEC 62056-21) or `field` (`/#1`) in
/// place of `id`, `id_hex` and `unit_code`, `raw` the data line or the digits as sent.
#[derive(Debug, Serialize)]
pub struct TextRegisterObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    pub name: Option<String>,
    pub unit: String,
    pub value: Option<String>,
    pub display: String,
    pub raw: String,
}

impl TextRegisterObject {
    /// The object for `reading`.
    pub fn new(reading: &TextReading) -> Self {
        let (obis, field, name) = match reading.key {
            RegisterKey::Obis(address) => (
                Some(address.to_string()),
                None,
                iec::name(&address).map(str::to_string),
            ),
            RegisterKey::Field(field) => {
                (None, Some(field.name()), Some(field.label().to_string()))
            }
            RegisterKey::Kmp(id) => (None, None, Some(id.to_string())),
        };
        Self {
            obis,
            field,
            name,
            unit: reading.unit.clone(),
            value: Some(reading.value()),
            display: reading.display(),
            raw: reading.raw.clone(),
        }
    }
}

/// The register names of a simulated meter's family; real meters use the heat and water names.
pub fn family_of(port: &str) -> Option<Family> {
    port.strip_prefix(SIM_PREFIX)
        .and_then(|name| name.parse::<Profile>().ok())
        .map(Profile::family)
}
