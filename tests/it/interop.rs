//! An independent KMP client reads our simulated meter: PyKMP 0.0.2's `pykmp-tool`.
//!
//! Ignored by plain `cargo test`, which needs nothing but Rust; `.ci/run` installs PyKMP into a
//! virtual environment and runs these by name with `--ignored`, pointing `PYKMP_TOOL` at it.
//! PyKMP cannot skip an echo, so the meter runs with echo off.

use std::process::Command;

use crate::support::SimProcess;

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
