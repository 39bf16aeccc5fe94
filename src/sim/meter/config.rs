//! What makes one simulated meter: its profile, address, head, timing, eye and faults.

use std::time::Duration;

use jiff::civil::DateTime;

use crate::kmp::DEFAULT_DESTINATION;
use crate::line::LineSettings;
use crate::sim::faults::Faults;
use crate::sim::profile::{Profile, Speech};

/// How long bytes take on the wire and how long the meter thinks before it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Whether bytes take their line's time on the wire; off for a pseudo-terminal at full speed.
    pub paced: bool,
    /// From the end of a request to the start of the answer.
    pub latency: Duration,
}

impl Timing {
    /// No pacing and no latency: what tests use.
    pub const INSTANT: Self = Self {
        paced: false,
        latency: Duration::ZERO,
    };

    /// Real time: bytes paced at the line settings in use, answers after `latency`.
    pub fn realtime(latency: Duration) -> Self {
        Self {
            paced: true,
            latency,
        }
    }
}

/// Everything that makes one simulated meter.
#[derive(Clone, Debug, PartialEq)]
pub struct MeterConfig {
    /// Which meter it is.
    pub profile: Profile,
    /// The destination address it answers to.
    pub address: u8,
    /// The baud rate of an eye whose rate differs between meters, where it is not the usual
    /// one: a KMP eye's (1200, or 2400 and 9600 for some electricity meters, docs/protocols.md
    /// §2), a meter pushing mode D (9600, 2400 or 300). The other protocols keep their own.
    pub baud: Option<u32>,
    /// Whether the head echoes every byte it sends.
    pub echo: bool,
    /// Wire pacing and answer latency.
    pub timing: Timing,
    /// How long after a magnet is placed the eye answers.
    pub magnet_delay: Duration,
    /// The eye sleeps after this long without a request, until the magnet is placed again.
    pub sleep_after: Option<Duration>,
    /// The eye answers this many requests, then stays silent until the magnet is placed again.
    pub budget: Option<u32>,
    /// Corrupted, dropped and noisy answers.
    pub faults: Faults,
    /// A pushing meter locked with its PIN: it sends only the energy registers, in whole kWh.
    pub pin_locked: bool,
    /// Share of KMP answers, from 0.0 to 1.0, that come late (a fault): held back past their
    /// own exchange, then sent whole just before the meter's next answer, so a client waiting
    /// for the answer to a later request receives a valid answer to an earlier one first.
    pub late: f64,
    /// Seed of the measurements and the faults.
    pub seed: u64,
    /// What the meter's clock reads at the start.
    pub clock_start: DateTime,
    /// Keep a log of the answers sent ([`super::Meter::take_sent`]), for tests that check every
    /// one arrived; off by default, since a meter that serves for days would fill it.
    pub log_answers: bool,
}

impl MeterConfig {
    /// A well-behaved meter of `profile`: no echo, no pacing, the profile's wake-up delay.
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            address: DEFAULT_DESTINATION,
            baud: None,
            echo: false,
            timing: Timing::INSTANT,
            magnet_delay: profile.default_magnet_delay(),
            sleep_after: None,
            budget: None,
            faults: Faults::default(),
            pin_locked: false,
            late: 0.0,
            seed: 1,
            clock_start: jiff::civil::date(2026, 1, 1).at(12, 0, 0, 0),
            log_answers: false,
        }
    }

    /// The settings a client that talks to this meter right starts at.
    pub fn line(&self) -> LineSettings {
        match (self.profile.speech(), self.baud) {
            (Speech::Kmp, baud) => LineSettings::KMP.at(baud.unwrap_or(LineSettings::KMP.baud)),
            (Speech::ModeD(speech), Some(baud)) => speech.line.at(baud),
            _ => self.profile.line(),
        }
    }
}
