//! The Live screen: pick registers and an interval, start and stop polling, see the request count
//! and a warning when the interval risks throttling, the latest values in large type, and the
//! plots. Space pauses the plots or makes them follow the newest reading again.

use std::time::Duration;

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::style;
use crate::kmp::{Family, RegisterId};
use crate::link::diagnosis::DiagnosisCode;

use super::live_plot::{LivePlots, PlotSpec};
use super::{Context, Panel};

/// Below this interval, battery meters are reported to throttle (PROTOCOL.md §1.2 gives no exact
/// threshold; users poll flowIQ meters every 5 minutes without trouble).
const GENTLE_INTERVAL: Duration = Duration::from_secs(60);

/// The screen's own state.
pub struct LivePanel {
    registers: String,
    interval_s: f64,
    /// The plots.
    pub plots: LivePlots,
}

impl Default for LivePanel {
    fn default() -> Self {
        Self {
            registers: format!("{}, {}", RegisterId::V1_VOLUME, RegisterId::FLOW_V1),
            interval_s: 5.0,
            plots: LivePlots::default(),
        }
    }
}

impl LivePanel {
    /// The registers typed, or why they are not a list of IDs.
    fn parse_registers(&self) -> Result<Vec<RegisterId>, String> {
        let mut ids = Vec::new();
        for part in self
            .registers
            .split([',', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            let id: RegisterId = part.parse().map_err(|error| format!("{error}"))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        match ids.len() {
            0 => Err("name at least one register, such as 68, 74".into()),
            1..=16 => Ok(ids),
            n => Err(format!("{n} registers; plot at most 16 at once")),
        }
    }

    fn interval(&self) -> Duration {
        // A typed "NaN" must not reach `Duration`, which panics on it.
        let seconds = if self.interval_s.is_finite() {
            self.interval_s.clamp(1.0, 3600.0)
        } else {
            5.0
        };
        Duration::from_secs_f64(seconds)
    }

    /// The request count, the rate this interval asks for, and the throttling warning.
    fn request_line(&self, ui: &mut Ui, context: &Context<'_>, ids: &[RegisterId]) {
        let per_poll = ids.len().div_ceil(8).max(1) as f64;
        let per_hour = (3600.0 / self.interval().as_secs_f64() * per_poll).round();
        ui.label(format!(
            "Polls: {}   Requests sent this session: {}   This interval asks about {per_hour} requests an hour.",
            context.workspace.readings().polls(),
            context.link.requests()
        ));
        let battery = matches!(context.workspace.map().family, Some(Family::Water) | None);
        if let Some(diagnosis) = context.link.diagnosis()
            && diagnosis.code == DiagnosisCode::Throttled
        {
            style::note(
                ui,
                style::BAD,
                &format!(
                    "{} Polling slows down by itself while the meter is silent.",
                    diagnosis.text()
                ),
            );
        } else if battery && self.interval() < GENTLE_INTERVAL {
            style::note(
                ui,
                style::WARN,
                "Battery meters (MULTICAL 21, flowIQ) are reported to throttle when polled often. \
                 If answers stop, poll less often and wake the eye with the magnet.",
            );
        }
    }

    /// Whether the plots follow the newest reading.
    pub fn following(&self) -> bool {
        self.plots.following()
    }
}

impl Panel for LivePanel {
    fn ui(&mut self, ui: &mut Ui, context: &Context<'_>) -> Vec<Action> {
        let mut action = None;
        ui.heading("Live");
        let parsed = self.parse_registers();
        let connected = context.link.is_connected();
        let polling = context.polling();
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled_ui(polling.is_none(), |ui| {
                let label = ui.label("Registers");
                ui.add(egui::TextEdit::singleline(&mut self.registers).desired_width(140.0))
                    .labelled_by(label.id);
                let label = ui.label("every");
                ui.add(
                    egui::DragValue::new(&mut self.interval_s)
                        .range(1.0..=3600.0)
                        .speed(0.5)
                        .suffix(" s"),
                )
                .labelled_by(label.id);
            });
            if polling.is_some() {
                if ui.button("Stop polling").clicked() {
                    action = Some(Action::StopPolling);
                }
            } else if let Ok(ids) = &parsed
                && ui
                    .add_enabled(connected, egui::Button::new("Start polling"))
                    .on_disabled_hover_text("Connect first (Connection screen)")
                    .clicked()
            {
                action = Some(Action::StartPolling {
                    ids: ids.clone(),
                    interval: self.interval(),
                });
            }
        });
        if let Err(problem) = &parsed {
            style::note(ui, style::BAD, problem);
        }
        if !connected && polling.is_none() {
            ui.label("Connect first (Connection screen).");
        }
        self.request_line(ui, context, parsed.as_deref().unwrap_or(&[]));
        ui.add_space(6.0);
        let shown: Vec<RegisterId> = polling
            .map(<[RegisterId]>::to_vec)
            .or_else(|| parsed.ok())
            .unwrap_or_default();
        latest_values(ui, context, &shown);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let text = if self.plots.following() {
                "Pause view (Space)"
            } else {
                "Follow latest (Space)"
            };
            let typing = ui.ctx().egui_wants_keyboard_input();
            let space = !typing && ui.input(|input| input.key_pressed(egui::Key::Space));
            if ui.button(text).clicked() || space {
                self.plots.toggle_following();
            }
            if ui.button("Show all").clicked() {
                self.plots.show_all(ui.ctx());
            }
            ui.label(
                RichText::new(
                    "Drag to look back, Ctrl+scroll to zoom. Polling goes on while paused.",
                )
                .weak(),
            );
        });
        let specs: Vec<PlotSpec<'_>> = shown
            .iter()
            .filter_map(|&id| {
                Some(PlotSpec {
                    series: context.workspace.readings().get(id.into())?,
                    name: context.workspace.map().name(id),
                })
            })
            .collect();
        self.plots.ui(ui, &specs);
        action.into_iter().collect()
    }
}

/// The newest value of each register in large type, with how old it is.
fn latest_values(ui: &mut Ui, context: &Context<'_>, ids: &[RegisterId]) {
    let now = jiff::Timestamp::now().as_millisecond() as f64 / 1000.0;
    ui.horizontal_wrapped(|ui| {
        for &id in ids {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_min_width(180.0);
                ui.vertical(|ui| {
                    ui.label(RichText::new(context.workspace.map().name(id)).strong());
                    match context
                        .workspace
                        .readings()
                        .get(id.into())
                        .and_then(|s| Some((s, s.latest()?)))
                    {
                        Some((series, latest)) => {
                            ui.label(
                                RichText::new(format!("{} {}", latest.value, series.unit()))
                                    .size(30.0)
                                    .strong(),
                            );
                            let age = Duration::from_secs_f64((now - latest.at).max(0.0));
                            // The age is shown in whole seconds: draw again when it changes.
                            let next_second = Duration::from_secs(age.as_secs() + 1) - age;
                            ui.ctx().request_repaint_after(next_second);
                            ui.label(
                                RichText::new(format!(
                                    "{} readings, newest {} ago",
                                    series.len(),
                                    crate::duration::format(Duration::from_secs(age.as_secs()))
                                ))
                                .weak(),
                            );
                        }
                        None => {
                            ui.label(RichText::new("-").size(30.0));
                            ui.label(RichText::new("no reading yet").weak());
                        }
                    }
                });
            });
        }
    });
}
