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

#[cfg(unix)]
mod children;
#[cfg(unix)]
pub use children::{StderrWatch, start, temp, wait_for_rows};

/// A `kmp-workbench sim` process; stopped with SIGTERM when dropped. `sim` serves a
/// pseudo-terminal: Unix only.
#[cfg(unix)]
pub struct SimProcess {
    child: std::process::Child,
    /// The terminal it serves, from the first line of its stdout.
    pub path: String,
}

#[cfg(unix)]
impl SimProcess {
    /// Starts `kmp-workbench sim ARGS` and waits for the terminal's path.
    pub fn start(args: &[&str]) -> Self {
        use std::io::BufRead as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmp-workbench"))
            .arg("sim")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the simulator starts");
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut first_line)
            .expect("the simulator prints its terminal");
        let path = first_line.trim().to_string();
        assert!(path.starts_with('/'), "first line is a path: {path:?}");
        Self { child, path }
    }

    /// Sends a signal by name (`USR1`, `TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status();
        assert!(status.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    /// Stops it with SIGTERM; returns its exit code and stderr.
    pub fn stop(self) -> (Option<i32>, String) {
        self.stop_with("TERM")
    }

    /// Stops it with the signal `name` (`TERM`, `INT`); returns its exit code and stderr.
    pub fn stop_with(mut self, name: &str) -> (Option<i32>, String) {
        self.signal(name);
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            use std::io::Read as _;
            let _ = pipe.read_to_string(&mut stderr);
        }
        let code = self.child.wait().ok().and_then(|status| status.code());
        (code, stderr)
    }
}

#[cfg(unix)]
impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
