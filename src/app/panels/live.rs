//! The Live screen: pick registers and an interval, start and stop polling, see the request count
//! and a warning when the interval risks throttling, the latest values in large type, and the
//! plots. Space pauses the plots or makes them follow the newest reading again.

use std::time::Duration;

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::controller::BrokerState;
use crate::app::style;
use crate::kmp::{Family, RegisterId};
use crate::link::diagnosis::DiagnosisCode;
use crate::model::RegisterKey;
use crate::mqtt::{BrokerUrl, Secret};
use crate::protocol::Protocol;

use super::live_plot::{LivePlots, PlotSpec};
use super::{AppView, Panel};

/// Below this interval, battery meters are reported to throttle (docs/protocols.md §2 gives no exact
/// threshold; users poll flowIQ meters every 5 minutes without trouble).
const GENTLE_INTERVAL: Duration = Duration::from_secs(60);

/// The screen's own state.
pub struct LivePanel {
    registers: String,
    interval_s: f64,
    /// The broker's password, as typed: kept for this run only, never saved.
    password: String,
    /// The plots.
    pub plots: LivePlots,
}

impl Default for LivePanel {
    fn default() -> Self {
        Self {
            registers: format!("{}, {}", RegisterId::V1_VOLUME, RegisterId::FLOW_V1),
            interval_s: 5.0,
            password: String::new(),
            plots: LivePlots::default(),
        }
    }
}

impl LivePanel {
    /// The registers typed, or why they are not a list of registers of one protocol.
    fn parse_registers(&self) -> Result<Vec<RegisterKey>, String> {
        let mut keys: Vec<RegisterKey> = Vec::new();
        for part in self
            .registers
            .split([',', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            let key: RegisterKey = part.parse().map_err(|error| format!("{error}"))?;
            if keys
                .first()
                .is_some_and(|first| first.protocol() != key.protocol())
            {
                return Err(
                    "name registers of one protocol: KMP IDs, OBIS codes or /#1 fields".into(),
                );
            }
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        match keys.len() {
            0 => {
                Err("name at least one register, such as 68, 74 (or 1.8.0 for an IEC meter)".into())
            }
            1..=16 => Ok(keys),
            n => Err(format!("{n} registers; plot at most 16 at once")),
        }
    }

    /// Why the registers typed cannot be polled on this meter, if they cannot: another protocol
    /// than it speaks, or an interval shorter than its readout takes.
    fn refusal(&self, keys: &[RegisterKey], context: &AppView<'_>) -> Option<String> {
        let spoken = context.link.spoken()?;
        if !keys.first()?.read_in(spoken.protocol) {
            let example = match spoken.protocol {
                Protocol::Kmp => "register IDs such as 68, 74",
                Protocol::Iec => "OBIS codes such as 1.8.0",
                Protocol::Mc66 => "fields such as energy, t1, flow",
                Protocol::Sml => "OBIS codes such as 1.8.0, 16.7.0",
            };
            return Some(format!(
                "This meter speaks {}: name {example}",
                spoken.protocol
            ));
        }
        let readout = context.workspace.readout()?;
        (spoken.protocol != Protocol::Kmp && self.interval() < readout.took).then(|| {
            format!(
                "A readout of this meter takes {}: poll every {} s or more",
                crate::app::style::seconds(readout.took),
                readout.took.as_secs() + 1
            )
        })
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
    fn request_line(&self, ui: &mut Ui, context: &AppView<'_>, keys: &[RegisterKey]) {
        // A text protocol's meter sends everything for one request.
        let kmp = keys.iter().filter(|key| key.kmp().is_some()).count();
        let per_poll = kmp.div_ceil(8).max(1) as f64;
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

    /// Where polling publishes: the broker, Home Assistant discovery, the password; and how the
    /// broker is doing while it does. Gives the settings changed, if they were.
    fn publish_row(&mut self, ui: &mut Ui, context: &AppView<'_>) -> Option<Action> {
        let mut mqtt = context.settings.mqtt.clone();
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled_ui(context.polling.is_none(), |ui| {
                ui.checkbox(&mut mqtt.publish, "Publish to MQTT");
                if mqtt.publish {
                    let label = ui.label("Broker");
                    ui.add(egui::TextEdit::singleline(&mut mqtt.url).desired_width(220.0))
                        .labelled_by(label.id);
                    let label = ui.label("Password");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.password)
                            .password(true)
                            .desired_width(90.0),
                    )
                    .labelled_by(label.id)
                    .on_hover_text("Kept for this run only; empty takes MQTT_PASSWORD");
                    ui.checkbox(&mut mqtt.discovery, "Home Assistant discovery");
                }
            });
        });
        match context.publishing {
            Some(view) => {
                let (colour, text) = match &view.state {
                    BrokerState::Connecting => {
                        (style::WARN, format!("Connecting to {}…", view.broker))
                    }
                    BrokerState::Connected => (
                        style::GOOD,
                        format!(
                            "Publishing to {} on {} ({} waiting for the broker)",
                            view.topic, view.broker, view.queued
                        ),
                    ),
                    BrokerState::Away(why) => (
                        style::WARN,
                        format!(
                            "{why}. Polling goes on; {} messages wait for the broker, in order.",
                            view.queued
                        ),
                    ),
                    BrokerState::Refused(why) => (
                        style::BAD,
                        format!("Publishing stopped: {why}. Polling goes on, unpublished."),
                    ),
                };
                style::note(ui, colour, &text);
            }
            None if mqtt.publish => {
                if let Err(problem) = mqtt.url.parse::<BrokerUrl>() {
                    style::note(ui, style::BAD, &problem);
                }
            }
            None => {}
        }
        (mqtt != context.settings.mqtt).then_some(Action::SetMqtt(mqtt))
    }

    /// Whether the plots follow the newest reading.
    pub fn following(&self) -> bool {
        self.plots.following()
    }
}

impl Panel for LivePanel {
    fn ui(&mut self, ui: &mut Ui, context: &AppView<'_>) -> Vec<Action> {
        let mut action = None;
        ui.heading("Live");
        let parsed = self.parse_registers();
        let refusal = parsed
            .as_ref()
            .ok()
            .and_then(|keys| self.refusal(keys, context));
        let connected = context.link.is_connected();
        let polling = context.polling;
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
            } else if let Ok(keys) = &parsed
                && ui
                    .add_enabled(
                        connected && refusal.is_none(),
                        egui::Button::new("Start polling"),
                    )
                    .on_disabled_hover_text("Connect first (Connection screen)")
                    .clicked()
            {
                action = Some(Action::StartPolling {
                    keys: keys.clone(),
                    interval: self.interval(),
                    password: (!self.password.is_empty())
                        .then(|| Secret(self.password.as_bytes().to_vec())),
                });
            }
            if polling.is_none()
                && let Some(readout) = context.workspace.readout()
                && ui
                    .button("Use the readout's numbers")
                    .on_hover_text("Poll the values of the last readout that are numbers")
                    .clicked()
            {
                let keys: Vec<String> = readout
                    .readings
                    .iter()
                    .filter(|reading| reading.number.is_some())
                    .take(16)
                    .map(|reading| reading.key.to_string())
                    .collect();
                self.registers = keys.join(", ");
            }
        });
        let publish_settings = self.publish_row(ui, context);
        if let Err(problem) = &parsed {
            style::note(ui, style::BAD, problem);
        }
        if let Some(refusal) = &refusal {
            style::note(ui, style::BAD, refusal);
        }
        if !connected && polling.is_none() {
            ui.label("Connect first (Connection screen).");
        }
        self.request_line(ui, context, parsed.as_deref().unwrap_or(&[]));
        ui.add_space(6.0);
        let shown: Vec<RegisterKey> = polling
            .map(<[RegisterKey]>::to_vec)
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
            .filter_map(|&key| {
                Some(PlotSpec {
                    series: context.workspace.readings().get(key)?,
                    name: context.workspace.map().key_name(key),
                })
            })
            .collect();
        self.plots.ui(ui, &specs);
        action.into_iter().chain(publish_settings).collect()
    }
}

/// The newest value of each register in large type, with how old it is.
fn latest_values(ui: &mut Ui, context: &AppView<'_>, keys: &[RegisterKey]) {
    let now = context.now.wall.as_millisecond() as f64 / 1000.0;
    ui.horizontal_wrapped(|ui| {
        for &key in keys {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_min_width(180.0);
                ui.vertical(|ui| {
                    ui.label(RichText::new(context.workspace.map().key_name(key)).strong());
                    match context
                        .workspace
                        .readings()
                        .get(key)
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
