//! Heads across the network: ser2net 4 (Debian's package) bridges a simulated meter served on a
//! pseudo-terminal, and the commands reach it as `socket://` and `rfc2217://` on the loopback.
//!
//! Ignored by plain `cargo test`, which needs nothing but Rust; `.ci/run` installs ser2net and
//! runs these by name with `--ignored`. Each bridge has a meter of its own: ser2net lets go of a
//! terminal a moment after its client leaves, and a second accepter on the same terminal would
//! find it busy.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile};

use crate::support::{StderrWatch, run_cli, start, stderr, stdout, temp, wait_for_rows};

/// A ser2net process serving one terminal on one TCP port of the loopback.
struct Ser2net {
    child: Child,
    port: u16,
    accepter: &'static str,
    device: String,
    line: &'static str,
}

/// Raw TCP.
const RAW: &str = "tcp";
/// Telnet with RFC 2217.
const RFC2217: &str = "telnet(rfc2217),tcp";

impl Ser2net {
    /// Serves `device` at `line` (ser2net's own notation, `1200n82`) through `accepter`.
    fn start(accepter: &'static str, device: &str, line: &'static str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port, accepter, device, line)
    }

    fn start_on(port: u16, accepter: &'static str, device: &str, line: &'static str) -> Self {
        // `#` is a line break in ser2net's -Y strings.
        let config = format!(
            "connection: &meter#  accepter: {accepter},127.0.0.1,{port}#  \
             connector: serialdev,{device},{line},local"
        );
        let server = Self {
            child: spawn_ser2net(&["-Y", &config]),
            port,
            accepter,
            device: device.to_string(),
            line,
        };
        server.wait_until_listening();
        server
    }

    /// Runs the RFC 2217 connection of the configuration file `path`, which listens on `port`.
    fn from_file(path: &std::path::Path, port: u16) -> Self {
        let server = Self {
            child: spawn_ser2net(&["-c", &path.display().to_string()]),
            port,
            accepter: RFC2217,
            device: String::new(),
            line: "",
        };
        server.wait_until_listening();
        server
    }

    /// Waits until the kernel lists the port as listening (no test connection, which would
    /// take the terminal for a moment).
    fn wait_until_listening(&self) {
        let wanted = format!(":{:04X} ", self.port);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
            // State 0A is LISTEN.
            if table
                .lines()
                .any(|row| row.contains(&wanted) && row.split_whitespace().nth(3) == Some("0A"))
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("ser2net never listened on {}", self.port);
    }

    /// The port's name for the workbench.
    fn name(&self) -> String {
        let scheme = if self.accepter == RAW {
            "socket"
        } else {
            "rfc2217"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port.
    fn restart(&mut self) {
        self.stop();
        *self = Self::start_on(self.port, self.accepter, &self.device, self.line);
    }
}

impl Drop for Ser2net {
    fn drop(&mut self) {
        self.stop();
    }
}

/// ser2net in the foreground with `args`, its output discarded.
fn spawn_ser2net(args: &[&str]) -> Child {
    let tool = std::env::var("SER2NET").unwrap_or_else(|_| "ser2net".into());
    Command::new(&tool)
        .args(["-n", "-u"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {tool}: {error}; set SER2NET"))
}

fn meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.magnet_delay = Duration::ZERO;
    config
}

/// A simulated meter and, unless `accepter` is `None`, a bridge to it; gives the port's name.
fn reach(
    accepter: Option<&'static str>,
    config: MeterConfig,
) -> (SimHandle, Option<Ser2net>, String) {
    let sim = spawn(config, None).unwrap();
    let device = sim.path().display().to_string();
    match accepter {
        None => (sim, None, device),
        Some(accepter) => {
            let bridge = Ser2net::start(accepter, &device, "1200n82");
            let name = bridge.name();
            (sim, Some(bridge), name)
        }
    }
}

fn json(args: &[&str]) -> serde_json::Value {
    let output = run_cli(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
#[ignore = "needs ser2net"]
fn probe_read_and_scan_through_ser2net_give_what_the_terminal_gives() {
    let mut seen = Vec::new();
    for accepter in [None, Some(RAW), Some(RFC2217)] {
        let (_sim, _bridge, port) = reach(accepter, meter(Profile::Multical21));
        let mut probe = json(&["probe", "--port", &port, "--json"]);
        probe["port"] = serde_json::Value::Null;
        probe["seconds_to_first_answer"] = serde_json::Value::Null;
        probe["seconds_to_diagnosis"] = serde_json::Value::Null;
        // Only a network port has a round trip, and on the loopback it is well under 50 ms.
        let round_trip = probe
            .as_object_mut()
            .and_then(|fields| fields.remove("round_trip_s"));
        assert_eq!(round_trip.is_some(), accepter.is_some(), "{port}: {probe}");
        if let Some(seconds) = round_trip {
            assert!(
                seconds.as_f64().is_some_and(|s| s < 0.05),
                "{port}: {seconds}"
            );
        }
        let read = json(&["read", "--port", &port, "--json", "68", "74"]);
        let mut scan = json(&[
            "scan", "--port", &port, "--from", "0", "--to", "120", "--json",
        ]);
        scan["elapsed_s"] = serde_json::Value::Null;
        // The sweep changes the line; over a raw socket it cannot, and says so instead.
        let swept = run_cli(&["probe", "--port", &port, "--sweep", "--json"]);
        let said = stderr(&swept);
        assert_eq!(
            said.contains("over a raw socket the line settings are the bridge's own"),
            accepter == Some(RAW),
            "{port}: {said}"
        );
        let rows: serde_json::Value = serde_json::from_str(&stdout(&swept)).unwrap();
        let rows = rows["sweep"].as_array().map_or(0, Vec::len);
        assert_eq!(
            rows == 0,
            accepter == Some(RAW),
            "{port}: {rows} sweep rows"
        );
        assert_eq!(probe["echo"], true, "{port}: {probe}");
        assert_eq!(probe["diagnosis_code"], "ok", "{port}: {probe}");
        seen.push((port, probe, read, scan));
    }
    let (_, probe, read, scan) = &seen[0];
    for (port, other_probe, other_read, other_scan) in &seen[1..] {
        assert_eq!(other_probe, probe, "probe through {port}");
        assert_eq!(other_read, read, "read through {port}");
        assert_eq!(other_scan, scan, "scan through {port}");
    }
}

#[test]
#[ignore = "needs ser2net"]
fn over_rfc2217_the_baud_rate_chosen_reaches_the_terminal_and_over_a_raw_socket_it_cannot() {
    // A meter that speaks at 2400 behind bridges configured for 1200: the meter hears the
    // bytes at the terminal's rate, which only RFC 2217 can change.
    let mut config = meter(Profile::Multical21);
    config.baud = Some(2400);
    let (_sim, _bridge, rfc2217) = reach(Some(RFC2217), config.clone());
    let read = json(&["read", "--port", &rfc2217, "--baud", "2400", "--json", "68"]);
    assert_eq!(read["registers"][0]["value"], "123.456");
    let wrong = run_cli(&[
        "read", "--port", &rfc2217, "--baud", "1200", "--wait", "1s", "68",
    ]);
    assert_ne!(
        wrong.status.code(),
        Some(0),
        "a 2400 baud meter answered at 1200"
    );

    // The terminal's own settings while a client holds the bridge at 2400 baud, one stop bit.
    let (sim, _bridge, rfc2217) = reach(Some(RFC2217), config.clone());
    let mut child = start(&[
        "probe",
        "--port",
        &rfc2217,
        "--baud",
        "2400",
        "--stop-bits",
        "1",
        "--wait",
        "3s",
    ]);
    let watch = StderrWatch::of(&mut child);
    watch.wait_for("probing", Duration::from_secs(5));
    let terminal = sim.path().display().to_string();
    let settings = Command::new("stty")
        .args(["-F", &terminal, "-a"])
        .output()
        .unwrap();
    let settings = String::from_utf8_lossy(&settings.stdout).to_string();
    let _ = child.wait();
    watch.finish();
    assert!(settings.contains("speed 2400 baud"), "{settings}");
    assert!(settings.contains("-cstopb"), "one stop bit: {settings}");

    let (_sim, _bridge, raw) = reach(Some(RAW), config);
    let raw_read = run_cli(&[
        "read", "--port", &raw, "--baud", "2400", "--wait", "1s", "68",
    ]);
    assert_ne!(
        raw_read.status.code(),
        Some(0),
        "a raw socket cannot change the bridge's 1200 baud"
    );
}

#[test]
#[ignore = "needs ser2net"]
fn a_log_through_a_bridge_that_restarts_says_so_reconnects_and_loses_no_row() {
    let (_sim, bridge, port) = reach(Some(RFC2217), meter(Profile::Multical21));
    let mut bridge = bridge.unwrap();
    let csv = temp("ser2net-log.csv");
    let mut child = start(&[
        "log",
        "--port",
        &port,
        "--registers",
        "68,74",
        "--interval",
        "200ms",
        "--duration",
        "8s",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let watch = StderrWatch::of(&mut child);
    wait_for_rows(&csv, 3, Duration::from_secs(5));
    bridge.stop();
    watch.wait_for("lost the port", Duration::from_secs(4));
    bridge.restart();
    let status = child.wait().unwrap();
    let said = watch.finish();
    assert_eq!(status.code(), Some(0), "{said}");
    assert!(said.contains("is back"), "{said}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    let columns = rows[0].split(',').count();
    assert!(rows.len() > 10, "{} rows: {said}", rows.len());
    for row in &rows {
        assert_eq!(row.split(',').count(), columns, "a broken row: {row:?}");
    }
    let _ = std::fs::remove_file(&csv);
}

#[test]
#[ignore = "needs ser2net"]
fn over_rfc2217_a_mode_c_meter_is_found_signed_on_at_300_7e1_and_read_after_its_baud_switch() {
    let mut readouts = Vec::new();
    for accepter in [None, Some(RFC2217)] {
        let (_sim, _bridge, port) = reach(accepter, meter(Profile::IecModeC));
        let probe = json(&["probe", "--port", &port, "--json"]);
        assert_eq!(probe["protocol"], "iec62056-21", "{port}: {probe}");
        let read = json(&["read", "--port", &port, "--json"]);
        readouts.push((port, probe["line"].clone(), read));
    }
    // The codes, units and the meter's address; energy grows with each meter's own clock.
    let shape = |read: &serde_json::Value| -> Vec<(String, String)> {
        read["registers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["obis"].to_string(), r["unit"].to_string()))
            .collect()
    };
    let (_, line, readout) = &readouts[0];
    let (port, other_line, other_readout) = &readouts[1];
    assert_eq!(other_line, line, "the line found through {port}");
    assert_eq!(
        shape(other_readout),
        shape(readout),
        "the readout through {port}"
    );
    assert_eq!(shape(readout).len(), 6);
    assert_eq!(other_readout["registers"][0], readout["registers"][0]);
}

#[test]
#[ignore = "needs ser2net"]
fn reads_back_to_back_through_a_bridge_that_is_still_letting_go_both_succeed() {
    for accepter in [RAW, RFC2217] {
        let (_sim, _bridge, port) = reach(Some(accepter), meter(Profile::Multical21));
        let reads: Vec<_> = (0..3)
            .map(|_| run_cli(&["read", "--port", &port, "--json", "68"]))
            .collect();
        for (index, output) in reads.iter().enumerate() {
            assert_eq!(
                output.status.code(),
                Some(0),
                "read {index} through {port}: {}",
                stderr(output)
            );
        }
    }
}

#[test]
#[ignore = "needs ser2net"]
fn ser2net_runs_the_connection_config_hands_over_and_the_meter_is_read_through_it() {
    let sim = spawn(meter(Profile::Multical21), None).unwrap();
    let device = sim.path().display().to_string();
    let path = temp("handed-over-ser2net.yaml");
    let file = path.display().to_string();
    let output = run_cli(&[
        "config", "--to", "ser2net", "--port", &device, "--output", &file,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The TCP port handed over is a default; the test takes a free one on the loopback.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let yaml = std::fs::read_to_string(&path).unwrap();
    assert!(
        yaml.contains(&format!("connector: serialdev,{device},1200n82,local")),
        "{yaml}"
    );
    let local = yaml.replace("tcp,2000\n", &format!("tcp,127.0.0.1,{port}\n"));
    assert_ne!(local, yaml, "the accepter's port: {yaml}");
    std::fs::write(&path, local).unwrap();
    let _bridge = Ser2net::from_file(&path, port);
    let name = format!("rfc2217://127.0.0.1:{port}");
    let read = json(&["read", "--json", "--port", &name, "68"]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(read["registers"][0]["id"], 68, "{read}");
}
