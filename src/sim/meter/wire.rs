//! The line from the meter to the client: bytes queued to leave at their times and settings,
//! and the client's settings over time, which decide how each byte is read when it arrives: as
//! sent, not at all, or, by a receiver faster than the sender, as the garbage a UART makes of a
//! slow signal.

use std::collections::VecDeque;
use std::time::Instant;

use crate::line::{LineSettings, Parity};

/// A byte queued to leave, at the settings it is sent with.
#[derive(Clone, Copy, Debug)]
struct Outgoing {
    /// When it has fully left.
    at: Instant,
    byte: u8,
    line: LineSettings,
    /// Whether bit 7 is the parity bit of a 7-bit character ([`LineSettings::with_parity_bit`]),
    /// as the meter sends its characters; an echo is the client's own byte.
    parity_bit: bool,
}

/// The meter's side of the line; see the module documentation.
#[derive(Debug)]
pub(super) struct Wire {
    /// Bytes to send, in time order.
    outgoing: VecDeque<Outgoing>,
    /// The client's settings for every byte still queued, until the first of `changes`.
    client_line: LineSettings,
    /// Later settings of the client from the time each took effect, oldest first.
    changes: VecDeque<(Instant, LineSettings)>,
}

impl Wire {
    /// An empty line whose client is at `line`.
    pub fn new(line: LineSettings) -> Self {
        Self {
            outgoing: VecDeque::new(),
            client_line: line,
            changes: VecDeque::new(),
        }
    }

    /// The client's line settings after every change so far.
    pub fn client_line(&self) -> LineSettings {
        self.changes
            .back()
            .map_or(self.client_line, |&(_, line)| line)
    }

    /// The client set its port to `line` at `now`.
    pub fn set_client_line(&mut self, line: LineSettings, now: Instant) {
        if self.client_line() != line {
            self.changes.push_back((now, line));
        }
    }

    /// Queues the client's own `byte`, echoed at `line`, to have fully left at `at`.
    pub fn queue_echo(&mut self, at: Instant, byte: u8, line: LineSettings) {
        self.queue(Outgoing {
            at,
            byte,
            line,
            parity_bit: false,
        });
    }

    /// Queues a character the meter sends at `line`, to have fully left at `at`: for seven
    /// bits with parity, its parity bit as bit 7, where noise may have flipped it.
    pub fn queue_sent(&mut self, at: Instant, byte: u8, line: LineSettings) {
        self.queue(Outgoing {
            at,
            byte,
            line,
            parity_bit: line.carries_parity_bit(),
        });
    }

    fn queue(&mut self, outgoing: Outgoing) {
        let idx = self
            .outgoing
            .partition_point(|queued| queued.at <= outgoing.at);
        self.outgoing.insert(idx, outgoing);
    }

    /// When the next byte is due, if one is queued.
    pub fn next_due(&self) -> Option<Instant> {
        self.outgoing.front().map(|outgoing| outgoing.at)
    }

    /// Takes the bytes due by `now`, as the client's settings read them when they arrived (as
    /// sent, with their parity bit, or as [`misheard`] garbage), and how many it could not
    /// read.
    pub fn due(&mut self, now: Instant) -> (Vec<u8>, u64) {
        let (mut read, mut unheard) = (Vec::new(), 0);
        while let Some(&Outgoing {
            at,
            byte,
            line,
            parity_bit,
        }) = self.outgoing.front()
        {
            if at > now {
                break;
            }
            self.outgoing.pop_front();
            let client = self.client_line_at(at);
            if client.reads(&line) {
                // A UART set to seven bits hands on the character, not its parity bit (nor,
                // set as this program's ports are, whether it was right).
                read.push(if parity_bit { byte & 0x7F } else { byte });
            } else if client.reads_with_parity_bit(&line) {
                read.push(if parity_bit {
                    byte
                } else {
                    line.with_parity_bit(byte)
                });
            } else {
                unheard += 1;
                if client.baud > line.baud {
                    read.extend(misheard(byte, line, client));
                }
            }
        }
        (read, unheard)
    }

    /// The client's settings at `at`. Bytes are taken in time order, so settings replaced
    /// before `at` are needed no more.
    fn client_line_at(&mut self, at: Instant) -> LineSettings {
        while let Some(&(_, line)) = self.changes.front().filter(|(since, _)| *since <= at) {
            self.client_line = line;
            self.changes.pop_front();
        }
        self.client_line
    }
}

/// What a receiver at `client`, faster than the sender at `sent`, reads of one character: it
/// takes each falling edge of the slow signal for a start bit and samples the middle of its own
/// bit times from there. A character whose stop bit (or parity) samples wrong is a framing (or
/// parity) error, which a serial driver in raw mode hands on as 0x00. So a meter pushing at 2400
/// baud, heard at 9600, gives a byte or two of garbage for each it sends.
pub(super) fn misheard(byte: u8, sent: LineSettings, client: LineSettings) -> Vec<u8> {
    let mut levels = vec![false];
    levels.extend((0..sent.data_bits).map(|bit| byte >> bit & 1 == 1));
    let ones = (byte & sent.data_mask()).count_ones();
    match sent.parity {
        Parity::None => {}
        Parity::Even => levels.push(ones % 2 == 1),
        Parity::Odd => levels.push(ones.is_multiple_of(2)),
    }
    levels.extend(std::iter::repeat_n(true, usize::from(sent.stop_bits)));
    // In the receiver's bit times: each sent bit lasts `slow` of them.
    let slow = f64::from(client.baud) / f64::from(sent.baud.max(1));
    let level = |time: f64| levels.get((time / slow) as usize).copied().unwrap_or(true);
    let data_bits = usize::from(client.data_bits);
    let mut heard = Vec::new();
    let mut start = 0.0;
    loop {
        let sample = |bit: usize| level(start + 1.5 + bit as f64);
        let mut char = 0u8;
        for bit in 0..data_bits {
            char |= u8::from(sample(bit)) << bit;
        }
        let mut last = data_bits;
        let parity_ok = match client.parity {
            Parity::None => true,
            parity => {
                let ones = char.count_ones() + u32::from(sample(last));
                last += 1;
                ones.is_multiple_of(2) == (parity == Parity::Even)
            }
        };
        let stop = start + 1.5 + last as f64;
        heard.push(if level(stop) && parity_ok { char } else { 0 });
        // The next falling edge after the stop bit's sample, at a sent bit's boundary.
        let from = (stop / slow).floor() as usize + 1;
        match (from..levels.len()).find(|&index| levels[index - 1] && !levels[index]) {
            Some(index) => start = index as f64 * slow,
            None => return heard,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receiver_at_the_senders_settings_reads_each_character_once() {
        for byte in [0x00, 0x55, 0xA5, 0xFF, b'/'] {
            assert_eq!(misheard(byte, LineSettings::SML, LineSettings::SML), [byte]);
        }
    }

    #[test]
    fn a_faster_receiver_reads_garbage_from_each_slow_character() {
        let mode_d = LineSettings::iec(1).at(2400);
        let text = b"/SIM5MODED\r\n1-0:1.8.0*255(023456.78*kWh)\r\n!\r\n";
        let heard: Vec<u8> = text
            .iter()
            .flat_map(|&byte| misheard(byte, mode_d, LineSettings::SML))
            .collect();
        assert!(
            heard.len() >= text.len(),
            "{} of {}",
            heard.len(),
            text.len()
        );
        assert!(
            !heard.windows(2).any(|pair| pair == b"\r\n"),
            "{heard:02X?}"
        );
        // At 300 baud each character's start bit alone outlasts a 9600-baud character.
        let slow = misheard(b'/', mode_d.at(300), LineSettings::SML);
        assert_eq!(slow[0], 0, "a framing error");
    }
}
