//! A seeded few thousand damaged exchanges of `cargo bench --bench damaged_exchanges`: reads
//! through a noisy infrared head, every value the link accepts compared with the answers the
//! meter meant for that read.

#[path = "../../benches/faults/scenario.rs"]
#[allow(dead_code, clippy::expect_used)]
mod scenario;

use std::time::Instant;

use kmp_workbench::kmp::{Number, Register, RegisterId, RegisterList, Request, Unit};
use kmp_workbench::sim::{Asked, SentAnswer};

#[test]
fn damaged_exchanges_never_give_a_value_the_meter_did_not_mean() {
    let outcome = scenario::run(4_000, 5);
    assert_eq!(outcome.accepted_wrong, 0, "{outcome:?}");
    assert!(outcome.exchanges >= 4_000, "{outcome:?}");
    // The faults are there: about 30 % of answers damaged, and most reads still succeed.
    assert!((900..1_500).contains(&outcome.damaged), "{outcome:?}");
    let accepted = outcome.accepted_right;
    assert!(accepted > 2_000 && outcome.rejected > 900, "{outcome:?}");
    // Values move from read to read, so an answer from an earlier read would not match.
    assert!(outcome.changed * 10 > accepted * 9, "{outcome:?}");
}

#[test]
fn the_check_counts_a_stale_or_changed_answer_as_wrong() {
    let started = Instant::now();
    let register = |mantissa| {
        let number = Number::new(false, mantissa, -2).unwrap();
        Register::from_number(RegisterId::new(68), Unit::M3, number, 4).unwrap()
    };
    let request = Request::GetRegister(RegisterList::single(RegisterId::new(68)));
    let answer = |mantissa, requested| SentAnswer {
        requested,
        at: started + std::time::Duration::from_millis(200),
        asked: Asked::Kmp(request),
        frame: kmp_workbench::kmp::Response::Registers(vec![register(mantissa)]).encode(0x3F),
        damage: None,
        noise: 0,
        late: false,
        wire: Vec::new(),
    };
    let mut outcome = scenario::Outcome::default();
    let now = started + std::time::Duration::from_millis(1);
    let before = started - std::time::Duration::from_millis(1);
    scenario::count(
        &mut outcome,
        &[answer(5, now)],
        request,
        started,
        Some(&vec![register(5)]),
    );
    // Values the meter never sent, and values it sent for a read before this one.
    scenario::count(
        &mut outcome,
        &[answer(5, now)],
        request,
        started,
        Some(&vec![register(6)]),
    );
    scenario::count(
        &mut outcome,
        &[answer(5, before)],
        request,
        started,
        Some(&vec![register(5)]),
    );
    assert_eq!((outcome.accepted_right, outcome.accepted_wrong), (1, 2));
}
