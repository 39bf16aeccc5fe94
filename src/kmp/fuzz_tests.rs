//! Layer-7 fuzzing on the stable toolchain: a seeded generator pushes random bytes and mutated
//! public frames through the deframer and the decoder. Nothing may panic, and every frame the
//! decoder accepts must re-encode to exactly its own bytes (one encoding per message, so a
//! decoder that guessed would show up here).

use super::{Deframed, Deframer, Message, decode};

const SEED: u64 = 0x4B4D_5000_2026;
const CASES: usize = 200_000;

fn public_frames() -> Vec<Vec<u8>> {
    include_str!("../../tests/data/frames.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').nth(2))
        .map(|hex| {
            hex.split_whitespace()
                .filter_map(|b| u8::from_str_radix(b, 16).ok())
                .collect()
        })
        .collect()
}

/// `frame` with one to three bit flips, insertions, removals, cuts, likely bytes or copies.
pub(crate) fn mutate(rng: &mut fastrand::Rng, frame: &[u8]) -> Vec<u8> {
    let mut bytes = frame.to_vec();
    for _ in 0..rng.usize(1..4) {
        let len = bytes.len();
        match rng.u8(0..6) {
            0 if len > 0 => {
                let idx = rng.usize(0..len);
                bytes[idx] ^= 1 << rng.u8(0..8);
            }
            1 => bytes.insert(rng.usize(0..=len), rng.u8(..)),
            2 if len > 0 => {
                bytes.remove(rng.usize(0..len));
            }
            3 if len > 0 => bytes.truncate(rng.usize(0..len)),
            4 if len > 0 => {
                let idx = rng.usize(0..len);
                bytes[idx] = [0x06, 0x0D, 0x1B, 0x40, 0x80][rng.usize(0..5)];
            }
            _ => {
                let start = rng.usize(0..=len);
                let end = rng.usize(start..=len);
                let copy = bytes[start..end].to_vec();
                bytes.splice(start..start, copy);
            }
        }
    }
    bytes
}

fn reencode(message: &Message) -> Vec<u8> {
    match message {
        Message::Ack => vec![super::ACK],
        Message::Request {
            destination,
            request,
        } => request.encode(*destination),
        Message::Response {
            destination,
            response,
        } => response.encode(*destination),
        Message::LoggerRequest {
            destination,
            request,
        } => request.encode(*destination),
        Message::LoggerResponse {
            destination,
            response,
        } => response.encode(*destination),
        Message::Other(frame) => frame.encode(),
    }
}

fn check_accepted_frames_reencode(bytes: &[u8], deframer: &mut Deframer, accepted: &mut usize) {
    if let Ok(message) = decode(bytes) {
        assert_eq!(
            reencode(&message),
            bytes,
            "accepted {bytes:02X?} but re-encodes differently"
        );
        *accepted += 1;
    }
    for item in deframer.push(bytes) {
        let Deframed::Frame(frame) = item else {
            continue;
        };
        if let Ok(message) = decode(&frame) {
            assert_eq!(
                reencode(&message),
                frame,
                "accepted {frame:02X?} but re-encodes differently"
            );
            *accepted += 1;
        }
    }
}

#[test]
fn random_and_mutated_frames_never_panic_and_accepted_ones_reencode_exactly() {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let frames = public_frames();
    assert!(frames.len() >= 40);
    let mut deframer = Deframer::new();
    let mut accepted = 0;
    for case in 0..CASES {
        let bytes = if case % 2 == 0 {
            let frame = &frames[rng.usize(0..frames.len())];
            mutate(&mut rng, frame)
        } else {
            let len = rng.usize(0..64);
            let mut bytes: Vec<u8> = std::iter::repeat_with(|| rng.u8(..)).take(len).collect();
            // Start and stop bytes where a frame would have them make the random cases reach the CRC check.
            if len > 2 && rng.bool() {
                bytes[0] = [0x40, 0x80][rng.usize(0..2)];
                bytes[len - 1] = 0x0D;
            }
            bytes
        };
        check_accepted_frames_reencode(&bytes, &mut deframer, &mut accepted);
    }
    // Mutations that keep a frame valid (a duplicated block, a flip inside a value that is
    // re-checked by CRC...) are rare but do happen; the count shows the check had work to do.
    assert!(
        accepted > 1_000,
        "only {accepted} frames accepted: the mutations are too destructive to test re-encoding"
    );
}
