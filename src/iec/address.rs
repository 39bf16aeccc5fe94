//! The address of a data line: an OBIS code as meters write it in a readout (`1.8.0`,
//! `1-0:1.8.0*255`, `0.9.1`) or a manufacturer's shorter label (`C.1.0`, `F.F`, `1.20`, `1.6*1`):
//! docs/protocols.md §7 has readouts where the C group's dots are missing, so what comes is kept as it
//! came.

use std::fmt;
use std::str::FromStr;

use super::IecError;

/// The longest address kept.
pub const MAX_ADDRESS_LEN: usize = 16;

/// A data line's address, as the meter wrote it: digits, letters and `.:-*&`, at most
/// [`MAX_ADDRESS_LEN`] characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    len: u8,
    bytes: [u8; MAX_ADDRESS_LEN],
}

impl Address {
    /// The address text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl Address {
    /// Whether this address, as a meter wrote it, is the one `asked` names: the same code, where
    /// a short form (`1.8.0`) names the full one (`1-0:1.8.0*255`, `1-0:1.8.0`) and `*255`, "no
    /// billing period", may be left out. A billing period's value (`1.8.0*01`) is another.
    pub fn answers(&self, asked: &Self) -> bool {
        fn parts(address: &str) -> (Option<&str>, &str) {
            let (group, code) = match address.split_once(':') {
                Some((group, code)) => (Some(group), code),
                None => (None, address),
            };
            (group, code.strip_suffix("*255").unwrap_or(code))
        }
        let (group, code) = parts(self.as_str());
        let (asked_group, asked_code) = parts(asked.as_str());
        code == asked_code && (group.is_none() || asked_group.is_none() || group == asked_group)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.as_str())
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Address {
    type Err = IecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b".:-*&".contains(&b);
        if text.is_empty() || !text.bytes().all(allowed) {
            return Err(IecError::Unknown);
        }
        if text.len() > MAX_ADDRESS_LEN {
            return Err(IecError::TooLong(MAX_ADDRESS_LEN));
        }
        let mut bytes = [0; MAX_ADDRESS_LEN];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Ok(Self {
            len: text.len() as u8,
            bytes,
        })
    }
}

impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_code_names_the_full_one_without_a_billing_period() {
        let address = |text: &str| text.parse::<Address>().unwrap();
        let full = address("1-0:1.8.0*255");
        assert!(full.answers(&address("1.8.0")));
        assert!(full.answers(&address("1-0:1.8.0")));
        assert!(address("1.8.0").answers(&full));
        assert!(!full.answers(&address("2.8.0")));
        assert!(!full.answers(&address("0-0:1.8.0")), "another medium");
        assert!(
            !address("1-0:1.8.0*01").answers(&address("1.8.0")),
            "a billing period"
        );
        assert!(!full.answers(&address("1.8")));
    }
}
