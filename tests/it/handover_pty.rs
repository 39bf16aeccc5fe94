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
