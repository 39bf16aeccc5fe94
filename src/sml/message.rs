//! SML messages and the values a meter pushes: the open, get-list and close responses a meter
//! sends (others are kept as they came), and each entry of a value list as an OBIS code, a unit
//! and an exact number (docs/protocols.md §11).

use std::fmt;

use crate::kmp::Number;

use super::SmlError;
use super::tlf::{self, Value};
use super::transport::X25;
use super::units;

/// The tags of the message bodies read here.
const OPEN_RESPONSE: u32 = 0x0101;
const CLOSE_RESPONSE: u32 = 0x0201;
const GET_LIST_RESPONSE: u32 = 0x0701;

/// The messages of one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// In the order sent.
    pub messages: Vec<Message>,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its transaction ID.
    pub transaction_id: Vec<u8>,
    /// Its group number.
    pub group: u8,
    /// What the receiver should do on an error (0: go on).
    pub abort_on_error: u8,
    /// What it says.
    pub body: Body,
}

/// What a message says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The start of a meter's file.
    OpenResponse {
        /// The file's ID.
        file_id: Vec<u8>,
        /// The meter's server ID.
        server_id: Vec<u8>,
    },
    /// A list of values.
    GetListResponse(ValueList),
    /// The end of the file.
    CloseResponse,
    /// Any other message, its tag and body as they came.
    Other {
        /// The body's tag.
        tag: u32,
        /// The body.
        body: Value,
    },
}

/// The values of a get-list response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueList {
    /// The meter's server ID.
    pub server_id: Vec<u8>,
    /// The list's name, when sent.
    pub name: Option<Vec<u8>>,
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One value of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its object name: an OBIS code of six bytes, as a rule.
    pub name: Vec<u8>,
    /// Its status word, when sent.
    pub status: Option<u64>,
    /// Its DLMS unit code, when sent.
    pub unit: Option<u8>,
    /// Its decimal scaler, when sent.
    pub scaler: Option<i8>,
    /// The value.
    pub value: Value,
}

/// An OBIS code, `A-B:C.D.E*F`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Obis(pub [u8; 6]);

impl Obis {
    /// The code as IEC 62056-21 readouts and most readers write it: `C.D.E` (`1.8.0`).
    pub fn short(&self) -> String {
        let [_, _, c, d, e, _] = self.0;
        format!("{c}.{d}.{e}")
    }
}

impl std::str::FromStr for Obis {
    type Err = ();

    /// Reads `A-B:C.D.E*F` back, as [`Obis`] writes it.
    fn from_str(text: &str) -> Result<Self, ()> {
        let (a, rest) = text.split_once('-').ok_or(())?;
        let (b, rest) = rest.split_once(':').ok_or(())?;
        let (cde, f) = rest.split_once('*').ok_or(())?;
        let mut cde = cde.split('.');
        let mut groups = [0u8; 6];
        let parts = [
            Some(a),
            Some(b),
            cde.next(),
            cde.next(),
            cde.next(),
            Some(f),
        ];
        for (group, part) in groups.iter_mut().zip(parts) {
            *group = part.ok_or(())?.parse().map_err(|_| ())?;
        }
        if cde.next().is_some() {
            return Err(());
        }
        Ok(Self(groups))
    }
}

impl fmt::Display for Obis {
    /// `1-0:1.8.0*255`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a}-{b}:{c}.{d}.{e}*{g}")
    }
}

impl Entry {
    /// The OBIS code, when the name is one.
    pub fn obis(&self) -> Option<Obis> {
        <[u8; 6]>::try_from(self.name.as_slice()).ok().map(Obis)
    }

    /// The value as an exact number with its scaler applied, when it is an integer and the
    /// scaler is one a number holds.
    pub fn number(&self) -> Option<Number> {
        let exponent = self.scaler.unwrap_or(0);
        let (negative, magnitude) = match self.value {
            Value::Int(value, _) => (value < 0, value.unsigned_abs()),
            Value::UInt(value, _) => (false, value),
            _ => return None,
        };
        Number::new(negative, u128::from(magnitude), exponent).ok()
    }

    /// The unit's symbol (`kWh` is not one: SML sends Wh), when it has a unit.
    pub fn unit_symbol(&self) -> Option<&'static str> {
        self.unit.and_then(units::symbol)
    }
}

impl File {
    /// The messages in `payload`, a frame's content. The frame's CRC covers them; the CRC each
    /// message carries is not checked again.
    pub fn decode(payload: &[u8]) -> Result<Self, SmlError> {
        let mut pos = 0;
        let mut messages = Vec::new();
        while pos < payload.len() {
            let value = tlf::decode(payload, &mut pos)?;
            if value == Value::EndOfMessage {
                // Stray end marks between messages are tolerated, as libsml does.
                continue;
            }
            messages.push(Message::from_value(&value)?);
        }
        Ok(Self { messages })
    }

    /// The payload for these messages, each with its CRC.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for message in &self.messages {
            message.encode(&mut out);
        }
        out
    }

    /// The values of every get-list response, in order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.messages
            .iter()
            .flat_map(|message| match &message.body {
                Body::GetListResponse(list) => list.entries.as_slice(),
                _ => &[],
            })
    }

    /// The meter's server ID, from its open or get-list response.
    pub fn server_id(&self) -> Option<&[u8]> {
        self.messages
            .iter()
            .find_map(|message| match &message.body {
                Body::OpenResponse { server_id, .. } => Some(server_id.as_slice()),
                Body::GetListResponse(list) => Some(list.server_id.as_slice()),
                _ => None,
            })
    }
}

impl Message {
    fn from_value(value: &Value) -> Result<Self, SmlError> {
        let fields = list_of(value, 6)?;
        let body = list_of(&fields[3], 2)?;
        let tag = body[0].unsigned().ok_or(SmlError::Shape("message tag"))?;
        let tag = u32::try_from(tag).map_err(|_| SmlError::Shape("message tag"))?;
        let body = match tag {
            OPEN_RESPONSE => {
                let open = list_of(&body[1], 6)?;
                Body::OpenResponse {
                    file_id: octets(&open[2], "file ID")?,
                    server_id: octets(&open[3], "server ID")?,
                }
            }
            GET_LIST_RESPONSE => Body::GetListResponse(ValueList::from_value(&body[1])?),
            CLOSE_RESPONSE => Body::CloseResponse,
            tag => Body::Other {
                tag,
                body: body[1].clone(),
            },
        };
        Ok(Self {
            transaction_id: octets(&fields[0], "transaction ID")?,
            group: small(&fields[1])?,
            abort_on_error: small(&fields[2])?,
            body,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let (tag, body) = match &self.body {
            Body::OpenResponse { file_id, server_id } => (
                OPEN_RESPONSE,
                Value::List(vec![
                    absent(),
                    absent(),
                    Value::Bytes(file_id.clone()),
                    Value::Bytes(server_id.clone()),
                    absent(),
                    Value::UInt(1, 1),
                ]),
            ),
            Body::GetListResponse(list) => (GET_LIST_RESPONSE, list.to_value()),
            Body::CloseResponse => (CLOSE_RESPONSE, Value::List(vec![absent()])),
            Body::Other { tag, body } => (*tag, body.clone()),
        };
        let start = out.len();
        // The message's list head and fields up to its CRC, which covers them.
        out.push(0x76);
        tlf::encode(&Value::Bytes(self.transaction_id.clone()), out);
        tlf::encode(&Value::UInt(u64::from(self.group), 1), out);
        tlf::encode(&Value::UInt(u64::from(self.abort_on_error), 1), out);
        tlf::encode(
            &Value::List(vec![Value::UInt(u64::from(tag), 4), body]),
            out,
        );
        // Low byte first, as meters send it.
        let crc = X25.checksum(&out[start..]);
        tlf::encode(&Value::UInt(u64::from(crc.swap_bytes()), 2), out);
        out.push(0x00);
    }
}

impl ValueList {
    fn from_value(value: &Value) -> Result<Self, SmlError> {
        let fields = list_of(value, 7)?;
        let entries = fields[4]
            .list()
            .ok_or(SmlError::Shape("value list"))?
            .iter()
            .map(Entry::from_value)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            server_id: octets(&fields[1], "server ID")?,
            name: optional(&fields[2])
                .map(|name| octets(name, "list name"))
                .transpose()?,
            entries,
        })
    }

    fn to_value(&self) -> Value {
        Value::List(vec![
            absent(),
            Value::Bytes(self.server_id.clone()),
            self.name.clone().map_or_else(absent, Value::Bytes),
            absent(),
            Value::List(self.entries.iter().map(Entry::to_value).collect()),
            absent(),
            absent(),
        ])
    }
}

impl Entry {
    fn from_value(value: &Value) -> Result<Self, SmlError> {
        let fields = list_of(value, 7)?;
        let scaler = match optional(&fields[4]) {
            None => None,
            Some(Value::Int(scaler, _)) => {
                Some(i8::try_from(*scaler).map_err(|_| SmlError::Shape("scaler"))?)
            }
            Some(_) => return Err(SmlError::Shape("scaler")),
        };
        Ok(Self {
            name: octets(&fields[0], "object name")?,
            status: optional(&fields[1]).and_then(Value::unsigned),
            unit: optional(&fields[3]).map(small).transpose()?,
            scaler,
            value: fields[5].clone(),
        })
    }

    fn to_value(&self) -> Value {
        Value::List(vec![
            Value::Bytes(self.name.clone()),
            self.status
                .map_or_else(absent, |status| Value::UInt(status, 4)),
            absent(),
            self.unit
                .map_or_else(absent, |unit| Value::UInt(u64::from(unit), 1)),
            self.scaler
                .map_or_else(absent, |scaler| Value::Int(i64::from(scaler), 1)),
            self.value.clone(),
            absent(),
        ])
    }
}

fn absent() -> Value {
    Value::Bytes(Vec::new())
}

/// The value, unless it is left out.
fn optional(value: &Value) -> Option<&Value> {
    (!value.is_absent()).then_some(value)
}

/// The list of `len` values `value` must be.
fn list_of(value: &Value, len: usize) -> Result<&[Value], SmlError> {
    match value.list() {
        Some(values) if values.len() == len => Ok(values),
        _ => Err(SmlError::Shape("list")),
    }
}

fn octets(value: &Value, what: &'static str) -> Result<Vec<u8>, SmlError> {
    value
        .bytes()
        .map(<[u8]>::to_vec)
        .ok_or(SmlError::Shape(what))
}

fn small(value: &Value) -> Result<u8, SmlError> {
    value
        .unsigned()
        .and_then(|value| u8::try_from(value).ok())
        .ok_or(SmlError::Shape("small number"))
}
