//! The MQTT 3.1.1 packets a publisher sends and receives (OASIS MQTT 3.1.1, §2 and §3):
//! CONNECT with a last will, CONNACK, PUBLISH at QoS 0 and 1, PUBACK, PINGREQ, PINGRESP and
//! DISCONNECT; SUBSCRIBE and SUBACK besides, for the tests that read back what was published.
//! Sans-IO: packets are encoded into bytes and decoded from a buffer that may hold part of one.

use std::fmt;

/// The most a remaining length may say (§2.2.3): four bytes of seven bits.
const MAX_REMAINING: usize = 268_435_455;

/// A last will: what the broker publishes when the connection drops without a DISCONNECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Will {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Whether the broker keeps it for later subscribers.
    pub retain: bool,
}

/// What CONNECT says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connect {
    /// The client identifier.
    pub client_id: String,
    /// Seconds of silence after which the broker drops the connection; 0 for never.
    pub keep_alive: u16,
    /// Its last will, at QoS 1.
    pub will: Option<Will>,
    /// The user name.
    pub username: Option<String>,
    /// The password.
    pub password: Option<Vec<u8>>,
}

/// A PUBLISH.
#[derive(Clone, PartialEq, Eq)]
pub struct Publish {
    /// The topic.
    pub topic: String,
    /// The payload.
    pub payload: Vec<u8>,
    /// The packet identifier, for QoS 1; none for QoS 0.
    pub id: Option<u16>,
    /// Whether the broker keeps it for later subscribers.
    pub retain: bool,
    /// Whether it is sent again on the same connection.
    pub dup: bool,
}

impl fmt::Debug for Publish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Publish({} {}B id={:?} retain={})",
            self.topic,
            self.payload.len(),
            self.id,
            self.retain
        )
    }
}

/// A packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet {
    /// Asks the broker for a session.
    Connect(Box<Connect>),
    /// The broker's answer: the session present flag and the return code.
    ConnAck {
        /// Whether the broker kept a session for this client.
        session_present: bool,
        /// 0 accepted; 1 to 5 refused (§3.2.2.3).
        code: u8,
    },
    /// A message.
    Publish(Publish),
    /// A QoS 1 message received.
    PubAck(u16),
    /// Asks for the messages on topics matching each filter, at QoS 0 or 1.
    Subscribe {
        /// The packet identifier.
        id: u16,
        /// The filters and their QoS.
        filters: Vec<(String, u8)>,
    },
    /// The broker's answer to a SUBSCRIBE: the packet identifier and a code per filter.
    SubAck {
        /// The packet identifier.
        id: u16,
        /// The QoS granted per filter, 0x80 when refused.
        codes: Vec<u8>,
    },
    /// Asks whether the other side is there.
    PingReq,
    /// Says it is.
    PingResp,
    /// Ends the connection cleanly: the will is not published.
    Disconnect,
}

/// Why bytes are not an MQTT packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// The remaining length takes more than four bytes.
    #[error("a remaining length longer than four bytes")]
    Length,
    /// The packet type or its flags are not one MQTT 3.1.1 allows here.
    #[error("packet type {0:#04x} is not one a publisher takes")]
    Type(u8),
    /// The packet's content ends before its fields do, or goes on after them.
    #[error("a packet whose fields do not fill its length")]
    Malformed,
    /// A topic or string is not UTF-8.
    #[error("a string that is not UTF-8")]
    Utf8,
}

impl Packet {
    /// The packet as sent. Strings and payloads longer than MQTT allows are the caller's to
    /// avoid (a topic of 65,535 bytes, a payload near 256 MB).
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        let first = match self {
            Self::Connect(connect) => {
                string(&mut body, "MQTT");
                body.push(4);
                let mut flags = 0x02; // a clean session
                if let Some(will) = &connect.will {
                    flags |= 0x04 | 0x08; // a will, at QoS 1
                    if will.retain {
                        flags |= 0x20;
                    }
                }
                if connect.password.is_some() {
                    flags |= 0x40;
                }
                if connect.username.is_some() {
                    flags |= 0x80;
                }
                body.push(flags);
                body.extend(connect.keep_alive.to_be_bytes());
                string(&mut body, &connect.client_id);
                if let Some(will) = &connect.will {
                    string(&mut body, &will.topic);
                    bytes(&mut body, &will.payload);
                }
                if let Some(username) = &connect.username {
                    string(&mut body, username);
                }
                if let Some(password) = &connect.password {
                    bytes(&mut body, password);
                }
                0x10
            }
            Self::ConnAck {
                session_present,
                code,
            } => {
                body.extend([u8::from(*session_present), *code]);
                0x20
            }
            Self::Publish(publish) => {
                string(&mut body, &publish.topic);
                let mut first = 0x30;
                if let Some(id) = publish.id {
                    body.extend(id.to_be_bytes());
                    first |= 0x02;
                }
                if publish.dup {
                    first |= 0x08;
                }
                if publish.retain {
                    first |= 0x01;
                }
                body.extend(&publish.payload);
                first
            }
            Self::PubAck(id) => {
                body.extend(id.to_be_bytes());
                0x40
            }
            Self::Subscribe { id, filters } => {
                body.extend(id.to_be_bytes());
                for (filter, qos) in filters {
                    string(&mut body, filter);
                    body.push(*qos);
                }
                0x82
            }
            Self::SubAck { id, codes } => {
                body.extend(id.to_be_bytes());
                body.extend(codes);
                0x90
            }
            Self::PingReq => 0xC0,
            Self::PingResp => 0xD0,
            Self::Disconnect => 0xE0,
        };
        let mut packet = vec![first];
        let mut remaining = body.len().min(MAX_REMAINING);
        loop {
            let byte = (remaining % 128) as u8;
            remaining /= 128;
            if remaining == 0 {
                packet.push(byte);
                break;
            }
            packet.push(byte | 0x80);
        }
        packet.extend(body);
        packet
    }

    /// The first whole packet at the start of `buffer` and the bytes it took, or `None` when
    /// the buffer holds only part of one.
    pub fn decode(buffer: &[u8]) -> Result<Option<(Self, usize)>, PacketError> {
        let Some(&first) = buffer.first() else {
            return Ok(None);
        };
        let mut remaining = 0usize;
        let mut header = 1;
        loop {
            let Some(&byte) = buffer.get(header) else {
                return Ok(None);
            };
            remaining |= usize::from(byte & 0x7F) << (7 * (header - 1));
            header += 1;
            if byte & 0x80 == 0 {
                break;
            }
            if header > 4 {
                return Err(PacketError::Length);
            }
        }
        let Some(body) = buffer.get(header..header + remaining) else {
            return Ok(None);
        };
        let packet = Self::parse(first, &mut Reader(body))?;
        Ok(Some((packet, header + remaining)))
    }

    fn parse(first: u8, body: &mut Reader<'_>) -> Result<Self, PacketError> {
        let packet = match first {
            0x10 => {
                if body.string()? != "MQTT" || body.byte()? != 4 {
                    return Err(PacketError::Malformed);
                }
                let flags = body.byte()?;
                let keep_alive = body.u16()?;
                let client_id = body.string()?;
                let will = if flags & 0x04 != 0 {
                    Some(Will {
                        topic: body.string()?,
                        payload: body.bytes()?.to_vec(),
                        retain: flags & 0x20 != 0,
                    })
                } else {
                    None
                };
                let username = (flags & 0x80 != 0).then(|| body.string()).transpose()?;
                let password = (flags & 0x40 != 0)
                    .then(|| body.bytes().map(<[u8]>::to_vec))
                    .transpose()?;
                Self::Connect(Box::new(Connect {
                    client_id,
                    keep_alive,
                    will,
                    username,
                    password,
                }))
            }
            0x20 => Self::ConnAck {
                session_present: body.byte()? & 1 != 0,
                code: body.byte()?,
            },
            0x30..=0x3F => {
                let qos = (first >> 1) & 3;
                let topic = body.string()?;
                let id = match qos {
                    0 => None,
                    1 | 2 => Some(body.u16()?),
                    _ => return Err(PacketError::Type(first)),
                };
                Self::Publish(Publish {
                    topic,
                    id,
                    retain: first & 1 != 0,
                    dup: first & 0x08 != 0,
                    payload: body.rest().to_vec(),
                })
            }
            0x40 => Self::PubAck(body.u16()?),
            0x82 => {
                let id = body.u16()?;
                let mut filters = Vec::new();
                while !body.0.is_empty() {
                    filters.push((body.string()?, body.byte()?));
                }
                Self::Subscribe { id, filters }
            }
            0x90 => Self::SubAck {
                id: body.u16()?,
                codes: body.rest().to_vec(),
            },
            0xC0 => Self::PingReq,
            0xD0 => Self::PingResp,
            0xE0 => Self::Disconnect,
            other => return Err(PacketError::Type(other)),
        };
        if body.0.is_empty() {
            Ok(packet)
        } else {
            Err(PacketError::Malformed)
        }
    }
}

/// What a CONNACK's return code means (§3.2.2.3), and what to do about it.
pub fn refusal(code: u8) -> &'static str {
    match code {
        1 => "it does not speak MQTT 3.1.1 (use a broker that does, as mosquitto does)",
        2 => "it refused the client identifier",
        3 => "the MQTT service is unavailable (the broker is up, its service is not)",
        4 => "bad user name or password (check the user in the URL and the password file)",
        // mosquitto says this of a wrong password too.
        5 => {
            "not authorized (check the user in the URL and the password file, and that the \
             broker lets this user connect)"
        }
        _ => "a return code MQTT 3.1.1 does not define",
    }
}

/// `text` as an MQTT string: its length in two bytes, then its bytes.
fn string(out: &mut Vec<u8>, text: &str) {
    bytes(out, text.as_bytes());
}

fn bytes(out: &mut Vec<u8>, data: &[u8]) {
    let len = data.len().min(usize::from(u16::MAX));
    out.extend((len as u16).to_be_bytes());
    out.extend(&data[..len]);
}

/// Reads a packet's fields in turn.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PacketError> {
        if self.0.len() < n {
            return Err(PacketError::Malformed);
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, PacketError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, PacketError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn bytes(&mut self) -> Result<&'a [u8], PacketError> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    fn string(&mut self) -> Result<String, PacketError> {
        let bytes = self.bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| PacketError::Utf8)
    }

    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests;
