//! The Session screen: where the session is being recorded, what it holds, save as, open, recent
//! sessions, and the readings exported to CSV.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::files::shown;
use crate::export::Dialect;

use super::registers::dialect_name;
use super::{Context, Panel};

/// The Session screen; it keeps no state of its own.
#[derive(Debug, Default)]
pub struct SessionPanel;

impl Panel for SessionPanel {
    fn ui(&mut self, ui: &mut Ui, cx: &Context<'_>) -> Vec<Action> {
        session_ui(ui, cx).into_iter().collect()
    }
}

fn session_ui(ui: &mut Ui, cx: &Context<'_>) -> Option<Action> {
    let readings = cx.workspace.readings();
    let mut action = None;
    ui.heading("Session");
    ui.label(
        "A session keeps the line settings, the register map with your names, every reading and \
         the raw traffic. It is written to disk as it happens, so a crash loses at most the poll \
         in flight.",
    );
    ui.add_space(6.0);
    match cx.workspace.session() {
        Some(session) => {
            ui.label(RichText::new(format!("Recording to {}", shown(session.dir()))).strong());
            let manifest = session.manifest();
            if let Some(started) = manifest.started {
                ui.label(format!(
                    "Started {}",
                    started
                        .to_zoned(jiff::tz::TimeZone::system())
                        .strftime("%Y-%m-%d %H:%M:%S")
                ));
            }
            if !manifest.port.is_empty() {
                ui.label(format!("Port {}, {}", manifest.port, manifest.line));
            }
            let values: usize = readings.series().iter().map(|s| s.len()).sum();
            ui.label(format!(
                "{} polls, {values} readings, {} traffic lines",
                readings.polls(),
                session.traffic().len()
            ));
        }
        None => {
            ui.label("No session yet: connecting to a port starts one, or open one.");
        }
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        if ui.button("Save as… (Ctrl+S)").clicked() {
            action = Some(Action::ChooseFile(FileJob::SaveSession));
        }
        if ui.button("Open… (Ctrl+O)").clicked() {
            action = Some(Action::ChooseFile(FileJob::OpenSession));
        }
        if ui
            .button("New session")
            .on_hover_text("This one stays on disk, listed under Recent sessions")
            .clicked()
        {
            action = Some(Action::NewSession);
        }
        ui.separator();
        let label = ui.label("CSV");
        let mut dialect = cx.settings.dialect;
        egui::ComboBox::from_id_salt("readings-dialect")
            .selected_text(dialect_name(dialect))
            .show_ui(ui, |ui| {
                for choice in [Dialect::Rfc4180, Dialect::ExcelEu] {
                    ui.selectable_value(&mut dialect, choice, dialect_name(choice));
                }
            })
            .response
            .labelled_by(label.id);
        if dialect != cx.settings.dialect {
            action = Some(Action::SetDialect(dialect));
        }
        if ui
            .add_enabled(
                readings.polls() > 0,
                egui::Button::new("Export readings… (Ctrl+E)"),
            )
            .clicked()
        {
            action = Some(Action::ChooseFile(FileJob::ExportReadings(dialect)));
        }
    });
    let recent = &cx.settings.recent_sessions;
    if !recent.is_empty() {
        ui.add_space(10.0);
        ui.label(RichText::new("Recent sessions").strong());
        for path in recent {
            let text = shown(std::path::Path::new(path));
            if ui.link(text).on_hover_text("Open this session").clicked() {
                action = Some(Action::UseFile {
                    job: FileJob::OpenSession,
                    path: PathBuf::from(path),
                    replace: false,
                });
            }
        }
    }
    action
}
