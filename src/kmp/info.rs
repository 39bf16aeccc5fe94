//! The info code (register 99) in words, where a meter family's bits are public.
//!
//! Public for the flowIQ / MULTICAL 21 water meters (docs/protocols.md §5, flowIQ 3100 technical
//! description §10.4): a 2-byte register, bits 0-3 the present conditions DRY, REVERSE, LEAK and
//! BURST, bits 4-15 four 3-bit hour counters, one per condition in the same order. No public source
//! gives the heat or electricity meters' bits one by one, so those are shown as bits, not guessed.

use super::Family;

const CONDITIONS: [&str; 4] = ["DRY", "REVERSE", "LEAK", "BURST"];

/// The info code in words for `family`, or `None` where its bits are not public.
pub fn describe(family: Option<Family>, code: u128) -> Option<String> {
    if family != Some(Family::Water) {
        return None;
    }
    if code > 0xFFFF {
        return Some(format!(
            "{code} is wider than the 2-byte water-meter info code"
        ));
    }
    let present: Vec<&str> = CONDITIONS
        .iter()
        .enumerate()
        .filter(|(bit, _)| code & (1 << bit) != 0)
        .map(|(_, name)| *name)
        .collect();
    let counters: Vec<String> = CONDITIONS
        .iter()
        .enumerate()
        .map(|(index, name)| (name, (code >> (4 + 3 * index)) & 0b111))
        .filter(|(_, hours)| *hours != 0)
        .map(|(name, hours)| format!("{name} hour counter {hours}"))
        .collect();
    let now = if present.is_empty() {
        "no condition present".to_string()
    } else {
        present.join(", ")
    };
    Some(if counters.is_empty() {
        now
    } else {
        format!("{now}; {}", counters.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn water_meter_info_bits_read_as_conditions_and_hour_counters() {
        let water = Some(Family::Water);
        assert_eq!(describe(water, 0).as_deref(), Some("no condition present"));
        assert_eq!(describe(water, 0b0100).as_deref(), Some("LEAK"));
        // LEAK and BURST now; the LEAK counter (bits 10-12) at 3.
        assert_eq!(
            describe(water, 0b1100 | (3 << 10)).as_deref(),
            Some("LEAK, BURST; LEAK hour counter 3")
        );
        assert!(describe(water, 0x1_0000).unwrap().contains("wider"));
    }

    #[test]
    fn families_without_public_bits_are_not_guessed_at() {
        assert_eq!(describe(Some(Family::Heat), 4), None);
        assert_eq!(describe(None, 4), None);
    }
}
