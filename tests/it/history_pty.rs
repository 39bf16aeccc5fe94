//! `history` through the real serial code against the simulated MULTICAL 603 on a
//! pseudo-terminal, echo on: records newest first that agree with the meter's registers, paging
//! through answers the meter cut short, the CSV parsed back, and a meter without loggers.

use std::time::Duration;

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile};

use crate::support::{run_cli, stderr, stdout};

fn serve(profile: Profile) -> SimHandle {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.magnet_delay = Duration::ZERO;
    spawn(config, None).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let output = run_cli(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|_| panic!("no JSON: {}", stdout(&output)))
}

fn record_ids(json: &serde_json::Value) -> Vec<u64> {
    json["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["record_id"].as_u64().unwrap())
        .collect()
}

fn value_of(record: &serde_json::Value, id: u64) -> f64 {
    record["registers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|register| register["id"] == id)
        .and_then(|register| register["value"].as_str())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no register {id} in {record}"))
}

#[test]
fn twelve_months_come_newest_first_and_never_above_the_volume_read_after() {
    let sim = serve(Profile::Multical603);
    let port = sim.path().display().to_string();
    let months = json(&[
        "history",
        "--port",
        &port,
        "--logger",
        "month",
        "--registers",
        "68,60",
        "--last",
        "12",
        "--json",
    ]);
    assert_eq!(months["logger"], "month");
    let ids = record_ids(&months);
    let newest = months["newest_id"].as_u64().unwrap();
    assert_eq!(ids, (0..12).map(|back| newest - back).collect::<Vec<_>>());
    let records = months["records"].as_array().unwrap();
    let volumes: Vec<f64> = records.iter().map(|record| value_of(record, 68)).collect();
    assert!(
        volumes.windows(2).all(|pair| pair[0] >= pair[1]),
        "{volumes:?}"
    );
    // Each record carries the logger's own date; the newest is the month the meter is in.
    assert_eq!(records[0]["registers"][1]["display"], "2026-01-01");
    assert_eq!(records[11]["registers"][1]["display"], "2025-02-01");
    let now = json(&["read", "--port", &port, "--json", "68"]);
    let volume_now: f64 = now["registers"][0]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(volumes[0] <= volume_now, "{} > {volume_now}", volumes[0]);
    sim.stop();
}

#[test]
fn paging_through_cut_answers_loses_and_repeats_no_record_and_the_csv_reads_back() {
    let sim = serve(Profile::Multical603);
    let port = sim.path().display().to_string();
    let dir = std::env::temp_dir().join(format!("kmp-history-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let csv_path = dir.join("days.csv");
    let csv_arg = csv_path.display().to_string();
    let output = run_cli(&[
        "history",
        "--port",
        &port,
        "--logger",
        "day",
        "--registers",
        "60,63,68,69,97,110,1004",
        "--last",
        "40",
        "--json",
        "--csv",
        &csv_arg,
        "--dialect",
        "excel-eu",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("takes about"),
        "{}",
        stderr(&output)
    );
    let days: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let ids = record_ids(&days);
    let newest = days["newest_id"].as_u64().unwrap();
    assert_eq!(ids, (0..40).map(|back| newest - back).collect::<Vec<_>>());
    assert!(
        days["requests"].as_u64().unwrap() > 3,
        "the answers were cut short"
    );

    let text = std::fs::read_to_string(&csv_path).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("excel-eu starts with a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(&header[..2], ["record_id", "meter_time"]);
    assert!(
        header.contains(&"V1 volume [m³] (68)".to_string()),
        "{header:?}"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 40);
    assert_eq!(rows[0][0], newest.to_string());
    assert_eq!(&rows[0][1], "2026-01-01 00:00:00");
    let volume = header.iter().position(|h| h.ends_with("(68)")).unwrap();
    let json_volume = days["records"][0]["registers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|register| register["id"] == 68)
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .replace('.', ",");
    assert_eq!(
        rows[0][volume], json_volume,
        "the exact value with a decimal comma"
    );
    let _ = std::fs::remove_dir_all(&dir);
    sim.stop();
}

#[test]
fn a_meter_without_loggers_is_exit_4_with_the_reason() {
    let sim = serve(Profile::Multical21);
    let port = sim.path().display().to_string();
    let output = run_cli(&[
        "history",
        "--port",
        &port,
        "--logger",
        "month",
        "--registers",
        "68",
        "--wait",
        "1s",
    ]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("answered none of the logger reads"),
        "{}",
        stderr(&output)
    );
    sim.stop();
}

#[test]
fn the_382s_load_profile_is_read_with_the_a_commands_and_cannot_be_listed() {
    let sim = serve(Profile::Kamstrup382);
    let port = sim.path().display().to_string();
    let hours = json(&[
        "history",
        "--port",
        &port,
        "--logger",
        "interval",
        "--log-id",
        "6",
        "--registers",
        "1",
        "--last",
        "30",
        "--json",
    ]);
    assert_eq!(hours["logger"], "log 6");
    let newest = hours["newest_id"].as_u64().unwrap();
    assert_eq!(
        record_ids(&hours),
        (0..30).map(|back| newest - back).collect::<Vec<_>>()
    );
    let records = hours["records"].as_array().unwrap();
    let energies: Vec<f64> = records.iter().map(|record| value_of(record, 1)).collect();
    assert!(
        energies.windows(2).all(|pair| pair[0] >= pair[1]),
        "{energies:?}"
    );
    let listing = run_cli(&["history", "--port", &port, "--logger", "interval"]);
    assert_eq!(listing.status.code(), Some(2));
    assert!(
        stderr(&listing).contains("cannot be listed"),
        "{}",
        stderr(&listing)
    );
    sim.stop();
}
