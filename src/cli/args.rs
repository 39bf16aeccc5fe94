//! Value parsers for arguments shared by several commands.

use std::time::Duration;

use kmp_workbench::duration;
use kmp_workbench::protocol::Protocol;

/// What `--protocol` asks for: a protocol, or `None` for `auto` (find out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolChoice(pub Option<Protocol>);

/// Reads `--protocol`: `auto`, or a protocol's name.
pub fn parse_protocol(text: &str) -> Result<ProtocolChoice, String> {
    if text.trim().eq_ignore_ascii_case("auto") {
        return Ok(ProtocolChoice(None));
    }
    text.parse()
        .map(|protocol| ProtocolChoice(Some(protocol)))
        .map_err(|_| "expected auto, kmp, iec62056-21 or kamstrup-66c".to_string())
}

/// A duration such as `500ms`, `10s`, `5min`, `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    duration::parse(text).map_err(|error| error.to_string())
}

/// `--wait`, shared by the commands whose first request waits for the eye.
#[derive(Debug, clap::Args)]
pub struct WakeWait {
    /// How long the first request keeps asking while the meter's eye wakes up.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub wait: Duration,
}

/// A share from 0 to 1, written `0.05` or `5%`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let error = || format!("{text:?} is not a share; write it like 0.05 or 5%");
    let (number, scale) = match text.trim().strip_suffix('%') {
        Some(percent) => (percent, 100.0),
        None => (text.trim(), 1.0),
    };
    let value = number.trim().parse::<f64>().map_err(|_| error())? / scale;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(error())
    }
}

/// `--dialect`: the CSV dialects of the contract.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DialectArg {
    /// Comma, decimal point, no BOM.
    Rfc4180,
    /// Semicolon, decimal comma, BOM.
    ExcelEu,
}

impl From<DialectArg> for kmp_workbench::export::Dialect {
    fn from(arg: DialectArg) -> Self {
        match arg {
            DialectArg::Rfc4180 => Self::Rfc4180,
            DialectArg::ExcelEu => Self::ExcelEu,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates_read_as_fractions_or_percentages() {
        assert_eq!(parse_rate("0.05"), Ok(0.05));
        assert_eq!(parse_rate("5%"), Ok(0.05));
        assert_eq!(parse_rate("1"), Ok(1.0));
        for bad in ["1.5", "-0.1", "150%", "often", "NaN"] {
            assert!(parse_rate(bad).is_err(), "{bad:?}");
        }
    }
}
