//! The real link worker and real serialport against simulated meters on pseudo-terminals:
//! every row of the link-check matrix, faults, a vanishing port, and what is ever sent.

use std::io::{Read as _, Write as _};

use serialport::SerialPort as _;
use std::path::Path;
use std::time::{Duration, Instant};

use kmp_workbench::kmp::{self, Message, RegisterId};
use kmp_workbench::link::port::{SimSettings, SystemOpener};
use kmp_workbench::link::{
    ECHO_PATTERN, EndReason, Event, Job, JobEvent, LinkConfig, LinkHandle, ReadOptions, ReadReport,
    Report,
};
use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{Asked, Faults, MeterConfig, Profile, Timing};

use crate::support::{run_cli, stderr, stdout};

fn meter(profile: Profile, echo: bool) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = echo;
    config.magnet_delay = Duration::ZERO;
    config
}

fn asleep(config: MeterConfig) -> MeterConfig {
    MeterConfig {
        magnet_delay: Duration::from_secs(3600),
        ..config
    }
}

fn serve(config: MeterConfig) -> SimHandle {
    spawn(config, None).unwrap()
}

fn path(sim: &SimHandle) -> String {
    sim.path().display().to_string()
}

fn probe_json(port: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut args = vec!["probe", "--json", "--port", port, "--timeout", "100ms"];
    args.extend_from_slice(extra);
    let output = run_cli(&args);
    let json = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|_| panic!("no JSON: {}", stderr(&output)));
    (output.status.code(), json, stderr(&output))
}

#[test]
fn matrix_a_port_that_cannot_be_opened_is_a_port_error() {
    let (code, json, _) = probe_json("/dev/no-such-port", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(json["diagnosis_code"], "port_error");
    assert!(
        json["diagnosis"]
            .as_str()
            .unwrap()
            .contains("/dev/no-such-port")
    );
}

/// The advice follows what the system said, not the serial library's kind: a path that is not
/// there, a folder and a plain file each get their own.
#[test]
fn matrix_each_port_error_gets_the_advice_for_its_cause() {
    let dir = std::env::temp_dir().join(format!("kmp-port-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("capture.txt");
    std::fs::write(&file, "80 3F 10 01 00 44").unwrap();
    let missing = dir.join("ttyUSB9");
    for (port, advice) in [
        (&missing, "check the port name"),
        (&dir, "name a serial port such as"),
        (&file, "name a serial port such as"),
    ] {
        let (code, json, _) = probe_json(&port.display().to_string(), &[]);
        assert_eq!(code, Some(1), "{port:?}");
        assert_eq!(json["diagnosis_code"], "port_error");
        let said = json["diagnosis"].as_str().unwrap().to_lowercase();
        assert!(said.contains(advice), "{port:?}: {said}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A terminal another program holds exclusively (serialport sets TIOCEXCL) refuses a second
/// open with EBUSY: provoked for real, the advice is to close that program. Root is exempt from
/// TIOCEXCL, so as root the probe runs as nobody (setpriv), with the terminal opened to all.
#[cfg(target_os = "linux")]
#[test]
fn matrix_a_port_held_by_another_program_is_busy() {
    let sim = serve(meter(Profile::Multical21, false));
    let path = path(&sim);
    let _held = serialport::new(&path, 1200).open_native().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kmp-workbench"));
    use std::os::unix::fs::MetadataExt as _;
    // The owner of this process's own /proc entry is its user.
    if std::fs::metadata("/proc/self").unwrap().uid() == 0 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        command = std::process::Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        command.arg(env!("CARGO_BIN_EXE_kmp-workbench"));
    }
    let output = command
        .args(["probe", "--json", "--port", &path])
        .output()
        .expect("setpriv (util-linux) runs the probe as another user");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["diagnosis_code"], "port_error");
    let said = json["diagnosis"].as_str().unwrap();
    assert!(said.contains("Close the other program"), "{said}");
}

/// `--dtr` and `--rts` are set on the port when asked; a pseudo-terminal has no such lines, so
/// asking for either is a port error that says so, and not asking opens it as usual.
#[test]
fn matrix_control_lines_a_port_lacks_are_a_port_error_that_says_so() {
    let sim = serve(meter(Profile::Multical21, false));
    for line in [["--dtr", "on"], ["--rts", "off"]] {
        let (code, json, _) = probe_json(&path(&sim), &line);
        assert_eq!(code, Some(1), "{line:?}");
        assert_eq!(json["diagnosis_code"], "port_error");
        let said = json["diagnosis"].as_str().unwrap();
        let name = line[0].trim_start_matches("--").to_uppercase();
        assert!(said.contains(&format!("cannot set {name}")), "{said}");
        assert!(said.contains("no DTR or RTS line"), "{said}");
    }
}

#[test]
fn matrix_nothing_back_is_no_echo() {
    let sim = serve(asleep(meter(Profile::Multical21, false)));
    let (code, json, _) = probe_json(&path(&sim), &["--wait", "300ms"]);
    assert_eq!(code, Some(4));
    assert_eq!(
        (json["echo"].as_bool(), json["answered"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(json["diagnosis_code"], "no_echo");
}

#[test]
fn matrix_echo_soon_after_connecting_is_waking() {
    let sim = serve(asleep(meter(Profile::Multical21, true)));
    // KMP only: finding out the protocol would take the probe past the wake-up window.
    let (code, json, stderr) = probe_json(&path(&sim), &["--wait", "1s", "--protocol", "kmp"]);
    assert_eq!(code, Some(4));
    assert_eq!(json["diagnosis_code"], "waking");
    assert!(
        stderr.contains("asking again"),
        "a countdown on stderr: {stderr}"
    );
}

#[test]
fn matrix_echo_and_never_an_answer_is_echo_only() {
    let sim = serve(asleep(meter(Profile::FlowIq2200, true)));
    let (code, json, _) = probe_json(&path(&sim), &["--wait", "6s"]);
    assert_eq!(code, Some(4));
    assert_eq!(
        (json["echo"].as_bool(), json["echo_clean"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(json["diagnosis_code"], "echo_only");
    assert!(json["diagnosis"].as_str().unwrap().contains("magnet"));
}

#[test]
fn matrix_echo_only_with_the_magnet_placed_points_to_the_receiver() {
    let sim = serve(asleep(meter(Profile::FlowIq2200, true)));
    let (code, json, _) = probe_json(&path(&sim), &["--wait", "6s", "--magnet-placed"]);
    assert_eq!(code, Some(4));
    assert_eq!(json["diagnosis_code"], "echo_only");
    let text = json["diagnosis"].as_str().unwrap();
    assert!(
        text.contains("though the magnet was placed") && text.contains("receiver"),
        "{text}"
    );
}

#[test]
fn matrix_answers_that_fail_their_checks_are_garbled() {
    let mut config = meter(Profile::Multical403, true);
    config.faults = Faults {
        corrupt: 1.0,
        ..Faults::default()
    };
    let sim = serve(config);
    let (code, json, _) = probe_json(&path(&sim), &["--wait", "1s"]);
    assert_eq!(code, Some(4));
    assert_eq!(json["diagnosis_code"], "garbled");
    assert!(json["diagnosis"].as_str().unwrap().contains("2400 baud"));
}

#[test]
fn matrix_a_meter_that_answers_is_ok_and_identified() {
    let mut config = meter(Profile::Multical21, true);
    config.magnet_delay = Duration::from_millis(500);
    let before_the_meter = Instant::now();
    let sim = serve(config);
    // The eye wakes 500 ms after the meter started (which is after `before_the_meter`); the
    // probe starts later still.
    let asleep_for = Duration::from_millis(500).saturating_sub(before_the_meter.elapsed());
    let (code, json, _) = probe_json(&path(&sim), &["--wait", "5s"]);
    assert_eq!(code, Some(0));
    assert_eq!(json["diagnosis_code"], "ok");
    assert_eq!(json["serial"], "71234567");
    assert_eq!(json["meter_type"], "0x002F");
    assert_eq!(json["line"], "1200 8N2");
    // Not before the eye could wake (less the child's own start-up), nor long after.
    let seconds = json["seconds_to_first_answer"].as_f64().unwrap();
    let earliest = asleep_for.as_secs_f64() - 0.1;
    assert!(
        seconds >= earliest && seconds < earliest + 2.0,
        "{seconds} vs {earliest}"
    );
}

#[test]
fn a_waking_eye_is_answered_soon_after_it_wakes_though_the_early_round_ran_before() {
    // A MULTICAL 21 in real time whose eye wakes 4 s after the meter started (the magnet placed
    // as the head went on): the early round (0x7F, the quick sign-on, the quick `/#1`, with KMP
    // asked again after each of those two) asks KMP as `/#1` ends, soon after it wakes.
    let mut config = meter(Profile::Multical21, true);
    config.magnet_delay = Duration::from_secs(4);
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.log_answers = true;
    let sim = serve(config);
    let woken = Instant::now() + Duration::from_secs(4);
    let output = run_cli(&["probe", "--json", "--port", &path(&sim)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let first = sim.take_sent().into_iter().next().expect("an answer");
    let late = first.at.saturating_duration_since(woken);
    // 0.5 s of asking and answering, and some room for a busy machine's scheduling.
    assert!(
        late < Duration::from_millis(800),
        "first answer {late:?} after waking"
    );
}

#[test]
fn a_meter_at_another_address_is_found_there_and_read_there() {
    let mut config = meter(Profile::Multical603, true);
    config.address = 0x7F;
    let sim = serve(config);
    let port = path(&sim);
    let (code, json, _) = probe_json(&port, &["--wait", "1s"]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["address"], "0x7F");
    assert_eq!(json["protocol"], "kmp");
    assert_eq!(json["diagnosis_code"], "ok");
    let said = json["diagnosis"].as_str().unwrap();
    assert!(
        said.contains("answers at address 0x7F, not at 0x3F") && said.contains("--address 0x7F"),
        "{said}"
    );
    assert!(json["meter_type"].is_string(), "its type asked at 0x7F too");
    // As the probe says, it is read at 0x7F.
    let read = run_cli(&["read", "--port", &port, "--address", "0x7F", "--json", "60"]);
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
}

#[test]
fn a_meter_at_another_baud_rate_is_found_there_without_a_sweep_and_read_there() {
    // An electricity meter's eye at 2400 baud hears nothing of the link's 1200: the early round
    // asks 2400 and 9600 too, and the probe says where to read it.
    let mut config = meter(Profile::Multical603, true);
    config.baud = Some(2400);
    let sim = serve(config);
    let port = path(&sim);
    let (code, json, _) = probe_json(&port, &[]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["protocol"], "kmp");
    assert_eq!(json["line"], "2400 8N2");
    assert_eq!(json["diagnosis_code"], "ok");
    assert!(json["meter_type"].is_string(), "its type asked at 2400 too");
    let said = json["diagnosis"].as_str().unwrap();
    assert!(said.contains("--baud 2400"), "{said}");
    let seconds = json["seconds_to_diagnosis"].as_f64().unwrap();
    assert!(seconds < 6.0, "named after {seconds} s");
    let read = run_cli(&["read", "--port", &port, "--baud", "2400", "--json", "60"]);
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
}

#[test]
fn an_address_no_meter_uses_is_found_by_the_address_sweep_only() {
    let mut config = meter(Profile::Multical603, true);
    config.address = 0x05;
    let sim = serve(config);
    let port = path(&sim);
    let (code, json, _) = probe_json(&port, &["--wait", "1s", "--protocol", "kmp"]);
    assert_eq!(code, Some(4), "{json}");
    assert_eq!(json["address"], serde_json::Value::Null);
    let (code, json, said) = probe_json(
        &port,
        &["--wait", "1s", "--protocol", "kmp", "--address-sweep"],
    );
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["address"], "0x05");
    assert!(
        said.contains("every other address is asked: up to"),
        "{said}"
    );
}

#[test]
fn matrix_answers_then_silence_is_throttled() {
    let mut config = meter(Profile::Multical21, true);
    config.budget = Some(1);
    let sim = serve(config);
    let ids: Vec<String> = (60..84).map(|id| id.to_string()).collect();
    let mut args = vec![
        "read",
        "--port",
        sim.path().to_str().unwrap(),
        "--timeout",
        "100ms",
    ];
    args.extend(ids.iter().map(String::as_str));
    let output = run_cli(&args);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("throttle"), "{}", stderr(&output));
}

#[test]
fn matrix_registers_the_meter_lacks_are_missing_not_errors() {
    let sim = serve(meter(Profile::Multical21, true));
    let output = run_cli(&["read", "--json", "--port", &path(&sim), "68", "74", "9999"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["missing"], serde_json::json!([9999]));
    assert_eq!(json["registers"][0]["name"], "V1 volume");
    assert_eq!(json["registers"][1]["unit"], "l/h");
}

#[test]
fn the_sweep_says_which_line_settings_answer() {
    let sim = serve(meter(Profile::Kamstrup382, true));
    let (code, json, _) = probe_json(&path(&sim), &["--sweep"]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = json["sweep"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["1200 8N2", "2400 8N2", "9600 8N2", "1200 8N1"]);
    let answered: Vec<bool> = json["sweep"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["answered"].as_bool().unwrap())
        .collect();
    assert_eq!(
        answered,
        [true, false, false, true],
        "the meter reads the terminal's settings"
    );
}

fn link() -> LinkHandle {
    let opener = SystemOpener {
        sim: SimSettings {
            echo: true,
            realtime: false,
        },
    };
    LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), None).unwrap()
}

fn config(port: &Path) -> LinkConfig {
    let mut config = LinkConfig::new(port.display().to_string());
    config.timeout = Duration::from_millis(100);
    config
}

fn next<T>(
    link: &LinkHandle,
    limit: Duration,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(found) = link
            .event_timeout(Duration::from_millis(20))
            .and_then(&mut pick)
        {
            return Some(found);
        }
    }
    None
}

fn read_once(link: &LinkHandle, ids: &[u16]) -> ReadReport {
    let ids = ids.iter().copied().map(RegisterId::new).collect();
    let id = link.start(Job::Read(ReadOptions {
        ids,
        wait: Duration::ZERO,
    }));
    next(link, Duration::from_secs(10), |event| match event {
        Event::Job {
            id: of,
            event:
                JobEvent::Ended(kmp_workbench::link::JobEnd {
                    reason: EndReason::Done,
                    report: Some(Report::Read(report)),
                }),
        } if of == id => Some(report),
        _ => None,
    })
    .expect("a read report")
}

/// The statistics of reads under damage are taken in invented time, every value compared with
/// what the meter meant (`link::jobs::tests::reliability`, `faults`); here the real serial code
/// reads through a pseudo-terminal with one answer in ten damaged, one in twenty after noise,
/// and every value returned is compared with the answers the meter made for that read.
#[test]
fn damaged_answers_over_a_real_port_are_retried_and_never_returned() {
    const IDS: [u16; 4] = [68, 74, 86, 1002];
    let mut config = meter(Profile::Multical603, true);
    config.faults = Faults {
        corrupt: 0.1,
        noise: 0.05,
        ..Faults::default()
    };
    config.seed = 99;
    config.log_answers = true;
    let sim = serve(config);
    let link = link();
    link.open(config_for(&sim));
    next(&link, Duration::from_secs(5), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    let ids = IDS.map(RegisterId::new);
    let request = kmp::Request::GetRegister(kmp::RegisterList::new(&ids).unwrap());
    let (mut ok, mut damaged) = (0, 0);
    for _ in 0..300 {
        let started = Instant::now();
        let report = read_once(&link, &IDS);
        let sent = sim.take_sent();
        damaged += sent.iter().filter(|answer| answer.damage.is_some()).count();
        if !report.failed.is_empty() {
            continue;
        }
        let meant = sent.iter().any(|answer| {
            answer.asked == Asked::Kmp(request)
                && answer.requested >= started
                && answer.registers().as_ref() == Some(&report.registers)
        });
        assert!(
            meant,
            "values the meter did not send for this read: {:?}",
            report.registers
        );
        ok += 1;
    }
    assert!(ok >= 290, "only {ok} of 300 reads succeeded");
    assert!(damaged >= 15, "only {damaged} answers damaged");
}

fn config_for(sim: &SimHandle) -> LinkConfig {
    config(sim.path())
}

/// A scripted meter: answers the first request it gets with `script`, chunks written with pauses.
fn scripted(script: Vec<(Duration, Vec<u8>)>) -> (std::thread::JoinHandle<()>, String) {
    let (mut master, slave) = kmp_workbench::sim::pty::pair().unwrap();
    let path = slave.name().unwrap();
    let thread = std::thread::Builder::new()
        .name("scripted-meter".into())
        .spawn(move || {
            let _slave = slave;
            master.set_timeout(Duration::from_secs(5)).ok();
            let mut buffer = [0u8; 64];
            let mut request = Vec::new();
            while !request.ends_with(&[0x0D]) {
                match master.read(&mut buffer) {
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                    Err(_) => return,
                }
            }
            for (pause, bytes) in script {
                std::thread::sleep(pause);
                let _ = master.write_all(&bytes);
            }
            std::thread::sleep(Duration::from_secs(2));
        })
        .unwrap();
    (thread, path)
}

fn volume_answer() -> Vec<u8> {
    vec![
        0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x90, 0x0D,
    ]
}

fn read_from_script(script: Vec<(Duration, Vec<u8>)>) -> (ReadReport, Duration) {
    let (thread, port) = scripted(script);
    let link = link();
    let mut config = config(Path::new(&port));
    config.retries = 0;
    link.open(config);
    next(&link, Duration::from_secs(5), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    let started = Instant::now();
    let report = read_once(&link, &[68]);
    let took = started.elapsed();
    drop(link);
    thread.join().unwrap();
    (report, took)
}

#[test]
fn noise_before_between_and_after_frames_does_not_hide_the_answer() {
    let mut bytes = vec![0x00, 0xFF, 0x40, 0x12, 0x0D, 0x55];
    bytes.extend(volume_answer());
    bytes.extend([0x77, 0x88]);
    let (report, _) = read_from_script(vec![(Duration::from_millis(20), bytes)]);
    assert_eq!(report.registers[0].value_text().as_deref(), Some("8.541"));
}

#[test]
fn an_answer_in_single_bytes_with_gaps_is_assembled() {
    let script = volume_answer()
        .into_iter()
        .map(|b| (Duration::from_millis(12), vec![b]))
        .collect();
    let (report, _) = read_from_script(script);
    assert_eq!(report.registers[0].value_text().as_deref(), Some("8.541"));
}

#[test]
fn an_answer_that_stops_halfway_gives_no_value_and_no_hang() {
    let (report, took) = read_from_script(vec![(
        Duration::from_millis(20),
        volume_answer()[..7].to_vec(),
    )]);
    assert!(report.registers.is_empty());
    assert_eq!(report.failed, [RegisterId::new(68)]);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_port_that_vanishes_mid_exchange_is_reported_and_reconnected_under_its_link() {
    let folder = std::env::temp_dir().join(format!("kmp-vanish-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let link_path = folder.join("head");
    let mut slow = meter(Profile::Multical603, true);
    slow.timing = Timing {
        latency: Duration::from_millis(800),
        ..Timing::INSTANT
    };
    let first = spawn(slow.clone(), Some(&link_path)).unwrap();

    let link = link();
    let mut config = config(&link_path);
    config.timeout = Duration::from_secs(2);
    link.open(config);
    next(&link, Duration::from_secs(5), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    link.start(Job::Read(ReadOptions {
        ids: vec![RegisterId::new(60)],
        wait: Duration::ZERO,
    }));
    // Mid-exchange: the request has gone out, and the answer is 800 ms away.
    next(&link, Duration::from_secs(5), |event| match event {
        Event::Job {
            event: JobEvent::Traffic(record),
            ..
        } if record.direction == kmp_workbench::link::traffic::TrafficDirection::Tx => Some(()),
        _ => None,
    })
    .expect("the request went out");
    let vanished = Instant::now();
    drop(first);
    let lost = next(&link, Duration::from_secs(3), |event| match event {
        Event::Lost(error) => Some(error),
        _ => None,
    });
    assert!(lost.is_some(), "the loss was not reported");
    assert!(
        vanished.elapsed() < Duration::from_secs(1),
        "the loss took {:?}",
        vanished.elapsed()
    );

    let _second = spawn(meter(Profile::Multical603, true), Some(&link_path)).unwrap();
    let reopened = next(&link, Duration::from_secs(10), |event| {
        matches!(event, Event::Opened { .. }).then_some(())
    });
    assert!(reopened.is_some(), "no reconnect");
    let report = read_once(&link, &[60, 68]);
    assert_eq!(report.registers.len(), 2);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn only_read_commands_and_the_echo_pattern_appear_on_the_wire() {
    let sim = serve(meter(Profile::Multical603, true));
    let traffic = std::env::temp_dir().join(format!("kmp-traffic-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&traffic);
    let traffic_arg = traffic.display().to_string();
    let port = path(&sim);
    let probe = run_cli(&[
        "probe",
        "--port",
        &port,
        "--sweep",
        "--traffic",
        &traffic_arg,
    ]);
    assert_eq!(probe.status.code(), Some(0));
    let read = run_cli(&[
        "read",
        "--port",
        &port,
        "--traffic",
        &traffic_arg,
        "60",
        "68",
        "74",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    ]);
    assert_eq!(read.status.code(), Some(0));

    let log = std::fs::read_to_string(&traffic).unwrap();
    let mut sent = 0;
    for line in log
        .lines()
        .filter(|line| line.split_whitespace().nth(1) == Some("TX"))
    {
        let hex: Vec<u8> = line
            .split_whitespace()
            .skip(2)
            .take_while(|token| token.len() == 2)
            .map(|token| u8::from_str_radix(token, 16).unwrap())
            .collect();
        let allowed =
            hex == ECHO_PATTERN || matches!(kmp::decode(&hex), Ok(Message::Request { .. }));
        assert!(allowed, "sent {line}");
        sent += 1;
    }
    assert!(sent >= 10, "only {sent} transmissions logged");
    assert!(
        log.lines()
            .any(|line| line.contains(" ECHO ") && line.contains("echo, clean")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|line| line.contains(" RX ") && line.contains("serial 69234567")),
        "{log}"
    );
    let _ = std::fs::remove_file(&traffic);
}
