//! A meter's feed to a broker, as `log --mqtt` and the app's Live screen run it: `online` on the
//! availability topic (the will says `offline`), the discovery configs with the first poll when
//! asked, then each poll's state, and `offline` at the end. Counts what the broker has not
//! acknowledged yet, for the user to see.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use super::broker_url::BrokerUrl;
use super::discovery;
use super::packet::Will;
use super::publisher::{Publisher, PublisherReport};
use super::session::{Message, Options};
use super::state::{self, Device, PolledValue};
use super::tls::{self, TlsError};

/// The environment variable a broker's password may come from.
pub const PASSWORD_VARIABLE: &str = "MQTT_PASSWORD";

/// How often the broker hears from a quiet publisher.
const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// A password: from a file, the environment or a field of the app, never from a command line
/// or a setting, and never shown, not even in a debug print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where a feed goes: the broker's URL (with the user), the password, and for TLS the CA file
/// to check its certificate with (else the system's roots).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broker {
    /// The broker and the topic prefix.
    pub url: BrokerUrl,
    /// The password of the URL's user.
    pub password: Option<Secret>,
    /// The CA certificates (PEM) a TLS broker's certificate is checked against.
    pub ca: Option<PathBuf>,
}

/// Why a feed cannot start.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// TLS cannot be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The publisher's thread did not start.
    #[error("cannot start publishing: {0}")]
    Thread(io::Error),
}

/// A meter's feed; see the module documentation.
#[derive(Debug)]
pub struct Feed {
    publisher: Publisher,
    device: Device,
    discovery: Option<String>,
    announced: bool,
    /// Marks given to messages so far: the last one's.
    marks: u64,
    /// Messages the broker acknowledged.
    delivered: u64,
}

impl Feed {
    /// Starts feeding `device`'s polls to `to` (with TLS checked against the CA file `ca`, or
    /// the system's roots, for `mqtts://`), with Home Assistant discovery under `discovery`;
    /// `notify` is called after each report.
    pub fn start(
        to: &Broker,
        device: Device,
        discovery: Option<String>,
        notify: Box<dyn Fn() + Send>,
    ) -> Result<Self, FeedError> {
        let url = &to.url;
        let tls = if url.tls {
            Some(tls::client_config(to.ca.as_deref())?)
        } else {
            None
        };
        let options = Options {
            client_id: format!("kmp-workbench-{}-{}", device.id, std::process::id()),
            keep_alive: KEEP_ALIVE,
            will: Some(Will {
                topic: device.availability_topic(),
                payload: b"offline".to_vec(),
                retain: true,
            }),
            username: url.user.clone(),
            password: to.password.clone().map(|secret| secret.0),
        };
        let publisher = Publisher::spawn(url, options, tls, notify).map_err(FeedError::Thread)?;
        let mut feed = Self {
            publisher,
            device,
            discovery,
            announced: false,
            marks: 0,
            delivered: 0,
        };
        let online = feed.message(feed.device.availability_topic(), b"online", true);
        feed.publisher.publish(online);
        Ok(feed)
    }

    /// The meter fed.
    pub fn device(&self) -> &Device {
        &self.device
    }

    fn message(&mut self, topic: String, payload: &[u8], retain: bool) -> Message {
        self.marks += 1;
        Message {
            topic,
            payload: payload.to_vec(),
            retain,
            mark: self.marks,
        }
    }

    /// Publishes one poll's values, after the discovery configs the first time.
    pub fn publish(&mut self, at: Timestamp, values: &[PolledValue]) {
        if !self.announced && !values.is_empty() {
            self.announced = true;
            if let Some(prefix) = self.discovery.clone() {
                for value in values {
                    let (topic, payload) = discovery::config(&prefix, &self.device, value);
                    let config = self.message(topic, &payload, true);
                    self.publisher.publish(config);
                }
            }
        }
        let state = self.message(
            self.device.state_topic(),
            &state::payload(at, values),
            false,
        );
        self.publisher.publish(state);
    }

    /// The next thing the publisher reported, if one is waiting.
    pub fn try_report(&mut self) -> Option<PublisherReport> {
        let report = self.publisher.try_report()?;
        if matches!(report, PublisherReport::Delivered(_)) {
            self.delivered += 1;
        }
        Some(report)
    }

    /// Messages the broker has not acknowledged yet.
    pub fn queued(&self) -> u64 {
        self.marks.saturating_sub(self.delivered)
    }

    /// Says `offline`, waits up to `within` for the broker to take what is queued, and says
    /// goodbye; how many messages it did not take.
    pub fn finish(mut self, within: Duration) -> usize {
        let offline = self.message(self.device.availability_topic(), b"offline", true);
        self.publisher.finish(vec![offline], within)
    }

    /// As [`Self::finish`], without waiting: the publisher it gives back ends within `within`,
    /// which [`Publisher::is_finished`] tells.
    pub fn finish_soon(mut self, within: Duration) -> Publisher {
        let offline = self.message(self.device.availability_topic(), b"offline", true);
        self.publisher.finish_soon(vec![offline], within);
        self.publisher
    }
}
