//! `scan` and `log` as scripts run them, against simulated meters on pseudo-terminals.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile, Timing};

use crate::support::{StderrWatch, run_cli, start, stderr, stdout, temp, wait_for_rows};

fn meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.magnet_delay = Duration::ZERO;
    config
}

fn serve(config: MeterConfig) -> SimHandle {
    spawn(config, None).unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn scan_prints_the_contract_json_and_writes_the_csv() {
    let sim = serve(meter(Profile::Multical21));
    let csv = temp("scan.csv");
    let port = sim.path().display().to_string();
    let output = run_cli(&[
        "scan",
        "--json",
        "--port",
        &port,
        "--from",
        "0",
        "--to",
        "319",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        (
            json["from"].as_u64(),
            json["to"].as_u64(),
            json["scanned"].as_u64()
        ),
        (Some(0), Some(319), Some(320))
    );
    // Eight IDs to a request: the catalogue's IDs first, then the rest of the range, so at most
    // two requests hold fewer than eight.
    let requests = json["requests"].as_u64().unwrap();
    assert!((40..=41).contains(&requests), "{requests} requests");
    assert_eq!(json["interrupted"], false);
    let found: Vec<u64> = json["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(found, [68, 74, 99, 113, 243]);
    assert!(
        stderr(&output).contains("IDs/s"),
        "progress on stderr: {}",
        stderr(&output)
    );
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(ids, ["68", "74", "99", "113", "243"]);
    let _ = std::fs::remove_file(&csv);
}

/// Waits until the simulated meter (logging its answers) has sent `answers` answers.
fn wait_for_answers(sim: &SimHandle, answers: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut sent = 0;
    while Instant::now() < deadline {
        sent += sim.take_sent().len();
        if sent >= answers {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the meter sent only {sent} of {answers} answers");
}

#[test]
fn ctrl_c_mid_scan_prints_what_was_found_and_exits_130() {
    let mut config = meter(Profile::Kamstrup382);
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.log_answers = true;
    let sim = serve(config);
    let port = sim.path().display().to_string();
    let child = start(&[
        "scan", "--json", "--port", &port, "--from", "0", "--to", "2000",
    ]);
    // Mid-scan: once the meter has answered a few of its requests.
    wait_for_answers(&sim, 3, Duration::from_secs(10));
    signal(&child, "INT");
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["interrupted"], true);
    let scanned = json["scanned"].as_u64().unwrap();
    assert!(scanned > 0 && scanned < 2001, "{scanned}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("resume with --from"));
}

fn log_args<'a>(port: &'a str, csv: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "log",
        "--port",
        port,
        "--registers",
        "68,74,9999",
        "--csv",
        csv.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn log_rows_parse_back_in_both_dialects() {
    let sim = serve(meter(Profile::Multical21));
    let port = sim.path().display().to_string();
    for (dialect, delimiter) in [("rfc4180", b','), ("excel-eu", b';')] {
        let csv = temp(&format!("log-{dialect}.csv"));
        let output = run_cli(&log_args(
            &port,
            &csv,
            &[
                "--interval",
                "100ms",
                "--duration",
                "1s",
                "--dialect",
                dialect,
            ],
        ));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("warning: polling every 100ms"),
            "{}",
            stderr(&output)
        );
        let bytes = std::fs::read(&csv).unwrap();
        assert_eq!(
            bytes.starts_with("\u{feff}".as_bytes()),
            dialect == "excel-eu",
            "BOM only for excel-eu"
        );
        let text = String::from_utf8(bytes).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            header,
            [
                "time_utc",
                "time_local",
                "elapsed_s",
                "V1 volume [m³] (68)",
                "flow V1 [l/h] (74)",
                "register 9999 (9999)"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert!(rows.len() >= 5, "{} rows in 1 s at 100 ms", rows.len());
        // The dialect's own decimal mark, and no other.
        let (mark, other) = if dialect == "excel-eu" {
            (',', '.')
        } else {
            ('.', ',')
        };
        for row in &rows {
            assert!(
                row[3].contains(mark) && !row[3].contains(other),
                "{dialect}: {row:?}"
            );
            let volume = row[3].replace(mark, ".");
            assert!(volume.parse::<f64>().unwrap() >= 123.456, "{row:?}");
            assert_eq!(
                &row[5], "",
                "a register missing from a poll leaves its cell empty"
            );
            assert!(row[0].ends_with('Z') && row[1].len() == 19, "{row:?}");
        }
        // Appending needs --append, and the file is left as it was; then the rows go on
        // under the same header.
        let before = std::fs::read(&csv).unwrap();
        let refused = run_cli(&log_args(
            &port,
            &csv,
            &[
                "--interval",
                "100ms",
                "--duration",
                "300ms",
                "--dialect",
                dialect,
            ],
        ));
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            stderr(&refused).contains("--append"),
            "{}",
            stderr(&refused)
        );
        assert_eq!(std::fs::read(&csv).unwrap(), before, "the file was changed");
        let appended = run_cli(&log_args(
            &port,
            &csv,
            &[
                "--interval",
                "100ms",
                "--duration",
                "500ms",
                "--dialect",
                dialect,
                "--append",
            ],
        ));
        assert_eq!(appended.status.code(), Some(0), "{}", stderr(&appended));
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text.matches("time_utc").count(), 1, "one header");
        assert!(text.lines().count() > rows.len() + 2);
        let _ = std::fs::remove_file(&csv);
    }
}

#[test]
fn sigkill_mid_log_leaves_every_row_whole() {
    let sim = serve(meter(Profile::Multical603));
    let port = sim.path().display().to_string();
    let csv = temp("killed.csv");
    let mut child = start(&log_args(&port, &csv, &["--interval", "20ms"]));
    wait_for_rows(&csv, 20, Duration::from_secs(10));
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.ends_with("\r\n"),
        "the last row is cut: {:?}",
        text.lines().last()
    );
    for line in text.lines() {
        assert_eq!(line.split(',').count(), 6, "a partial row: {line:?}");
    }
    let _ = std::fs::remove_file(&csv);
}

#[test]
fn sigkill_mid_session_recording_keeps_every_journaled_reading() {
    let sim = serve(meter(Profile::Multical603));
    let port = sim.path().display().to_string();
    let csv = temp("session-killed.csv");
    let dir = temp("session-killed");
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.display().to_string();
    let journal = dir.join("readings.journal");
    let mut child = start(&log_args(
        &port,
        &csv,
        &["--interval", "20ms", "--session", &dir_arg],
    ));
    wait_for_rows(&journal, 30, Duration::from_secs(10));
    child.kill().unwrap();
    child.wait().unwrap();

    // Every poll the journal holds whole, as it was when the process died.
    let text = std::fs::read_to_string(&journal).unwrap();
    let whole: Vec<&str> = text
        .split_inclusive('\n')
        .skip(1)
        .filter(|line| line.ends_with('\n'))
        .collect();
    let opened = kmp_workbench::session::Session::open(&dir).unwrap();
    assert_eq!(opened.readings.polls(), whole.len() as u64);
    let volume = opened
        .readings
        .get(kmp_workbench::kmp::RegisterId::V1_VOLUME.into())
        .unwrap();
    let with_volume = whole.iter().filter(|line| line.contains(" 68:")).count();
    assert!(with_volume >= 30, "{with_volume} polls with the volume");
    assert_eq!(volume.len(), with_volume);
    assert!(
        opened.traffic.len() >= 2 * with_volume,
        "request and answer of each poll"
    );
    let _ = std::fs::remove_file(&csv);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_port_that_vanishes_mid_log_comes_back_and_logging_goes_on() {
    let folder = std::env::temp_dir().join(format!("kmp-log-link-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let link = folder.join("meter");
    let first = spawn(meter(Profile::Multical21), Some(&link)).unwrap();
    let csv = temp("vanish.csv");
    let port = link.display().to_string();
    let mut child = start(&log_args(
        &port,
        &csv,
        &["--interval", "100ms", "--duration", "6s"],
    ));
    let watch = StderrWatch::of(&mut child);
    wait_for_rows(&csv, 3, Duration::from_secs(5));
    drop(first);
    watch.wait_for("lost the port", Duration::from_secs(3));

    let rows_while_gone = std::fs::read_to_string(&csv).unwrap().lines().count();
    let _second = spawn(meter(Profile::Multical21), Some(&link)).unwrap();
    let status = child.wait().unwrap();
    let stderr = watch.finish();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("lost the port") && stderr.contains("is back"),
        "{stderr}"
    );
    let rows_after = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert!(
        rows_after > rows_while_gone + 5,
        "{rows_while_gone} rows when the port went, {rows_after} at the end"
    );
    let _ = std::fs::remove_file(&csv);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn a_throttling_meter_gets_the_warning_and_rows_resume_after_the_magnet() {
    let mut config = meter(Profile::FlowIq2200);
    config.budget = Some(4);
    let sim = serve(config);
    let port = sim.path().display().to_string();
    let csv = temp("throttle.csv");
    let mut child = start(&log_args(
        &port,
        &csv,
        &[
            "--interval",
            "100ms",
            "--duration",
            "5s",
            "--timeout",
            "100ms",
        ],
    ));
    let watch = StderrWatch::of(&mut child);
    wait_for_rows(&csv, 4, Duration::from_secs(5));
    watch.wait_for(
        "stopped answering after answering before (throttled)",
        Duration::from_secs(4),
    );
    let rows_throttled = std::fs::read_to_string(&csv).unwrap().lines().count();
    sim.place_magnet();
    child.wait().unwrap();
    let stderr = watch.finish();
    let rows_after = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert_eq!(
        rows_throttled, 5,
        "four rows and the header before the meter went silent"
    );
    assert!(
        rows_after > rows_throttled,
        "no rows after the magnet: {stderr}"
    );
    let _ = std::fs::remove_file(&csv);
}

#[test]
fn a_scan_pauses_when_the_meter_goes_silent_and_resumes_after_the_magnet() {
    let mut config = meter(Profile::Multical21);
    config.budget = Some(20);
    let sim = serve(config);
    let port = sim.path().display().to_string();
    let mut child = start(&[
        "scan",
        "--json",
        "--port",
        &port,
        "--from",
        "0",
        "--to",
        "200",
        "--wait",
        "20s",
        "--timeout",
        "100ms",
    ]);
    let watch = StderrWatch::of(&mut child);
    watch.wait_for(
        "paused: the meter stopped answering",
        Duration::from_secs(10),
    );
    sim.place_magnet();
    let output = child.wait_with_output().unwrap();
    let stderr = watch.finish();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("paused: the meter stopped answering") && stderr.contains("resumed"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["scanned"], 201);
    assert_eq!(json["interrupted"], false);
    let found: Vec<u64> = json["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(found, [68, 74, 99, 113]);
}

/// Files already there are the user's: `scan --csv` refuses one, and `log --append` refuses one
/// whose header is another log's, each leaving it as it was and saying why.
#[test]
fn existing_files_are_never_overwritten_or_mixed() {
    let sim = serve(meter(Profile::Multical21));
    let port = sim.path().display().to_string();
    let csv = temp("kept.csv");
    std::fs::write(&csv, "id,name\r\n68,kitchen\r\n").unwrap();
    let before = std::fs::read(&csv).unwrap();
    let scan = run_cli(&[
        "scan",
        "--port",
        &port,
        "--from",
        "60",
        "--to",
        "70",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(scan.status.code(), Some(2), "{}", stderr(&scan));
    assert!(stderr(&scan).contains("exists"), "{}", stderr(&scan));
    assert_eq!(std::fs::read(&csv).unwrap(), before);

    let log = run_cli(&log_args(
        &port,
        &csv,
        &["--interval", "100ms", "--duration", "300ms", "--append"],
    ));
    assert_eq!(log.status.code(), Some(2), "{}", stderr(&log));
    assert!(stderr(&log).contains("header"), "{}", stderr(&log));
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    let _ = std::fs::remove_file(&csv);
}

/// Ctrl-C ends every command that talks to a meter with exit 130 and what it had so far:
/// `probe` and `read` while they keep asking a meter whose eye does not wake, `log` mid-log.
#[test]
fn ctrl_c_ends_probe_read_and_log_with_130() {
    let mut sleeping = meter(Profile::Multical21);
    sleeping.magnet_delay = Duration::from_secs(3600);
    let sim = serve(sleeping);
    let port = sim.path().display().to_string();
    let asking = "no answer yet; asking again";
    for args in [
        &[
            "probe",
            "--port",
            &port,
            "--wait",
            "60s",
            "--timeout",
            "100ms",
        ][..],
        &[
            "read",
            "--port",
            &port,
            "--wait",
            "60s",
            "--timeout",
            "100ms",
            "68",
        ],
    ] {
        let mut child = start(args);
        let watch = StderrWatch::of(&mut child);
        watch.wait_for(asking, Duration::from_secs(10));
        signal(&child, "INT");
        let status = child.wait().unwrap();
        let stderr = watch.finish();
        assert_eq!(status.code(), Some(130), "{}: {stderr}", args[0]);
    }

    let awake = serve(meter(Profile::Multical21));
    let port = awake.path().display().to_string();
    let csv = temp("interrupted.csv");
    let mut child = start(&log_args(&port, &csv, &["--interval", "100ms"]));
    let watch = StderrWatch::of(&mut child);
    wait_for_rows(&csv, 3, Duration::from_secs(10));
    signal(&child, "INT");
    let status = child.wait().unwrap();
    let stderr = watch.finish();
    assert_eq!(status.code(), Some(130), "log: {stderr}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.ends_with("\r\n") && text.lines().count() > 3, "{text}");
    let _ = std::fs::remove_file(&csv);
}
