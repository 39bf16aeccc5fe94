use std::time::Duration;

use jiff::civil::date;

use super::Physics;
use crate::kmp::Unit;
use crate::sim::profile::{Profile, Quantity};

fn physics(profile: Profile) -> Physics {
    Physics::new(profile, 7, date(2026, 11, 22).at(23, 59, 50, 0))
}

#[test]
fn volume_only_grows_and_follows_the_flow() {
    let mut meter = physics(Profile::Multical21);
    let mut last = 0.0;
    let mut flowed = false;
    for minute in 0..120 {
        let elapsed = Duration::from_secs(minute * 60);
        let volume = meter.value(Quantity::Volume, Unit::M3, elapsed);
        assert!(volume >= last, "volume fell at minute {minute}");
        flowed |= meter.value(Quantity::Flow, Unit::L_PER_H, elapsed) > 0.0;
        last = volume;
    }
    assert!(flowed, "two hours without a tap opened");
    assert!(last > 123.456, "no water counted in two hours");
}

#[test]
fn values_do_not_depend_on_how_often_they_are_read() {
    let mut often = physics(Profile::Multical403);
    for second in 0..3600 {
        often.value(Quantity::HeatEnergy, Unit::KWH, Duration::from_secs(second));
    }
    let mut once = physics(Profile::Multical403);
    let at = Duration::from_millis(3_600_500);
    assert_eq!(
        often.value(Quantity::HeatEnergy, Unit::KWH, at),
        once.value(Quantity::HeatEnergy, Unit::KWH, at)
    );
}

#[test]
fn the_same_seed_gives_the_same_readings_and_another_seed_others() {
    let at = Duration::from_secs(7200);
    let read = |seed| {
        Physics::new(Profile::Kamstrup382, seed, date(2026, 1, 1).at(0, 0, 0, 0)).value(
            Quantity::ImportEnergy,
            Unit::KWH,
            at,
        )
    };
    assert_eq!(read(1), read(1));
    assert_ne!(read(1), read(2));
}

#[test]
fn clock_and_date_run_from_the_start_time() {
    let mut meter = physics(Profile::Multical21);
    assert_eq!(
        meter.value(Quantity::Clock, Unit::TIME_HHMMSS, Duration::ZERO),
        235_950.0
    );
    assert_eq!(
        meter.value(Quantity::Date, Unit::DATE_YYMMDD, Duration::ZERO),
        261_122.0
    );
    assert_eq!(
        meter.value(Quantity::Clock, Unit::TIME_HHMMSS, Duration::from_secs(15)),
        5.0
    );
    assert_eq!(
        meter.value(Quantity::Date, Unit::DATE_YYMMDD, Duration::from_secs(15)),
        261_123.0
    );
}

#[test]
fn heat_meter_temperatures_and_power_are_plausible() {
    let mut meter = physics(Profile::Multical603);
    for minute in 0..60 {
        let at = Duration::from_secs(minute * 60);
        let forward = meter.value(Quantity::ForwardTemperature, Unit::CELSIUS, at);
        let back = meter.value(Quantity::ReturnTemperature, Unit::CELSIUS, at);
        let power = meter.value(Quantity::Power, Unit::KW, at);
        assert!(
            (60.0..80.0).contains(&forward) && (35.0..50.0).contains(&back),
            "{forward} {back}"
        );
        assert!((1.0..30.0).contains(&power), "{power} kW");
    }
}

#[test]
fn energy_reads_in_the_unit_asked_for() {
    let mut meter = physics(Profile::Multical603);
    let at = Duration::from_secs(100);
    let kwh = meter.value(Quantity::HeatEnergy, Unit::KWH, at);
    assert!((meter.value(Quantity::HeatEnergy, Unit::MWH, at) - kwh / 1000.0).abs() < 1e-9);
    assert!((meter.value(Quantity::HeatEnergy, Unit::WH, at) - kwh * 1000.0).abs() < 1e-6);
}
