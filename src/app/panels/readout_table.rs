//! The Registers screen of a meter that speaks a text protocol: it is not scanned (its readout
//! lists everything it has), so the screen offers to read the readout and shows it as a table,
//! each value exactly as sent. With no meter connected, the readout of a recording opened on the
//! Traffic screen is shown the same way.

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::style;
use crate::model::RegisterMap;

use super::AppView;

/// The readout part of the Registers screen; returns what the user asked for.
pub fn readout_section(ui: &mut Ui, app: &AppView<'_>) -> Option<Action> {
    let mut action = None;
    let recording = (!app.link.is_connected())
        .then(|| app.workspace.capture().zip(app.workspace.capture_readout()))
        .flatten();
    let (protocol, push) = match (recording, app.link.spoken()) {
        (Some((_, readout)), _) => (readout.protocol, readout.push),
        (None, Some(spoken)) => (Some(spoken.protocol), spoken.push),
        (None, None) => (None, false),
    };
    let whose = if recording.is_some() {
        "The recorded meter"
    } else {
        "This meter"
    };
    // A pushing meter's telegram lists all it has, as a readout does.
    let what = if push {
        "each telegram it pushes"
    } else {
        "its data readout"
    };
    let protocol = protocol.map(|p| p.to_string()).unwrap_or_default();
    ui.label(format!(
        "{whose} speaks {protocol}: it is not scanned, {what} lists everything it has."
    ));
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let reading = app.reading_readout();
        if ui
            .add_enabled(
                app.link.is_connected() && !reading,
                egui::Button::new("Read the readout"),
            )
            .on_disabled_hover_text("Connect first; a readout under way ends first")
            .clicked()
        {
            action = Some(Action::ReadReadout);
        }
        if reading {
            ui.spinner();
            ui.label("reading: at 300 baud a readout takes seconds");
        }
    });
    let Some(readout) = recording
        .map(|(_, readout)| readout)
        .or(app.workspace.readout())
    else {
        ui.label(RichText::new("No readout yet.").weak());
        return action;
    };
    let mut about = Vec::new();
    if let Some(ident) = &readout.identification {
        about.push(format!("identification /{ident}"));
    }
    if let Some(line) = readout.line {
        about.push(format!("at {line}"));
    }
    if let Some((capture, _)) = recording {
        about.push(format!(
            "{} values from the recording {}",
            readout.readings.len(),
            capture.name
        ));
    } else {
        about.push(format!(
            "{} values in {}",
            readout.readings.len(),
            crate::app::style::seconds(readout.took)
        ));
        about.push(format!(
            "read {}",
            readout
                .at
                .to_zoned(jiff::tz::TimeZone::system())
                .strftime("%H:%M:%S")
        ));
    }
    style::status_line(ui, style::GOOD, &about.join(", "));
    ui.add_space(4.0);
    table(ui, app.workspace.map(), readout);
    action
}

fn table(ui: &mut Ui, map: &RegisterMap, readout: &crate::link::ReadoutReport) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("readout")
                .num_columns(5)
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for title in ["Code", "Name", "Value", "Unit", "As sent"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for reading in &readout.readings {
                        ui.label(reading.key.to_string());
                        ui.label(map.key_name(reading.key));
                        let value = ui.label(RichText::new(reading.value()).monospace());
                        if reading.assumed_scale {
                            value.on_hover_text(
                                "The public sources disagree on this field's scale: the digits \
                                 are exact, the decimal point is an assumption",
                            );
                        }
                        ui.label(&reading.unit);
                        ui.label(RichText::new(&reading.raw).monospace().weak());
                        ui.end_row();
                    }
                });
        });
}
