//! Readings by register: one append-only [`Series`] per register, times and plot values in
//! columns so the reduction scans plain slices.

use jiff::Timestamp;

use crate::kmp::{Number, Register, Value};

use super::{RegisterKey, Samples, TextReading};

/// One reading: when, and the exact value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// Unix time in seconds (millisecond resolution).
    pub at: f64,
    /// The value exactly as the meter sent it.
    pub value: Number,
}

/// Exact values, stored compactly: meters send mantissas of at most 8 bytes in practice, so
/// each value is a `u64` and its sign/exponent byte (9 bytes rather than a 32-byte
/// [`Number`]); a wider mantissa is kept on the side. A week of 1 s readings of two registers
/// then takes some 11 MB here.
#[derive(Clone, Debug, Default, PartialEq)]
struct ExactValues {
    mantissas: Vec<u64>,
    sign_exponents: Vec<u8>,
    wide: std::collections::BTreeMap<usize, u128>,
}

impl ExactValues {
    fn push(&mut self, value: Number) {
        let index = self.mantissas.len();
        let narrow = u64::try_from(value.mantissa()).unwrap_or_else(|_| {
            self.wide.insert(index, value.mantissa());
            0
        });
        self.mantissas.push(narrow);
        self.sign_exponents.push(value.sign_exponent());
    }

    fn get(&self, index: usize) -> Option<Number> {
        let mantissa = match self.wide.get(&index) {
            Some(&wide) => wide,
            None => u128::from(*self.mantissas.get(index)?),
        };
        Some(Number::from_parts(
            *self.sign_exponents.get(index)?,
            mantissa,
        ))
    }
}

/// The readings of one register, oldest first. Two series are equal when they hold the same
/// readings, whatever their revisions.
#[derive(Clone, Debug)]
pub struct Series {
    key: RegisterKey,
    unit: String,
    samples: Samples,
    exact: ExactValues,
    revision: u64,
}

impl PartialEq for Series {
    fn eq(&self, other: &Self) -> bool {
        (self.key, &self.unit, &self.samples, &self.exact)
            == (other.key, &other.unit, &other.samples, &other.exact)
    }
}

impl Series {
    fn new(key: RegisterKey, unit: &str) -> Self {
        Self {
            key,
            unit: unit.to_string(),
            samples: Samples::default(),
            exact: ExactValues::default(),
            revision: 0,
        }
    }

    /// The register.
    pub fn key(&self) -> RegisterKey {
        self.key
    }

    /// The unit symbol of the first reading (a meter does not change a register's unit):
    /// `m³`, `kWh`; empty for a plain number.
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// How many readings there are.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Unix times in seconds, never decreasing.
    pub fn times(&self) -> &[f64] {
        self.samples.times()
    }

    /// The values as `f64`, for plots only.
    pub fn values(&self) -> &[f64] {
        self.samples.values()
    }

    /// Times and plot values, with what the reduction needs.
    pub fn samples(&self) -> &Samples {
        &self.samples
    }

    /// Reading `index`, exact.
    pub fn get(&self, index: usize) -> Option<Reading> {
        Some(Reading {
            at: *self.times().get(index)?,
            value: self.exact.get(index)?,
        })
    }

    /// The newest reading.
    pub fn latest(&self) -> Option<Reading> {
        self.get(self.len().checked_sub(1)?)
    }

    /// Changes whenever readings are added, so caches built from the series know they are stale.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Adds a reading. The wall clock may step back (an NTP correction); the reading is then
    /// placed at the time of the one before it ([`Samples::push`]).
    fn push(&mut self, at: f64, value: Number) {
        self.samples.push(at, value.to_f64());
        self.exact.push(value);
        self.revision = super::reduce::next_revision();
    }
}

/// All readings of a session, one series per register, in the order registers first answered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Readings {
    series: Vec<Series>,
    polls: u64,
}

impl Readings {
    /// Records one poll: every register with a numeric value joins its series. Text values
    /// (ASCII unit) and mantissas too long to decode exactly are not plotted and are skipped.
    pub fn record(&mut self, at: Timestamp, registers: &[Register]) {
        self.polls += 1;
        let seconds = at.as_millisecond() as f64 / 1000.0;
        for register in registers {
            let Value::Number(number) = register.value() else {
                continue;
            };
            self.push(
                register.id().into(),
                register.unit().symbol(),
                seconds,
                number,
            );
        }
    }

    /// Records one readout of a text protocol: every numeric value joins its series.
    pub fn record_text(&mut self, at: Timestamp, readings: &[TextReading]) {
        self.polls += 1;
        let seconds = at.as_millisecond() as f64 / 1000.0;
        for reading in readings {
            if let Some(number) = reading.number {
                self.push(reading.key, &reading.unit, seconds, number);
            }
        }
    }

    /// Adds one reading to the series of `key`, starting the series if it is new.
    pub fn push(&mut self, key: RegisterKey, unit: &str, at: f64, value: Number) {
        let index = match self.series.iter().position(|series| series.key == key) {
            Some(index) => index,
            None => {
                self.series.push(Series::new(key, unit));
                self.series.len() - 1
            }
        };
        self.series[index].push(at, value);
    }

    /// Every series.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// The series of one register.
    pub fn get(&self, key: RegisterKey) -> Option<&Series> {
        self.series.iter().find(|series| series.key == key)
    }

    /// How many polls were recorded, including polls the meter did not answer.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// Counts a poll that brought no readings (the meter was silent).
    pub fn record_silent_poll(&mut self) {
        self.polls += 1;
    }

    /// The time of the oldest reading of any series.
    pub fn first_time(&self) -> Option<f64> {
        self.series
            .iter()
            .filter_map(|series| series.times().first().copied())
            .reduce(f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmp::{RegisterId, Unit};

    fn register(id: u16, unit: u8, mantissa: u32, exponent_byte: u8) -> Register {
        Register::new(
            RegisterId::new(id),
            Unit::from_code(unit),
            exponent_byte,
            mantissa.to_be_bytes().to_vec(),
        )
        .unwrap()
    }

    #[test]
    fn a_poll_adds_one_reading_to_each_registers_series_and_keeps_it_exact() {
        let mut readings = Readings::default();
        let at = Timestamp::from_millisecond(1_700_000_000_123).unwrap();
        // 6344 × 10^-2 m³ = 63.44: exact in the series, nearest f64 for the plot.
        readings.record(
            at,
            &[register(68, 0x28, 6344, 0x42), register(74, 0x29, 120, 0)],
        );
        readings.record(at, &[register(68, 0x28, 6345, 0x42)]);
        assert_eq!(readings.polls(), 2);
        let volume = readings.get(RegisterId::V1_VOLUME.into()).unwrap();
        assert_eq!(volume.len(), 2);
        assert_eq!(volume.get(0).unwrap().value.to_string(), "63.44");
        assert_eq!(volume.latest().unwrap().value.to_string(), "63.45");
        assert_eq!(volume.times()[0], 1_700_000_000.123);
        assert_eq!(readings.get(RegisterId::FLOW_V1.into()).unwrap().len(), 1);
    }

    #[test]
    fn values_wider_than_eight_bytes_are_kept_exact_too() {
        let mut readings = Readings::default();
        let key = RegisterId::V1_VOLUME.into();
        let wide = Number::new(true, u128::from(u64::MAX) * 1000 + 7, -3).unwrap();
        let narrow = Number::new(false, 42, 1).unwrap();
        readings.push(key, "m³", 1.0, wide);
        readings.push(key, "m³", 2.0, narrow);
        let series = readings.get(key).unwrap();
        assert_eq!(series.get(0).unwrap().value, wide);
        assert_eq!(series.get(1).unwrap().value, narrow);
    }

    #[test]
    fn a_clock_that_steps_back_does_not_break_the_order_of_times() {
        let mut readings = Readings::default();
        let key = RegisterId::V1_VOLUME.into();
        let one = Number::new(false, 1, 0).unwrap();
        readings.push(key, "m³", 100.0, one);
        readings.push(key, "m³", 90.0, one);
        assert_eq!(readings.get(key).unwrap().times(), &[100.0, 100.0]);
    }

    #[test]
    fn the_revision_moves_with_every_reading() {
        let mut readings = Readings::default();
        let key = RegisterId::V1_VOLUME.into();
        let one = Number::new(false, 1, 0).unwrap();
        readings.push(key, "m³", 1.0, one);
        let before = readings.get(key).unwrap().revision();
        readings.push(key, "m³", 2.0, one);
        assert_ne!(readings.get(key).unwrap().revision(), before);
    }
}
