//! Which register a reading comes from, whatever protocol read it: a KMP register ID, the
//! address of an IEC 62056-21 data line (an OBIS code as the meter wrote it), or a `/#1` field.
//! Nothing downstream (plots, reduction, sessions, export) assumes a KMP ID.

use std::fmt;
use std::str::FromStr;

use crate::iec::Address;
use crate::kmp::RegisterId;
use crate::mc66::Field;
use crate::protocol::Protocol;

/// The name of a register, whatever protocol reads it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RegisterKey {
    /// A KMP register ID.
    Kmp(RegisterId),
    /// The address of an IEC 62056-21 data line: `1.8.0`, `1-0:1.8.0*255`, `C.1.0`.
    Obis(Address),
    /// A field of the `/#1` answer.
    Field(Field),
}

impl RegisterKey {
    /// The protocol that reads it.
    pub fn protocol(self) -> Protocol {
        match self {
            Self::Kmp(_) => Protocol::Kmp,
            Self::Obis(_) => Protocol::Iec,
            Self::Field(_) => Protocol::Mc66,
        }
    }

    /// Whether a meter speaking `protocol` has it: an OBIS code names a value of an IEC
    /// 62056-21 readout and of an SML telegram alike.
    pub fn read_in(self, protocol: Protocol) -> bool {
        self.protocol() == protocol || matches!((self, protocol), (Self::Obis(_), Protocol::Sml))
    }

    /// Whether a value read under this key is the one `asked` names: the same key, or an OBIS
    /// code written in full by the meter (`1-0:1.8.0*255`) that the short one asked names
    /// ([`Address::answers`]).
    pub fn answers(self, asked: Self) -> bool {
        match (self, asked) {
            (Self::Obis(read), Self::Obis(asked)) => read.answers(&asked),
            _ => self == asked,
        }
    }

    /// The KMP register ID, if it is one.
    pub fn kmp(self) -> Option<RegisterId> {
        match self {
            Self::Kmp(id) => Some(id),
            _ => None,
        }
    }
}

impl fmt::Display for RegisterKey {
    /// `68`, `1.8.0`, `energy`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kmp(id) => write!(f, "{id}"),
            Self::Obis(address) => write!(f, "{address}"),
            Self::Field(field) => write!(f, "{field}"),
        }
    }
}

impl From<RegisterId> for RegisterKey {
    fn from(id: RegisterId) -> Self {
        Self::Kmp(id)
    }
}

/// Text that names no register.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is no register: expected a KMP register ID (68 or 0x0044), an OBIS code (1.8.0) or a /#1 field (energy, volume, hours, t1, t2, dt, power, flow, peak_power, info)"
)]
pub struct ParseKeyError(pub String);

impl FromStr for RegisterKey {
    type Err = ParseKeyError;

    /// Numbers are KMP IDs, field names `/#1` fields, codes with a `.` or `:` OBIS codes
    /// (PRODUCT.md, the register object).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if let Ok(id) = trimmed.parse::<RegisterId>() {
            return Ok(Self::Kmp(id));
        }
        if let Some(field) = Field::ALL
            .into_iter()
            .find(|field| field.name().eq_ignore_ascii_case(trimmed))
        {
            return Ok(Self::Field(field));
        }
        if trimmed.contains(['.', ':'])
            && let Ok(address) = trimmed.parse::<Address>()
        {
            return Ok(Self::Obis(address));
        }
        Err(ParseKeyError(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_codes_and_fields_read_as_their_protocols_keys() {
        assert_eq!("68".parse(), Ok(RegisterKey::Kmp(RegisterId::V1_VOLUME)));
        assert_eq!(
            "0x0044".parse(),
            Ok(RegisterKey::Kmp(RegisterId::V1_VOLUME))
        );
        let energy: RegisterKey = "1.8.0".parse().unwrap();
        assert_eq!(energy.protocol(), Protocol::Iec);
        assert_eq!(energy.to_string(), "1.8.0");
        assert_eq!(
            "1-0:1.8.0*255".parse::<RegisterKey>().unwrap().to_string(),
            "1-0:1.8.0*255"
        );
        assert_eq!("T1".parse(), Ok(RegisterKey::Field(Field::T1)));
        assert_eq!(
            RegisterKey::Field(Field::PeakPower).to_string(),
            "peak_power"
        );
        for bad in ["", "volume!", "energy2", "1.8.0(", "70000", "x"] {
            assert!(bad.parse::<RegisterKey>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kmp_keys_print_as_the_decimal_id() {
        assert_eq!(RegisterKey::from(RegisterId::V1_VOLUME).to_string(), "68");
    }
}
