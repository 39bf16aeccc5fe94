//! Publishing to an MQTT broker (`log --mqtt`): each poll's values as one JSON object, an
//! availability topic with a last will, and Home Assistant's discovery configs.
//!
//! - `packet.rs`: the MQTT 3.1.1 packets, encoded and decoded (sans-IO);
//! - `session.rs`: a publisher's connection as a state machine: QoS 1, in order, what was not
//!   acknowledged sent again after a drop, pings, backoff (sans-IO: time is passed in);
//! - `publisher.rs`: the `kmp-mqtt` thread that owns the socket and drives the session;
//! - `broker_url.rs`: `mqtt://[user@]host[:port][/prefix]`; `tls.rs`: `mqtts://` (rustls);
//! - `state.rs`, `discovery.rs`: the payloads;
//! - `feed.rs`: a meter's feed as `log` and the app run it: availability, discovery, states.

pub mod broker_url;
pub mod discovery;
pub mod feed;
pub mod packet;
pub mod publisher;
pub mod session;
pub mod state;
pub mod tls;

pub use broker_url::BrokerUrl;
pub use feed::{Broker, Feed, FeedError, Secret};
pub use publisher::{Publisher, PublisherReport};
pub use state::{Device, PolledValue, Told};
