use super::*;

#[test]
fn received_bytes_are_described_frame_by_frame_with_the_noise_counted() {
    let bytes = [
        0x11, 0x22, 0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3,
        0x90, 0x0D,
    ];
    assert_eq!(describe_received(&bytes), "68 = 8.541 m³; 2 bytes of noise");
}

#[test]
fn a_bad_frame_says_why() {
    let bytes = [
        0x40, 0x3F, 0x10, 0x00, 0x44, 0x28, 0x04, 0x43, 0x00, 0x00, 0x21, 0x5D, 0xA3, 0x91, 0x0D,
    ];
    assert_eq!(
        describe_received(&bytes),
        "bad frame: crc mismatch (computed 0xA390, frame says 0xA391)"
    );
}

#[test]
fn a_line_has_time_mark_hex_and_meaning() {
    let record = TrafficRecord {
        at: "2026-11-22T10:00:00.123Z".parse().unwrap(),
        direction: TrafficDirection::Tx,
        bytes: vec![0x80, 0x3F, 0x02, 0x35, 0xE9, 0x0D],
        meaning: "GetSerialNo".into(),
    };
    assert_eq!(
        record.line(),
        "2026-11-22T10:00:00.123Z TX   80 3F 02 35 E9 0D  GetSerialNo"
    );
}
