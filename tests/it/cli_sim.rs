//! `kmp-workbench sim` as a separate program: its path on stdout, the magnet on SIGUSR1, a
//! summary on SIGTERM.

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use kmp_workbench::kmp::Request;

use crate::support::SimProcess;

fn serial_answer_within(path: &str, limit: Duration) -> bool {
    let mut port = serialport::new(path, 1200)
        .timeout(Duration::from_millis(20))
        .open_native()
        .unwrap();
    port.write_all(&Request::GetSerialNo.encode(0x3F)).unwrap();
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buffer = [0u8; 32];
    while Instant::now() < deadline && !got.ends_with(&[0x0D]) {
        if let Ok(n) = port.read(&mut buffer) {
            got.extend_from_slice(&buffer[..n]);
        }
    }
    got.first() == Some(&0x40) && got.ends_with(&[0x0D])
}

/// Asks again every 100 ms until the meter answers: a waking eye ignores what it is sent.
fn answers_when_asked_again_within(path: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if serial_answer_within(path, Duration::from_millis(100)) {
            return true;
        }
    }
    false
}

#[test]
fn sim_prints_its_terminal_serves_it_and_summarises_on_sigterm() {
    let sim = SimProcess::start(&["--profile", "multical603", "--seed", "3"]);
    assert!(serial_answer_within(&sim.path, Duration::from_secs(2)));
    let (code, stderr) = sim.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("MULTICAL 603"), "{stderr}");
    assert!(stderr.contains("served 1 requests: 1 answered"), "{stderr}");
}

#[test]
fn sigusr1_places_the_magnet_again() {
    let sim = SimProcess::start(&[
        "--profile",
        "multical21",
        "--magnet-delay",
        "300ms",
        "--budget",
        "1",
    ]);
    assert!(
        !serial_answer_within(&sim.path, Duration::from_millis(100)),
        "answers while waking"
    );
    assert!(
        answers_when_asked_again_within(&sim.path, Duration::from_secs(2)),
        "no answer once awake"
    );
    assert!(
        !serial_answer_within(&sim.path, Duration::from_millis(150)),
        "answers over its budget"
    );
    sim.signal("USR1");
    assert!(
        answers_when_asked_again_within(&sim.path, Duration::from_secs(2)),
        "no answer after the magnet"
    );
    let (code, stderr) = sim.stop();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("magnet placed"), "{stderr}");
}

#[test]
fn sim_rejects_bad_arguments_with_usage_errors() {
    for args in [
        &["sim", "--profile", "gasmeter"][..],
        &["sim", "--corrupt", "2"],
        &["sim", "--latency", "5"],
    ] {
        let output = crate::support::run_cli(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn ctrl_c_stops_sim_with_its_summary() {
    let sim = SimProcess::start(&["--profile", "multical21", "--magnet-delay", "0s"]);
    assert!(serial_answer_within(&sim.path, Duration::from_secs(2)));
    let (code, stderr) = sim.stop_with("INT");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("served 1 requests: 1 answered"), "{stderr}");
}
