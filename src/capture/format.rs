//! Which recording a file is, found from its content (never its name), and reading it whole.

use super::analog::{AnalogReplay, AnalogSignal, AnalogSource};
use super::analyser_text::AnalyserTextImporter;
use super::pulseview::PulseViewImporter;
use super::raw::{LineFound, RawOptions};
use super::saleae::{SaleaeImporter, SaleaeLayout, layout};
use super::scope_csv::ScopeCsv;
use super::sigrok::{JsonTraceImporter, SigrokTextImporter};
use super::sigrok_analog::{SessionKind, SigrokAnalog};
use super::socat::SocatImporter;
use super::text_dumps::{HexImporter, HexdumpImporter, JpnevulatorImporter, TrafficImporter};
use super::wav::Wav;
use super::{Direction, Event, ImportError, LineImporter, Mark, Stamp};

/// The formats a recording may have, by the names of the command-line contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// sigrok-cli annotation lines.
    SigrokText,
    /// sigrok-cli's jsontrace.
    SigrokJson,
    /// sigrok-cli's `-B` binary output: one direction's bytes, no time.
    SigrokBinary,
    /// PulseView's "Export annotations".
    Pulseview,
    /// Saleae Logic 2's data table.
    SaleaeTable,
    /// Saleae Logic 1's analyzer or decoded-protocols export.
    SaleaeAnalyzer,
    /// `socat -x -v`.
    Socat,
    /// jpnevulator with `--timing-print`.
    Jpnevulator,
    /// `hexdump -C` or `xxd`.
    Hexdump,
    /// Plain hex.
    Hex,
    /// What an analyser shows, pasted: hex, its ASCII in brackets, BREAK, TX/RX labels.
    AnalyserText,
    /// The workbench's own traffic files.
    Traffic,
    /// A sigrok session file (raw logic).
    Sr,
    /// A value change dump (raw logic).
    Vcd,
    /// An oscilloscope's CSV export (volts).
    ScopeCsv,
    /// A sound card's recording (WAV).
    Wav,
}

impl Format {
    /// Every format, in the order they are tried.
    pub const ALL: [Self; 16] = [
        Self::SigrokText,
        Self::SigrokJson,
        Self::SigrokBinary,
        Self::Pulseview,
        Self::SaleaeTable,
        Self::SaleaeAnalyzer,
        Self::Socat,
        Self::Jpnevulator,
        Self::Hexdump,
        Self::Hex,
        Self::AnalyserText,
        Self::Traffic,
        Self::Sr,
        Self::Vcd,
        Self::ScopeCsv,
        Self::Wav,
    ];

    /// The name the contract gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::SigrokText => "sigrok-text",
            Self::SigrokJson => "sigrok-json",
            Self::SigrokBinary => "sigrok-binary",
            Self::Pulseview => "pulseview",
            Self::SaleaeTable => "saleae-table",
            Self::SaleaeAnalyzer => "saleae-analyzer",
            Self::Socat => "socat",
            Self::Jpnevulator => "jpnevulator",
            Self::Hexdump => "hexdump",
            Self::Hex => "hex",
            Self::AnalyserText => "analyser-text",
            Self::Traffic => "traffic",
            Self::Sr => "sr",
            Self::Vcd => "vcd",
            Self::ScopeCsv => "scope-csv",
            Self::Wav => "wav",
        }
    }
}

/// Why a file gave no recording.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// None of the formats known.
    #[error(
        "not a recording this program reads; it reads {}",
        Format::ALL.map(Format::name).join(", ")
    )]
    Unknown,
    /// A raw logic recording that could not be decoded.
    #[error("{format}: {reason}", format = .0.name(), reason = .1)]
    RawLogic(Format, String),
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Io(String),
    /// A recording of decoded bytes larger than any of a meter.
    #[error("{0} bytes, more than the {MAX_DECODED_BYTES} a recording of decoded bytes can be")]
    TooLarge(u64),
    /// The format was found or forced, and a line of it is wrong.
    #[error("{format}: {error}", format = .0.name(), error = .1)]
    Import(Format, ImportError),
}

/// A recording read: its format and what it holds, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// The format it was read as.
    pub format: Format,
    /// Every byte, framing error and break, in the recording's order.
    pub events: Vec<Event>,
    /// For raw logic: the line the decoder found.
    pub line: Option<LineFound>,
    /// For an analog recording: what its TX and RX signals said of themselves.
    pub analog: Option<AnalogSignal>,
}

/// The format of a file starting with `head`, from its content.
pub fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") {
        return Some(Format::Sr);
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        return Some(Format::Wav);
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A head cut inside a character is still text.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).ok()?
        }
        Err(_) => return (!head.is_empty()).then_some(Format::SigrokBinary),
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Some(Format::SigrokBinary);
    }
    let first = text
        .lines()
        .map(str::trim_end)
        .find(|line| !line.trim().is_empty())?;
    if first.starts_with('$') {
        return Some(Format::Vcd);
    }
    if first.starts_with("{\"traceEvents\"") {
        return Some(Format::SigrokJson);
    }
    if SocatImporter::is_header(first) {
        return Some(Format::Socat);
    }
    match layout(first) {
        Some(SaleaeLayout::Table) => return Some(Format::SaleaeTable),
        Some(_) => return Some(Format::SaleaeAnalyzer),
        None => {}
    }
    // A scope's export may open with `#` comments (WaveForms).
    if text
        .lines()
        .find(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .is_some_and(super::scope_csv::is_header)
    {
        return Some(Format::ScopeCsv);
    }
    if JpnevulatorImporter::is_header(first) {
        return Some(Format::Jpnevulator);
    }
    if PulseViewImporter::is_export_line(first) {
        return Some(Format::Pulseview);
    }
    // Before sigrok: `00000000: 803f …` also reads as an annotation of an instance "00000000".
    if HexdumpImporter::is_dump_line(first) {
        return Some(Format::Hexdump);
    }
    // Before sigrok too: a traffic line's meaning may hold ": ".
    if first.starts_with("kmp-workbench traffic") || TrafficImporter::is_traffic_line(first) {
        return Some(Format::Traffic);
    }
    // Before sigrok too: `TX: 0x80 …` also reads as an annotation of an instance "TX".
    if AnalyserTextImporter::is_analyser_line(first) {
        return Some(Format::AnalyserText);
    }
    if SigrokTextImporter::is_annotation(first) {
        return Some(Format::SigrokText);
    }
    if crate::hex_text::parse(first).is_ok() {
        return Some(Format::Hex);
    }
    None
}

/// Decoded recordings larger than this are not read: none of a meter comes near it. Raw logic
/// is streamed, and has no such limit.
pub const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Reads the file at `path` as `format`, or as the format found from its first 4 KiB: raw logic
/// streamed from the file, decoded bytes read whole (up to [`MAX_DECODED_BYTES`]).
pub fn read_file(
    path: &std::path::Path,
    format: Option<Format>,
    raw: &RawOptions,
) -> Result<Recording, CaptureError> {
    use std::io::Read as _;
    let io = |error: std::io::Error| CaptureError::Io(error.to_string());
    let mut file = std::fs::File::open(path).map_err(io)?;
    let format = match format {
        Some(format) => format,
        None => {
            let mut head = Vec::with_capacity(4096);
            (&mut file).take(4096).read_to_end(&mut head).map_err(io)?;
            detect(&head).ok_or(CaptureError::Unknown)?
        }
    };
    if matches!(
        format,
        Format::Sr | Format::Vcd | Format::ScopeCsv | Format::Wav
    ) {
        return read_raw(file, format, raw);
    }
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_DECODED_BYTES {
        return Err(CaptureError::TooLarge(size));
    }
    read(&std::fs::read(path).map_err(io)?, Some(format), raw)
}

/// Streams raw logic from `input` through the UART decoder.
fn read_raw<R: std::io::Read + std::io::Seek>(
    input: R,
    format: Format,
    raw: &RawOptions,
) -> Result<Recording, CaptureError> {
    let failed = |reason| CaptureError::RawLogic(format, reason);
    let analog = |source| AnalogReplay::new(source, raw.threshold);
    let (events, line, analog) = match format {
        Format::Sr => match SigrokAnalog::open(input).map_err(failed)? {
            SessionKind::Analog(source) => {
                decode_analog(analog(source).map_err(failed)?, raw).map_err(failed)?
            }
            SessionKind::Logic(input) => {
                let mut session = super::raw::SigrokSession::new(input).map_err(failed)?;
                let (events, line) = super::raw::decode(&mut session, raw).map_err(failed)?;
                (events, line, None)
            }
            SessionKind::Mixed(source) => decode_mixed(source, raw).map_err(failed)?,
        },
        Format::Wav => {
            let wav = Wav::new(input).map_err(failed)?;
            let replay = AnalogReplay::ac_coupled(wav).map_err(failed)?;
            decode_analog(replay, raw).map_err(failed)?
        }
        Format::ScopeCsv => {
            let csv = ScopeCsv::new(std::io::BufReader::new(input)).map_err(failed)?;
            let replay = AnalogReplay::new(csv, raw.threshold).map_err(failed)?;
            decode_analog(replay, raw).map_err(failed)?
        }
        _ => {
            let mut dump = super::raw::Vcd::new(std::io::BufReader::new(input)).map_err(failed)?;
            let (events, line) = super::raw::decode(&mut dump, raw).map_err(failed)?;
            (events, line, None)
        }
    };
    Ok(Recording {
        format,
        events,
        line: Some(line),
        analog,
    })
}

/// Decodes a session of logic channels beside analog ones (a mixed-signal scope's): the analog
/// ones where `--tx` or `--rx` names one of them, else the logic ones, unless they hold no
/// byte (logic channels left idle while the scope's probes were on the head).
fn decode_mixed<R: std::io::Read + std::io::Seek>(
    analog: SigrokAnalog<R>,
    raw: &RawOptions,
) -> Result<(Vec<Event>, LineFound, Option<AnalogSignal>), String> {
    let named = [&raw.tx, &raw.rx]
        .into_iter()
        .flatten()
        .any(|name| analog.names().contains(name));
    if named {
        return decode_analog(AnalogReplay::new(analog, raw.threshold)?, raw);
    }
    let mut session = super::raw::SigrokSession::new(analog.into_input())?;
    let logic_failed = match super::raw::decode(&mut session, raw) {
        Ok((events, line)) if !events.is_empty() => return Ok((events, line, None)),
        Ok(_) => "no byte".to_string(),
        Err(error) => error,
    };
    let SessionKind::Mixed(analog) = SigrokAnalog::open(session.into_input())? else {
        return Err("the session changed while it was read".into());
    };
    AnalogReplay::new(analog, raw.threshold)
        .and_then(|replay| decode_analog(replay, raw))
        .map_err(|analog_failed| {
            format!("its logic channels: {logic_failed}; its analog channels: {analog_failed}")
        })
}

/// Decodes an analog recording, and says what its TX and RX signals said of themselves.
fn decode_analog<S: AnalogSource>(
    mut replay: AnalogReplay<S>,
    raw: &RawOptions,
) -> Result<(Vec<Event>, LineFound, Option<AnalogSignal>), String> {
    let (events, line) = super::raw::decode(&mut replay, raw)?;
    // What the volts say; a sound card's levels are not volts.
    let mut analog = replay
        .in_volts()
        .then(|| AnalogSignal::of(&replay.signal(), &line))
        .flatten();
    if let Some(signal) = &mut analog {
        signal.heard = super::analog::heard(&mut replay, &events, &line)?;
    }
    Ok((events, line, analog))
}

/// Reads `bytes` as `format`, or as the format found from the content; `raw` says how to decode
/// raw logic.
pub fn read(
    bytes: &[u8],
    format: Option<Format>,
    raw: &RawOptions,
) -> Result<Recording, CaptureError> {
    let format = match format {
        Some(format) => format,
        None => detect(&bytes[..bytes.len().min(4096)]).ok_or(CaptureError::Unknown)?,
    };
    let mut events = Vec::new();
    let failed = |error| CaptureError::Import(format, error);
    let mut importer: Box<dyn LineImporter> = match format {
        Format::Sr | Format::Vcd | Format::ScopeCsv | Format::Wav => {
            return read_raw(std::io::Cursor::new(bytes), format, raw);
        }
        // One direction's bytes, with nothing around them.
        Format::SigrokBinary => {
            events.extend(bytes.iter().map(|&byte| Event {
                at: Stamp::None,
                direction: Direction::Unknown,
                mark: Mark::Byte(byte),
            }));
            return Ok(Recording {
                format,
                events,
                line: None,
                analog: None,
            });
        }
        Format::SigrokText => Box::new(SigrokTextImporter::new()),
        Format::SigrokJson => Box::new(JsonTraceImporter::new()),
        Format::Pulseview => Box::new(PulseViewImporter::new()),
        Format::SaleaeTable | Format::SaleaeAnalyzer => {
            let first = bytes
                .split(|&byte| byte == b'\n')
                .next()
                .unwrap_or_default();
            let Some(layout) = layout(&String::from_utf8_lossy(first)) else {
                return Err(failed(ImportError {
                    line: 1,
                    reason: "not a Saleae export header".into(),
                }));
            };
            Box::new(SaleaeImporter::new(layout))
        }
        Format::Socat => Box::new(SocatImporter::new()),
        Format::Jpnevulator => Box::new(JpnevulatorImporter::new()),
        Format::Hexdump => Box::new(HexdumpImporter::new()),
        Format::Hex => Box::new(HexImporter::new()),
        Format::AnalyserText => Box::new(AnalyserTextImporter::new()),
        Format::Traffic => Box::new(TrafficImporter::new()),
    };
    for line in String::from_utf8_lossy(bytes).lines() {
        importer.line(line, &mut events).map_err(failed)?;
    }
    importer.finish(&mut events);
    Ok(Recording {
        format,
        events,
        line: None,
        analog: None,
    })
}
