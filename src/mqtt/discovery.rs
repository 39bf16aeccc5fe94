//! Home Assistant MQTT discovery: one retained config per register on
//! `DISCOVERY/sensor/DEVICE/KEY/config`, from which Home Assistant builds a sensor of the
//! meter's device, reading its value out of the state object ([`super::state`]) and going
//! unavailable with the availability topic. The device class and state class come from the
//! unit; a unit this cannot classify gets neither rather than a wrong one.

use serde_json::{Map, Value, json};

use super::state::{Device, PolledValue, key};

/// Home Assistant's discovery prefix unless another is given.
pub const DEFAULT_DISCOVERY_PREFIX: &str = "homeassistant";

/// How Home Assistant classifies a unit: its device class, its state class, and the unit as
/// Home Assistant writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classes {
    /// The device class.
    pub device: &'static str,
    /// The state class: `total_increasing` for a meter's counters, `measurement` otherwise.
    pub state: &'static str,
    /// The unit in Home Assistant's spelling (`L/h` for the meter's `l/h`).
    pub unit: &'static str,
}

/// The classes of a value in `unit`, when Home Assistant has them.
pub fn classes(unit: &str) -> Option<Classes> {
    const ENERGY: &str = "energy";
    const COUNTER: &str = "total_increasing";
    const NOW: &str = "measurement";
    let (device, state, unit) = match unit {
        "Wh" => (ENERGY, COUNTER, "Wh"),
        "kWh" => (ENERGY, COUNTER, "kWh"),
        "MWh" => (ENERGY, COUNTER, "MWh"),
        "MJ" => (ENERGY, COUNTER, "MJ"),
        "GJ" => (ENERGY, COUNTER, "GJ"),
        "m³" => ("water", COUNTER, "m³"),
        "l" => ("water", COUNTER, "L"),
        "W" => ("power", NOW, "W"),
        "kW" => ("power", NOW, "kW"),
        "°C" => ("temperature", NOW, "°C"),
        "K" => ("temperature", NOW, "K"),
        "m³/h" => ("volume_flow_rate", NOW, "m³/h"),
        "l/h" => ("volume_flow_rate", NOW, "L/h"),
        "l/min" => ("volume_flow_rate", NOW, "L/min"),
        "h" => ("duration", COUNTER, "h"),
        "V" => ("voltage", NOW, "V"),
        "A" => ("current", NOW, "A"),
        _ => return None,
    };
    Some(Classes {
        device,
        state,
        unit,
    })
}

/// The topic and retained payload of `value`'s discovery config.
pub fn config(discovery: &str, device: &Device, value: &PolledValue) -> (String, Vec<u8>) {
    let key = key(value.key);
    let node = format!("kmp_workbench_{}", device.id);
    let mut config = Map::new();
    config.insert("name".into(), json!(value.name));
    config.insert("unique_id".into(), json!(format!("{node}_{key}")));
    config.insert("state_topic".into(), json!(device.state_topic()));
    config.insert(
        "value_template".into(),
        json!(if value.number {
            format!("{{{{ value_json.{key}.value }}}}")
        } else {
            format!("{{{{ value_json.{key}.text }}}}")
        }),
    );
    config.insert(
        "availability_topic".into(),
        json!(device.availability_topic()),
    );
    match classes(&value.unit).filter(|_| value.number) {
        Some(classes) => {
            config.insert("unit_of_measurement".into(), json!(classes.unit));
            config.insert("device_class".into(), json!(classes.device));
            config.insert("state_class".into(), json!(classes.state));
        }
        None if !value.unit.is_empty() => {
            config.insert("unit_of_measurement".into(), json!(value.unit));
        }
        None => {}
    }
    let mut about = Map::new();
    about.insert("identifiers".into(), json!([node]));
    about.insert(
        "name".into(),
        json!(match (&device.manufacturer, &device.model) {
            // An IEC meter is named by its identification, which is its model too.
            (Some(maker), Some(model)) if *model == device.id => format!("{maker} {model}"),
            (Some(maker), Some(model)) => format!("{maker} {model} {}", device.id),
            (Some(maker), None) => format!("{maker} meter {}", device.id),
            _ => format!("meter {}", device.id),
        }),
    );
    for (name, field) in [
        ("manufacturer", &device.manufacturer),
        ("model", &device.model),
        ("serial_number", &device.serial),
    ] {
        if let Some(text) = field {
            about.insert(name.into(), json!(text));
        }
    }
    about.insert(
        "sw_version".into(),
        json!(concat!("kmp-workbench ", env!("CARGO_PKG_VERSION"))),
    );
    config.insert("device".into(), Value::Object(about));
    (
        format!("{discovery}/sensor/{node}/{key}/config"),
        Value::Object(config).to_string().into_bytes(),
    )
}

#[cfg(test)]
mod tests;
