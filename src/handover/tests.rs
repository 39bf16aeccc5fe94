use std::time::Duration;

use super::*;

fn kmp_meter() -> Proven {
    Proven {
        port: Sourced::given("/dev/ttyUSB0".to_string()),
        protocol: Protocol::Kmp,
        push: false,
        line: Sourced::measured(LineSettings::KMP),
        asked_at: None,
        echo: Sourced::measured(false),
        address: Some(Sourced::measured(0x3F)),
        identification: None,
        switch_to: None,
        registers: vec![
            ProvenRegister {
                key: "68".parse().unwrap(),
                name: "V1 volume".into(),
                unit: "m³".into(),
                exponent: Some(-3),
            },
            ProvenRegister {
                key: "74".parse().unwrap(),
                name: "flow V1".into(),
                unit: "l/h".into(),
                exponent: Some(0),
            },
        ],
        interval: Sourced::default_value(Duration::from_secs(300)),
    }
}

fn mode_d_meter() -> Proven {
    Proven {
        protocol: Protocol::Iec,
        push: true,
        line: Sourced::measured(LineSettings::iec(1).at(9600)),
        echo: Sourced::default_value(false),
        address: None,
        identification: Some("SIM5MODED".into()),
        registers: vec![ProvenRegister {
            key: "1-0:1.8.0*255".parse().unwrap(),
            name: "active energy import".into(),
            unit: "kWh".into(),
            exponent: Some(-3),
        }],
        interval: Sourced::given(Duration::from_secs(10)),
        ..kmp_meter()
    }
}

#[test]
fn pykmp_gets_the_command_line_with_the_address_and_registers_and_says_where_each_came_from() {
    let text = write(Target::Pykmp, &kmp_meter()).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        "pykmp-tool --serial-device /dev/ttyUSB0 --destination-address 63 get-register \
         --register 68 --register 74 --json"
    );
    assert!(text.contains("#   line: 1200 8N2 (measured)"), "{text}");
    assert!(
        text.contains("#   interval: 5min (a default: check it)"),
        "{text}"
    );
    assert!(text.contains("#   register 68: V1 volume [m³] (measured: it answered)"));
}

#[test]
fn pykmp_refuses_an_echo_another_rate_and_other_protocols_saying_why() {
    let echoing = Proven {
        echo: Sourced::measured(true),
        ..kmp_meter()
    };
    let error = write(Target::Pykmp, &echoing).unwrap_err();
    assert!(error.why.contains("echo"), "{error}");
    let fast = Proven {
        line: Sourced::measured(LineSettings::KMP.at(2400)),
        ..kmp_meter()
    };
    assert!(
        write(Target::Pykmp, &fast)
            .unwrap_err()
            .why
            .contains("2400")
    );
    let error = write(Target::Pykmp, &mode_d_meter()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "pykmp cannot read this meter: it speaks KMP only, and this meter speaks IEC 62056-21; \
         smartmeter-obis, vzlogger, tasmota and ser2net can"
    );
}

#[test]
fn a_port_with_spaces_is_one_shell_word() {
    let meter = Proven {
        port: Sourced::given("/dev/serial/by-id/usb-my head".to_string()),
        ..kmp_meter()
    };
    let text = write(Target::Pykmp, &meter).unwrap();
    assert!(text.contains("--serial-device '/dev/serial/by-id/usb-my head' "));
}

#[test]
fn ser2net_serves_the_device_at_the_settings_the_meter_is_asked_at() {
    let text = write(Target::Ser2net, &kmp_meter()).unwrap();
    assert!(
        text.contains("  connector: serialdev,/dev/ttyUSB0,1200n82,local\n"),
        "{text}"
    );
    assert!(text.contains("  accepter: telnet(rfc2217),tcp,2000\n"));
    let sign_on = Proven {
        asked_at: Some(LineSettings::iec(2)),
        line: Sourced::measured(LineSettings::iec(1)),
        protocol: Protocol::Iec,
        ..kmp_meter()
    };
    let text = write(Target::Ser2net, &sign_on).unwrap();
    assert!(
        text.contains("serialdev,/dev/ttyUSB0,300e72,local"),
        "{text}"
    );
    assert!(text.contains("#   asked at: 300 7E2 (measured)"));
}

#[test]
fn smartmeter_obis_listens_to_a_pushing_meter_and_refuses_kmp() {
    let text = write(Target::SmartmeterObis, &mode_d_meter()).unwrap();
    let options: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(options["protocol"], "D0Protocol");
    assert_eq!(options["transport"], "SerialResponseTransport");
    assert_eq!(options["transportSerialBaudrate"], 9600);
    assert_eq!(options["transportSerialDataBits"], 7);
    assert_eq!(options["transportSerialParity"], "even");
    assert_eq!(options["transportSerialStopBits"], 1);
    assert_eq!(options["requestInterval"], 10);
    let notes = options["_handedOver"].as_array().unwrap();
    assert!(notes.iter().any(|note| note == "identification: SIM5MODED"));
    let error = write(Target::SmartmeterObis, &kmp_meter()).unwrap_err();
    assert!(
        error
            .why
            .ends_with("esphome, pykmp, tasmota and ser2net can"),
        "{error}"
    );
}

#[test]
fn esphome_names_the_registers_kamstrup_kmp_knows_and_asks_the_others_by_command() {
    let mut meter = kmp_meter();
    meter.registers.push(ProvenRegister {
        key: "1004".parse().unwrap(),
        name: "hour counter".into(),
        unit: "h".into(),
        exponent: Some(0),
    });
    let text = write(Target::Esphome, &meter).unwrap();
    for expected in [
        "  baud_rate: 1200\n  data_bits: 8\n  parity: NONE\n  stop_bits: 2\n",
        "  - platform: kamstrup_kmp\n    uart_id: head\n    update_interval: 300s\n",
        "    volume:\n      name: \"V1 volume\"\n      unit_of_measurement: \"m³\"\n",
        "    flow:\n      name: \"flow V1\"\n",
        "    custom:\n      - command: 0x03EC\n        name: \"hour counter\"\n",
        "  tx_pin: GPIO17  # placeholder",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
}

#[test]
fn esphome_refuses_what_kamstrup_kmp_cannot_do_and_iec() {
    for (meter, why) in [
        (
            Proven {
                echo: Sourced::measured(true),
                ..kmp_meter()
            },
            "echo",
        ),
        (
            Proven {
                address: Some(Sourced::measured(0x7F)),
                ..kmp_meter()
            },
            "0x7F",
        ),
        (
            Proven {
                line: Sourced::measured(LineSettings::KMP.at(2400)),
                ..kmp_meter()
            },
            "2400",
        ),
        (mode_d_meter(), "no component for IEC 62056-21"),
    ] {
        let error = write(Target::Esphome, &meter).unwrap_err();
        assert!(error.why.contains(why), "{error}");
    }
}

#[test]
fn esphome_reads_a_pushing_sml_meter_by_full_obis_codes_with_no_transmitter() {
    let meter = Proven {
        protocol: Protocol::Sml,
        line: Sourced::measured(LineSettings::SML),
        registers: vec![ProvenRegister {
            key: "1.8.0".parse().unwrap(),
            name: "active energy import".into(),
            unit: "Wh".into(),
            exponent: Some(-1),
        }],
        ..mode_d_meter()
    };
    let text = write(Target::Esphome, &meter).unwrap();
    assert!(text.contains("    obis_code: \"1-0:1.8.0\"\n"), "{text}");
    assert!(!text.contains("tx_pin"), "{text}");
}

#[test]
fn esphome_scales_what_its_sml_sensor_leaves_unscaled_and_shows_a_server_id_as_text() {
    let mut meter = sml_meter();
    meter.registers.push(ProvenRegister {
        key: "0-0:96.1.0*255".parse().unwrap(),
        name: "server ID".into(),
        unit: String::new(),
        exponent: None,
    });
    let text = write(Target::Esphome, &meter).unwrap();
    // 1.8.0 came with scaler -1: ESPHome would publish ten times the Wh.
    assert!(
        text.contains(
            "    obis_code: \"1-0:1.8.0\"\n    name: \"active energy import\"\n    \
             unit_of_measurement: \"Wh\"\n    filters:\n      - multiply: 0.1\n"
        ),
        "{text}"
    );
    assert_eq!(text.matches("multiply").count(), 1, "{text}");
    assert!(
        text.ends_with(
            "text_sensor:\n  - platform: sml\n    sml_id: meter_sml\n    obis_code: \
             \"0-0:96.1.0\"\n    name: \"server ID\"\n    format: hex\n"
        ),
        "{text}"
    );
    assert_eq!(power_of_ten(-3), "0.001");
    assert_eq!(power_of_ten(2), "100");
}

#[test]
fn obis_codes_are_read_in_full_or_short_and_a_billing_period_is_none() {
    let parts = |text: &str| obis_parts(text.parse().unwrap());
    assert_eq!(parts("1-0:16.7.0*255"), Some([1, 0, 16, 7, 0]));
    assert_eq!(parts("1.8.0"), Some([1, 0, 1, 8, 0]));
    assert_eq!(parts("0-0:96.1.0"), Some([0, 0, 96, 1, 0]));
    assert_eq!(parts("1.8.0*01"), None);
    assert_eq!(parts("C.1.0"), None);
    assert_eq!(parts("68"), None);
}

fn sml_meter() -> Proven {
    Proven {
        protocol: Protocol::Sml,
        line: Sourced::measured(LineSettings::SML),
        identification: Some("0A0153494D000000002A".into()),
        registers: vec![
            ProvenRegister {
                key: "1.8.0".parse().unwrap(),
                name: "active energy import".into(),
                unit: "Wh".into(),
                exponent: Some(-1),
            },
            ProvenRegister {
                key: "16.7.0".parse().unwrap(),
                name: "active power".into(),
                unit: "W".into(),
                exponent: Some(0),
            },
        ],
        ..mode_d_meter()
    }
}

fn mode_c_meter() -> Proven {
    Proven {
        push: false,
        line: Sourced::measured(LineSettings::iec(1).at(9600)),
        asked_at: Some(LineSettings::iec(2)),
        switch_to: Some(9600),
        registers: vec![ProvenRegister {
            key: "1.8.0".parse().unwrap(),
            name: "active energy import".into(),
            unit: "kWh".into(),
            exponent: Some(-3),
        }],
        ..mode_d_meter()
    }
}

/// The JSON object after vzlogger's comment lines.
fn vzlogger_json(text: &str) -> serde_json::Value {
    let json: String = text
        .lines()
        .filter(|line| !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).unwrap()
}

#[test]
fn vzlogger_pulls_a_mode_c_meter_at_300_and_lets_it_switch_and_listens_to_sml() {
    // As the volkszaehler wiki's Landis+Gyr E350 entry: pullseq 2F3F210D0A, ackseq auto.
    let meter = vzlogger_json(&write(Target::Vzlogger, &mode_c_meter()).unwrap());
    assert_eq!(meter["protocol"], "d0");
    assert_eq!(meter["baudrate"], 300);
    assert_eq!(meter["parity"], "7e1");
    assert_eq!(meter["pullseq"], "2F3F210D0A");
    assert_eq!(meter["ackseq"], "auto");
    assert_eq!(meter["enabled"], true);
    assert_eq!(meter["channels"][0]["identifier"], "1.8.0");
    // A meter that pushes is not pulled.
    let meter = vzlogger_json(&write(Target::Vzlogger, &sml_meter()).unwrap());
    assert_eq!(meter["protocol"], "sml");
    assert_eq!(meter["parity"], "8n1");
    assert!(meter.get("pullseq").is_none());
    let error = write(Target::Vzlogger, &kmp_meter()).unwrap_err();
    assert!(error.why.starts_with("it has no KMP protocol"), "{error}");
}

#[test]
fn tasmota_scripts_follow_the_smart_meter_interface_examples() {
    // The docs' EasyMeter Q3A: `+1,3,s,0,9600,SML` and `1,77070100010800ff@…`.
    let text = write(Target::Tasmota, &sml_meter()).unwrap();
    let script: Vec<&str> = text.lines().filter(|line| !line.starts_with(';')).collect();
    assert_eq!(
        script,
        [
            ">D",
            ">B",
            "=>sensor53 r",
            ">M 1",
            "+1,3,s,0,9600,SML",
            // As many decimals as the meter's scaler gives.
            "1,77070100010800ff@1,active energy import,Wh,1_8_0,1",
            "1,77070100100700ff@1,active power,W,16_7_0,0",
            "#",
        ]
    );
    // A scaler `sml_getvalue` does not apply is the value line's divisor.
    let mut fine = sml_meter();
    fine.registers[0].exponent = Some(-5);
    let text = write(Target::Tasmota, &fine).unwrap();
    assert!(text.contains("\n1,77070100010800ff@100000,active energy import,Wh,1_8_0,5\n"));
    // The docs' eBZ DD3: `+1,3,o,0,9600,…` and `1,1-0:1.8.0*255(@…`.
    let text = write(Target::Tasmota, &mode_d_meter()).unwrap();
    assert!(text.contains("\n+1,3,o,0,9600,OBIS\n1,1-0:1.8.0*255(@1,active energy import,kWh,"));
    // The docs' L+G ZMB120: the sign-on and the acknowledgement that keeps 300 baud.
    let text = write(Target::Tasmota, &mode_c_meter()).unwrap();
    assert!(
        text.contains("\n+1,3,o,0,300,OBIS,1,10,2F3F210D0A,063030300D0A\n"),
        "{text}"
    );
    // The docs' MULTICAL 403: `kN2`, the payload without frame or CRC, `3F10003Ckstr`, and a
    // divisor for a negative exponent, which `kstr` leaves out (`3F10003Ckstr@i0:1000`).
    let text = write(Target::Tasmota, &kmp_meter()).unwrap();
    assert!(
        text.contains("\n+1,3,kN2,0,1200,KMP,1,1500,3F10010044,3F1001004A\n"),
        "{text}"
    );
    assert!(
        text.contains("\n1,3F100044kstr@i0:1000,V1 volume,m³,reg68,3\n"),
        "{text}"
    );
    assert!(
        text.contains("\n1,3F10004Akstr@i1:1,flow V1,l/h,reg74,0\n"),
        "{text}"
    );
    assert!(text.contains("hardware serial port"));
}
