use super::{Deframed, Deframer};
use crate::kmp::test_util::hex;
use crate::kmp::{Direction, Frame, MAX_FRAME_LEN};
use proptest::prelude::*;

fn frames_in(chunks: &[&[u8]]) -> (Vec<Deframed>, u64) {
    let mut deframer = Deframer::new();
    let found = chunks
        .iter()
        .flat_map(|chunk| deframer.push(chunk).collect::<Vec<_>>())
        .collect();
    (found, deframer.discarded())
}

#[test]
fn echo_and_answer_come_out_as_two_frames() {
    // PR6, MULTICAL 21: the head echoes the request before the meter answers.
    let stream = hex("80 3F 10 01 00 63 19 45 0D 40 3F 10 00 63 33 02 00 00 00 CF 4E 0D");
    let (found, discarded) = frames_in(&[&stream]);
    assert_eq!(
        found,
        [
            Deframed::Frame(hex("80 3F 10 01 00 63 19 45 0D")),
            Deframed::Frame(hex("40 3F 10 00 63 33 02 00 00 00 CF 4E 0D")),
        ]
    );
    assert_eq!(discarded, 0);
}

#[test]
fn a_frame_split_into_single_bytes_is_found() {
    let stream = hex("40 3F 10 07 9A 0D");
    let chunks: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(frames_in(&chunks).0, [Deframed::Frame(stream.clone())]);
}

#[test]
fn noise_before_a_frame_is_skipped_and_counted() {
    let (found, discarded) = frames_in(&[&hex("00 FF 12"), &hex("40 3F 10 07 9A 0D")]);
    assert_eq!(found, [Deframed::Frame(hex("40 3F 10 07 9A 0D"))]);
    assert_eq!(discarded, 3);
}

#[test]
fn a_start_byte_restarts_the_frame() {
    let (found, discarded) = frames_in(&[&hex("40 3F 10 40 3F 10 07 9A 0D")]);
    assert_eq!(found, [Deframed::Frame(hex("40 3F 10 07 9A 0D"))]);
    assert_eq!(discarded, 3);
}

#[test]
fn a_lone_ack_between_frames_is_reported() {
    assert_eq!(frames_in(&[&[0x06]]).0, [Deframed::Ack]);
}

#[test]
fn an_endless_frame_is_dropped_at_the_length_limit_and_the_next_frame_found() {
    let mut stream = vec![0x40];
    stream.extend(std::iter::repeat_n(0x11, 5000));
    stream.extend(hex("40 3F 10 07 9A 0D"));
    let mut deframer = Deframer::new();
    let found: Vec<_> = deframer.push(&stream).collect();
    assert_eq!(found, [Deframed::Frame(hex("40 3F 10 07 9A 0D"))]);
    assert_eq!(deframer.discarded(), 5001);
    assert!(deframer.pending() < MAX_FRAME_LEN);
}

fn any_frame() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(to_meter, destination, cid, data)| {
            let direction = if to_meter {
                Direction::ToMeter
            } else {
                Direction::FromMeter
            };
            Frame {
                direction,
                destination,
                cid,
                data,
            }
            .encode()
        })
}

proptest! {
    #[test]
    fn prop_every_frame_hidden_in_noise_is_found_under_any_chunking(
        frames in proptest::collection::vec(any_frame(), 1..6),
        noise in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 6),
        chunk_sizes in proptest::collection::vec(1usize..16, 1..20),
    ) {
        let mut stream = Vec::new();
        for (frame, noise) in frames.iter().zip(&noise) {
            stream.extend_from_slice(noise);
            stream.extend_from_slice(frame);
        }
        stream.extend_from_slice(&noise[5]);

        let mut deframer = Deframer::new();
        let mut found = Vec::new();
        let mut rest = &stream[..];
        for size in chunk_sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at((*size).min(rest.len()));
            found.extend(deframer.push(chunk));
            rest = tail;
        }
        let found_frames: Vec<Vec<u8>> = found
            .into_iter()
            .filter_map(|item| match item { Deframed::Frame(bytes) => Some(bytes), Deframed::Ack => None })
            .collect();
        // Every real frame comes out whole and in order; noise may add frames of its own.
        let mut position = 0;
        for frame in &frames {
            let idx = found_frames[position..].iter().position(|f| f == frame);
            prop_assert!(idx.is_some(), "frame {:02X?} not found", frame);
            position += idx.unwrap_or(0) + 1;
        }
    }

    #[test]
    fn prop_deframer_never_panics_and_stays_bounded(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut deframer = Deframer::new();
        for item in deframer.push(&bytes) {
            if let Deframed::Frame(frame) = item {
                prop_assert!(frame.len() <= MAX_FRAME_LEN);
            }
        }
        prop_assert!(deframer.pending() < MAX_FRAME_LEN);
    }
}
