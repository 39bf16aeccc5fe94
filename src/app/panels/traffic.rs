//! The Traffic screen: the session's raw exchange log, one line per transmission, echo or answer
//! (time, TX/ECHO/RX, hex, decoded meaning), filtered by kind, each line copyable, exportable.
//! Only the lines on screen are read from the journal, so hours of traffic scroll smoothly.
//! Above it, a recording the user opened ("Open capture…") or pasted off an analyser's screen:
//! its diagnosis on top, then its frames as traffic lines.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob, TrafficFilter};
use crate::app::style;
use crate::app::workspace::OpenedCapture;
use crate::capture::analysis::FrameDirection;
use crate::link::traffic::TrafficDirection;
use crate::session::TrafficLog;

use super::{AppView, Panel};

/// The screen's state: the filter and the lines it lets through.
#[derive(Debug, Default)]
pub struct TrafficPanel {
    filter: TrafficFilter,
    /// Indices of the journal lines shown, oldest first.
    shown: Vec<usize>,
    /// How many journal lines the filter has looked at.
    scanned: usize,
    /// The journal `shown` indexes, so another session's journal starts afresh.
    source: Option<PathBuf>,
    /// Text pasted off an analyser's screen, not decoded yet.
    pasted: String,
}

impl TrafficPanel {
    /// Brings the filtered index up to date with the journal: new lines are looked at once.
    fn refresh(&mut self, log: &TrafficLog, source: &Path) {
        if self.source.as_deref() != Some(source) {
            self.source = Some(source.to_path_buf());
            self.shown.clear();
            self.scanned = 0;
        }
        let filter = self.filter;
        let directions = log.directions();
        let start = self.scanned.min(directions.len());
        self.shown.extend(
            directions[start..]
                .iter()
                .enumerate()
                .filter(|(_, direction)| filter.shows(**direction))
                .map(|(offset, _)| start + offset),
        );
        self.scanned = directions.len();
    }
}

impl Panel for TrafficPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let mut action = None;
        ui.heading("Traffic");
        // Wrapped: the description must not widen the screen past a small window.
        ui.horizontal_wrapped(|ui| {
            if ui.button("Open capture…").clicked() {
                action = Some(Action::ChooseFile(FileJob::OpenCapture));
            }
            ui.label(
                RichText::new(
                    "A recording from a logic analyser or sniffer: sigrok, PulseView, Saleae, \
                     socat, jpnevulator, hex dumps, .sr, .vcd, scope CSV, WAV",
                )
                .weak(),
            );
        });
        egui::CollapsingHeader::new("Paste what your analyser shows").show(ui, |ui| {
            ui.label(
                RichText::new(
                    "Hex with or without 0x, the ASCII in brackets, BREAK, framing errors; a line \
                     starting with TX or RX (sent, received) is of that direction.",
                )
                .weak(),
            );
            let label = ui.label("Analyser text");
            ui.add(
                egui::TextEdit::multiline(&mut self.pasted)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
            if ui
                .add_enabled(
                    !self.pasted.trim().is_empty(),
                    egui::Button::new("Decode the text"),
                )
                .clicked()
            {
                action = Some(Action::PasteCapture(self.pasted.clone()));
            }
        });
        if let Some(capture) = app.workspace.capture() {
            if let Some(asked) = capture_ui(ui, capture) {
                action = Some(asked);
            }
            ui.separator();
        }
        let Some(session) = app.workspace.session() else {
            ui.label(
                "No session is open. Connect to a port and the traffic is recorded from the first \
                 byte, or open a session (Session screen).",
            );
            return action.into_iter().collect();
        };
        let source = session.dir().to_path_buf();
        let log = session.traffic();
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.label("Show");
            let TrafficFilter { tx, echo, rx } = &mut self.filter;
            for (shown, direction) in [
                (tx, TrafficDirection::Tx),
                (echo, TrafficDirection::Echo),
                (rx, TrafficDirection::Rx),
            ] {
                changed |= ui.checkbox(shown, direction.mark()).changed();
            }
            if changed {
                self.source = None;
            }
            self.refresh(log, &source);
            ui.separator();
            ui.label(format!("{} of {} lines", self.shown.len(), log.len()));
            ui.separator();
            if ui
                .add_enabled(!self.shown.is_empty(), egui::Button::new("Export…"))
                .clicked()
            {
                action = Some(Action::ChooseFile(FileJob::ExportTraffic(self.filter)));
            }
        });
        ui.label(RichText::new("Click a line to copy it.").weak());
        ui.add_space(4.0);
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .stick_to_bottom(true)
            .show_rows(ui, row_height, self.shown.len(), |ui, rows| {
                let lines = match read_rows(log, &self.shown[rows.clone()]) {
                    Ok(lines) => lines,
                    Err(error) => {
                        style::note(ui, style::BAD, &format!("Cannot read the journal: {error}"));
                        return;
                    }
                };
                for (line, &index) in lines.iter().zip(&self.shown[rows]) {
                    let colour = style::direction_colour(ui, log.direction(index));
                    let response = ui.add(
                        egui::Label::new(RichText::new(line).monospace().color(colour))
                            .sense(egui::Sense::click())
                            .extend(),
                    );
                    if response.clicked() {
                        ui.ctx().copy_text(line.clone());
                    }
                }
            });
        action.into_iter().collect()
    }
}

/// Draws an opened recording: what it is, the diagnosis, the frames, and for an analog one the
/// selected frame's volts; what the user asked of it (to close it, to plot a frame).
fn capture_ui(ui: &mut Ui, capture: &OpenedCapture) -> Option<Action> {
    let analysis = &capture.analysis;
    let mut asked = None;
    let mut closed = false;
    ui.horizontal(|ui| {
        let line = capture
            .line
            .as_deref()
            .map(|line| format!(", decoded at {line}"))
            .unwrap_or_default();
        ui.label(
            RichText::new(format!(
                "Recording {} ({}{line})",
                capture.name,
                capture.format.name()
            ))
            .strong(),
        );
        closed = ui.button("Close recording").clicked();
    });
    style::status_line(
        ui,
        style::diagnosis_colour(analysis.diagnosis.code),
        &analysis.diagnosis.text(),
    );
    for (line, finding) in &capture.signal {
        if *finding {
            style::note(ui, style::WARN, line);
        } else {
            ui.label(line);
        }
    }
    let mut facts = Vec::new();
    if let Some(caveat) = &analysis.caveat {
        ui.label(caveat);
    }
    if analysis.swapped {
        facts.push("RX and TX were swapped in the file (put right by the start bytes)".to_string());
    }
    if let Some(reaction) = analysis.reaction_s {
        facts.push(format!(
            "the meter answers {:.1} ms after a request",
            reaction * 1e3
        ));
    }
    if let Some(interval) = analysis.request_interval_s {
        facts.push(format!("a request every {:.2} s", interval));
    }
    match analysis.registers.len() {
        0 => {}
        1 => facts.push("its register value is in the Registers table, to name and export".into()),
        n => facts.push(format!(
            "its {n} register values are in the Registers table, to name and export"
        )),
    }
    if !analysis.readout.is_empty() {
        facts.push(format!(
            "its readout of {} values is on the Registers screen while no meter is connected",
            analysis.readout.len()
        ));
    }
    if !facts.is_empty() {
        let text = facts.join("; ");
        let mut chars = text.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
        ui.label(format!("{}{}.", first.unwrap_or_default(), chars.as_str()));
    }
    let plotted = capture
        .plot
        .as_ref()
        .map(|plot| plot.shown.as_ref().map(|(frame, _)| *frame));
    egui::ScrollArea::vertical()
        .id_salt("capture frames")
        .max_height(if plotted.is_some() { 140.0 } else { 220.0 })
        .show(ui, |ui| {
            for (index, frame) in analysis.frames.iter().enumerate() {
                let (mark, direction) = match frame.direction {
                    FrameDirection::Tx => ("TX", TrafficDirection::Tx),
                    FrameDirection::Echo => ("ECHO", TrafficDirection::Echo),
                    FrameDirection::Rx => ("RX", TrafficDirection::Rx),
                };
                let t = frame
                    .t
                    .map_or_else(|| "        -".to_string(), |t| format!("{t:>9.4}"));
                let hex: Vec<String> = frame.bytes.iter().map(|b| format!("{b:02X}")).collect();
                let mut meaning = frame.meaning.clone();
                if let Some(error) = &frame.error {
                    meaning.push_str(&format!(" ({error})"));
                }
                for warning in &frame.warnings {
                    meaning.push_str(&format!("; {warning}"));
                }
                let colour = if frame.error.is_some() || !frame.warnings.is_empty() {
                    style::WARN
                } else {
                    style::direction_colour(ui, Some(direction))
                };
                let text = RichText::new(format!("{t} {mark:<4} {}  {meaning}", hex.join(" ")))
                    .monospace()
                    .color(colour);
                // An analog recording's frames are picked to be plotted.
                match plotted {
                    Some(shown) if frame.t.is_some() => {
                        if ui.selectable_label(shown == Some(index), text).clicked() {
                            asked = Some(Action::ShowFrameSignal(index));
                        }
                    }
                    _ => {
                        ui.label(text);
                    }
                }
            }
        });
    super::signal_plot::ui(ui, capture);
    if closed {
        asked = Some(Action::CloseCapture);
    }
    asked
}

/// The lines at `indices`: one read when they follow each other, as they do unfiltered.
fn read_rows(log: &TrafficLog, indices: &[usize]) -> std::io::Result<Vec<String>> {
    let (Some(&first), Some(&last)) = (indices.first(), indices.last()) else {
        return Ok(Vec::new());
    };
    if last - first + 1 == indices.len() {
        return log.lines(first, indices.len());
    }
    let mut lines = Vec::with_capacity(indices.len());
    for &index in indices {
        lines.extend(log.lines(index, 1)?);
    }
    Ok(lines)
}
