//! Programs a test starts and watches while they run: their stderr as it comes, the rows of the
//! file they write. Unix only, like the tests that use them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A path in the temporary folder for this test run, nothing there yet.
pub fn temp(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kmp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Starts `kmp-workbench` with `args`, its stdout and stderr piped.
pub fn start(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kmp-workbench"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a running child writes on stderr, read as it comes, so a test can wait for a line.
pub struct StderrWatch {
    text: std::sync::Arc<std::sync::Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl StderrWatch {
    /// Reads `child`'s stderr from now on.
    pub fn of(child: &mut Child) -> Self {
        use std::io::BufRead as _;
        let stderr = child.stderr.take().expect("stderr is piped");
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let into = text.clone();
        let reader = std::thread::Builder::new()
            .name("stderr-watch".into())
            .spawn(move || {
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    let mut text = into.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            })
            .unwrap();
        Self { text, reader }
    }

    /// Waits until `needle` has been written, for at most `limit`.
    pub fn wait_for(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.text.lock().unwrap().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never wrote {needle:?}: {}", self.text.lock().unwrap());
    }

    /// Everything written, once the child has ended.
    pub fn finish(self) -> String {
        self.reader.join().unwrap();
        std::sync::Arc::try_unwrap(self.text)
            .unwrap()
            .into_inner()
            .unwrap()
    }
}

/// Waits until `path` holds at least `rows` lines after the header.
pub fn wait_for_rows(path: &Path, rows: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::fs::read_to_string(path).is_ok_and(|text| text.lines().count() > rows) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} never reached {rows} rows", path.display());
}
