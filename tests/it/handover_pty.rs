//! `config --to TARGET` as a user runs it: the link check and a read of a simulated meter on a
//! pseudo-terminal, then what they proved written for another reader, or refused with why.

use std::time::Duration;

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile};

use crate::support::{run_cli, stderr, stdout, temp};

fn serve(profile: Profile, echo: bool) -> (SimHandle, String) {
    let mut config = MeterConfig::new(profile);
    config.echo = echo;
    config.magnet_delay = Duration::ZERO;
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    (sim, port)
}

#[test]
fn pykmp_gets_the_registers_that_answered_at_the_address_and_line_proven() {
    let (_sim, port) = serve(Profile::Multical21, false);
    let output = run_cli(&["config", "--to", "pykmp", "--port", &port, "68", "74"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(
        text.lines().last().unwrap(),
        format!(
            "pykmp-tool --serial-device {port} --destination-address 63 get-register \
             --register 68 --register 74 --json"
        )
    );
    assert!(text.contains("#   line: 1200 8N2 (measured)"), "{text}");
    assert!(text.contains("#   echo: none (measured)"), "{text}");
    assert!(text.contains("#   register 68: V1 volume [m³]"), "{text}");
}

#[test]
fn a_target_that_cannot_read_the_meter_is_exit_2_with_why() {
    // An echoing head: pykmp-tool would take the echo for the answer.
    let (_sim, port) = serve(Profile::Multical21, true);
    let output = run_cli(&["config", "--to", "pykmp", "--port", &port, "68"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("echo"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());

    let (_sim, port) = serve(Profile::Kamstrup382C, false);
    let output = run_cli(&["config", "--to", "pykmp", "--port", &port]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("smartmeter-obis, vzlogger, tasmota and ser2net can"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_meter_that_never_answered_hands_nothing_over_exit_4() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.magnet_delay = Duration::from_secs(600);
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    let output = run_cli(&["config", "--to", "ser2net", "--port", &port, "--wait", "1s"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stderr(&output).contains("nothing is proven to hand over"));
}

#[test]
fn the_output_file_is_written_new_and_never_over_another() {
    let (_sim, port) = serve(Profile::IecModeD, false);
    let path = temp("handover-meter.json");
    let file = path.display().to_string();
    let args = [
        "config",
        "--to",
        "smartmeter-obis",
        "--port",
        &port,
        "--output",
        &file,
        "1.8.0",
    ];
    let output = run_cli(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let options: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(options["protocol"], "D0Protocol");
    assert_eq!(options["transport"], "SerialResponseTransport");
    assert_eq!(options["transportSerialBaudrate"], 9600);
    assert_eq!(options["transportSerialPort"], port);

    let again = run_cli(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));
    std::fs::remove_file(&path).unwrap();
}

/// Logs `registers` of the meter on `port` every `interval` for `seconds` into a new session,
/// with `more` options; its folder.
fn logged_session(
    name: &str,
    port: &str,
    registers: &str,
    (interval, seconds): (&str, &str),
    more: &[&str],
) -> std::path::PathBuf {
    let dir = temp(name);
    let _ = std::fs::remove_dir_all(&dir);
    let csv = temp(&format!("{name}.csv"));
    let (dir_arg, csv_arg) = (dir.display().to_string(), csv.display().to_string());
    let mut args = vec![
        "log",
        "--port",
        port,
        "--registers",
        registers,
        "--interval",
        interval,
        "--duration",
        seconds,
        "--csv",
        &csv_arg,
        "--session",
        &dir_arg,
    ];
    args.extend_from_slice(more);
    let output = run_cli(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::remove_file(&csv).unwrap();
    dir
}

#[test]
fn a_logged_kmp_session_hands_over_what_its_polls_and_traffic_proved() {
    let (_sim, port) = serve(Profile::Multical21, true);
    let dir = logged_session("handover-kmp-session", &port, "68,74", ("1s", "3s"), &[]);
    let session = dir.display().to_string();
    let output = run_cli(&["config", "--to", "tasmota", "--session", &session]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!(";   port: {port} (given)")),
        "{text}"
    );
    assert!(
        text.contains(";   echo: the head hears itself (measured)"),
        "{text}"
    );
    assert!(text.contains(";   interval: 1s (measured)"), "{text}");
    assert!(
        text.contains("1,3F100044kstr@i0:1000,V1 volume,m³,reg68,3"),
        "{text}"
    );

    // The echo its traffic showed is what pykmp-tool cannot take.
    let output = run_cli(&["config", "--to", "pykmp", "--session", &session]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("echo"), "{}", stderr(&output));

    // A register never read in it is not proven.
    let output = run_cli(&["config", "--to", "tasmota", "--session", &session, "60"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("60 never answered"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_logged_mode_c_session_hands_over_the_sign_on_and_the_rate_it_switched_to() {
    let (_sim, port) = serve(Profile::IecModeC, false);
    let dir = logged_session("handover-modec-session", &port, "1.8.0", ("2s", "5s"), &[]);
    let session = dir.display().to_string();
    let output = run_cli(&["config", "--to", "vzlogger", "--session", &session, "1.8.0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let json: String = text.lines().filter(|l| !l.starts_with("//")).collect();
    let entry: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(entry["protocol"], "d0");
    assert_eq!(entry["baudrate"], 300);
    assert_eq!(entry["baudrate_read"], 9600);
    assert_eq!(entry["parity"], "7e1");
    let channels = entry["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0]["identifier"], "1.8.0");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_needs_a_port_or_a_session_and_refuses_a_folder_that_is_none() {
    let output = run_cli(&["config", "--to", "esphome"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--session"), "{}", stderr(&output));
    let dir = temp("handover-no-session");
    std::fs::create_dir_all(&dir).unwrap();
    let output = run_cli(&[
        "config",
        "--to",
        "esphome",
        "--session",
        &dir.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a kmp-workbench session"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_logged_sml_session_reads_back_with_each_scaler_for_the_reader_that_needs_it() {
    let (_sim, port) = serve(Profile::SmlPush, false);
    let more = ["--protocol", "sml"];
    let dir = logged_session("handover-sml-session", &port, "1.8.0", ("1s", "4s"), &more);
    let session = dir.display().to_string();
    let output = run_cli(&["config", "--to", "esphome", "--session", &session, "1.8.0"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // ESPHome's sml sensor publishes the integer sent; the scaler of -1 came back from the
    // journal exactly.
    assert!(text.contains("    obis_code: \"1-0:1.8.0\"\n"), "{text}");
    assert!(text.contains("      - multiply: 0.1\n"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_key_registers_a_meter_lacks_do_not_hide_those_it_has() {
    // A MULTICAL 21 keeps silent at a request naming 60, which it lacks.
    let (_sim, port) = serve(Profile::Multical21, false);
    let output = run_cli(&["config", "--to", "pykmp", "--port", &port]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).ends_with("get-register --register 68 --register 74 --json\n"),
        "{}",
        stdout(&output)
    );
}
