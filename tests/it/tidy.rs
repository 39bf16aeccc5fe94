//! The dependency rules of ARCHITECTURE.md, checked by reading the sources.
//!
//! String matching is crude, and that is enough: it stops a forbidden import on the day it is
//! written, when moving it elsewhere is still cheap.

use std::path::{Path, PathBuf};

use crate::support::project_root;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Lines of code without `//` comments, so that prose may name what code may not use.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .map(|(idx, line)| (idx + 1, line.split("//").next().unwrap_or("").to_string()))
        .collect()
}

/// Whether `code` names `word` as the start of an identifier or path, so that `Deframer` does not
/// count as naming `eframe`.
fn mentions(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(idx, _)| {
        !code[..idx]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn violations(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = project_root().join("src").join(dir);
    let mut found = Vec::new();
    for file in rust_files(&root) {
        for (line_no, code) in code_lines(&file) {
            for word in forbidden {
                if mentions(&code, word) {
                    let shown = file
                        .strip_prefix(project_root())
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    found.push(format!("{shown}:{line_no}: `{word}`"));
                }
            }
        }
    }
    found
}

#[test]
fn the_codec_does_no_io_reads_no_clock_and_starts_no_thread() {
    let forbidden = [
        "std::io",
        "std::fs",
        "std::net",
        "Instant",
        "SystemTime",
        "serialport",
        "thread",
        "println!",
        "eprintln!",
        "tracing",
        "egui",
        "eframe",
    ];
    let found = violations("kmp", &forbidden);
    assert!(
        found.is_empty(),
        "the kmp codec must stay sans-IO:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_codec_depends_on_no_other_module() {
    let found: Vec<String> = violations("kmp", &["crate::"])
        .into_iter()
        .filter(|hit| {
            let (file, line) = hit.split_once(':').unwrap();
            let line_no: usize = line.split(':').next().unwrap().parse().unwrap();
            let code = &code_lines(&project_root().join(file))[line_no - 1].1;
            code.match_indices("crate::")
                .any(|(idx, _)| !code[idx..].starts_with("crate::kmp"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "kmp may only use itself:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_thread_is_started_without_a_name() {
    let found = violations("", &["thread::spawn("]);
    assert!(
        found.is_empty(),
        "start threads with thread::Builder and a name:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_app_names_the_gui_crates() {
    for dir in ["kmp", "link", "sim"] {
        let found = violations(dir, &["egui", "eframe", "egui_plot"]);
        assert!(
            found.is_empty(),
            "only src/app may use the GUI crates:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_simulator_never_uses_the_link_and_the_engine_reads_no_clock() {
    let found = violations("sim", &["crate::link", "link::"]);
    assert!(
        found.is_empty(),
        "sim must not use link:\n{}",
        found.join("\n")
    );
    let root = project_root().join("src");
    for file in ["link/engine.rs", "sim/meter.rs", "sim/physics.rs"] {
        for (line_no, code) in code_lines(&root.join(file)) {
            assert!(
                !mentions(&code, "Instant::now") && !mentions(&code, "SystemTime"),
                "{file}:{line_no} reads the clock"
            );
        }
    }
}
