//! Finding out which protocol a meter speaks, through the real serial code and `probe` against
//! the simulated meters of every protocol on pseudo-terminals, each answering only at the
//! terminal settings its protocol uses.

use std::time::Duration;

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile, Timing};

use crate::support::{run_cli, stderr, stdout};

fn serve(profile: Profile, echo: bool) -> SimHandle {
    let mut config = MeterConfig::new(profile);
    config.echo = echo;
    config.magnet_delay = Duration::ZERO;
    spawn(config, None).unwrap()
}

fn probe(sim: &SimHandle, extra: &[&str]) -> serde_json::Value {
    let port = sim.path().display().to_string();
    let mut args = vec!["probe", "--json", "--port", &port, "--wait", "1s"];
    args.extend_from_slice(extra);
    let output = run_cli(&args);
    serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|_| panic!("no JSON: {}", stderr(&output)))
}

/// `probe` with its defaults against `profile` in real time (60 ms latency), the head echoing or
/// not: its JSON, and its output for what went to stderr.
fn probe_in_real_time(profile: Profile, echo: bool) -> (serde_json::Value, std::process::Output) {
    let mut config = MeterConfig::new(profile);
    config.echo = echo;
    config.timing = Timing::realtime(Duration::from_millis(60));
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    let output = run_cli(&["probe", "--json", "--port", &port]);
    let json = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|_| panic!("no JSON: {}", stderr(&output)));
    (json, output)
}

#[test]
fn probe_names_the_protocol_identification_and_line_of_each_meter() {
    // Asked with two stop bits, heard with one: the 382C (7E1) and the MULTICAL 41 (7E2) alike.
    let cases = [
        (Profile::Kamstrup382C, "iec62056-21", "KAM0382C", "300 7E1"),
        (Profile::Multical41, "iec62056-21", "KAM0MCC", "300 7E1"),
        (Profile::IecModeC, "iec62056-21", "SIM5MODEC", "9600 7E1"),
    ];
    for (profile, protocol, identification, line) in cases {
        let sim = serve(profile, true);
        let json = probe(&sim, &[]);
        assert_eq!(json["protocol"], protocol, "{profile}: {json}");
        assert_eq!(json["identification"], identification, "{profile}");
        assert_eq!(json["line"], line, "{profile}");
        assert_eq!(json["asked_at"], "300 7E2", "{profile}");
        assert_eq!(json["diagnosis_code"], "ok", "{profile}");
        assert!(
            json["diagnosis"]
                .as_str()
                .unwrap()
                .contains("this meter speaks IEC 62056-21, not KMP")
                || json["diagnosis"]
                    .as_str()
                    .unwrap()
                    .contains("This meter speaks IEC 62056-21, not KMP"),
            "{json}"
        );
        let stats = sim.stop();
        assert!(
            stats.unread > 0,
            "{profile}: the KMP requests at 1200 8N2 were noise to it"
        );
    }
    let sim = serve(Profile::Multical66C, false);
    let json = probe(&sim, &[]);
    assert_eq!(json["protocol"], "kamstrup-66c", "{json}");
    assert_eq!(json["identification"], serde_json::Value::Null);
    assert_eq!(json["line"], "1200 7E1");
    assert_eq!(json["asked_at"], "300 7E2");
}

#[test]
fn every_text_meter_is_named_within_six_seconds_of_connecting_at_the_default_wait() {
    // In real time, with `probe`'s defaults: the early round's quick sign-on and `/#1` name them
    // long before the 10 s wait for a KMP eye is over. A mode A meter is named by its
    // identification; its readout at 300 baud takes seconds more.
    for profile in [
        Profile::Kamstrup382C,
        Profile::Multical41,
        Profile::IecModeC,
        Profile::Multical66C,
    ] {
        let (json, output) = probe_in_real_time(profile, true);
        assert_eq!(json["diagnosis_code"], "ok", "{profile}: {json}");
        assert_ne!(json["protocol"], "kmp", "{profile}: {json}");
        let seconds = json["seconds_to_diagnosis"].as_f64().unwrap();
        assert!(seconds < 6.0, "{profile}: named after {seconds} s");
        if profile == Profile::Kamstrup382C {
            assert!(
                stderr(&output).contains("the meter signed on as /KAM0382C"),
                "told as it came: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn a_sleeping_kmp_meter_is_echo_only_and_speaks_no_protocol() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.echo = true;
    config.magnet_delay = Duration::from_secs(3600);
    let sim = spawn(config, None).unwrap();
    let json = probe(&sim, &[]);
    assert_eq!(json["diagnosis_code"], "echo_only", "{json}");
    assert_eq!(json["protocol"], serde_json::Value::Null);
    assert_eq!(json["answered"], false);
    let stats = sim.stop();
    assert!(
        stats.unread >= 13,
        "the sign-ons and /#1 were noise to a KMP eye"
    );
    assert_eq!(stats.answered, 0);
}

#[test]
fn a_sign_on_is_answered_by_an_iec_meter_of_either_stop_bits_only() {
    let sim = serve(Profile::Multical66C, true);
    let json = probe(&sim, &["--protocol", "iec62056-21"]);
    assert_eq!(json["protocol"], serde_json::Value::Null, "{json}");
    assert_ne!(json["diagnosis_code"], "ok");
    drop(sim);

    // A meter that wants two stop bits reads the sign-on sent with two, and its answer is
    // heard with one.
    let sim = serve(Profile::Multical41, true);
    let json = probe(&sim, &["--protocol", "iec62056-21"]);
    assert_eq!(json["asked_at"], "300 7E2", "{json}");
    assert_eq!(json["line"], "300 7E1", "{json}");
    let stats = sim.stop();
    assert_eq!(stats.unread, 3 * 10, "only the echo tests at 1200 baud");
    assert_eq!(stats.answered, 1);
}

#[test]
fn a_readout_at_300_baud_takes_its_wire_time() {
    let mut config = MeterConfig::new(Profile::Kamstrup382C);
    config.timing = Timing::realtime(Duration::from_millis(60));
    let sim = spawn(config, None).unwrap();
    let started = std::time::Instant::now();
    let json = probe(&sim, &["--protocol", "iec62056-21"]);
    let took = started.elapsed();
    assert_eq!(json["protocol"], "iec62056-21", "{json}");
    // The identification and the readout, some 240 bytes at 10 bit times each.
    assert!(took > Duration::from_secs(7), "{took:?}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

fn read_json(sim: &SimHandle, ids: &[&str]) -> (Option<i32>, serde_json::Value) {
    let port = sim.path().display().to_string();
    let mut args = vec!["read", "--json", "--port", &port, "--wait", "2s"];
    args.extend_from_slice(ids);
    let output = run_cli(&args);
    let json = serde_json::from_str(&stdout(&output)).unwrap_or(serde_json::Value::Null);
    (output.status.code(), json)
}

#[test]
fn read_prints_a_readout_whole_or_the_codes_asked_for_exactly_as_sent() {
    let sim = serve(Profile::Kamstrup382C, true);
    let (code, json) = read_json(&sim, &[]);
    assert_eq!(code, Some(0), "{json}");
    let registers = json["registers"].as_array().unwrap();
    assert_eq!(registers.len(), 9);
    let tariff_1 = &registers[2];
    assert_eq!(tariff_1["obis"], "1.8.1");
    assert_eq!(tariff_1["name"], "active energy import, tariff 1");
    assert_eq!(tariff_1["value"], "8123.000");
    assert_eq!(tariff_1["display"], "8123.000 kWh");
    assert_eq!(tariff_1["raw"], "1.8.1(0008123.000*kWh)");
    assert!(tariff_1.get("id").is_none() && tariff_1.get("unit_code").is_none());
    for register in registers {
        // Every value is the text between the brackets, as exact as the meter wrote it.
        let raw = register["raw"].as_str().unwrap();
        let sent = raw.split(['(', '*', ')']).nth(1).unwrap();
        let value = register["value"].as_str().unwrap();
        assert_eq!(
            sent.trim_start_matches('0').trim_start_matches('.'),
            value.trim_start_matches('0').trim_start_matches('.'),
            "{raw}"
        );
    }

    let (code, json) = read_json(&sim, &["1.8.2", "0.0.0", "9.9.9"]);
    assert_eq!(code, Some(0));
    assert_eq!(json["registers"][0]["value"], "2345.000");
    assert_eq!(json["registers"][1]["raw"], "0.0.0(05812345)");
    assert_eq!(json["missing"], serde_json::json!(["9.9.9"]));
    drop(sim);

    let sim = serve(Profile::Multical66C, false);
    let (code, json) = read_json(&sim, &["t1", "volume", "info"]);
    assert_eq!(code, Some(0), "{json}");
    let t1 = &json["registers"][0];
    assert_eq!(t1["field"], "t1");
    assert_eq!(t1["unit"], "°C");
    let digits = t1["raw"].as_str().unwrap();
    let hundredths: u32 = digits.parse().unwrap();
    assert_eq!(
        t1["value"],
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    );
    assert_eq!(json["registers"][2]["value"], "0");
}

#[test]
fn read_without_ids_is_a_usage_error_for_a_kmp_meter() {
    let sim = serve(Profile::Multical403, true);
    let (code, _) = read_json(&sim, &[]);
    assert_eq!(code, Some(2));
}

#[test]
fn log_records_obis_codes_and_fields_with_named_columns() {
    let sim = serve(Profile::IecModeC, true);
    let port = sim.path().display().to_string();
    let dir = std::env::temp_dir().join(format!("kmp-log-iec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("iec.csv");
    let csv_arg = csv.display().to_string();
    let output = run_cli(&[
        "log",
        "--port",
        &port,
        "--registers",
        "1.8.0,32.7.0",
        "--interval",
        "3s",
        "--duration",
        "5s",
        "--csv",
        &csv_arg,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_utc,time_local,elapsed_s,active energy import [kWh] (1.8.0),voltage L1 [V] (32.7.0)"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    let energy = rows[0].split(',').nth(3).unwrap();
    assert_eq!(energy.split('.').nth(1).map(str::len), Some(3), "{energy}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn log_refuses_an_interval_shorter_than_a_readout_takes() {
    let mut config = MeterConfig::new(Profile::Kamstrup382C);
    config.timing = Timing::realtime(Duration::from_millis(60));
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    let csv = std::env::temp_dir().join(format!("kmp-log-slow-{}.csv", std::process::id()));
    let _ = std::fs::remove_file(&csv);
    let csv_arg = csv.display().to_string();
    let output = run_cli(&[
        "log",
        "--port",
        &port,
        "--registers",
        "1.8.0",
        "--interval",
        "5s",
        "--csv",
        &csv_arg,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(
        error.contains("longer than the interval of 5s")
            && error.contains("choose an --interval of at least"),
        "{error}"
    );
    assert!(!csv.exists(), "no file for a log that never ran");
}

#[test]
fn a_meter_that_pushes_sml_is_named_within_ten_seconds_with_or_without_an_echo() {
    for echo in [true, false] {
        let (json, output) = probe_in_real_time(Profile::SmlPush, echo);
        assert_eq!(json["protocol"], "sml", "echo {echo}: {json}");
        assert_eq!(json["push"], true);
        assert_eq!(json["line"], "9600 8N1");
        assert_eq!(json["identification"], "0A0153494D000000002A");
        let interval = json["push_interval_s"].as_f64().unwrap();
        assert!((0.9..1.1).contains(&interval), "{interval}");
        assert_eq!(json["diagnosis_code"], "ok");
        let seconds = json["seconds_to_diagnosis"].as_f64().unwrap();
        assert!(seconds < 10.0, "named after {seconds} s");
        assert_eq!(output.status.code(), Some(0));
    }
}

#[test]
fn a_meter_that_pushes_mode_d_is_named_within_ten_seconds_with_or_without_an_echo() {
    for echo in [true, false] {
        let (json, output) = probe_in_real_time(Profile::IecModeD, echo);
        assert_eq!(json["protocol"], "iec62056-21", "echo {echo}: {json}");
        assert_eq!(json["push"], true);
        // A pseudo-terminal carries no parity bit: the 7E1 telegrams are heard as 8N1 text.
        assert_eq!(json["line"], "9600 8N1");
        assert_eq!(json["identification"], "SIM5MODED");
        let interval = json["push_interval_s"].as_f64().unwrap();
        assert!((0.9..1.1).contains(&interval), "{interval}");
        assert_eq!(json["diagnosis_code"], "ok");
        let seconds = json["seconds_to_diagnosis"].as_f64().unwrap();
        assert!(seconds < 10.0, "named after {seconds} s");
        assert_eq!(output.status.code(), Some(0));
    }
}

/// `read --json 1.8.0 16.7.0` of a pushing meter that logs what it sends: the meter, and the
/// OBIS codes and values read.
fn read_energy_and_power(profile: Profile) -> (SimHandle, Vec<(String, String)>) {
    let mut config = MeterConfig::new(profile);
    config.log_answers = true;
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    let output = run_cli(&["read", "--json", "--port", &port, "1.8.0", "16.7.0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let read = json["registers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|register| {
            (
                register["obis"].as_str().unwrap().to_string(),
                register["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (sim, read)
}

#[test]
fn read_prints_the_values_a_mode_d_meter_sent() {
    let (sim, read) = read_energy_and_power(Profile::IecModeD);
    // The short codes asked name the full ones the meter writes.
    assert_eq!(read[0].0, "1-0:1.8.0*255");
    assert_eq!(read[1].0, "1-0:16.7.0*255");
    let sent: Vec<Vec<(String, String)>> = sim
        .take_sent()
        .iter()
        .map(|answer| {
            let mut receiver = kmp_workbench::iec::TelegramReceiver::new();
            let telegram = answer
                .frame
                .iter()
                .find_map(|&byte| receiver.push(byte))
                .unwrap()
                .unwrap();
            telegram
                .lines
                .iter()
                .filter(|line| ["1-0:1.8.0*255", "1-0:16.7.0*255"].contains(&line.address.as_str()))
                .map(|line| {
                    let value = line.values[0].number().unwrap().to_string();
                    (line.address.to_string(), value)
                })
                .collect()
        })
        .collect();
    assert!(sent.contains(&read), "{read:?} not among {sent:?}");
}

#[test]
fn read_prints_the_values_a_pushing_meter_sent() {
    let (sim, read) = read_energy_and_power(Profile::SmlPush);
    assert_eq!(read[0].0, "1.8.0");
    assert_eq!(read[1].0, "16.7.0");
    // The values of one of the telegrams the meter logged as sent, decoded on their own.
    let sent: Vec<Vec<(String, String)>> = sim
        .take_sent()
        .iter()
        .map(|answer| {
            let mut receiver = kmp_workbench::sml::Receiver::new();
            let frame = answer
                .frame
                .iter()
                .find_map(|&byte| receiver.push(byte))
                .unwrap()
                .unwrap();
            kmp_workbench::sml::File::decode(&frame.payload)
                .unwrap()
                .entries()
                .filter_map(|entry| {
                    let code = entry.obis()?.short();
                    ["1.8.0", "16.7.0"]
                        .contains(&code.as_str())
                        .then(|| (code, entry.number().unwrap().to_string()))
                })
                .collect()
        })
        .collect();
    assert!(sent.contains(&read), "{read:?} not among {sent:?}");
}
