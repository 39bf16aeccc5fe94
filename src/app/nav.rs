//! The navigation on the left: one entry per screen.

use egui::{RichText, Ui};

use super::action::Action;
use super::screen::Screen;

/// Draws the navigation; returns the screen picked.
pub fn ui(ui: &mut Ui, current: Screen) -> Option<Action> {
    let mut action = None;
    ui.add_space(6.0);
    ui.label(RichText::new("kmp-workbench").strong().size(16.0));
    ui.add_space(8.0);
    for screen in Screen::ALL {
        let text = RichText::new(screen.title()).size(15.0);
        if ui
            .add(egui::Button::selectable(current == screen, text))
            .clicked()
        {
            action = Some(Action::Show(screen));
        }
    }
    action
}
