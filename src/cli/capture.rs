//! `capture [--format F] [--tx CH] [--rx CH] [--baud auto|B] [--samplerate HZ] [--json] FILE`: a
//! recording from a logic analyser or sniffer, decoded frame by frame and diagnosed as the link
//! check would.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use kmp_workbench::capture::Stamp;
use kmp_workbench::capture::analog::ChannelSignal;
use kmp_workbench::capture::analysis::{Analysis, Frame, FrameDirection, analyse};
use kmp_workbench::capture::format::{CaptureError, Format, read_file};
use kmp_workbench::capture::raw::{LineFound, RawOptions};
use kmp_workbench::capture::signal::{Finding, findings, rise_bits};
use kmp_workbench::protocol::Protocol;

use super::output::{Failure, print_result};

/// Arguments of `capture`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read the file as this format instead of finding it from the content.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Samples a second, for formats that give sample numbers but no samplerate (PulseView
    /// exports, sigrok-cli text): without it their times are null.
    #[arg(long)]
    samplerate: Option<f64>,
    /// Raw logic: the channel carrying TX (what the head sends), by its name in the recording.
    #[arg(long, value_name = "CH")]
    tx: Option<String>,
    /// Raw logic: the channel carrying RX (what the head hears).
    #[arg(long, value_name = "CH")]
    rx: Option<String>,
    /// Raw logic: the baud rate, or auto to find it from the shortest pulse.
    #[arg(long, default_value = "auto", value_parser = parse_baud)]
    baud: Baud,
    /// Analog recordings: the volts where a level changes, on every channel, instead of the
    /// middle of each channel's two levels found from the signal.
    #[arg(long, value_name = "V", value_parser = parse_threshold)]
    threshold: Option<f32>,
    /// Print one JSON object instead of a timeline.
    #[arg(long)]
    json: bool,
    /// The recording.
    file: PathBuf,
}

/// `--baud`.
#[derive(Clone, Copy, Debug)]
enum Baud {
    Auto,
    Fixed(u32),
}

fn parse_threshold(text: &str) -> Result<f32, String> {
    text.parse::<f32>()
        .ok()
        .filter(|volts| volts.is_finite())
        .ok_or_else(|| format!("{text:?} is not a voltage; write volts such as 1.6"))
}

fn parse_baud(text: &str) -> Result<Baud, String> {
    if text == "auto" {
        return Ok(Baud::Auto);
    }
    text.parse::<u32>()
        .ok()
        .filter(|baud| (50..=1_000_000).contains(baud))
        .map(Baud::Fixed)
        .ok_or_else(|| format!("{text:?} is not a baud rate; write auto or a number such as 1200"))
}

#[derive(Serialize)]
struct FrameJson<'a> {
    t: Option<f64>,
    direction: FrameDirection,
    hex: String,
    meaning: &'a str,
    error: Option<&'a str>,
    warnings: &'a [String],
    gap_s: Option<f64>,
}

#[derive(Serialize)]
struct CaptureJson<'a> {
    file: String,
    format: &'static str,
    protocol: Option<&'static str>,
    baud: Option<u32>,
    line: Option<String>,
    frames: Vec<FrameJson<'a>>,
    request_interval_s: Option<f64>,
    reaction_s: Option<f64>,
    diagnosis_code: &'static str,
    diagnosis: String,
    caveat: Option<&'a str>,
    /// What the volts of an analog recording said of each line; none for logic and bytes.
    analog: Option<AnalogJson>,
    /// The findings on the head from the signal: empty when none.
    signal: Vec<Finding>,
}

#[derive(Serialize)]
struct AnalogJson {
    tx: ChannelJson,
    rx: ChannelJson,
    /// How far RX swings from idle for the head's own echo; none without an echo.
    echo_swing_v: Option<f64>,
    /// For the meter's answer, or where none was read, after the requests.
    answer_swing_v: Option<f64>,
    /// Whether the answer was read: false where `answer_swing_v` is what RX did after requests.
    answer_read: Option<bool>,
}

/// Volts to the millivolt: what a recording's resolution supports. `+ 0.0` makes a rounded -0
/// a 0.
fn volts(value: f32) -> f64 {
    (f64::from(value) * 1000.0).round() / 1000.0 + 0.0
}

#[derive(Serialize)]
struct ChannelJson {
    low_v: f64,
    high_v: f64,
    swing_v: f64,
    threshold_v: f64,
    inverted: bool,
    rise_bits: Option<f64>,
}

impl ChannelJson {
    fn of(channel: &ChannelSignal, baud: u32) -> Self {
        let levels = channel.levels;
        Self {
            low_v: volts(levels.low),
            high_v: volts(levels.high),
            swing_v: volts(levels.swing()),
            threshold_v: volts(levels.threshold),
            inverted: levels.inverted,
            rise_bits: rise_bits(channel, baud).map(|bits| (bits * 100.0).round() / 100.0),
        }
    }
}

/// Runs `capture`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if args
        .samplerate
        .is_some_and(|rate| !(rate.is_finite() && rate > 0.0))
    {
        return Err(Failure::usage(
            "--samplerate must be a positive number of samples a second",
        ));
    }
    let name = args.file.display().to_string();
    let raw = RawOptions {
        tx: args.tx.clone(),
        rx: args.rx.clone(),
        baud: match args.baud {
            Baud::Auto => None,
            Baud::Fixed(baud) => Some(baud),
        },
        threshold: args.threshold,
    };
    let recording = read_file(&args.file, args.format, &raw).map_err(|error| match error {
        CaptureError::Io(_) => Failure::usage(format!("{name}: {error}")),
        CaptureError::TooLarge(_)
        | CaptureError::Import(..)
        | CaptureError::Unknown
        | CaptureError::RawLogic(..) => Failure::invalid_input(format!("{name}: {error}")),
    })?;
    let analysis = analyse(&recording.events, args.samplerate);
    // The channels' signals as the analysis names them: swapped back where it swapped them.
    let signal = recording.analog.clone().map(|mut signal| {
        if analysis.swapped {
            std::mem::swap(&mut signal.tx, &mut signal.rx);
        }
        signal
    });
    let baud = recording.line.as_ref().map_or(1200, |line| line.baud);
    let found = signal
        .as_ref()
        .map(|signal| findings(signal, baud))
        .unwrap_or_default();
    if args.json {
        let json = CaptureJson {
            file: name,
            format: recording.format.name(),
            protocol: analysis.protocol.map(Protocol::name),
            // Decoded bytes carry no line settings; raw logic does.
            baud: recording.line.as_ref().map(|line| line.baud),
            line: recording.line.as_ref().map(LineFound::text),
            frames: analysis.frames.iter().map(frame_json).collect(),
            request_interval_s: analysis.request_interval_s,
            reaction_s: analysis.reaction_s,
            diagnosis_code: analysis.diagnosis.code.as_str(),
            diagnosis: analysis.diagnosis.text(),
            caveat: analysis.caveat.as_deref(),
            analog: signal.as_ref().map(|signal| AnalogJson {
                tx: ChannelJson::of(&signal.tx, baud),
                rx: ChannelJson::of(&signal.rx, baud),
                echo_swing_v: signal.heard.map(|heard| volts(heard.echo_v)),
                answer_swing_v: signal.heard.map(|heard| volts(heard.answer_v)),
                answer_read: signal.heard.map(|heard| heard.answer_read),
            }),
            signal: found,
        };
        let text = serde_json::to_string(&json)
            .map_err(|error| Failure::invalid_input(error.to_string()))?;
        return print_result(&format!("{text}\n"));
    }
    let mut text = timeline(&name, recording.format, &analysis);
    if let Some(line) = &recording.line {
        text.insert_str(
            text.find('\n').map_or(0, |at| at + 1),
            &format!(
                "decoded at {} (idle {}), TX on {}, RX on {}\n",
                line.text(),
                if line.idle_high {
                    "high"
                } else {
                    "low: inverted"
                },
                line.tx,
                line.rx
            ),
        );
    }
    if let Some(signal) = &signal {
        let mut lines = String::new();
        for (name, channel) in [("TX", &signal.tx), ("RX", &signal.rx)] {
            let levels = channel.levels;
            let _ = write!(
                lines,
                "{name}: {:.2} V to {:.2} V (swing {:.2} V), threshold {:.2} V",
                levels.low + 0.0,
                levels.high,
                levels.swing(),
                levels.threshold
            );
            if let Some(bits) = rise_bits(channel, baud) {
                let _ = write!(lines, ", edges {bits:.2} bit");
            }
            lines.push('\n');
        }
        for finding in &found {
            let _ = writeln!(lines, "{}: {}", finding.code, finding.text);
        }
        let at = text.find("\n\n").map_or(text.len(), |at| at + 1);
        text.insert_str(at, &lines);
    }
    let samples_only = args.samplerate.is_none()
        && recording
            .events
            .iter()
            .any(|event| matches!(event.at, Stamp::Sample(_)));
    if samples_only {
        text.push_str(
            "\nThe file gives sample numbers but not the samplerate: give it with --samplerate \
             (e.g. 100000) for times, gaps and the meter's reaction.\n",
        );
    }
    print_result(&text)
}

fn frame_json(frame: &Frame) -> FrameJson<'_> {
    FrameJson {
        t: frame.t,
        direction: frame.direction,
        hex: spaced_hex(&frame.bytes),
        meaning: &frame.meaning,
        error: frame.error.as_deref(),
        warnings: &frame.warnings,
        gap_s: frame.gap_s,
    }
}

/// `80 3F 10`: bytes as the traffic lines and the contract write them.
fn spaced_hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|byte| format!("{byte:02X}")).collect();
    hex.join(" ")
}

/// The recording as a person reads it: what it is, the diagnosis, then a line a frame.
fn timeline(name: &str, format: Format, analysis: &Analysis) -> String {
    let mut text = String::new();
    let protocol = analysis
        .protocol
        .map_or("no known protocol", Protocol::label);
    let _ = writeln!(text, "{name}: {}, {protocol}", format.name());
    let _ = writeln!(
        text,
        "{}: {}",
        analysis.diagnosis.code.as_str(),
        analysis.diagnosis.text()
    );
    if let Some(caveat) = &analysis.caveat {
        let _ = writeln!(text, "{caveat}");
    }
    if analysis.swapped {
        let _ = writeln!(
            text,
            "The file's RX and TX channels were swapped (the requests were on RX): put right by \
             the start bytes."
        );
    }
    for (label, value) in [
        ("the meter's reaction", analysis.reaction_s),
        (
            "the recorded device's request interval",
            analysis.request_interval_s,
        ),
    ] {
        if let Some(seconds) = value {
            let _ = writeln!(text, "{label}: {:.1} ms", seconds * 1e3);
        }
    }
    let _ = writeln!(text);
    for frame in &analysis.frames {
        let t = frame
            .t
            .map_or_else(|| "         -".to_string(), |t| format!("{t:>9.4} s"));
        let direction = match frame.direction {
            FrameDirection::Tx => "TX",
            FrameDirection::Echo => "ECHO",
            FrameDirection::Rx => "RX",
        };
        let mut meaning = frame.meaning.clone();
        if let Some(error) = &frame.error {
            meaning.push_str(&format!(" ({error})"));
        }
        if let Some(gap) = frame.gap_s {
            meaning.push_str(&format!(", {:.1} ms after the request", gap * 1e3));
        }
        for warning in &frame.warnings {
            meaning.push_str(&format!("; {warning}"));
        }
        let _ = writeln!(
            text,
            "{t}  {direction:<4}  {}  {meaning}",
            spaced_hex(&frame.bytes)
        );
    }
    text
}
