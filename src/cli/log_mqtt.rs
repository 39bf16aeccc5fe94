//! `log --mqtt`: each poll, once journaled, published to a broker as one JSON object, with an
//! availability topic and its last will, and Home Assistant's discovery configs when asked. The
//! publishing runs on its own thread ([`Publisher`]), so a broker away never holds up polling.

use std::path::PathBuf;
use std::time::Duration;

use kmp_workbench::link::ProbeReport;
use kmp_workbench::mqtt::discovery::{self, DEFAULT_DISCOVERY_PREFIX};
use kmp_workbench::mqtt::packet::Will;
use kmp_workbench::mqtt::{
    BrokerUrl, Device, Message, Options, PolledValue, Publisher, PublisherReport, state,
};
use kmp_workbench::protocol::Protocol;

use super::output::{Failure, status};

/// The environment variable a broker password may come from.
const PASSWORD_VARIABLE: &str = "MQTT_PASSWORD";
/// How long the end of a log waits for the broker to take what is queued.
const FINISH_WITHIN: Duration = Duration::from_secs(5);
/// How often the broker hears from a quiet publisher.
const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// The options of `log` that publish.
#[derive(Debug, clap::Args)]
pub struct MqttArgs {
    /// Also publish each poll to an MQTT broker: mqtt://[user@]host[:port][/prefix], on
    /// PREFIX/DEVICE/state (prefix kmp-workbench unless given), at QoS 1.
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub mqtt: Option<BrokerUrl>,
    /// The file holding the broker's password (else the MQTT_PASSWORD environment variable);
    /// it never goes on the command line.
    #[arg(long, value_name = "FILE", requires = "mqtt")]
    mqtt_password_file: Option<PathBuf>,
    /// Announce each register to Home Assistant by MQTT discovery, under PREFIX.
    #[arg(
        long,
        value_name = "PREFIX",
        num_args = 0..=1,
        default_missing_value = DEFAULT_DISCOVERY_PREFIX,
        requires = "mqtt"
    )]
    ha_discovery: Option<String>,
}

fn parse_url(text: &str) -> Result<BrokerUrl, String> {
    text.parse()
}

/// A log's publishing to a broker.
#[derive(Debug)]
pub struct MqttSink {
    publisher: Publisher,
    device: Device,
    discovery: Option<String>,
    /// Whether the discovery configs went out (with the first poll's units).
    announced: bool,
    next_mark: u64,
}

impl MqttSink {
    /// Starts publishing for the meter the link check found (`probe`), or says why it cannot.
    pub fn start(args: &MqttArgs, url: &BrokerUrl, probe: &ProbeReport) -> Result<Self, Failure> {
        if url.tls {
            return Err(Failure::usage(
                "mqtts:// (TLS) is not built yet: publish with mqtt:// on a trusted network, or \
                 through a TLS tunnel such as stunnel",
            ));
        }
        let password = password(args)?;
        if password.is_some() && url.user.is_none() {
            return Err(Failure::usage(
                "a password without a user: name the user in the URL (mqtt://user@host)",
            ));
        }
        let device = device_of(probe, &url.prefix);
        let options = Options {
            client_id: format!("kmp-workbench-{}-{}", device.id, std::process::id()),
            keep_alive: KEEP_ALIVE,
            will: Some(Will {
                topic: device.availability_topic(),
                payload: b"offline".to_vec(),
                retain: true,
            }),
            username: url.user.clone(),
            password,
        };
        let publisher = Publisher::spawn(url, options, Box::new(|| {}))
            .map_err(|error| Failure::usage(format!("cannot start publishing: {error}")))?;
        status(&format!(
            "publishing to {url} on {} (as {})",
            device.state_topic(),
            device.id
        ));
        let mut sink = Self {
            publisher,
            device,
            discovery: args.ha_discovery.clone(),
            announced: false,
            next_mark: 0,
        };
        let online = sink.message(sink.device.availability_topic(), b"online".to_vec(), true);
        sink.publisher.publish(online);
        Ok(sink)
    }

    fn message(&mut self, topic: String, payload: Vec<u8>, retain: bool) -> Message {
        self.next_mark += 1;
        Message {
            topic,
            payload,
            retain,
            mark: self.next_mark,
        }
    }

    /// Publishes one poll's values, after the discovery configs the first time.
    pub fn publish(&mut self, at: jiff::Timestamp, values: &[PolledValue]) {
        if !self.announced {
            self.announced = true;
            if let Some(prefix) = self.discovery.clone() {
                for value in values {
                    let (topic, payload) = discovery::config(&prefix, &self.device, value);
                    let config = self.message(topic, payload, true);
                    self.publisher.publish(config);
                }
            }
        }
        let state = self.message(self.device.state_topic(), state::payload(at, values), false);
        self.publisher.publish(state);
    }

    /// Says what the broker did; a refused login ends the log (exit 1).
    pub fn check(&self) -> Result<(), Failure> {
        while let Some(report) = self.publisher.try_report() {
            match report {
                PublisherReport::Connected => status("the broker took the connection"),
                PublisherReport::Away(why) => status(&format!(
                    "{why}; polling and journaling go on, and the broker gets every row when it \
                     is back"
                )),
                PublisherReport::Refused(why) => {
                    return Err(Failure::port(format!(
                        "the broker refused the login: {why}"
                    )));
                }
                PublisherReport::Delivered(_) => {}
            }
        }
        Ok(())
    }

    /// Says `offline` and waits a little for the broker to take what is queued.
    pub fn finish(mut self) {
        let offline = self.message(self.device.availability_topic(), b"offline".to_vec(), true);
        let left = self.publisher.finish(vec![offline], FINISH_WITHIN);
        if left > 0 {
            status(&format!(
                "the broker did not take {left} messages before the end (the CSV file and the \
                 session have every row)"
            ));
        }
    }
}

/// The broker's password: from the file, else the environment, else none.
fn password(args: &MqttArgs) -> Result<Option<Vec<u8>>, Failure> {
    if let Some(path) = &args.mqtt_password_file {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Failure::usage(format!(
                "cannot read the password file {}: {error}",
                path.display()
            ))
        })?;
        return Ok(Some(
            text.trim_end_matches(['\r', '\n']).as_bytes().to_vec(),
        ));
    }
    Ok(std::env::var(PASSWORD_VARIABLE)
        .ok()
        .map(String::into_bytes))
}

/// The meter as topics and Home Assistant name it: by its serial number, else by what it
/// identified itself as.
fn device_of(probe: &ProbeReport, prefix: &str) -> Device {
    let serial = probe.serial.map(|serial| serial.to_string());
    let identification = probe.identification.clone();
    let manufacturer = match (probe.protocol, &identification) {
        (Some(Protocol::Kmp | Protocol::Mc66), _) => Some("Kamstrup".to_string()),
        // An IEC identification starts with the maker's three-letter flag (`KAM`, `LGZ`).
        (Some(Protocol::Iec), Some(ident)) => ident.get(..3).map(|flag| match flag {
            "KAM" | "Kam" => "Kamstrup".to_string(),
            flag => flag.to_string(),
        }),
        _ => None,
    };
    let model = match (probe.meter_type, &identification) {
        (Some(meter_type), _) => Some(format!("meter type 0x{:04X}", meter_type.meter_type)),
        (None, Some(ident)) => Some(ident.clone()),
        (None, None) => None,
    };
    let id = serial
        .clone()
        .or(identification)
        .map_or_else(|| Device::topic_id(&probe.port), |id| Device::topic_id(&id));
    Device {
        id,
        manufacturer,
        model,
        serial,
        prefix: prefix.to_string(),
    }
}
