//! The JSON shapes of the command-line contract.

use serde::Serialize;

use kmp_workbench::kmp::register::lookup;
use kmp_workbench::kmp::{Family, Register, to_hex};
use kmp_workbench::link::port::SIM_PREFIX;
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

/// The register names of a simulated meter's family; real meters use the heat and water names.
pub fn family_of(port: &str) -> Option<Family> {
    port.strip_prefix(SIM_PREFIX)
        .and_then(|name| name.parse::<Profile>().ok())
        .map(Profile::family)
}
