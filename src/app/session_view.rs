//! The Session screen: where the session is being recorded, what it holds, save as, open, recent
//! sessions, and the readings exported to CSV.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::export::Dialect;
use crate::model::Readings;
use crate::session::Session;

use super::action::{Action, FileJob};
use super::registers::dialect_name;

/// What the screen shows.
pub struct SessionContext<'a> {
    /// The session being recorded, if any.
    pub session: Option<&'a mut Session>,
    /// Its readings.
    pub readings: &'a Readings,
    /// Sessions opened or saved lately, newest first.
    pub recent: &'a [String],
    /// The CSV dialect chosen for exports.
    pub dialect: &'a mut Dialect,
}

/// Draws the screen.
pub fn ui(ui: &mut Ui, context: SessionContext<'_>) -> Option<Action> {
    let mut action = None;
    ui.heading("Session");
    ui.label(
        "A session keeps the line settings, the register map with your names, every reading and \
         the raw traffic. It is written to disk as it happens, so a crash loses at most the poll \
         in flight.",
    );
    ui.add_space(6.0);
    match context.session {
        Some(session) => {
            ui.label(
                RichText::new(format!(
                    "Recording to {}",
                    super::files::shown(session.dir())
                ))
                .strong(),
            );
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
            let readings: usize = context.readings.series().iter().map(|s| s.len()).sum();
            ui.label(format!(
                "{} polls, {readings} readings, {} traffic lines",
                context.readings.polls(),
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
        egui::ComboBox::from_id_salt("readings-dialect")
            .selected_text(dialect_name(*context.dialect))
            .show_ui(ui, |ui| {
                for dialect in [Dialect::Rfc4180, Dialect::ExcelEu] {
                    ui.selectable_value(context.dialect, dialect, dialect_name(dialect));
                }
            })
            .response
            .labelled_by(label.id);
        if ui
            .add_enabled(
                context.readings.polls() > 0,
                egui::Button::new("Export readings… (Ctrl+E)"),
            )
            .clicked()
        {
            action = Some(Action::ChooseFile(FileJob::ExportReadings(
                *context.dialect,
            )));
        }
    });
    if !context.recent.is_empty() {
        ui.add_space(10.0);
        ui.label(RichText::new("Recent sessions").strong());
        for path in context.recent {
            let text = super::files::shown(std::path::Path::new(path));
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
