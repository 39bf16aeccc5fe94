//! `log --mqtt` against a real broker: Debian's mosquitto, started on a free port of the
//! loopback, and mosquitto_sub reading what arrives, compared with the CSV file the same log
//! wrote.
//!
//! Ignored by plain `cargo test`, which needs nothing but Rust; `.ci/run` installs mosquitto
//! and runs these by name with `--ignored`.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile};
use serde_json::Value;

use crate::support::{StderrWatch, run_cli, start, stderr, stdout, temp};

/// A mosquitto listening on the loopback.
struct Broker {
    child: Child,
    port: u16,
    config: std::path::PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Broker {
    /// A broker on a free port, anonymous, or with `user` and `password` alone allowed.
    fn start(login: Option<(&str, &str)>) -> Self {
        Self::with(login, "")
    }

    /// A broker as [`Self::start`] makes it, with `more` in its configuration.
    fn with(login: Option<(&str, &str)>, more: &str) -> Self {
        let port = free_port();
        let config = temp(&format!("mosquitto-{port}.conf"));
        let mut text = String::from("per_listener_settings false\npersistence false\nuser root\n");
        text.push_str(more);
        text.push_str(&format!("listener {port} 127.0.0.1\n"));
        match login {
            None => text.push_str("allow_anonymous true\n"),
            Some((user, password)) => {
                let file = temp(&format!("mosquitto-{port}.passwd"));
                let made = Command::new("mosquitto_passwd")
                    .args(["-b", "-c", &file.display().to_string(), user, password])
                    .output()
                    .unwrap_or_else(|error| panic!("cannot run mosquitto_passwd: {error}"));
                assert!(made.status.success(), "{made:?}");
                text.push_str(&format!(
                    "allow_anonymous false\npassword_file {}\n",
                    file.display()
                ));
            }
        }
        std::fs::write(&config, text).unwrap();
        let mut broker = Self {
            child: spawn_broker(&config),
            port,
            config,
        };
        broker.wait_until_listening();
        broker
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto never listened");
            assert!(self.child.try_wait().unwrap().is_none(), "mosquitto ended");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the broker, as a crash or a restart would.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port.
    fn restart(&mut self) {
        self.child = spawn_broker(&self.config);
        self.wait_until_listening();
    }

    fn url(&self, user: Option<&str>) -> String {
        let user = user.map(|user| format!("{user}@")).unwrap_or_default();
        format!("mqtt://{user}127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_broker(config: &Path) -> Child {
    Command::new("mosquitto")
        .args(["-c", &config.display().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run mosquitto: {error}; install mosquitto"))
}

/// mosquitto_sub reading every topic at QoS 1: each message as `topic payload`.
struct Subscriber {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Subscriber {
    fn start(broker: &Broker) -> Self {
        let mut child = Command::new("mosquitto_sub")
            .args(["-h", "127.0.0.1", "-p", &broker.port.to_string()])
            .args(["-t", "#", "-v", "-q", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run mosquitto_sub: {error}"));
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let into = lines.clone();
        std::thread::Builder::new()
            .name("mosquitto-sub".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    into.lock().unwrap().push(line);
                }
            })
            .unwrap();
        // mosquitto_sub says nothing when it has subscribed: it is ready once a message of the
        // test's own comes through (a fixed wait was too short on a busy machine).
        let ready = "kmp-test/ready ready";
        let deadline = Instant::now() + Duration::from_secs(20);
        while !lines.lock().unwrap().iter().any(|line| line == ready) {
            assert!(Instant::now() < deadline, "mosquitto_sub never subscribed");
            let _ = Command::new("mosquitto_pub")
                .args(["-h", "127.0.0.1", "-p", &broker.port.to_string()])
                .args(["-t", "kmp-test/ready", "-m", "ready"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            std::thread::sleep(Duration::from_millis(100));
        }
        lines.lock().unwrap().clear();
        Self { child, lines }
    }

    /// Waits until a message on `topic` says `payload`.
    fn wait_for(&self, topic: &str, payload: &str, limit: Duration) {
        let line = format!("{topic} {payload}");
        let deadline = Instant::now() + limit;
        while !self.lines.lock().unwrap().contains(&line) {
            assert!(
                Instant::now() < deadline,
                "never received {line:?}: {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every message received, as (topic, payload).
    fn messages(&self) -> Vec<(String, String)> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| line.split_once(' '))
            .map(|(topic, payload)| (topic.to_string(), payload.to_string()))
            .collect()
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn meter() -> (SimHandle, String) {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.magnet_delay = Duration::ZERO;
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    (sim, port)
}

/// `log` of `registers` on `port` every second, publishing to `url`, with `more` options.
fn log_args<'a>(port: &'a str, url: &'a str, registers: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "log",
        "--port",
        port,
        "--registers",
        registers,
        "--interval",
        "1s",
        "--mqtt",
        url,
    ];
    args.extend_from_slice(more);
    args
}

/// The CSV's rows: the UTC time and the value of each register column.
fn csv_rows(path: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<String> = line.split(',').map(str::to_string).collect();
            (fields[0].clone(), fields[3..].to_vec())
        })
        .collect()
}

/// The state payloads received for the meter, in order.
fn states(messages: &[(String, String)]) -> Vec<Value> {
    messages
        .iter()
        .filter(|(topic, _)| topic.ends_with("/state"))
        .map(|(_, payload)| serde_json::from_str(payload).unwrap())
        .collect()
}

#[test]
#[ignore = "needs mosquitto"]
fn log_publishes_each_row_and_discovery_configs_home_assistant_takes() {
    let broker = Broker::start(None);
    let subscriber = Subscriber::start(&broker);
    let (_sim, port) = meter();
    let csv = temp("mqtt-log.csv");
    let (csv_arg, url) = (csv.display().to_string(), broker.url(None));
    let more = [
        "--echo",
        "on",
        "--duration",
        "4s",
        "--csv",
        &csv_arg,
        "--ha-discovery",
    ];
    let output = run_cli(&log_args(&port, &url, "68,74", &more));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    subscriber.wait_for(
        "kmp-workbench/71234567/availability",
        "offline",
        Duration::from_secs(5),
    );
    let messages = subscriber.messages();

    // Two sensors of one device, each with what Home Assistant requires and classes that fit
    // its unit (a unit that does not fit the class is refused by Home Assistant).
    let configs: Vec<Value> = messages
        .iter()
        .filter(|(topic, _)| {
            topic.starts_with("homeassistant/sensor/") && topic.ends_with("/config")
        })
        .map(|(_, payload)| serde_json::from_str(payload).unwrap())
        .collect();
    assert_eq!(configs.len(), 2, "{messages:?}");
    for config in &configs {
        assert_eq!(config["state_topic"], "kmp-workbench/71234567/state");
        assert_eq!(
            config["availability_topic"],
            "kmp-workbench/71234567/availability"
        );
        assert!(
            config["unique_id"]
                .as_str()
                .unwrap()
                .starts_with("kmp_workbench_71234567_")
        );
        assert_eq!(config["device"]["identifiers"][0], "kmp_workbench_71234567");
        assert_eq!(config["device"]["manufacturer"], "Kamstrup");
    }
    let classes: Vec<(&str, &str, &str)> = configs
        .iter()
        .map(|config| {
            (
                config["device_class"].as_str().unwrap(),
                config["state_class"].as_str().unwrap(),
                config["unit_of_measurement"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        classes.contains(&("water", "total_increasing", "m³")),
        "{classes:?}"
    );
    assert!(
        classes.contains(&("volume_flow_rate", "measurement", "L/h")),
        "{classes:?}"
    );

    // Online first, offline last; one state per CSV row, with the same values exactly.
    let availability: Vec<&str> = messages
        .iter()
        .filter(|(topic, _)| topic.ends_with("/availability"))
        .map(|(_, payload)| payload.as_str())
        .collect();
    assert_eq!(availability, ["online", "offline"]);
    let rows = csv_rows(&csv);
    let states = states(&messages);
    assert!(!rows.is_empty());
    assert_eq!(states.len(), rows.len(), "{messages:?}");
    for ((_, values), state) in rows.iter().zip(&states) {
        assert_eq!(state["kmp_68"]["text"], values[0].as_str());
        assert_eq!(state["kmp_74"]["text"], values[1].as_str());
        assert_eq!(state["kmp_68"]["unit"], "m³");
        let number: f64 = values[0].parse().unwrap();
        assert_eq!(state["kmp_68"]["value"].as_f64(), Some(number));
    }
    std::fs::remove_file(&csv).unwrap();
}

#[test]
#[ignore = "needs mosquitto"]
fn a_broker_restarted_in_the_middle_of_a_log_gets_every_row_in_order() {
    let mut broker = Broker::start(None);
    let before = Subscriber::start(&broker);
    let (_sim, port) = meter();
    let csv = temp("mqtt-restart.csv");
    let (csv_arg, url) = (csv.display().to_string(), broker.url(None));
    let mut log = start(&log_args(
        &port,
        &url,
        "68",
        &["--duration", "14s", "--csv", &csv_arg],
    ));
    let watch = StderrWatch::of(&mut log);
    watch.wait_for("the broker took the connection", Duration::from_secs(15));
    std::thread::sleep(Duration::from_secs(3));
    broker.kill();
    watch.wait_for("polling and journaling go on", Duration::from_secs(10));
    // Rows go on into the CSV file while the broker is away.
    std::thread::sleep(Duration::from_secs(3));
    broker.restart();
    let after = Subscriber::start(&broker);
    assert!(log.wait().unwrap().success(), "{}", watch.finish());

    // Each subscriber gets the rows in order (one may come twice: at least once), and between
    // them every row of the CSV file arrived.
    let times = |subscriber: &Subscriber| -> Vec<String> {
        states(&subscriber.messages())
            .into_iter()
            .map(|state| state["time"].as_str().unwrap().to_string())
            .collect()
    };
    let (before, after) = (times(&before), times(&after));
    for received in [&before, &after] {
        assert!(
            received.windows(2).all(|w| w[0] <= w[1]),
            "in order: {received:?}"
        );
    }
    let received: std::collections::BTreeSet<String> = before.into_iter().chain(after).collect();
    let rows: std::collections::BTreeSet<String> =
        csv_rows(&csv).into_iter().map(|(time, _)| time).collect();
    assert!(rows.len() >= 10, "{} rows", rows.len());
    assert_eq!(received, rows);
    std::fs::remove_file(&csv).unwrap();
}

#[test]
#[ignore = "needs mosquitto"]
fn a_refused_login_is_exit_1_with_the_brokers_reason_and_the_password_is_never_shown() {
    let broker = Broker::start(Some(("meter", "right-secret")));
    let (_sim, port) = meter();
    let password = temp("mqtt-password");
    std::fs::write(&password, "wrong-secret\n").unwrap();
    let traffic = temp("mqtt-traffic.log");
    let (traffic_arg, url) = (traffic.display().to_string(), broker.url(Some("meter")));
    let password_arg = password.display().to_string();
    let more = [
        "--traffic",
        &traffic_arg,
        "--mqtt-password-file",
        &password_arg,
        "--duration",
        "10s",
    ];
    let output = run_cli(&log_args(&port, &url, "68", &more));
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{err}");
    // mosquitto answers a wrong password with "not authorised".
    assert!(
        err.contains("the broker refused the login: not authorized"),
        "{err}"
    );
    assert!(err.contains("password file"), "{err}");
    let traffic_text = std::fs::read_to_string(&traffic).unwrap();
    assert!(!traffic_text.is_empty());
    for text in [&out, &err, &traffic_text] {
        assert!(!text.contains("wrong-secret") && !text.contains("right-secret"));
    }
    std::fs::remove_file(&traffic).unwrap();

    // The right one is taken.
    std::fs::write(&password, "right-secret\n").unwrap();
    let more = ["--mqtt-password-file", &password_arg, "--duration", "2s"];
    let output = run_cli(&log_args(&port, &url, "68", &more));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("the broker took the connection"));
    std::fs::remove_file(&password).unwrap();
}

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let made = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run openssl: {error}"));
    assert!(made.status.success(), "openssl {args:?}: {made:?}");
}

#[test]
#[ignore = "needs mosquitto"]
fn a_tls_broker_is_published_to_when_its_ca_is_given_and_refused_when_untrusted() {
    // A CA of the test's own making, and the broker's certificate for 127.0.0.1 signed by it.
    let dir = temp("mqtt-tls");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(&dir, &ca);
    let mut request = vec!["req", "-subj", "/CN=127.0.0.1", "-keyout", "server.key"];
    request.extend(ec);
    request.extend(["-out", "server.csr"]);
    openssl(&dir, &request);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
    let tls_port = free_port();
    let broker = Broker::with(
        None,
        &format!(
            "listener {tls_port} 127.0.0.1\ncafile {0}/ca.pem\ncertfile {0}/server.pem\n\
             keyfile {0}/server.key\n",
            dir.display()
        ),
    );
    // The subscriber reads on the plain listener what arrived through the TLS one.
    let subscriber = Subscriber::start(&broker);
    let (_sim, port) = meter();
    let url = format!("mqtts://127.0.0.1:{tls_port}");
    let ca = dir.join("ca.pem").display().to_string();
    let log = |more: &[&str]| {
        let more = [&["--duration", "2s"], more].concat();
        run_cli(&log_args(&port, &url, "68", &more))
    };
    let output = log(&["--mqtt-ca", &ca]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    subscriber.wait_for(
        "kmp-workbench/71234567/availability",
        "offline",
        Duration::from_secs(5),
    );
    assert!(!states(&subscriber.messages()).is_empty());

    // Checked against the system's roots, the test's CA is unknown: exit 1, and why.
    let output = log(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not the one to trust") && stderr(&output).contains("--mqtt-ca"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs mosquitto"]
fn ctrl_c_says_offline_and_exits_130() {
    let broker = Broker::start(None);
    let subscriber = Subscriber::start(&broker);
    let (_sim, port) = meter();
    let url = broker.url(None);
    let mut log = start(&log_args(&port, &url, "68", &[]));
    let watch = StderrWatch::of(&mut log);
    subscriber.wait_for(
        "kmp-workbench/71234567/availability",
        "online",
        Duration::from_secs(15),
    );
    watch.wait_for("the meter answers", Duration::from_secs(15));
    let killed = Command::new("kill")
        .args(["-INT", &log.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(log.wait().unwrap().code(), Some(130), "{}", watch.finish());
    subscriber.wait_for(
        "kmp-workbench/71234567/availability",
        "offline",
        Duration::from_secs(5),
    );
}

#[test]
#[ignore = "needs mosquitto"]
fn a_pushing_sml_meter_is_published_by_its_server_id_with_its_values_as_sent() {
    let broker = Broker::start(None);
    let subscriber = Subscriber::start(&broker);
    let mut config = MeterConfig::new(Profile::SmlPush);
    config.magnet_delay = Duration::ZERO;
    let sim = spawn(config, None).unwrap();
    let port = sim.path().display().to_string();
    let url = broker.url(None);
    let more = ["--protocol", "sml", "--duration", "4s", "--ha-discovery"];
    let output = run_cli(&log_args(&port, &url, "1.8.0,16.7.0", &more));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let availability = "kmp-workbench/0A0153494D000000002A/availability";
    subscriber.wait_for(availability, "offline", Duration::from_secs(5));
    let messages = subscriber.messages();
    let states = states(&messages);
    assert!(!states.is_empty(), "{messages:?}");
    // SML sends the energy in Wh with a scaler: the text keeps its resolution.
    let energy = &states[0]["obis_1_8_0"];
    assert_eq!(energy["unit"], "Wh");
    assert!(energy["text"].as_str().unwrap().contains('.'), "{energy}");
    let config = messages
        .iter()
        .find(|(topic, _)| topic.ends_with("/obis_16_7_0/config"))
        .map(|(_, payload)| serde_json::from_str::<Value>(payload).unwrap())
        .unwrap_or_else(|| panic!("{messages:?}"));
    assert_eq!(config["device_class"], "power");
    assert_eq!(config["unit_of_measurement"], "W");
}
