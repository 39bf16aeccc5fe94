//! Register IDs and the catalogue of their names per meter family. A meter answers a GetRegister
//! request with the unit and value of each ID it knows, but never with a name, so the names here
//! come from public sources, as collected in docs/protocols.md §5: for heat and water meters the
//! Kamstrup technical descriptions of the MULTICAL 302, 402 and 62 (TD302, TD402, TD62), the
//! MeterLogger table from the MULTICAL 601 protocol document, PyKMP and Jan Kundrát's fork (JKT,
//! MULTICAL 603/303), and the MULTICAL 21 / flowIQ captures; for electricity meters ErikErnst's
//! 382Lx7 list, checked against PyKamstrup, Hal9k and Tasmota. The catalogue names only IDs whose
//! meaning a source gives one by one; where sources disagree, the entry says so (PROTOCOL §9).

use std::fmt;
use std::str::FromStr;

/// A KMP register ID (2 bytes big-endian on the wire).
///
/// Every `u16` is valid: the meter decides which IDs it answers, and a scan may ask for any.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RegisterId(u16);

impl RegisterId {
    /// V1 volume, the register every heat and water meter has (m³).
    pub const V1_VOLUME: Self = Self(68);
    /// Actual flow through V1 (l/h), polled with the volume by default.
    pub const FLOW_V1: Self = Self(74);
    /// The current info code, the meter's own error and warning flags.
    pub const INFO_CODE: Self = Self(99);
    /// The serial number, also answered by GetSerialNo.
    pub const SERIAL_NUMBER: Self = Self(1001);
    /// The meter's clock, as the decimal integer hhmmss.
    pub const CLOCK: Self = Self(1002);
    /// The meter's date, as the decimal integer yymmdd.
    pub const DATE: Self = Self(1003);
    /// The operating hour counter.
    pub const HOUR_COUNTER: Self = Self(1004);

    /// The register with this ID.
    pub const fn new(id: u16) -> Self {
        Self(id)
    }

    /// The ID as a number.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The ID in the hex form that Kamstrup documents and frame dumps use, such as "0x0044".
    pub fn hex(self) -> String {
        format!("0x{:04X}", self.0)
    }
}

/// The decimal ID, such as "68", which is how technicians and register lists name registers.
impl fmt::Display for RegisterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Text that is not a register ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a register ID from 0 to 65535 (0x0000 to 0xFFFF)")]
pub struct ParseRegisterIdError(String);

/// Reads an ID in decimal (`68`) or with a `0x` prefix in hex (`0x0044`).
impl FromStr for RegisterId {
    type Err = ParseRegisterIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let parsed = match trimmed
            .strip_prefix("0x")
            .or_else(|| trimmed.strip_prefix("0X"))
        {
            Some(hex) => u16::from_str_radix(hex, 16),
            None => trimmed.parse(),
        };
        parsed
            .map(Self)
            .map_err(|_| ParseRegisterIdError(text.to_string()))
    }
}

/// Which register catalogue names an ID; the same ID can mean different things in each family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Water meters: MULTICAL 21, flowIQ, MULTICAL 62.
    Water,
    /// Heat meters: MULTICAL 30x, 40x, 60x.
    Heat,
    /// Electricity meters: Kamstrup 382 and 162 families.
    Electricity,
}

impl Family {
    /// Every family, in the order they are offered to the user.
    pub const ALL: [Family; 3] = [Family::Water, Family::Heat, Family::Electricity];

    /// The name used on the command line and in files: "water", "heat" or "electricity".
    pub fn name(self) -> &'static str {
        match self {
            Family::Water => "water",
            Family::Heat => "heat",
            Family::Electricity => "electricity",
        }
    }
}

/// The error for a family name that is none of "water", "heat" and "electricity".
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown meter family (expected water, heat or electricity)")]
pub struct UnknownFamily;

impl FromStr for Family {
    type Err = UnknownFamily;

    /// Parses a family name, ignoring ASCII case, so "Heat" typed by a person works too.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Family::ALL
            .into_iter()
            .find(|family| family.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownFamily)
    }
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterInfo {
    /// The register ID.
    pub id: RegisterId,
    /// Short name as technicians know it, such as "V1 volume", "flow V1", "T1 forward
    /// temperature" or "info code"; CSV headers show it as `V1 volume [m³] (68)`.
    pub name: &'static str,
    /// Where public sources disagree on the meaning, what the other sources say; `None` when
    /// they agree.
    pub disputed: Option<&'static str>,
}

/// The entry for `id` in the catalogue of `family`; with `None`, the combined heat and water
/// catalogue, which is what the `decode` command uses when the meter's family is not given.
pub fn lookup(family: Option<Family>, id: RegisterId) -> Option<&'static RegisterInfo> {
    let (entries, mask) = table(family);
    let idx = entries
        .binary_search_by_key(&id, |entry| entry.info.id)
        .ok()?;
    let entry = entries.get(idx)?;
    (entry.families & mask != 0).then_some(&entry.info)
}

/// All entries of a family's catalogue (`None`: heat and water combined), sorted by ID, with no
/// duplicate IDs.
pub fn catalogue(family: Option<Family>) -> impl Iterator<Item = &'static RegisterInfo> {
    let (entries, mask) = table(family);
    entries
        .iter()
        .filter(move |entry| entry.families & mask != 0)
        .map(|entry| &entry.info)
}

/// The array that holds a family's entries and the bit that selects them in it.
fn table(family: Option<Family>) -> (&'static [Entry], u8) {
    match family {
        Some(Family::Water) => (HEAT_WATER, W),
        Some(Family::Heat) => (HEAT_WATER, H),
        None => (HEAT_WATER, H | W),
        Some(Family::Electricity) => (ELECTRICITY, E),
    }
}

/// A catalogue entry with the families it belongs to, as a bit set of `H`, `W` and `E`.
struct Entry {
    families: u8,
    info: RegisterInfo,
}

const H: u8 = 1;
const W: u8 = 2;
const HW: u8 = H | W;
const E: u8 = 4;

const fn reg(families: u8, id: u16, name: &'static str) -> Entry {
    let info = RegisterInfo {
        id: RegisterId(id),
        name,
        disputed: None,
    };
    Entry { families, info }
}

impl Entry {
    const fn disputed(mut self, note: &'static str) -> Self {
        self.info.disputed = Some(note);
        self
    }
}

/// Heat and water registers (PROTOCOL §5.1), sorted by ID.
///
/// The heat catalogue is all of §5.1 except the two registers seen only on water meters (243,
/// 582). The water catalogue (`W`) is every ID that the MULTICAL 62 water meter's technical
/// description lists, plus those seen on a MULTICAL 21 or flowIQ in real use (74, 243, 582,
/// 1002): a water meter has no temperatures, energies or power, so those stay heat-only.
static HEAT_WATER: &[Entry] = &[
    reg(H, 60, "E1 heat energy"),
    reg(H, 61, "E4 inlet energy"),
    reg(H, 62, "E5 outlet energy"),
    reg(H, 63, "E3 cooling energy"),
    reg(H, 64, "TA2 tariff register"),
    reg(H, 65, "TA3 tariff register"),
    reg(H, 66, "tariff limit 2"),
    reg(H, 67, "tariff limit 3"),
    reg(HW, 68, "V1 volume"),
    reg(H, 69, "V2 volume"),
    reg(H, 72, "M1 mass"),
    reg(H, 73, "M2 mass"),
    reg(HW, 74, "flow V1"),
    reg(H, 75, "flow V2"),
    reg(H, 80, "actual power"),
    reg(HW, 84, "input A (VA)"),
    reg(HW, 85, "input B (VB)"),
    reg(H, 86, "T1 forward temperature"),
    reg(H, 87, "T2 return temperature"),
    reg(H, 88, "T3 temperature"),
    reg(H, 89, "T1-T2 temperature difference"),
    reg(H, 91, "P1 pressure"),
    reg(H, 92, "P2 pressure"),
    reg(H, 94, "E2 control energy"),
    reg(H, 95, "E6 tap-water energy"),
    reg(H, 96, "E7 energy"),
    reg(H, 97, "E8 m³×T1"),
    reg(HW, 98, "target date"),
    reg(HW, 99, "info code"),
    reg(HW, 104, "meter no. VB"),
    reg(H, 110, "E9 m³×T2"),
    reg(HW, 112, "customer number (8 high digits)"),
    reg(HW, 113, "info-event counter").disputed("PyKMP 0.0.2 calls it \"Infoevent\""),
    reg(HW, 114, "meter no. VA"),
    reg(H, 122, "T4 temperature"),
    reg(HW, 123, "max flow date (year)"),
    reg(HW, 124, "max flow (year)"),
    reg(HW, 125, "min flow date (year)"),
    reg(HW, 126, "min flow (year)"),
    reg(H, 127, "max power date (year)"),
    reg(H, 128, "max power (year)"),
    reg(H, 129, "min power date (year)"),
    reg(H, 130, "min power (year)"),
    reg(HW, 138, "max flow date (month)"),
    reg(HW, 139, "max flow (month)"),
    reg(HW, 140, "min flow date (month)"),
    reg(HW, 141, "min flow (month)"),
    reg(H, 142, "max power date (month)"),
    reg(H, 143, "max power (month)"),
    reg(H, 144, "min power date (month)"),
    reg(H, 145, "min power (month)"),
    reg(H, 146, "T1 average (year)"),
    reg(H, 147, "T2 average (year)"),
    reg(H, 149, "T1 average (month)"),
    reg(H, 150, "T2 average (month)"),
    reg(HW, 152, "program number"),
    reg(HW, 153, "config no. 1"),
    reg(HW, 154, "software checksum"),
    reg(H, 155, "high-resolution energy (test)"),
    reg(HW, 157, "top-module ID"),
    reg(HW, 158, "base-module ID"),
    reg(HW, 168, "config no. 2"),
    reg(HW, 175, "error hour counter"),
    reg(H, 178, "dE differential energy"),
    reg(H, 179, "cE control energy"),
    reg(H, 180, "dV differential volume"),
    reg(H, 181, "cV control volume"),
    reg(H, 184, "M-Bus primary address"),
    reg(H, 185, "M-Bus secondary address"),
    reg(H, 223, "high-resolution volume (test)"),
    reg(H, 224, "input A2"),
    reg(H, 225, "input B2"),
    reg(H, 229, "T1 average of last autointegration"),
    reg(H, 230, "T2 average of last autointegration"),
    reg(HW, 234, "l/imp for VA"),
    reg(HW, 235, "l/imp for VB"),
    reg(HW, 239, "V1 high resolution"),
    reg(W, 243, "V1 reverse volume"),
    reg(H, 259, "nominal flow qp"),
    reg(H, 266, "E1 high resolution"),
    reg(H, 267, "E3 high resolution"),
    reg(H, 346, "module software revision"),
    reg(H, 347, "customer number"),
    reg(H, 348, "date and time"),
    reg(H, 355, "COP (year)"),
    reg(H, 362, "TA4 tariff register"),
    reg(H, 364, "A1 energy"),
    reg(H, 365, "A2 energy"),
    reg(H, 366, "T5 limit"),
    reg(H, 367, "COP (month)"),
    reg(H, 368, "config no. 4"),
    reg(H, 369, "info bits"),
    reg(H, 371, "COP"),
    reg(H, 379, "T1 average (day)"),
    reg(H, 380, "T2 average (day)"),
    reg(H, 381, "T1 average (hour)"),
    reg(H, 382, "T2 average (hour)"),
    // JKT names only the odd IDs of 383–390; the even ones stay unnamed rather than guessed.
    reg(H, 383, "flow V1 max date (year)"),
    reg(H, 385, "power max date (year)"),
    reg(H, 387, "flow V1 max date (month)"),
    reg(H, 389, "power max date (month)"),
    reg(H, 398, "T1 (one decimal)"),
    reg(H, 399, "T2 (one decimal)"),
    reg(H, 400, "T1-T2 (one decimal)"),
    reg(H, 404, "meter type"),
    reg(H, 473, "E10 energy"),
    reg(H, 474, "E11 energy"),
    reg(H, 477, "T3 average (day)"),
    reg(H, 478, "T3 average (hour)"),
    reg(H, 505, "P1 average (day)"),
    reg(H, 506, "P2 average (day)"),
    reg(H, 507, "P1 average (hour)"),
    reg(H, 508, "P2 average (hour)"),
    reg(W, 582, "battery days left"),
    reg(H, 675, "wM-Bus transmission interval"),
    reg(HW, 1001, "serial number"),
    reg(HW, 1002, "clock"),
    reg(HW, 1003, "date"),
    reg(HW, 1004, "hour counter"),
    reg(HW, 1005, "software edition")
        .disputed("the MULTICAL 302 description calls it \"MeterType\""),
    reg(HW, 1010, "customer number (8 low digits)"),
    reg(H, 1032, "operation mode"),
];

/// Electricity registers (PROTOCOL §5.2), sorted by ID.
static ELECTRICITY: &[Entry] = &[
    reg(E, 1, "active energy A14 (import)"),
    reg(E, 2, "active energy A23 (export)"),
    reg(E, 13, "active energy A14, high resolution"),
    reg(E, 14, "active energy A23, high resolution"),
    reg(E, 39, "max power P14"),
    reg(E, 1001, "serial number"),
    reg(E, 1002, "clock"),
    reg(E, 1003, "date"),
    reg(E, 1004, "hour counter"),
    reg(E, 1005, "software revision"),
    reg(E, 1023, "actual power P14 (import)"),
    reg(E, 1024, "actual power P23 (export)")
        .disputed("PyKamstrup labels it \"Power In\", most likely a typo"),
    reg(E, 1054, "voltage L1"),
    reg(E, 1055, "voltage L2"),
    reg(E, 1056, "voltage L3"),
    reg(E, 1076, "current L1"),
    reg(E, 1077, "current L2"),
    reg(E, 1078, "current L3"),
    reg(E, 1080, "actual power P14 L1"),
    reg(E, 1081, "actual power P14 L2"),
    reg(E, 1082, "actual power P14 L3"),
    reg(E, 1271, "KMP address"),
    reg(E, 1272, "DLMS address"),
    reg(E, 1344, "power out L1"),
    reg(E, 1345, "power out L2"),
    reg(E, 1346, "power out L3"),
    reg(E, 2010, "active tariff"),
    reg(E, 2011, "tariff mode"),
];

#[cfg(test)]
mod tests;
