//! Polling that publishes: while the Live screen polls with publishing on, each poll's values go
//! to the broker as `log --mqtt` sends them ([`Feed`]), after the recorder journaled them. The
//! broker's state and what waits for it are shown on the Live screen; a broker away never holds
//! up polling, and the feed ends (with `offline`) when polling does.

use std::sync::Arc;
use std::time::Duration;

use crate::app::files::Wake;
use crate::link::{ReadReport, ReadoutReport};
use crate::mqtt::discovery::DEFAULT_DISCOVERY_PREFIX;
use crate::mqtt::feed::PASSWORD_VARIABLE;
use crate::mqtt::{
    Broker, BrokerUrl, Device, Feed, PolledValue, Publisher, PublisherReport, Secret, Told,
};

use super::Controller;

/// How long the end of a feed waits for the broker to take what is queued.
const FINISH_WITHIN: Duration = Duration::from_secs(5);

/// Where the broker stands, as the Live screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerState {
    /// Connecting for the first time.
    Connecting,
    /// The broker took the connection.
    Connected,
    /// The broker is away; polling goes on and the broker gets every poll when it is back.
    Away(String),
    /// The broker refused the login, or its certificate is not to be trusted: publishing
    /// stopped, polling goes on.
    Refused(String),
}

/// What the Live screen shows of the publishing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishView {
    /// The broker, as given.
    pub broker: String,
    /// Where the polls go.
    pub topic: String,
    /// Where the broker stands.
    pub state: BrokerState,
    /// Messages the broker has not acknowledged yet.
    pub queued: u64,
}

/// The feed under way, and those ending.
pub(super) struct Publishing {
    feed: Option<Feed>,
    view: Option<PublishView>,
    /// Feeds told to end, each until its thread has said goodbye.
    closing: Vec<Publisher>,
    wake: Wake,
}

impl Publishing {
    pub(super) fn new(wake: Wake) -> Self {
        Self {
            feed: None,
            view: None,
            closing: Vec::new(),
            wake,
        }
    }

    pub(super) fn view(&self) -> Option<&PublishView> {
        self.view.as_ref()
    }
}

/// Starts a feed for the polling about to start, if the settings say to publish; an error
/// (a URL that is none, TLS) is the notice's, and polling goes on unpublished.
pub(super) fn start(state: &mut Controller, password: Option<Secret>) -> Result<(), String> {
    stop(state);
    let settings = state.settings.mqtt.clone();
    if !settings.publish {
        return Ok(());
    }
    let url: BrokerUrl = settings.url.parse()?;
    let identity = state.view.identity();
    let spoken = state.view.spoken();
    let told = Told {
        protocol: spoken.map(|spoken| spoken.protocol),
        serial: identity.map(|(serial, _)| serial),
        meter_type: identity.and_then(|(_, meter_type)| meter_type),
        identification: spoken.and_then(|spoken| spoken.identification.as_deref()),
    };
    let device = Device::new(told, &state.settings.connection.port, &url.prefix);
    let password = password.or_else(|| {
        std::env::var(PASSWORD_VARIABLE)
            .ok()
            .map(|text| Secret(text.into_bytes()))
    });
    let discovery = settings
        .discovery
        .then(|| DEFAULT_DISCOVERY_PREFIX.to_string());
    let wake = Arc::clone(&state.publishing.wake);
    // A TLS broker's certificate is checked against the system's roots.
    let to = Broker {
        url: url.clone(),
        password,
        ca: None,
    };
    let feed = Feed::start(&to, device, discovery, Box::new(move || wake()))
        .map_err(|error| error.to_string())?;
    state.publishing.view = Some(PublishView {
        broker: url.to_string(),
        topic: feed.device().state_topic(),
        state: BrokerState::Connecting,
        queued: feed.queued(),
    });
    state.publishing.feed = Some(feed);
    Ok(())
}

/// Ends the feed, if one runs: `offline`, and goodbye once the broker took what is queued.
pub(super) fn stop(state: &mut Controller) {
    state.publishing.view = None;
    if let Some(feed) = state.publishing.feed.take() {
        state
            .publishing
            .closing
            .push(feed.finish_soon(FINISH_WITHIN));
    }
}

/// Takes what the publisher reported, ends the feed when polling has ended, and lets go of
/// the feeds that said goodbye.
pub(super) fn keep_up(state: &mut Controller) {
    if state.polling().is_none() {
        stop(state);
    }
    let publishing = &mut state.publishing;
    if let (Some(feed), Some(view)) = (&mut publishing.feed, &mut publishing.view) {
        while let Some(report) = feed.try_report() {
            match report {
                PublisherReport::Connected => view.state = BrokerState::Connected,
                PublisherReport::Away(why) => view.state = BrokerState::Away(why),
                PublisherReport::Refused(why) => {
                    view.state = BrokerState::Refused(format!("it refused the login: {why}"));
                }
                PublisherReport::Untrusted(why) => view.state = BrokerState::Refused(why),
                PublisherReport::Delivered(_) => {}
            }
        }
        view.queued = feed.queued();
    }
    publishing
        .closing
        .retain(|publisher| !publisher.is_finished());
}

/// Publishes a KMP poll's registers, named as the map names them.
pub(super) fn on_polled(state: &mut Controller, report: &ReadReport) {
    let map = state.workspace.map();
    let values: Vec<PolledValue> = report
        .registers
        .iter()
        .filter_map(|register| PolledValue::of_register(register, map.name(register.id())))
        .collect();
    publish(state, report.at, &values);
}

/// Publishes the values polled of a readout: those of the registers polled.
pub(super) fn on_readout_polled(state: &mut Controller, report: &ReadoutReport) {
    let map = state.workspace.map();
    let keys = state.polling().unwrap_or_default();
    let values: Vec<PolledValue> = keys
        .iter()
        .filter_map(|&key| {
            let reading = report.readings.iter().find(|r| r.key.answers(key))?;
            Some(PolledValue::of_reading(reading, map.key_name(key)))
        })
        .collect();
    publish(state, report.at, &values);
}

fn publish(state: &mut Controller, at: jiff::Timestamp, values: &[PolledValue]) {
    if values.is_empty() {
        return;
    }
    if let Some(feed) = &mut state.publishing.feed {
        feed.publish(at, values);
    }
}
