//! Names of the OBIS codes electricity meters put in their readouts and SML telegrams (IEC
//! 62056-61, the value groups C.D.E), as the register object's `name` and CSV headers show them.
//! A code not here has no name: the meter's own label (`0.128.1`, `F.F`) is shown as it came.

use super::Address;

/// The common codes, by their C.D.E groups.
const NAMES: &[(&str, &str)] = &[
    ("0.0.0", "meter address"),
    ("C.1.0", "meter serial number"),
    ("0.9.1", "time"),
    ("0.9.2", "date"),
    ("1.8.0", "active energy import"),
    ("1.8.1", "active energy import, tariff 1"),
    ("1.8.2", "active energy import, tariff 2"),
    ("1.8.3", "active energy import, tariff 3"),
    ("1.8.4", "active energy import, tariff 4"),
    ("2.8.0", "active energy export"),
    ("2.8.1", "active energy export, tariff 1"),
    ("2.8.2", "active energy export, tariff 2"),
    ("3.8.0", "reactive energy import"),
    ("4.8.0", "reactive energy export"),
    ("1.7.0", "active power import"),
    ("2.7.0", "active power export"),
    ("1.6.0", "maximum demand import"),
    ("2.6.0", "maximum demand export"),
    ("21.7.0", "active power import L1"),
    ("41.7.0", "active power import L2"),
    ("61.7.0", "active power import L3"),
    // Import less export, as SML meters push it.
    ("16.7.0", "active power"),
    ("36.7.0", "active power L1"),
    ("56.7.0", "active power L2"),
    ("76.7.0", "active power L3"),
    ("31.7.0", "current L1"),
    ("51.7.0", "current L2"),
    ("71.7.0", "current L3"),
    ("32.7.0", "voltage L1"),
    ("52.7.0", "voltage L2"),
    ("72.7.0", "voltage L3"),
    ("13.7.0", "power factor"),
    ("14.7.0", "frequency"),
    ("96.8.0", "operating time"),
    ("F.F", "error code"),
];

/// The name of `address`, read by its C.D.E groups (`1-0:1.8.0*255` is `1.8.0`).
pub fn name(address: &Address) -> Option<&'static str> {
    let text = address.as_str();
    let groups = text.split_once(':').map_or(text, |(_, rest)| rest);
    let groups = groups.split_once('*').map_or(groups, |(cde, _)| cde);
    let groups = groups.split_once('&').map_or(groups, |(cde, _)| cde);
    NAMES
        .iter()
        .find(|(code, _)| *code == groups)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_named_by_their_c_d_e_groups() {
        let name_of = |text: &str| name(&text.parse().unwrap());
        assert_eq!(name_of("1.8.0"), Some("active energy import"));
        assert_eq!(name_of("1-0:1.8.0*255"), Some("active energy import"));
        assert_eq!(name_of("32.7.0"), Some("voltage L1"));
        assert_eq!(name_of("0.128.1"), None);
        assert_eq!(name_of("1.20"), None);
    }
}
