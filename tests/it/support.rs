//! Shared helpers: running the built program, reading the project's test data.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The project's root directory.
pub fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/data`.
pub fn data_file(name: &str) -> PathBuf {
    project_root().join("tests").join("data").join(name)
}

/// Runs `kmp-workbench` with `args` and no input; returns its output.
pub fn run_cli(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmp-workbench"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    drop(child.stdin.take().map(|mut stdin| stdin.flush()));
    child.wait_with_output().expect("the program ends")
}

/// Stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// Stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}
