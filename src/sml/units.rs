//! The DLMS unit codes SML entries carry (IEC 62056-62's unit table), as symbols; those a
//! meter's optical eye is known to send. docs/protocols.md §11.

/// The symbol of unit `code`; `None` for a code not in the table (shown as its number).
pub fn symbol(code: u8) -> Option<&'static str> {
    Some(match code {
        5 => "h",
        6 => "min",
        7 => "s",
        8 => "°",
        9 => "°C",
        13 => "m³",
        15 => "m³/h",
        19 => "l",
        27 => "W",
        28 => "VA",
        29 => "var",
        30 => "Wh",
        31 => "VAh",
        32 => "varh",
        33 => "A",
        35 => "V",
        44 => "Hz",
        52 => "K",
        56 => "%",
        // A count: no unit.
        255 => "",
        _ => return None,
    })
}
