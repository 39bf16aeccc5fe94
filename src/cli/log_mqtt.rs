//! `log --mqtt`: each poll, once journaled, published to a broker as one JSON object, with an
//! availability topic and its last will, and Home Assistant's discovery configs when asked. The
//! publishing runs on its own thread (`mqtt::Publisher`), so a broker away never holds up polling.

use std::path::PathBuf;
use std::time::Duration;

use kmp_workbench::link::ProbeReport;
use kmp_workbench::mqtt::discovery::DEFAULT_DISCOVERY_PREFIX;
use kmp_workbench::mqtt::feed::PASSWORD_VARIABLE;
use kmp_workbench::mqtt::{
    Broker, BrokerUrl, Device, Feed, PolledValue, PublisherReport, Secret, Told,
};

use super::output::{Failure, status};

/// How long the end of a log waits for the broker to take what is queued.
const FINISH_WITHIN: Duration = Duration::from_secs(5);

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
    /// For mqtts://: the CA certificates (PEM) the broker's certificate is checked against,
    /// instead of the system's roots.
    #[arg(long, value_name = "FILE", requires = "mqtt")]
    mqtt_ca: Option<PathBuf>,
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
    feed: Feed,
}

impl MqttSink {
    /// Starts publishing for the meter the link check found (`probe`), or says why it cannot.
    pub fn start(args: &MqttArgs, url: &BrokerUrl, probe: &ProbeReport) -> Result<Self, Failure> {
        if args.mqtt_ca.is_some() && !url.tls {
            return Err(Failure::usage(
                "--mqtt-ca is for a TLS broker: write its URL as mqtts://",
            ));
        }
        let password = password(args)?;
        if password.is_some() && url.user.is_none() {
            return Err(Failure::usage(
                "a password without a user: name the user in the URL (mqtt://user@host)",
            ));
        }
        let told = Told {
            protocol: probe.protocol,
            serial: probe.serial,
            meter_type: probe.meter_type,
            identification: probe.identification.as_deref(),
        };
        let device = Device::new(told, &probe.port, &url.prefix);
        let to = Broker {
            url: url.clone(),
            password,
            ca: args.mqtt_ca.clone(),
        };
        let feed = Feed::start(&to, device, args.ha_discovery.clone(), Box::new(|| {}))
            .map_err(|error| Failure::usage(error.to_string()))?;
        let device = feed.device();
        status(&format!(
            "publishing to {url} on {} (as {})",
            device.state_topic(),
            device.id
        ));
        Ok(Self { feed })
    }

    /// Publishes one poll's values, after the discovery configs the first time.
    pub fn publish(&mut self, at: jiff::Timestamp, values: &[PolledValue]) {
        self.feed.publish(at, values);
    }

    /// Says what the broker did; a refused login ends the log (exit 1).
    pub fn check(&mut self) -> Result<(), Failure> {
        while let Some(report) = self.feed.try_report() {
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
                PublisherReport::Untrusted(why) => {
                    return Err(Failure::port(format!(
                        "the broker is not the one to trust: {why}; give its CA certificate \
                         with --mqtt-ca FILE"
                    )));
                }
                PublisherReport::Delivered(_) => {}
            }
        }
        Ok(())
    }

    /// Says `offline` and waits a little for the broker to take what is queued.
    pub fn finish(self) {
        let left = self.feed.finish(FINISH_WITHIN);
        if left > 0 {
            status(&format!(
                "the broker did not take {left} messages before the end (the CSV file and the \
                 session have every row)"
            ));
        }
    }
}

/// The broker's password: from the file, else the environment, else none.
fn password(args: &MqttArgs) -> Result<Option<Secret>, Failure> {
    if let Some(path) = &args.mqtt_password_file {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Failure::usage(format!(
                "cannot read the password file {}: {error}",
                path.display()
            ))
        })?;
        let password = text.trim_end_matches(['\r', '\n']).as_bytes().to_vec();
        return Ok(Some(Secret(password)));
    }
    Ok(std::env::var(PASSWORD_VARIABLE)
        .ok()
        .map(|text| Secret(text.into_bytes())))
}
