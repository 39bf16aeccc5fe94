//! From a recording's bytes to frames with their meaning, and to the link check's diagnosis.
//!
//! A recording that holds an IEC 62056-21 sign-on (`/?`) is read as that protocol's text
//! messages (lines to their line feed, blocks to the check character after ETX), each decoded by
//! the `iec` codec; one that holds Kamstrup's `/#1` as that request and its one-line answers
//! (the `mc66` codec); any other as KMP:
//!
//! Each direction's bytes are cut into KMP frames at the start bytes (`80` to the meter, `40`
//! from it) and the stop byte `0D` (stuffing keeps those three out of a frame's inside); bytes
//! outside any frame are noise. RX frames that repeat the TX frame just sent are the echo. Where
//! the recording has no direction, the start bytes decide, and an `80` frame repeating the one
//! before it is its echo. Where the named TX side holds answers and the RX side requests, the
//! channels were swapped (a wrong channel name in sigrok does that silently): the start bytes put
//! them right. A framing error or break is noted on the frame and the byte it hit; a frame whose
//! CRC still holds keeps its value (the stop bit was weak, the data bits were read), with the
//! warning shown.

use super::{Direction, Event, Mark, Stamp};
use crate::link::diagnosis::{self, Diagnosis, Evidence};
use crate::model::TextReading;
use crate::protocol::Protocol;
use crate::{iec, kmp, mc66};

/// Which way a frame went, as the recording shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FrameDirection {
    /// From the head.
    Tx,
    /// The head hearing its own transmission on RX.
    Echo,
    /// From the meter.
    Rx,
}

/// One frame of a recording.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Seconds from the recording's start to its first byte; `None` without time.
    pub t: Option<f64>,
    /// Seconds to its last byte's start.
    pub t_last: Option<f64>,
    /// Which way.
    pub direction: FrameDirection,
    /// Its bytes, as on the line.
    pub bytes: Vec<u8>,
    /// What it says, or what it is.
    pub meaning: String,
    /// Why it is not a valid frame, if it is not.
    pub error: Option<String>,
    /// Framing errors and breaks on its bytes.
    pub warnings: Vec<String>,
    /// For an answer: seconds from the end of its request.
    pub gap_s: Option<f64>,
}

/// What a recording shows.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Every frame, in the recording's order.
    pub frames: Vec<Frame>,
    /// Whether RX and TX were swapped in the file and put right.
    pub swapped: bool,
    /// What the recording cannot tell, where that changes the diagnosis.
    pub caveat: Option<String>,
    /// The protocol of the valid messages; `None` when no message was recognised.
    pub protocol: Option<Protocol>,
    /// The median time between the recorded device's requests.
    pub request_interval_s: Option<f64>,
    /// The median time from a request's end to its answer.
    pub reaction_s: Option<f64>,
    /// The link check's diagnosis, from this evidence.
    pub diagnosis: Diagnosis,
    /// The registers the valid answers hold, in the order they came.
    pub registers: Vec<kmp::Register>,
    /// The values of the last valid IEC 62056-21 readout or `/#1` answer.
    pub readout: Vec<TextReading>,
    /// The last IEC 62056-21 identification line, without `/` and the line end.
    pub identification: Option<String>,
}

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

struct Cut {
    first: usize,
    direction: Direction,
    bytes: Vec<u8>,
    t: Option<f64>,
    t_last: Option<f64>,
    warnings: Vec<String>,
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
fn cut(events: &[Event], samplerate: Option<f64>, protocol: Protocol) -> Vec<Cut> {
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
            Mark::Byte(byte) => {
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
                builder.bytes.push(byte);
                builder.times.push(seconds(event.at, samplerate));
                let ends = match protocol {
                    Protocol::Iec => text_message_ends(&builder.bytes),
                    // The request has no line end of its own.
                    Protocol::Mc66 => builder.bytes == mc66::REQUEST || byte == b'\n',
                    Protocol::Kmp => byte == 0x0D,
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
fn is_text_start(byte: u8) -> bool {
    matches!(byte, b'/' | iec::ACK | iec::STX | iec::SOH | iec::NAK)
}

/// Whether `bytes` (from a message's start) end an IEC 62056-21 message: a line (`/…`, an option
/// select) at its line feed, a block (`STX`, `SOH`) at the check character after `ETX`, a NAK at
/// once.
fn text_message_ends(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(b'/' | &iec::ACK) => bytes.last() == Some(&b'\n'),
        Some(&iec::STX | &iec::SOH) => bytes.len() >= 3 && bytes[bytes.len() - 2] == iec::ETX,
        Some(&iec::NAK) => true,
        _ => false,
    }
}

/// The protocol whose messages the recording is cut into: IEC 62056-21 where it holds a
/// sign-on (`/?`), Kamstrup's `/#1` where it holds that request, else KMP.
fn spoken(events: &[Event]) -> Protocol {
    let holds = |wanted: &[u8]| {
        [Direction::Tx, Direction::Rx, Direction::Unknown]
            .iter()
            .any(|direction| {
                let bytes: Vec<u8> = events
                    .iter()
                    .filter(|event| event.direction == *direction)
                    .filter_map(|event| match event.mark {
                        Mark::Byte(byte) => Some(byte),
                        _ => None,
                    })
                    .collect();
                bytes.windows(wanted.len()).any(|window| window == wanted)
            })
    };
    if holds(b"/?") {
        Protocol::Iec
    } else if holds(mc66::REQUEST) {
        Protocol::Mc66
    } else {
        Protocol::Kmp
    }
}

/// One message read: whether it is valid, what it says or is, why not, and the KMP registers
/// it answers.
struct Reading {
    valid: bool,
    /// A start byte began it: invalid, it is a bad message rather than noise.
    framed: bool,
    meaning: String,
    error: Option<String>,
    registers: Vec<kmp::Register>,
    /// The values of a readout or a `/#1` answer.
    values: Vec<TextReading>,
    /// The identification line a meter sent.
    identification: Option<String>,
}

/// Reads a KMP frame.
fn read_kmp(bytes: &[u8]) -> Reading {
    match kmp::decode(bytes) {
        Ok(message) => Reading {
            valid: true,
            framed: true,
            meaning: crate::link::traffic::describe_received(bytes),
            error: None,
            values: Vec::new(),
            identification: None,
            registers: match message {
                kmp::Message::Response {
                    response: kmp::Response::Registers(registers),
                    ..
                } => registers,
                _ => Vec::new(),
            },
        },
        Err(error) => Reading {
            valid: false,
            framed: matches!(bytes.first(), Some(0x80 | 0x40)),
            meaning: if bytes.last() == Some(&0x0D) {
                "a frame that fails its checks".to_string()
            } else if matches!(bytes.first(), Some(0x80 | 0x40)) {
                "a frame cut short".to_string()
            } else {
                format!("{} bytes outside any frame", bytes.len())
            },
            error: Some(error.to_string()),
            registers: Vec::new(),
            values: Vec::new(),
            identification: None,
        },
    }
}

/// Reads an IEC 62056-21 message: the client's when `client`, else the meter's.
fn read_iec(bytes: &[u8], client: bool) -> Reading {
    let ok = |meaning: String| Reading {
        valid: true,
        framed: true,
        meaning,
        error: None,
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    let failed = |meaning: &str, error: String| Reading {
        valid: false,
        framed: bytes.first().is_some_and(|first| is_text_start(*first)),
        meaning: meaning.to_string(),
        error: Some(error),
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    if client {
        return match iec::ClientMessage::decode(bytes) {
            Ok(iec::ClientMessage::SignOn { address }) if address.is_empty() => {
                ok("IEC 62056-21 sign-on".into())
            }
            Ok(iec::ClientMessage::SignOn { address }) => {
                ok(format!("IEC 62056-21 sign-on to {address}"))
            }
            Ok(iec::ClientMessage::OptionSelect {
                baud_character,
                mode,
                ..
            }) => ok(format!(
                "IEC 62056-21 option select: mode {}, at {} baud",
                char::from(mode),
                iec::baud_of(baud_character).map_or_else(|| "?".to_string(), |b| b.to_string())
            )),
            Ok(iec::ClientMessage::Break) => ok("IEC 62056-21 break".into()),
            Err(error) => failed("not an IEC 62056-21 request", error.to_string()),
        };
    }
    match bytes.first() {
        Some(b'/') => match iec::Identification::decode(bytes) {
            Ok(identification) => Reading {
                identification: Some(identification.line.clone()),
                ..ok(format!("identification {}", identification.line))
            },
            Err(error) => failed("an identification that fails its checks", error.to_string()),
        },
        Some(&iec::STX) => match iec::Readout::decode(bytes) {
            Ok(readout) => {
                let first: Vec<String> = readout.lines.iter().take(3).map(|l| l.text()).collect();
                let more = if readout.lines.len() > 3 { ", …" } else { "" };
                Reading {
                    values: TextReading::from_readout(&readout),
                    ..ok(format!(
                        "readout of {} lines: {}{more}",
                        readout.lines.len(),
                        first.join(", ")
                    ))
                }
            }
            Err(error) => failed("a readout that fails its checks", error.to_string()),
        },
        Some(&iec::NAK) => ok("NAK: the meter did not take the last message".into()),
        _ => failed(
            &format!("{} bytes outside any message", bytes.len()),
            "no IEC 62056-21 message".into(),
        ),
    }
}

/// Reads a `/#1` message: the client's request when `client`, else the meter's answer.
fn read_mc66(bytes: &[u8], client: bool) -> Reading {
    let reading = |valid: bool, meaning: String, error: Option<String>| Reading {
        valid,
        framed: valid || bytes.first() == Some(&b'/') || bytes.last() == Some(&b'\n'),
        meaning,
        error,
        registers: Vec::new(),
        values: Vec::new(),
        identification: None,
    };
    if client {
        return if bytes == mc66::REQUEST {
            reading(true, "Kamstrup /#1 request".into(), None)
        } else {
            reading(
                false,
                format!("{} bytes outside any message", bytes.len()),
                Some("not a /#1 request".into()),
            )
        };
    }
    match mc66::Answer::decode(bytes) {
        Ok(answer) => {
            let fields: Vec<String> = answer
                .readings
                .iter()
                .take(3)
                .map(|r| format!("{} {} {}", r.field.name(), r.number, r.field.unit()))
                .collect();
            Reading {
                values: TextReading::from_mc66(&answer),
                ..reading(
                    true,
                    format!(
                        "/#1 answer of {} fields: {}, …",
                        answer.readings.len(),
                        fields.join(", ")
                    ),
                    None,
                )
            }
        }
        Err(error) => reading(
            false,
            if bytes.last() == Some(&b'\n') {
                "a /#1 answer that fails its checks".into()
            } else {
                "a /#1 answer cut short".into()
            },
            Some(error.to_string()),
        ),
    }
}

/// Whether the file's channels are swapped: its TX side holds answers (`40`) while its RX side
/// holds none, or, with no answer at all, the first request on its RX side comes before its
/// copy on the TX side (the echo lags the request it repeats).
fn swapped(cuts: &[Cut]) -> bool {
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
fn pair_echoes(events: &[Event]) -> Vec<Event> {
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

/// Reads what `events` show; `samplerate` turns sample numbers into seconds.
pub fn analyse(events: &[Event], samplerate: Option<f64>) -> Analysis {
    let events = pair_echoes(events);
    let spoken = spoken(&events);
    let mut cuts = cut(&events, samplerate, spoken);
    let swapped = swapped(&cuts);
    if swapped {
        for cut in &mut cuts {
            cut.direction = match cut.direction {
                Direction::Tx => Direction::Rx,
                Direction::Rx => Direction::Tx,
                Direction::Unknown => Direction::Unknown,
            };
        }
    }
    // One line with no direction that carries the meter's answers is the RX line (a file per
    // channel: a Saleae analyzer export, sigrok's `-B`, a dump of what the head heard): the
    // requests on it are the head hearing its own, each the sign of a request sent.
    let rx_line = spoken == Protocol::Kmp
        && cuts.iter().all(|cut| cut.direction == Direction::Unknown)
        && cuts.iter().any(|cut| cut.bytes.first() == Some(&0x40));
    let mut frames: Vec<Frame> = Vec::new();
    let mut last_request: Option<usize> = None;
    let mut evidence = Evidence::default();
    // Whether the request before was answered: a request counts as answered once, however
    // many messages answer it (an IEC identification, then its readout).
    let mut answered_last = false;
    // When the last request left the wire: its own last byte, or its echo's if that ends
    // later (a sniffer on the host sees the request written at once, the echo as it went out).
    let mut request_end: Option<f64> = None;
    // Whether the meter has sent anything since that request: only the first message is
    // timed from it.
    let mut heard_since_request = false;
    let mut protocol = None;
    let mut registers = Vec::new();
    let mut readout = Vec::new();
    let mut identification = None;
    for cut in cuts {
        // Line events with no byte of their own (after the last frame), and the `00` with a
        // framing error that sigrok-cli reports for a break outside any frame: shown, no
        // evidence about the meter.
        let held_low = cut
            .warnings
            .iter()
            .any(|warning| warning.starts_with("break"));
        if cut.bytes.is_empty() || (cut.bytes == [0] && held_low) {
            frames.push(Frame {
                t: cut.t,
                t_last: cut.t_last,
                direction: if cut.direction == Direction::Tx {
                    FrameDirection::Tx
                } else {
                    FrameDirection::Rx
                },
                meaning: if held_low {
                    "a break: the line held low for longer than a character".to_string()
                } else {
                    format!("{} outside any frame", cut.warnings.join(", "))
                },
                bytes: Vec::new(),
                error: None,
                warnings: Vec::new(),
                gap_s: None,
            });
            continue;
        }
        let request_like = match spoken {
            // A sign-on (`/?`), an option select (ACK) or a break (SOH) comes from the client;
            // an identification (`/` and a letter), a readout or a NAK from the meter.
            Protocol::Iec => {
                cut.bytes.starts_with(b"/?")
                    || matches!(cut.bytes.first(), Some(&iec::ACK | &iec::SOH))
            }
            Protocol::Mc66 => cut.bytes.first() == Some(&b'/'),
            Protocol::Kmp => cut.bytes.first() == Some(&0x80),
        };
        let direction = match cut.direction {
            Direction::Tx => FrameDirection::Tx,
            Direction::Rx | Direction::Unknown
                if last_request.is_some_and(|at| frames[at].bytes == cut.bytes) =>
            {
                FrameDirection::Echo
            }
            Direction::Unknown if request_like && rx_line => FrameDirection::Echo,
            Direction::Unknown if request_like => FrameDirection::Tx,
            Direction::Rx | Direction::Unknown => FrameDirection::Rx,
        };
        // An echo with no request before it on a recording of the RX line alone.
        let heard_only = rx_line && direction == FrameDirection::Echo;
        let client = direction != FrameDirection::Rx;
        let reading = match spoken {
            Protocol::Iec => read_iec(&cut.bytes, client),
            Protocol::Mc66 => read_mc66(&cut.bytes, client),
            Protocol::Kmp => read_kmp(&cut.bytes),
        };
        if reading.valid {
            protocol = Some(spoken);
        }
        let Reading {
            valid,
            framed,
            meaning,
            error,
            registers: answered,
            values,
            identification: identified,
        } = reading;
        if direction == FrameDirection::Rx {
            if !values.is_empty() {
                readout = values;
            }
            identification = identified.or(identification);
        }
        let meaning = if direction == FrameDirection::Echo {
            format!("echo of the {meaning}")
        } else {
            meaning
        };
        let mut gap_s = None;
        match direction {
            FrameDirection::Tx => {
                if !answered_last && evidence.answers > 0 {
                    evidence.failed_since_answer += 1;
                }
                evidence.requests += 1;
                answered_last = false;
            }
            FrameDirection::Echo => {
                if heard_only {
                    if !answered_last && evidence.answers > 0 {
                        evidence.failed_since_answer += 1;
                    }
                    evidence.requests += 1;
                    answered_last = false;
                }
                evidence.echoes_seen += 1;
                evidence.echoes_clean += 1;
            }
            FrameDirection::Rx => {
                if !heard_since_request {
                    gap_s = request_end.zip(cut.t).map(|(end, t)| t - end);
                    heard_since_request = true;
                }
                registers.extend(answered);
                if valid {
                    if !answered_last {
                        evidence.answers += 1;
                    }
                    evidence.failed_since_answer = 0;
                    answered_last = true;
                } else if framed {
                    evidence.bad_frames += 1;
                } else {
                    evidence.garbage += 1;
                }
            }
        }
        frames.push(Frame {
            t: cut.t,
            t_last: cut.t_last,
            direction,
            bytes: cut.bytes,
            meaning,
            error,
            warnings: cut.warnings,
            gap_s,
        });
        let pushed = frames.len() - 1;
        if direction == FrameDirection::Tx || heard_only {
            last_request = Some(pushed);
            request_end = end_of(&frames[pushed]);
            heard_since_request = false;
        } else if direction == FrameDirection::Echo {
            request_end = match (request_end, end_of(&frames[pushed])) {
                (Some(request), Some(echo)) => Some(request.max(echo)),
                (request, echo) => request.or(echo),
            };
        }
    }
    if !answered_last && evidence.answers > 0 {
        evidence.failed_since_answer += 1;
    }
    let starts: Vec<f64> = frames
        .iter()
        .filter(|frame| frame.direction == FrameDirection::Tx)
        .filter_map(|frame| frame.t)
        .collect();
    let intervals: Vec<f64> = starts.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let gaps: Vec<f64> = frames
        .iter()
        .filter(|frame| frame.direction == FrameDirection::Rx && frame.error.is_none())
        .filter_map(|frame| frame.gap_s)
        .collect();
    // A recording opened no port at a moment it shows: never the waking diagnosis.
    let diagnosis = diagnosis::timeless(&evidence);
    // One line with no direction and nothing but requests: the line the head sends on, or the
    // one it hears its own requests on and nothing else.
    let undirected = events
        .iter()
        .all(|event| event.direction == Direction::Unknown);
    let caveat = (undirected
        && evidence.requests > 0
        && evidence.echoes_seen == 0
        && frames
            .iter()
            .all(|frame| frame.direction == FrameDirection::Tx))
    .then(|| {
        "The file holds one line, with requests only, and cannot say which: if it is the \
         head's TX line, it shows the requests sent and nothing of what came back (record RX \
         too); if it is the RX line, the head heard its own requests and the meter never \
         answered (echo_only)."
            .to_string()
    });
    Analysis {
        frames,
        swapped,
        caveat,
        protocol,
        request_interval_s: median(intervals),
        reaction_s: median(gaps),
        diagnosis,
        registers,
        readout,
        identification,
    }
}

/// When a frame's last byte ended: its start plus one byte's time, from the frame's own pace.
fn end_of(frame: &Frame) -> Option<f64> {
    let (first, last) = (frame.t?, frame.t_last?);
    let bytes = frame.bytes.len();
    let byte_time = if bytes > 1 {
        (last - first) / (bytes - 1) as f64
    } else {
        0.0
    };
    Some(last + byte_time)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}
