//! The History screen: the meter's own loggers. Pick a logger and list what it holds (depth and
//! registers, named from the catalogue), tick registers and how many records, and read them:
//! the records fill a table (record ID, the meter's own time, exact values with units) and a
//! plot per register, and export to CSV. The program reads by record ID with the logger reads
//! the sources agree on, and says so when a meter answers none of them.

use std::collections::BTreeSet;
use std::time::Duration;

use egui::{RichText, Ui};

use crate::app::action::{Action, FileJob};
use crate::app::style::{self, BAD, GOOD, WARN};
use crate::export::{history_columns, meter_time};
use crate::kmp::RegisterId;
use crate::kmp::logger::{PeriodLogger, is_stamp};
use crate::link::{HistoryOptions, HistoryReport, HistorySpan, Logger};
use crate::session::LoggerHistory;

use super::history_plot::history_plots;
use super::registers::dialect_name;
use super::{AppView, Panel};

/// How long the first logger read waits for the eye.
const WAIT: Duration = Duration::from_secs(10);

/// The History screen's own state: the log, the registers ticked (or typed, for an interval
/// log, which cannot be listed), how many records.
#[derive(Debug)]
pub struct HistoryPanel {
    source: Logger,
    /// The interval log's ID, kept while a `B8` logger is picked.
    log_id: u8,
    ticked: BTreeSet<RegisterId>,
    typed: String,
    last: u16,
}

impl Default for HistoryPanel {
    fn default() -> Self {
        Self {
            source: Logger::Period(PeriodLogger::Month),
            log_id: 1,
            ticked: BTreeSet::new(),
            typed: "1, 1023".into(),
            last: 12,
        }
    }
}

impl Panel for HistoryPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.heading("History");
        ui.label(
            "The loggers the meter keeps itself (yearly, monthly, daily, hourly values), read by \
             record ID, newest first.",
        );
        ui.add_space(6.0);
        let reading = app.reading_history();
        let can_ask = app.link.is_connected() && !reading;
        ui.horizontal(|ui| {
            ui.label("Logger");
            for logger in PeriodLogger::ALL {
                ui.radio_value(&mut self.source, Logger::Period(logger), logger.name());
            }
            let interval = matches!(self.source, Logger::Interval(_));
            if ui.radio(interval, "interval log").clicked() {
                self.source = Logger::Interval(self.log_id);
            }
            if let Logger::Period(logger) = self.source
                && ui
                    .add_enabled(can_ask, egui::Button::new("List its registers"))
                    .on_disabled_hover_text("Connect first; a logger read under way ends first")
                    .clicked()
            {
                actions.push(Action::ReadHistory(HistoryOptions {
                    logger: Logger::Period(logger),
                    registers: None,
                    span: HistorySpan::Last(1),
                    wait: WAIT,
                }));
            }
        });
        if let Logger::Interval(_) = self.source {
            self.interval_form(ui, can_ask, &mut actions);
        }
        if let Some(progress) = app.workspace.history_progress().filter(|_| reading) {
            ui.horizontal(|ui| {
                ui.spinner();
                let fraction = progress.records as f32 / progress.of.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(340.0)
                        .text(format!(
                            "{} of {} records; {} of {}",
                            progress.records, progress.of, progress.requests, progress.cost
                        )),
                );
                if ui.button("Cancel").clicked() {
                    actions.push(Action::CancelHistory);
                }
            });
        } else if reading {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("asking the meter for its logger (the eye may take seconds to wake)");
                if ui.button("Cancel").clicked() {
                    actions.push(Action::CancelHistory);
                }
            });
        }
        let report = app
            .workspace
            .history()
            .filter(|report| report.logger == self.source);
        let history = app.workspace.logger_history(self.source);
        if report.is_none() && history.is_none() {
            ui.label(RichText::new("Nothing read of this logger yet.").weak());
            return actions;
        }
        if let (Logger::Period(_), Some(report)) = (self.source, report) {
            self.holds(ui, app, report, can_ask, &mut actions);
        }
        if let Some(resume) = app
            .workspace
            .history_resume()
            .filter(|resume| resume.logger == self.source)
        {
            resume_line(ui, resume, can_ask, &mut actions);
        }
        if let Some(history) = history {
            ui.separator();
            records(ui, app, history, report, &mut actions);
        }
        actions
    }
}

/// The read that completes one cut short, offered like the scan's.
fn resume_line(ui: &mut Ui, resume: &HistoryOptions, can_ask: bool, actions: &mut Vec<Action>) {
    let span = match resume.span {
        HistorySpan::Ids { from, to } => format!("records {from} to {to}"),
        HistorySpan::Last(n) => format!("the newest {n} records"),
    };
    ui.horizontal(|ui| {
        style::status_line(
            ui,
            WARN,
            &format!("The last read was cut short before {span}"),
        );
        if ui
            .add_enabled(can_ask, egui::Button::new("Resume"))
            .on_hover_text("Reads the records it had left, with the same registers")
            .on_disabled_hover_text("Connect first; a logger read under way ends first")
            .clicked()
        {
            actions.push(Action::ReadHistory(resume.clone()));
        }
    });
}

impl HistoryPanel {
    /// The interval log of the `A` commands: its ID and the registers, typed, since only the
    /// disputed `A0` would tell what it holds.
    fn interval_form(&mut self, ui: &mut Ui, can_ask: bool, actions: &mut Vec<Action>) {
        ui.label(
            RichText::new(
                "The interval log of MULTICAL 601/801 logger modules (address 0x7F) and of \
                 electricity meters (log 6 is the load profile). It cannot be listed: name the \
                 registers.",
            )
            .weak(),
        );
        let parsed: Result<Vec<RegisterId>, _> = self
            .typed
            .split([',', ' '])
            .filter(|part| !part.trim().is_empty())
            .map(|part| part.trim().parse::<RegisterId>())
            .collect();
        ui.horizontal(|ui| {
            let label = ui.label("Log ID");
            if ui
                .add(egui::DragValue::new(&mut self.log_id).range(1..=255))
                .labelled_by(label.id)
                .changed()
            {
                self.source = Logger::Interval(self.log_id);
            }
            let label = ui.label("Registers");
            ui.add(egui::TextEdit::singleline(&mut self.typed).desired_width(160.0))
                .labelled_by(label.id);
            let label = ui.label("Records");
            ui.add(egui::DragValue::new(&mut self.last).range(1..=4000))
                .labelled_by(label.id);
            let registers = parsed.as_ref().ok().filter(|ids| !ids.is_empty());
            if ui
                .add_enabled(
                    can_ask && registers.is_some(),
                    egui::Button::new("Read the interval log"),
                )
                .on_disabled_hover_text("Connect first, and name registers such as 1, 1023")
                .clicked()
                && let Some(registers) = registers
            {
                actions.push(Action::ReadHistory(HistoryOptions {
                    logger: Logger::Interval(self.log_id),
                    registers: Some(registers.clone()),
                    span: HistorySpan::Last(self.last.max(1)),
                    wait: WAIT,
                }));
            }
        });
        if let Err(error) = parsed {
            style::note(ui, BAD, &error.to_string());
        }
    }

    /// What the logger holds, with a tick box each, and the read button.
    fn holds(
        &mut self,
        ui: &mut Ui,
        app: &AppView<'_>,
        report: &HistoryReport,
        can_ask: bool,
        actions: &mut Vec<Action>,
    ) {
        let depth = report.depth.unwrap_or(0);
        if depth == 0 {
            style::status_line(
                ui,
                BAD,
                &format!("The {} logger keeps no entries", report.logger),
            );
            return;
        }
        style::status_line(
            ui,
            GOOD,
            &format!(
                "The {} logger keeps {depth} entries of {} registers",
                report.logger,
                report.holds.len()
            ),
        );
        let map = app.workspace.map();
        ui.horizontal_wrapped(|ui| {
            for id in report.holds.iter().filter(|id| !is_stamp(**id)) {
                let mut on = self.ticked.contains(id);
                let label = format!("{} ({id})", map.name(*id));
                if ui.checkbox(&mut on, label).changed() {
                    if on {
                        self.ticked.insert(*id);
                    } else {
                        self.ticked.remove(id);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Records");
            ui.add(egui::DragValue::new(&mut self.last).range(1..=depth))
                .labelled_by(label.id);
            let chosen: Vec<RegisterId> = report
                .holds
                .iter()
                .copied()
                .filter(|id| self.ticked.contains(id))
                .collect();
            if ui
                .add_enabled(
                    can_ask && !chosen.is_empty(),
                    egui::Button::new("Read history"),
                )
                .on_disabled_hover_text("Tick the registers to read")
                .clicked()
            {
                actions.push(Action::ReadHistory(HistoryOptions {
                    logger: report.logger,
                    registers: Some(chosen),
                    span: HistorySpan::Last(self.last.clamp(1, depth)),
                    wait: WAIT,
                }));
            }
        });
    }
}

/// The records read of the log: the export, the plots and the table.
fn records(
    ui: &mut Ui,
    app: &AppView<'_>,
    history: &LoggerHistory,
    report: Option<&HistoryReport>,
    actions: &mut Vec<Action>,
) {
    let map = app.workspace.map();
    let records = history.records();
    ui.horizontal(|ui| {
        let mut about = format!("{} records, newest {}", records.len(), records[0].id);
        if let Some(report) = report {
            if let Some(newest) = report.newest_id {
                about.push_str(&format!(" of the meter's {newest}"));
            }
            if !report.flags.is_empty() {
                about.push_str(&format!(" (the meter said: {})", report.flags.join(", ")));
            }
        }
        ui.label(about);
        let dialect = app.settings.dialect;
        if ui
            .button(format!("Export CSV ({})…", dialect_name(dialect)))
            .clicked()
        {
            actions.push(Action::ChooseFile(FileJob::ExportHistory(
                dialect,
                history.logger(),
            )));
        }
    });
    let columns: Vec<(RegisterId, String)> = history_columns(records, |id| map.name(id))
        .into_iter()
        .map(|(id, column)| {
            let title = if column.unit.is_empty() {
                column.name
            } else {
                format!("{} [{}]", column.name, column.unit)
            };
            (id, title)
        })
        .collect();
    history_plots(ui, records, &columns);
    egui::ScrollArea::vertical()
        .id_salt("history-records")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("history-table")
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Record").strong());
                    ui.label(RichText::new("Meter time").strong());
                    for (_, title) in &columns {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for record in records {
                        ui.label(record.id.to_string());
                        ui.label(meter_time(&record.registers).unwrap_or_else(|| "-".into()));
                        for (id, _) in &columns {
                            let value = record
                                .registers
                                .iter()
                                .find(|register| register.id() == *id)
                                .and_then(|register| register.value_text())
                                .unwrap_or_else(|| "-".into());
                            ui.label(RichText::new(value).monospace());
                        }
                        ui.end_row();
                    }
                });
        });
}
