use proptest::prelude::*;

use super::*;

/// Reduces plain slices through [`Samples`], block summaries and all.
fn reduce(times: &[f64], values: &[f64], window: Window, out: &mut Vec<[f64; 2]>) {
    let samples: Samples = times.iter().copied().zip(values.iter().copied()).collect();
    samples.reduce(window, out);
}

fn window(x_min: f64, x_max: f64, columns: usize) -> Window {
    Window {
        x_min,
        x_max,
        columns,
    }
}

/// Every reading of `times`/`values` inside the window, by the column it falls in.
fn columns_of(times: &[f64], values: &[f64], w: Window) -> Vec<Vec<f64>> {
    let mut columns = vec![Vec::new(); w.columns];
    let width = (w.x_max - w.x_min) / w.columns as f64;
    // Column c starts at x_min + c × width, computed as the reduction computes it, so a reading
    // on an edge lands in the same column in both.
    let edges: Vec<f64> = (1..w.columns).map(|c| w.x_min + c as f64 * width).collect();
    for (&t, &v) in times.iter().zip(values) {
        if t >= w.x_min && t <= w.x_max {
            columns[edges.partition_point(|&edge| edge <= t)].push(v);
        }
    }
    columns
}

fn assert_extremes_kept(times: &[f64], values: &[f64], w: Window) {
    let mut out = Vec::new();
    reduce(times, values, w, &mut out);
    let width = (w.x_max - w.x_min) / w.columns as f64;
    for (column, inside) in columns_of(times, values, w).iter().enumerate() {
        let Some(min) = inside.iter().copied().reduce(f64::min) else {
            continue;
        };
        let max = inside.iter().copied().reduce(f64::max).unwrap();
        let left = w.x_min + column as f64 * width;
        let kept: Vec<f64> = out
            .iter()
            .filter(|[t, _]| *t >= left - width * 1e-9 && *t <= left + width * (1.0 + 1e-9))
            .map(|[_, v]| *v)
            .collect();
        assert!(kept.contains(&min), "column {column}: min {min} lost");
        assert!(kept.contains(&max), "column {column}: max {max} lost");
    }
    assert!(out.len() <= 4 * w.columns + 2, "{} points", out.len());
    assert!(
        out.windows(2).all(|pair| pair[0][0] <= pair[1][0]),
        "out of order"
    );
}

#[test]
fn a_one_reading_spike_among_a_million_survives_both_ways() {
    let times: Vec<f64> = (0..1_000_000).map(f64::from).collect();
    let mut values = vec![10.0; times.len()];
    values[123_457] = 5000.0;
    values[876_543] = -5000.0;
    let mut out = Vec::new();
    reduce(&times, &values, window(0.0, 999_999.0, 800), &mut out);
    assert!(out.len() <= 4 * 800 + 2);
    assert!(out.contains(&[123_457.0, 5000.0]));
    assert!(out.contains(&[876_543.0, -5000.0]));
}

#[test]
fn the_min_and_max_of_every_pixel_column_are_kept() {
    let mut rng = fastrand::Rng::with_seed(7);
    let times: Vec<f64> = (0..200_000).map(|i| f64::from(i) * 0.5).collect();
    let values: Vec<f64> = (0..times.len()).map(|_| rng.f64() * 100.0 - 50.0).collect();
    assert_extremes_kept(&times, &values, window(0.0, 100_000.0, 1000));
    // A zoomed-in window in the middle, with columns that do not divide the readings evenly.
    assert_extremes_kept(&times, &values, window(33_333.3, 44_444.4, 777));
}

#[test]
fn few_readings_are_drawn_as_they_are() {
    let times = [1.0, 2.0, 3.0, 4.0];
    let values = [5.0, 6.0, 7.0, 8.0];
    let mut out = Vec::new();
    reduce(&times, &values, window(0.0, 10.0, 100), &mut out);
    assert_eq!(out, vec![[1.0, 5.0], [2.0, 6.0], [3.0, 7.0], [4.0, 8.0]]);
}

#[test]
fn the_line_runs_on_to_the_readings_just_outside_the_window() {
    let times: Vec<f64> = (0..10_000).map(f64::from).collect();
    let values = times.clone();
    let mut out = Vec::new();
    reduce(&times, &values, window(2000.5, 7000.5, 100), &mut out);
    assert_eq!(out.first(), Some(&[2000.0, 2000.0]));
    assert_eq!(out.last(), Some(&[7001.0, 7001.0]));
}

#[test]
fn nothing_is_drawn_for_an_empty_or_inverted_window() {
    let mut out = vec![[1.0, 1.0]];
    reduce(&[1.0], &[1.0], window(5.0, 5.0, 100), &mut out);
    assert!(out.is_empty());
    reduce(&[1.0], &[1.0], window(0.0, f64::NAN, 100), &mut out);
    assert!(out.is_empty());
    reduce(&[1.0], &[1.0], window(0.0, 2.0, 0), &mut out);
    assert!(out.is_empty());
    reduce(&[], &[], window(0.0, 2.0, 10), &mut out);
    assert!(out.is_empty());
}

proptest! {
    #[test]
    fn extremes_survive_any_data_and_window(
        steps in prop::collection::vec(0.0f64..3.0, 1..3000),
        values_seed in any::<u64>(),
        x_min in -10.0f64..2000.0,
        span in 0.5f64..5000.0,
        columns in 1usize..300,
    ) {
        let times: Vec<f64> = steps.iter().scan(0.0, |t, step| { *t += step; Some(*t) }).collect();
        let mut rng = fastrand::Rng::with_seed(values_seed);
        let values: Vec<f64> = times.iter().map(|_| rng.f64() * 2000.0 - 1000.0).collect();
        assert_extremes_kept(&times, &values, window(x_min, x_min + span, columns));
    }
}

proptest! {
    #[test]
    fn the_search_from_a_hint_finds_what_a_binary_search_finds(
        steps in prop::collection::vec(0.0f64..2.0, 0..500),
        edge in -1.0f64..600.0,
        hint in 0usize..1000,
    ) {
        let times: Vec<f64> = steps.iter().scan(0.0, |t, step| { *t += step; Some(*t) }).collect();
        prop_assert_eq!(
            first_at_or_after(&times, edge, hint),
            times.partition_point(|&t| t < edge)
        );
    }
}
