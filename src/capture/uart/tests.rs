//! The UART decoder on signals built bit by bit.

use super::*;

/// A channel's level changes, as a recording gives them.
struct Channel {
    initial: bool,
    edges: Vec<(f64, bool)>,
    end: f64,
}

impl Channel {
    fn stats(&self) -> ChannelStats {
        let mut stats = ChannelStats::default();
        stats.start(self.initial);
        for &(t, level) in &self.edges {
            stats.edge(t, level);
        }
        stats.finish(self.end);
        stats
    }

    fn idle_level(&self) -> bool {
        self.stats().idle_level()
    }
}

fn characters(channel: &Channel, baud: u32, idle: bool) -> Vec<Character> {
    let mut receiver = Receiver::new(baud, idle, channel.initial);
    for &(t, level) in &channel.edges {
        receiver.edge(t, level);
    }
    receiver.finish(channel.end)
}

/// The bit levels of `bytes` on a line: each character a start bit, the data bits, the even
/// parity bit if `parity`, then `stop_bits` and `idle_bits` more of idle.
fn bit_levels(
    bytes: &[u8],
    data_bits: u8,
    parity: bool,
    stop_bits: u8,
    idle_bits: u8,
) -> Vec<bool> {
    let mut levels = Vec::new();
    for &byte in bytes {
        levels.push(false);
        let data: Vec<bool> = (0..data_bits).map(|k| byte >> k & 1 == 1).collect();
        let ones = data.iter().filter(|b| **b).count();
        levels.extend(&data);
        if parity {
            levels.push(ones % 2 == 1);
        }
        levels.extend(std::iter::repeat_n(
            true,
            usize::from(stop_bits + idle_bits),
        ));
    }
    levels
}

/// Runs of one bit time each.
fn runs_of(levels: &[bool]) -> Vec<(f64, bool)> {
    levels.iter().map(|&level| (1.0, level)).collect()
}

/// The channel a recording gives of a line that starts idle and goes through `runs` (each a
/// length in bit times and a level) at `baud`; `inverted` for a head whose line idles low;
/// with a `samplerate`, each change lands on the sample that saw it, and a run shorter than a
/// sample may vanish, as in a real recording.
fn recorded(runs: &[(f64, bool)], baud: u32, inverted: bool, samplerate: Option<f64>) -> Channel {
    let bit = 1.0 / f64::from(baud);
    let on_sample = |t: f64| samplerate.map_or(t, |rate| (t * rate).round() / rate);
    let (mut t, mut line, mut edges) = (0.0, true, Vec::new());
    for &(length, level) in runs {
        let at = on_sample(t * bit);
        t += length;
        if level != line && on_sample(t * bit) > at {
            edges.push((at, level != inverted));
            line = level;
        }
    }
    Channel {
        initial: !inverted,
        edges,
        end: on_sample(t * bit),
    }
}

/// A line carrying `bytes` at `baud` (see [`bit_levels`]) between 10 bit times of idle.
fn signal(
    bytes: &[u8],
    baud: u32,
    data_bits: u8,
    parity: bool,
    stop_bits: u8,
    idle_bits: u8,
    inverted: bool,
) -> Channel {
    let mut levels = vec![true; 10];
    levels.extend(bit_levels(bytes, data_bits, parity, stop_bits, idle_bits));
    levels.extend([true; 10]);
    recorded(&runs_of(&levels), baud, inverted, None)
}

fn decoded(channel: &Channel, baud: u32, framing: Framing) -> Vec<u8> {
    characters(channel, baud, channel.idle_level())
        .iter()
        .map(|c| {
            if framing.even_parity {
                c.bits & 0x7F
            } else {
                c.bits
            }
        })
        .collect()
}

#[test]
fn an_iec_sign_on_is_read_as_7e1_at_300_baud() {
    let sign_on = b"/?!\\r\\n";
    let channel = signal(sign_on, 300, 7, true, 1, 0, false);
    let baud = detect_baud(&[&channel.stats()]).unwrap();
    assert_eq!(baud, 300);
    let found = framing(&[&characters(&channel, baud, true)], baud);
    assert_eq!(
        found,
        Framing {
            data_bits: 7,
            even_parity: true,
            stop_bits: 1
        }
    );
    assert_eq!(decoded(&channel, baud, found), sign_on);
}

#[test]
fn kmp_bytes_are_8n2_when_every_gap_is_two_bits_and_8n1_otherwise() {
    let frame = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x44, 0x4D, 0xC0, 0x0D];
    for (baud, stop_bits, want) in [(1200, 2, 2), (2400, 1, 1), (9600, 2, 2)] {
        let channel = signal(&frame, baud, 8, false, stop_bits, 0, false);
        assert_eq!(detect_baud(&[&channel.stats()]), Some(baud));
        let found = framing(&[&characters(&channel, baud, true)], baud);
        assert_eq!(found.stop_bits, want, "{baud}");
        assert!(!found.even_parity);
        assert_eq!(decoded(&channel, baud, found), frame, "{baud} {stop_bits}");
    }
}

#[test]
fn an_inverted_line_is_read_inverted() {
    let frame = [0x40, 0x3F, 0x10, 0x0D];
    let channel = signal(&frame, 1200, 8, false, 2, 3, true);
    assert!(!channel.idle_level());
    let found = framing(&[&characters(&channel, 1200, false)], 1200);
    assert_eq!(decoded(&channel, 1200, found), frame);
}

#[test]
fn a_line_held_low_is_a_break_and_a_low_stop_bit_a_framing_error() {
    let bit = 1.0 / 1200.0;
    // Low from 10 bits for 30 bits: a break; then a 0x00 whose stop bit is low for one bit.
    let channel = Channel {
        initial: true,
        edges: vec![
            (10.0 * bit, false),
            (40.0 * bit, true),
            (50.0 * bit, false),
            (60.0 * bit, true),
        ],
        end: 80.0 * bit,
    };
    let found = characters(&channel, 1200, true);
    assert_eq!(found.len(), 2);
    assert!(found[0].brk);
    assert!(!found[1].brk && !found[1].stop_ok && found[1].bits == 0);
}

#[test]
fn a_pulse_matching_no_standard_rate_gives_none() {
    let channel = signal(&[0x55], 1000, 8, false, 1, 0, false);
    assert_eq!(detect_baud(&[&channel.stats()]), None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const FRAMINGS: [(u8, bool, u8); 4] =
        [(7, true, 1), (7, true, 2), (8, false, 1), (8, false, 2)];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Random bytes at a random standard rate and framing, sampled at 10 to 60 times the
        /// rate, decode back to the same bytes, framing and (where a one-bit pulse shows it)
        /// rate. An 8-bit line on which every byte has even parity reads as 7E (the signals are
        /// the same), so such byte sets are left out.
        #[test]
        fn random_bytes_at_a_random_rate_and_framing_decode_back(
            bytes in prop::collection::vec(any::<u8>(), 1..40),
            baud in prop::sample::select(STANDARD_BAUDS.to_vec()),
            (data_bits, parity, stop_bits) in prop::sample::select(FRAMINGS.to_vec()),
            idle_bits in 0u8..3,
            inverted in any::<bool>(),
            oversampling in 10.0f64..60.0,
        ) {
            let sent: Vec<u8> = if parity { bytes.iter().map(|b| b & 0x7F).collect() } else { bytes };
            prop_assume!(parity || sent.iter().any(|b| b.count_ones() % 2 == 1));
            let mut levels = vec![true; 10];
            levels.extend(bit_levels(&sent, data_bits, parity, stop_bits, idle_bits));
            levels.extend([true; 10]);
            let samplerate = f64::from(baud) * oversampling;
            let channel = recorded(&runs_of(&levels), baud, inverted, Some(samplerate));

            let one_bit_pulse = levels.windows(3).any(|w| w[0] != w[1] && w[1] != w[2]);
            if one_bit_pulse {
                prop_assert_eq!(detect_baud(&[&channel.stats()]), Some(baud));
            }
            prop_assert_eq!(channel.idle_level(), !inverted);
            let found_characters = characters(&channel, baud, !inverted);
            prop_assert!(found_characters.iter().all(|c| c.stop_ok && !c.brk));
            let found = framing(&[&found_characters], baud);
            prop_assert_eq!((found.data_bits, found.even_parity), (data_bits, parity));
            if sent.len() > 1 && idle_bits == 0 {
                prop_assert_eq!(found.stop_bits, stop_bits);
            }
            prop_assert_eq!(decoded(&channel, baud, found), sent);
        }

        /// Glitches and pulses of any length before and between frames (8N2 at 1200 baud) give
        /// framing errors, breaks or stray bytes, never a panic; after 12 bit times of idle the
        /// receiver has its footing again and every frame comes through whole.
        #[test]
        fn noise_before_and_between_frames_never_panics_and_spares_the_frames(
            frames in prop::collection::vec(
                (
                    prop::collection::vec((0.05f64..30.0, any::<bool>()), 0..20),
                    prop::collection::vec(any::<u8>(), 1..12),
                ),
                1..4,
            ),
        ) {
            let mut runs = runs_of(&[true; 10]);
            for (noise, frame) in &frames {
                runs.extend(noise);
                runs.extend(runs_of(&[true; 12]));
                runs.extend(runs_of(&bit_levels(frame, 8, false, 2, 0)));
            }
            runs.extend(runs_of(&[true; 12]));
            let channel = recorded(&runs, 1200, false, Some(1e6));
            let _ = detect_baud(&[&channel.stats()]);
            let found_characters = characters(&channel, 1200, true);
            let _ = framing(&[&found_characters], 1200);
            let bytes: Vec<u8> = found_characters.iter().map(|c| c.bits).collect();
            let mut from = 0;
            for (_, frame) in &frames {
                let at = bytes[from..]
                    .windows(frame.len())
                    .position(|window| window == frame.as_slice());
                prop_assert!(at.is_some(), "{frame:02X?} not in {bytes:02X?}");
                from += at.unwrap_or(0) + frame.len();
            }
        }
    }
}
