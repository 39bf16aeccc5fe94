//! Six simulated hours of the week-long soak (`cargo bench --bench soak_week`): polling a
//! throttling, sleeping meter that damages, drops or sends after noise some of its answers, with
//! a head that damages some echoes, a port that vanishes, and a user who scans, reads again and
//! pauses, all in invented time; every poll answer must be journaled exactly once, and enough
//! of them must come for the check to mean something.

#[path = "../../benches/soak/scenario.rs"]
#[allow(dead_code, clippy::expect_used)]
mod scenario;

use std::time::Duration;

#[test]
fn six_simulated_hours_of_polling_lose_no_reading_and_change_no_value() {
    let dir = std::env::temp_dir().join(format!("kmp-soak-6h-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let six_hours = Duration::from_secs(6 * 3600);
    let outcome = scenario::run(six_hours, &dir, 11);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        outcome.readings_checked >= scenario::readings_floor(six_hours),
        "{outcome:?}"
    );
    assert!(
        outcome.vanished >= 1 && outcome.scans >= 1 && outcome.pauses >= 2,
        "{outcome:?}"
    );
    assert_eq!(outcome.readings_lost, 0, "{outcome:?}");
    assert_eq!(outcome.wrong_values, 0, "{outcome:?}");
}

#[test]
fn the_soak_check_counts_a_missing_reading_as_lost_and_a_changed_or_extra_one_as_wrong() {
    use kmp_workbench::kmp::Number;
    let value = |mantissa| Number::new(false, mantissa, -3).unwrap();
    let sent = [
        (0, value(1)),
        (1_000, value(2)),
        (2_000, value(3)),
        (3_000, value(4)),
    ];
    let journaled = [
        (0, value(1)),
        (2_000, value(9)),
        (2_000, value(3)),
        (3_000, value(4)),
    ];
    assert_eq!(scenario::compare(&sent, &journaled), (1, 2));
    assert_eq!(scenario::compare(&sent, &sent), (0, 0));
}
