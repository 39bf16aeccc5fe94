//! What an analog recording's signal says of the head, in plain words: a receiver that barely
//! hears, edges too slow for the baud rate, an inverting head. Bytes cannot tell these; the
//! volts can.

use super::analog::{AnalogSignal, ChannelSignal};

/// A swing under this, in volts, is a receiver that barely hears: noise and daylight are of
/// the same size.
const WEAK_SWING_V: f32 = 0.5;
/// Edges slower than this share of a bit leave little of the bit settled around its middle,
/// where it is read.
const SLOW_EDGE_BITS: f64 = 0.4;
/// An echo that swings this many times deeper than the answer is heard far better: the
/// threshold follows the echo, and the answer is read near its edge or not at all.
const LOUD_ECHO_RATIO: f32 = 3.0;
/// Where no answer was read, RX swinging this much further than its noise after a request is
/// an answer too faint for the threshold, volts.
const FAINT_ANSWER_V: f32 = 0.15;

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What it is, for scripts: `weak_rx`, `slow_edges`, `loud_echo`, `inverted_rx`,
    /// `inverted_tx`.
    pub code: &'static str,
    /// What it is and what to do, for people.
    pub text: String,
}

/// How long `channel`'s rising edges take, in bits at `baud`.
pub fn rise_bits(channel: &ChannelSignal, baud: u32) -> Option<f64> {
    channel.rise_s.map(|seconds| seconds * f64::from(baud))
}

/// What `signal`, decoded at `baud`, says of the head.
pub fn findings(signal: &AnalogSignal, baud: u32) -> Vec<Finding> {
    let mut found = Vec::new();
    let rx = &signal.rx;
    let swing = rx.levels.swing();
    if swing < WEAK_SWING_V {
        found.push(Finding {
            code: "weak_rx",
            text: format!(
                "RX swings only {swing:.2} V: the receiver barely hears; move the head or raise \
                 its sensitivity"
            ),
        });
    }
    if let Some(bits) = rise_bits(rx, baud).filter(|bits| *bits >= SLOW_EDGE_BITS) {
        let share = if (0.4..0.6).contains(&bits) {
            "half a bit".to_string()
        } else {
            format!("{:.0} % of a bit", bits * 100.0)
        };
        found.push(Finding {
            code: "slow_edges",
            text: format!(
                "RX's edges take {share} at {baud} baud: the phototransistor is too slow or \
                 saturated (shade it, lower its load resistor, or use a lower baud rate)"
            ),
        });
    }
    if let Some(heard) = signal.heard.filter(|heard| heard.echo_v > 0.0) {
        let (echo, answer) = (heard.echo_v, heard.answer_v);
        let loud = echo >= LOUD_ECHO_RATIO * answer;
        let faint =
            !heard.answer_read && answer - heard.idle_v >= FAINT_ANSWER_V && answer <= echo / 2.0;
        if (heard.answer_read && loud) || faint {
            let advice = "turn it so the meter's window faces its receiver, and shade the \
                          receiver from the head's own LED";
            let text = if heard.answer_read {
                format!(
                    "the echo swings {echo:.1} V, the meter's answer {answer:.2} V: the head \
                     hears itself far better than the meter; {advice}"
                )
            } else {
                format!(
                    "the echo swings {echo:.1} V, and after each request RX swings {answer:.2} V \
                     without crossing the threshold: the meter seems to answer too faintly to be \
                     read; {advice}, or decode again with --threshold {:.2}",
                    heard.answer_threshold()
                )
            };
            found.push(Finding {
                code: "loud_echo",
                text,
            });
        }
    }
    for (channel, code, name) in [(rx, "inverted_rx", "RX"), (&signal.tx, "inverted_tx", "TX")] {
        if channel.levels.inverted {
            found.push(Finding {
                code,
                text: format!(
                    "{name} idles low: an inverting head (read the right way up here; a reader \
                     needs the inverted setting)"
                ),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::analog::Levels;

    fn channel(low: f32, high: f32, inverted: bool, rise_s: Option<f64>) -> ChannelSignal {
        ChannelSignal {
            name: "CH".into(),
            levels: Levels {
                low,
                high,
                threshold: (low + high) / 2.0,
                inverted,
            },
            rise_s,
        }
    }

    fn codes(signal: &AnalogSignal) -> Vec<&'static str> {
        findings(signal, 1200)
            .into_iter()
            .map(|finding| finding.code)
            .collect()
    }

    #[test]
    fn a_good_head_says_nothing_and_each_fault_is_said_once() {
        let good = AnalogSignal {
            tx: channel(0.0, 3.3, false, Some(2e-6)),
            rx: channel(0.2, 3.3, false, Some(40e-6)),
            heard: None,
        };
        assert!(codes(&good).is_empty());

        let weak = AnalogSignal {
            rx: channel(2.9, 3.25, false, Some(40e-6)),
            ..good.clone()
        };
        assert_eq!(codes(&weak), ["weak_rx"]);
        assert!(findings(&weak, 1200)[0].text.contains("0.35 V"));

        // Half a bit at 1200 baud: 417 µs.
        let slow = AnalogSignal {
            rx: channel(0.2, 3.3, false, Some(417e-6)),
            ..good.clone()
        };
        assert_eq!(codes(&slow), ["slow_edges"]);
        assert!(
            findings(&slow, 1200)[0]
                .text
                .contains("half a bit at 1200 baud")
        );

        let inverted = AnalogSignal {
            rx: channel(0.0, 3.3, true, Some(40e-6)),
            ..good
        };
        assert_eq!(codes(&inverted), ["inverted_rx"]);
    }
}
