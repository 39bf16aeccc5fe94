//! Serial line settings: baud rate and character framing. The link sets them on a port; a
//! simulated meter reads only what comes at its own, as a real optical eye does.

use std::fmt;
use std::time::Duration;

/// Parity of the serial line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Parity {
    /// No parity bit (what KMP uses).
    None,
    /// Even parity (IEC 62056-21 and `/#1`).
    Even,
    /// Odd parity.
    Odd,
}

/// Baud rate and character framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LineSettings {
    /// Bits per second: 1200 for most meters' optical eye, 2400 or 9600 for some.
    pub baud: u32,
    /// Data bits per character: 8 for KMP, 7 for IEC 62056-21.
    pub data_bits: u8,
    /// Parity bit.
    pub parity: Parity,
    /// Stop bits: 2 for KMP (docs/protocols.md §2), 1 also read by most meters.
    pub stop_bits: u8,
}

impl Default for LineSettings {
    /// KMP's 1200 baud, 8 data bits, no parity, 2 stop bits.
    fn default() -> Self {
        Self::KMP
    }
}

impl LineSettings {
    /// KMP's 1200 baud 8N2.
    pub const KMP: Self = Self {
        baud: 1200,
        data_bits: 8,
        parity: Parity::None,
        stop_bits: 2,
    };

    /// The 9600 8N1 meters push SML at (docs/protocols.md §11).
    pub const SML: Self = Self {
        baud: 9600,
        data_bits: 8,
        parity: Parity::None,
        stop_bits: 1,
    };

    /// IEC 62056-21's sign-on settings, 300 baud 7 data bits even parity, with `stop_bits`.
    pub const fn iec(stop_bits: u8) -> Self {
        Self {
            baud: 300,
            data_bits: 7,
            parity: Parity::Even,
            stop_bits,
        }
    }

    /// The same framing at another baud rate.
    pub const fn at(self, baud: u32) -> Self {
        Self { baud, ..self }
    }

    /// Bits on the wire per character: start bit, data, parity, stop bits.
    pub fn bits_per_byte(&self) -> u32 {
        1 + u32::from(self.data_bits)
            + u32::from(self.parity != Parity::None)
            + u32::from(self.stop_bits)
    }

    /// The bits of a byte the line carries: the low `data_bits` (5 to 8).
    pub fn data_mask(&self) -> u8 {
        u8::MAX >> (8 - self.data_bits.clamp(5, 8))
    }

    /// How long one byte takes on the wire.
    pub fn byte_time(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.bits_per_byte()) / f64::from(self.baud.max(1)))
    }

    /// Whether a receiver set to `self` reads what a sender set to `sent` sends: the same baud
    /// rate, data bits and parity, and at least as many stop bits (a second stop bit is idle
    /// line to a receiver that wants one; the reverse is not assumed). docs/protocols.md §9.
    pub fn reads(&self, sent: &Self) -> bool {
        self.baud == sent.baud
            && self.data_bits == sent.data_bits
            && self.parity == sent.parity
            && sent.stop_bits >= self.stop_bits
    }

    /// Whether a receiver set to `self` reads characters sent at `sent` with their parity bit
    /// as bit 7: it takes eight data bits without parity at the sender's rate, and the sender
    /// sends seven with parity, whose bit falls where the eighth data bit is read (docs/
    /// protocols.md §7).
    pub fn reads_with_parity_bit(&self, sent: &Self) -> bool {
        self.baud == sent.baud
            && (self.data_bits, self.parity) == (8, Parity::None)
            && sent.carries_parity_bit()
            && sent.stop_bits >= self.stop_bits
    }

    /// Whether its characters are seven bits and a parity bit, which fits beside them in a byte.
    pub fn carries_parity_bit(&self) -> bool {
        self.data_bits == 7 && self.parity != Parity::None
    }

    /// A character as it goes on the wire: for seven bits with parity, its parity bit as bit 7.
    pub fn with_parity_bit(&self, byte: u8) -> u8 {
        if !self.carries_parity_bit() {
            return byte;
        }
        let char = byte & 0x7F;
        let odd_ones = char.count_ones() % 2 == 1;
        let parity_bit = match self.parity {
            Parity::Even => odd_ones,
            _ => !odd_ones,
        };
        char | u8::from(parity_bit) << 7
    }
}

impl fmt::Display for LineSettings {
    /// `1200 8N2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parity = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        write!(
            f,
            "{} {}{}{}",
            self.baud, self.data_bits, parity, self.stop_bits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iec_lines_count_the_parity_bit() {
        assert_eq!(LineSettings::iec(1).bits_per_byte(), 10);
        assert_eq!(LineSettings::iec(2).bits_per_byte(), 11);
        assert_eq!(LineSettings::KMP.bits_per_byte(), 11);
        assert_eq!(LineSettings::iec(1).to_string(), "300 7E1");
        assert_eq!(LineSettings::iec(2).at(1200).to_string(), "1200 7E2");
    }

    #[test]
    fn a_one_stop_bit_receiver_reads_two_not_the_reverse() {
        let kmp_1 = LineSettings {
            stop_bits: 1,
            ..LineSettings::KMP
        };
        assert!(kmp_1.reads(&LineSettings::KMP));
        assert!(!LineSettings::KMP.reads(&kmp_1));
        assert!(!LineSettings::iec(1).reads(&LineSettings::KMP.at(300)));
        assert!(!LineSettings::iec(1).reads(&LineSettings::iec(1).at(1200)));
    }

    #[test]
    fn eight_data_bits_hear_a_7e1_character_with_its_parity_bit() {
        let heard_at = LineSettings::SML;
        let sent = LineSettings::iec(1).at(9600);
        assert!(heard_at.reads_with_parity_bit(&sent));
        // 'A' (0x41) has two ones, its even parity bit is 0; 'C' (0x43) has three.
        assert_eq!(sent.with_parity_bit(b'A'), 0x41);
        assert_eq!(sent.with_parity_bit(b'C'), 0xC3);
        assert_eq!(
            heard_at.with_parity_bit(0xC3),
            0xC3,
            "eight bits carry none"
        );
        // Another baud rate, or a receiver that wants two stop bits, hears nothing.
        assert!(!heard_at.reads_with_parity_bit(&sent.at(2400)));
        let two_stop = LineSettings {
            stop_bits: 2,
            ..heard_at
        };
        assert!(!two_stop.reads_with_parity_bit(&sent));
    }
}
