//! The dependency rules of ARCHITECTURE.md, checked by reading the sources.
//!
//! The reading is a lexer, not a compiler: comments are dropped and literals kept whole, test
//! code is known by its path inside the crate and by `#[cfg(test)]`, and the crate's files form
//! a graph through the paths they name. That is enough to stop a forbidden import or a circle on
//! the day it is written, when moving it elsewhere is still cheap. Each rule runs over a
//! [`Tree`] of files, so the fixtures can plant a violation in a small tree of their own and show
//! that the rule fails on it.

mod checkout;
mod fixtures;
mod graph;
mod lexer;
mod rules;
mod source;
mod tree;

use std::sync::OnceLock;

use crate::support::project_root;
use tree::Tree;
pub use tree::rust_files;

/// The project's own sources, read once.
fn project() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| Tree::read(project_root()))
}

fn holds(rule: rules::Rule, what: &str) {
    let found = rule(project());
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

#[test]
fn the_codec_does_no_io_reads_no_clock_and_starts_no_thread() {
    holds(
        rules::codec_is_sans_io,
        "the codecs (kmp, iec, mc66, rfc2217, MQTT packets) must stay sans-IO",
    );
}

#[test]
fn the_codec_depends_on_no_other_module() {
    holds(rules::kmp_uses_only_itself, "kmp may only use itself");
}

#[test]
fn the_other_protocols_codecs_use_nothing_but_kmp_values() {
    holds(
        rules::text_codecs_use_only_kmp_numbers,
        "iec and mc66 may only use kmp's exact numbers",
    );
}

#[test]
fn no_thread_is_started_without_a_name() {
    holds(
        rules::threads_have_names,
        "start threads with thread::Builder and a name",
    );
}

#[test]
fn only_the_app_names_the_gui_crates() {
    holds(
        rules::only_the_app_names_the_gui,
        "only src/app may use the GUI crates",
    );
}

#[test]
fn within_the_app_only_the_window_names_the_gui_crates() {
    holds(
        rules::only_the_window_names_the_gui,
        "only the shell, the panels, the style, the screenshot and the measure draw; the \
         controller and its state are plain",
    );
}

#[test]
fn only_the_edges_read_the_clock_or_wait() {
    holds(
        rules::time_is_given,
        "the machines, jobs, codecs, simulated meters, capture analysis and the app's state are \
         sans-IO: time is passed in",
    );
}

#[test]
fn the_simulator_never_uses_the_link() {
    holds(rules::sim_never_uses_link, "sim must not use link");
}

#[test]
fn no_two_files_import_each_other_in_a_circle() {
    holds(
        rules::no_circle,
        "the files of the crate must use each other one way",
    );
}

#[test]
fn files_named_as_tests_are_compiled_only_for_tests() {
    holds(
        rules::test_files_are_only_for_tests,
        "a file named as a test escapes the rules, so it must be test code",
    );
}
