//! What a simulated meter measures, as a deterministic function of the seed and the time since
//! it started: water drawn in bursts, a heating circuit that swings slowly, a household's
//! electricity use. Volumes and energies are the integrals of the flows and powers, so they only
//! grow, and read the same however often they are asked for.
//!
//! Time is cut into slots of ten seconds, each with constant rates drawn from the seed; whole
//! slots are integrated once, the current slot pro rata. No clock is read here.

use std::time::Duration;

use jiff::civil::DateTime;

use super::profile::{Profile, Quantity};
use crate::kmp::{Family, Unit};

const SLOT_SECS: u64 = 10;
const SLOT_HOURS: f64 = SLOT_SECS as f64 / 3600.0;
/// kWh of heat per m³ of water and kelvin of temperature difference.
const WATER_HEAT_CAPACITY: f64 = 1.163;

/// Rates that hold for one slot.
#[derive(Clone, Copy, Debug, Default)]
struct Rates {
    flow_lph: f64,
    forward_c: f64,
    return_c: f64,
    import_w: f64,
    voltage_v: f64,
}

impl Rates {
    fn power_kw(&self) -> f64 {
        self.flow_lph / 1000.0 * (self.forward_c - self.return_c) * WATER_HEAT_CAPACITY
    }
}

/// Integrals since the start.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    volume_m3: f64,
    heat_kwh: f64,
    volume_forward: f64,
    volume_return: f64,
    import_kwh: f64,
}

impl Totals {
    fn add(&mut self, rates: &Rates, hours: f64) {
        let volume = rates.flow_lph / 1000.0 * hours;
        self.volume_m3 += volume;
        self.heat_kwh += rates.power_kw() * hours;
        self.volume_forward += volume * rates.forward_c;
        self.volume_return += volume * rates.return_c;
        self.import_kwh += rates.import_w / 1000.0 * hours;
    }
}

/// What the clock register (hh:mm:ss) reads at `t`: `hhmmss` as a number.
pub(super) fn clock_reading(t: DateTime) -> f64 {
    f64::from(t.hour() as u32 * 10_000 + t.minute() as u32 * 100 + t.second() as u32)
}

/// What the date register (yy:mm:dd) reads at `t`: `yymmdd` as a number.
pub(super) fn date_reading(t: DateTime) -> f64 {
    f64::from((t.year() % 100) as u32 * 10_000 + t.month() as u32 * 100 + t.day() as u32)
}

/// The measurements of one simulated meter.
#[derive(Clone, Debug)]
pub struct Physics {
    profile: Profile,
    seed: u64,
    clock_start: DateTime,
    slots_done: u64,
    totals: Totals,
}

/// Readings at the start, so that a fresh simulator does not look brand new.
mod start {
    pub const VOLUME_M3: f64 = 123.456;
    pub const HEAT_KWH: f64 = 18_456.0;
    pub const IMPORT_KWH: f64 = 23_456.78;
    pub const HOURS: u64 = 26_298;
    pub const BATTERY_DAYS: u64 = 4_015;
    pub const REVERSE_VOLUME_M3: f64 = 0.012;
}

impl Physics {
    /// The measurements of `profile`, drawn from `seed`, with the meter's clock reading
    /// `clock_start` at the start.
    pub fn new(profile: Profile, seed: u64, clock_start: DateTime) -> Self {
        Self {
            profile,
            seed,
            clock_start,
            slots_done: 0,
            totals: Totals::default(),
        }
    }

    /// What `quantity` reads, in `unit`, `elapsed` after the start.
    pub fn value(&mut self, quantity: Quantity, unit: Unit, elapsed: Duration) -> f64 {
        let secs = elapsed.as_secs();
        let slot = secs / SLOT_SECS;
        while self.slots_done < slot {
            let rates = self.rates(self.slots_done);
            self.totals.add(&rates, SLOT_HOURS);
            self.slots_done += 1;
        }
        let rates = self.rates(slot);
        let mut totals = self.totals;
        let into_slot = elapsed.as_secs_f64() - (slot * SLOT_SECS) as f64;
        totals.add(&rates, into_slot.max(0.0) / 3600.0);

        match quantity {
            Quantity::Volume => start::VOLUME_M3 + totals.volume_m3,
            Quantity::ReturnVolume => start::VOLUME_M3 + totals.volume_m3 * 0.998,
            Quantity::ReverseVolume => start::REVERSE_VOLUME_M3,
            Quantity::Flow => rates.flow_lph,
            Quantity::ReturnFlow => rates.flow_lph * 0.998,
            Quantity::HeatEnergy | Quantity::HeatEnergyHighRes => {
                energy_in(unit, start::HEAT_KWH + totals.heat_kwh)
            }
            Quantity::Power => power_in(unit, rates.power_kw()),
            Quantity::ForwardTemperature => rates.forward_c,
            Quantity::ReturnTemperature => rates.return_c,
            Quantity::TemperatureDifference => rates.forward_c - rates.return_c,
            Quantity::VolumeTimesForward => totals.volume_forward + start::VOLUME_M3 * 65.0,
            Quantity::VolumeTimesReturn => totals.volume_return + start::VOLUME_M3 * 40.0,
            Quantity::ImportEnergy => energy_in(unit, start::IMPORT_KWH + totals.import_kwh),
            Quantity::ExportEnergy => energy_in(unit, 0.0),
            Quantity::ImportPower => power_in(unit, rates.import_w / 1000.0),
            Quantity::Voltage => rates.voltage_v,
            Quantity::Current => rates.import_w / 3.0 / rates.voltage_v,
            Quantity::HourCounter => (start::HOURS + secs / 3600) as f64,
            Quantity::BatteryDays => start::BATTERY_DAYS.saturating_sub(secs / 86_400) as f64,
            Quantity::Serial => f64::from(self.profile.serial()),
            Quantity::Clock => self.calendar(elapsed, clock_reading),
            Quantity::Date => self.calendar(elapsed, date_reading),
            Quantity::Constant(value) => f64::from(value),
        }
    }

    fn calendar(&self, elapsed: Duration, field: impl Fn(DateTime) -> f64) -> f64 {
        let now = self
            .clock_start
            .checked_add(elapsed)
            .unwrap_or(self.clock_start);
        field(now)
    }

    /// The rates of `slot`, drawn from the seed: the same slot always gives the same rates.
    fn rates(&self, slot: u64) -> Rates {
        let t = (slot * SLOT_SECS) as f64;
        let mut jitter = slot_rng(self.seed, slot);
        // Appliances and taps switch on for whole minutes.
        let mut minute = slot_rng(self.seed ^ 0x6D69_6E75_7465, slot / 6);
        let wave = |period_s: f64| (std::f64::consts::TAU * t / period_s).sin();
        match self.profile.family() {
            Family::Water => {
                let tap_open = minute.f64() < 0.3;
                let flow = if tap_open {
                    120.0 + minute.f64() * 780.0
                } else {
                    0.0
                };
                Rates {
                    flow_lph: (flow * (0.95 + 0.1 * jitter.f64())).round(),
                    ..Rates::default()
                }
            }
            Family::Heat => Rates {
                flow_lph: (350.0 + 150.0 * wave(1800.0) + 20.0 * jitter.f64()).round(),
                forward_c: 68.0 + 2.0 * wave(3600.0) + 0.2 * jitter.f64(),
                return_c: 42.0 + 1.5 * wave(2700.0) + 0.2 * jitter.f64(),
                ..Rates::default()
            },
            Family::Electricity => {
                let appliance = if minute.f64() < 0.3 {
                    1500.0 + 1000.0 * minute.f64()
                } else {
                    0.0
                };
                Rates {
                    import_w: (350.0 + appliance + 60.0 * jitter.f64()).round(),
                    voltage_v: (229.0 + 3.0 * jitter.f64()).round(),
                    ..Rates::default()
                }
            }
        }
    }
}

fn slot_rng(seed: u64, slot: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(seed ^ slot.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn energy_in(unit: Unit, kwh: f64) -> f64 {
    match unit {
        Unit::WH => kwh * 1000.0,
        Unit::MWH => kwh / 1000.0,
        Unit::GJ => kwh * 0.0036,
        _ => kwh,
    }
}

fn power_in(unit: Unit, kw: f64) -> f64 {
    match unit {
        Unit::W => kw * 1000.0,
        Unit::MW => kw / 1000.0,
        _ => kw,
    }
}

#[cfg(test)]
mod tests;
