//! Which register a series of readings comes from. Today every reading comes from a KMP register
//! ID; meters read over IEC 62056-21 name their registers by OBIS codes instead, so the key has
//! room for both and nothing downstream (plots, reduction, export) assumes a KMP ID.

use std::fmt;
use std::str::FromStr;

use crate::kmp::RegisterId;

/// The name of a register, whatever protocol reads it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RegisterKey {
    /// A KMP register ID.
    Kmp(RegisterId),
    /// An IEC 62056-21 / IEC 62056-61 OBIS code.
    Obis(Obis),
}

impl fmt::Display for RegisterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kmp(id) => write!(f, "{id}"),
            Self::Obis(code) => write!(f, "{code}"),
        }
    }
}

impl From<RegisterId> for RegisterKey {
    fn from(id: RegisterId) -> Self {
        Self::Kmp(id)
    }
}

/// An OBIS code `A-B:C.D.E*F`, six value groups of one byte each.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Obis(pub [u8; 6]);

/// Text that is not an OBIS code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an OBIS code (expected A-B:C.D.E or A-B:C.D.E*F, each group 0 to 255)")]
pub struct ParseObisError;

impl fmt::Display for Obis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a}-{b}:{c}.{d}.{e}*{g}")
    }
}

impl FromStr for Obis {
    type Err = ParseObisError;

    /// Reads `A-B:C.D.E*F`; without `*F` the last group is 255, the usual "not used".
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (ab, rest) = text.trim().split_once(':').ok_or(ParseObisError)?;
        let (a, b) = ab.split_once('-').ok_or(ParseObisError)?;
        let (cde, f) = rest.split_once('*').unwrap_or((rest, "255"));
        let mut cde = cde.split('.');
        let (Some(c), Some(d), Some(e), None) = (cde.next(), cde.next(), cde.next(), cde.next())
        else {
            return Err(ParseObisError);
        };
        let mut groups = [0; 6];
        for (group, text) in groups.iter_mut().zip([a, b, c, d, e, f]) {
            *group = text.parse().map_err(|_| ParseObisError)?;
        }
        Ok(Self(groups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obis_codes_read_and_print_the_way_meters_label_them() {
        let energy: Obis = "1-0:1.8.0".parse().unwrap();
        assert_eq!(energy, Obis([1, 0, 1, 8, 0, 255]));
        assert_eq!(energy.to_string(), "1-0:1.8.0*255");
        assert_eq!("1-0:1.8.0*255".parse::<Obis>(), Ok(energy));
        for bad in [
            "",
            "1.8.0",
            "1-0:1.8",
            "1-0:1.8.0.0",
            "1-0:1.8.256",
            "a-0:1.8.0",
        ] {
            assert_eq!(bad.parse::<Obis>(), Err(ParseObisError), "{bad}");
        }
    }

    #[test]
    fn kmp_keys_print_as_the_decimal_id() {
        assert_eq!(RegisterKey::from(RegisterId::V1_VOLUME).to_string(), "68");
    }
}
