//! sigrok-cli's protocol-decoder output for the UART decoder.
//!
//! Text annotations, one a line, in every form sigrok-cli writes them:
//! `uart-1: 80` (plain: no direction, no time), `2089-2755 uart-1: 80` (with
//! `--protocol-decoder-samplenum`), `2089-2755 uart-1: "80"` (`-l 3`),
//! `2089-2755 uart-1: rx-data: "80"` (`-l 4`: the class gives the direction), and the other
//! classes `-A uart` lists (`rx-warnings: "Frame error" …`, `rx-break: "Break condition" …`,
//! `rx-packet: "40 3F …"`; start, stop and data-bit annotations are skipped). Without a class a
//! line has no direction: TX bytes and their echoes alternate. The jsontrace form
//! (`--protocol-decoder-jsontrace`) gives the row (`RX`, `TX`) and the time in microseconds.

use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp, hex_byte};

/// Reads sigrok-cli annotation lines; see the module documentation.
#[derive(Debug, Default)]
pub struct SigrokTextImporter {
    line: usize,
}

impl SigrokTextImporter {
    /// A reader at the start of the output.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `line` reads as a sigrok-cli annotation line: the test format detection uses.
    pub fn is_annotation(line: &str) -> bool {
        annotation(line).is_some()
    }
}

impl LineImporter for SigrokTextImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        if text.trim().is_empty() {
            return Ok(());
        }
        let Some(annotation) = annotation(text) else {
            return Err(ImportError {
                line: self.line,
                reason: format!("not a sigrok-cli annotation line: {text:?}"),
            });
        };
        let at = annotation.start.map_or(Stamp::None, Stamp::Sample);
        let (direction, kind) = match annotation.class {
            Some(class) => {
                let (side, kind) = class.split_once('-').unwrap_or((class, ""));
                let direction = match side {
                    "rx" => Direction::Rx,
                    "tx" => Direction::Tx,
                    _ => return Ok(()),
                };
                (direction, kind)
            }
            None => (Direction::Unknown, ""),
        };
        let first = annotation.texts.first().copied().unwrap_or("");
        let mark = |mark| Event {
            at,
            direction,
            mark,
        };
        match kind {
            "data" | "" => {
                if let Some(byte) = hex_byte(first) {
                    events.push(mark(Mark::Byte(byte)));
                } else if let Some(warning) = warning(first) {
                    events.push(mark(warning));
                }
            }
            "warnings" | "break" => events.extend(warning(first).map(mark)),
            "packet" => {
                let bytes: Option<Vec<u8>> = first.split_whitespace().map(hex_byte).collect();
                let bytes = bytes.ok_or_else(|| ImportError {
                    line: self.line,
                    reason: format!("a packet that is not hex bytes: {first:?}"),
                })?;
                events.extend(bytes.into_iter().map(|byte| mark(Mark::Byte(byte))));
            }
            // Start and stop bits, data bits, parity: the byte line says it all.
            _ => {}
        }
        Ok(())
    }
}

/// The warning a decoder's text names, if it names one.
fn warning(text: &str) -> Option<Mark> {
    match text {
        "Frame error" => Some(Mark::FramingError),
        "Parity error" => Some(Mark::ParityError),
        "Break condition" => Some(Mark::Break),
        _ => None,
    }
}

/// One annotation line taken apart.
struct Annotation<'a> {
    start: Option<u64>,
    class: Option<&'a str>,
    texts: Vec<&'a str>,
}

fn annotation(text: &str) -> Option<Annotation<'_>> {
    let (start, rest) = match text.split_once(' ') {
        Some((range, rest)) if is_range(range) => (
            range.split_once('-').and_then(|(s, _)| s.parse().ok()),
            rest,
        ),
        _ => (None, text),
    };
    let (instance, rest) = rest.split_once(": ")?;
    if instance.is_empty() || instance.contains(char::is_whitespace) {
        return None;
    }
    let (class, rest) = match rest.split_once(": ") {
        Some((class, texts))
            if texts.starts_with('"')
                && !class.is_empty()
                && class
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            (Some(class), texts)
        }
        _ => (None, rest),
    };
    let texts = if rest.starts_with('"') {
        quoted(rest)?
    } else {
        vec![rest.trim()]
    };
    Some(Annotation {
        start,
        class,
        texts,
    })
}

fn is_range(text: &str) -> bool {
    text.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// `"Frame error" "Frame err" "FE"` → its texts.
fn quoted(text: &str) -> Option<Vec<&str>> {
    let mut texts = Vec::new();
    let mut rest = text.trim();
    while let Some(after) = rest.strip_prefix('"') {
        let (inside, tail) = after.split_once('"')?;
        texts.push(inside);
        rest = tail.trim_start();
    }
    rest.is_empty().then_some(texts)
}

/// Reads sigrok-cli's jsontrace output: one event a line, `B` (begin) events kept.
#[derive(Debug, Default)]
pub struct JsonTraceImporter {
    line: usize,
}

/// One trace event, as far as it matters here.
#[derive(serde::Deserialize)]
struct TraceEvent {
    ph: String,
    ts: f64,
    tid: String,
    name: String,
}

impl JsonTraceImporter {
    /// A reader at the start of the trace.
    pub fn new() -> Self {
        Self::default()
    }
}

impl LineImporter for JsonTraceImporter {
    fn line(&mut self, text: &str, events: &mut Vec<Event>) -> Result<(), ImportError> {
        self.line += 1;
        let text = text.trim().trim_end_matches(',');
        if text.is_empty() || text.starts_with("{\"traceEvents\"") || text == "]}" {
            return Ok(());
        }
        let event: TraceEvent = serde_json::from_str(text).map_err(|error| ImportError {
            line: self.line,
            reason: format!("not a jsontrace event: {error}"),
        })?;
        if event.ph != "B" {
            return Ok(());
        }
        let (side, row) = event.tid.split_once(' ').unwrap_or((&event.tid, ""));
        let direction = match side {
            "RX" => Direction::Rx,
            "TX" => Direction::Tx,
            _ => Direction::Unknown,
        };
        let mark = match row {
            "" => hex_byte(&event.name).map(Mark::Byte),
            _ => warning(&event.name),
        };
        if let Some(mark) = mark {
            events.push(Event {
                at: Stamp::Seconds(event.ts / 1e6),
                direction,
                mark,
            });
        }
        Ok(())
    }
}
