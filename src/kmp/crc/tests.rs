use super::crc16;
use proptest::prelude::*;

#[test]
fn crc_matches_the_catalogue_check_value() {
    assert_eq!(crc16(b"123456789"), 0x31C3);
}

#[test]
fn crc_of_a_captured_request_is_the_one_it_carries() {
    // FR1402: 80 3F 10 01 00 44 | 4D C0 | 0D
    assert_eq!(crc16(&[0x3F, 0x10, 0x01, 0x00, 0x44]), 0x4DC0);
}

proptest! {
    #[test]
    fn prop_crc_residue_of_content_and_crc_is_zero(content in proptest::collection::vec(any::<u8>(), 0..64)) {
        let crc = crc16(&content);
        let mut with_crc = content.clone();
        with_crc.extend_from_slice(&crc.to_be_bytes());
        prop_assert_eq!(crc16(&with_crc), 0);
    }
}
