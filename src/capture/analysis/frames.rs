//! A recording's bytes cut into messages: the protocol it speaks, where each message of each
//! direction starts and ends, the line events kept with the byte they hit; before that, a
//! request and its echo told apart where the recording has no direction; after it, channels
//! found swapped.

use crate::capture::{Direction, Event, Mark, Stamp};
use crate::protocol::Protocol;
use crate::{iec, mc66};

/// A frame being cut from one direction's bytes.
#[derive(Default)]
struct Builder {
    bytes: Vec<u8>,
    times: Vec<Option<f64>>,
    warnings: Vec<String>,
    /// Line events (a break, a framing error) that came before its first byte, and when.
    before: Vec<&'static str>,
    before_at: Option<f64>,
    /// The index of its first event: the frames' order.
    first: usize,
}

/// One message cut from the recording, before it is read.
pub(super) struct Cut {
    /// The index of its first event: the messages' order.
    pub(super) first: usize,
    pub(super) direction: Direction,
    pub(super) bytes: Vec<u8>,
    /// Seconds to its first byte and to its last byte's start.
    pub(super) t: Option<f64>,
    pub(super) t_last: Option<f64>,
    /// Framing errors and breaks on its bytes.
    pub(super) warnings: Vec<String>,
}

impl Builder {
    /// Line events after the last frame, with no byte to follow: a frame of their own, with no
    /// bytes, their kinds as its warnings.
    fn take_last_events(&mut self, direction: Direction) -> Option<Cut> {
        if self.before.is_empty() {
            return None;
        }
        Some(Cut {
            first: self.first,
            direction,
            bytes: Vec::new(),
            t: self.before_at,
            t_last: self.before_at,
            warnings: self.before.drain(..).map(str::to_string).collect(),
        })
    }

    fn take(&mut self, direction: Direction) -> Option<Cut> {
        if self.bytes.is_empty() {
            self.warnings.clear();
            return None;
        }
        let times = std::mem::take(&mut self.times);
        Some(Cut {
            first: self.first,
            direction,
            bytes: std::mem::take(&mut self.bytes),
            t: times.first().copied().flatten(),
            t_last: times.last().copied().flatten(),
            warnings: std::mem::take(&mut self.warnings),
        })
    }
}

fn seconds(at: Stamp, samplerate: Option<f64>) -> Option<f64> {
    match at {
        Stamp::Seconds(seconds) => Some(seconds),
        Stamp::Sample(sample) => samplerate.map(|rate| sample as f64 / rate),
        Stamp::None => None,
    }
}

/// Cuts each direction's bytes into the messages of `protocol`, in the order their first bytes
/// came.
/// Cuts `events` into the messages of `protocol`; `pushed`, for IEC 62056-21, when the meter
/// pushes mode D telegrams, which run from the identification to the `!` line.
pub(super) fn cut(
    events: &[Event],
    samplerate: Option<f64>,
    (protocol, pushed): (Protocol, bool),
) -> Vec<Cut> {
    let mut builders: [Builder; 3] = Default::default();
    let slot = |direction| match direction {
        Direction::Tx => 0,
        Direction::Rx => 1,
        Direction::Unknown => 2,
    };
    let mut cuts = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let builder = &mut builders[slot(event.direction)];
        match event.mark {
            Mark::Byte(_) | Mark::BreakAsZero => {
                let byte = event.mark.byte().unwrap_or(0);
                let starts = match protocol {
                    // A text message starts only between messages (a readout may hold a `/`).
                    Protocol::Iec => {
                        matches!(byte, b'/' | iec::ACK | iec::STX | iec::SOH | iec::NAK)
                            && builder
                                .bytes
                                .first()
                                .is_none_or(|first| !is_text_start(*first))
                    }
                    // A `/#1` answer holds digits and spaces only.
                    Protocol::Mc66 => byte == b'/',
                    Protocol::Kmp => matches!(byte, 0x80 | 0x40),
                    // A pushed telegram is cut by the pauses between telegrams alone.
                    Protocol::Sml => false,
                };
                if starts {
                    cuts.extend(builder.take(event.direction));
                }
                if builder.bytes.is_empty() {
                    if builder.before.is_empty() {
                        builder.first = index;
                    }
                    let before = builder.before.drain(..);
                    builder
                        .warnings
                        .extend(before.map(|what| format!("{what} before byte 0")));
                }
                if event.mark == Mark::BreakAsZero {
                    builder.warnings.push(format!(
                        "byte {} was shown as a BREAK and read as 0x00, which makes the frame \
                         check: the analyser's framing differs from the line's (0x00 at 8N1 is \
                         nine low bit times)",
                        builder.bytes.len()
                    ));
                }
                builder.bytes.push(byte);
                builder.times.push(seconds(event.at, samplerate));
                let ends = match protocol {
                    Protocol::Iec => text_message_ends(&builder.bytes, pushed),
                    // The request has no line end of its own.
                    Protocol::Mc66 => builder.bytes == mc66::REQUEST || byte == b'\n',
                    Protocol::Kmp => byte == 0x0D,
                    Protocol::Sml => sml_frame_ends(&builder.bytes),
                };
                if ends {
                    cuts.extend(builder.take(event.direction));
                }
            }
            Mark::FramingError | Mark::ParityError | Mark::Break => {
                let what = match event.mark {
                    Mark::FramingError => "framing error",
                    Mark::ParityError => "parity error",
                    _ => "break",
                };
                // The error belongs to the byte just received; one between frames to the next
                // frame, or, after the last, is a frame of its own.
                if builder.bytes.is_empty() {
                    if builder.before.is_empty() {
                        builder.first = index;
                        builder.before_at = seconds(event.at, samplerate);
                    }
                    builder.before.push(what);
                } else {
                    let at = builder.bytes.len() - 1;
                    builder.warnings.push(format!("{what} on byte {at}"));
                }
            }
        }
    }
    for (builder, direction) in
        builders
            .iter_mut()
            .zip([Direction::Tx, Direction::Rx, Direction::Unknown])
    {
        cuts.extend(builder.take(direction));
        cuts.extend(builder.take_last_events(direction));
    }
    cuts.sort_by_key(|cut| cut.first);
    cuts
}

/// Whether a byte starts an IEC 62056-21 message.
pub(super) fn is_text_start(byte: u8) -> bool {
    matches!(byte, b'/' | iec::ACK | iec::STX | iec::SOH | iec::NAK)
}

/// Whether `bytes` (from a message's start) end an IEC 62056-21 message: a line (`/…`, an option
/// select) at its line feed, a block (`STX`, `SOH`) at the check character after `ETX`, a NAK at
/// once; a mode D telegram (`pushed`) at its `!` line, or the check character of its block.
fn text_message_ends(bytes: &[u8], pushed: bool) -> bool {
    if pushed && bytes.first() == Some(&b'/') {
        let framed = bytes.contains(&iec::STX);
        return if framed {
            bytes.len() >= 2 && bytes[bytes.len() - 2] == iec::ETX
        } else {
            bytes.ends_with(b"\r\n!\r\n")
        };
    }
    match bytes.first() {
        Some(b'/' | &iec::ACK) => bytes.last() == Some(&b'\n'),
        Some(&iec::STX | &iec::SOH) => bytes.len() >= 3 && bytes[bytes.len() - 2] == iec::ETX,
        Some(&iec::NAK) => true,
        _ => false,
    }
}

/// Whether `bytes` end with an SML frame's end: an escape, `1a`, the padding count and the CRC.
fn sml_frame_ends(bytes: &[u8]) -> bool {
    let len = bytes.len();
    len >= 16 && bytes[len - 8..len - 4] == [0x1B; 4] && bytes[len - 4] == 0x1A
}

/// The start of an SML frame (version 1).
const SML_START: [u8; 8] = [0x1B, 0x1B, 0x1B, 0x1B, 0x01, 0x01, 0x01, 0x01];

/// The protocol whose messages the recording is cut into, and whether its meter pushed them:
/// SML where it holds a frame's start; IEC 62056-21 where it holds a sign-on (`/?`); Kamstrup's
/// `/#1` where it holds that request; IEC 62056-21 mode D, pushed, where it holds a telegram's
/// `!` line and no sign-on; else KMP.
pub(super) fn spoken(events: &[Event]) -> (Protocol, bool) {
    let holds = |wanted: &[u8]| {
        [Direction::Tx, Direction::Rx, Direction::Unknown]
            .iter()
            .any(|direction| {
                let bytes: Vec<u8> = events
                    .iter()
                    .filter(|event| event.direction == *direction)
                    .filter_map(|event| event.mark.byte())
                    .collect();
                bytes.windows(wanted.len()).any(|window| window == wanted)
            })
    };
    if holds(&SML_START) {
        (Protocol::Sml, true)
    } else if holds(b"/?") {
        (Protocol::Iec, false)
    } else if holds(mc66::REQUEST) {
        (Protocol::Mc66, false)
    } else if holds(b"\r\n!\r\n") {
        (Protocol::Iec, true)
    } else {
        (Protocol::Kmp, false)
    }
}

/// Whether the file's channels are swapped: its TX side holds answers (`40`) while its RX side
/// holds none, or, with no answer at all, the first request on its RX side comes before its
/// copy on the TX side (the echo lags the request it repeats).
pub(super) fn swapped(cuts: &[Cut]) -> bool {
    let count = |direction, start| {
        cuts.iter()
            .filter(|cut| cut.direction == direction && cut.bytes.first() == Some(&start))
            .count()
    };
    if count(Direction::Tx, 0x40) > 0 {
        return count(Direction::Rx, 0x40) == 0;
    }
    let first_request = |direction| {
        cuts.iter()
            .find(|cut| cut.direction == direction && cut.bytes.first() == Some(&0x80))
    };
    match (first_request(Direction::Rx), first_request(Direction::Tx)) {
        (Some(rx), Some(tx)) => rx.bytes == tx.bytes && rx.first < tx.first,
        _ => false,
    }
}

/// Where a recording has no direction, a request and its echo arrive byte by byte in turn
/// (`80 80 3F 3F …`, as sigrok-cli prints two channels decoded into one list): a run of equal
/// pairs from `80 80` to `0D 0D` (or, for IEC 62056-21, from `/ /` or `ACK ACK` to the line
/// feeds) is split into the request (TX) and its echo (RX).
pub(super) fn pair_echoes(events: &[Event]) -> Vec<Event> {
    let mut events = events.to_vec();
    let unknown: Vec<usize> = (0..events.len())
        .filter(|&at| {
            events[at].direction == Direction::Unknown && matches!(events[at].mark, Mark::Byte(_))
        })
        .collect();
    let byte = |events: &[Event], at: usize| match events[at].mark {
        Mark::Byte(byte) => byte,
        _ => 0,
    };
    let mut i = 0;
    while i + 1 < unknown.len() {
        let (a, b) = (unknown[i], unknown[i + 1]);
        let first = byte(&events, a);
        if !matches!(first, 0x80 | b'/' | iec::ACK) || byte(&events, b) != first {
            i += 1;
            continue;
        }
        // The pairs up to the first `0D 0D` (a line feed for text, `/#1` whole for that request,
        // which has no line end); any unequal pair means this is no request and echo.
        let mut end = None;
        let mut j = i;
        let mut request = Vec::new();
        while j + 1 < unknown.len() {
            let (x, y) = (byte(&events, unknown[j]), byte(&events, unknown[j + 1]));
            if x != y {
                break;
            }
            request.push(x);
            let last = if first == 0x80 { 0x0D } else { b'\n' };
            if x == last || request == mc66::REQUEST {
                end = Some(j + 1);
                break;
            }
            j += 2;
        }
        let Some(end) = end else {
            i += 1;
            continue;
        };
        for (k, &at) in unknown[i..=end].iter().enumerate() {
            events[at].direction = if k % 2 == 0 {
                Direction::Tx
            } else {
                Direction::Rx
            };
        }
        i = end + 1;
    }
    events
}
