//! The session folders the recording makes.

use std::time::Instant;

use jiff::Timestamp;

use super::new_session_dir;
use crate::link::Now;
use crate::model::RegisterMap;
use crate::session::{Manifest, Session};

#[test]
fn two_windows_started_in_the_same_second_record_into_folders_of_their_own() {
    let root =
        std::env::temp_dir().join(format!("kmp-recording-{}-same-second", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    // Made one after the other, as two windows opened at once would: each must claim its own
    // folder, or the second's journals collide with the first's ("File exists").
    let now = Now::new(
        Instant::now(),
        Timestamp::from_second(1_790_000_000).unwrap(),
    );
    let first = new_session_dir(&root, now);
    let second = new_session_dir(&root, now);
    assert_ne!(first, second);
    for dir in [&first, &second] {
        assert!(dir.is_dir(), "{} was not made", dir.display());
        assert!(Session::create(dir, Manifest::default(), &RegisterMap::default()).is_ok());
    }
    let _ = std::fs::remove_dir_all(&root);
}
