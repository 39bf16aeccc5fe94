//! A small crate that keeps every rule, written to a temporary folder for the fixtures to plant
//! violations in. It has a file in every place a rule reads: codecs, a link with its driver, port,
//! machine and a job, a simulator with its runner, a capture, an app with its shell, panels and
//! controller, and a test file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::tree::Tree;

const CLEAN: &[(&str, &str)] = &[
    (
        "src/lib.rs",
        "pub mod app;\npub mod capture;\npub mod iec;\npub mod kmp;\npub mod link;\n\
         pub mod mc66;\npub mod mqtt;\npub mod rfc2217;\npub mod sim;\n",
    ),
    (
        "src/kmp.rs",
        "mod number;\npub use number::Number;\n#[cfg(test)]\nmod tests;\n",
    ),
    ("src/kmp/number.rs", "pub struct Number(pub i64);\n"),
    (
        "src/kmp/tests.rs",
        "#[test]\nfn takes_no_time() {\n    let start = std::time::Instant::now();\n    \
         std::thread::sleep(std::time::Duration::ZERO);\n    assert!(start.elapsed().as_secs() < 1);\n}\n",
    ),
    (
        "src/iec.rs",
        "use crate::kmp::Number;\npub fn value(number: Number) -> i64 {\n    number.0\n}\n",
    ),
    ("src/mc66.rs", "pub const REQUEST: &[u8] = b\"/#1\";\n"),
    ("src/rfc2217.rs", "pub const IAC: u8 = 255;\n"),
    (
        "src/mqtt.rs",
        "mod packet;\nmod publisher;\nmod session;\npub use session::Session;\n",
    ),
    (
        "src/mqtt/packet.rs",
        "pub const PINGREQ: [u8; 2] = [0xC0, 0];\n",
    ),
    (
        "src/mqtt/session.rs",
        "use std::time::Instant;\nuse super::packet::PINGREQ;\npub struct Session {\n    \
         pub sent_at: Option<Instant>,\n}\nimpl Session {\n    \
         pub fn ping(&mut self, now: Instant) -> [u8; 2] {\n        \
         self.sent_at = Some(now);\n        PINGREQ\n    }\n}\n",
    ),
    (
        "src/mqtt/publisher.rs",
        "use super::session::Session;\npub fn tick(session: &mut Session) -> [u8; 2] {\n    \
         session.ping(std::time::Instant::now())\n}\n",
    ),
    (
        "src/capture.rs",
        "pub fn seconds(sample: u64, rate: f64) -> f64 {\n    sample as f64 / rate\n}\n",
    ),
    (
        "src/link.rs",
        "mod driver;\nmod jobs;\nmod machine;\nmod port;\npub use machine::Machine;\n",
    ),
    (
        "src/link/driver.rs",
        "use std::time::{Duration, Instant};\nuse super::machine::Machine;\n\
         pub fn run(machine: &mut Machine, wake: &std::sync::mpsc::Receiver<()>) {\n    \
         while wake.recv_timeout(Duration::from_millis(50)).is_ok() {\n        \
         machine.handle_timeout(Instant::now());\n    }\n}\n",
    ),
    (
        "src/link/port.rs",
        "pub fn settle() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n",
    ),
    (
        "src/link/machine.rs",
        "use std::time::Instant;\nuse super::jobs::Job;\npub struct Machine {\n    job: Job,\n}\n\
         impl Machine {\n    pub fn handle_timeout(&mut self, now: Instant) {\n        \
         self.job.handle_timeout(now);\n    }\n}\n",
    ),
    (
        "src/link/jobs.rs",
        "mod probe;\npub use probe::Probe as Job;\n",
    ),
    (
        "src/link/jobs/probe.rs",
        "use std::time::Instant;\npub struct Probe {\n    pub started: Option<Instant>,\n}\n\
         impl Probe {\n    pub fn handle_timeout(&mut self, now: Instant) {\n        \
         self.started.get_or_insert(now);\n    }\n}\n",
    ),
    (
        "src/sim.rs",
        "mod loggers;\nmod profile;\nmod pty;\npub use profile::Profile;\n",
    ),
    ("src/sim/profile.rs", "pub struct Profile;\n"),
    (
        "src/sim/loggers.rs",
        "use super::profile::Profile;\npub fn depth(_: Profile) -> u16 {\n    20\n}\n",
    ),
    (
        "src/sim/pty.rs",
        "pub fn pace() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n",
    ),
    (
        "src/app.rs",
        "mod controller;\nmod panels;\nmod shell;\npub fn run() -> eframe::Result {\n    \
         eframe::run_native(\"app\", Default::default(), Box::new(|_| Ok(Box::new(shell::Shell))))\n}\n",
    ),
    (
        "src/app/shell.rs",
        "use std::time::Instant;\nuse super::controller::Controller;\npub struct Shell;\n\
         impl Shell {\n    pub fn logic(&self, controller: &mut Controller, ui: &mut egui::Ui) {\n        \
         controller.update(Instant::now());\n        super::panels::draw(ui);\n    }\n}\n",
    ),
    (
        "src/app/controller.rs",
        "use std::time::Instant;\npub struct Controller {\n    pub last: Option<Instant>,\n}\n\
         impl Controller {\n    pub fn update(&mut self, now: Instant) {\n        \
         self.last = Some(now);\n    }\n}\n",
    ),
    (
        "src/app/panels.rs",
        "use egui::Ui;\npub fn draw(ui: &mut Ui) {\n    ui.label(\"meter\");\n}\n",
    ),
];

/// The clean crate, with what a fixture planted, written anew by [`Checkout::tree`].
pub struct Checkout {
    /// The temporary folder, removed when dropped.
    top: PathBuf,
    /// The crate's folder: `top`, or a folder inside it.
    root: PathBuf,
    files: BTreeMap<String, String>,
}

impl Checkout {
    /// The clean crate, in a temporary folder named for the test `name`.
    pub fn clean(name: &str) -> Self {
        Self::inside(name, "")
    }

    /// The clean crate in the folder `folder` of the temporary one: `tests/checkout`.
    pub fn inside(name: &str, folder: &str) -> Self {
        let top = std::env::temp_dir().join(format!("kmp-tidy-{}-{name}", std::process::id()));
        let files = CLEAN
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect();
        Self {
            root: top.join(folder),
            top,
            files,
        }
    }

    /// Adds `code` as a new last line of the file `path` (a new file, if there is none), and
    /// returns that line's number.
    pub fn plant(&mut self, path: &str, code: &str) -> usize {
        let text = self.files.entry(path.to_string()).or_default();
        text.push_str(code);
        text.push('\n');
        text.lines().count()
    }

    /// Takes out every file whose path starts with `start`.
    pub fn remove(&mut self, start: &str) {
        self.files.retain(|path, _| !path.starts_with(start));
    }

    /// Writes the crate and reads it back.
    pub fn tree(&self) -> Tree {
        let _ = std::fs::remove_dir_all(&self.top);
        for (path, text) in &self.files {
            let file = self.root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        std::fs::create_dir_all(&self.root).unwrap();
        Tree::read(&self.root)
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.top);
    }
}
