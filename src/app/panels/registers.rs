//! The Registers screen: scan a range of register IDs, watch the progress, cancel and resume, see
//! what the meter answers in a table, read ticked registers again, name them, save and load the
//! map, and export it to CSV. A meter that speaks a text protocol is read by its readout instead
//! ([`super::readout_table`]).

use std::time::Duration;

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::style;
use crate::duration;
use crate::export::Dialect;
use crate::kmp::Family;
use crate::line::LineSettings;
use crate::link::ScanProgress;
use crate::model::RegisterMap;

use super::readout_table::readout_section;
use super::register_table::RegisterTable;
use super::{AppView, Panel};

/// Bytes on the wire for one request of 8 IDs and an answer without registers, and the meter's
/// think time: what a scan of mostly absent IDs costs per request.
const BYTES_PER_REQUEST: u32 = 23 + 6;
const LATENCY: Duration = Duration::from_millis(60);

/// The screen's own state: the range, the table's sorting, filter and selection, and the CSV
/// dialect for export.
#[derive(Debug)]
pub struct RegistersPanel {
    from: u16,
    to: u16,
    table: RegisterTable,
    dialect: Dialect,
}

impl Default for RegistersPanel {
    fn default() -> Self {
        Self {
            from: 0,
            to: 1100,
            table: RegisterTable::default(),
            dialect: Dialect::default(),
        }
    }
}

/// About how long a scan of `ids` IDs takes at these line settings.
pub fn estimate(ids: u32, line: &LineSettings) -> Duration {
    let requests = ids.div_ceil(8);
    (line.byte_time() * BYTES_PER_REQUEST + LATENCY) * requests
}

impl Panel for RegistersPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let (scans, running) = (app.scans, app.scanning());
        let (connected, line, map) = (
            app.link.is_connected(),
            &app.settings.connection.line,
            app.workspace.map(),
        );
        ui.heading("Registers");
        // A text protocol's meter, or, with no meter connected, a recording of one.
        let recorded = !connected && app.workspace.capture_readout().is_some();
        if app.link.spoken().is_some_and(|spoken| spoken.is_text()) || recorded {
            return readout_section(ui, app).into_iter().collect();
        }
        let Self { from, to, .. } = self;
        let mut action = None;
        ui.label(
            "Find which register IDs the meter answers. The meter leaves out IDs it does not have.",
        );
        ui.add_space(6.0);
        ui.add_enabled_ui(!running, |ui| {
            ui.horizontal(|ui| {
                if ui.button("Common: 0 to 1100").clicked() {
                    (*from, *to) = (0, 1100);
                }
                let full = estimate(65_536, line);
                if ui
                    .button(format!(
                        "Full: 0 to 65535 (about {})",
                        duration::format(round_minutes(full))
                    ))
                    .clicked()
                {
                    (*from, *to) = (0, 65_535);
                }
            });
            ui.horizontal(|ui| {
                let from_label = ui.label("From");
                ui.add(egui::DragValue::new(from))
                    .labelled_by(from_label.id);
                let to_label = ui.label("to");
                ui.add(egui::DragValue::new(to)).labelled_by(to_label.id);
                let ids = u32::from(from.abs_diff(*to)) + 1;
                ui.label(format!(
                    "{ids} IDs, about {}",
                    duration::format(round_seconds(estimate(ids, line)))
                ));
            });
        });
        ui.horizontal(|ui| {
            if running {
                if ui.button("Cancel scan").clicked() {
                    action = Some(Action::CancelScan);
                }
            } else {
                if ui
                    .add_enabled(connected, egui::Button::new("Scan"))
                    .clicked()
                {
                    action = Some(Action::StartScan {
                        from: *from,
                        to: *to,
                    });
                }
                if let Some((resume_from, resume_to)) = scans.resume()
                    && ui
                        .add_enabled(
                            connected,
                            egui::Button::new(format!("Resume from {resume_from}")),
                        )
                        .clicked()
                {
                    action = Some(Action::StartScan {
                        from: resume_from,
                        to: resume_to,
                    });
                }
            }
            if !connected {
                ui.label("Connect first (Connection screen).");
            }
        });
        if let Some(progress) = scans.progress() {
            let fraction = progress.done as f32 / progress.total.max(1) as f32;
            let left = Some(progress)
                .filter(|_| running)
                .and_then(ScanProgress::time_left)
                .map(|left| format!(", about {} left", duration::format(round_seconds(left))))
                .unwrap_or_default();
            let text = format!(
                "{} of {} IDs, {} found, {:.1} IDs/s{left}",
                progress.done,
                progress.total,
                progress.found,
                progress.rate()
            );
            ui.add(egui::ProgressBar::new(fraction).text(text));
            if progress.paused && running {
                let text = if progress.done == 0 {
                    "Waiting for the meter's first answer: is the magnet on it? The scan begins when it answers."
                } else {
                    "Paused: the meter stopped answering. Place the magnet again; the scan goes on when it answers."
                };
                style::status_line(ui, style::WARN, text);
            }
        }
        if !map.silencing.is_empty() {
            let ids: Vec<String> = map.silencing.iter().map(ToString::to_string).collect();
            ui.label(
                RichText::new(format!(
                    "Registers that silence the meter: {}",
                    ids.join(", ")
                ))
                .color(style::WARN),
            );
        }
        ui.add_space(8.0);
        if let Some(found) = self.map_bar(ui, map, connected && !running) {
            action = Some(found);
        }
        ui.add_space(4.0);
        if let Some(found) = self.table.ui(ui, map) {
            action = Some(found);
        }
        action.into_iter().collect()
    }
}

impl RegistersPanel {
    /// The row of map actions: family, filter, read again, save, open, export.
    fn map_bar(&mut self, ui: &mut Ui, map: &RegisterMap, can_read: bool) -> Option<Action> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Meter family");
            let mut family = map.family;
            egui::ComboBox::from_id_salt("family")
                .selected_text(family.map_or("unknown", Family::name))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut family, None, "unknown");
                    for choice in Family::ALL {
                        ui.selectable_value(&mut family, Some(choice), choice.name());
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("Names registers from this family's public catalogue");
            if family != map.family {
                action = Some(Action::SetFamily(family));
            }
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.table.filter)
                    .hint_text("ID, name or unit")
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
            ui.label(format!("{} registers found", map.registers.len()));
        });
        ui.horizontal_wrapped(|ui| {
            let ticked = self.table.selected.len();
            if ui
                .add_enabled(
                    can_read && ticked > 0,
                    egui::Button::new(format!("Read {ticked} ticked again")),
                )
                .on_disabled_hover_text("Tick registers in the table; connect first")
                .clicked()
            {
                action = Some(Action::ReadAgain(
                    self.table.selected.iter().copied().collect(),
                ));
            }
            ui.separator();
            if ui.button("Save map…").clicked() {
                action = Some(Action::ChooseFile(FileJob::SaveMap));
            }
            if ui.button("Open map…").clicked() {
                action = Some(Action::ChooseFile(FileJob::OpenMap));
            }
            ui.separator();
            let label = ui.label("CSV");
            egui::ComboBox::from_id_salt("map-dialect")
                .selected_text(dialect_name(self.dialect))
                .show_ui(ui, |ui| {
                    for dialect in [Dialect::Rfc4180, Dialect::ExcelEu] {
                        ui.selectable_value(&mut self.dialect, dialect, dialect_name(dialect));
                    }
                })
                .response
                .labelled_by(label.id);
            if ui
                .add_enabled(!map.registers.is_empty(), egui::Button::new("Export CSV…"))
                .clicked()
            {
                action = Some(Action::ChooseFile(FileJob::ExportMap(self.dialect)));
            }
        });
        action
    }
}

/// A dialect as the export menu names it.
pub fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Rfc4180 => "comma, decimal point",
        Dialect::ExcelEu => "semicolon, decimal comma (DK/SE/DE)",
    }
}

fn round_seconds(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs().max(1))
}

fn round_minutes(duration: Duration) -> Duration {
    Duration::from_secs((duration.as_secs() + 30) / 60 * 60)
}
