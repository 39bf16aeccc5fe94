//! The Live screen publishing, clicked through with egui_kittest against a broker inside the
//! test (MQTT 3.1.1 as the crate's own packets speak it): publishing switched on, a broker
//! typed, polling started; the discovery configs and each poll arrive, the screen says so, and
//! `offline` goes when polling stops.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use egui_kittest::kittest::Queryable as _;

use super::tests::{FixedPicker, click, connected, type_into, wait_for_text, wait_until};
use super::*;
use crate::mqtt::packet::{Packet, Publish};
use crate::sim::Profile;

/// A broker that takes one client at a time: it accepts the connection, acknowledges every
/// message and keeps them, in order.
fn broker() -> (u16, Arc<Mutex<Vec<Publish>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&received);
    std::thread::Builder::new()
        .name("test-broker".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut inbox = Vec::new();
                let mut buffer = [0u8; 4096];
                while let Ok(read) = stream.read(&mut buffer) {
                    if read == 0 {
                        break;
                    }
                    inbox.extend_from_slice(&buffer[..read]);
                    while let Ok(Some((packet, used))) = Packet::decode(&inbox) {
                        inbox.drain(..used);
                        let answer = match packet {
                            Packet::Connect(_) => Packet::ConnAck {
                                session_present: false,
                                code: 0,
                            },
                            Packet::Publish(publish) => {
                                let id = publish.id.unwrap_or(0);
                                into.lock().unwrap().push(publish);
                                Packet::PubAck(id)
                            }
                            Packet::PingReq => Packet::PingResp,
                            _ => continue,
                        };
                        if stream.write_all(&answer.encode()).is_err() {
                            break;
                        }
                    }
                }
            }
        })
        .unwrap();
    (port, received)
}

fn topics(received: &Mutex<Vec<Publish>>) -> Vec<String> {
    received
        .lock()
        .unwrap()
        .iter()
        .map(|publish| publish.topic.clone())
        .collect()
}

#[test]
fn polling_publishes_each_poll_with_discovery_and_says_how_the_broker_is_doing() {
    let (port, received) = broker();
    let mut harness = connected(Profile::Multical21, Screen::Live, FixedPicker(None), None);
    wait_until(&mut harness, "the meter's identity", |h| {
        h.state().controller().link_view().identity().is_some()
    });
    click(&mut harness, "Publish to MQTT");
    type_into(
        &mut harness,
        "Broker",
        &format!("mqtt://127.0.0.1:{port}/home"),
    );
    assert_eq!(
        harness.state().controller().settings().mqtt.url,
        format!("mqtt://127.0.0.1:{port}/home"),
        "kept with the settings"
    );
    harness.get_by_label("Start polling").click();
    wait_for_text(&mut harness, "Publishing to home/71234567/state");
    wait_until(&mut harness, "two polls at the broker", |_| {
        topics(&received)
            .iter()
            .filter(|topic| *topic == "home/71234567/state")
            .count()
            >= 2
    });
    let seen = topics(&received);
    assert_eq!(seen[0], "home/71234567/availability");
    for register in ["kmp_68", "kmp_74"] {
        let config = format!("homeassistant/sensor/kmp_workbench_71234567/{register}/config");
        assert!(seen.contains(&config), "{seen:?}");
    }
    let last_state = received
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|publish| publish.topic.ends_with("/state"))
        .map(|publish| serde_json::from_slice::<serde_json::Value>(&publish.payload).unwrap())
        .unwrap();
    assert_eq!(last_state["kmp_68"]["unit"], "m³");

    harness.get_by_label("Stop polling").click();
    wait_until(&mut harness, "offline", |_| {
        received.lock().unwrap().last().is_some_and(|publish| {
            publish.topic == "home/71234567/availability" && publish.payload == b"offline"
        })
    });
    assert!(harness.query_by_label_contains("Publishing to").is_none());
}

#[test]
fn a_broker_url_that_is_none_is_said_before_polling() {
    let mut harness = connected(Profile::Multical21, Screen::Live, FixedPicker(None), None);
    click(&mut harness, "Publish to MQTT");
    type_into(&mut harness, "Broker", "broker.local");
    wait_for_text(&mut harness, "is no broker URL");
}
