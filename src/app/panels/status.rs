//! The status bar: connection state, line settings (and a text protocol's own), requests sent,
//! and the last error with its fix.

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::link_view::{ConnectionState, LinkView};
use crate::app::style::{BAD, GOOD, WARN};

use super::{AppView, Panel};

/// The status bar; it keeps no state of its own and asks for nothing.
#[derive(Debug, Default)]
pub struct StatusBar;

impl Panel for StatusBar {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        status_ui(ui, app.link);
        Vec::new()
    }
}

fn status_ui(ui: &mut Ui, view: &LinkView) {
    ui.horizontal_wrapped(|ui| {
        let colour = match view.connection() {
            ConnectionState::Connected { .. } => GOOD,
            ConnectionState::Lost { .. } => BAD,
            ConnectionState::Disconnected | ConnectionState::Connecting { .. } => WARN,
        };
        crate::app::style::lamp(ui, colour, 5.0);
        match view.connection() {
            ConnectionState::Disconnected => {
                ui.label(RichText::new("Not connected").color(WARN));
            }
            ConnectionState::Connecting { port } => {
                ui.label(RichText::new(format!("Connecting to {port}…")).color(WARN));
            }
            ConnectionState::Connected { port, line } => {
                ui.label(RichText::new(format!("Connected to {port}")).color(GOOD));
                ui.separator();
                ui.label(line.to_string());
                // A text protocol is read at its own settings, switched to for each exchange.
                if let Some(spoken) = view.spoken().filter(|spoken| spoken.is_text()) {
                    ui.separator();
                    ui.label(format!("{} at {}", spoken.protocol.label(), spoken.line));
                }
            }
            ConnectionState::Lost { port } => {
                ui.label(RichText::new(format!("Lost {port}, reconnecting…")).color(BAD));
            }
        }
        ui.separator();
        ui.label(format!("Requests: {}", view.requests()));
        if let Some(error) = view.error() {
            ui.separator();
            ui.label(RichText::new(&error.message).color(BAD))
                .on_hover_text(&error.advice);
            ui.label(RichText::new(&error.advice).italics());
        }
    });
}
