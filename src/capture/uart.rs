//! The program's own UART decoder, for raw logic recordings: two channels of levels over time
//! become timed bytes, framing errors and breaks. It streams: a first pass over the level
//! changes learns each channel's idle level and shortest pulse ([`ChannelStats`]), a second
//! feeds them in time order to a [`Receiver`] per channel, which samples each bit's centre as
//! the changes arrive; nothing but the characters found is kept.
//!
//! Found from the signal, by stated rules:
//! - the idle level: the level the line starts and ends at (or, where those differ, the one it
//!   is at most of the time); a head that inverts gives an idle-low line, read inverted;
//! - the baud rate: the shortest pulse on either channel, matched to the standard rates from
//!   300 to 19200 (within 15 %), unless given;
//! - the framing: 7 data bits and even parity when the parity bit checks on every character
//!   (7E1/7E2, IEC 62056-21), else 8 data bits and no parity;
//! - the stop bits: 2 only when every gap between characters within a burst (characters closer
//!   than 4 bit times) reaches past the second stop bit's centre (1.5 bit times): a second stop
//!   bit read high before every character. Not 2 bit times exactly: a scope's slow edges and
//!   noise move a start bit's edge by a tenth of a bit or more;
//! - a framing error where the first stop bit is low; a break where the line stays low longer
//!   than a whole character.

/// What a first pass over a channel's level changes learns.
#[derive(Clone, Debug, Default)]
pub struct ChannelStats {
    initial: Option<bool>,
    level: bool,
    last_edge: Option<f64>,
    shortest: Option<f64>,
    /// Time spent high up to `since`.
    high: f64,
    since: f64,
    end: f64,
}

impl ChannelStats {
    /// The level at the start.
    pub fn start(&mut self, level: bool) {
        self.initial = Some(level);
        self.level = level;
    }

    /// A change to `level` at `t` seconds.
    pub fn edge(&mut self, t: f64, level: bool) {
        if level == self.level {
            return;
        }
        if let Some(last) = self.last_edge {
            let pulse = t - last;
            if pulse > 0.0 && self.shortest.is_none_or(|shortest| pulse < shortest) {
                self.shortest = Some(pulse);
            }
        }
        if self.level {
            self.high += t - self.since;
        }
        (self.level, self.since, self.last_edge) = (level, t, Some(t));
    }

    /// The recording ends at `end` seconds.
    pub fn finish(&mut self, end: f64) {
        if self.level {
            self.high += end - self.since;
        }
        self.since = end;
        self.end = end;
    }

    /// The level it idles at: the one it starts and ends at, or, where those differ (a
    /// recording cut mid-character), the one it spends most of its time at.
    pub fn idle_level(&self) -> bool {
        match self.initial {
            Some(initial) if initial == self.level => initial,
            _ => self.high * 2.0 >= self.end.max(f64::MIN_POSITIVE),
        }
    }
}

/// The standard rates a meter's eye or a reader may use.
pub const STANDARD_BAUDS: [u32; 7] = [300, 600, 1200, 2400, 4800, 9600, 19200];

/// The rate whose bit time is nearest the shortest pulse of `channels`, within 15 %: of the
/// first (TX, the sender's own clean output) when it fits one, else of them all (a receiver's
/// noise may pulse shorter than any bit).
pub fn detect_baud(channels: &[&ChannelStats]) -> Option<u32> {
    let first = channels.first().and_then(|channel| channel.shortest);
    first.and_then(nearest_rate).or_else(|| {
        channels
            .iter()
            .filter_map(|channel| channel.shortest)
            .min_by(f64::total_cmp)
            .and_then(nearest_rate)
    })
}

/// The standard rate whose bit time is `pulse`, within 15 %.
fn nearest_rate(pulse: f64) -> Option<u32> {
    let measured = 1.0 / pulse;
    STANDARD_BAUDS
        .into_iter()
        .min_by(|a, b| {
            let off = |baud: u32| (f64::from(baud) - measured).abs();
            off(*a).total_cmp(&off(*b))
        })
        .filter(|baud| (f64::from(*baud) - measured).abs() <= 0.15 * f64::from(*baud))
}

/// One character as read: its start, the eight bits after the start bit (data, or data and
/// parity), whether the stop bit that follows was high, and whether it was a break.
#[derive(Clone, Copy, Debug)]
pub struct Character {
    /// When its start bit began, in seconds.
    pub start: f64,
    /// The 8 bits after the start bit, least significant first.
    pub bits: u8,
    /// The first stop bit (for 7E: the bit after the parity bit) was high.
    pub stop_ok: bool,
    /// The line stayed low for longer than a whole character from `start`.
    pub brk: bool,
}

#[derive(Clone, Copy, Debug)]
enum State {
    /// Waiting for a start bit, not before `from`.
    Idle { from: f64 },
    /// Sampling the character that began at `start`; `next` is the sample to take (0 the start
    /// bit's centre, 1 to 8 the bits, 9 the stop bit).
    Sampling { start: f64, next: u8, bits: u8 },
    /// The stop bit was low: waiting for the line to return, to tell a framing error from a
    /// break.
    Held { start: f64, bits: u8 },
}

/// A UART receiver for one channel, fed its level changes in time order; see the module
/// documentation.
#[derive(Debug)]
pub struct Receiver {
    bit: f64,
    idle: bool,
    level: bool,
    state: State,
    found: Vec<Character>,
}

impl Receiver {
    /// A receiver at `baud` for a line idling at `idle`, at `level` when the recording starts.
    pub fn new(baud: u32, idle: bool, level: bool) -> Self {
        Self {
            bit: 1.0 / f64::from(baud),
            idle,
            level,
            state: State::Idle {
                from: f64::NEG_INFINITY,
            },
            found: Vec::new(),
        }
    }

    /// A change to `level` at `t` seconds.
    pub fn edge(&mut self, t: f64, level: bool) {
        self.advance(t);
        if let State::Held { start, bits } = self.state
            && level == self.idle
        {
            let brk = t - start >= 11.0 * self.bit;
            self.found.push(Character {
                start,
                bits,
                stop_ok: false,
                brk,
            });
            let from = if brk { t } else { start + 9.5 * self.bit };
            self.state = State::Idle { from };
        }
        if let State::Idle { from } = self.state
            && level != self.idle
            && level != self.level
            && t >= from
        {
            self.state = State::Sampling {
                start: t,
                next: 0,
                bits: 0,
            };
        }
        self.level = level;
    }

    /// Takes every sample due before `t` at the level the line has until then.
    fn advance(&mut self, t: f64) {
        while let State::Sampling { start, next, bits } = self.state {
            let at = start + (f64::from(next) + 0.5) * self.bit;
            if at >= t {
                return;
            }
            let one = self.level == self.idle;
            self.state = match next {
                // A glitch shorter than half a bit.
                0 if one => State::Idle { from: at },
                0 => State::Sampling {
                    start,
                    next: 1,
                    bits,
                },
                1..=8 => State::Sampling {
                    start,
                    next: next + 1,
                    bits: if one { bits | 1 << (next - 1) } else { bits },
                },
                _ if one => {
                    self.found.push(Character {
                        start,
                        bits,
                        stop_ok: true,
                        brk: false,
                    });
                    State::Idle { from: at }
                }
                _ => State::Held { start, bits },
            };
        }
    }

    /// The recording ends at `end`; gives every character found.
    pub fn finish(mut self, end: f64) -> Vec<Character> {
        self.advance(end);
        if let State::Held { start, bits } = self.state {
            self.found.push(Character {
                start,
                bits,
                stop_ok: false,
                brk: end - start >= 11.0 * self.bit,
            });
        }
        self.found
    }
}

/// The framing found from the characters of both channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Framing {
    /// 7 with even parity, or 8 without.
    pub data_bits: u8,
    /// Whether there is an even parity bit.
    pub even_parity: bool,
    /// 1 or 2.
    pub stop_bits: u8,
}

/// The framing `characters` show; see the module documentation.
pub fn framing(channels: &[&[Character]], baud: u32) -> Framing {
    let all = || channels.iter().flat_map(|characters| characters.iter());
    let whole: Vec<&Character> = all().filter(|c| c.stop_ok && !c.brk).collect();
    let even_parity = !whole.is_empty() && whole.iter().all(|c| c.bits.count_ones() % 2 == 0);
    let bit = 1.0 / f64::from(baud);
    let character_bits = 9.0; // start and 8 bits (7 data and parity, or 8 data)
    let mut gaps = Vec::new();
    for characters in channels {
        for pair in characters.windows(2) {
            let gap = (pair[1].start - pair[0].start) / bit - character_bits;
            if gap < 4.0 {
                gaps.push(gap);
            }
        }
    }
    let two_stop_bits = !gaps.is_empty() && gaps.iter().all(|gap| *gap >= 1.5);
    Framing {
        data_bits: if even_parity { 7 } else { 8 },
        even_parity,
        stop_bits: if two_stop_bits { 2 } else { 1 },
    }
}

#[cfg(test)]
mod tests;
