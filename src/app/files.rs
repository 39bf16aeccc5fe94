//! Choosing files: the native dialog through rfd behind the [`FilePicker`] trait (tests inject a
//! path), and a typed path in the app where no dialog is available (no desktop portal, as on a
//! bare X server) or the dialog was closed.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::action::{Action, FileJob};
use super::style;

/// Asks the user for a file.
pub trait FilePicker {
    /// The file for `job`, or `None` when the dialog was closed or cannot be shown.
    fn pick(&self, job: FileJob) -> Option<PathBuf>;
}

/// The platform's own file dialog.
#[derive(Clone, Copy, Debug, Default)]
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick(&self, job: FileJob) -> Option<PathBuf> {
        let mut dialog = rfd::FileDialog::new().set_title(job.title());
        if !job.extension().is_empty() {
            dialog = dialog.add_filter(job.extension(), &[job.extension()]);
        }
        match (job.writes(), job.folder()) {
            // A new session folder is named like a file to save.
            (true, _) => dialog.set_file_name(job.default_name()).save_file(),
            (false, true) => dialog.pick_folder(),
            (false, false) => dialog.pick_file(),
        }
    }
}

/// The typed-path prompt shown when no file was picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPrompt {
    job: FileJob,
    path: String,
}

impl PathPrompt {
    /// A prompt for `job`, offering its default name in the home folder.
    pub fn new(job: FileJob) -> Self {
        Self {
            job,
            path: format!("~/{}", job.default_name()),
        }
    }

    /// Draws the prompt.
    pub fn ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let mut action = None;
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, style::WARN))
            .show(ui, |ui| {
                ui.label(RichText::new(self.job.title()).strong());
                ui.label(
                    "No file was chosen: the file dialog was closed or is not available here. \
                     Type the path instead.",
                );
                ui.horizontal(|ui| {
                    let label = ui.label("Path");
                    let edit = ui
                        .add(egui::TextEdit::singleline(&mut self.path).desired_width(420.0))
                        .labelled_by(label.id);
                    let verb = if self.job.writes() { "Write" } else { "Open" };
                    let submitted =
                        edit.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                    if (ui.button(verb).clicked() || submitted) && !self.path.trim().is_empty() {
                        action = Some(Action::UseFile {
                            job: self.job,
                            path: expand_home(self.path.trim()),
                            replace: false,
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        action = Some(Action::DismissPrompt);
                    }
                });
                if self.job.writes() {
                    ui.label(
                        "An existing file or folder is never replaced from here; pick a new name.",
                    );
                }
            });
        action
    }
}

/// The home folder, from `HOME` (or `USERPROFILE` on Windows).
fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .filter(|home| home.is_absolute())
}

/// A typed path with a leading `~` standing for the home folder.
pub fn expand_home(text: &str) -> PathBuf {
    match (text.strip_prefix('~'), home()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            home.join(rest.trim_start_matches(['/', '\\']))
        }
        _ => PathBuf::from(text),
    }
}

/// A path as the app shows it: under the home folder, starting with `~`.
pub fn shown(path: &Path) -> String {
    match home().and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_paths_are_shown_and_typed_with_a_tilde() {
        let Some(home) = home() else {
            return;
        };
        assert_eq!(expand_home("~/a/b.csv"), home.join("a/b.csv"));
        assert_eq!(expand_home("~"), home);
        assert_eq!(expand_home("/x/~/y"), PathBuf::from("/x/~/y"));
        assert_eq!(expand_home("~other/x"), PathBuf::from("~other/x"));
        assert_eq!(shown(&home.join("s/t")), "~/s/t");
        assert_eq!(
            shown(Path::new("/definitely/elsewhere")),
            "/definitely/elsewhere"
        );
    }
}
