//! Each rule fails on a violation planted in the clean crate of [`Checkout`], and only on it:
//! the clean crate keeps every rule, so each finding below is the plant's.

use super::checkout::Checkout;
use super::graph::{Modules, graph};
use super::rules;

#[test]
fn the_clean_crate_keeps_every_rule() {
    let tree = Checkout::clean("clean").tree();
    for (name, rule) in rules::ALL {
        assert_eq!(rule(&tree), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn every_rule_fails_when_it_finds_no_files() {
    let mut none = Checkout::clean("none");
    none.remove("src/");
    let tree = none.tree();
    for (name, rule) in rules::ALL {
        let found = rule(&tree);
        assert!(!found.is_empty(), "{name} passed without reading a file");
        assert!(
            found.iter().all(|finding| finding.contains("no file")),
            "{name}: {found:?}"
        );
    }
    let mut no_sim = Checkout::clean("no-sim");
    no_sim.remove("src/sim");
    assert_eq!(
        rules::time_is_given(&no_sim.tree()),
        ["`src/sim*`: no file to check"],
        "each part of a rule's scope must have files"
    );
}

#[test]
fn the_clock_rule_catches_every_way_to_read_the_clock_or_wait() {
    let cases = [
        (
            "src/link/jobs/probe.rs",
            "fn waited(started: std::time::Instant) -> std::time::Duration { started.elapsed() }",
            ".elapsed()",
        ),
        (
            "src/link/machine.rs",
            "fn next(rx: &std::sync::mpsc::Receiver<u8>) -> Option<u8> { \
             rx.recv_timeout(std::time::Duration::ZERO).ok() }",
            "recv_timeout",
        ),
        (
            "src/link/jobs/probe.rs",
            "fn now() -> std::time::Instant { std::time::Instant::now() }",
            "::now",
        ),
        (
            "src/sim/loggers.rs",
            "fn pause() { std::thread::sleep(std::time::Duration::ZERO) }",
            "sleep",
        ),
        (
            "src/sim/profile.rs",
            "fn rest() { std::thread::park_timeout(std::time::Duration::ZERO) }",
            "park_timeout",
        ),
        (
            "src/sim/loggers.rs",
            "fn next(rx: &std::sync::mpsc::Receiver<u8>) -> Option<u8> { rx.recv().ok() }",
            ".recv()",
        ),
        (
            "src/capture.rs",
            "fn epoch() -> Option<std::time::SystemTime> { None }",
            "SystemTime",
        ),
        (
            "src/mqtt/session.rs",
            "fn backoff(since: std::time::Instant) -> std::time::Duration { since.elapsed() }",
            ".elapsed()",
        ),
        (
            "src/app/controller.rs",
            "fn stamp() -> jiff::Timestamp { jiff::Timestamp::now() }",
            "::now",
        ),
        (
            "src/app/controller/files.rs",
            "fn name() -> String { jiff::Zoned::now().to_string() }",
            "::now",
        ),
        (
            "src/iec.rs",
            "use std::time::Instant as Clock; fn now() -> Clock { Clock::now() }",
            "::now",
        ),
        (
            "src/app.rs",
            "fn then(start: std::time::Instant) -> std::time::Duration { \
             std::time::Instant::elapsed(&start) }",
            "::elapsed",
        ),
    ];
    for (idx, (path, code, pattern)) in cases.into_iter().enumerate() {
        let mut checkout = Checkout::clean(&format!("clock-{idx}"));
        let line = checkout.plant(path, code);
        assert_eq!(
            rules::time_is_given(&checkout.tree()),
            [format!("{path}:{line}: `{pattern}`")],
            "{code}"
        );
    }
}

#[test]
fn the_clock_rule_lets_the_edges_and_the_tests_read_it() {
    let sleep = "fn pause() { std::thread::sleep(std::time::Duration::ZERO) }";
    let mut checkout = Checkout::clean("clock-edges");
    for edge in [
        "src/link/driver.rs",
        "src/link/port.rs",
        "src/link/port/network.rs",
        "src/link/handle.rs",
        "src/sim/pty.rs",
        "src/app/shell.rs",
        "src/app/screenshot.rs",
        "src/app/measure.rs",
        "src/mqtt/publisher.rs",
        "src/link/jobs/tests.rs",
        "src/link/jobs/probe_tests.rs",
        "src/link/port/testing.rs",
        "src/link/jobs/tests/scan.rs",
    ] {
        checkout.plant(edge, sleep);
    }
    checkout.plant(
        "src/link/machine.rs",
        "#[cfg(test)]\nmod tests {\n    fn pause() { std::thread::sleep(std::time::Duration::ZERO) }\n}",
    );
    assert_eq!(rules::time_is_given(&checkout.tree()), Vec::<String>::new());

    // An inline test module is test code; what follows it is not.
    let line = checkout.plant("src/link/machine.rs", sleep);
    assert_eq!(
        rules::time_is_given(&checkout.tree()),
        [format!("src/link/machine.rs:{line}: `sleep`")]
    );
}

#[test]
fn a_checkout_in_a_folder_named_tests_is_checked_all_the_same() {
    let mut checkout = Checkout::inside("under-tests", "tests/checkout");
    let tree = checkout.tree();
    let tests = tree.test_files();
    assert_eq!(tests, ["src/kmp/tests.rs"]);
    let line = checkout.plant(
        "src/link/jobs/probe.rs",
        "fn waited(started: std::time::Instant) -> std::time::Duration { started.elapsed() }",
    );
    assert_eq!(
        rules::time_is_given(&checkout.tree()),
        [format!("src/link/jobs/probe.rs:{line}: `.elapsed()`")]
    );
}

#[test]
fn the_gui_rules_catch_a_new_controller_file_and_a_module_outside_the_app() {
    let mut checkout = Checkout::clean("gui");
    checkout.plant("src/app/controller.rs", "mod new_part;");
    let inside = checkout.plant("src/app/controller/new_part.rs", "use egui::Context;");
    let outside = checkout.plant("src/sim/profile.rs", "pub fn plot(_: egui_plot::Line) {}");
    let test = checkout.plant(
        "src/capture/tests.rs",
        "fn frame() -> eframe::NativeOptions { Default::default() }",
    );
    // Where the window is drawn, the GUI crates are at home.
    for window in [
        "src/app/panels/live.rs",
        "src/app/style.rs",
        "src/app/screenshot.rs",
        "src/app/measure.rs",
        "src/app/tests.rs",
    ] {
        checkout.plant(window, "use egui::Ui;");
    }
    let tree = checkout.tree();
    assert_eq!(
        rules::only_the_window_names_the_gui(&tree),
        [format!("src/app/controller/new_part.rs:{inside}: `egui*`")]
    );
    assert_eq!(
        rules::only_the_app_names_the_gui(&tree),
        [
            format!("src/capture/tests.rs:{test}: `eframe`"),
            format!("src/sim/profile.rs:{outside}: `egui*`"),
        ]
    );
}

#[test]
fn the_circle_rule_catches_a_circle_in_the_simulator() {
    let mut checkout = Checkout::clean("sim-circle");
    checkout.plant(
        "src/sim/profile.rs",
        "use super::loggers::depth;\npub fn deepest() -> u16 { depth(Profile) }",
    );
    assert_eq!(
        rules::no_circle(&checkout.tree()),
        ["a circle: src/sim/loggers.rs -> src/sim/profile.rs -> src/sim/loggers.rs"]
    );
}

#[test]
fn the_circle_rule_follows_children_parents_and_re_exports() {
    let clean = Checkout::clean("graph");
    let tree = clean.tree();
    let graph = graph(&tree, &Modules::of(&tree));
    let uses = |file: &str| -> Vec<&str> { graph[file].iter().map(String::as_str).collect() };
    // `super::jobs::Job` is `jobs.rs`'s re-export of `probe::Probe`: the machine uses the probe.
    assert_eq!(uses("src/link/machine.rs"), ["src/link/jobs/probe.rs"]);
    // A re-export the file does not use itself is no need of its own.
    assert_eq!(uses("src/link/jobs.rs"), Vec::<&str>::new());
    assert_eq!(uses("src/app.rs"), ["src/app/shell.rs"]);
    assert_eq!(uses("src/iec.rs"), ["src/kmp/number.rs"]);

    // A parent that uses its child, whose child uses the parent's own item: one module's inside.
    let mut checkout = Checkout::clean("parent-child");
    checkout.plant(
        "src/link/jobs.rs",
        "pub const LIMIT: u8 = 3;\npub fn fresh() -> Job { probe::Probe { started: None } }",
    );
    checkout.plant("src/link/jobs/probe.rs", "use super::LIMIT;");
    assert_eq!(rules::no_circle(&checkout.tree()), Vec::<String>::new());
    // Two children that use each other, one through their parent's path: a circle.
    checkout.plant("src/link/jobs.rs", "mod read;");
    checkout.plant("src/link/jobs/probe.rs", "use super::read::Round;");
    checkout.plant(
        "src/link/jobs/read.rs",
        "pub struct Round;\npub fn probe() -> crate::link::jobs::probe::Probe { todo() }",
    );
    assert_eq!(
        rules::no_circle(&checkout.tree()),
        ["a circle: src/link/jobs/probe.rs -> src/link/jobs/read.rs -> src/link/jobs/probe.rs"]
    );
}

#[test]
fn the_circle_rule_reads_every_file_or_says_why_not() {
    let mut checkout = Checkout::clean("mod-rs");
    let line = checkout.plant("src/sim.rs", "mod meter;");
    checkout.plant("src/sim/meter/mod.rs", "pub struct Meter;");
    checkout.plant("src/sim/orphan.rs", "pub struct Orphan;");
    assert_eq!(
        rules::no_circle(&checkout.tree()),
        [
            format!("src/sim.rs:{line}: `mod meter;` names no file src/sim/meter.rs"),
            "src/sim/meter/mod.rs: no module declares it".to_string(),
            "src/sim/orphan.rs: no module declares it".to_string(),
        ]
    );
}

#[test]
fn a_file_named_as_a_test_must_be_compiled_only_for_tests() {
    let mut checkout = Checkout::clean("test-names");
    checkout.plant("src/link.rs", "mod helper_tests;");
    checkout.plant(
        "src/link/helper_tests.rs",
        "pub fn now() -> std::time::Instant { std::time::Instant::now() }",
    );
    assert_eq!(
        rules::test_files_are_only_for_tests(&checkout.tree()),
        ["src/link/helper_tests.rs: declared outside test code by src/link.rs"]
    );
}

#[test]
fn the_module_rules_catch_a_codec_or_the_simulator_reaching_out() {
    let mut checkout = Checkout::clean("reach");
    let kmp = checkout.plant("src/kmp/number.rs", "use std::io::Read as _;");
    checkout.plant(
        "src/kmp.rs",
        "pub fn sim() -> crate::sim::Profile { crate::sim::Profile }",
    );
    checkout.plant(
        "src/iec.rs",
        "pub use crate::link::Machine;\npub fn m(_: &Machine) {}",
    );
    checkout.plant(
        "src/sim/loggers.rs",
        "pub fn start(_: &mut crate::link::Machine) {}",
    );
    let spawn = checkout.plant(
        "src/capture.rs",
        "use std::thread::{Builder, spawn};\npub fn go() { spawn(|| ()); }",
    ) - 1;
    let tree = checkout.tree();
    assert_eq!(
        rules::codec_is_sans_io(&tree),
        [format!("src/kmp/number.rs:{kmp}: `std::io`")]
    );
    assert_eq!(
        rules::kmp_uses_only_itself(&tree),
        ["src/kmp.rs: uses src/sim/profile.rs"]
    );
    assert_eq!(
        rules::text_codecs_use_only_kmp_numbers(&tree),
        ["src/iec.rs: uses src/link/machine.rs"]
    );
    assert_eq!(
        rules::sim_never_uses_link(&tree),
        ["src/sim/loggers.rs: uses src/link/machine.rs"]
    );
    assert_eq!(
        rules::threads_have_names(&tree),
        [format!("src/capture.rs:{spawn}: `thread::spawn`")]
    );
}
