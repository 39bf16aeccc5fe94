//! Raw logic recordings: value change dumps (VCD) and sigrok session files (`.sr`), replayed
//! from a reader as level changes, decoded by the program's own UART decoder ([`super::uart`])
//! into timed bytes. Each file is read twice (the decoder learns the line first), a piece at a
//! time: memory stays bounded whatever the recording's length.
//!
//! VCD: `$timescale` gives the time unit, `$var wire 1 <id> <name> $end` the channels, then
//! `#<time>` and value changes `0<id>`/`1<id>`. A `.sr` file is a zip holding `metadata` (INI:
//! `samplerate`, `probe1=D0`, `unitsize`) and the samples, `logic-1-1` (then `-2`, …): one unit a
//! sample, bit `n` the level of probe `n + 1`.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use super::uart::{self, ChannelStats, Framing, Receiver};
use super::{Direction, Event, Mark, Stamp, direction_named};

/// What the user said about the channels and the rate.
#[derive(Clone, Debug, Default)]
pub struct RawOptions {
    /// The channel carrying TX, by name.
    pub tx: Option<String>,
    /// The channel carrying RX, by name.
    pub rx: Option<String>,
    /// The baud rate; found from the signal when not given.
    pub baud: Option<u32>,
    /// For analog recordings: the volts where a level changes; found from the signal when not
    /// given.
    pub threshold: Option<f32>,
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
    /// How long one character takes on the line, start bit to last stop bit, in seconds.
    pub fn byte_s(&self) -> f64 {
        let framing = self.framing;
        let bits = 1 + framing.data_bits + u8::from(framing.even_parity) + framing.stop_bits;
        f64::from(bits) / f64::from(self.baud)
    }

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

/// One thing a replay reports, in time order.
#[derive(Clone, Copy, Debug)]
pub enum Change {
    /// A channel's level when the recording starts.
    Initial {
        /// The channel, by its place in [`Replay::names`].
        channel: usize,
        /// Its level.
        level: bool,
    },
    /// A channel's level changes.
    Edge {
        /// The channel.
        channel: usize,
        /// When, in seconds.
        t: f64,
        /// The new level.
        level: bool,
    },
}

/// A raw recording that can be read from its start again and again.
pub trait Replay {
    /// The channels' names (`D0`, `TX`, `1`).
    fn names(&self) -> &[String];
    /// Reports every change from the start, in time order; gives the recording's end in seconds.
    fn replay(&mut self, visit: &mut dyn FnMut(Change)) -> Result<f64, String>;
}

/// A value change dump read from `R`.
pub struct Vcd<R> {
    input: R,
    names: Vec<String>,
}

/// The channels a VCD header defines: their identifiers and names, and the time unit.
struct VcdHeader {
    ids: Vec<String>,
    names: Vec<String>,
    unit: (f64, f64),
}

impl<R: Read + Seek> Vcd<R> {
    /// Reads the header of the dump in `input`.
    pub fn new(mut input: R) -> Result<Self, String> {
        let header = Self::header(&mut input)?;
        Ok(Self {
            input,
            names: header.names,
        })
    }

    fn header(input: &mut R) -> Result<VcdHeader, String> {
        input
            .seek(SeekFrom::Start(0))
            .map_err(|error| format!("cannot read the dump: {error}"))?;
        let mut reader = BufReader::new(input);
        let mut header = VcdHeader {
            ids: Vec::new(),
            names: Vec::new(),
            unit: (0.0, 0.0),
        };
        let mut words: Vec<String> = Vec::new();
        let mut line = String::new();
        let mut unit = None;
        loop {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|error| format!("cannot read the dump: {error}"))?;
            if read == 0 {
                return Err("no $enddefinitions in the dump".into());
            }
            words.extend(line.split_whitespace().map(str::to_string));
            // Take whole `$… $end` sections as they complete.
            while let Some(end) = words.iter().position(|word| word == "$end") {
                let section: Vec<String> = words.drain(..=end).collect();
                match section.first().map(String::as_str) {
                    Some("$timescale") => {
                        let spec: String = section[1..section.len() - 1].concat();
                        unit = Some(timescale(&spec).ok_or(format!("a $timescale of {spec:?}"))?);
                    }
                    Some("$var") => {
                        if let [_, _, width, id, name, ..] = &section[..]
                            && width == "1"
                        {
                            header.ids.push(id.clone());
                            header.names.push(name.clone());
                        }
                    }
                    Some("$enddefinitions") => {
                        header.unit = unit.ok_or("no $timescale in the dump")?;
                        return Ok(header);
                    }
                    _ => {}
                }
            }
            if words.len() > 10_000 {
                return Err("a VCD header section without its $end".into());
            }
        }
    }
}

impl<R: Read + Seek> Replay for Vcd<R> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn replay(&mut self, visit: &mut dyn FnMut(Change)) -> Result<f64, String> {
        let header = Self::header(&mut self.input)?;
        // The header was read through a buffer: read again from the start, skipping it.
        self.input
            .seek(SeekFrom::Start(0))
            .map_err(|error| format!("cannot read the dump: {error}"))?;
        let mut reader = BufReader::new(&mut self.input);
        let mut line = String::new();
        let mut in_values = false;
        let mut time = 0.0;
        let mut started = vec![false; header.ids.len()];
        let mut levels = vec![true; header.ids.len()];
        loop {
            line.clear();
            let read = reader
                .read_line(&mut line)
                .map_err(|error| format!("cannot read the dump: {error}"))?;
            if read == 0 {
                break;
            }
            for token in line.split_whitespace() {
                if !in_values {
                    in_values = token == "$enddefinitions";
                    continue;
                }
                if let Some(at) = token.strip_prefix('#') {
                    let at: f64 = at.parse().map_err(|_| format!("a time of {at:?}"))?;
                    time = at * header.unit.0 / header.unit.1;
                    continue;
                }
                let mut chars = token.chars();
                let level = match chars.next() {
                    Some('0') => false,
                    Some('1') => true,
                    // x and z (unknown levels), vectors, `$dumpvars` and the like: not a UART
                    // line's changes.
                    _ => continue,
                };
                let id = chars.as_str();
                if let Some(channel) = header.ids.iter().position(|known| known == id) {
                    if !started[channel] {
                        started[channel] = true;
                        levels[channel] = level;
                        visit(Change::Initial { channel, level });
                    } else if levels[channel] != level {
                        levels[channel] = level;
                        visit(Change::Edge {
                            channel,
                            t: time,
                            level,
                        });
                    }
                }
            }
        }
        Ok(time)
    }
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

/// A sigrok session file read from `R`.
pub struct SigrokSession<R> {
    archive: zip::ZipArchive<R>,
    names: Vec<String>,
    /// The bit of each channel in a sample.
    bits: Vec<usize>,
    samplerate: f64,
    unitsize: usize,
    capturefile: String,
}

impl<R: Read + Seek> SigrokSession<R> {
    /// The input, for the analog reader.
    pub fn into_input(self) -> R {
        self.archive.into_inner()
    }

    /// Reads the metadata of the session in `input`.
    pub fn new(input: R) -> Result<Self, String> {
        let (archive, metadata) = open_session(input)?;
        let value = |key: &str| metadata_value(&metadata, key);
        let samplerate = value("samplerate")
            .and_then(|rate| samplerate(&rate))
            .ok_or("no samplerate in the metadata")?;
        let unitsize: usize = value("unitsize")
            .and_then(|size| size.parse().ok())
            .filter(|size| (1..=8).contains(size))
            .ok_or("no unitsize from 1 to 8 in the metadata")?;
        let capturefile = value("capturefile").unwrap_or_else(|| "logic-1".into());
        let mut probes: Vec<(usize, String)> = metadata
            .lines()
            .filter_map(|line| {
                let (key, name) = line.split_once('=')?;
                let number: usize = key.trim().strip_prefix("probe")?.parse().ok()?;
                Some((number.checked_sub(1)?, name.trim().to_string()))
            })
            .filter(|(bit, _)| *bit < unitsize * 8)
            .collect();
        probes.sort();
        Ok(Self {
            archive,
            names: probes.iter().map(|(_, name)| name.clone()).collect(),
            bits: probes.iter().map(|(bit, _)| *bit).collect(),
            samplerate,
            unitsize,
            capturefile,
        })
    }
}

impl<R: Read + Seek> Replay for SigrokSession<R> {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn replay(&mut self, visit: &mut dyn FnMut(Change)) -> Result<f64, String> {
        let unitsize = self.unitsize;
        // Only the named probes' bits: a busy unnamed one must not cost a visit a sample.
        let mask = self.bits.iter().fold(0u64, |mask, &bit| mask | 1 << bit);
        let mut sample: u64 = 0;
        let mut last: Option<u64> = None;
        let mut buffer = vec![0u8; (1 << 16) * unitsize];
        // Bytes of a unit cut by the end of a read, kept at the buffer's start.
        let mut carry = 0;
        for part in 1.. {
            let Ok(mut file) = self
                .archive
                .by_name(&format!("{}-{part}", self.capturefile))
            else {
                break;
            };
            loop {
                let read = match file.read(&mut buffer[carry..]) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(format!("the samples cannot be read: {error}")),
                };
                let filled = carry + read;
                let whole = filled - filled % unitsize;
                let mut at = 0;
                while at < whole {
                    // Runs of unchanged samples are most of any recording: skip them fast.
                    if let Some(previous) = last {
                        let Some(units) =
                            first_change(&buffer[at..whole], unitsize, previous, mask)
                        else {
                            sample += ((whole - at) / unitsize) as u64;
                            break;
                        };
                        sample += units as u64;
                        at += units * unitsize;
                    }
                    let word = word_of(&buffer[at..at + unitsize]) & mask;
                    let t = sample as f64 / self.samplerate;
                    for (channel, &bit) in self.bits.iter().enumerate() {
                        let level = word >> bit & 1 == 1;
                        match last {
                            None => visit(Change::Initial { channel, level }),
                            Some(previous) if (previous >> bit & 1 == 1) != level => {
                                visit(Change::Edge { channel, t, level });
                            }
                            Some(_) => {}
                        }
                    }
                    last = Some(word);
                    sample += 1;
                    at += unitsize;
                }
                buffer.copy_within(whole..filled, 0);
                carry = filled - whole;
            }
        }
        if last.is_none() {
            return Err("no samples in the session file".into());
        }
        Ok(sample as f64 / self.samplerate)
    }
}

/// A sample's unit as a word, its first byte the lowest.
fn word_of(unit: &[u8]) -> u64 {
    unit.iter()
        .enumerate()
        .fold(0, |word, (i, byte)| word | u64::from(*byte) << (8 * i))
}

/// How many whole units of `bytes` pass before one whose `mask`ed bits differ from `previous`.
fn first_change(bytes: &[u8], unitsize: usize, previous: u64, mask: u64) -> Option<usize> {
    if unitsize != 1 {
        return bytes
            .chunks_exact(unitsize)
            .position(|unit| word_of(unit) & mask != previous);
    }
    // One byte a sample (up to 8 probes, the usual case): eight samples compared at once.
    let (previous, mask) = (previous as u8, mask as u8);
    let (eight, eight_masks) = (
        u64::from_ne_bytes([previous; 8]),
        u64::from_ne_bytes([mask; 8]),
    );
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        if (u64::from_ne_bytes(chunk) ^ eight) & eight_masks != 0 {
            break;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|byte| (byte ^ previous) & mask != 0)
        .map(|units| at + units)
}

/// Samples a second from `100 kHz`, `1 MHz`, `200000`.
/// A sigrok session file's zip and its metadata (INI text).
pub(super) fn open_session<R: Read + Seek>(
    input: R,
) -> Result<(zip::ZipArchive<R>, String), String> {
    let mut archive = zip::ZipArchive::new(input)
        .map_err(|error| format!("not a sigrok session file: {error}"))?;
    let mut metadata = String::new();
    archive
        .by_name("metadata")
        .map_err(|_| "a sigrok session file without its metadata".to_string())?
        .take(1 << 20)
        .read_to_string(&mut metadata)
        .map_err(|error| format!("the metadata cannot be read: {error}"))?;
    Ok((archive, metadata))
}

/// The value of `key` in a session's metadata.
pub(super) fn metadata_value(metadata: &str, key: &str) -> Option<String> {
    metadata.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

pub(super) fn samplerate(text: &str) -> Option<f64> {
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

/// Decodes the TX and RX channels of `source` into events, in time order: one pass to learn the
/// line, one to read it.
pub fn decode(
    source: &mut dyn Replay,
    options: &RawOptions,
) -> Result<(Vec<Event>, LineFound), String> {
    let names = source.names().to_vec();
    let find = |name: &str| {
        names.iter().position(|known| known == name).ok_or_else(|| {
            format!(
                "no channel {name:?}; the recording has {}",
                names.join(", ")
            )
        })
    };
    let by_name = |direction| {
        names
            .iter()
            .position(|name| direction_named(name) == direction)
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
            .unwrap_or_else(|| (0..names.len()).find(|&i| i != tx).unwrap_or(tx)),
    };
    if tx == rx || names.len() < 2 {
        return Err(
            "a UART recording needs two channels, TX and RX; name them with --tx and --rx".into(),
        );
    }
    let mut stats = [ChannelStats::default(), ChannelStats::default()];
    let slot = |channel: usize| {
        if channel == tx {
            Some(0)
        } else if channel == rx {
            Some(1)
        } else {
            None
        }
    };
    let end = source.replay(&mut |change| match change {
        Change::Initial { channel, level } => {
            if let Some(at) = slot(channel) {
                stats[at].start(level);
            }
        }
        Change::Edge { channel, t, level } => {
            if let Some(at) = slot(channel) {
                stats[at].edge(t, level);
            }
        }
    })?;
    for channel in &mut stats {
        channel.finish(end);
    }
    let baud = match options.baud {
        Some(baud) => baud,
        None => uart::detect_baud(&[&stats[0], &stats[1]]).ok_or(
            "no standard baud rate from 300 to 19200 fits the shortest pulse; give it with --baud",
        )?,
    };
    let idle_high = stats[0].idle_level() || stats[1].idle_level();
    let mut receivers: [Option<Receiver>; 2] = [None, None];
    source.replay(&mut |change| match change {
        Change::Initial { channel, level } => {
            if let Some(at) = slot(channel) {
                receivers[at] = Some(Receiver::new(baud, idle_high, level));
            }
        }
        Change::Edge { channel, t, level } => {
            if let Some(receiver) = slot(channel).and_then(|at| receivers[at].as_mut()) {
                receiver.edge(t, level);
            }
        }
    })?;
    let [tx_receiver, rx_receiver] = receivers;
    let finish = |receiver: Option<Receiver>| receiver.map(|r| r.finish(end)).unwrap_or_default();
    let (tx_characters, rx_characters) = (finish(tx_receiver), finish(rx_receiver));
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
        tx: names[tx].clone(),
        rx: names[rx].clone(),
    };
    Ok((events, line))
}
