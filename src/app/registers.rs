//! The Registers screen: scan a range of register IDs, watch the progress, cancel and resume, and
//! see what the meter answers in a filterable table.

use std::time::Duration;

use egui::{RichText, Ui};

use crate::duration;
use crate::kmp::Family;
use crate::kmp::register::lookup;
use crate::link::LineSettings;

use super::action::Action;
use super::scan_view::ScanView;
use super::style;

/// Bytes on the wire for one request of 8 IDs and an answer without registers, and the meter's
/// think time: what a scan of mostly absent IDs costs per request.
const BYTES_PER_REQUEST: u32 = 23 + 6;
const LATENCY: Duration = Duration::from_millis(60);

/// The screen's own state: the range and the filter.
#[derive(Debug)]
pub struct RegistersPanel {
    from: u16,
    to: u16,
    filter: String,
}

impl Default for RegistersPanel {
    fn default() -> Self {
        Self {
            from: 0,
            to: 1100,
            filter: String::new(),
        }
    }
}

/// About how long a scan of `ids` IDs takes at these line settings.
pub fn estimate(ids: u32, line: &LineSettings) -> Duration {
    let requests = ids.div_ceil(8);
    (line.byte_time() * BYTES_PER_REQUEST + LATENCY) * requests
}

impl RegistersPanel {
    /// Draws the screen.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        scans: &ScanView,
        connected: bool,
        line: &LineSettings,
        family: Option<Family>,
    ) -> Option<Action> {
        let Self { from, to, filter } = self;
        let mut action = None;
        ui.heading("Registers");
        ui.label(
            "Find which register IDs the meter answers. The meter leaves out IDs it does not have.",
        );
        ui.add_space(6.0);
        ui.add_enabled_ui(!scans.running, |ui| {
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
            if scans.running {
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
                if let Some((resume_from, resume_to)) = scans.resume
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
        if let Some(progress) = &scans.progress {
            let fraction = progress.done as f32 / progress.total.max(1) as f32;
            let left = progress
                .time_left()
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
            if progress.paused && scans.running {
                style::status_line(
                    ui,
                    style::WARN,
                    "Paused: the meter stopped answering. Place the magnet again; the scan goes on when it answers.",
                );
            }
        }
        if !scans.silencing.is_empty() {
            let ids: Vec<String> = scans.silencing.iter().map(ToString::to_string).collect();
            ui.label(
                RichText::new(format!(
                    "Registers that silence the meter: {}",
                    ids.join(", ")
                ))
                .color(style::WARN),
            );
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(filter)
                    .hint_text("ID, name or unit")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.label(format!("{} registers found", scans.found.len()));
        });
        let needle = filter.trim().to_lowercase();
        egui::Grid::new("found-registers")
            .striped(true)
            .num_columns(6)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for heading in ["ID", "hex", "name", "unit", "value", "raw"] {
                    ui.label(RichText::new(heading).strong());
                }
                ui.end_row();
                for register in scans.found.values() {
                    let id = register.id();
                    let name = lookup(family, id).map_or("", |info| info.name);
                    let unit = register.unit().symbol();
                    let row = format!("{id} {} {name} {unit}", id.hex()).to_lowercase();
                    if !needle.is_empty() && !row.contains(&needle) {
                        continue;
                    }
                    ui.label(id.to_string());
                    ui.label(id.hex());
                    ui.label(name);
                    ui.label(unit);
                    ui.label(register.display_text());
                    ui.label(RichText::new(crate::kmp::to_hex(&register.raw())).monospace());
                    ui.end_row();
                }
            });
        action
    }
}

fn round_seconds(duration: Duration) -> Duration {
    Duration::from_secs(duration.as_secs().max(1))
}

fn round_minutes(duration: Duration) -> Duration {
    Duration::from_secs((duration.as_secs() + 30) / 60 * 60)
}
