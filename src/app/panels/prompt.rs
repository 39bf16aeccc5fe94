//! The typed-path prompt shown when no file was picked: the dialog was closed, or none can be
//! shown here.

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::files::expand_home;
use crate::app::style;

use super::{AppView, Panel};

/// The prompt's state: the path typed for the job asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromptPanel {
    job: Option<FileJob>,
    path: String,
}

impl Panel for PromptPanel {
    /// Draws the prompt for the job asked for, if one is, offering its default name in the home
    /// folder at first.
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let Some(job) = app.prompt else {
            return Vec::new();
        };
        if self.job != Some(job) {
            self.job = Some(job);
            self.path = format!("~{}{}", std::path::MAIN_SEPARATOR, job.default_name());
        }
        let mut actions = Vec::new();
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, style::WARN))
            .show(ui, |ui| {
                ui.label(RichText::new(job.title()).strong());
                ui.label(
                    "No file was chosen: the file dialog was closed or is not available here. \
                     Type the path instead.",
                );
                ui.horizontal(|ui| {
                    let label = ui.label("Path");
                    let edit = ui
                        .add(egui::TextEdit::singleline(&mut self.path).desired_width(420.0))
                        .labelled_by(label.id);
                    let verb = if job.writes() { "Write" } else { "Open" };
                    let submitted =
                        edit.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                    if (ui.button(verb).clicked() || submitted) && !self.path.trim().is_empty() {
                        actions.push(Action::UseFile {
                            job,
                            path: expand_home(self.path.trim()),
                            replace: false,
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        actions.push(Action::DismissPrompt);
                    }
                });
                if job.writes() {
                    ui.label(
                        "An existing file or folder is never replaced from here; pick a new name.",
                    );
                }
            });
        actions
    }
}
