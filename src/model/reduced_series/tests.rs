use super::*;
use crate::kmp::{Number, RegisterId};
use crate::model::Readings;

fn window(x_min: f64, x_max: f64) -> Window {
    Window {
        x_min,
        x_max,
        columns: 10,
    }
}

#[test]
fn the_cache_recomputes_only_when_the_window_or_the_series_changes() {
    let mut readings = Readings::default();
    let key = RegisterId::FLOW_V1.into();
    let unit = "l/h";
    for i in 0..100 {
        readings.push(key, unit, f64::from(i), Number::new(false, 1, 0).unwrap());
    }
    let mut cache = ReducedSeries::default();
    let w = window(0.0, 100.0);
    let first = cache.get(readings.get(key).unwrap(), w).to_vec();
    cache.get(readings.get(key).unwrap(), w);
    assert_eq!(cache.builds(), 1);
    cache.get(readings.get(key).unwrap(), window(0.0, 50.0));
    assert_eq!(cache.builds(), 2);
    readings.push(key, unit, 100.0, Number::new(false, 9, 0).unwrap());
    let after = cache
        .get(readings.get(key).unwrap(), window(0.0, 50.0))
        .to_vec();
    assert_eq!(cache.builds(), 3);
    assert!(!first.is_empty() && !after.is_empty());
}
