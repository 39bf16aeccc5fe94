//! Independent clients read our simulated meters: PyKMP 0.0.2's `pykmp-tool` a KMP meter, and
//! the PyPI package `iec62056-21` 0.0.2 the IEC 62056-21 mode C meter, and the PyPI package
//! `smllib` 1.7 what the simulated SML meter pushes; the npm package `smartmeter-obis` 4.0.0,
//! the library behind ioBroker's smartmeter adapter, reads the pushing SML and mode D meters
//! through their pseudo-terminals.
//!
//! Ignored by plain `cargo test`, which needs nothing but Rust; `.ci/run` installs them into a
//! virtual environment and runs these by name with `--ignored`, pointing `PYKMP_TOOL`,
//! `IEC62056_21_PYTHON` and `SMLLIB_PYTHON` at it, and `SMARTMETER_OBIS_DIR` at the folder it
//! installed smartmeter-obis in with npm. Neither Python client can skip an echo, so the meters
//! run with echo off.

use std::io::Read as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile};

use crate::support::{SimProcess, run_cli, stderr, stdout};

fn pykmp_tool(port: &str, args: &[&str]) -> String {
    let tool = std::env::var("PYKMP_TOOL").unwrap_or_else(|_| "pykmp-tool".into());
    let output = Command::new(&tool)
        .args(["--serial-device", port])
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {tool}: {error}; set PYKMP_TOOL"));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // pykmp-tool exits 0 with no output when the meter stays silent.
    assert!(!stdout.trim().is_empty(), "{tool} got no answer");
    stdout
}

#[test]
#[ignore = "needs pykmp"]
fn pykmp_runs_the_command_line_config_hands_over_and_reads_what_it_proved() {
    let sim = SimProcess::start(&["--profile", "multical21", "--magnet-delay", "0s"]);
    let output = run_cli(&["config", "--to", "pykmp", "--port", &sim.path, "68", "74"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let command: Vec<&str> = text.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(command[..2], ["pykmp-tool", "--serial-device"], "{text}");
    let tool = std::env::var("PYKMP_TOOL").unwrap_or_else(|_| "pykmp-tool".into());
    let run = Command::new(&tool)
        .args(&command[1..])
        .output()
        .unwrap_or_else(|error| panic!("cannot run {tool}: {error}; set PYKMP_TOOL"));
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&serde_json::Value> = json["register_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|register| &register["id_int"])
        .collect();
    assert_eq!(ids, [68, 74], "{stdout}");
}

#[test]
#[ignore = "needs pykmp"]
fn pykmp_reads_volume_and_flow_from_the_simulated_multical21() {
    let sim = SimProcess::start(&["--profile", "multical21", "--magnet-delay", "0s"]);
    let stdout = pykmp_tool(
        &sim.path,
        &[
            "get-register",
            "--register",
            "68",
            "--register",
            "74",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let registers = json["register_data"].as_array().unwrap();
    assert_eq!(registers.len(), 2, "{stdout}");

    let volume = &registers[0];
    assert_eq!(volume["id_int"], 68);
    assert_eq!(volume["unit_str"], "m³");
    let volume_text = volume["value_str"].as_str().unwrap();
    let (whole, decimals) = volume_text.split_once('.').unwrap();
    assert_eq!(
        (whole, decimals.len()),
        ("123", 3),
        "volume {volume_text} at the meter's resolution"
    );

    let flow = &registers[1];
    assert_eq!(flow["id_int"], 74);
    assert_eq!(flow["unit_str"], "l/h");
    let flow_value = flow["value_float"].as_f64().unwrap();
    assert!(
        (0.0..=1000.0).contains(&flow_value) && flow_value.fract() == 0.0,
        "flow {flow_value}"
    );
}

#[test]
#[ignore = "needs pykmp"]
fn pykmp_reads_the_serial_number_from_the_simulated_multical21() {
    let sim = SimProcess::start(&["--profile", "multical21", "--magnet-delay", "0s"]);
    assert_eq!(
        pykmp_tool(&sim.path, &["get-serial"]).trim(),
        "Meter serial is: 71234567"
    );
}

/// Reads the meter with `iec62056-21`'s own serial transport and prints what its user gets: the
/// identification as the client parsed it, then every data set of the readout.
const IEC62056_21_READOUT: &str = r#"
import json, sys
from iec62056_21.client import Iec6205621Client

client = Iec6205621Client.with_serial_transport(port=sys.argv[1])
client.connect()
# Sign-on, identification, option select, the switch to the offered rate, the readout; the
# readout's BCC is checked by the client, which raises on a mismatch.
readout = client.standard_readout()
client.disconnect()
print(json.dumps({
    "manufacturer": client.manufacturer_id,
    "identification": client.identification,
    "baud": client.switchover_baudrate,
    "data": [{"address": s.address, "value": s.value, "unit": s.unit} for s in readout.data],
}))
"#;

/// Long enough for the 300-baud sign-on and the client's pauses (under 2 s in all), short enough
/// that a client waiting for bytes that never come fails the test rather than hanging it.
const IEC_CLIENT_LIMIT: Duration = Duration::from_secs(30);

/// Waits for `child`, a client named `name` with its stdout and stderr piped, for at most
/// `limit`: its stdout and stderr once it has ended well, else a panic with its stderr.
fn output_within(mut child: Child, name: &str, limit: Duration) -> (String, String) {
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} still reading after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Its output, a traceback included, is far below a pipe's capacity: it never blocks writing
    // while we only poll.
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{name} failed: {err}");
    (out, err)
}

fn iec62056_21_readout(port: &str) -> serde_json::Value {
    let python = std::env::var("IEC62056_21_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new(&python)
        .args(["-c", IEC62056_21_READOUT, port])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}; set IEC62056_21_PYTHON"));
    let (out, err) = output_within(child, "iec62056-21", IEC_CLIENT_LIMIT);
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("no JSON: {out}{err}"))
}

fn serve_mode_c() -> SimHandle {
    let mut config = MeterConfig::new(Profile::IecModeC);
    config.echo = false;
    config.magnet_delay = Duration::ZERO;
    spawn(config, None).unwrap()
}

#[test]
#[ignore = "needs iec62056-21"]
fn iec62056_21_reads_the_readout_of_the_simulated_mode_c_meter() {
    let sim = serve_mode_c();
    let json = iec62056_21_readout(&sim.path().display().to_string());

    assert_eq!(json["manufacturer"], "SIM", "{json}");
    assert_eq!(
        json["baud"], 9600,
        "the rate the identification offers: {json}"
    );
    // 0.0.2 takes the identification from the seventh character on, as if a separator followed
    // the baud character; so of `/SIM5MODEC` its user sees `ODEC`. Pinned here so that a change
    // to how our meter identifies itself shows up as a change to what this client reports.
    assert_eq!(json["identification"], "ODEC", "{json}");

    let data = json["data"].as_array().unwrap();
    let addresses: Vec<&str> = data
        .iter()
        .map(|set| set["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["0.0.0", "1.8.0", "2.8.0", "1.7.0", "32.7.0", "31.7.0"],
        "{json}"
    );

    assert_eq!(data[0]["value"], "12345678", "the serial number: {json}");
    assert_eq!(data[0]["unit"], serde_json::Value::Null);

    let energy = &data[1];
    assert_eq!(energy["unit"], "kWh", "{json}");
    let energy_text = energy["value"].as_str().unwrap();
    let (whole, decimals) = energy_text.split_once('.').unwrap();
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    assert!(
        digits(whole) && digits(decimals) && decimals.len() == 3,
        "import energy {energy_text}: a number at the meter's resolution of 3 decimals"
    );
    sim.stop();

    // Our own probe, on a meter that has answered no one yet, names what the client read.
    let sim = serve_mode_c();
    let port = sim.path().display().to_string();
    let output = run_cli(&["probe", "--json", "--port", &port, "--wait", "1s"]);
    let probe: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|_| panic!("no JSON: {}", stderr(&output)));
    assert_eq!(probe["protocol"], "iec62056-21", "{probe}");
    assert_eq!(probe["identification"], "SIM5MODEC", "{probe}");
    assert_eq!(probe["line"], "9600 7E1", "{probe}");
}

/// smllib reads the frames in a file and prints each value-list entry it finds.
const SMLLIB_READ: &str = r#"
import json, sys
from smllib import SmlStreamReader

reader = SmlStreamReader()
reader.add(open(sys.argv[1], "rb").read())
entries = []
while True:
    # Checks the frame's CRC, raising on a mismatch.
    frame = reader.get_frame()
    if frame is None:
        break
    for entry in frame.get_obis():
        entries.append({
            "obis": entry.obis.obis_short,
            "value": entry.value,
            "scaler": entry.scaler,
            "unit": entry.unit,
        })
print(json.dumps(entries))
"#;

#[test]
#[ignore = "needs smllib"]
fn smllib_reads_what_the_simulated_sml_meter_pushes() {
    // The simulated eHZ-like meter on a pseudo-terminal, heard at its 9600 8N1 for a little over
    // two of its one-second telegrams.
    let sim = spawn(MeterConfig::new(Profile::SmlPush), None).unwrap();
    let mut port = serialport::new(sim.path().display().to_string(), 9600)
        .stop_bits(serialport::StopBits::One)
        .timeout(Duration::from_millis(100))
        .open()
        .unwrap();
    let mut bytes = Vec::new();
    let until = Instant::now() + Duration::from_millis(2600);
    let mut buffer = [0u8; 1024];
    while Instant::now() < until {
        match port.read(&mut buffer) {
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(error) => panic!("{error}"),
        }
    }
    let path = std::env::temp_dir().join(format!("kmp-workbench-sml-{}.bin", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();

    let python = std::env::var("SMLLIB_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .args(["-c", SMLLIB_READ])
        .arg(&path)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}; set SMLLIB_PYTHON"));
    std::fs::remove_file(&path).unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "smllib failed: {err}");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("no JSON: {err}"));
    let entries = json.as_array().unwrap();
    let codes: Vec<&str> = entries
        .iter()
        .map(|entry| entry["obis"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes[..6],
        ["1.8.0", "2.8.0", "16.7.0", "36.7.0", "56.7.0", "76.7.0"],
        "{json}"
    );
    assert!(entries.len() >= 12, "two telegrams at least: {json}");
    // Our decoder reads the same bytes to the same values.
    let mut receiver = kmp_workbench::sml::Receiver::new();
    let ours: Vec<(String, i64)> = bytes
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .filter_map(Result::ok)
        .flat_map(|frame| {
            kmp_workbench::sml::File::decode(&frame.payload)
                .unwrap()
                .entries()
                .map(|entry| {
                    let value = match entry.value {
                        kmp_workbench::sml::Value::Int(value, _) => value,
                        kmp_workbench::sml::Value::UInt(value, _) => value as i64,
                        _ => panic!("not a number"),
                    };
                    (entry.obis().unwrap().short(), value)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let theirs: Vec<(String, i64)> = entries
        .iter()
        .map(|entry| {
            (
                entry["obis"].as_str().unwrap().to_string(),
                entry["value"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(entries[0]["unit"], 30, "Wh");
    assert_eq!(entries[0]["scaler"], -1);
}

/// How long smartmeter-obis may take to read two telegrams: the script gives up by itself after
/// 15 s; this stops a Node.js that never gets that far.
const SMARTMETER_OBIS_LIMIT: Duration = Duration::from_secs(30);

/// smartmeter-obis's reading of two telegrams pushed on `port` with `protocol` (`SmlProtocol`
/// or `D0Protocol`), through its `SerialResponseTransport`: its version, and per telegram each
/// OBIS code's values with their units, as `tests/it/obis_js/read.js` prints them.
fn smartmeter_obis_read(port: &str, protocol: &str) -> serde_json::Value {
    smartmeter_obis(&[port, protocol, "2"])
}

/// `tests/it/obis_js/read.js` run with `args`: what it printed.
fn smartmeter_obis(args: &[&str]) -> serde_json::Value {
    let dir = std::env::var("SMARTMETER_OBIS_DIR").unwrap_or_else(|_| {
        panic!(
            "set SMARTMETER_OBIS_DIR to a folder where `npm install smartmeter-obis@4.0.0` was run"
        )
    });
    let script = crate::support::project_root().join("tests/it/obis_js/read.js");
    let child = Command::new("node")
        .arg(&script)
        .args(args)
        .env("NODE_PATH", std::path::Path::new(&dir).join("node_modules"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run node: {error}; install Node.js"));
    let (out, err) = output_within(child, "smartmeter-obis", SMARTMETER_OBIS_LIMIT);
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("no JSON: {out}{err}"));
    assert_eq!(json["version"], "4.0.0", "the version pinned: {json}");
    assert_eq!(json["telegrams"].as_array().unwrap().len(), 2, "{json}");
    json
}

/// Each OBIS code smartmeter-obis reported in a telegram, sorted by code, with its value as a
/// number, its unit and the raw text it read (none for SML).
type ObisJsTelegram = Vec<(String, f64, String, Option<String>)>;

fn obis_js_telegrams(json: &serde_json::Value) -> Vec<ObisJsTelegram> {
    json["telegrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|telegram| {
            let telegram = telegram
                .as_object()
                .unwrap()
                .iter()
                .map(|(code, obis)| {
                    let values = obis["values"].as_array().unwrap();
                    assert_eq!(values.len(), 1, "one value for {code}: {json}");
                    // The number as JavaScript writes it, which reads back to the same f64.
                    let number: f64 = values[0]["text"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap_or_else(|_| panic!("{code} is no number: {json}"));
                    (
                        code.clone(),
                        number,
                        values[0]["unit"].as_str().unwrap().to_string(),
                        obis["raw"].as_str().map(str::to_string),
                    )
                })
                .collect();
            by_code(telegram)
        })
        .collect()
}

/// `telegram` sorted by code.
fn by_code(mut telegram: ObisJsTelegram) -> ObisJsTelegram {
    telegram.sort_by(|a, b| a.0.cmp(&b.0));
    telegram
}

#[test]
#[ignore = "needs smartmeter-obis"]
fn smartmeter_obis_reads_what_the_simulated_sml_meter_pushes() {
    let mut config = MeterConfig::new(Profile::SmlPush);
    config.log_answers = true;
    let sim = spawn(config, None).unwrap();
    let json = smartmeter_obis_read(&sim.path().display().to_string(), "SmlProtocol");
    let read = obis_js_telegrams(&json);
    let codes: Vec<&str> = read[0].iter().map(|(code, ..)| code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "1-0:1.8.0*255",
            "1-0:16.7.0*255",
            "1-0:2.8.0*255",
            "1-0:36.7.0*255",
            "1-0:56.7.0*255",
            "1-0:76.7.0*255"
        ],
        "{json}"
    );

    // What the meter sent, decoded on our side, as smartmeter-obis hands it to its user: the
    // scaler applied, energy in Wh (DLMS unit 30) turned into kWh, power (27) in W.
    let sent: Vec<ObisJsTelegram> = sim
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
            let telegram = kmp_workbench::sml::File::decode(&frame.payload)
                .unwrap()
                .entries()
                .map(|entry| {
                    let number = entry.number().unwrap();
                    let (number, unit) = match entry.unit {
                        Some(30) => (
                            kmp_workbench::kmp::Number::new(
                                number.is_negative(),
                                number.mantissa(),
                                number.exponent() - 3,
                            )
                            .unwrap(),
                            "kWh",
                        ),
                        Some(27) => (number, "W"),
                        unit => panic!("unit {unit:?} unexpected"),
                    };
                    (
                        entry.obis().unwrap().to_string(),
                        number.to_string().parse().unwrap(),
                        unit.to_string(),
                        None,
                    )
                })
                .collect();
            by_code(telegram)
        })
        .collect();
    for telegram in &read {
        assert!(sent.contains(telegram), "{telegram:?} not among {sent:?}");
    }
    // Energy in kWh and power in W, as its user sees them.
    let units: Vec<&str> = read[0]
        .iter()
        .map(|(_, _, unit, _)| unit.as_str())
        .collect();
    assert_eq!(units, ["kWh", "W", "kWh", "W", "W", "W"], "{json}");
}

#[test]
#[ignore = "needs smartmeter-obis"]
fn smartmeter_obis_reads_what_the_simulated_mode_d_meter_pushes() {
    // The pseudo-terminal carries the meter's 7E1 characters as plain bytes; smartmeter-obis
    // sets 7E1 on it, which the terminal ignores, and reads the text as it comes.
    let mut config = MeterConfig::new(Profile::IecModeD);
    config.log_answers = true;
    let sim = spawn(config, None).unwrap();
    let json = smartmeter_obis_read(&sim.path().display().to_string(), "D0Protocol");
    let read = obis_js_telegrams(&json);
    let codes: Vec<&str> = read[0].iter().map(|(code, ..)| code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "1-0:0.0.0*255",
            "1-0:1.8.0*255",
            "1-0:16.7.0*255",
            "1-0:2.8.0*255"
        ],
        "{json}"
    );

    // What the meter sent, decoded on our side: each value as a number, its unit, and the text
    // between the brackets, which smartmeter-obis keeps as the raw value.
    let sent: Vec<ObisJsTelegram> = sim
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
            assert_eq!(telegram.identification.line, "SIM5MODED");
            let lines = telegram
                .lines
                .iter()
                .map(|line| {
                    let value = &line.values[0];
                    let raw = match &value.unit {
                        Some(unit) => format!("{}*{unit}", value.text),
                        None => value.text.clone(),
                    };
                    (
                        line.address.as_str().to_string(),
                        value.number().unwrap().to_string().parse().unwrap(),
                        value.unit.clone().unwrap_or_default(),
                        Some(raw),
                    )
                })
                .collect();
            by_code(lines)
        })
        .collect();
    for telegram in &read {
        assert!(sent.contains(telegram), "{telegram:?} not among {sent:?}");
    }
    let units: Vec<&str> = read[0]
        .iter()
        .map(|(_, _, unit, _)| unit.as_str())
        .collect();
    assert_eq!(units, ["", "kWh", "W", "kWh"], "{json}");
}

#[test]
#[ignore = "needs smartmeter-obis"]
fn smartmeter_obis_reads_the_pushing_and_mode_c_meters_with_the_options_config_hands_over() {
    for (profile, protocol) in [
        ("sml-push", "SmlProtocol"),
        ("iec-moded", "D0Protocol"),
        // Asked at 300 baud, it switches to the rate its identification offers.
        ("iec-modec", "D0Protocol"),
    ] {
        let sim = SimProcess::start(&["--profile", profile]);
        let path = crate::support::temp(&format!("obis-{profile}.json"));
        let file = path.display().to_string();
        let output = run_cli(&[
            "config",
            "--to",
            "smartmeter-obis",
            "--port",
            &sim.path,
            "--interval",
            "1s",
            "--output",
            &file,
            "1.8.0",
            "16.7.0",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let json = smartmeter_obis(&["--options", &file, "2"]);
        std::fs::remove_file(&path).unwrap();
        let telegram = json["telegrams"][0].as_object().unwrap();
        let energy = telegram
            .keys()
            .find(|code| code.ends_with(":1.8.0*255") || code.ends_with("1.8.0"))
            .unwrap_or_else(|| panic!("{profile} ({protocol}): {json}"));
        assert!(
            telegram[energy]["values"][0]["unit"]
                .as_str()
                .unwrap()
                .ends_with("Wh")
        );
    }
}

#[test]
#[ignore = "needs esphome"]
fn esphome_config_accepts_what_config_hands_over_for_every_meter_it_reads() {
    let esphome = std::env::var("ESPHOME").unwrap_or_else(|_| "esphome".into());
    // Every simulated KMP meter with its key registers (those it has), one with a register
    // kamstrup_kmp has no name for, and the SML meter.
    for (profile, ids) in [
        ("multical21", &[][..]),
        ("flowiq2200", &[][..]),
        ("multical403", &[][..]),
        ("kamstrup382", &[][..]),
        ("multical603", &["60", "68", "74", "86", "87", "1004"][..]),
        ("sml-push", &[][..]),
    ] {
        let sim = SimProcess::start(&["--profile", profile, "--magnet-delay", "0s"]);
        let path = crate::support::temp(&format!("esphome-{profile}.yaml"));
        let file = path.display().to_string();
        let mut args = vec![
            "config", "--to", "esphome", "--port", &sim.path, "--output", &file,
        ];
        args.extend_from_slice(ids);
        let output = run_cli(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{profile}: {}",
            stderr(&output)
        );
        let checked = Command::new(&esphome)
            .args(["config", &file])
            .output()
            .unwrap_or_else(|error| panic!("cannot run {esphome}: {error}; set ESPHOME"));
        let yaml = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(
            checked.status.success(),
            "{profile}: esphome refused\n{yaml}\n{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
        // Every register read is a sensor of the platform, 68 as its volume.
        let sensors = yaml.matches("name: ").count() - 1;
        let read = yaml.matches("(measured: it answered)").count();
        assert!(read > 0, "{profile}:\n{yaml}");
        assert_eq!(sensors, read, "{profile}:\n{yaml}");
        if yaml.contains("#   register 68: ") {
            assert!(yaml.contains("    volume:\n"), "{profile}:\n{yaml}");
        }
        // The SML sensor publishes the integer sent: the energy's scaler of -1 is a filter.
        if profile == "sml-push" {
            assert!(yaml.contains("      - multiply: 0.1\n"), "{yaml}");
        }
    }
}
