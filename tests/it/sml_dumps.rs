//! The SML decoder against what real meters sent: the public dumps of libsml-testing (37 files
//! from meters of eight makers: EMH, ISKRA, Holley, DZG, Itron, eBZ, EasyMeter, Dr. Neuhaus). They
//! carry no licence that would let them ship here, so `.ci/run` fetches them with the crate
//! that packages them for its own tests (`sml-rs`, unpacked by `cargo vendor`) and names the
//! folder in `SML_DUMPS`.

use std::path::PathBuf;

use kmp_workbench::sml::{File, Receiver};

#[test]
#[ignore = "needs the public SML dumps: SML_DUMPS=folder (.ci/run fetches them)"]
fn the_frames_real_meters_sent_decode_and_hold_their_energy_register() {
    let folder = std::env::var_os("SML_DUMPS").expect("SML_DUMPS names the dumps' folder");
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bin"))
        .collect();
    dumps.sort();
    assert!(dumps.len() >= 30, "{} dumps in {folder:?}", dumps.len());
    let (mut good, mut bad) = (0, 0);
    for dump in &dumps {
        let name = dump.file_name().unwrap().to_string_lossy();
        let mut receiver = Receiver::new();
        let mut files = Vec::new();
        for byte in std::fs::read(dump).unwrap() {
            match receiver.push(byte) {
                Some(Ok(frame)) => {
                    good += 1;
                    files.push(File::decode(&frame.payload).unwrap_or_else(|error| {
                        panic!("{name}: a frame whose CRC checks does not parse: {error}")
                    }));
                }
                Some(Err(_)) => bad += 1,
                None => {}
            }
        }
        // The dumps named for an error hold only broken frames.
        if name.contains("error") {
            continue;
        }
        assert!(!files.is_empty(), "{name}: no whole frame");
        for file in &files {
            assert!(file.server_id().is_some(), "{name}");
        }
        // Energy drawn or fed in (1.8.x, 2.8.x), in Wh, exact.
        let energy = files
            .iter()
            .flat_map(File::entries)
            .find(|entry| {
                entry
                    .obis()
                    .is_some_and(|obis| matches!(obis.0[2..4], [1 | 2, 8]))
            })
            .unwrap_or_else(|| panic!("{name}: no energy register"));
        assert_eq!(energy.unit_symbol(), Some("Wh"), "{name}");
        assert!(energy.number().is_some(), "{name}");
    }
    // A dump starts and ends mid-frame, and a few frames are broken in the middle: 216 whole and
    // 4 broken in the 37 dumps of sml-rs 0.4.0.
    assert!(
        good >= 200 && bad * 20 < good,
        "{good} frames whole, {bad} broken"
    );
}
