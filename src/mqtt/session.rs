//! A publisher's MQTT connection, sans-IO: what to send, what came back, when to ping, when to
//! give up on the broker and when to try it again. The driver ([`super::publisher`]) owns the
//! socket and the clock and hands both in.
//!
//! Every message goes at QoS 1 and stays queued, in the order published, until the broker
//! acknowledges it. A connection lost takes the messages in flight back to the queue's front,
//! so they go again, in order, on the next connection: at least once, a duplicate at most for
//! what was in flight. Each connection starts a clean session, so nothing depends on what the
//! broker kept.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::packet::{Connect, Packet, PacketError, Publish, Will};

/// Messages sent and not yet acknowledged, at most: enough to keep a slow link busy, few to
/// send again after a drop.
const WINDOW: usize = 16;
/// How long the broker has to answer CONNECT or a ping.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// The first wait before trying a broker again, doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The client identifier.
    pub client_id: String,
    /// How often to show the broker the connection is alive when there is nothing to send.
    pub keep_alive: Duration,
    /// The last will.
    pub will: Option<Will>,
    /// The user name.
    pub username: Option<String>,
    /// The password.
    pub password: Option<Vec<u8>>,
}

/// A message to publish, and the caller's mark for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Whether the broker keeps it for later subscribers.
    pub retain: bool,
    /// The caller's mark, given back when the broker acknowledged it.
    pub mark: u64,
}

/// What happened on the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happened {
    /// The broker accepted the connection.
    Accepted,
    /// The broker refused it: the CONNACK return code ([`super::packet::refusal`]).
    Refused(u8),
    /// The broker acknowledged the message with this mark.
    Delivered(u64),
    /// The connection is no good (a broker that does not answer, bytes that are no MQTT): the
    /// driver drops it and tells the session with [`Session::lost`].
    Broken(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No connection; the next try at `retry_at`.
    Down { retry_at: Instant },
    /// CONNECT sent at `since`.
    Connecting { since: Instant },
    /// Accepted; the last bytes went at `sent_at`, a ping is out since `ping`.
    Up {
        sent_at: Instant,
        ping: Option<Instant>,
    },
}

/// A message queued, with its packet identifier once sent on this connection.
#[derive(Debug)]
struct Queued {
    message: Message,
    id: Option<u16>,
}

/// One publisher's connection; see the module documentation.
#[derive(Debug)]
pub struct Session {
    options: Options,
    state: State,
    queue: VecDeque<Queued>,
    next_id: u16,
    backoff: Duration,
    outbox: Vec<u8>,
    inbox: Vec<u8>,
}

impl Session {
    /// A session that may connect at once.
    pub fn new(options: Options, now: Instant) -> Self {
        Self {
            options,
            state: State::Down { retry_at: now },
            queue: VecDeque::new(),
            next_id: 1,
            backoff: FIRST_BACKOFF,
            outbox: Vec::new(),
            inbox: Vec::new(),
        }
    }

    /// Queues `message`; it goes when the connection is up and the window has room.
    pub fn publish(&mut self, message: Message) {
        self.queue.push_back(Queued { message, id: None });
    }

    /// Messages not acknowledged yet.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the broker accepted the connection.
    pub fn is_up(&self) -> bool {
        matches!(self.state, State::Up { .. })
    }

    /// Whether it is time to open a connection.
    pub fn wants_connection(&self, now: Instant) -> bool {
        matches!(self.state, State::Down { retry_at } if now >= retry_at)
    }

    /// The transport is open: CONNECT goes first.
    pub fn opened(&mut self, now: Instant) {
        self.inbox.clear();
        self.outbox = Packet::Connect(Box::new(Connect {
            client_id: self.options.client_id.clone(),
            keep_alive: u16::try_from(self.options.keep_alive.as_secs()).unwrap_or(u16::MAX),
            will: self.options.will.clone(),
            username: self.options.username.clone(),
            password: self.options.password.clone(),
        }))
        .encode();
        self.state = State::Connecting { since: now };
    }

    /// The transport could not be opened or was lost: what was in flight goes again on the
    /// next connection, which is tried after a wait that grows with each failure.
    pub fn lost(&mut self, now: Instant) {
        for queued in &mut self.queue {
            queued.id = None;
        }
        self.outbox.clear();
        self.inbox.clear();
        self.state = State::Down {
            retry_at: now + self.backoff,
        };
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// Bytes from the broker; what they meant.
    pub fn received(&mut self, bytes: &[u8], now: Instant) -> Vec<Happened> {
        self.inbox.extend_from_slice(bytes);
        let mut happened = Vec::new();
        loop {
            match Packet::decode(&self.inbox) {
                Ok(Some((packet, used))) => {
                    self.inbox.drain(..used);
                    if let Some(event) = self.take(packet, now) {
                        happened.push(event);
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    happened.push(broken(error));
                    self.inbox.clear();
                    break;
                }
            }
        }
        happened
    }

    fn take(&mut self, packet: Packet, now: Instant) -> Option<Happened> {
        match (packet, self.state) {
            (Packet::ConnAck { code: 0, .. }, State::Connecting { .. }) => {
                self.state = State::Up {
                    sent_at: now,
                    ping: None,
                };
                self.backoff = FIRST_BACKOFF;
                Some(Happened::Accepted)
            }
            (Packet::ConnAck { code, .. }, State::Connecting { .. }) => {
                Some(Happened::Refused(code))
            }
            (Packet::PubAck(id), State::Up { .. }) => {
                let at = self.queue.iter().position(|queued| queued.id == Some(id))?;
                self.queue
                    .remove(at)
                    .map(|queued| Happened::Delivered(queued.message.mark))
            }
            (Packet::PingResp, State::Up { sent_at, .. }) => {
                self.state = State::Up {
                    sent_at,
                    ping: None,
                };
                None
            }
            // A message from the broker, though nothing was subscribed: not the publisher's.
            (Packet::Publish(_), State::Up { .. }) => None,
            (packet, _) => Some(Happened::Broken(format!(
                "the broker sent {packet:?} out of turn"
            ))),
        }
    }

    /// The bytes to send now: queued messages while the window has room, or a ping when the
    /// connection has been quiet for the keep-alive.
    pub fn transmit(&mut self, now: Instant) -> Vec<u8> {
        if let State::Up { sent_at, ping } = self.state {
            let in_flight = self.queue.iter().filter(|q| q.id.is_some()).count();
            let mut room = WINDOW.saturating_sub(in_flight);
            for index in 0..self.queue.len() {
                if room == 0 {
                    break;
                }
                if self.queue[index].id.is_some() {
                    continue;
                }
                let id = self.take_id();
                let queued = &mut self.queue[index];
                queued.id = Some(id);
                self.outbox.extend(
                    Packet::Publish(Publish {
                        topic: queued.message.topic.clone(),
                        payload: queued.message.payload.clone(),
                        id: Some(id),
                        retain: queued.message.retain,
                        dup: false,
                    })
                    .encode(),
                );
                room -= 1;
            }
            let quiet = now.saturating_duration_since(sent_at) >= self.options.keep_alive;
            if self.outbox.is_empty() && quiet && ping.is_none() {
                self.outbox.extend(Packet::PingReq.encode());
                self.state = State::Up {
                    sent_at,
                    ping: Some(now),
                };
            }
            if !self.outbox.is_empty()
                && let State::Up { ping, .. } = self.state
            {
                self.state = State::Up { sent_at: now, ping };
            }
        }
        std::mem::take(&mut self.outbox)
    }

    /// A clean goodbye: DISCONNECT, so the broker does not publish the will.
    pub fn goodbye(&mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.outbox);
        if self.is_up() {
            bytes.extend(Packet::Disconnect.encode());
        }
        bytes
    }

    /// When the session next needs the driver: to try a connection, to ping, or to give up
    /// on an answer.
    pub fn deadline(&self) -> Instant {
        match self.state {
            State::Down { retry_at } => retry_at,
            State::Connecting { since } => since + ANSWER_WITHIN,
            State::Up {
                ping: Some(ping), ..
            } => ping + ANSWER_WITHIN,
            State::Up { sent_at, .. } => sent_at + self.options.keep_alive,
        }
    }

    /// Whether the broker has left an answer overdue: the connection is then no good.
    pub fn overdue(&self, now: Instant) -> Option<Happened> {
        match self.state {
            State::Connecting { since } if now >= since + ANSWER_WITHIN => {
                Some(Happened::Broken("the broker did not answer CONNECT".into()))
            }
            State::Up {
                ping: Some(ping), ..
            } if now >= ping + ANSWER_WITHIN => {
                Some(Happened::Broken("the broker did not answer a ping".into()))
            }
            _ => None,
        }
    }

    /// The next packet identifier not in flight (1 to 65,535; 0 is not one).
    fn take_id(&mut self) -> u16 {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            if !self.queue.iter().any(|queued| queued.id == Some(id)) {
                return id;
            }
        }
    }
}

fn broken(error: PacketError) -> Happened {
    Happened::Broken(format!("the broker sent bytes that are no MQTT: {error}"))
}

#[cfg(test)]
mod tests;
