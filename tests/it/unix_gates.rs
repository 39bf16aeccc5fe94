//! Unix-only names stay behind `cfg(unix)`, so the crate, its tests and its benches build and lint
//! on Windows. These machines cannot link a Windows build; this catches by reading the sources
//! what would break there: a name from the list below outside a `#[cfg(unix)]` module, item or
//! block (a `#[cfg(unix)] mod x;` gates x's whole file, and the files below it).
//!
//! The reading is a small lexer, not a parser: comments are dropped, string and character
//! literals are kept for the names (`"/proc/self/status"` counts) but hidden from the brace
//! matching, and a gated attribute covers what follows it up to the end of its item: the matching
//! `}` of the first brace, or the first `;` or `,` outside any bracket.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use crate::support::project_root;
use crate::tidy::rust_files;

/// Names that exist only on Unix, in this crate or the systems it runs on.
const UNIX_ONLY: [&str; 7] = [
    "sim::pty",
    "nix::",
    "std::os::unix",
    "SIGUSR1",
    "symlink",
    "/proc/",
    "SimProcess",
];

/// What one file says about gating.
struct Gates {
    /// The source with comments blanked: where names are looked for.
    code: String,
    /// Byte ranges inside a unix-gated item, block or inline module.
    spans: Vec<Range<usize>>,
    /// `#![cfg(unix)]`: the whole file is gated.
    whole: bool,
    /// Its `mod x;` declarations: the file each names, and whether the declaration is gated.
    modules: Vec<(PathBuf, bool)>,
}

/// The source with comments blanked, and again with literals blanked too (same byte offsets).
fn blank(source: &str) -> (String, String) {
    let bytes = source.as_bytes();
    let mut code = bytes.to_vec();
    let mut structure = bytes.to_vec();
    let clear = |buffer: &mut Vec<u8>, range: Range<usize>| {
        for byte in &mut buffer[range] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let ident =
        |at: usize| at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| at + n);
            clear(&mut code, at..end);
            clear(&mut structure, at..end);
            at = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut end) = (0, at);
            while end < bytes.len() {
                if bytes[end..].starts_with(b"/*") {
                    depth += 1;
                    end += 2;
                } else if bytes[end..].starts_with(b"*/") {
                    depth -= 1;
                    end += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    end += 1;
                }
            }
            clear(&mut code, at..end);
            clear(&mut structure, at..end);
            at = end;
        } else if (rest.starts_with(b"r\"") || rest.starts_with(b"r#")) && !ident(at) {
            let hashes = rest[1..].iter().take_while(|b| **b == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                at += 1;
                continue;
            }
            let open = at + 2 + hashes;
            let mut closing = vec![b'"'];
            closing.extend(std::iter::repeat_n(b'#', hashes));
            let end = bytes[open..]
                .windows(closing.len())
                .position(|window| window == closing.as_slice())
                .map_or(bytes.len(), |n| open + n + closing.len());
            clear(&mut structure, at..end);
            at = end;
        } else if rest[0] == b'"' {
            let mut end = at + 1;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(bytes.len());
            clear(&mut structure, at..end);
            at = end;
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '\''), or else a lifetime.
            let end = if rest.get(1) == Some(&b'\\') {
                rest.iter()
                    .skip(2)
                    .position(|b| *b == b'\'')
                    .map(|n| at + n + 3)
            } else {
                let width = source[at + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + width) == Some(&b'\'')).then_some(at + width + 2)
            };
            match end {
                Some(end) => {
                    clear(&mut structure, at..end);
                    at = end;
                }
                None => at += 1,
            }
        } else {
            at += 1;
        }
    }
    let text = |buffer: Vec<u8>| String::from_utf8_lossy(&buffer).into_owned();
    (text(code), text(structure))
}

/// Whether a `cfg` predicate holds only on Unix systems.
fn implies_unix(predicate: &str) -> bool {
    let predicate: String = predicate.chars().filter(|c| !c.is_whitespace()).collect();
    let unix_os = [
        "linux",
        "android",
        "macos",
        "ios",
        "freebsd",
        "netbsd",
        "openbsd",
        "dragonfly",
    ];
    if predicate == "unix" || predicate == "target_family=\"unix\"" {
        return true;
    }
    if let Some(os) = predicate
        .strip_prefix("target_os=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        return unix_os.contains(&os);
    }
    if let Some(inner) = predicate
        .strip_prefix("all(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return arguments(inner).iter().any(|arg| implies_unix(arg));
    }
    if let Some(inner) = predicate
        .strip_prefix("any(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let args = arguments(inner);
        return !args.is_empty() && args.iter().all(|arg| implies_unix(arg));
    }
    false
}

/// The comma-separated arguments of a predicate list, split at the top level only.
fn arguments(list: &str) -> Vec<&str> {
    let (mut depth, mut start, mut args) = (0, 0, Vec::new());
    for (idx, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(&list[start..idx]);
                start = idx + 1;
            }
            _ => {}
        }
    }
    args.push(&list[start..]);
    args.into_iter().filter(|arg| !arg.is_empty()).collect()
}

/// The index just past the bracket that closes the one opening at `open`.
fn matching(structure: &[u8], open: usize) -> usize {
    let mut depth = 0i32;
    for (idx, byte) in structure.iter().enumerate().skip(open) {
        match byte {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return idx + 1;
                }
            }
            _ => {}
        }
    }
    structure.len()
}

/// Where the item that starts at `from` ends: after the matching `}` of its first brace, or at
/// the first `;` or `,` outside brackets, or before a `}` that closes what holds it.
fn item_end(structure: &[u8], from: usize) -> usize {
    let mut at = from;
    let mut depth = 0i32;
    while at < structure.len() {
        match structure[at] {
            b'#' if depth == 0 && structure.get(at + 1) == Some(&b'[') => {
                at = matching(structure, at + 1);
                continue;
            }
            b'{' if depth == 0 => return matching(structure, at),
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b';' | b',' if depth == 0 => return at + 1,
            b'}' if depth == 0 => return at,
            _ => {}
        }
        at += 1;
    }
    structure.len()
}

/// The directory a file's `mod x;` declarations resolve in.
fn module_dir(file: &Path, root: bool) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if root || ["mod", "main", "lib"].contains(&stem) {
        dir
    } else {
        dir.join(stem)
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn gates(file: &Path, root: bool, source: &str, exists: &dyn Fn(&Path) -> bool) -> Gates {
    let (code, structure) = blank(source);
    let bytes = structure.as_bytes();
    let mut spans = Vec::new();
    let mut whole = false;
    let mut at = 0;
    while let Some(found) = structure[at..].find('#') {
        let start = at + found;
        at = start + 1;
        let inner = bytes.get(start + 1) == Some(&b'!');
        let open = start + 1 + usize::from(inner);
        if bytes.get(open) != Some(&b'[') {
            continue;
        }
        let close = matching(bytes, open);
        let attribute: String = code[open + 1..close.saturating_sub(1)]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let gated = attribute
            .strip_prefix("cfg(")
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(implies_unix);
        if gated && inner {
            whole = true;
        } else if gated {
            spans.push(start..item_end(bytes, close));
        }
    }
    let in_span = |pos: usize| whole || spans.iter().any(|span| span.contains(&pos));
    let mut modules = Vec::new();
    let dir = module_dir(file, root);
    for (pos, _) in structure.match_indices("mod ") {
        if pos > 0 && (bytes[pos - 1].is_ascii_alphanumeric() || bytes[pos - 1] == b'_') {
            continue;
        }
        let after = &structure[pos + 4..];
        let name: String = after
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let rest = after.trim_start()[name.len()..].trim_start();
        if name.is_empty() || !rest.starts_with(';') {
            continue;
        }
        // A `#[path = "…"]` just before the declaration names the file itself.
        let before = code[..pos].trim_end();
        let before = before
            .strip_suffix("pub(crate)")
            .or_else(|| before.strip_suffix("pub"))
            .unwrap_or(before)
            .trim_end();
        let path_attr = before.strip_suffix("\"]").and_then(|head| {
            let quote = head.rfind('"')?;
            head[..quote]
                .trim_end()
                .strip_suffix('=')?
                .trim_end()
                .ends_with("#[path")
                .then(|| head[quote + 1..].to_string())
        });
        let target = match path_attr {
            Some(relative) => normal(&file.parent().unwrap_or(Path::new("")).join(relative)),
            None => {
                let flat = dir.join(format!("{name}.rs"));
                if exists(&flat) {
                    flat
                } else {
                    dir.join(&name).join("mod.rs")
                }
            }
        };
        modules.push((target, in_span(pos)));
    }
    Gates {
        code,
        spans,
        whole,
        modules,
    }
}

/// Every mention of a unix-only name outside a gate, as `file:line: name`, in `files` (path →
/// source) whose crate roots are `roots`.
fn ungated(files: &BTreeMap<PathBuf, String>, roots: &BTreeSet<PathBuf>) -> Vec<String> {
    let exists = |path: &Path| files.contains_key(path);
    let gates: BTreeMap<&PathBuf, Gates> = files
        .iter()
        .map(|(path, source)| (path, gates(path, roots.contains(path), source, &exists)))
        .collect();
    // A file is gated when it gates itself, or when every declaration of it is gated or sits in
    // a gated file; declarations run down the tree, so a few rounds settle it.
    let mut gated: BTreeSet<&PathBuf> = gates
        .iter()
        .filter(|(_, g)| g.whole)
        .map(|(path, _)| *path)
        .collect();
    loop {
        let before = gated.len();
        for path in files.keys() {
            let declarations: Vec<bool> = gates
                .iter()
                .flat_map(|(parent, g)| {
                    g.modules
                        .iter()
                        .filter(|(target, _)| target == path)
                        .map(|(_, in_span)| *in_span || gated.contains(parent))
                })
                .collect();
            if !declarations.is_empty() && declarations.iter().all(|d| *d) {
                gated.insert(path);
            }
        }
        if gated.len() == before {
            break;
        }
    }
    let mut found = Vec::new();
    for (path, g) in &gates {
        if gated.contains(path) {
            continue;
        }
        for name in UNIX_ONLY {
            for (pos, _) in g.code.match_indices(name) {
                let starts_identifier = !g.code[..pos]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if starts_identifier && !g.spans.iter().any(|span| span.contains(&pos)) {
                    let line = g.code[..pos].matches('\n').count() + 1;
                    found.push(format!("{}:{line}: `{name}`", path.display()));
                }
            }
        }
    }
    found
}

/// The project's Rust files under `src`, `tests` and `benches`, relative to its root; not this
/// file, whose list and fixtures name every unix-only name on purpose.
fn project_files() -> BTreeMap<PathBuf, String> {
    let root = project_root();
    ["src", "tests", "benches"]
        .iter()
        .flat_map(|dir| rust_files(&root.join(dir)))
        .map(|path| (path.strip_prefix(root).unwrap().to_path_buf(), path))
        .filter(|(relative, _)| relative != Path::new(file!()))
        .map(|(relative, path)| (relative, std::fs::read_to_string(&path).unwrap()))
        .collect()
}

/// The crate roots: the library, each binary, the test binary and each benchmark.
fn project_roots(files: &BTreeMap<PathBuf, String>) -> BTreeSet<PathBuf> {
    files
        .keys()
        .filter(|path| {
            let top_bench = path.starts_with("benches") && path.components().count() == 2;
            top_bench
                || path.starts_with("src/bin")
                || ["src/lib.rs", "src/main.rs", "tests/it/main.rs"]
                    .iter()
                    .any(|root| path.as_path() == Path::new(root))
        })
        .cloned()
        .collect()
}

#[test]
fn unix_only_names_appear_only_behind_cfg_unix() {
    let files = project_files();
    let roots = project_roots(&files);
    let found = ungated(&files, &roots);
    assert!(
        found.is_empty(),
        "unix-only names outside #[cfg(unix)] break the Windows build:\n{}",
        found.join("\n")
    );
}

/// A crate of fixture files: `lib.rs` and the modules given.
fn fixture(lib: &str, modules: &[(&str, &str)]) -> Vec<String> {
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("src/lib.rs"), lib.to_string());
    for (path, source) in modules {
        files.insert(PathBuf::from(path), (*source).to_string());
    }
    let roots = BTreeSet::from([PathBuf::from("src/lib.rs")]);
    ungated(&files, &roots)
}

#[test]
fn the_gate_check_fails_an_ungated_use_and_passes_a_gated_one() {
    let pty = "pub fn spawn() { nix::pty::openpty(None, None); }";
    assert_eq!(
        fixture(
            "pub mod sim;",
            &[("src/sim.rs", "mod pty;"), ("src/sim/pty.rs", pty)]
        ),
        ["src/sim/pty.rs:1: `nix::`"],
        "a module declared without a gate"
    );
    assert!(
        fixture(
            "pub mod sim;",
            &[
                ("src/sim.rs", "#[cfg(unix)]\npub mod pty;"),
                ("src/sim/pty.rs", pty)
            ]
        )
        .is_empty(),
        "its declaration gated"
    );
    assert!(
        fixture(
            "#[cfg(unix)]\nmod sim;",
            &[("src/sim/mod.rs", "mod pty;"), ("src/sim/pty.rs", pty)]
        )
        .is_empty(),
        "a gated parent gates the files below it"
    );
    assert!(
        fixture("", &[("src/x.rs", "#![cfg(unix)]\nuse nix::unistd;")]).is_empty(),
        "a file that gates itself"
    );
}

#[test]
fn the_gate_check_knows_where_an_item_ends() {
    let ok = |lib: &str| fixture(lib, &[]);
    assert!(
        ok("#[cfg(unix)]\n#[test]\nfn f() {\n    let x = \"}\";\n    nix::f(x);\n}").is_empty()
    );
    assert!(ok("fn f() {\n    #[cfg(unix)]\n    {\n        use std::os::unix::fs::PermissionsExt as _;\n    }\n}").is_empty());
    assert!(ok("#[cfg(all(unix, test))]\nuse crate::sim::pty::{spawn, SimHandle};").is_empty());
    assert!(
        ok("#[cfg(target_os = \"linux\")]\nconst STATUS: &str = \"/proc/self/status\";").is_empty()
    );
    assert!(ok("enum C {\n    #[cfg(unix)]\n    Sim(SimProcess),\n}").is_empty());
    assert!(ok("// SIGUSR1 in a comment\n/* and symlink */\nfn f() {}").is_empty());
    assert!(ok("#[cfg(unix)]\n#[path = \"../x/p.rs\"]\nmod p;").is_empty());
    let bad = |lib: &str| fixture(lib, &[]).len();
    assert_eq!(
        bad("#[cfg(not(unix))]\nuse nix::f;"),
        1,
        "not(unix) gates nothing"
    );
    assert_eq!(
        bad("#[cfg(any(unix, windows))]\nuse nix::f;"),
        1,
        "nor does any(unix, windows)"
    );
    assert_eq!(
        bad("fn f() { if cfg!(unix) { nix::f(); } }"),
        1,
        "cfg! compiles both ways"
    );
    assert_eq!(
        bad("enum C {\n    #[cfg(unix)]\n    Sim,\n    Other(SimProcess),\n}"),
        1,
        "the gate ends with its variant"
    );
    assert_eq!(
        bad("#[cfg(unix)]\nuse nix::f;\nconst P: &str = \"/proc/\";"),
        1,
        "the gate ends with its use"
    );
    assert_eq!(
        bad("const C: char = '{';\n#[cfg(unix)]\nfn f() {}\nconst P: &str = \"/proc/\";"),
        1,
        "a brace in a character literal does not hide what follows"
    );
}
