//! The dependency rules of ARCHITECTURE.md, checked by reading the sources.
//!
//! String matching is crude, and that is enough: it stops a forbidden import on the day it is
//! written, when moving it elsewhere is still cheap.

use std::path::{Path, PathBuf};

use crate::support::project_root;

/// Every `.rs` file under `dir` (or `dir` itself), sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
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
    for codec in [
        "kmp.rs",
        "kmp",
        "iec.rs",
        "iec",
        "mc66.rs",
        "mc66",
        "rfc2217.rs",
        "rfc2217",
    ] {
        let found = violations(codec, &forbidden);
        assert!(
            found.is_empty(),
            "the {codec} codec must stay sans-IO:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_other_protocols_codecs_use_nothing_but_kmp_values() {
    for codec in ["iec.rs", "iec", "mc66.rs"] {
        let outside: Vec<String> = violations(codec, &["crate::"])
            .into_iter()
            .filter(|hit| {
                let (file, line) = hit.split_once(':').unwrap();
                let line_no: usize = line.split(':').next().unwrap().parse().unwrap();
                let code = &code_lines(&project_root().join(file))[line_no - 1].1;
                code.match_indices("crate::")
                    .any(|(idx, _)| !code[idx..].starts_with("crate::kmp::Number"))
            })
            .collect();
        assert!(
            outside.is_empty(),
            "{codec} may only use kmp's exact numbers:\n{}",
            outside.join("\n")
        );
    }
}

#[test]
fn the_codec_depends_on_no_other_module() {
    let found: Vec<String> = ["kmp.rs", "kmp"]
        .into_iter()
        .flat_map(|dir| violations(dir, &["crate::"]))
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
    let found: Vec<String> = violations("", &["egui", "eframe", "egui_plot"])
        .into_iter()
        .filter(|hit| !hit.starts_with("src/app/") && !hit.starts_with("src/app.rs:"))
        .collect();
    assert!(
        found.is_empty(),
        "only src/app may use the GUI crates:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_apps_controller_and_state_name_no_gui_crate() {
    let app = project_root().join("src/app");
    let mut found = Vec::new();
    for file in [
        "controller.rs",
        "workspace.rs",
        "link_view.rs",
        "scan_view.rs",
        "action.rs",
        "files.rs",
        "file_jobs.rs",
        "settings.rs",
        "screen.rs",
    ] {
        for (line_no, code) in code_lines(&app.join(file)) {
            for word in ["egui", "eframe", "egui_plot"] {
                if mentions(&code, word) {
                    found.push(format!("src/app/{file}:{line_no}: `{word}`"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "only the shell and the panels draw; the controller and its state are plain:\n{}",
        found.join("\n")
    );
}

/// Whether a file holds only tests (test code may read the clock, and import anything).
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs"
        || name == "testing.rs"
        || name.ends_with("_tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
}

/// The code of a file up to its first `#[cfg(test)]` (inline tests follow it).
fn production_lines(path: &Path) -> Vec<(usize, String)> {
    code_lines(path)
        .into_iter()
        .take_while(|(_, code)| code.trim() != "#[cfg(test)]")
        .collect()
}

#[test]
fn only_the_links_driver_and_ports_read_the_clock_or_wait() {
    let link = project_root().join("src/link");
    let mut found = Vec::new();
    for file in rust_files(&link) {
        let name = file.strip_prefix(&link).unwrap().to_path_buf();
        // The ports themselves wait on their devices and sockets.
        if is_test_file(&file)
            || name == Path::new("driver.rs")
            || name == Path::new("port.rs")
            || name.starts_with("port")
        {
            continue;
        }
        for (line_no, code) in production_lines(&file) {
            for word in [
                "Instant::now",
                "Timestamp::now",
                "Zoned::now",
                "SystemTime",
                "sleep(",
            ] {
                if mentions(&code, word) {
                    found.push(format!("src/link/{}:{line_no}: `{word}`", name.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the link's jobs and machine are sans-IO: time is passed in\n{}",
        found.join("\n")
    );
}

#[test]
fn no_two_files_of_the_link_import_each_other_in_a_circle() {
    let graph = module_graph(&project_root().join("src/link"));
    assert!(graph.len() > 15, "the graph lost its files: {graph:?}");
    assert!(
        graph
            .get(&PathBuf::from("machine.rs"))
            .is_some_and(|uses| uses.contains(&PathBuf::from("jobs.rs"))),
        "the graph lost its edges: {graph:?}"
    );
    if let Some(circle) = find_circle(&graph) {
        let names: Vec<String> = circle.iter().map(|p| p.display().to_string()).collect();
        panic!(
            "files of src/link import each other in a circle: {}",
            names.join(" -> ")
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

/// The files of `root` (a module's folder) and the files each one names: `super::x`,
/// `crate::link::x`, and a `mod.rs` naming its own child modules. Test files are left out.
fn module_graph(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<PathBuf>> {
    let mut graph = std::collections::BTreeMap::new();
    for file in rust_files(root) {
        if is_test_file(&file) {
            continue;
        }
        let relative = file.strip_prefix(root).unwrap().to_path_buf();
        let module = module_of(&relative);
        let text: String = production_lines(&file)
            .into_iter()
            .map(|(_, code)| code + "\n")
            .collect();
        let children: Vec<String> = text
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let rest = line
                    .strip_prefix("mod ")
                    .or_else(|| line.strip_prefix("pub mod "))
                    .or_else(|| line.strip_prefix("pub(crate) mod "))?;
                Some(rest.trim_end_matches(';').to_string())
            })
            .collect();
        let mut uses = Vec::new();
        for (prefix, base) in [
            ("super::", module[..module.len().saturating_sub(1)].to_vec()),
            ("crate::link::", Vec::new()),
        ] {
            for (idx, _) in text.match_indices(prefix) {
                // `super::super::x` is read from its first `super`.
                if text[..idx].ends_with("::") {
                    continue;
                }
                let mut base = base.clone();
                let mut rest = &text[idx + prefix.len()..];
                while let Some(after) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = after;
                }
                for path in paths_in(rest) {
                    uses.extend(resolve(root, &base, &path));
                }
            }
        }
        for child in &children {
            if text.contains(&format!("{child}::")) || text.contains(&format!("use {child}")) {
                let mut path = module.clone();
                path.push(child.clone());
                uses.extend(file_of(root, &path));
            }
        }
        uses.retain(|used| *used != relative);
        uses.sort();
        uses.dedup();
        graph.insert(relative, uses);
    }
    graph
}

/// The module path of a file relative to the module's folder: `jobs/probe.rs` is
/// `[jobs, probe]`, `jobs/mod.rs` is `[jobs]`, `mod.rs` is `[]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut names: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if names.last().is_some_and(|name| name == "mod") {
        names.pop();
    }
    names
}

/// The file of a module path, if there is one.
fn file_of(root: &Path, module: &[String]) -> Option<PathBuf> {
    let joined: PathBuf = module.iter().collect();
    [joined.with_extension("rs"), joined.join("mod.rs")]
        .into_iter()
        .find(|candidate| root.join(candidate).is_file() && !candidate.as_os_str().is_empty())
        .or_else(|| module.is_empty().then(|| PathBuf::from("mod.rs")))
}

/// The paths a use or a path expression names after a prefix: `a::b`, or each item of
/// `{a, b::c, self}`.
fn paths_in(text: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut path = Vec::new();
    let mut rest = text.trim_start();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            return top_level_items(group)
                .into_iter()
                .flat_map(|item| {
                    let prefix = path.clone();
                    paths_in(item).into_iter().map(move |tail| {
                        let mut full = prefix.clone();
                        full.extend(tail.into_iter().filter(|name| name != "self"));
                        full
                    })
                })
                .collect();
        }
        let name = ident(rest);
        if name.is_empty() {
            return vec![path];
        }
        rest = &rest[name.len()..];
        path.push(name);
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => return vec![path],
        }
    }
}

/// The comma-separated items of a `{…}` group (its text after the `{`), nested groups kept
/// whole.
fn top_level_items(group: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (idx, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..idx]);
                return items
                    .into_iter()
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .collect();
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..idx]);
                start = idx + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect()
}

/// The deepest file module that `base` followed by `path` names: an item of a module resolves
/// to the module's file.
fn resolve(root: &Path, base: &[String], path: &[String]) -> Option<PathBuf> {
    let mut best = file_of(root, base);
    let mut module = base.to_vec();
    for name in path {
        module.push(name.clone());
        match file_of(root, &module) {
            Some(file) if !module.is_empty() => best = Some(file),
            _ => break,
        }
    }
    best
}

/// A circle in the graph, if there is one.
fn find_circle(graph: &std::collections::BTreeMap<PathBuf, Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
    fn visit(
        node: &PathBuf,
        graph: &std::collections::BTreeMap<PathBuf, Vec<PathBuf>>,
        on_path: &mut Vec<PathBuf>,
        done: &mut std::collections::BTreeSet<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        if let Some(start) = on_path.iter().position(|seen| seen == node) {
            let mut circle = on_path[start..].to_vec();
            circle.push(node.clone());
            return Some(circle);
        }
        if !done.insert(node.clone()) {
            return None;
        }
        on_path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, on_path, done) {
                return Some(circle);
            }
        }
        on_path.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_circle_finder_finds_a_circle_and_only_one() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut graph = std::collections::BTreeMap::<PathBuf, Vec<PathBuf>>::new();
        for (from, to) in pairs {
            graph
                .entry(PathBuf::from(from))
                .or_default()
                .push(PathBuf::from(to));
            graph.entry(PathBuf::from(to)).or_default();
        }
        graph
    };
    assert!(find_circle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])).is_none());
    let circle = find_circle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap();
    assert_eq!(circle.len(), 4);
    assert_eq!(
        paths_in("{config::LinkConfig, jobs::{step::Cx, Running}, self};"),
        [
            vec!["config".to_string(), "LinkConfig".into()],
            vec!["jobs".into(), "step".into(), "Cx".into()],
            vec!["jobs".into(), "Running".into()],
            vec![],
        ]
    );
}
