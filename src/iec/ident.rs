//! The identification line a meter answers the sign-on with: `/XXXZ<ident>` CR LF. `XXX` is the
//! manufacturer (Kamstrup: `KAM`), a lower-case third letter meaning a 20 ms reaction time rather
//! than 200 ms; `Z` is the highest baud rate the meter offers for the readout (docs/protocols.md §7).

use super::{IecError, baud_of};

/// The longest identifier kept after the baud character.
const MAX_IDENT_LEN: usize = 64;

/// How the readout follows the identification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The readout follows at once, at the sign-on's baud rate (the baud character names no
    /// rate, or `0`: 300 baud, where an option select is answered the same way).
    A,
    /// The readout follows at once at this baud rate (a letter `A` to `F`).
    B(u32),
    /// An option select asks for the readout at this baud rate (a digit `1` to `6`).
    C(u32),
}

/// A meter's identification line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identification {
    /// The line as received, without `/` and the line end: `KAM0382C`.
    pub line: String,
    /// The three-letter manufacturer code, as sent: `KAM`.
    pub manufacturer: String,
    /// The baud character.
    pub baud_character: u8,
    /// The meter's identifier after the baud character.
    pub ident: String,
}

impl Identification {
    /// Reads an identification line, with or without its line end.
    pub fn decode(line: &[u8]) -> Result<Self, IecError> {
        let line = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(line);
        let body = line.strip_prefix(b"/").ok_or(IecError::Identification)?;
        if body.len() < 4 || body.len() > 4 + MAX_IDENT_LEN {
            return Err(IecError::Identification);
        }
        if let Some(&byte) = body
            .iter()
            .find(|byte| !byte.is_ascii() || byte.is_ascii_control())
        {
            return Err(if byte.is_ascii() {
                IecError::Identification
            } else {
                IecError::NotText(byte)
            });
        }
        let (manufacturer, rest) = body.split_at(3);
        if !manufacturer.iter().all(u8::is_ascii_alphabetic) {
            return Err(IecError::Identification);
        }
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        Ok(Self {
            line: text(body),
            manufacturer: text(manufacturer),
            baud_character: rest[0],
            ident: text(&rest[1..]).trim().to_string(),
        })
    }

    /// How the readout follows.
    pub fn mode(&self) -> Mode {
        match (self.baud_character, baud_of(self.baud_character)) {
            (b'1'..=b'6', Some(baud)) => Mode::C(baud),
            (b'A'..=b'F', Some(baud)) => Mode::B(baud),
            _ => Mode::A,
        }
    }

    /// Whether the meter reacts within 20 ms rather than 200 ms (a lower-case third letter).
    pub fn fast_reaction(&self) -> bool {
        self.manufacturer
            .as_bytes()
            .get(2)
            .is_some_and(u8::is_ascii_lowercase)
    }
}
