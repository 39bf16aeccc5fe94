use serde_json::Value;

use super::*;

fn device() -> Device {
    Device {
        id: "70000001".into(),
        manufacturer: Some("Kamstrup".into()),
        model: Some("meter type 0x0303".into()),
        serial: Some("70000001".into()),
        prefix: "kmp-workbench".into(),
    }
}

fn value(key: &str, name: &str, unit: &str) -> PolledValue {
    PolledValue {
        key: key.parse().unwrap(),
        name: name.into(),
        text: "1.5".into(),
        number: true,
        unit: unit.into(),
    }
}

fn config_of(value: &PolledValue) -> (String, Value) {
    let (topic, payload) = config("homeassistant", &device(), value);
    (topic, serde_json::from_slice(&payload).unwrap())
}

#[test]
fn a_register_is_a_sensor_of_the_meters_device_reading_its_value_from_the_state() {
    let (topic, config) = config_of(&value("68", "V1 volume", "m³"));
    assert_eq!(
        topic,
        "homeassistant/sensor/kmp_workbench_70000001/kmp_68/config"
    );
    assert_eq!(config["name"], "V1 volume");
    assert_eq!(config["unique_id"], "kmp_workbench_70000001_kmp_68");
    assert_eq!(config["state_topic"], "kmp-workbench/70000001/state");
    assert_eq!(config["value_template"], "{{ value_json.kmp_68.value }}");
    assert_eq!(
        config["availability_topic"],
        "kmp-workbench/70000001/availability"
    );
    assert_eq!(config["unit_of_measurement"], "m³");
    assert_eq!(config["device_class"], "water");
    assert_eq!(config["state_class"], "total_increasing");
    let about = &config["device"];
    assert_eq!(about["identifiers"][0], "kmp_workbench_70000001");
    assert_eq!(about["manufacturer"], "Kamstrup");
    assert_eq!(about["serial_number"], "70000001");
    assert_eq!(about["name"], "Kamstrup meter type 0x0303 70000001");
}

#[test]
fn each_unit_gets_its_classes_and_an_unknown_one_none() {
    for (unit, device_class, state_class, written) in [
        ("kWh", "energy", "total_increasing", "kWh"),
        ("GJ", "energy", "total_increasing", "GJ"),
        ("MWh", "energy", "total_increasing", "MWh"),
        ("W", "power", "measurement", "W"),
        ("kW", "power", "measurement", "kW"),
        ("°C", "temperature", "measurement", "°C"),
        ("l/h", "volume_flow_rate", "measurement", "L/h"),
        ("m³/h", "volume_flow_rate", "measurement", "m³/h"),
        ("h", "duration", "total_increasing", "h"),
    ] {
        let (_, config) = config_of(&value("60", "x", unit));
        assert_eq!(config["device_class"], device_class, "{unit}");
        assert_eq!(config["state_class"], state_class, "{unit}");
        assert_eq!(config["unit_of_measurement"], written, "{unit}");
    }
    // A unit Home Assistant has no class for keeps its unit and gets no class.
    let (_, config) = config_of(&value("1001", "serial number", "bar"));
    assert_eq!(config["unit_of_measurement"], "bar");
    assert!(config.get("device_class").is_none());
    assert!(config.get("state_class").is_none());
    // A value that is no number is shown as sent.
    let mut date = value("0.9.2", "date", "");
    date.number = false;
    let (_, config) = config_of(&date);
    assert_eq!(config["value_template"], "{{ value_json.obis_0_9_2.text }}");
    assert!(config.get("unit_of_measurement").is_none());
}
