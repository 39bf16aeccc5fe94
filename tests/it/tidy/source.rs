//! One file as the rules read it: its tokens, which of them are test code, the paths it names
//! (each `use` tree spelled out) and the modules it declares.

use super::lexer::{Kind, Token, tokens};

/// A file's code: all of it, or its production code alone.
#[derive(Debug, Default)]
pub struct Code {
    pub tokens: Vec<Token>,
    /// Every path a `use` names, its groups spelled out: `use a::{b, c::d}` is `a::b`, `a::c::d`.
    pub uses: Vec<UsePath>,
}

/// One path a `use` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsePath {
    pub segments: Vec<String>,
    /// The name it is known by here: its `as` name, or its last segment.
    pub name: String,
    pub line: usize,
    /// From a `pub use`: a re-export, which others may name the item through.
    pub public: bool,
}

/// A `mod name;` declaration.
#[derive(Debug)]
pub struct Declaration {
    pub name: String,
    pub line: usize,
    /// Declared inside test code (`#[cfg(test)] mod tests;`).
    pub in_test: bool,
}

/// One file, read.
#[derive(Debug)]
pub struct Source {
    /// Test code as a whole, by its path inside the crate.
    pub test_file: bool,
    pub whole: Code,
    /// The tokens outside test code: none for a test file.
    pub production: Code,
    pub declarations: Vec<Declaration>,
}

impl Source {
    pub fn parse(text: &str, test_file: bool) -> Self {
        let all = tokens(text);
        let in_test = test_spans(&all, test_file);
        let declarations = declarations(&all)
            .into_iter()
            .map(|(at, name)| Declaration {
                name,
                line: all[at].line,
                in_test: in_test[at],
            })
            .collect();
        let production: Vec<Token> = all
            .iter()
            .zip(&in_test)
            .filter(|(_, test)| !**test)
            .map(|(token, _)| token.clone())
            .collect();
        Self {
            test_file,
            whole: Code::of(all),
            production: Code::of(production),
            declarations,
        }
    }

    /// Its production code, or all of it with the tests.
    pub fn code(&self, with_tests: bool) -> &Code {
        if with_tests {
            &self.whole
        } else {
            &self.production
        }
    }
}

impl Code {
    fn of(tokens: Vec<Token>) -> Self {
        let uses = use_paths(&tokens);
        Self { tokens, uses }
    }

    /// The lines on which `pattern` appears.
    pub fn lines_of(&self, pattern: &Pattern) -> Vec<usize> {
        let mut lines: Vec<usize> = (0..self.tokens.len())
            .filter(|at| pattern.matches(&self.tokens[*at..]))
            .map(|at| self.tokens[at].line)
            .chain(
                self.uses
                    .iter()
                    .filter(|used| pattern.names_within(&used.segments))
                    .map(|used| used.line),
            )
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

/// What a rule forbids, written as code is: `std::io`, `.elapsed()`, `println!`, `egui*` (a
/// trailing `*`: any name that starts so).
pub struct Pattern {
    pub text: &'static str,
    tokens: Vec<Token>,
    /// The names of a path pattern (`std::io`, `thread::spawn`), looked for in `use` trees too.
    path: Vec<String>,
    prefix: bool,
}

impl Pattern {
    pub fn new(text: &'static str) -> Self {
        let prefix = text.ends_with('*');
        let bare = text.trim_end_matches('*');
        let names: Vec<&str> = bare.split("::").collect();
        let is_path = names.len() > 1
            && names.iter().all(|name| {
                name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.is_empty()
            });
        Self {
            text,
            tokens: tokens(bare),
            path: if is_path {
                names.into_iter().map(String::from).collect()
            } else {
                Vec::new()
            },
            prefix,
        }
    }

    /// Whether `got` is the pattern's name `want` (`last`: its last name, where `*` may stand).
    fn same(&self, want: &str, got: &str, last: bool) -> bool {
        if last && self.prefix {
            got.starts_with(want)
        } else {
            got == want
        }
    }

    /// Whether `code` starts with this pattern.
    fn matches(&self, code: &[Token]) -> bool {
        let len = self.tokens.len();
        code.len() >= len
            && self
                .tokens
                .iter()
                .zip(code)
                .enumerate()
                .all(|(idx, (want, got))| {
                    got.kind == want.kind && self.same(&want.text, &got.text, idx + 1 == len)
                })
    }

    /// Whether this is a path pattern that lies within the segments of a path.
    fn names_within(&self, segments: &[String]) -> bool {
        let len = self.path.len();
        len > 0
            && segments.windows(len).any(|window| {
                window
                    .iter()
                    .zip(&self.path)
                    .enumerate()
                    .all(|(idx, (got, want))| self.same(want, got, idx + 1 == len))
            })
    }
}

/// Which tokens are test code: all of a test file; else an item under a `cfg` that holds only
/// for tests (`#[cfg(test)]`, `#[cfg(all(test, …))]`), or the whole file under such a `#![cfg]`.
fn test_spans(tokens: &[Token], test_file: bool) -> Vec<bool> {
    let mut test = vec![test_file; tokens.len()];
    let mut at = 0;
    while at < tokens.len() {
        let inner = tokens.get(at + 1).is_some_and(|t| t.is("!"));
        let open = at + 1 + usize::from(inner);
        if !tokens[at].is("#") || !tokens.get(open).is_some_and(|t| t.is("[")) {
            at += 1;
            continue;
        }
        let close = matching(tokens, open);
        let attribute = &tokens[open + 1..close.saturating_sub(1)];
        let for_tests = attribute.first().is_some_and(|t| t.is("cfg"))
            && attribute.get(1).is_some_and(|t| t.is("("))
            && only_for_tests(&attribute[2..attribute.len().saturating_sub(1)]);
        if for_tests && inner {
            test.iter_mut().for_each(|t| *t = true);
        } else if for_tests {
            let end = item_end(tokens, close);
            test[at..end].iter_mut().for_each(|t| *t = true);
        }
        at = close;
    }
    test
}

/// Whether a `cfg` predicate holds only when compiling tests.
fn only_for_tests(predicate: &[Token]) -> bool {
    match predicate {
        [one] => one.is("test"),
        [all, open, args @ .., close] if all.is("all") && open.is("(") && close.is(")") => {
            arguments(args).into_iter().any(only_for_tests)
        }
        _ => false,
    }
}

/// The comma-separated arguments of a list, split at its top level only.
fn arguments(list: &[Token]) -> Vec<&[Token]> {
    let (mut depth, mut start, mut args) = (0i32, 0, Vec::new());
    for (idx, token) in list.iter().enumerate() {
        match token.text.as_str() {
            "(" | "[" | "{" if token.kind == Kind::Punct => depth += 1,
            ")" | "]" | "}" if token.kind == Kind::Punct => depth -= 1,
            "," if token.kind == Kind::Punct && depth == 0 => {
                args.push(&list[start..idx]);
                start = idx + 1;
            }
            _ => {}
        }
    }
    args.push(&list[start..]);
    args.into_iter().filter(|arg| !arg.is_empty()).collect()
}

/// The index just past the bracket that closes the one at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0i32;
    for (idx, token) in tokens.iter().enumerate().skip(open) {
        if token.kind != Kind::Punct {
            continue;
        }
        match token.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth == 0 {
                    return idx + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Where the item that starts at `from` ends: past the matching `}` of its first brace, or past
/// the first `;` or `,` outside brackets, or before a `}` that closes what holds it. Further
/// attributes belong to the item.
fn item_end(tokens: &[Token], from: usize) -> usize {
    let (mut at, mut depth) = (from, 0i32);
    while at < tokens.len() {
        let token = &tokens[at];
        if token.kind == Kind::Punct {
            match token.text.as_str() {
                "#" if depth == 0 && tokens.get(at + 1).is_some_and(|t| t.is("[")) => {
                    at = matching(tokens, at + 1);
                    continue;
                }
                "{" if depth == 0 => return matching(tokens, at),
                "(" | "[" => depth += 1,
                ")" | "]" => depth -= 1,
                ";" | "," if depth == 0 => return at + 1,
                "}" if depth == 0 => return at,
                _ => {}
            }
        }
        at += 1;
    }
    tokens.len()
}

/// The `mod name;` declarations: where each starts, and the name.
fn declarations(tokens: &[Token]) -> Vec<(usize, String)> {
    tokens
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w[0].is("mod") && w[1].kind == Kind::Ident && w[2].is(";"))
        .map(|(at, w)| (at, w[1].text.clone()))
        .collect()
}

/// Every path the `use` declarations of `tokens` name.
fn use_paths(tokens: &[Token]) -> Vec<UsePath> {
    let mut found = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if token.is("use") {
            // `pub use`, or `pub(crate) use` and the like.
            let before_restriction = match at.checked_sub(1).map(|b| &tokens[b]) {
                Some(close) if close.is(")") => tokens[..at].iter().rposition(|t| t.is("(")),
                _ => Some(at),
            };
            let public = before_restriction
                .and_then(|b| b.checked_sub(1))
                .is_some_and(|b| tokens[b].is("pub"));
            let before = found.len();
            let mut rest = &tokens[at + 1..];
            use_tree(&mut rest, Vec::new(), token.line, &mut found);
            found[before..].iter_mut().for_each(|u| u.public = public);
        }
    }
    found
}

/// Reads one use tree from the front of `rest`: `a::b`, `a::b as c`, `a::{…}`, `a::*`.
fn use_tree(rest: &mut &[Token], mut prefix: Vec<String>, line: usize, out: &mut Vec<UsePath>) {
    loop {
        let Some((first, after)) = rest.split_first() else {
            return;
        };
        *rest = after;
        if first.is("{") {
            loop {
                use_tree(rest, prefix.clone(), line, out);
                match rest.split_first() {
                    Some((sep, after)) if sep.is(",") => *rest = after,
                    Some((close, after)) if close.is("}") => {
                        *rest = after;
                        return;
                    }
                    _ => return,
                }
                if rest.first().is_some_and(|t| t.is("}")) {
                    *rest = &rest[1..];
                    return;
                }
            }
        }
        if first.is("::") {
            continue;
        }
        if first.kind != Kind::Ident {
            // `*`, or the end of a malformed tree: nothing named by name.
            return;
        }
        if first.text != "self" || prefix.is_empty() {
            prefix.push(first.text.clone());
        }
        if rest.first().is_some_and(|t| t.is("::")) {
            continue;
        }
        let mut name = prefix.last().cloned().unwrap_or_default();
        if rest.first().is_some_and(|t| t.is("as"))
            && let Some(alias) = rest.get(1)
        {
            name = alias.text.clone();
            *rest = &rest[2..];
        }
        out.push(UsePath {
            segments: prefix,
            name,
            line,
            public: false,
        });
        return;
    }
}

#[test]
fn a_cfg_test_item_is_test_code_and_what_follows_it_is_not() {
    let source = Source::parse(
        "#[cfg(test)]\nmod tests;\nfn f() { Instant::now(); }\n\
         #[cfg(all(unix, test))]\n#[test]\nfn g() { sleep(); }\nfn h() {}\n\
         #[cfg(any(test, feature = \"x\"))]\nfn k() {}",
        false,
    );
    let names: Vec<&str> = source
        .production
        .tokens
        .iter()
        .filter(|t| t.kind == Kind::Ident)
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "fn", "f", "Instant", "now", "fn", "h", "cfg", "any", "test", "feature", "fn", "k"
        ]
    );
    assert!(source.declarations[0].in_test);
    let whole = Source::parse("#![cfg(test)]\nfn f() {}", false);
    assert!(whole.production.tokens.is_empty());
}

#[test]
fn use_trees_are_spelled_out_and_patterns_find_them() {
    let code = Source::parse(
        "use std::{io::{self, Read}, thread::spawn as go};\nuse super::x::*;\nuse a::b;",
        false,
    )
    .whole;
    let paths: Vec<(String, &str)> = code
        .uses
        .iter()
        .map(|u| (u.segments.join("::"), u.name.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("std::io".to_string(), "io"),
            ("std::io::Read".to_string(), "Read"),
            ("std::thread::spawn".to_string(), "go"),
            ("a::b".to_string(), "b"),
        ]
    );
    assert_eq!(code.lines_of(&Pattern::new("std::io")), [1]);
    assert_eq!(code.lines_of(&Pattern::new("thread::spawn")), [1]);
    assert_eq!(
        code.lines_of(&Pattern::new("std::net")),
        Vec::<usize>::new()
    );
    let calls = Source::parse(
        "a.elapsed()\nb.elapsed(cx)\negui_plot::Plot\nDeframer",
        false,
    );
    assert_eq!(calls.whole.lines_of(&Pattern::new(".elapsed()")), [1]);
    assert_eq!(calls.whole.lines_of(&Pattern::new("egui*")), [3]);
    assert_eq!(
        calls.whole.lines_of(&Pattern::new("eframe")),
        Vec::<usize>::new()
    );
}
