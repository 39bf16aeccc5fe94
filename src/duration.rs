//! Durations as people write them and as every part of the program shows them: `500ms`, `10s`,
//! `5min`, `1h` (the command-line contract).
//!
//! Written by hand rather than with `humantime`: that crate prints five minutes as `5m`, and the
//! contract says `5min` everywhere.

use std::time::Duration;

const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("min", 60_000), ("s", 1_000), ("ms", 1)];

/// Why text is not a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a duration; write it like 500ms, 10s, 5min or 1h")]
pub struct ParseDurationError {
    text: String,
}

/// Reads `500ms`, `10s`, `1.5s`, `5min`, `1h`.
///
/// ```
/// use std::time::Duration;
/// use kmp_workbench::duration::parse;
/// assert_eq!(parse("5min"), Ok(Duration::from_secs(300)));
/// assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
/// assert!(parse("5").is_err());
/// ```
pub fn parse(text: &str) -> Result<Duration, ParseDurationError> {
    let error = || ParseDurationError {
        text: text.to_string(),
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .ok_or_else(error)?;
    let (number, unit) = trimmed.split_at(split);
    let millis_per_unit = UNITS
        .iter()
        .find(|(name, _)| *name == unit.trim())
        .ok_or_else(error)?
        .1;
    let value: f64 = number.parse().map_err(|_| error())?;
    let millis = value * millis_per_unit as f64;
    if !millis.is_finite() || millis > u64::MAX as f64 / 2.0 {
        return Err(error());
    }
    Ok(Duration::from_secs_f64(millis / 1000.0))
}

/// Writes a duration in the largest unit that shows it exactly: `1h`, `5min`, `10s`, `500ms`.
///
/// ```
/// use std::time::Duration;
/// use kmp_workbench::duration::format;
/// assert_eq!(format(Duration::from_secs(300)), "5min");
/// assert_eq!(format(Duration::from_millis(1500)), "1500ms");
/// ```
pub fn format(duration: Duration) -> String {
    let millis = duration.as_millis();
    for (name, size) in UNITS {
        let size = u128::from(size);
        if millis > 0 && millis.is_multiple_of(size) {
            return format!("{}{name}", millis / size);
        }
    }
    "0s".to_string()
}

#[cfg(test)]
mod tests {
    use super::{format, parse};
    use std::time::Duration;

    #[test]
    fn reads_every_unit_of_the_contract() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse("5min"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_bare_numbers_unknown_units_and_negatives() {
        for bad in ["5", "5m", "5 minutes", "-1s", "s", "", "1e3s", "1.2.3s"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn writes_the_largest_exact_unit() {
        assert_eq!(format(Duration::from_secs(3600)), "1h");
        assert_eq!(format(Duration::from_secs(90)), "90s");
        assert_eq!(format(Duration::from_millis(250)), "250ms");
        assert_eq!(format(Duration::ZERO), "0s");
    }

    #[test]
    fn what_it_writes_it_reads_back() {
        for millis in [1, 999, 1000, 61_000, 3_600_000, 7_200_500] {
            let duration = Duration::from_millis(millis);
            assert_eq!(parse(&format(duration)), Ok(duration));
        }
    }
}
