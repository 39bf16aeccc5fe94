//! Raw logic recordings: value change dumps (VCD) and sigrok session files (`.sr`), read into
//! channels, decoded by the program's own UART decoder ([`super::uart`]) into timed bytes.
//!
//! VCD: `$timescale` gives the time unit, `$var wire 1 <id> <name> $end` the channels, then
//! `#<time>` and value changes `0<id>`/`1<id>`. A `.sr` file is a zip holding `metadata` (INI:
//! `samplerate`, `probe1=D0`, `unitsize`) and the samples, `logic-1-1` (then `-2`, …): one unit a
//! sample, bit `n` the level of probe `n + 1`.

use std::io::Read as _;

use super::uart::{self, Channel, Framing};
use super::{Direction, Event, Mark, Stamp, direction_named};

/// The most level changes a recording may hold, all channels together: this version keeps them
/// in memory (16 bytes each), and a busy 1200-baud line makes about 1,200 a second, so this is
/// over two hours of continuous traffic.
pub const MAX_EDGES: usize = 10_000_000;

fn too_many_edges() -> String {
    format!(
        "more than {MAX_EDGES} level changes; cut the recording to the exchanges that matter \
         (this version decodes raw logic in memory)"
    )
}

/// What the user said about the channels and the rate.
#[derive(Clone, Debug, Default)]
pub struct RawOptions {
    /// The channel carrying TX, by name.
    pub tx: Option<String>,
    /// The channel carrying RX, by name.
    pub rx: Option<String>,
    /// The baud rate; found from the signal when not given.
    pub baud: Option<u32>,
}

/// The line as the decoder found it.
#[derive(Clone, Debug, PartialEq)]
pub struct LineFound {
    /// Bits a second.
    pub baud: u32,
    /// Data bits, parity and stop bits.
    pub framing: Framing,
    /// Whether the line idles high (not inverted).
    pub idle_high: bool,
    /// The channels taken as TX and RX.
    pub tx: String,
    /// See `tx`.
    pub rx: String,
}

impl LineFound {
    /// `1200 8N2`, `300 7E1`.
    pub fn text(&self) -> String {
        format!(
            "{} {}{}{}",
            self.baud,
            self.framing.data_bits,
            if self.framing.even_parity { 'E' } else { 'N' },
            self.framing.stop_bits
        )
    }
}

/// Channels from a VCD file's text.
pub fn vcd_channels(text: &str) -> Result<Vec<Channel>, String> {
    let mut unit = None;
    let mut ids: Vec<(String, usize)> = Vec::new();
    let mut channels: Vec<Channel> = Vec::new();
    let mut tokens = text.split_whitespace().peekable();
    let mut time = 0.0;
    let mut definitions = true;
    let mut edges = 0usize;
    while let Some(token) = tokens.next() {
        if definitions {
            match token {
                "$timescale" => {
                    let mut spec = String::new();
                    for part in tokens.by_ref() {
                        if part == "$end" {
                            break;
                        }
                        spec.push_str(part);
                    }
                    unit = Some(timescale(&spec).ok_or(format!("a $timescale of {spec:?}"))?);
                }
                "$var" => {
                    let fields: Vec<&str> = tokens.by_ref().take_while(|t| *t != "$end").collect();
                    if let [_, "1", id, name, ..] = fields[..] {
                        ids.push((id.to_string(), channels.len()));
                        channels.push(Channel {
                            name: name.to_string(),
                            initial: true,
                            edges: Vec::new(),
                            end: 0.0,
                        });
                    }
                }
                "$enddefinitions" => definitions = false,
                _ => {}
            }
            continue;
        }
        let unit = unit.ok_or("no $timescale before the values")?;
        if let Some(at) = token.strip_prefix('#') {
            let at: f64 = at.parse().map_err(|_| format!("a time of {at:?}"))?;
            time = at * unit.0 / unit.1;
            continue;
        }
        if token.starts_with('$') {
            continue; // $dumpvars, $end, $comment …
        }
        let mut chars = token.chars();
        let value = chars.next();
        let id = chars.as_str();
        let level = match value {
            Some('0') => false,
            Some('1') => true,
            // x and z: unknown levels are read as idle; vectors are not UART lines.
            _ => continue,
        };
        if let Some(&(_, index)) = ids.iter().find(|(known, _)| known == id) {
            edges += 1;
            if edges > MAX_EDGES {
                return Err(too_many_edges());
            }
            let channel = &mut channels[index];
            if time == 0.0 && channel.edges.is_empty() {
                channel.initial = level;
            } else if channel.edges.last().map_or(channel.initial, |e| e.1) != level {
                channel.edges.push((time, level));
            }
        }
    }
    for channel in &mut channels {
        channel.end = time;
    }
    Ok(channels)
}

/// A time unit as a count and a divisor of seconds (`10us` is 10 / 1e6), so that times
/// in the unit divide into seconds exactly where a decimal fraction would not multiply.
fn timescale(spec: &str) -> Option<(f64, f64)> {
    let digits: String = spec.chars().take_while(char::is_ascii_digit).collect();
    let unit = &spec[digits.len()..];
    let divisor = match unit.trim() {
        "s" => 1.0,
        "ms" => 1e3,
        "us" => 1e6,
        "ns" => 1e9,
        "ps" => 1e12,
        "fs" => 1e15,
        _ => return None,
    };
    Some((digits.parse::<f64>().ok()?, divisor))
}

/// Channels from a sigrok session file's bytes.
pub fn sr_channels(bytes: &[u8]) -> Result<Vec<Channel>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|error| format!("not a sigrok session file: {error}"))?;
    let mut metadata = String::new();
    archive
        .by_name("metadata")
        .map_err(|_| "a sigrok session file without its metadata".to_string())?
        .read_to_string(&mut metadata)
        .map_err(|error| format!("the metadata cannot be read: {error}"))?;
    let value = |key: &str| {
        metadata.lines().find_map(|line| {
            let (k, v) = line.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let samplerate = value("samplerate")
        .and_then(|rate| samplerate(&rate))
        .ok_or("no samplerate in the metadata")?;
    let unitsize: usize = value("unitsize")
        .and_then(|size| size.parse().ok())
        .filter(|size| (1..=8).contains(size))
        .ok_or("no unitsize from 1 to 8 in the metadata")?;
    let capturefile = value("capturefile").unwrap_or_else(|| "logic-1".into());
    let mut names: Vec<(usize, String)> = metadata
        .lines()
        .filter_map(|line| {
            let (key, name) = line.split_once('=')?;
            let number: usize = key.trim().strip_prefix("probe")?.parse().ok()?;
            Some((number.checked_sub(1)?, name.trim().to_string()))
        })
        .filter(|(bit, _)| *bit < unitsize * 8)
        .collect();
    names.sort();
    let mut channels: Vec<Channel> = names
        .iter()
        .map(|(_, name)| Channel {
            name: name.clone(),
            initial: true,
            edges: Vec::new(),
            end: 0.0,
        })
        .collect();
    let mut sample: u64 = 0;
    let mut last: Option<u64> = None;
    let mut edges = 0usize;
    for part in 1.. {
        let Ok(mut file) = archive.by_name(&format!("{capturefile}-{part}")) else {
            break;
        };
        let mut unit = vec![0u8; unitsize];
        loop {
            match file.read_exact(&mut unit) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(error) => return Err(format!("the samples cannot be read: {error}")),
            }
            let mut word = 0u64;
            for (i, byte) in unit.iter().enumerate() {
                word |= u64::from(*byte) << (8 * i);
            }
            if last != Some(word) {
                let t = sample as f64 / samplerate;
                for ((bit, _), channel) in names.iter().zip(channels.iter_mut()) {
                    let level = word >> bit & 1 == 1;
                    if last.is_none() {
                        channel.initial = level;
                    } else if last.is_some_and(|previous| (previous >> bit & 1 == 1) != level) {
                        channel.edges.push((t, level));
                        edges += 1;
                    }
                }
                last = Some(word);
                if edges > MAX_EDGES {
                    return Err(too_many_edges());
                }
            }
            sample += 1;
        }
    }
    if last.is_none() {
        return Err("no samples in the session file".into());
    }
    for channel in &mut channels {
        channel.end = sample as f64 / samplerate;
    }
    Ok(channels)
}

/// Samples a second from `100 kHz`, `1 MHz`, `200000`.
fn samplerate(text: &str) -> Option<f64> {
    let (number, unit) = text
        .split_once(' ')
        .map_or((text, ""), |(number, unit)| (number, unit));
    let scale = match unit.trim() {
        "" | "Hz" => 1.0,
        "kHz" => 1e3,
        "MHz" => 1e6,
        "GHz" => 1e9,
        _ => return None,
    };
    let rate = number.parse::<f64>().ok()? * scale;
    (rate > 0.0).then_some(rate)
}

/// Decodes the TX and RX channels of `channels` into events, in time order.
pub fn decode(
    channels: &[Channel],
    options: &RawOptions,
) -> Result<(Vec<Event>, LineFound), String> {
    let find = |name: &str| {
        channels
            .iter()
            .position(|channel| channel.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = channels.iter().map(|c| c.name.as_str()).collect();
                format!(
                    "no channel {name:?}; the recording has {}",
                    names.join(", ")
                )
            })
    };
    let by_name = |direction| {
        channels
            .iter()
            .position(|c| direction_named(&c.name) == direction)
    };
    // Named by the user, else by the channel's own name, else the first two in order (TX, RX;
    // the start bytes put swapped ones right afterwards).
    let tx = match &options.tx {
        Some(name) => find(name)?,
        None => by_name(Direction::Tx).unwrap_or(0),
    };
    let rx = match &options.rx {
        Some(name) => find(name)?,
        None => by_name(Direction::Rx)
            .unwrap_or_else(|| (0..channels.len()).find(|&i| i != tx).unwrap_or(tx)),
    };
    if tx == rx || channels.len() < 2 {
        return Err(
            "a UART recording needs two channels, TX and RX; name them with --tx and --rx".into(),
        );
    }
    let (tx_channel, rx_channel) = (&channels[tx], &channels[rx]);
    let baud = match options.baud {
        Some(baud) => baud,
        None => uart::detect_baud(&[tx_channel, rx_channel]).ok_or(
            "no standard baud rate from 300 to 19200 fits the shortest pulse; give it with --baud",
        )?,
    };
    let idle_high = tx_channel.idle_level() || rx_channel.idle_level();
    let tx_characters = uart::characters(tx_channel, baud, idle_high);
    let rx_characters = uart::characters(rx_channel, baud, idle_high);
    let framing = uart::framing(&[&tx_characters, &rx_characters], baud);
    let mut events = Vec::new();
    for (characters, direction) in [
        (&tx_characters, Direction::Tx),
        (&rx_characters, Direction::Rx),
    ] {
        for character in characters {
            let at = Stamp::Seconds(character.start);
            let event = |mark| Event {
                at,
                direction,
                mark,
            };
            if character.brk {
                events.push(event(Mark::Break));
                continue;
            }
            let byte = if framing.even_parity {
                character.bits & 0x7F
            } else {
                character.bits
            };
            events.push(event(Mark::Byte(byte)));
            if !character.stop_ok {
                events.push(event(Mark::FramingError));
            }
        }
    }
    // Stable: a byte stays before the framing error that follows it.
    events.sort_by(|a, b| match (a.at, b.at) {
        (Stamp::Seconds(x), Stamp::Seconds(y)) => x.total_cmp(&y),
        _ => std::cmp::Ordering::Equal,
    });
    let line = LineFound {
        baud,
        framing,
        idle_high,
        tx: tx_channel.name.clone(),
        rx: rx_channel.name.clone(),
    };
    Ok((events, line))
}
