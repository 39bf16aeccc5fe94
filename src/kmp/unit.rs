//! KMP unit codes: the byte after the register ID in every GetRegister answer, which names the
//! physical unit of the value or says that the mantissa is a clock, a date, text or a bit field.
//! The table is docs/protocols.md §5: codes 0x00–0x40 are the same, up to spelling, in every public
//! client (PyKamstrup, ErikErnst, golles, esphome, Hal9k, PyKMP 0.0.2); Jan Kundrát's PyKMP fork
//! (PKMP4) cites Kamstrup's own document 58101758 ("Modbus register mapping") and adds 0x4F and
//! 0x55–0x5A. Where the two disagree we follow the Kamstrup document, as PRODUCT.md requires:
//! 0x15 is W (the older clients say kW, which would clash with 0x16), 0x19 is var (not kvar,
//! which is 0x1A) and 0x26 is K (not "°K"). Symbols use proper characters (m³, °C, ×) because
//! they appear next to values and in CSV headers.

/// A KMP unit code as sent in a register block (PROTOCOL §4.1).
///
/// Every `u8` is a valid code, because the meter, not this program, decides what it sends;
/// codes that no source names have no symbol and are shown as plain numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit(u8);

/// How a unit's value is shown to a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// A plain number or a physical quantity: shown as the decimal value and the symbol.
    Quantity,
    /// 0x2F: the decimal integer hhmmss, shown as `hh:mm:ss`.
    TimeOfDay,
    /// 0x30: the decimal integer yymmdd, shown as `20yy-mm-dd`.
    DateYymmdd,
    /// 0x31: the decimal integer yyyymmdd, shown as `yyyy-mm-dd`.
    DateYyyymmdd,
    /// 0x32: the decimal integer mmdd, shown as `mm-dd`.
    MonthDay,
    /// 0x36: the mantissa bytes are ASCII text.
    Ascii,
    /// 0x4F: 7 bytes: DST offset in minutes, yy, mm, dd, hh, mi, ss.
    DstDateTime,
    /// 0x3B: a bit field, shown in hex.
    Bitfield,
}

impl Unit {
    /// No unit: the value is a plain number.
    pub const NONE: Self = Self(0x00);
    /// Watt-hour.
    pub const WH: Self = Self(0x01);
    /// Kilowatt-hour.
    pub const KWH: Self = Self(0x02);
    /// Megawatt-hour.
    pub const MWH: Self = Self(0x03);
    /// Gigajoule.
    pub const GJ: Self = Self(0x08);
    /// Watt (the Kamstrup document; older clients say kW).
    pub const W: Self = Self(0x15);
    /// Kilowatt.
    pub const KW: Self = Self(0x16);
    /// Megawatt.
    pub const MW: Self = Self(0x17);
    /// Volt-ampere reactive (the Kamstrup document; older clients say kvar).
    pub const VAR: Self = Self(0x19);
    /// Kilovolt-ampere reactive.
    pub const KVAR: Self = Self(0x1A);
    /// Volt.
    pub const V: Self = Self(0x21);
    /// Ampere.
    pub const A: Self = Self(0x22);
    /// Degree Celsius, for temperatures.
    pub const CELSIUS: Self = Self(0x25);
    /// Kelvin, for temperature differences such as T1−T2.
    pub const KELVIN: Self = Self(0x26);
    /// Litre.
    pub const LITRE: Self = Self(0x27);
    /// Cubic metre, the unit of the volume registers.
    pub const M3: Self = Self(0x28);
    /// Litres per hour, the unit of the flow registers.
    pub const L_PER_H: Self = Self(0x29);
    /// Cubic metres per hour.
    pub const M3_PER_H: Self = Self(0x2A);
    /// Cubic metres times degrees Celsius (the E8/E9 averaging registers).
    pub const M3_CELSIUS: Self = Self(0x2B);
    /// Metric ton, for the mass registers.
    pub const TON: Self = Self(0x2C);
    /// Hours, for hour counters.
    pub const HOURS: Self = Self(0x2E);
    /// A time of day encoded as the decimal integer hhmmss.
    pub const TIME_HHMMSS: Self = Self(0x2F);
    /// A date encoded as the decimal integer yymmdd.
    pub const DATE_YYMMDD: Self = Self(0x30);
    /// A date encoded as the decimal integer yyyymmdd.
    pub const DATE_YYYYMMDD: Self = Self(0x31);
    /// A day of the year encoded as the decimal integer mmdd.
    pub const DATE_MMDD: Self = Self(0x32);
    /// A plain number, such as a serial number or an info code.
    pub const NUMBER: Self = Self(0x33);
    /// Bar, for pressures.
    pub const BAR: Self = Self(0x34);
    /// ASCII text carried in the mantissa bytes.
    pub const ASCII: Self = Self(0x36);
    /// Minutes.
    pub const MINUTES: Self = Self(0x3A);
    /// A bit field, such as flag registers.
    pub const BITFIELD: Self = Self(0x3B);
    /// Seconds.
    pub const SECONDS: Self = Self(0x3C);
    /// Days, for example a battery's remaining days.
    pub const DAYS: Self = Self(0x3E);
    /// Date and time with a daylight-saving offset, 7 bytes (Kamstrup document via PKMP4).
    pub const DST_DATETIME: Self = Self(0x4F);

    /// The unit with this code; every code is accepted, known or not.
    pub const fn from_code(code: u8) -> Self {
        Self(code)
    }

    /// The code as sent on the wire.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The symbol shown next to values and in CSV headers, such as "m³", "l/h", "°C" or "kWh".
    ///
    /// It is empty for plain numbers (0x00 and 0x33) and for codes that no source names, so a
    /// caller can always write the value followed by the symbol.
    pub fn symbol(self) -> &'static str {
        known_symbol(self.0).unwrap_or("")
    }

    /// Whether any public source names this code; an unknown one is still shown, as a number.
    pub fn is_known(self) -> bool {
        known_symbol(self.0).is_some()
    }

    /// How the value is shown: most units are quantities, and a few mean that the mantissa is a
    /// calendar value, text or flags instead of an amount.
    pub fn kind(self) -> UnitKind {
        match self.0 {
            0x2F => UnitKind::TimeOfDay,
            0x30 => UnitKind::DateYymmdd,
            0x31 => UnitKind::DateYyyymmdd,
            0x32 => UnitKind::MonthDay,
            0x36 => UnitKind::Ascii,
            0x3B => UnitKind::Bitfield,
            0x4F => UnitKind::DstDateTime,
            _ => UnitKind::Quantity,
        }
    }
}

/// The symbol of a code that some source names (PROTOCOL §4.1), `None` for the others.
fn known_symbol(code: u8) -> Option<&'static str> {
    let symbol = match code {
        0x00 => "",
        0x01 => "Wh",
        0x02 => "kWh",
        0x03 => "MWh",
        0x04 => "GWh",
        0x05 => "J",
        0x06 => "kJ",
        0x07 => "MJ",
        0x08 => "GJ",
        // The sources spell these "Cal" and "kCal"; the symbol of the calorie is lower case.
        0x09 => "cal",
        0x0A => "kcal",
        0x0B => "Mcal",
        0x0C => "Gcal",
        0x0D => "varh",
        0x0E => "kvarh",
        0x0F => "Mvarh",
        0x10 => "Gvarh",
        0x11 => "VAh",
        0x12 => "kVAh",
        0x13 => "MVAh",
        0x14 => "GVAh",
        0x15 => "W",
        0x16 => "kW",
        0x17 => "MW",
        0x18 => "GW",
        0x19 => "var",
        0x1A => "kvar",
        0x1B => "Mvar",
        0x1C => "Gvar",
        0x1D => "VA",
        0x1E => "kVA",
        0x1F => "MVA",
        0x20 => "GVA",
        0x21 => "V",
        0x22 => "A",
        0x23 => "kV",
        0x24 => "kA",
        0x25 => "°C",
        0x26 => "K",
        0x27 => "l",
        0x28 => "m³",
        0x29 => "l/h",
        0x2A => "m³/h",
        0x2B => "m³×°C",
        0x2C => "ton",
        0x2D => "ton/h",
        0x2E => "h",
        0x2F => "hh:mm:ss",
        0x30 => "yy:mm:dd",
        0x31 => "yyyy:mm:dd",
        0x32 => "mm:dd",
        0x33 => "",
        0x34 => "bar",
        0x35 => "RTC",
        0x36 => "ASCII",
        0x37 => "m³×10",
        0x38 => "ton×10",
        0x39 => "GJ×10",
        0x3A => "min",
        0x3B => "bitfield",
        0x3C => "s",
        0x3D => "ms",
        0x3E => "days",
        0x3F => "RTC-Q",
        0x40 => "datetime",
        0x4F => "DST datetime",
        0x55 => "%RH",
        0x56 => "%O₂",
        0x57 => "m/s",
        0x58 => "kJ/kg",
        0x59 => "pH",
        0x5A => "g/kg",
        _ => return None,
    };
    Some(symbol)
}

#[cfg(test)]
mod tests;
