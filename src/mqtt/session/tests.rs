use super::*;

fn options() -> Options {
    Options {
        client_id: "kmp-workbench-test".into(),
        keep_alive: Duration::from_secs(30),
        will: None,
        username: None,
        password: None,
    }
}

fn message(mark: u64) -> Message {
    Message {
        topic: "kmp/1/state".into(),
        payload: format!("{{\"poll\":{mark}}}").into_bytes(),
        retain: false,
        mark,
    }
}

/// Every packet in `bytes`.
fn packets(bytes: &[u8]) -> Vec<Packet> {
    let mut rest = bytes;
    let mut out = Vec::new();
    while let Some((packet, used)) = Packet::decode(rest).unwrap() {
        out.push(packet);
        rest = &rest[used..];
    }
    assert!(rest.is_empty());
    out
}

fn published_marks(bytes: &[u8]) -> Vec<(u16, String)> {
    packets(bytes)
        .into_iter()
        .filter_map(|packet| match packet {
            Packet::Publish(publish) => Some((
                publish.id.unwrap(),
                String::from_utf8(publish.payload).unwrap(),
            )),
            _ => None,
        })
        .collect()
}

fn accepted() -> Vec<u8> {
    Packet::ConnAck {
        session_present: false,
        code: 0,
    }
    .encode()
}

/// A session connected and accepted at `now`.
fn up(now: Instant) -> Session {
    let mut session = Session::new(options(), now);
    assert!(session.wants_connection(now));
    session.opened(now);
    assert!(matches!(
        packets(&session.transmit(now))[..],
        [Packet::Connect(_)]
    ));
    assert_eq!(session.received(&accepted(), now), [Happened::Accepted]);
    session
}

#[test]
fn messages_go_in_order_and_those_unacknowledged_go_again_after_a_drop() {
    let t0 = Instant::now();
    let mut session = up(t0);
    for mark in 1..=3 {
        session.publish(message(mark));
    }
    let sent = published_marks(&session.transmit(t0));
    assert_eq!(
        sent.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        session.received(&Packet::PubAck(2).encode(), t0),
        [Happened::Delivered(2)]
    );
    assert_eq!(session.queued(), 2);

    session.lost(t0);
    assert!(
        !session.wants_connection(t0),
        "it waits before trying again"
    );
    let t1 = t0 + FIRST_BACKOFF;
    assert!(session.wants_connection(t1));
    session.opened(t1);
    session.transmit(t1);
    session.received(&accepted(), t1);
    let again = published_marks(&session.transmit(t1));
    let payloads: Vec<&str> = again.iter().map(|(_, payload)| payload.as_str()).collect();
    assert_eq!(payloads, ["{\"poll\":1}", "{\"poll\":3}"]);
    for (id, _) in again {
        session.received(&Packet::PubAck(id).encode(), t1);
    }
    assert_eq!(session.queued(), 0);
}

#[test]
fn no_more_than_the_window_is_in_flight() {
    let t0 = Instant::now();
    let mut session = up(t0);
    for mark in 0..40 {
        session.publish(message(mark));
    }
    let first = published_marks(&session.transmit(t0));
    assert_eq!(first.len(), WINDOW);
    assert!(session.transmit(t0).is_empty());
    session.received(&Packet::PubAck(first[0].0).encode(), t0);
    let next = published_marks(&session.transmit(t0));
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].1, format!("{{\"poll\":{WINDOW}}}"));
}

#[test]
fn a_broker_away_is_tried_again_ever_later_up_to_a_minute_and_at_once_after_it_answered() {
    let t0 = Instant::now();
    let mut session = Session::new(options(), t0);
    let mut now = t0;
    let mut waits = Vec::new();
    for _ in 0..9 {
        session.lost(now);
        let retry = session.deadline();
        waits.push((retry - now).as_secs());
        now = retry;
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    session.opened(now);
    session.received(&accepted(), now);
    session.lost(now);
    assert_eq!(session.deadline() - now, FIRST_BACKOFF);
}

#[test]
fn a_quiet_connection_pings_and_a_ping_unanswered_breaks_it() {
    let t0 = Instant::now();
    let mut session = up(t0);
    assert!(session.transmit(t0 + Duration::from_secs(29)).is_empty());
    let t1 = t0 + Duration::from_secs(30);
    assert_eq!(session.deadline(), t1);
    assert_eq!(packets(&session.transmit(t1)), [Packet::PingReq]);
    assert_eq!(session.received(&Packet::PingResp.encode(), t1), []);
    let t2 = t1 + Duration::from_secs(30);
    assert_eq!(packets(&session.transmit(t2)), [Packet::PingReq]);
    assert_eq!(session.overdue(t2 + Duration::from_secs(9)), None);
    assert!(matches!(
        session.overdue(t2 + ANSWER_WITHIN),
        Some(Happened::Broken(_))
    ));
}

#[test]
fn a_refusal_garbage_and_silence_are_said() {
    let t0 = Instant::now();
    let mut session = Session::new(options(), t0);
    session.opened(t0);
    let refused = Packet::ConnAck {
        session_present: false,
        code: 4,
    };
    assert_eq!(
        session.received(&refused.encode(), t0),
        [Happened::Refused(4)]
    );

    let mut session = up(t0);
    assert!(matches!(
        session.received(&[0x50, 0x02, 0x00, 0x01], t0)[..],
        [Happened::Broken(_)]
    ));

    let mut session = Session::new(options(), t0);
    session.opened(t0);
    assert!(session.overdue(t0 + ANSWER_WITHIN).is_some());
}

/// A broker as the session meets it: it acknowledges every PUBLISH and keeps them in the order
/// received, and drops the connection when told to.
#[derive(Default)]
struct Broker {
    received: Vec<u64>,
    inbox: Vec<u8>,
}

impl Broker {
    /// Takes the client's bytes; gives its answers.
    fn take(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.inbox.extend_from_slice(bytes);
        let mut answer = Vec::new();
        while let Some((packet, used)) = Packet::decode(&self.inbox).unwrap() {
            self.inbox.drain(..used);
            match packet {
                Packet::Connect(_) => answer.extend(accepted()),
                Packet::Publish(publish) => {
                    let text = String::from_utf8(publish.payload).unwrap();
                    let mark = text
                        .trim_start_matches("{\"poll\":")
                        .trim_end_matches('}')
                        .parse()
                        .unwrap();
                    self.received.push(mark);
                    answer.extend(Packet::PubAck(publish.id.unwrap()).encode());
                }
                Packet::PingReq => answer.extend(Packet::PingResp.encode()),
                other => panic!("unexpected {other:?}"),
            }
        }
        answer
    }

    /// The connection drops: what was half received is gone, and so is what was in flight.
    fn drop_connection(&mut self) {
        self.inbox.clear();
    }
}

#[test]
fn a_week_of_polls_through_a_broker_that_drops_every_hour_loses_nothing_and_keeps_the_order() {
    let t0 = Instant::now();
    let mut session = Session::new(options(), t0);
    let mut broker = Broker::default();
    let polls: u64 = 7 * 24 * 3600 / 10;
    let mut connected = false;
    // One step more than polls: the broker is back after the last drop.
    for poll in 0..=polls {
        let now = t0 + Duration::from_secs(poll * 10);
        if poll < polls {
            session.publish(message(poll));
        }
        // Every hour the broker drops the connection with the last poll's message in flight:
        // sent, and its acknowledgement lost.
        if connected && poll % 360 == 359 {
            let _lost_answer = broker.take(&session.transmit(now));
            broker.drop_connection();
            session.lost(now);
            connected = false;
        }
        if !connected && session.wants_connection(now) {
            session.opened(now);
            connected = true;
        }
        if connected {
            // Back and forth until both sides have said everything.
            loop {
                let bytes = session.transmit(now);
                if bytes.is_empty() {
                    break;
                }
                let answer = broker.take(&bytes);
                for happened in session.received(&answer, now) {
                    assert!(!matches!(happened, Happened::Broken(_)), "{happened:?}");
                }
            }
        }
    }
    assert_eq!(session.queued(), 0, "everything acknowledged in the end");
    // Every poll arrived; a poll in flight at a drop may arrive twice, and never out of order
    // but for that repeat.
    let mut unique = broker.received.clone();
    unique.dedup();
    assert_eq!(unique, (0..polls).collect::<Vec<_>>());
    let repeats = broker.received.len() - unique.len();
    assert!(repeats <= (polls / 360) as usize, "{repeats} repeats");
}
