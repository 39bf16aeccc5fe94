//! The crate as a graph of files: which file names an item of which other file.
//!
//! A file's modules are found from the crate roots down through their `mod x;` declarations,
//! each naming `x.rs` beside the folder `x/` of its children (the crate's one layout; clippy's
//! `mod_module_files` holds it), so a declaration that names no such file is reported, never
//! skipped. A path that starts with `crate`, `kmp_workbench`, `super`, `self`, a child module or
//! a name a `use` brought in leads to the deepest file module it names; when it goes on to an
//! item that file only re-exports (`pub use machine::LinkMachine`), it is followed to the file
//! that defines the item. A child naming its parent's items is left out: a file and its folder
//! are one module.

use std::collections::{BTreeMap, BTreeSet};

use super::lexer::Kind;
use super::source::Source;
use super::tree::Tree;

/// The library's name in paths from the binaries.
const LIBRARY: &str = "kmp_workbench";
/// Re-exports followed at most this deep (a `use` naming itself would never end).
const MAX_REEXPORTS: usize = 8;

/// Where each file sits among the crate's modules.
#[derive(Debug, Default)]
pub struct Modules {
    /// File → its crate root and module path.
    places: BTreeMap<String, (String, Vec<String>)>,
    /// (Crate root, module path) → file.
    files: BTreeMap<(String, Vec<String>), String>,
    /// File → the files declaring it, each with whether the declaration is test code.
    pub declared_by: BTreeMap<String, Vec<(String, bool)>>,
    /// Declarations naming no file, and files no declaration names.
    pub problems: Vec<String>,
}

impl Modules {
    pub fn of(tree: &Tree) -> Self {
        let mut modules = Self::default();
        let mut pending: Vec<(String, String, Vec<String>, String)> = tree
            .files
            .keys()
            .filter(|path| is_root(path))
            .map(|root| {
                let dir = root.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
                (root.clone(), root.clone(), Vec::new(), dir)
            })
            .collect();
        while let Some((file, root, module, dir)) = pending.pop() {
            modules
                .files
                .insert((root.clone(), module.clone()), file.clone());
            modules
                .places
                .insert(file.clone(), (root.clone(), module.clone()));
            for declaration in &tree.files[&file].declarations {
                let child = format!("{dir}/{}.rs", declaration.name);
                if !tree.files.contains_key(&child) {
                    modules.problems.push(format!(
                        "{file}:{}: `mod {};` names no file {child}",
                        declaration.line, declaration.name
                    ));
                    continue;
                }
                modules
                    .declared_by
                    .entry(child.clone())
                    .or_default()
                    .push((file.clone(), declaration.in_test));
                let mut child_module = module.clone();
                child_module.push(declaration.name.clone());
                let child_dir = child.trim_end_matches(".rs").to_string();
                pending.push((child, root.clone(), child_module, child_dir));
            }
        }
        for file in tree.files.keys() {
            if !modules.places.contains_key(file) {
                modules
                    .problems
                    .push(format!("{file}: no module declares it"));
            }
        }
        modules
    }

    /// The files of the modules `file` sits in: its parent's, their parent's, up to the root.
    fn ancestors(&self, file: &str) -> Vec<&String> {
        let Some((root, module)) = self.places.get(file) else {
            return Vec::new();
        };
        (0..module.len())
            .filter_map(|depth| self.file(root, &module[..depth]))
            .collect()
    }

    /// The file a module path of `root` names.
    fn file(&self, root: &str, module: &[String]) -> Option<&String> {
        self.files.get(&(root.to_string(), module.to_vec()))
    }
}

/// The library, the command-line program and each program under `src/bin`.
fn is_root(path: &str) -> bool {
    path == "src/lib.rs"
        || path == "src/main.rs"
        || path
            .strip_prefix("src/bin/")
            .is_some_and(|name| !name.contains('/'))
}

/// File → the files whose items its production code names. Test files are left out.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of `tree`'s production files.
pub fn graph(tree: &Tree, modules: &Modules) -> Graph {
    let mut graph = Graph::new();
    for (file, source) in &tree.files {
        if source.test_file || !modules.places.contains_key(file) {
            continue;
        }
        let reader = Reader {
            tree,
            modules,
            file,
        };
        let (paths, names) = outside_uses(source);
        let mut uses = BTreeSet::new();
        // A re-export the file does not use itself is its module's face, not its need: whoever
        // names the item through it is led on to the file that defines it.
        for used in source
            .production
            .uses
            .iter()
            .filter(|used| !used.public || names.contains(&used.name))
        {
            uses.extend(
                reader
                    .start(&used.segments, false)
                    .and_then(|path| reader.resolve(path, 0)),
            );
        }
        for path in paths {
            uses.extend(
                reader
                    .start(&path, true)
                    .and_then(|path| reader.resolve(path, 0)),
            );
        }
        uses.remove(file);
        // A child naming its parent's items is its module's own structure, not a circle.
        for ancestor in modules.ancestors(file) {
            uses.remove(ancestor);
        }
        graph.insert(file.clone(), uses);
    }
    graph
}

/// Outside `use` declarations: the paths of two segments or more (`super::answers::f`), and
/// every name.
fn outside_uses(source: &Source) -> (Vec<Vec<String>>, BTreeSet<String>) {
    let tokens = &source.production.tokens;
    let (mut paths, mut names) = (Vec::new(), BTreeSet::new());
    let mut at = 0;
    while at < tokens.len() {
        if tokens[at].is("use") {
            at += tokens[at..].iter().position(|t| t.is(";")).unwrap_or(0) + 1;
            continue;
        }
        if tokens[at].kind == Kind::Ident {
            names.insert(tokens[at].text.clone());
        }
        let starts = tokens[at].kind == Kind::Ident
            && tokens.get(at + 1).is_some_and(|t| t.is("::"))
            && !(at > 0 && tokens[at - 1].is("::"));
        if !starts {
            at += 1;
            continue;
        }
        let mut path = vec![tokens[at].text.clone()];
        at += 1;
        while tokens.get(at).is_some_and(|t| t.is("::"))
            && tokens.get(at + 1).is_some_and(|t| t.kind == Kind::Ident)
        {
            path.push(tokens[at + 1].text.clone());
            at += 2;
        }
        paths.push(path);
    }
    (paths, names)
}

/// Reads the paths of one file.
struct Reader<'a> {
    tree: &'a Tree,
    modules: &'a Modules,
    file: &'a str,
}

impl Reader<'_> {
    /// The absolute path (crate root, segments) a path of this file names, if it names one of
    /// the crate's own: `imported` lets it start with a name the file's `use`s brought in.
    fn start(&self, path: &[String], imported: bool) -> Option<(String, Vec<String>)> {
        let (root, module) = self.modules.places.get(self.file)?;
        let (first, rest) = path.split_first()?;
        let source = &self.tree.files[self.file];
        let joined =
            |base: &[String], tail: &[String]| base.iter().chain(tail).cloned().collect::<Vec<_>>();
        match first.as_str() {
            "crate" => Some((root.clone(), rest.to_vec())),
            LIBRARY => Some(("src/lib.rs".to_string(), rest.to_vec())),
            "self" => Some((root.clone(), joined(module, rest))),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                let base = &module[..module.len().checked_sub(ups)?];
                Some((root.clone(), joined(base, &path[ups..])))
            }
            _ if source
                .declarations
                .iter()
                .any(|d| !d.in_test && d.name == *first) =>
            {
                Some((root.clone(), joined(module, path)))
            }
            _ if imported => {
                let used = source.production.uses.iter().find(|u| u.name == *first)?;
                let (root, start) = self.start(&used.segments, false)?;
                Some((root, joined(&start, rest)))
            }
            _ => None,
        }
    }

    /// The file that defines what an absolute path names.
    fn resolve(&self, (root, path): (String, Vec<String>), depth: usize) -> Option<String> {
        let mut module = Vec::new();
        let mut file = self.modules.file(&root, &module)?.clone();
        for (idx, name) in path.iter().enumerate() {
            module.push(name.clone());
            if let Some(deeper) = self.modules.file(&root, &module) {
                file = deeper.clone();
                continue;
            }
            let reexport = self.tree.files[&file]
                .production
                .uses
                .iter()
                .find(|u| u.name == *name);
            let there = Reader {
                tree: self.tree,
                modules: self.modules,
                file: &file,
            };
            let onward = reexport
                .filter(|_| depth < MAX_REEXPORTS)
                .and_then(|u| there.start(&u.segments, false))
                .map(|(root, mut start)| {
                    start.extend(path[idx + 1..].iter().cloned());
                    (root, start)
                });
            return match onward {
                Some(onward) => there.resolve(onward, depth + 1).or(Some(file)),
                None => Some(file),
            };
        }
        Some(file)
    }
}

/// One circle in each knot of the graph (a set of files that all reach each other).
pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
    let reach = |from: &String| -> BTreeSet<String> {
        let (mut seen, mut pending) = (BTreeSet::new(), vec![from.clone()]);
        while let Some(node) = pending.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    pending.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|node| (node, reach(node))).collect();
    let mut placed = BTreeSet::new();
    let mut found = Vec::new();
    for (node, from_node) in &reached {
        if placed.contains(*node) || !from_node.contains(*node) {
            continue;
        }
        let knot: BTreeSet<&String> = from_node
            .iter()
            .filter(|other| reached.get(other).is_some_and(|back| back.contains(*node)))
            .collect();
        let within: Graph = knot
            .iter()
            .map(|n| {
                let next = graph[*n].iter().filter(|m| knot.contains(m)).cloned();
                ((*n).clone(), next.collect())
            })
            .collect();
        placed.extend(knot.into_iter().cloned());
        found.extend(find_circle(&within));
    }
    found
}

/// A circle in the graph, if there is one.
pub fn find_circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &String,
        graph: &Graph,
        on_path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
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
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_circle_finder_finds_a_circle_and_only_one() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut graph = Graph::new();
        for (from, to) in pairs {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    assert_eq!(
        find_circle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    assert_eq!(
        find_circle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
