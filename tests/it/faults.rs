//! Two seeds of 2,000 answers each of `cargo bench --bench damaged_exchanges`: reads through a
//! noisy infrared head from a meter that also answers late, every value the link accepts
//! compared with the answers the meter meant for that read, and the faults' shares checked.

#[path = "../../benches/faults/scenario.rs"]
#[allow(dead_code, clippy::expect_used)]
mod scenario;

use std::time::Instant;

use kmp_workbench::kmp::{Number, Register, RegisterId, RegisterList, Request, Unit};
use kmp_workbench::sim::{Asked, SentAnswer};

#[test]
fn damaged_exchanges_never_give_a_value_the_meter_did_not_mean() {
    let mut total = scenario::Outcome::default();
    for seed in [5, 6] {
        let outcome = scenario::run(2_000, seed);
        assert_eq!(outcome.accepted_wrong, 0, "seed {seed}: {outcome:?}");
        for share in outcome.shares(&scenario::meter(seed)) {
            assert!(share.holds(), "seed {seed}: {share:?}");
        }
        total.add(&outcome);
    }
    // Whole answers of earlier reads reached the link while later reads waited, and most
    // reads still succeed.
    assert!(total.stale >= 10, "{total:?}");
    let accepted = total.accepted_right;
    assert!(accepted > 2_000 && total.rejected > 900, "{total:?}");
    // Values move from read to read, so an answer from an earlier read would not match.
    assert!(total.changed * 10 > accepted * 9, "{total:?}");
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

#[test]
fn the_share_check_fails_a_fault_that_is_not_applied_or_applied_twice() {
    let share = |found| scenario::Share {
        name: "damaged",
        configured: 0.3,
        found,
        of: 2_000,
    };
    assert!(share(0.3).holds() && share(0.32).holds());
    assert!(!share(0.0).holds() && !share(0.6).holds());
}
