//! Choosing files: the native dialog through rfd behind the [`FilePicker`] trait (tests inject a
//! path), and a typed path in the app where no dialog is available (no desktop portal, as on a
//! bare X server) or the dialog was closed.

use std::path::PathBuf;

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
    /// A prompt for `job`, offering its default file name in the working directory.
    pub fn new(job: FileJob) -> Self {
        let path = std::env::current_dir()
            .map(|dir| dir.join(job.default_name()))
            .unwrap_or_else(|_| PathBuf::from(job.default_name()));
        Self {
            job,
            path: path.display().to_string(),
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
                            path: PathBuf::from(self.path.trim()),
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
