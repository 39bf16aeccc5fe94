//! Choosing files without ever blocking a frame: the native dialog (rfd's asynchronous one,
//! created on the UI thread, as macOS wants, and awaited on a `kmp-file-dialog` thread) behind
//! the [`FilePicker`] trait, whose answer comes back as a message; tests inject their own. Where
//! no dialog can be shown (no desktop portal, as on a bare X server) or it was closed, the app
//! asks for a typed path instead. No egui here.

use std::ffi::OsString;
use std::future::Future;
use std::path::{MAIN_SEPARATOR, Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};

use super::action::FileJob;

/// The answer to one request for a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picked {
    /// What the file is for.
    pub job: FileJob,
    /// The file, or `None` when the dialog was closed or could not be shown.
    pub path: Option<PathBuf>,
}

/// Wakes the app up (asks for a repaint), from any thread.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Where a picker delivers its answer: a channel the app drains, and a wake-up for the app.
/// An answer dropped without being given says that no file was picked, so the app never waits
/// for a dialog that will not come.
pub struct PickAnswer {
    job: FileJob,
    to: Option<(Sender<Picked>, Wake)>,
}

impl PickAnswer {
    /// An answer for `job`, sent on `to`; `wake` is called after it is sent.
    pub fn new(job: FileJob, to: Sender<Picked>, wake: Wake) -> Self {
        Self {
            job,
            to: Some((to, wake)),
        }
    }

    /// What the file is for.
    pub fn job(&self) -> FileJob {
        self.job
    }

    /// Gives the answer.
    pub fn give(mut self, path: Option<PathBuf>) {
        self.send(path);
    }

    fn send(&mut self, path: Option<PathBuf>) {
        if let Some((to, wake)) = self.to.take() {
            let _ = to.send(Picked {
                job: self.job,
                path,
            });
            wake();
        }
    }
}

impl Drop for PickAnswer {
    fn drop(&mut self) {
        self.send(None);
    }
}

/// Asks the user for a file, without waiting for the answer.
pub trait FilePicker {
    /// Shows the dialog for `answer`'s job; the answer comes through `answer`.
    fn pick(&mut self, answer: PickAnswer);
}

/// A native dialog shown, to be awaited.
type Dialog = Pin<Box<dyn Future<Output = Option<rfd::FileHandle>> + Send>>;

/// The platform's own file dialog.
#[derive(Debug, Default)]
pub struct NativePicker {
    /// Dialogs shown and not yet answered. A native dialog cannot be closed from code, so at
    /// the app's exit one still open is left to the system rather than waited for.
    dialogs: Vec<JoinHandle<()>>,
}

impl FilePicker for NativePicker {
    fn pick(&mut self, answer: PickAnswer) {
        let job = answer.job();
        let mut dialog = rfd::AsyncFileDialog::new().set_title(job.title());
        if !job.extension().is_empty() {
            dialog = dialog.add_filter(job.extension(), &[job.extension()]);
        }
        let future: Dialog = match (job.writes(), job.folder()) {
            // A new session folder is named like a file to save.
            (true, _) => Box::pin(dialog.set_file_name(job.default_name()).save_file()),
            (false, true) => Box::pin(dialog.pick_folder()),
            (false, false) => Box::pin(dialog.pick_file()),
        };
        for done in self.dialogs.extract_if(.., |dialog| dialog.is_finished()) {
            let _ = done.join();
        }
        let waiting = thread::Builder::new()
            .name("kmp-file-dialog".into())
            .spawn(move || {
                let file = pollster::block_on(future);
                answer.give(file.map(|file| file.path().to_path_buf()));
            });
        // Without a thread there is no dialog; the answer, dropped with the closure that could
        // not run, says no file was picked, and the typed path is asked for instead.
        if let Ok(thread) = waiting {
            self.dialogs.push(thread);
        }
    }
}

/// The home folder: `HOME`, or `USERPROFILE` on Windows.
fn home() -> Option<PathBuf> {
    home_from(std::env::var_os("HOME"), std::env::var_os("USERPROFILE"))
}

/// The home folder from `HOME` when it is absolute, else from `USERPROFILE` (Windows, and
/// MSYS shells whose `HOME` is not a Windows path).
fn home_from(home: Option<OsString>, profile: Option<OsString>) -> Option<PathBuf> {
    [home, profile]
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|home| home.is_absolute())
}

/// A typed path with a leading `~` standing for the home folder.
pub fn expand_home(text: &str) -> PathBuf {
    expand_home_in(text, home().as_deref())
}

fn expand_home_in(text: &str, home: Option<&Path>) -> PathBuf {
    match (text.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            home.join(rest.trim_start_matches(['/', '\\']))
        }
        _ => PathBuf::from(text),
    }
}

/// A path as the app shows it: under the home folder, starting with `~` and the system's
/// separator (`~\Documents\map.ron` on Windows).
pub fn shown(path: &Path) -> String {
    shown_in(path, home().as_deref())
}

fn shown_in(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~{MAIN_SEPARATOR}{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// A number of bytes as people read it: `840 kB`, `12.5 MB`, `1.2 GB`.
pub fn size_text(bytes: u64) -> String {
    let bytes = bytes as f64;
    if bytes < 1e6 {
        format!("{:.0} kB", bytes / 1e3)
    } else if bytes < 1e9 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.1} GB", bytes / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_paths_are_shown_and_typed_with_a_tilde() {
        // Absolute on every system.
        let home = &std::env::temp_dir().join("tech");
        let expand = |text| expand_home_in(text, Some(home));
        assert_eq!(expand("~/a/b.csv"), home.join("a/b.csv"));
        assert_eq!(expand("~"), *home);
        assert_eq!(expand("/x/~/y"), PathBuf::from("/x/~/y"));
        assert_eq!(expand("~other/x"), PathBuf::from("~other/x"));
        assert_eq!(expand_home_in("~/a", None), PathBuf::from("~/a"));
        let sep = MAIN_SEPARATOR;
        assert_eq!(
            shown_in(&home.join("s").join("t"), Some(home)),
            format!("~{sep}s{sep}t")
        );
        assert_eq!(shown_in(home, Some(home)), "~");
        let elsewhere = std::env::temp_dir().join("elsewhere");
        assert_eq!(
            shown_in(&elsewhere, Some(home)),
            elsewhere.display().to_string()
        );
    }

    #[test]
    fn the_home_folder_is_home_when_absolute_else_the_user_profile() {
        let (home, profile) = (std::env::temp_dir().join("tech"), std::env::temp_dir());
        let some = |path: &Path| Some(path.as_os_str().to_owned());
        let relative = Some(OsString::from("relative"));
        assert_eq!(home_from(some(&home), some(&profile)), Some(home.clone()));
        assert_eq!(
            home_from(relative.clone(), some(&profile)),
            Some(profile.clone())
        );
        assert_eq!(home_from(None, some(&profile)), Some(profile));
        assert_eq!(home_from(relative, None), None);
    }

    #[test]
    fn sizes_read_in_kilobytes_megabytes_and_gigabytes() {
        assert_eq!(size_text(840_000), "840 kB");
        assert_eq!(size_text(12_500_000), "12.5 MB");
        assert_eq!(size_text(1_234_000_000), "1.2 GB");
    }
}
