//! Rust source as tokens: comments dropped, so prose may name what code may not use; string and
//! character literals kept whole, so a `"//"` inside one hides nothing and a name inside one
//! calls nothing; each token with its line.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A name or keyword (`r#name` read as `name`).
    Ident,
    /// `::`, or any other single character of punctuation.
    Punct,
    /// A string, byte string, character or number.
    Literal,
    /// `'a`.
    Lifetime,
}

/// One token and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    pub line: usize,
}

impl Token {
    /// Whether this is the punctuation or name `text`.
    pub fn is(&self, text: &str) -> bool {
        self.kind != Kind::Literal && self.text == text
    }
}

/// The tokens of `source`.
pub fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        at: 0,
        line: 1,
        out: Vec::new(),
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    chars: &'a [char],
    at: usize,
    line: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    /// Moves on one character, counting lines.
    fn bump(&mut self) {
        if self.peek(0) == Some('\n') {
            self.line += 1;
        }
        self.at += 1;
    }

    fn push(&mut self, kind: Kind, from: usize, line: usize) {
        let text = self.chars[from..self.at].iter().collect();
        self.out.push(Token { kind, text, line });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            let (from, line) = (self.at, self.line);
            match c {
                _ if c.is_whitespace() => self.bump(),
                '/' if self.peek(1) == Some('/') => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '/' if self.peek(1) == Some('*') => self.block_comment(),
                '"' => {
                    self.quoted('"');
                    self.push(Kind::Literal, from, line);
                }
                '\'' => self.quote_or_lifetime(),
                _ if c.is_ascii_digit() => {
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                        || (self.peek(0) == Some('.')
                            && self.peek(1).is_some_and(|c| c.is_ascii_digit()))
                    {
                        self.bump();
                    }
                    self.push(Kind::Literal, from, line);
                }
                _ if c.is_alphabetic() || c == '_' => self.word(),
                ':' if self.peek(1) == Some(':') => {
                    self.bump();
                    self.bump();
                    self.push(Kind::Punct, from, line);
                }
                _ => {
                    self.bump();
                    self.push(Kind::Punct, from, line);
                }
            }
        }
    }

    /// A `/* */` comment; they nest.
    fn block_comment(&mut self) {
        let mut depth = 0;
        while self.peek(0).is_some() {
            if self.peek(0) == Some('/') && self.peek(1) == Some('*') {
                depth += 1;
                self.bump();
            } else if self.peek(0) == Some('*') && self.peek(1) == Some('/') {
                depth -= 1;
                self.bump();
                if depth == 0 {
                    self.bump();
                    return;
                }
            }
            self.bump();
        }
    }

    /// From an opening quote to its closing one, past escapes.
    fn quoted(&mut self, quote: char) {
        self.bump();
        while let Some(c) = self.peek(0) {
            self.bump();
            if c == '\\' {
                self.bump();
            } else if c == quote {
                return;
            }
        }
    }

    /// `'x'`, `'\n'`, or else a lifetime `'a`.
    fn quote_or_lifetime(&mut self) {
        let (from, line) = (self.at, self.line);
        if self.peek(1) == Some('\\') || self.peek(2) == Some('\'') {
            self.quoted('\'');
            self.push(Kind::Literal, from, line);
            return;
        }
        self.bump();
        while self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            self.bump();
        }
        self.push(Kind::Lifetime, from, line);
    }

    /// A name, or a literal that starts with letters: `b"…"`, `b'x'`, `c"…"`, raw strings.
    fn word(&mut self) {
        let (from, line) = (self.at, self.line);
        while self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            self.bump();
        }
        let word: String = self.chars[from..self.at].iter().collect();
        let next = self.peek(0);
        match (word.as_str(), next) {
            ("r" | "br" | "cr", Some('"' | '#')) if self.raw_string() => {
                self.push(Kind::Literal, from, line);
            }
            ("r", Some('#')) => {
                // A raw identifier: `r#type` names `type`.
                self.bump();
                let start = self.at;
                while self
                    .peek(0)
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    self.bump();
                }
                let text = self.chars[start..self.at].iter().collect();
                self.out.push(Token {
                    kind: Kind::Ident,
                    text,
                    line,
                });
            }
            ("b" | "c", Some('"')) => {
                self.quoted('"');
                self.push(Kind::Literal, from, line);
            }
            ("b", Some('\'')) => {
                self.quoted('\'');
                self.push(Kind::Literal, from, line);
            }
            _ => self.push(Kind::Ident, from, line),
        }
    }

    /// A raw string from its hashes on (`#"…"#`), if one starts here.
    fn raw_string(&mut self) -> bool {
        let hashes = self.chars[self.at..]
            .iter()
            .take_while(|c| **c == '#')
            .count();
        if self.peek(hashes) != Some('"') {
            return false;
        }
        for _ in 0..=hashes {
            self.bump();
        }
        while self.peek(0).is_some() {
            let closes =
                self.peek(0) == Some('"') && (1..=hashes).all(|n| self.peek(n) == Some('#'));
            self.bump();
            if closes {
                for _ in 0..hashes {
                    self.bump();
                }
                return true;
            }
        }
        true
    }
}

#[test]
fn comments_go_and_literals_stay_whole() {
    let texts =
        |source: &str| -> Vec<String> { tokens(source).into_iter().map(|t| t.text).collect() };
    assert_eq!(
        texts("let a = \"socket://x\"; // Instant::now()\nb::c"),
        ["let", "a", "=", "\"socket://x\"", ";", "b", "::", "c"]
    );
    assert_eq!(texts("/* a /* nested */ still */ x"), ["x"]);
    assert_eq!(
        texts("r#\"a \" b\"# 'c' '\\'' <'a> b'x' r#type"),
        [
            "r#\"a \" b\"#",
            "'c'",
            "'\\''",
            "<",
            "'a",
            ">",
            "b'x'",
            "type"
        ]
    );
    let lines: Vec<usize> = tokens("a\n/* b\n */ c\n\"d\ne\" f")
        .iter()
        .map(|t| t.line)
        .collect();
    assert_eq!(lines, [1, 3, 4, 5]);
}
