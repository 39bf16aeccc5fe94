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
//!
//! The cutting, the pairing of echoes and the swap live in `frames`, the reading of each message
//! in `messages`; here is the walk through the messages that tells requests, echoes and answers
//! apart, gathers the link check's evidence and measures the meter's reaction.

use super::{Direction, Event};
use crate::link::diagnosis::{self, Diagnosis, Evidence};
use crate::model::TextReading;
use crate::protocol::Protocol;
use crate::{iec, kmp};

mod frames;
mod messages;

use frames::{cut, pair_echoes, spoken, swapped};
use messages::{Reading, read_iec, read_kmp, read_mc66, read_sml};

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
    /// Whether the meter pushed its telegrams unasked (SML, mode D), with no request recorded.
    pub pushed: bool,
    /// The registers the valid answers hold, in the order they came.
    pub registers: Vec<kmp::Register>,
    /// The values of the last valid IEC 62056-21 readout or `/#1` answer.
    pub readout: Vec<TextReading>,
    /// The last IEC 62056-21 identification line, without `/` and the line end.
    pub identification: Option<String>,
}

/// Reads what `events` show; `samplerate` turns sample numbers into seconds.
pub fn analyse(events: &[Event], samplerate: Option<f64>) -> Analysis {
    let events = pair_echoes(events);
    let (spoken, pushed) = spoken(&events);
    let mut cuts = cut(&events, samplerate, (spoken, pushed));
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
            // Nobody asks a meter that pushes.
            Protocol::Sml => false,
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
            Protocol::Sml => read_sml(&cut.bytes),
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
    // A recording opened no port at a moment it shows: never the waking diagnosis. A meter that
    // pushed, asked nothing, is diagnosed by its telegrams.
    let pushed = pushed && starts.is_empty();
    let diagnosis = if pushed {
        pushed_diagnosis(spoken, &frames, identification.as_deref(), &readout)
    } else {
        diagnosis::timeless(&evidence)
    };
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
        pushed,
        registers,
        readout,
        identification,
    }
}

/// The diagnosis of a recording of a meter pushing `protocol` telegrams (`frames`), known as
/// `known_as`, with the values of the last `readout`.
fn pushed_diagnosis(
    protocol: Protocol,
    frames: &[Frame],
    known_as: Option<&str>,
    readout: &[TextReading],
) -> Diagnosis {
    let heard: Vec<&Frame> = frames
        .iter()
        .filter(|frame| frame.direction == FrameDirection::Rx && !frame.bytes.is_empty())
        .collect();
    let whole: Vec<f64> = heard
        .iter()
        .filter(|frame| frame.error.is_none())
        .filter_map(|frame| frame.t)
        .collect();
    let damaged = heard.iter().filter(|frame| frame.error.is_some()).count();
    let between: Vec<f64> = whole.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let has = |code: &str| {
        code.parse()
            .is_ok_and(|code| readout.iter().any(|reading| reading.key.answers(code)))
    };
    diagnosis::pushes(&diagnosis::Pushing {
        protocol,
        known_as,
        line: None,
        interval: median(between).map(std::time::Duration::from_secs_f64),
        pin_locked: has("1.8.0") && !has("16.7.0"),
        crc_swapped: false,
        whole: heard.len().saturating_sub(damaged) as u32,
        damaged: damaged as u32,
    })
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
