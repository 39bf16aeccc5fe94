//! The panels: one file each, all drawn the same way. A panel gets a read-only [`AppView`] (and
//! keeps only its own widget state: typed text, sorting, the plots' view) and returns the
//! [`Action`]s the user asked for; it never sends a link command, writes a file or changes the
//! controller's state itself. The shell hands the actions to the controller after drawing, so
//! nothing changes halfway through a frame.

mod connection;
mod handover;
mod history;
mod history_plot;
mod link_check;
mod live;
mod live_plot;
mod nav;
mod prompt;
mod readout_table;
mod register_table;
mod registers;
mod session;
mod signal_plot;
mod status;
mod traffic;

use std::time::Duration;

use egui::Ui;

use crate::link::{Job, Now};
use crate::model::RegisterKey;

use super::action::{Action, FileJob};
use super::controller::{Controller, PublishView};
use super::link_view::LinkView;
use super::scan_view::ScanView;
use super::screen::Screen;
use super::settings::Settings;
use super::workspace::Workspace;

pub use connection::ConnectionPanel;
pub use handover::HandoverPanel;
pub use history::HistoryPanel;
pub use link_check::LinkCheckPanel;
pub use live::LivePanel;
pub use live_plot::{LivePlots, PlotSpec, styled_plot};
pub use nav::NavPanel;
pub use prompt::PromptPanel;
pub use registers::RegistersPanel;
pub use session::SessionPanel;
pub use status::StatusBar;
pub use traffic::TrafficPanel;

/// What every panel may read.
pub struct AppView<'a> {
    /// The settings.
    pub settings: &'a Settings,
    /// What the app knows of the link.
    pub link: &'a LinkView,
    /// What the app knows of scans.
    pub scans: &'a ScanView,
    /// The register map, readings and session.
    pub workspace: &'a Workspace,
    /// The job under way.
    pub job: Option<&'a Job>,
    /// The registers being polled, if polling.
    pub polling: Option<&'a [RegisterKey]>,
    /// Where polling publishes, while it does.
    pub publishing: Option<&'a PublishView>,
    /// The requests after which the link check paused itself, if it did and nothing ran since.
    pub check_paused: Option<u32>,
    /// The sessions in the autosave folder, newest first.
    pub stored: &'a [crate::session::StoredSession],
    /// How long after the magnet the eye should answer.
    pub wake_delay: Duration,
    /// The file job a typed path is asked for, when no file was picked.
    pub prompt: Option<FileJob>,
    /// This frame's moment, as the shell read it: panels never read the clock.
    pub now: Now,
}

impl<'a> AppView<'a> {
    /// What the panels may read of `controller` at `now`.
    pub fn of(controller: &'a Controller, now: Now) -> Self {
        Self {
            settings: controller.settings(),
            link: controller.link_view(),
            scans: controller.scans(),
            workspace: controller.workspace(),
            job: controller.job(),
            polling: controller.polling(),
            publishing: controller.publishing(),
            check_paused: controller.check_paused(),
            stored: controller.stored(),
            wake_delay: controller.wake_delay(),
            prompt: controller.prompt(),
            now,
        }
    }

    /// Whether a readout is being read on request.
    pub fn reading_readout(&self) -> bool {
        matches!(self.job, Some(Job::Readout(_)))
    }

    /// Whether a logger is being read.
    pub fn reading_history(&self) -> bool {
        matches!(self.job, Some(Job::History(_)))
    }

    /// Whether the link check runs.
    pub fn checking(&self) -> bool {
        matches!(self.job, Some(Job::Check(_)))
    }

    /// Whether the sweep runs.
    pub fn sweeping(&self) -> bool {
        matches!(self.job, Some(Job::Sweep))
    }

    /// Whether the address search runs.
    pub fn searching_addresses(&self) -> bool {
        matches!(self.job, Some(Job::Probe(_)))
    }

    /// Whether a scan runs.
    pub fn scanning(&self) -> bool {
        matches!(self.job, Some(Job::Scan(_)))
    }
}

/// A panel: see the module documentation.
pub trait Panel {
    /// Draws the panel; returns what the user asked for.
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action>;
}

/// The panels of the screens.
#[derive(Default)]
pub struct Panels {
    /// Connection.
    pub connection: ConnectionPanel,
    /// Link check.
    pub link_check: LinkCheckPanel,
    /// Registers.
    pub registers: RegistersPanel,
    /// Live.
    pub live: LivePanel,
    /// History.
    pub history: HistoryPanel,
    /// Traffic.
    pub traffic: TrafficPanel,
    /// Session.
    pub session: SessionPanel,
    /// Hand over.
    pub handover: HandoverPanel,
}

impl Panels {
    /// The panel of `screen`.
    pub fn of(&mut self, screen: Screen) -> &mut dyn Panel {
        match screen {
            Screen::Connection => &mut self.connection,
            Screen::LinkCheck => &mut self.link_check,
            Screen::Registers => &mut self.registers,
            Screen::Live => &mut self.live,
            Screen::History => &mut self.history,
            Screen::Traffic => &mut self.traffic,
            Screen::Session => &mut self.session,
            Screen::Handover => &mut self.handover,
        }
    }
}
