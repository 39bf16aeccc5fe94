//! The Hand over screen: what the link check and the reads proved, written as the configuration
//! of the reader the user keeps (ESPHome, PyKMP, ioBroker, vzlogger, Tasmota, ser2net), to
//! preview, copy or save. A reader that cannot read this meter says why.

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::handover_view::proven;
use crate::app::style;
use crate::handover::{self, Target};

use super::{AppView, Panel};

/// The reader chosen.
#[derive(Debug)]
pub struct HandoverPanel {
    target: Target,
}

impl Default for HandoverPanel {
    fn default() -> Self {
        Self {
            target: Target::Esphome,
        }
    }
}

impl Panel for HandoverPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading("Hand over");
        ui.label(
            "What the link check and the reads proved, written for the reader you will run: each \
             value says whether it was measured, given or is a default to check.",
        );
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Reader");
            egui::ComboBox::from_id_salt("handover-target")
                .selected_text(self.target.name())
                .show_ui(ui, |ui| {
                    for target in Target::ALL {
                        ui.selectable_value(&mut self.target, target, target.name());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        ui.add_space(6.0);
        let proven = match proven(app.settings, app.link, app.workspace) {
            Ok(proven) => proven,
            Err(missing) => {
                style::status_line(ui, style::WARN, &missing);
                return actions;
            }
        };
        let text = match handover::write(self.target, &proven) {
            Ok(text) => text,
            Err(cannot) => {
                style::status_line(ui, style::BAD, &cannot.to_string());
                return actions;
            }
        };
        ui.horizontal(|ui| {
            if ui.button("Copy").clicked() {
                ui.ctx().copy_text(text.clone());
            }
            if ui.button("Save…").clicked() {
                actions.push(Action::ChooseFile(FileJob::SaveHandover(self.target)));
            }
        });
        ui.add_space(6.0);
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.label(RichText::new(&text).monospace());
        });
        actions
    }
}
