//! The answers of the text protocols as an exchange receives them: an IEC 62056-21
//! identification and readout, a `/#1` answer, or what a meter pushes. The codecs do the
//! decoding; this keeps track of what the exchange still waits for.

use std::time::Instant;

use crate::iec::{self, Identification, Mode, Received};
use crate::{mc66, sml};

use crate::protocol::Protocol;

use super::outcome::{Answer, ExchangeFailure, Telegram, TelegramBody, TextError};

/// What one byte did to the answer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Progress {
    /// Nothing whole yet.
    More,
    /// A mode A identification came whole: its readout follows after the meter's reaction
    /// time, which the exchange waits for as for a first byte.
    ReadoutFollows(Identification),
    /// The answer is whole.
    Answer(Answer),
    /// A message came whole and failed its checks: the meter sends nothing more to this request.
    Failed(ExchangeFailure),
}

/// The receiver of one text exchange.
#[derive(Debug)]
pub(super) enum TextReceiver {
    /// The answer to the sign-on: the identification, and in mode A the readout after it.
    SignOn {
        receiver: iec::Receiver,
        /// A mode A identification, and when it came whole.
        identification: Option<(Identification, Instant)>,
    },
    /// The readout after an option select.
    Readout(iec::Receiver),
    /// The `/#1` answer.
    Mc66(mc66::Receiver),
    /// What a meter pushes while the link listens.
    Push(PushListener),
}

/// Telegrams as they come while the link listens, in SML or in mode D text, whichever the meter
/// pushes: each byte goes to both receivers until a telegram has come whole in one. Listening
/// ends once enough are whole (two time the interval between them), or at the end of the window
/// with what came.
#[derive(Debug)]
pub(super) struct PushListener {
    /// The telegrams after which listening ends.
    enough: usize,
    sml: sml::Receiver,
    text: iec::TelegramReceiver,
    /// Of the text telegram begun: whether a character came with bit 7 set (a 7E1 character
    /// read at eight data bits), and the first that failed even parity.
    high_bit: bool,
    odd: Option<u8>,
    telegrams: Vec<Telegram>,
    /// Why the last telegram that failed its checks failed.
    failure: Option<TextError>,
    /// Bytes outside any SML frame that are no text character either: what a receiver faster
    /// than the meter makes of its characters.
    misheard: usize,
    /// Telegrams that came whole, and that failed their checks.
    whole: u32,
    damaged: u32,
    /// Whether an SML frame has begun: its start sequence is never text.
    sml_begun: bool,
}

impl TextReceiver {
    /// Takes one byte, received at `now`.
    pub fn push(&mut self, byte: u8, now: Instant) -> Progress {
        match self {
            Self::SignOn {
                receiver,
                identification,
            } => match receiver.push(byte) {
                Some(Received::Identification(Ok(ident))) if identification.is_none() => {
                    match ident.mode() {
                        // Mode B switches the baud rate at once, which this program does not
                        // follow; mode C waits for the option select.
                        Mode::C(_) | Mode::B(_) => Progress::Answer(Answer::SignedOn {
                            identification: ident,
                            identified_at: now,
                            readout: None,
                        }),
                        Mode::A => {
                            *identification = Some((ident.clone(), now));
                            Progress::ReadoutFollows(ident)
                        }
                    }
                }
                Some(Received::Readout(Ok(readout))) => match identification.take() {
                    Some((identification, identified_at)) => Progress::Answer(Answer::SignedOn {
                        identification,
                        identified_at,
                        readout: Some(readout),
                    }),
                    // A block without an identification before it is not the sign-on's answer.
                    None => Progress::Failed(ExchangeFailure::BadText(
                        iec::IecError::Identification.into(),
                    )),
                },
                Some(Received::Identification(Err(error)) | Received::Readout(Err(error))) => {
                    Progress::Failed(ExchangeFailure::BadText(error.into()))
                }
                _ => Progress::More,
            },
            Self::Readout(receiver) => match receiver.push(byte) {
                Some(Received::Readout(Ok(readout))) => Progress::Answer(Answer::Readout(readout)),
                Some(Received::Readout(Err(error))) => {
                    Progress::Failed(ExchangeFailure::BadText(error.into()))
                }
                _ => Progress::More,
            },
            Self::Mc66(receiver) => match receiver.push(byte) {
                Some(Ok(answer)) => Progress::Answer(Answer::Mc66(answer)),
                Some(Err(error)) => Progress::Failed(ExchangeFailure::BadText(error.into())),
                None => Progress::More,
            },
            Self::Push(listener) => listener.push(byte, now),
        }
    }

    /// Whether a pushing meter's telegram has begun or come whole: listening goes on for the
    /// next.
    pub fn heard_push(&self) -> bool {
        matches!(self, Self::Push(listener) if listener.pending())
    }

    /// At the end of the listening window: the telegrams that came, or why none did.
    pub fn listened(&mut self) -> Option<Result<Answer, ExchangeFailure>> {
        let Self::Push(listener) = self else {
            return None;
        };
        if !listener.telegrams.is_empty() {
            return Some(Ok(listener.answer()));
        }
        listener
            .failure
            .map(|error| Err(ExchangeFailure::BadText(error)))
    }

    /// Of a listen: bytes outside any SML frame that are no text character either, heard with
    /// no telegram begun; a listen ends early on them.
    pub fn misheard(&self) -> usize {
        match self {
            Self::Push(listener) if !listener.pending() => listener.misheard,
            _ => 0,
        }
    }

    /// Of a listen: the telegrams that came whole and those that failed their checks.
    pub fn telegrams_heard(&self) -> Option<(u32, u32)> {
        match self {
            Self::Push(listener) => Some((listener.whole, listener.damaged)),
            _ => None,
        }
    }

    /// Bytes received that belong to no message, and bytes of one begun and never completed.
    pub fn noise(&self) -> usize {
        match self {
            Self::SignOn { receiver, .. } | Self::Readout(receiver) => {
                receiver.discarded() + receiver.pending()
            }
            Self::Mc66(receiver) => receiver.pending(),
            Self::Push(listener) => listener.noise(),
        }
    }
}

impl PushListener {
    /// Listens until `telegrams` are whole (one at least).
    pub fn new(telegrams: u8) -> Self {
        Self {
            enough: usize::from(telegrams.max(1)),
            sml: sml::Receiver::new(),
            text: iec::TelegramReceiver::new(),
            high_bit: false,
            odd: None,
            telegrams: Vec::new(),
            failure: None,
            misheard: 0,
            whole: 0,
            damaged: 0,
            sml_begun: false,
        }
    }

    fn push(&mut self, byte: u8, now: Instant) -> Progress {
        let heard = self.telegrams.first().map(Telegram::protocol);
        let decoded = match heard {
            Some(Protocol::Sml) => self.push_sml(byte),
            Some(_) => self.push_text(byte),
            None => {
                let sml = self.push_sml(byte);
                self.sml_begun |= self.sml.pending() > 0;
                let text = self.push_text(byte);
                // SML's binary holds `/` now and then, which the text receiver takes for the
                // start of a telegram that then fails: once an SML frame has begun, it is noise.
                sml.or(text.filter(|text| text.is_ok() || !self.sml_begun))
            }
        };
        if self.sml.pending() == 0 && !is_text(byte) {
            self.misheard += 1;
        }
        match decoded {
            None => {}
            Some(Ok(body)) => {
                self.whole += 1;
                self.telegrams.push(Telegram { body, at: now });
                if self.telegrams.len() >= self.enough {
                    return Progress::Answer(self.answer());
                }
            }
            // A damaged telegram: the next may come whole.
            Some(Err(error)) => {
                self.damaged += 1;
                self.failure = Some(error);
            }
        }
        Progress::More
    }

    /// The telegrams heard, taken.
    fn answer(&mut self) -> Answer {
        Answer::Pushed {
            telegrams: std::mem::take(&mut self.telegrams),
            damaged: self.damaged,
        }
    }

    fn push_sml(&mut self, byte: u8) -> Option<Result<TelegramBody, TextError>> {
        let frame = match self.sml.push(byte)? {
            Ok(frame) => frame,
            Err(error) => return Some(Err(error.into())),
        };
        Some(
            sml::File::decode(&frame.payload)
                .map(|file| TelegramBody::Sml {
                    file,
                    crc_swapped: frame.crc_swapped,
                })
                .map_err(TextError::from),
        )
    }

    /// Takes `byte` as a 7-bit character; a telegram whose characters carry a parity bit must
    /// have every one even.
    fn push_text(&mut self, byte: u8) -> Option<Result<TelegramBody, TextError>> {
        if self.text.pending() == 0 {
            (self.high_bit, self.odd) = (false, None);
        }
        self.high_bit |= byte & 0x80 != 0;
        if self.odd.is_none() && iec::strip_parity(byte).is_err() {
            self.odd = Some(byte);
        }
        let telegram = match self.text.push(byte & 0x7F)? {
            Ok(telegram) => telegram,
            Err(error) => return Some(Err(TextError::ModeD(error))),
        };
        if let Some(odd) = self.odd.filter(|_| self.high_bit) {
            return Some(Err(TextError::ModeD(iec::IecError::Parity(odd))));
        }
        Some(Ok(TelegramBody::ModeD {
            telegram,
            parity: self.high_bit,
        }))
    }

    fn pending(&self) -> bool {
        self.sml.pending() > 0 || self.text.pending() > 0 || !self.telegrams.is_empty()
    }

    /// Bytes neither receiver could place, or of the protocol heard.
    fn noise(&self) -> usize {
        let sml = self.sml.discarded() + self.sml.pending();
        let text = self.text.discarded() + self.text.pending();
        match self.telegrams.first().map(Telegram::protocol) {
            Some(Protocol::Sml) => sml,
            Some(_) => text,
            None => sml.min(text),
        }
    }
}

/// Whether `byte` is a text character: printable, a line end, STX or ETX, as sent at 8N1 or 7E1
/// (with its even parity bit as bit 7).
fn is_text(byte: u8) -> bool {
    let char = byte & 0x7F;
    let texty = matches!(char, 0x20..=0x7E | b'\r' | b'\n' | iec::STX | iec::ETX);
    texty && (byte < 0x80 || iec::strip_parity(byte).is_ok())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::line::LineSettings;
    use crate::sim::{Meter, MeterConfig, Profile};

    /// What the simulated pushing meters send at 9600 8N1 in their first seconds: SML, SML
    /// locked with its PIN, mode D (with its parity bits, as eight data bits hear it).
    fn pushed_corpus() -> Vec<Vec<u8>> {
        let start = Instant::now();
        let mut sml_locked = MeterConfig::new(Profile::SmlPush);
        sml_locked.pin_locked = true;
        let configs = [
            MeterConfig::new(Profile::SmlPush),
            sml_locked,
            MeterConfig::new(Profile::IecModeD),
        ];
        configs
            .into_iter()
            .map(|config| {
                let mut meter = Meter::new(config, start);
                meter.set_line(LineSettings::SML, start);
                let until = start + Duration::from_millis(2500);
                let mut bytes = Vec::new();
                while let Some(due) = meter.poll_timeout().filter(|&due| due <= until) {
                    bytes.extend(meter.poll_transmit(due).unwrap_or_default());
                }
                assert!(bytes.len() > 100);
                bytes
            })
            .collect()
    }

    #[test]
    fn random_and_mutated_pushes_never_panic_the_listener_and_what_it_accepts_holds() {
        let mut rng = fastrand::Rng::with_seed(0x5053_4D4C_2026);
        let corpus = pushed_corpus();
        let now = Instant::now();
        let (mut accepted, mut cases) = (0, 0);
        while cases < 20_000 {
            cases += 1;
            let bytes = if cases % 4 == 0 {
                let len = rng.usize(0..400);
                std::iter::repeat_with(|| rng.u8(..)).take(len).collect()
            } else {
                let pick = rng.usize(0..corpus.len());
                crate::kmp::fuzz_tests::mutate(&mut rng, &corpus[pick])
            };
            let mut listener = PushListener::new(2);
            for &byte in &bytes {
                let Progress::Answer(Answer::Pushed { telegrams, .. }) = listener.push(byte, now)
                else {
                    continue;
                };
                accepted += 1;
                for telegram in telegrams {
                    if let TelegramBody::Sml { file, .. } = &telegram.body {
                        // What passed its CRC decodes to messages that encode and read back.
                        let again = sml::File::decode(&file.encode()).unwrap();
                        assert_eq!(&again, file);
                    }
                    let _ = telegram.readings();
                }
            }
            assert!(listener.noise() <= bytes.len());
        }
        assert!(accepted > 100, "only {accepted} of {cases} cases accepted");
    }

    #[test]
    fn slashes_in_sml_binary_are_no_damaged_text_telegrams() {
        let file = sml::File {
            messages: vec![sml::Message {
                // Each `/` would begin a mode D telegram, the next cut it short.
                transaction_id: b"/a/b/".to_vec(),
                group: 0,
                abort_on_error: 0,
                body: sml::Body::CloseResponse,
            }],
        };
        let frame = sml::encode_frame(&file.encode());
        let mut listener = PushListener::new(3);
        let now = Instant::now();
        for &byte in frame.iter().chain(&frame) {
            assert!(matches!(listener.push(byte, now), Progress::More));
        }
        assert_eq!((listener.whole, listener.damaged), (2, 0));
        assert_eq!(listener.telegrams[0].protocol(), Protocol::Sml);
    }
}
