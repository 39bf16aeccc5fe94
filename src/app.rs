//! The desktop app: the only module that names egui, eframe or egui_plot, and within it only
//! the shell and the panels do.
//!
//! - [`Controller`] (`controller.rs`, its handlers in `controller/`, one file a concern): no
//!   egui; turns the panels' actions and the link's events into link commands and changes of
//!   state, and tells the session recorder what to write.
//! - `workspace.rs`: the register map, the readings and the session being recorded.
//! - `link_view.rs`, `scan_view.rs`: what the app knows of the link and of scans, from events.
//! - [`MeterApp`] (`shell.rs`): the thin `eframe::App` that draws the panels (`panels/`, one file
//!   a screen) and hands their [`Action`]s to the controller after drawing.
//!
//! The app never touches a port: the link's thread does; and it never writes a journal: the
//! recorder's thread does.

mod action;
mod controller;
mod file_jobs;
mod files;
mod handover_view;
mod link_view;
mod measure;
mod panels;
mod scan_view;
mod screen;
mod screenshot;
mod settings;
mod shell;
mod style;
mod workspace;

use std::path::PathBuf;
use std::time::Duration;

use crate::link::port::{SimSettings, SystemOpener};
use crate::sim::Profile;

pub use action::{Action, FileJob, TrafficFilter};
pub use controller::{Controller, Notice, Parts};
pub use files::{FilePicker, NativePicker, PickAnswer, Picked, Wake};
pub use link_view::{ConnectionState, LinkView};
pub use panels::{LivePlots, PlotSpec, styled_plot};
pub use scan_view::ScanView;
pub use screen::{Screen, UnknownScreen};
pub use settings::{Connection, Settings};
pub use shell::MeterApp;
pub use workspace::{RecordedSession, Workspace};

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct GuiOptions {
    /// Connect at once to this simulated meter.
    pub simulate: Option<Profile>,
    /// Connect at once to this port.
    pub port: Option<String>,
    /// Open on this screen.
    pub screen: Option<Screen>,
    /// Save the window to this PNG file after `screenshot_after`, then quit.
    pub screenshot: Option<PathBuf>,
    /// When to take the screenshot.
    pub screenshot_after: Duration,
    /// Where sessions are autosaved; without it, nothing is recorded until a session is opened.
    pub sessions_dir: Option<PathBuf>,
    /// Count the frames drawn over this long (after a few seconds to settle), then quit.
    pub measure: Option<Duration>,
    /// Open this recording at once, on the Traffic screen.
    pub capture: Option<PathBuf>,
}

/// Where sessions are autosaved: `sessions` in the app's data folder (on Linux
/// `~/.local/share/kmp-workbench/sessions`).
pub fn default_sessions_dir() -> Option<PathBuf> {
    eframe::storage_dir("kmp-workbench").map(|dir| dir.join("sessions"))
}

/// Opens the app's window and runs it until it is closed; with [`GuiOptions::measure`], gives
/// the frames it drew a second.
pub fn run(options: GuiOptions) -> Result<Option<f64>, String> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("kmp-workbench")
        .with_app_id("kmp-workbench")
        .with_inner_size([1120.0, 780.0])
        .with_min_inner_size([760.0, 520.0]);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let opener = SystemOpener {
        sim: SimSettings {
            echo: true,
            realtime: true,
        },
    };
    let (report, measured) = std::sync::mpsc::channel();
    eframe::run_native(
        "kmp-workbench",
        native,
        Box::new(move |cc| {
            let app = MeterApp::new(cc, Box::new(opener), &options)?;
            Ok(Box::new(match options.measure {
                Some(window) => app.measuring(window, report),
                None => app,
            }))
        }),
    )
    .map_err(|error| error.to_string())?;
    Ok(measured.try_recv().ok())
}

/// The window icon, from `assets/icon.png`.
fn icon() -> Option<egui::IconData> {
    let decoder = png::Decoder::new(std::io::Cursor::new(include_bytes!("../assets/icon.png")));
    let mut reader = decoder.read_info().ok()?;
    let mut rgba = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut rgba).ok()?;
    (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
        rgba,
        width: info.width,
        height: info.height,
    })
}

#[cfg(test)]
mod capture_tests;
#[cfg(test)]
mod handover_tests;
#[cfg(test)]
mod publishing_tests;
#[cfg(test)]
mod registers_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;
