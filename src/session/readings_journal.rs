//! The readings journal: one line per poll, appended and synced as it arrives, so a crash or a
//! kill loses at most the poll in flight.
//!
//! ```text
//! kmp-workbench readings 1
//! 1790000000123 68:2804420000303A 74:290200016B
//! 1790000001123
//! ```
//!
//! Each line is the poll's Unix time in milliseconds, then every register answered as `ID:RAW`,
//! RAW being the register block after its ID (unit, length, sign/exponent, mantissa) in hex, so a
//! reading reads back exactly as the meter sent it. A readout of the text protocols has its IEC
//! 62056-21 data lines as `iec:LINE` (the line as sent, with `%`, spaces and anything but
//! printable ASCII written `%XX`) and its `/#1` fields as `66c:FIELD=DIGITS`. A poll the meter
//! did not answer is a time alone. A last line without its line end is a write cut short and is
//! left out.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write as _};
use std::path::Path;

use jiff::Timestamp;

use crate::iec::DataLine;
use crate::kmp::{Number, Register};
use crate::mc66::Field;
use crate::model::{Readings, RegisterKey, TextReading};

use super::journal_lines::read_lines;
use super::{JournalProblem, SessionError};

/// The first line of every readings journal.
const HEADER: &str = "kmp-workbench readings 1";

/// Appends polls to a journal.
#[derive(Debug)]
pub struct ReadingsJournal {
    file: File,
    sync: bool,
}

impl ReadingsJournal {
    /// Starts a new journal at `path`, which must not exist yet.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(format!("{HEADER}\n").as_bytes())?;
        file.sync_all()?;
        Ok(Self { file, sync: true })
    }

    /// Goes on appending to the journal at `path`.
    pub fn append_to(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Self { file, sync: true })
    }

    /// Whether each poll is synced to the disk before the next (the default). Without it a
    /// killed process still loses nothing (the system keeps what was written), only a power cut
    /// could; the memory benchmark turns it off to write a week of polls in seconds.
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// Appends one poll, whole, in one write.
    pub fn append(&mut self, at: Timestamp, registers: &[Register]) -> io::Result<()> {
        let mut line = at.as_millisecond().to_string();
        for register in registers {
            push_register(&mut line, register);
        }
        self.write_line(line)
    }

    /// Appends one readout of a text protocol, whole, in one write.
    pub fn append_text(&mut self, at: Timestamp, readings: &[TextReading]) -> io::Result<()> {
        let mut line = at.as_millisecond().to_string();
        for reading in readings {
            line.push(' ');
            match reading.key {
                RegisterKey::Field(field) => {
                    line.push_str(&format!("66c:{}={}", field.name(), reading.raw));
                }
                _ if reading.sml.is_some() => line.push_str(&sml_field(reading)),
                _ => {
                    line.push_str("iec:");
                    line.push_str(&escape(&reading.raw));
                }
            }
        }
        self.write_line(line)
    }

    fn write_line(&mut self, mut line: String) -> io::Result<()> {
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        if self.sync {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

/// Reads a journal back into readings, line by line (a week of polls never sits in memory as
/// text). When a last line was cut short, also gives the length of the whole lines before it,
/// to cut the file back to.
pub fn read(input: impl BufRead, file: &str) -> Result<(Readings, Option<u64>), SessionError> {
    let mut readings = Readings::default();
    let cut_at = read_lines(input, file, (HEADER, "kmp-workbench readings "), |text| {
        let (at, registers, texts) = parse_line(text)?;
        if texts.is_empty() {
            readings.record(at, &registers);
        } else {
            readings.record_text(at, &texts);
        }
        Ok(())
    })?;
    Ok((readings, cut_at))
}

/// A poll's time, its KMP registers and its text readings.
type Poll = (Timestamp, Vec<Register>, Vec<TextReading>);

fn parse_line(line: &str) -> Result<Poll, JournalProblem> {
    let mut fields = line.split(' ');
    let at = fields
        .next()
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
        .ok_or(JournalProblem::BadTime)?;
    let (mut registers, mut texts) = (Vec::new(), Vec::new());
    for field in fields {
        if let Some(line) = field.strip_prefix("iec:") {
            let line = unescape(line).ok_or(JournalProblem::BadRegister)?;
            let line = DataLine::parse(&line).map_err(|_| JournalProblem::BadRegister)?;
            texts.push(TextReading::from_line(&line));
        } else if let Some(field) = field.strip_prefix("sml:") {
            texts.push(parse_sml(field).ok_or(JournalProblem::BadRegister)?);
        } else if let Some(field) = field.strip_prefix("66c:") {
            let (name, digits) = field.split_once('=').ok_or(JournalProblem::BadRegister)?;
            let field = Field::ALL
                .into_iter()
                .find(|field| field.name() == name)
                .ok_or(JournalProblem::BadRegister)?;
            texts.push(TextReading::from_field(field, digits).ok_or(JournalProblem::BadRegister)?);
        } else {
            registers.push(parse_register(field).ok_or(JournalProblem::BadRegister)?);
        }
    }
    Ok((at, registers, texts))
}

/// An SML value, exactly: `sml:1-0:1.8.0*255=234567804e-1=Wh`, the mantissa with the scaler;
/// one that is no number as `#` and its text escaped (its bytes in hex, as shown); the unit
/// escaped, empty when none.
fn sml_field(reading: &TextReading) -> String {
    let obis = reading.sml.map(|obis| obis.to_string()).unwrap_or_default();
    let value = match reading.number {
        Some(number) => format!(
            "{}{}e{}",
            if number.is_negative() { "-" } else { "" },
            number.mantissa(),
            number.exponent()
        ),
        None => format!("#{}", escape(&reading.text)),
    };
    format!("sml:{obis}={value}={}", escape(&reading.unit))
}

/// An SML value as [`sml_field`] writes it, after its `sml:`.
fn parse_sml(field: &str) -> Option<TextReading> {
    let (obis, rest) = field.split_once('=')?;
    let (value, unit) = rest.rsplit_once('=')?;
    let (number, text) = match value.strip_prefix('#') {
        Some(text) => (None, unescape(text)?),
        None => {
            let (mantissa, exponent) = value.split_once('e')?;
            let (negative, digits) = match mantissa.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, mantissa),
            };
            let number =
                Number::new(negative, digits.parse().ok()?, exponent.parse().ok()?).ok()?;
            (Some(number), number.to_string())
        }
    };
    TextReading::from_sml_entry(obis.parse().ok()?, number, text, &unescape(unit)?)
}

/// `%`, spaces and anything but printable ASCII as `%XX`, so a data line is one field.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_graphic() && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Appends ` ID:RAW` to a journal line.
pub(super) fn push_register(line: &mut String, register: &Register) {
    line.push(' ');
    line.push_str(&register.id().to_string());
    line.push(':');
    line.push_str(&crate::kmp::to_hex(&register.raw()));
}

/// A register as a journal writes it: `ID:RAW`.
pub(super) fn parse_register(field: &str) -> Option<Register> {
    let (id, hex) = field.split_once(':')?;
    Register::from_raw(id.parse().ok()?, &crate::kmp::from_hex(hex)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmp::{Number, RegisterId, Unit};

    fn volume(mantissa: u128) -> Register {
        let number = Number::new(false, mantissa, -2).unwrap();
        Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
    }

    fn journal(name: &str, polls: &[(i64, Vec<Register>)]) -> String {
        let dir = std::env::temp_dir().join(format!("kmp-rj-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("readings.journal");
        let mut journal = ReadingsJournal::create(&path).unwrap();
        for (ms, registers) in polls {
            journal
                .append(Timestamp::from_millisecond(*ms).unwrap(), registers)
                .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        text
    }

    #[test]
    fn polls_read_back_exactly_including_silent_ones() {
        let text = journal(
            "exact",
            &[
                (1_000, vec![volume(6344)]),
                (2_000, vec![]),
                (3_000, vec![volume(6345)]),
            ],
        );
        let (readings, cut_at) = read(text.as_bytes(), "readings.journal").unwrap();
        assert_eq!(cut_at, None);
        assert_eq!(readings.polls(), 3);
        let series = readings.get(RegisterId::V1_VOLUME.into()).unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series.latest().unwrap().value.to_string(), "63.45");
        assert_eq!(series.times(), &[1.0, 3.0]);
    }

    #[test]
    fn a_line_cut_short_is_left_out_and_reported() {
        let text = journal("cut", &[(1_000, vec![volume(1)]), (2_000, vec![volume(2)])]);
        let cut = &text[..text.len() - 5];
        let (readings, cut_at) = read(cut.as_bytes(), "r").unwrap();
        let whole = text.lines().take(2).map(|line| line.len() as u64 + 1).sum();
        assert_eq!(cut_at, Some(whole), "the header and the first poll stay");
        assert_eq!(readings.polls(), 1);
    }

    #[test]
    fn damage_inside_the_journal_is_an_error_naming_the_line() {
        let text = journal(
            "damage",
            &[(1_000, vec![volume(1)]), (2_000, vec![volume(2)])],
        );
        let broken = text.replacen("2000 68:", "2000 68:ZZ", 1);
        let error = read(broken.as_bytes(), "readings.journal").unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
        assert!(read(&b"garbage\n"[..], "r").is_err());
        assert!(read(&b""[..], "r").is_err());
        assert!(matches!(
            read(&b"kmp-workbench readings 9\n"[..], "r"),
            Err(SessionError::Journal {
                problem: JournalProblem::NewerFormat,
                ..
            })
        ));
    }

    #[test]
    fn readouts_of_the_text_protocols_read_back_exactly() {
        let dir = std::env::temp_dir().join(format!("kmp-rj-{}-text", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("readings.journal");
        let mut journal = ReadingsJournal::create(&path).unwrap();
        let lines = [
            "1.8.0(0012345.678*kWh)",
            "0.9.1(12:00 05%)",
            "C.1.0(05812345)",
        ];
        let iec: Vec<TextReading> = lines
            .iter()
            .map(|line| TextReading::from_line(&DataLine::parse(line).unwrap()))
            .collect();
        let fields = vec![TextReading::from_field(Field::T1, "6811").unwrap()];
        let at = |ms| Timestamp::from_millisecond(ms).unwrap();
        journal.append_text(at(1_000), &iec).unwrap();
        journal.append_text(at(2_000), &fields).unwrap();
        journal.append_text(at(3_000), &[]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(text.contains(" iec:0.9.1(12:00%2005%25) "), "{text}");
        assert!(text.contains(" 66c:t1=6811\n"), "{text}");

        let (readings, _) = read(text.as_bytes(), "readings.journal").unwrap();
        assert_eq!(readings.polls(), 3);
        let energy = readings.get("1.8.0".parse().unwrap()).unwrap();
        assert_eq!(energy.latest().unwrap().value.to_string(), "12345.678");
        assert_eq!(energy.unit(), "kWh");
        let t1 = readings.get(RegisterKey::Field(Field::T1)).unwrap();
        assert_eq!(t1.latest().unwrap().value.to_string(), "68.11");
        assert_eq!(t1.unit(), "°C");
        assert!(
            readings.get("0.9.1".parse().unwrap()).is_none(),
            "a time is no number"
        );
        let broken = text.replace("66c:t1=6811", "66c:t9=6811");
        assert!(read(broken.as_bytes(), "r").is_err());
        let broken = text.replace("%2005", "%2");
        assert!(read(broken.as_bytes(), "r").is_err());
    }

    #[test]
    fn sml_values_read_back_exactly_with_their_scaler_and_full_code() {
        let obis = |text: &str| text.parse::<crate::sml::Obis>().unwrap();
        let number = |negative, mantissa, exponent| Number::new(negative, mantissa, exponent).ok();
        let entries = [
            ("1-0:1.8.0*255", number(false, 234_567_804, -1), "Wh"),
            // A positive scaler: 12 sent, 120 meant; written as 120 it would read back as 0.
            ("1-0:16.7.0*255", number(false, 12, 1), "W"),
            ("1-0:36.7.0*255", number(true, 75, 0), "W"),
            ("1-0:96.1.0*255", None, ""),
        ];
        let readings: Vec<TextReading> = entries
            .iter()
            .map(|&(code, number, unit)| {
                let text = number.map_or_else(|| "0A01FF".to_string(), |n| n.to_string());
                TextReading::from_sml_entry(obis(code), number, text, unit).unwrap()
            })
            .collect();
        let mut line = "1000".to_string();
        for reading in &readings {
            line.push(' ');
            line.push_str(&sml_field(reading));
        }
        assert!(line.contains(" sml:1-0:16.7.0*255=12e1=W "), "{line}");
        assert!(line.contains(" sml:1-0:96.1.0*255=#0A01FF="), "{line}");
        let (_, registers, back) = parse_line(&line).unwrap();
        assert!(registers.is_empty());
        assert_eq!(back, readings);
        assert_eq!(back[1].key.to_string(), "16.7.0");
        assert_eq!(back[1].number.unwrap().exponent(), 1);
        for broken in [
            "sml:1-0:1.8.0=5e0=W",
            "sml:1-0:1.8.0*255=5x0=W",
            "sml:1-0:1.8.0*255",
        ] {
            assert!(parse_line(&format!("1000 {broken}")).is_err(), "{broken}");
        }
    }
}
