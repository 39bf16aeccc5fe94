//! The rules of ARCHITECTURE.md as functions of a [`Tree`]: each gives its findings as
//! `path:line: what`, and a finding for every part of its scope where it found no file.

use super::graph::{Modules, circles, graph};
use super::source::Pattern;
use super::tree::{Scope, Tree, covers};

/// A rule and its name, for the tests that run every rule.
pub type Rule = fn(&Tree) -> Vec<String>;

/// Every rule.
pub const ALL: [(&str, Rule); 10] = [
    ("codec_is_sans_io", codec_is_sans_io),
    ("kmp_uses_only_itself", kmp_uses_only_itself),
    (
        "text_codecs_use_only_kmp_numbers",
        text_codecs_use_only_kmp_numbers,
    ),
    ("threads_have_names", threads_have_names),
    ("only_the_app_names_the_gui", only_the_app_names_the_gui),
    (
        "only_the_window_names_the_gui",
        only_the_window_names_the_gui,
    ),
    ("time_is_given", time_is_given),
    ("sim_never_uses_link", sim_never_uses_link),
    ("no_circle", no_circle),
    (
        "test_files_are_only_for_tests",
        test_files_are_only_for_tests,
    ),
];

const CODECS: &[&str] = &[
    "src/kmp*",
    "src/iec*",
    "src/mc66*",
    "src/rfc2217*",
    "src/mqtt/packet*",
];
const GUI: &[&str] = &["egui*", "eframe"];

/// Ways to read the clock: `Instant::now`, `SystemTime::now`, jiff's `Timestamp::now` and
/// `Zoned::now`, any other `::now` or `::today`, and the time since an instant.
const READS_THE_CLOCK: &[&str] = &[
    "::now",
    "::today",
    "SystemTime",
    "UNIX_EPOCH",
    ".elapsed()",
    "::elapsed",
];

/// Ways to wait: to sleep, to park, to block on a channel or a lock's condition.
const WAITS: &[&str] = &[
    "sleep",
    "sleep_ms",
    "sleep_until",
    "park",
    "park_timeout",
    "park_timeout_ms",
    "recv_timeout",
    "recv_deadline",
    ".recv()",
    "Condvar",
    "Barrier",
    "wait_timeout",
    "wait_timeout_ms",
    "wait_while",
    "wait_timeout_while",
];

/// Each line of the files `scope` covers that names one of `forbidden`, and what is unread.
fn naming(tree: &Tree, scope: &Scope<'_>, forbidden: &[&'static str]) -> Vec<String> {
    let (files, mut found) = tree.select(scope);
    let patterns: Vec<Pattern> = forbidden.iter().map(|text| Pattern::new(text)).collect();
    for (path, code) in files {
        for pattern in &patterns {
            for line in code.lines_of(pattern) {
                found.push(format!("{path}:{line}: `{}`", pattern.text));
            }
        }
    }
    found
}

/// Each file of `from` that uses a file outside `allowed`, and what is unread.
fn using(tree: &Tree, from: &[&str], allowed: &dyn Fn(&str) -> bool) -> Vec<String> {
    let scope = Scope {
        include: from,
        except: &[],
        with_tests: false,
    };
    let (files, mut found) = tree.select(&scope);
    let graph = graph(tree, &Modules::of(tree));
    for (path, _) in files {
        for used in graph.get(path).into_iter().flatten() {
            if !allowed(used) {
                found.push(format!("{path}: uses {used}"));
            }
        }
    }
    found
}

/// The codecs do no IO, read no clock, start no thread, log nothing and draw nothing.
pub fn codec_is_sans_io(tree: &Tree) -> Vec<String> {
    let scope = Scope {
        include: CODECS,
        except: &[],
        with_tests: false,
    };
    let forbidden = [
        "std::io",
        "std::fs",
        "std::net",
        "Instant",
        "serialport",
        "thread",
        "println!",
        "eprintln!",
        "tracing",
        "egui*",
        "eframe",
    ];
    let all: Vec<&'static str> = forbidden
        .into_iter()
        .chain(READS_THE_CLOCK.iter().copied())
        .chain(WAITS.iter().copied())
        .collect();
    naming(tree, &scope, &all)
}

/// `kmp` uses no other module of the crate.
pub fn kmp_uses_only_itself(tree: &Tree) -> Vec<String> {
    using(tree, &["src/kmp*"], &|used| covers("src/kmp*", used))
}

/// `iec` and `mc66` use nothing of the crate but themselves and kmp's exact numbers.
pub fn text_codecs_use_only_kmp_numbers(tree: &Tree) -> Vec<String> {
    let mut found = using(tree, &["src/iec*"], &|used| {
        covers("src/iec*", used) || used == "src/kmp/number.rs"
    });
    found.extend(using(tree, &["src/mc66*"], &|used| {
        covers("src/mc66*", used) || used == "src/kmp/number.rs"
    }));
    found
}

/// Threads start with `thread::Builder` and a name, never `thread::spawn`.
pub fn threads_have_names(tree: &Tree) -> Vec<String> {
    let scope = Scope {
        include: &["src/**"],
        except: &[],
        with_tests: true,
    };
    naming(tree, &scope, &["thread::spawn"])
}

/// No file outside the app names the GUI crates, not even in its tests.
pub fn only_the_app_names_the_gui(tree: &Tree) -> Vec<String> {
    let scope = Scope {
        include: &["src/**"],
        except: &["src/app.rs", "src/app/**"],
        with_tests: true,
    };
    naming(tree, &scope, GUI)
}

/// Within the app, only the window draws: the shell, `app.rs` (the window's `run`), the panels,
/// the style, the screenshot and the frame-rate measure. The controller and its parts, the
/// workspace, the views, actions, files, settings, the screen and any new file are plain.
pub fn only_the_window_names_the_gui(tree: &Tree) -> Vec<String> {
    let scope = Scope {
        include: &["src/app/**"],
        except: &[
            "src/app/shell.rs",
            "src/app/panels.rs",
            "src/app/panels/**",
            "src/app/style.rs",
            "src/app/screenshot.rs",
            "src/app/measure.rs",
        ],
        with_tests: false,
    };
    naming(tree, &scope, GUI)
}

/// The modules that are given the time neither read the clock nor wait: all of the link but
/// its driver, its ports and its handle (which waits for the driver's events and thread), the
/// codecs, the simulator but its pseudo-terminal runner, the capture analysis, and the app but
/// its shell, its screenshot and its frame-rate measure.
pub fn time_is_given(tree: &Tree) -> Vec<String> {
    let mut include = vec![
        "src/link*",
        "src/sim*",
        "src/capture*",
        "src/app*",
        "src/mqtt*",
    ];
    include.extend(CODECS);
    let scope = Scope {
        include: &include,
        except: &[
            "src/link/driver.rs",
            "src/link/port.rs",
            "src/link/port/**",
            "src/link/handle.rs",
            "src/sim/pty.rs",
            "src/app/shell.rs",
            "src/app/screenshot.rs",
            "src/app/measure.rs",
            "src/mqtt/publisher.rs",
        ],
        with_tests: false,
    };
    let all: Vec<&'static str> = READS_THE_CLOCK.iter().chain(WAITS).copied().collect();
    naming(tree, &scope, &all)
}

/// The simulator never uses the link.
pub fn sim_never_uses_link(tree: &Tree) -> Vec<String> {
    using(tree, &["src/sim*"], &|used| !covers("src/link*", used))
}

/// No files of the crate name each other's items in a circle; every declaration names a file
/// and every file is declared. A file and its folder are one module: a child naming its
/// parent's items is that module's own structure (the graph leaves such edges out), while
/// siblings, cousins and other modules must use each other one way.
pub fn no_circle(tree: &Tree) -> Vec<String> {
    let modules = Modules::of(tree);
    let graph = graph(tree, &modules);
    let mut found = modules.problems;
    if graph.is_empty() {
        found.push("`src/**`: no file to check".to_string());
    }
    for circle in circles(&graph) {
        found.push(format!("a circle: {}", circle.join(" -> ")));
    }
    found
}

/// A file named as a test (`tests.rs`, `*_tests.rs`, `testing.rs`, in a `tests` folder) is
/// compiled for tests alone: declared in test code or in another test file. Else its code
/// would escape every rule.
pub fn test_files_are_only_for_tests(tree: &Tree) -> Vec<String> {
    let modules = Modules::of(tree);
    let tests = tree.test_files();
    let mut found = Vec::new();
    if tests.is_empty() {
        found.push("test files: no file to check".to_string());
    }
    for test in tests {
        for (parent, in_test) in modules.declared_by.get(test).into_iter().flatten() {
            if !in_test && !tree.files[parent].test_file {
                found.push(format!("{test}: declared outside test code by {parent}"));
            }
        }
    }
    found
}
