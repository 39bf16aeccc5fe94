//! CPU time of one Live frame (egui layout and tessellation, no GPU) with 1,000,000 readings in
//! each of the flow and volume series, the whole week in view.
//!
//! - `decimated, unchanged`: the app's plots when nothing changed since the last frame (the
//!   reductions come from their cache).
//! - `decimated, changing`: the app's plots when a reading arrives every frame, so both
//!   reductions are computed again from a million readings each: the worst case, and what
//!   `decimated_ms` reports.
//! - `naive`: the same two plots, styled as the Live screen styles them, handed every reading.
//!
//! The readings come about a second apart with jitter and an hour's gap every 100,000, and the
//! pointer rests on the first plot, so its hover read-out is drawn in every frame.
//!
//! Run: `cargo bench --bench plot_frame`. Budget: decimated at most 4 ms, at least 10× faster
//! than naive. The last line is `plot_frame points_per_series=N decimated_ms=X naive_ms=Y`; over
//! budget, the bench exits 1.

#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::time::{Duration, Instant};

use egui_plot::{Line, PlotPoint, PlotPoints};
use kmp_workbench::app::{LivePlots, PlotSpec, styled_plot};
use kmp_workbench::kmp::{Number, RegisterId, Unit};
use kmp_workbench::model::{Readings, RegisterKey};

const POINTS: usize = 1_000_000;
const START: f64 = 1_790_000_000.0;

fn readings() -> Readings {
    let mut readings = Readings::default();
    let mut rng = fastrand::Rng::with_seed(1);
    let mut volume: u128 = 12_345_678;
    let mut at = START;
    for i in 0..POINTS {
        // As a real link polls: about a second apart with jitter, and now and then a gap of an
        // hour where the port was gone.
        at += 0.8 + 0.4 * rng.f64();
        if i % 100_000 == 99_999 {
            at += 3600.0;
        }
        // Flow in l/h with a daily rhythm and noise; the volume integrates it (in litres).
        let hour = (i / 3600) % 24;
        let flow = if (6..23).contains(&hour) {
            rng.u128(0..900)
        } else {
            rng.u128(0..20)
        };
        volume += flow / 3600;
        push(&mut readings, 68, 0x28, at, Number::new(false, volume, -3));
        push(&mut readings, 74, 0x29, at, Number::new(false, flow, 0));
    }
    readings
}

fn push(
    readings: &mut Readings,
    id: u16,
    unit: u8,
    at: f64,
    value: Result<Number, kmp_workbench::kmp::EncodeError>,
) {
    if let Ok(value) = value {
        let key = RegisterKey::Kmp(RegisterId::new(id));
        readings.push(key, Unit::from_code(unit).symbol(), at, value);
    }
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        // The pointer rests on the first plot, so its hover read-out is drawn every frame.
        events: vec![egui::Event::PointerMoved(egui::pos2(640.0, 200.0))],
        ..Default::default()
    }
}

/// Runs one frame of `draw` and tessellates it; returns the time both took.
fn frame(ctx: &egui::Context, mut draw: impl FnMut(&mut egui::Ui)) -> Duration {
    let start = Instant::now();
    let output = ctx.run_ui(input(), |ui| draw(ui));
    let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
    let spent = start.elapsed();
    std::hint::black_box(meshes);
    spent
}

fn mean_ms(times: &[Duration]) -> f64 {
    times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len() as f64 * 1000.0
}

fn specs(readings: &Readings) -> Vec<PlotSpec<'_>> {
    [(68, "V1 volume"), (74, "flow V1")]
        .into_iter()
        .filter_map(|(id, name)| {
            Some(PlotSpec {
                series: readings.get(RegisterKey::Kmp(RegisterId::new(id)))?,
                name: name.into(),
            })
        })
        .collect()
}

fn main() {
    let mut readings = readings();
    println!("plot_frame: {POINTS} readings in each of 2 series");

    // The app's plots, the whole week in view.
    let ctx = egui::Context::default();
    let mut plots = LivePlots::default();
    plots.show_all(&ctx);
    for _ in 0..5 {
        frame(&ctx, |ui| plots.ui(ui, &specs(&readings)));
    }
    let unchanged: Vec<Duration> = (0..50)
        .map(|_| frame(&ctx, |ui| plots.ui(ui, &specs(&readings))))
        .collect();
    let builds_before = plots.reductions();
    let mut next = readings
        .get(RegisterKey::Kmp(RegisterId::new(68)))
        .and_then(|series| series.times().last().copied())
        .unwrap_or(START)
        + 1.0;
    let changing: Vec<Duration> = (0..50)
        .map(|_| {
            push(&mut readings, 68, 0x28, next, Number::new(false, 99, -3));
            push(&mut readings, 74, 0x29, next, Number::new(false, 5, 0));
            next += 1.0;
            frame(&ctx, |ui| plots.ui(ui, &specs(&readings)))
        })
        .collect();
    let rebuilt = plots.reductions() - builds_before;
    assert!(
        rebuilt >= 100,
        "each changing frame reduces both series again ({rebuilt})"
    );

    // The same two plots, handed every reading.
    let naive_ctx = egui::Context::default();
    let all: Vec<Vec<PlotPoint>> = specs(&readings)
        .iter()
        .map(|spec| {
            spec.series
                .times()
                .iter()
                .zip(spec.series.values())
                .map(|(&t, &v)| PlotPoint::new(t, v))
                .collect()
        })
        .collect();
    // Styled as the Live screen styles its plots (marks, formatters, linked axes, read-out),
    // with the whole week in view as there.
    let zone = jiff::tz::TimeZone::UTC;
    let group = egui::Id::unique("naive-time-axis");
    let units = ["m³", "l/h"];
    let draw_naive = |ui: &mut egui::Ui| {
        let gap = ui.spacing().item_spacing.y;
        let height = ((ui.available_height() - gap * 2.0) / 2.0).max(140.0);
        for (index, points) in all.iter().enumerate() {
            styled_plot(
                ("naive", index),
                height,
                group,
                &zone,
                units[index],
                format!("series [{}]", units[index]),
            )
            .show(ui, |plot_ui| {
                plot_ui.line(Line::new("series", PlotPoints::Borrowed(points)));
            });
        }
    };
    for _ in 0..2 {
        frame(&naive_ctx, draw_naive);
    }
    let naive: Vec<Duration> = (0..10).map(|_| frame(&naive_ctx, draw_naive)).collect();

    let (unchanged_ms, decimated_ms, naive_ms) =
        (mean_ms(&unchanged), mean_ms(&changing), mean_ms(&naive));
    println!("decimated, unchanged: {unchanged_ms:.3} ms per frame (50 frames)");
    println!(
        "decimated, changing:  {decimated_ms:.3} ms per frame (50 frames, both series reduced again each frame)"
    );
    println!("naive:                {naive_ms:.3} ms per frame (10 frames)");
    println!(
        "speed-up: {:.1}x (budget: >= 10x, decimated <= 4 ms)",
        naive_ms / decimated_ms
    );
    println!(
        "plot_frame points_per_series={POINTS} decimated_ms={decimated_ms:.3} naive_ms={naive_ms:.3}"
    );
    if decimated_ms > 4.0 || naive_ms < 10.0 * decimated_ms {
        eprintln!(
            "over budget: a decimated frame must take at most 4 ms and be 10x faster than naive"
        );
        std::process::exit(1);
    }
}
