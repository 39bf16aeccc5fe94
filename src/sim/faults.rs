//! What an infrared link does to the bytes between a head and a meter, as the simulated meter
//! applies it: seeded, so a run that finds a fault can be repeated. Sunlight, a misaligned head
//! or a dirty window flip bits, wipe out bursts of bytes, lose bytes or add ones that were not
//! sent, and cut an answer off; a late answer's tail runs into the next, and noise fills the gap
//! between the echo and the answer. The head's own echo is damaged the same way.

/// Shares of answers (or, for the echo, of echoed bytes) that go wrong, each from 0.0 to 1.0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// Answers damaged, each by one [`Damage`] chosen evenly.
    pub corrupt: f64,
    /// Answers never sent.
    pub drop: f64,
    /// Answers preceded by a few random bytes or by the tail of the answer before (the
    /// answer itself arrives whole).
    pub noise: f64,
    /// Echoed bytes with a bit flipped or lost.
    pub echo: f64,
}

/// How an answer was damaged on its way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Damage {
    /// One to three bits flipped, in different places.
    BitFlips,
    /// A run of two to eight bytes replaced by random ones.
    Burst,
    /// One to three bytes lost.
    LostBytes,
    /// One to three random bytes added.
    ExtraBytes,
    /// The answer cut off before its end.
    CutTail,
}

impl Damage {
    /// Every kind, in the order they are drawn from.
    pub const ALL: [Self; 5] = [
        Self::BitFlips,
        Self::Burst,
        Self::LostBytes,
        Self::ExtraBytes,
        Self::CutTail,
    ];
}

/// Damages `frame` (at least two bytes) with a kind drawn from `rng`; `mask` keeps the bits the
/// line carries (seven data bits, for one). Returns the kind.
pub(super) fn damage(frame: &mut Vec<u8>, rng: &mut fastrand::Rng, mask: u8) -> Damage {
    let kind = Damage::ALL[rng.usize(..Damage::ALL.len())];
    let len = frame.len();
    match kind {
        Damage::BitFlips => {
            let bits = mask.count_ones() as usize;
            let total = len * bits;
            let mut flipped: Vec<usize> = Vec::new();
            for _ in 0..rng.usize(1..=3).min(total) {
                // Distinct bits: two flips of the same one would leave it whole.
                let bit = loop {
                    let bit = rng.usize(..total);
                    if !flipped.contains(&bit) {
                        break bit;
                    }
                };
                flipped.push(bit);
                frame[bit / bits] ^= 1 << (bit % bits);
            }
        }
        Damage::Burst => {
            let run = rng.usize(2..=8).min(len);
            let start = rng.usize(..=len - run);
            for byte in &mut frame[start..start + run] {
                // A replaced byte differs from the one it replaces.
                *byte ^= rng.u8(1..=u8::MAX) & mask | 1;
            }
        }
        Damage::LostBytes => {
            for _ in 0..rng.usize(1..=3).min(frame.len() - 1) {
                frame.remove(rng.usize(..frame.len()));
            }
        }
        Damage::ExtraBytes => {
            for _ in 0..rng.usize(1..=3) {
                // Inside the frame: bytes after its end would leave it whole, and so would a
                // line end added just before its own.
                let at = rng.usize(1..frame.len());
                let mut byte = rng.u8(..) & mask;
                if at == frame.len() - 1 && byte == frame[at] {
                    byte ^= 1;
                }
                frame.insert(at, byte);
            }
        }
        Damage::CutTail => frame.truncate(rng.usize(1..len)),
    }
    kind
}

/// What comes before an answer on a noisy line: a few random bytes, or the tail of `previous`
/// (the answer sent before, without its first byte, so only the answer after it is whole).
pub(super) fn before_answer(previous: &[u8], rng: &mut fastrand::Rng, mask: u8) -> Vec<u8> {
    if previous.len() > 1 && rng.bool() {
        previous[rng.usize(1..previous.len())..].to_vec()
    } else {
        let len = rng.usize(1..8);
        std::iter::repeat_with(|| rng.u8(..) & mask)
            .take(len)
            .collect()
    }
}

/// An echoed byte as the head reads it back: `None` when it is lost.
pub(super) fn echoed(byte: u8, rng: &mut fastrand::Rng, mask: u8) -> Option<u8> {
    if rng.bool() {
        None
    } else {
        let bits = mask.count_ones().max(1);
        Some(byte ^ (1 << rng.u32(..bits)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_damage_changes_the_frame_and_each_kind_comes_up() {
        let mut rng = fastrand::Rng::with_seed(3);
        let frame: Vec<u8> = (0x10..0x30).collect();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2000 {
            let mut damaged = frame.clone();
            let kind = damage(&mut damaged, &mut rng, 0x7F);
            assert_ne!(damaged, frame, "{kind:?} left the frame whole");
            assert!(!damaged.is_empty());
            if matches!(kind, Damage::BitFlips | Damage::Burst) {
                assert_eq!(damaged.len(), frame.len());
                assert!(
                    damaged.iter().all(|byte| byte & 0x80 == 0),
                    "a bit the line lacks"
                );
            }
            seen.insert(kind);
        }
        assert_eq!(seen.len(), Damage::ALL.len());
    }

    #[test]
    fn a_two_byte_frame_can_be_damaged_every_way() {
        let mut rng = fastrand::Rng::with_seed(8);
        for _ in 0..500 {
            let mut frame = vec![0x40, 0x0D];
            damage(&mut frame, &mut rng, 0xFF);
            assert_ne!(frame, [0x40, 0x0D]);
        }
    }

    #[test]
    fn what_comes_before_an_answer_never_holds_the_start_of_the_answer_before() {
        let mut rng = fastrand::Rng::with_seed(5);
        let previous = [0x40, 0x3F, 0x10, 0x0D];
        for _ in 0..200 {
            let before = before_answer(&previous, &mut rng, 0xFF);
            assert!(!before.is_empty() && before.len() < 8);
            if before.ends_with(&[0x0D]) && previous.ends_with(&before) {
                assert_ne!(before[0], 0x40);
            }
        }
    }
}
