//! Recordings on the Traffic screen as a user brings them: dropped on the window, and an
//! analog one plotted around the frame clicked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::tests::{FixedPicker, connected, scratch_dir, wait_until};
use super::workspace::Stretch;
use super::*;

/// A file dropped on the window, as the window system hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|error| error.to_string())
    }
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/captures/analog")
        .join(name)
}

fn drop_on(harness: &mut Harness<'static, MeterApp>, paths: &[PathBuf]) {
    for path in paths {
        harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.clone())));
    }
    harness.run_steps(2);
}

/// The frame plotted, once its stretch is read: its index and how many points each channel got.
fn plotted(harness: &Harness<'static, MeterApp>) -> Option<(usize, Vec<usize>)> {
    let capture = harness.state().controller().workspace().capture()?;
    match capture.plot.as_ref()?.shown.as_ref()? {
        (frame, Stretch::Read(excerpt)) => Some((
            *frame,
            excerpt
                .channels
                .iter()
                .map(|channel| channel.points.len())
                .collect(),
        )),
        _ => None,
    }
}

#[test]
fn a_scope_recording_dropped_on_the_window_opens_with_the_answer_plotted_and_a_frame_clicked_is_plotted()
 {
    let dir = scratch_dir("dropped");
    let mut harness = connected(
        crate::sim::Profile::Multical21,
        Screen::Connection,
        FixedPicker(None),
        Some(dir.join("auto")),
    );
    drop_on(
        &mut harness,
        &[
            sample("saleae_logic2_analog_serialno.csv"),
            sample("rigol_ds1054z_echo_only_reg60.csv"),
        ],
    );
    assert_eq!(
        harness.state().controller().settings().screen,
        Screen::Traffic
    );
    // The first is opened, and the notice says the other was not.
    assert!(
        harness
            .query_by_label_contains("1 more dropped and not opened")
            .is_some()
    );
    // The meter's answer (the third frame) is plotted at once, each line with its threshold.
    wait_until(&mut harness, "the answer's plot", |h| {
        plotted(h).is_some_and(|(frame, _)| frame == 2)
    });
    harness.run_steps(2);
    let (_, points) = plotted(&harness).unwrap();
    assert!(points.iter().all(|&n| n > 100 && n <= 1600), "{points:?}");
    assert!(harness.query_by_label("RX (Channel 1), V").is_some());
    // The echo clicked is plotted instead.
    harness
        .get_by_label_contains("echo of the request GetSerialNo")
        .click();
    harness.run_steps(1);
    wait_until(&mut harness, "the echo's plot", |h| {
        plotted(h).is_some_and(|(frame, _)| frame == 1)
    });

    // A file dropped that is no recording is refused, and the one shown stays.
    drop_on(
        &mut harness,
        &[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")],
    );
    assert!(
        harness
            .query_by_label_contains("not a recording this program reads")
            .is_some()
    );
    assert!(plotted(&harness).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
