//! The navigation on the left: one entry per screen.

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::screen::Screen;

use super::{AppView, Panel};

/// The navigation; it keeps no state of its own.
#[derive(Debug, Default)]
pub struct NavPanel;

impl Panel for NavPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        nav_ui(ui, app.settings.screen).into_iter().collect()
    }
}

fn nav_ui(ui: &mut Ui, current: Screen) -> Option<Action> {
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
