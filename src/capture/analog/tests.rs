use super::*;
use crate::capture::Direction;
use crate::capture::raw::{RawOptions, decode};
use crate::capture::tests::bytes;

/// Samples held in memory: a test's signal.
struct Signal {
    names: Vec<String>,
    rate: f64,
    channels: Vec<Vec<f32>>,
}

impl AnalogSource for Signal {
    fn names(&self) -> &[String] {
        &self.names
    }

    fn samples(
        &mut self,
        visit: &mut dyn FnMut(f64, &[f32]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        let mut values = vec![0.0; self.channels.len()];
        for index in 0..self.channels[0].len() {
            for (value, channel) in values.iter_mut().zip(&self.channels) {
                *value = channel[index];
            }
            if visit(index as f64 / self.rate, &values).is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// `bytes` at 1200 8N2 as a line's levels, sampled at `rate`: idle high, between messages and
/// around them, 40 ms of idle.
fn levels(bytes: &[u8], rate: f64) -> Vec<bool> {
    let bit = rate / 1200.0;
    let mut bits = vec![true; (0.04 * rate) as usize];
    for &byte in bytes {
        let mut frame = vec![false];
        frame.extend((0..8).map(|i| byte >> i & 1 == 1));
        frame.extend([true, true]);
        for level in frame {
            bits.extend(std::iter::repeat_n(level, bit as usize));
        }
    }
    bits.extend(vec![true; (0.04 * rate) as usize]);
    bits
}

/// Levels as a head's receiver gives them: `low` and `high` volts, edges through an RC of `tau`
/// seconds, noise of about `noise` volts.
fn analog(levels: &[bool], rate: f64, (low, high): (f32, f32), tau: f64, noise: f32) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(7);
    let alpha = (1.0 - (-1.0 / (rate * tau)).exp()) as f32;
    let mut value = if levels[0] { high } else { low };
    levels
        .iter()
        .map(|&level| {
            let target = if level { high } else { low };
            value += (target - value) * alpha;
            value + (rng.f32() - 0.5) * 2.0 * noise
        })
        .collect()
}

const REQUEST: [u8; 9] = [0x80, 0x3F, 0x10, 0x01, 0x00, 0x3C, 0xB2, 0x5F, 0x0D];

#[test]
fn a_weak_slow_noisy_inverted_receiver_decodes_to_its_bytes_and_says_its_levels() {
    let rate = 50_000.0;
    let tx = levels(&REQUEST, rate);
    // RX: an inverting head, swinging 0.4 V above an offset of 1.1 V, slow edges, noise.
    let rx_levels: Vec<bool> = tx.iter().map(|level| !level).collect();
    let mut rx = analog(&rx_levels, rate, (1.1, 1.5), 60e-6, 0.03);
    // A glitch in the idle time before the frame, which idles low: one sample high.
    rx[200] = 1.5;
    let signal = Signal {
        names: vec!["CH1".into(), "CH2".into()],
        rate,
        channels: vec![analog(&tx, rate, (0.0, 3.3), 1e-6, 0.01), rx],
    };
    let mut replay = AnalogReplay::new(signal, None).unwrap();
    let rx_levels = replay.levels()[1];
    assert!(rx_levels.inverted && !replay.levels()[0].inverted);
    assert!((rx_levels.swing() - 0.4).abs() < 0.1, "{rx_levels:?}");
    assert!((1.2..1.4).contains(&rx_levels.threshold), "{rx_levels:?}");
    let (events, line) = decode(&mut replay, &RawOptions::default()).unwrap();
    assert_eq!(line.baud, 1200);
    assert_eq!(bytes(&events, Direction::Tx), REQUEST);
    assert_eq!(bytes(&events, Direction::Rx), REQUEST);
    // An RC of 60 µs rises from 10 % to 90 % in 2.2 of them.
    let signal = AnalogSignal::of(&replay.signal(), &line).unwrap();
    let rise = signal.rx.rise_s.unwrap();
    assert!((rise - 132e-6).abs() < 40e-6, "{rise}");
    let codes: Vec<&str> = crate::capture::signal::findings(&signal, line.baud)
        .iter()
        .map(|finding| finding.code)
        .collect();
    assert_eq!(codes, ["weak_rx", "inverted_rx"]);
}

#[test]
fn edges_slow_for_the_baud_rate_are_said() {
    let rate = 50_000.0;
    let tx = levels(&REQUEST, rate);
    // An RC of 250 µs: 10 % to 90 % in 550 µs, two thirds of a bit at 1200 baud.
    let signal = Signal {
        names: vec!["TX".into(), "RX".into()],
        rate,
        channels: vec![
            analog(&tx, rate, (0.0, 3.3), 1e-6, 0.0),
            analog(&tx, rate, (0.2, 3.3), 250e-6, 0.02),
        ],
    };
    let mut replay = AnalogReplay::new(signal, None).unwrap();
    let (events, line) = decode(&mut replay, &RawOptions::default()).unwrap();
    assert_eq!(bytes(&events, Direction::Tx), REQUEST);
    let signal = AnalogSignal::of(&replay.signal(), &line).unwrap();
    let found = crate::capture::signal::findings(&signal, line.baud);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "slow_edges");
}

#[test]
fn a_given_threshold_is_used_and_noise_alone_is_an_error_not_a_panic() {
    let rate = 20_000.0;
    let tx = analog(&levels(&REQUEST, rate), rate, (0.0, 5.0), 1e-6, 0.0);
    let signal = Signal {
        names: vec!["TX".into(), "RX".into()],
        rate,
        channels: vec![tx.clone(), tx],
    };
    let replay = AnalogReplay::new(signal, Some(4.0)).unwrap();
    assert_eq!(replay.levels()[0].threshold, 4.0);

    let mut rng = fastrand::Rng::with_seed(3);
    let noise: Vec<f32> = (0..20_000).map(|_| rng.f32()).collect();
    let signal = Signal {
        names: vec!["TX".into(), "RX".into()],
        rate,
        channels: vec![noise.clone(), noise],
    };
    let mut replay = AnalogReplay::new(signal, None).unwrap();
    // Whatever the decoder makes of it, it is said, not a panic.
    let _ = decode(&mut replay, &RawOptions::default());
    let one = Signal {
        names: vec!["TX".into()],
        rate,
        channels: vec![vec![1.0]],
    };
    assert!(AnalogReplay::new(one, None).is_err());
}

/// `levels` through a sound card's input: `amplitude` of full scale, inverted, high-passed with
/// a time constant of `tau` seconds, so it drifts to zero between edges.
fn sound_card(levels: &[bool], rate: f64, amplitude: f32, tau: f64) -> Vec<f32> {
    let alpha = (tau / (tau + 1.0 / rate)) as f32;
    let (mut out, mut last_in) = (0.0f32, if levels[0] { -amplitude } else { amplitude });
    levels
        .iter()
        .map(|&level| {
            let input = if level { -amplitude } else { amplitude };
            out = alpha * (out + input - last_in);
            last_in = input;
            out
        })
        .collect()
}

#[test]
fn an_ac_coupled_inverted_sound_card_recording_is_read_by_its_edges() {
    let rate = 48_000.0;
    let line = levels(&REQUEST, rate);
    let signal = Signal {
        names: vec!["L".into(), "R".into()],
        rate,
        channels: vec![
            sound_card(&line, rate, 0.4, 0.012),
            sound_card(&line, rate, 0.3, 0.012),
        ],
    };
    let mut replay = AnalogReplay::ac_coupled(signal).unwrap();
    assert!(!replay.in_volts());
    assert!(replay.levels()[0].inverted);
    let (events, found) = decode(&mut replay, &RawOptions::default()).unwrap();
    assert_eq!(found.baud, 1200);
    assert_eq!(bytes(&events, Direction::Tx), REQUEST);
    assert_eq!(bytes(&events, Direction::Rx), REQUEST);
}

/// `bytes` at `baud` 8N2, sampled 20 times a bit, as levels: idle before, between and after.
fn levels_at(bytes: &[u8], baud: u32) -> (Vec<bool>, f64) {
    let rate = f64::from(baud) * 20.0;
    let mut line = vec![true; 200];
    for &byte in bytes {
        let mut frame = vec![false];
        frame.extend((0..8).map(|i| byte >> i & 1 == 1));
        frame.extend([true, true]);
        for level in frame {
            line.extend(std::iter::repeat_n(level, 20));
        }
    }
    line.extend(vec![true; 200]);
    (line, rate)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any bytes at any standard rate, through a receiver with noise, an offset, a swing of its
    /// own, slow edges, inversion and glitches (or through a sound card's AC coupling), decode
    /// back to the same bytes.
    #[test]
    fn any_bytes_through_an_imperfect_receiver_decode_back(
        // 0x80 first: a KMP start, whose parity never checks, so the framing is not taken for
        // 7E1; 0x55 second: pulses of one bit, for the rate.
        tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 2..10),
        baud in proptest::sample::select(vec![300u32, 1200, 2400, 4800, 9600]),
        (low, swing) in (-0.5f32..0.5, 0.3f32..5.0),
        noise in 0.0f32..0.05,
        rc_bits in 0.0f64..0.15,
        inverted in proptest::prelude::any::<bool>(),
        glitches in 0usize..4,
        ac in proptest::prelude::any::<bool>(),
        seed in proptest::prelude::any::<u64>(),
    ) {
        let mut sent = vec![0x80, 0x55];
        sent.extend(tail);
        let (line, rate) = levels_at(&sent, baud);
        let physical: Vec<bool> = line.iter().map(|level| *level != inverted).collect();
        let tx = analog(&line, rate, (0.0, 3.3), 1e-7, 0.0);
        let rx = if ac {
            sound_card(&physical, rate, swing.min(0.9), 0.012)
        } else {
            let tau = (rc_bits / f64::from(baud)).max(1e-7);
            let mut rx = analog(&physical, rate, (low, low + swing), tau, 0.0);
            let mut rng = fastrand::Rng::with_seed(seed);
            for value in &mut rx {
                // Roughly Gaussian: the sum of three uniforms.
                let gauss: f32 = (0..3).map(|_| rng.f32() - 0.5).sum();
                *value += gauss * 2.0 * noise * swing;
            }
            // Glitches of one sample in the idle time before the first byte.
            let idle = if inverted { low + swing } else { low };
            for at in (0..glitches).map(|i| 40 + 30 * i) {
                rx[at] = idle;
            }
            rx
        };
        let signal = Signal {
            names: vec!["TX".into(), "RX".into()],
            rate,
            channels: vec![tx, rx],
        };
        let mut replay = if ac {
            AnalogReplay::ac_coupled(signal).unwrap()
        } else {
            AnalogReplay::new(signal, None).unwrap()
        };
        let (events, found) = decode(&mut replay, &RawOptions::default()).unwrap();
        proptest::prop_assert_eq!(found.baud, baud);
        proptest::prop_assert_eq!(bytes(&events, Direction::Tx), sent.clone());
        proptest::prop_assert_eq!(bytes(&events, Direction::Rx), sent);
    }

    /// Noise alone is read as whatever it is, never a panic.
    #[test]
    fn noise_alone_never_panics(seed in proptest::prelude::any::<u64>(), ac in proptest::prelude::any::<bool>()) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let noise: Vec<f32> = (0..4_000).map(|_| rng.f32() * 2.0 - 1.0).collect();
        let signal = Signal {
            names: vec!["TX".into(), "RX".into()],
            rate: 24_000.0,
            channels: vec![noise.clone(), noise.iter().rev().copied().collect()],
        };
        let replay = if ac {
            AnalogReplay::ac_coupled(signal)
        } else {
            AnalogReplay::new(signal, None)
        };
        if let Ok(mut replay) = replay {
            let _ = decode(&mut replay, &RawOptions::default());
        }
    }
}

/// GetRegister 60's answer.
const ANSWER: [u8; 16] = [
    0x40, 0x3F, 0x10, 0x00, 0x3C, 0x02, 0x04, 0x00, 0x00, 0x01, 0xE2, 0x1B, 0xBF, 0xD8, 0xEF, 0x0D,
];

/// A request heard back as an echo swinging 3 V, then an answer whose low is `answer_low`
/// volts under an idle of 3.3 V.
fn echo_and_answer(answer_low: f32) -> Signal {
    let rate = 50_000.0;
    let request = levels(&REQUEST, rate);
    let answer = levels(&ANSWER, rate);
    let tx: Vec<bool> = request
        .iter()
        .copied()
        .chain(std::iter::repeat_n(true, answer.len()))
        .collect();
    let mut rx = analog(&request, rate, (0.3, 3.3), 20e-6, 0.03);
    rx.extend(analog(&answer, rate, (answer_low, 3.3), 20e-6, 0.03));
    Signal {
        names: vec!["TX".into(), "RX".into()],
        rate,
        channels: vec![analog(&tx, rate, (0.0, 3.3), 1e-6, 0.0), rx],
    }
}

/// Decodes `signal` with `threshold`: RX's bytes, and the findings.
fn heard_in(
    signal: Signal,
    threshold: Option<f32>,
) -> (Vec<u8>, Vec<crate::capture::signal::Finding>) {
    let mut replay = AnalogReplay::new(signal, threshold).unwrap();
    let (events, line) = decode(&mut replay, &RawOptions::default()).unwrap();
    let mut signal = AnalogSignal::of(&replay.signal(), &line).unwrap();
    signal.heard = heard(&mut replay, &events, &line).unwrap();
    let found = crate::capture::signal::findings(&signal, line.baud);
    (bytes(&events, Direction::Rx), found)
}

#[test]
fn an_answer_too_faint_for_a_threshold_set_by_a_loud_echo_is_said_and_read_at_the_threshold_given()
{
    // The echo swings 3 V, the answer 0.4 V: the threshold halfway into the echo never sees it.
    let (rx, found) = heard_in(echo_and_answer(2.9), None);
    assert_eq!(rx, REQUEST, "only the echo is read");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "loud_echo");
    let text = &found[0].text;
    assert!(text.contains("the echo swings 3.0 V"), "{text}");
    // The threshold it proposes reads the answer, and then says how faint it is.
    let threshold: f32 = text
        .rsplit("--threshold ")
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no threshold in {text}"));
    assert!((3.0..3.2).contains(&threshold), "{threshold}");
    let (rx, found) = heard_in(echo_and_answer(2.9), Some(threshold));
    assert_eq!(rx, [&REQUEST[..], &ANSWER].concat());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .text
            .contains("the head hears itself far better than the meter"),
        "{found:?}"
    );

    // A meter answering as deep as the echo, and a silent one, say nothing of it.
    let (rx, found) = heard_in(echo_and_answer(0.3), None);
    assert_eq!(rx, [&REQUEST[..], &ANSWER].concat());
    assert!(found.is_empty(), "{found:?}");
    let (rx, found) = heard_in(echo_and_answer(3.3), None);
    assert_eq!(rx, REQUEST);
    assert!(found.is_empty(), "{found:?}");
}
