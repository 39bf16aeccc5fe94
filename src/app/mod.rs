//! The desktop app: the only module that names egui, eframe or egui_plot.
//!
//! Panels draw and return [`Action`]s; [`MeterApp`] carries them out after drawing, turning them
//! into link commands. Link events are drained in [`eframe::App::logic`], which also runs while
//! the window is hidden, so nothing waits for the window to be shown. The app never touches a
//! port: the link's thread does.

mod action;
mod connection;
mod link_check;
mod link_view;
mod nav;
mod registers;
mod scan_view;
mod screen;
mod screenshot;
mod settings;
mod status;
mod style;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::link::port::{Opener, SIM_PREFIX, SimSettings, SystemOpener};
use crate::link::{Command, Event, LinkHandle, MonitorOptions, ProbeOptions, ScanOptions};
use crate::sim::Profile;

pub use action::Action;
pub use link_view::{ConnectionState, LinkView};
pub use screen::{Screen, UnknownScreen};
pub use settings::Settings;

use connection::ConnectionPanel;
use registers::RegistersPanel;
use scan_view::ScanView;
use screenshot::ScreenshotPlan;

/// The wake-up delay the countdown assumes when the meter is unknown: the MULTICAL 21 and flowIQ
/// eyes answer about 4 s after the magnet; other meters answer sooner.
const DEFAULT_WAKE_DELAY: Duration = Duration::from_secs(4);

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct GuiOptions {
    /// Connect at once to this simulated meter.
    pub simulate: Option<Profile>,
    /// Open on this screen.
    pub screen: Option<Screen>,
    /// Save the window to this PNG file after `screenshot_after`, then quit.
    pub screenshot: Option<PathBuf>,
    /// When to take the screenshot.
    pub screenshot_after: Duration,
}

/// Opens the app's window and runs it until it is closed.
pub fn run(options: GuiOptions) -> Result<(), String> {
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
    eframe::run_native(
        "kmp-workbench",
        native,
        Box::new(move |cc| Ok(Box::new(MeterApp::new(cc, Box::new(opener), &options)?))),
    )
    .map_err(|error| error.to_string())
}

/// The window icon, from `assets/icon.png`.
fn icon() -> Option<egui::IconData> {
    let decoder = png::Decoder::new(std::io::Cursor::new(include_bytes!(
        "../../assets/icon.png"
    )));
    let mut reader = decoder.read_info().ok()?;
    let mut rgba = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut rgba).ok()?;
    (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
        rgba,
        width: info.width,
        height: info.height,
    })
}

/// The app.
pub struct MeterApp {
    settings: Settings,
    link: LinkHandle,
    view: LinkView,
    connection: ConnectionPanel,
    registers: RegistersPanel,
    scans: ScanView,
    screenshot: Option<ScreenshotPlan>,
}

impl MeterApp {
    /// The app with its link thread, the settings of the last run, and `options` applied.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        opener: Box<dyn Opener>,
        options: &GuiOptions,
    ) -> std::io::Result<Self> {
        let settings: Settings = cc
            .storage
            .and_then(|storage| eframe::get_value(storage, settings::APP_KEY))
            .unwrap_or_default();
        style::apply(&cc.egui_ctx);
        let repaint = cc.egui_ctx.clone();
        let link = LinkHandle::spawn(opener, Box::new(move || repaint.request_repaint()))?;
        let mut app = Self {
            settings,
            link,
            view: LinkView::default(),
            connection: ConnectionPanel::default(),
            registers: RegistersPanel::default(),
            scans: ScanView::default(),
            screenshot: options
                .screenshot
                .clone()
                .map(|path| ScreenshotPlan::new(path, options.screenshot_after)),
        };
        if let Some(profile) = options.simulate {
            app.settings.port = format!("{SIM_PREFIX}{}", profile.name());
            app.settings.screen = Screen::LinkCheck;
            app.act(Action::Connect);
        }
        if let Some(screen) = options.screen {
            app.settings.screen = screen;
        }
        Ok(app)
    }

    /// What the app knows of the link.
    pub fn view(&self) -> &LinkView {
        &self.view
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The simulated meter the port names, if it names one.
    fn sim_profile(&self) -> Option<Profile> {
        self.settings
            .port
            .strip_prefix(SIM_PREFIX)
            .and_then(|name| name.parse::<Profile>().ok())
    }

    /// What the app knows of register scans.
    pub fn scans(&self) -> &ScanView {
        &self.scans
    }

    /// How long after the magnet the eye should answer, for the countdown.
    fn wake_delay(&self) -> Duration {
        self.sim_profile()
            .map_or(DEFAULT_WAKE_DELAY, Profile::default_magnet_delay)
    }

    fn start_check(&mut self) {
        self.view.checking = true;
        self.link.send(Command::Monitor(MonitorOptions {
            interval: self.settings.check_interval(),
        }));
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Connect => {
                self.view.connection = ConnectionState::Connecting {
                    port: self.settings.port.clone(),
                };
                self.view.error = None;
                self.link.send(Command::Open(self.settings.link_config()));
            }
            Action::Disconnect => {
                self.view.checking = false;
                self.link.send(Command::Close);
            }
            Action::RefreshPorts => self.connection.refresh(),
            Action::StartCheck => self.start_check(),
            Action::StopCheck => {
                self.view.checking = false;
                self.link.send(Command::Cancel);
            }
            Action::Sweep => {
                self.view.sweeping = true;
                self.link.send(Command::Probe(ProbeOptions {
                    wait: Duration::from_secs(2),
                    sweep: true,
                }));
            }
            Action::StartScan { from, to } => {
                self.scans.started();
                self.link.send(Command::Scan(ScanOptions {
                    from,
                    to,
                    wait: Duration::from_secs(120),
                }));
            }
            Action::CancelScan => self.link.send(Command::Cancel),
            Action::MagnetPlaced => self.view.magnet_placed(Instant::now()),
            Action::Show(screen) => self.settings.screen = screen,
        }
    }

    fn handle(&mut self, event: &Event) {
        self.view.handle(event, Instant::now());
        self.scans.handle(event);
        match event {
            // The link check starts by itself once a port is open: it is what a technician
            // wants to see first, and it costs one request per round.
            Event::Opened { .. } => self.start_check(),
            // A sweep or a scan interrupts the link check; it goes on afterwards.
            Event::Probed(_) | Event::Scanned(_) if self.view.checking => self.start_check(),
            _ => {}
        }
    }
}

impl eframe::App for MeterApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(event) = self.link.try_event() {
            self.handle(&event);
        }
        if self.view.magnet_placed.is_some() {
            // The wake-up countdown moves even when no event arrives.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if let Some(plan) = &mut self.screenshot
            && let Some(problem) = plan.poll(ctx)
        {
            self.view.error = Some(link_view::ShownError {
                message: problem,
                advice: "check the path".into(),
            });
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        egui::Panel::bottom("status").show(ui, |ui| status::ui(ui, &self.view));
        egui::Panel::left("navigation")
            .resizable(false)
            .default_size(150.0)
            .show(ui, |ui| {
                actions.extend(nav::ui(ui, self.settings.screen));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                let action = match self.settings.screen {
                    Screen::Connection => self.connection.ui(ui, &mut self.settings, &self.view),
                    Screen::LinkCheck => link_check::ui(
                        ui,
                        &self.view,
                        self.wake_delay(),
                        self.settings.check_interval(),
                        Instant::now(),
                    ),
                    Screen::Registers => {
                        let family = self.sim_profile().map(Profile::family);
                        let line = self.settings.line;
                        self.registers
                            .ui(ui, &self.scans, self.view.is_connected(), &line, family)
                    }
                    Screen::Live | Screen::Traffic | Screen::Session => {
                        ui.label("This screen is not available yet.");
                        None
                    }
                };
                actions.extend(action);
            });
        });
        for action in actions {
            self.act(action);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, settings::APP_KEY, &self.settings);
    }
}

#[cfg(test)]
mod tests;
