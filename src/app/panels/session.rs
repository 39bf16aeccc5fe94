//! The Session screen: where the session is being recorded, what it holds, save as, open, recent
//! sessions, and the readings exported to CSV.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::files::{shown, size_text};
use crate::app::style;
use crate::export::Dialect;

use super::registers::dialect_name;
use super::{AppView, Panel};

/// The Session screen's own state: the stored sessions ticked, and whether their deletion is
/// being confirmed.
#[derive(Debug, Default)]
pub struct SessionPanel {
    ticked: BTreeSet<PathBuf>,
    confirming: bool,
}

impl Panel for SessionPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let mut actions: Vec<Action> = session_ui(ui, app).into_iter().collect();
        actions.extend(self.stored_ui(ui, app));
        actions
    }
}

impl SessionPanel {
    /// The sessions in the autosave folder: tick, then delete, after a confirmation.
    fn stored_ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Option<Action> {
        let Self { ticked, confirming } = self;
        if app.stored.is_empty() {
            return None;
        }
        let recording = app.workspace.session_dir();
        // A session deleted, or no longer stored, is no longer ticked.
        ticked.retain(|dir| app.stored.iter().any(|stored| stored.dir == *dir));
        let mut action = None;
        ui.add_space(10.0);
        let total: u64 = app.stored.iter().map(|stored| stored.bytes).sum();
        ui.label(
            RichText::new(format!(
                "Stored sessions: {}, {}",
                app.stored.len(),
                size_text(total)
            ))
            .strong(),
        );
        egui::Grid::new("stored-sessions")
            .num_columns(4)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for stored in app.stored {
                    let name = stored.dir.file_name().map_or_else(
                        || stored.dir.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    let is_recording = recording == Some(stored.dir.as_path());
                    let mut tick = ticked.contains(&stored.dir);
                    ui.add_enabled(!is_recording, egui::Checkbox::new(&mut tick, name));
                    if tick {
                        ticked.insert(stored.dir.clone());
                    } else {
                        ticked.remove(&stored.dir);
                    }
                    ui.label(stored.started.map_or_else(String::new, |started| {
                        started
                            .to_zoned(jiff::tz::TimeZone::system())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    }));
                    ui.label(size_text(stored.bytes));
                    if is_recording {
                        ui.label(RichText::new("recording").italics());
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        let chosen: u64 = app
            .stored
            .iter()
            .filter(|stored| ticked.contains(&stored.dir))
            .map(|stored| stored.bytes)
            .sum();
        if *confirming && !ticked.is_empty() {
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.5, style::BAD))
                .show(ui, |ui| {
                    ui.label(format!(
                        "Delete {} sessions ({})? Their readings and traffic are gone for good.",
                        ticked.len(),
                        size_text(chosen)
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Delete").clicked() {
                            action = Some(Action::DeleteSessions(ticked.iter().cloned().collect()));
                            *confirming = false;
                        }
                        if ui.button("Keep them").clicked() {
                            *confirming = false;
                        }
                    });
                });
        } else if ui
            .add_enabled(
                !ticked.is_empty(),
                egui::Button::new(format!("Delete {} ticked…", ticked.len())),
            )
            .clicked()
        {
            *confirming = true;
        }
        action
    }
}

fn session_ui(ui: &mut Ui, app: &AppView<'_>) -> Option<Action> {
    let readings = app.workspace.readings();
    let mut action = None;
    ui.heading("Session");
    ui.label(
        "A session keeps the line settings, the register map with your names, every reading and \
         the raw traffic. It is written to disk as it happens, so a crash loses at most the poll \
         in flight.",
    );
    ui.add_space(6.0);
    match app.workspace.session() {
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
        let mut dialect = app.settings.dialect;
        egui::ComboBox::from_id_salt("readings-dialect")
            .selected_text(dialect_name(dialect))
            .show_ui(ui, |ui| {
                for choice in [Dialect::Rfc4180, Dialect::ExcelEu] {
                    ui.selectable_value(&mut dialect, choice, dialect_name(choice));
                }
            })
            .response
            .labelled_by(label.id);
        if dialect != app.settings.dialect {
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
    let recent = &app.settings.recent_sessions;
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
