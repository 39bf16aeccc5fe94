//! The answers of the text protocols as an exchange receives them: an IEC 62056-21
//! identification and readout, or a `/#1` answer. The codecs do the decoding; this keeps track
//! of what the exchange still waits for.

use std::time::Instant;

use crate::iec::{self, Identification, Mode, Received};
use crate::{mc66, sml};

use super::outcome::{Answer, ExchangeFailure, Telegram};

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

/// Telegrams as they come while the link listens: taken once two are whole (an interval
/// between them is then known), or at the end of the window with what came.
#[derive(Debug, Default)]
pub(super) struct PushListener {
    receiver: sml::Receiver,
    telegrams: Vec<Telegram>,
    /// Why the last frame that failed its checks failed.
    failure: Option<sml::SmlError>,
}

/// Telegrams after which listening ends.
const ENOUGH_TELEGRAMS: usize = 2;

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

    /// Whether a pushing meter's frame has begun or come whole: listening goes on for the next.
    pub fn heard_push(&self) -> bool {
        matches!(self, Self::Push(listener)
            if listener.receiver.pending() > 0 || !listener.telegrams.is_empty())
    }

    /// At the end of the listening window: the telegrams that came, or why none did.
    pub fn listened(&mut self) -> Option<Result<Answer, ExchangeFailure>> {
        let Self::Push(listener) = self else {
            return None;
        };
        if !listener.telegrams.is_empty() {
            return Some(Ok(Answer::Pushed(std::mem::take(&mut listener.telegrams))));
        }
        listener
            .failure
            .map(|error| Err(ExchangeFailure::BadText(error.into())))
    }

    /// Bytes received that belong to no message, and bytes of one begun and never completed.
    pub fn noise(&self) -> usize {
        match self {
            Self::SignOn { receiver, .. } | Self::Readout(receiver) => {
                receiver.discarded() + receiver.pending()
            }
            Self::Mc66(receiver) => receiver.pending(),
            Self::Push(listener) => listener.receiver.discarded() + listener.receiver.pending(),
        }
    }
}

impl PushListener {
    fn push(&mut self, byte: u8, now: Instant) -> Progress {
        let decoded = match self.receiver.push(byte) {
            None => return Progress::More,
            Some(frame) => frame.and_then(|frame| {
                sml::File::decode(&frame.payload).map(|file| Telegram {
                    file,
                    at: now,
                    crc_swapped: frame.crc_swapped,
                })
            }),
        };
        match decoded {
            Ok(telegram) => {
                self.telegrams.push(telegram);
                if self.telegrams.len() >= ENOUGH_TELEGRAMS {
                    return Progress::Answer(Answer::Pushed(std::mem::take(&mut self.telegrams)));
                }
            }
            // A damaged telegram: the next may come whole.
            Err(error) => self.failure = Some(error),
        }
        Progress::More
    }
}
