//! The `/#1` answer as the public readers read it (docs/protocols.md §7), bad answers, and fuzzing.

use super::*;

const ANSWER: &[u8] = b"0012345 0004567 0012021 6811 4205 2606 0110 0350 0123 0\r\n";

#[test]
fn every_field_reads_with_its_scale_and_keeps_its_digits() {
    let answer = Answer::decode(ANSWER).unwrap();
    let shown: Vec<(&str, String)> = answer
        .readings
        .iter()
        .map(|r| (r.field.name(), r.number.to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            ("energy", "12.345".to_string()),
            ("volume", "45.67".into()),
            ("hours", "12021".into()),
            ("t1", "68.11".into()),
            ("t2", "42.05".into()),
            ("dt", "26.06".into()),
            ("power", "11.0".into()),
            ("flow", "350".into()),
            ("peak_power", "123".into()),
            ("info", "0".into()),
        ]
    );
    assert_eq!(answer.get(Field::Energy).unwrap().digits, "0012345");
    assert_eq!(
        answer.encode(),
        ANSWER,
        "an answer re-encodes to its own bytes"
    );
    assert!(Field::Volume.assumed() && !Field::Energy.assumed());
}

#[test]
fn nul_and_x_bytes_around_the_answer_are_skipped_as_the_esphome_reader_does() {
    let mut bytes = vec![0, 0, b'x'];
    bytes.extend_from_slice(ANSWER);
    assert_eq!(Answer::decode(&bytes), Answer::decode(ANSWER));
}

#[test]
fn bad_answers_say_what_is_wrong() {
    assert_eq!(Answer::decode(b"1 2 3\r\n"), Err(Mc66Error::TooFew(3)));
    assert_eq!(
        Answer::decode(b"1 2 3 4 5 6 7 8 9.5\r\n"),
        Err(Mc66Error::NotDigits { field: 8 })
    );
    assert_eq!(Answer::decode(&[b'1'; 200]), Err(Mc66Error::TooLong));
    assert_eq!("peak_power".parse(), Ok(Field::PeakPower));
    assert_eq!("T1".parse(), Ok(Field::T1));
    assert_eq!("energy ".parse::<Field>(), Ok(Field::Energy));
    assert_eq!("68".parse::<Field>(), Err(UnknownField));
}

#[test]
fn the_receiver_completes_at_the_line_end_however_the_bytes_come() {
    let mut receiver = Receiver::new();
    let mut found = Vec::new();
    for chunk in ANSWER.chunks(7) {
        for &byte in chunk {
            found.extend(receiver.push(byte));
        }
    }
    assert_eq!(found, [Answer::decode(ANSWER)]);
    assert_eq!(receiver.pending(), 0);
}

#[test]
fn no_bytes_make_it_panic() {
    let mut rng = fastrand::Rng::with_seed(66);
    for _ in 0..20_000 {
        let mut bytes = ANSWER.to_vec();
        for _ in 0..rng.usize(1..6) {
            let idx = rng.usize(..bytes.len());
            bytes[idx] = rng.u8(..);
        }
        let mut receiver = Receiver::new();
        for &byte in &bytes {
            if let Some(Ok(answer)) = receiver.push(byte) {
                assert!(answer.readings.len() >= 9);
            }
        }
    }
}
