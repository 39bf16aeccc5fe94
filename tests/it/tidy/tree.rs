//! The sources the rules read: every `.rs` file under a checkout's `src`, named by its path
//! inside the crate (`src/link/machine.rs`), so that where the checkout lies changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::source::{Code, Source};

/// Every `.rs` file under `dir` (or `dir` itself), sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
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

/// A crate's sources, by path inside the crate (`/`-separated).
#[derive(Debug, Default)]
pub struct Tree {
    pub files: BTreeMap<String, Source>,
}

impl Tree {
    /// The sources under `root/src`.
    pub fn read(root: &Path) -> Self {
        let files = rust_files(&root.join("src"))
            .into_iter()
            .map(|path| {
                let inside: Vec<String> = path
                    .strip_prefix(root)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let inside = inside.join("/");
                let text = std::fs::read_to_string(&path).unwrap();
                let source = Source::parse(&text, is_test_path(&inside));
                (inside, source)
            })
            .collect();
        Self { files }
    }

    /// The paths of the files named as tests.
    pub fn test_files(&self) -> Vec<&String> {
        self.files
            .iter()
            .filter(|(_, source)| source.test_file)
            .map(|(path, _)| path)
            .collect()
    }

    /// The code of the files `scope` covers, and a finding for each of its patterns that
    /// covers none: a rule that reads nothing must not pass.
    pub fn select(&self, scope: &Scope<'_>) -> (Vec<(&str, &Code)>, Vec<String>) {
        let chosen: Vec<(&str, &Code)> = self
            .files
            .iter()
            .filter(|(path, source)| {
                (scope.with_tests || !source.test_file)
                    && scope.include.iter().any(|p| covers(p, path))
                    && !scope.except.iter().any(|p| covers(p, path))
            })
            .map(|(path, source)| (path.as_str(), source.code(scope.with_tests)))
            .collect();
        let unread = scope
            .include
            .iter()
            .filter(|pattern| !chosen.iter().any(|(path, _)| covers(pattern, path)))
            .map(|pattern| format!("`{pattern}`: no file to check"))
            .collect();
        (chosen, unread)
    }
}

/// Which files a rule reads, by path patterns: `src/app.rs` (that file), `src/kmp*` (paths
/// that start so: `src/kmp.rs` and all below `src/kmp/`), `src/app/**` (all below that folder).
pub struct Scope<'a> {
    pub include: &'a [&'a str],
    pub except: &'a [&'a str],
    /// Whether test code is read too.
    pub with_tests: bool,
}

/// Whether a path pattern covers the path `path`.
pub fn covers(pattern: &str, path: &str) -> bool {
    if let Some(folder) = pattern.strip_suffix("**") {
        path.starts_with(folder)
    } else if let Some(start) = pattern.strip_suffix('*') {
        path.starts_with(start)
    } else {
        path == pattern
    }
}

/// Whether a file holds only tests, by its path inside the crate: `tests.rs`, `*_tests.rs` and
/// `testing.rs` files, and any file in a `tests` folder below `src`.
pub fn is_test_path(inside: &str) -> bool {
    let parts: Vec<&str> = inside.split('/').collect();
    let (name, folders) = parts.split_last().unwrap_or((&"", &[]));
    *name == "tests.rs"
        || *name == "testing.rs"
        || name.ends_with("_tests.rs")
        || (folders.first() == Some(&"src") && folders[1..].contains(&"tests"))
}

#[test]
fn tests_are_known_by_their_path_inside_the_crate() {
    for test in [
        "src/link/jobs/tests.rs",
        "src/kmp/fuzz_tests.rs",
        "src/link/port/testing.rs",
        "src/link/jobs/tests/scan.rs",
    ] {
        assert!(is_test_path(test), "{test}");
    }
    for production in [
        "src/link/jobs/probe.rs",
        "src/contests.rs",
        "src/tests_of_time.rs",
        "src/link/testing_ground.rs",
    ] {
        assert!(!is_test_path(production), "{production}");
    }
    assert!(covers("src/kmp*", "src/kmp.rs") && covers("src/kmp*", "src/kmp/crc.rs"));
    assert!(covers("src/app/**", "src/app/panels/live.rs") && !covers("src/app/**", "src/app.rs"));
    assert!(!covers("src/link/port.rs", "src/link/port/network.rs"));
}
