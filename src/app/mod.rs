//! The desktop app: the only module that names egui, eframe or egui_plot.
//!
//! Panels draw and return [`Action`]s; [`MeterApp`] carries them out after drawing, turning them
//! into link commands. Link events are drained in [`eframe::App::logic`], which also runs while
//! the window is hidden, so nothing waits for the window to be shown. The app never touches a
//! port: the link's thread does.

mod action;
mod connection;
mod file_jobs;
mod files;
mod link_check;
mod link_view;
mod live;
mod live_plot;
mod nav;
mod recording;
mod register_table;
mod registers;
mod scan_view;
mod screen;
mod screenshot;
mod session_view;
mod settings;
mod status;
mod style;
mod traffic;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::kmp::RegisterId;
use crate::link::port::{Opener, SIM_PREFIX, SimSettings, SystemOpener};
use crate::link::{
    Command, Event, LinkHandle, MonitorOptions, PollPlan, ProbeOptions, ReadReport, ScanOptions,
};
use crate::model::{Readings, RegisterMap};
use crate::session::Session;
use crate::sim::Profile;

pub use action::{Action, FileJob};
pub use files::{FilePicker, NativePicker};
pub use link_view::{ConnectionState, LinkView};
pub use live_plot::{LivePlots, PlotSpec};
pub use screen::{Screen, UnknownScreen};
pub use settings::Settings;

use connection::ConnectionPanel;
use files::PathPrompt;
use live::{LiveContext, LivePanel};
use registers::RegistersPanel;
use scan_view::ScanView;
use screenshot::ScreenshotPlan;
use traffic::TrafficPanel;

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
    /// Where sessions are autosaved; without it, nothing is recorded until a session is opened.
    pub sessions_dir: Option<PathBuf>,
}

/// Where sessions are autosaved: `sessions` in the app's data folder (on Linux
/// `~/.local/share/kmp-workbench/sessions`).
pub fn default_sessions_dir() -> Option<PathBuf> {
    eframe::storage_dir("kmp-workbench").map(|dir| dir.join("sessions"))
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

/// A message about the last thing done with a file, or a read.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Notice {
    /// What happened.
    text: String,
    /// Whether it went well.
    good: bool,
}

/// The app.
pub struct MeterApp {
    settings: Settings,
    link: LinkHandle,
    view: LinkView,
    connection: ConnectionPanel,
    registers: RegistersPanel,
    scans: ScanView,
    map: RegisterMap,
    readings: Readings,
    live: LivePanel,
    /// The registers being polled for the live plots.
    polling: Option<Vec<RegisterId>>,
    /// Whether a "read again" is under way.
    rereading: bool,
    picker: Box<dyn FilePicker>,
    prompt: Option<PathPrompt>,
    notice: Option<Notice>,
    /// The session being recorded.
    session: Option<Session>,
    /// Where new sessions go.
    sessions_dir: Option<PathBuf>,
    traffic: TrafficPanel,
    /// Whether the register map changed since it was last written into the session.
    map_dirty: bool,
    map_saved_at: Option<Instant>,
    recording_error_shown: bool,
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
            map: RegisterMap::default(),
            readings: Readings::default(),
            live: LivePanel::default(),
            polling: None,
            rereading: false,
            picker: Box::new(NativePicker),
            prompt: None,
            notice: None,
            session: None,
            sessions_dir: options.sessions_dir.clone(),
            traffic: TrafficPanel::default(),
            map_dirty: false,
            map_saved_at: None,
            recording_error_shown: false,
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

    /// Uses `picker` to ask for files instead of the native dialog.
    pub fn with_picker(mut self, picker: Box<dyn FilePicker>) -> Self {
        self.picker = picker;
        self
    }

    /// The register map: registers found, names, family.
    pub fn map(&self) -> &RegisterMap {
        &self.map
    }

    /// The readings polled so far.
    pub fn readings(&self) -> &Readings {
        &self.readings
    }

    /// The registers being polled, if polling.
    pub fn polling(&self) -> Option<&[RegisterId]> {
        self.polling.as_deref()
    }

    /// The folder of the session being recorded.
    pub fn session_dir(&self) -> Option<&Path> {
        self.session.as_ref().map(Session::dir)
    }

    /// Whether the live plots follow the newest reading.
    pub fn following(&self) -> bool {
        self.live.plots.following()
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
            Action::StartCheck => {
                // Any job of the link interrupts the one under way, polling included.
                self.polling = None;
                self.start_check();
            }
            Action::StopCheck => {
                self.view.checking = false;
                self.link.send(Command::Cancel);
            }
            Action::Sweep => {
                self.polling = None;
                self.view.sweeping = true;
                self.link.send(Command::Probe(ProbeOptions {
                    wait: Duration::from_secs(2),
                    sweep: true,
                }));
            }
            Action::StartScan { from, to } => {
                self.polling = None;
                self.scans.started();
                self.link.send(Command::Scan(ScanOptions {
                    from,
                    to,
                    wait: Duration::from_secs(120),
                }));
            }
            Action::CancelScan => self.link.send(Command::Cancel),
            Action::MagnetPlaced => self.view.magnet_placed(Instant::now()),
            Action::ReadAgain(ids) => {
                // A read interrupts polling and the link check, like any job of the link.
                self.polling = None;
                self.rereading = true;
                self.link.send(Command::Read {
                    ids,
                    wait: Duration::from_secs(10),
                });
            }
            Action::Rename { id, name } => {
                self.map.set_name(id, &name);
                self.map_dirty = true;
            }
            Action::SetFamily(family) => {
                self.map.family = family;
                self.map_dirty = true;
            }
            Action::ChooseFile(job) => match self.picker.pick(job) {
                Some(path) => self.act(Action::UseFile {
                    job,
                    path,
                    replace: true,
                }),
                None => self.prompt = Some(PathPrompt::new(job)),
            },
            Action::UseFile { job, path, replace } => {
                let outcome = self.use_file(job, &path, replace);
                if outcome.is_ok() {
                    self.prompt = None;
                }
                self.notice = Some(match outcome {
                    Ok(text) => Notice { text, good: true },
                    Err(text) => Notice { text, good: false },
                });
            }
            Action::DismissPrompt => self.prompt = None,
            Action::DismissNotice => self.notice = None,
            Action::NewSession => self.new_session(),
            Action::StartPolling { ids, interval } => {
                self.view.checking = false;
                self.polling = Some(ids.clone());
                if let Some(session) = &mut self.session {
                    let polled = ids.clone();
                    let result = session.update_manifest(|manifest| {
                        manifest.polled = polled;
                        manifest.interval_s = Some(interval.as_secs_f64());
                    });
                    if let Err(error) = result {
                        self.notice = Some(Notice {
                            text: format!("Recording the session failed: {error}"),
                            good: false,
                        });
                    }
                }
                self.link.send(Command::Poll(PollPlan { ids, interval }));
            }
            Action::StopPolling => {
                self.polling = None;
                self.link.send(Command::Cancel);
            }
            Action::Show(screen) => self.settings.screen = screen,
        }
    }

    /// A read's result: for "read again", fresh values and a word on the registers that did
    /// not come; for polling, the next readings.
    fn read_done(&mut self, report: &ReadReport) {
        if self.rereading && !report.interrupted {
            self.rereading = false;
            self.map.insert(report.registers.iter().cloned());
            self.map_dirty = true;
            let mut text = format!("Read {} registers again", report.registers.len());
            if !report.missing.is_empty() {
                let ids: Vec<String> = report.missing.iter().map(ToString::to_string).collect();
                text.push_str(&format!("; the meter left out {}", ids.join(", ")));
            }
            let good = report.failure.is_none();
            if let Some(failure) = &report.failure {
                text.push_str(&format!("; no valid answer for the rest: {failure}"));
            }
            self.notice = Some(Notice { text, good });
        } else if self.polling.is_some() && !report.interrupted {
            if report.registers.is_empty() {
                self.readings.record_silent_poll();
            } else {
                self.readings.record(report.at, &report.registers);
            }
            self.record_poll(report.at, &report.registers);
        }
    }

    fn handle(&mut self, event: &Event) {
        self.view.handle(event, Instant::now());
        self.scans.handle(event, &mut self.map);
        match event {
            // After a lost port comes back, the link goes on polling by itself.
            Event::Opened { .. } if self.polling.is_some() => {}
            // The link check starts by itself once a port is open: it is what a technician
            // wants to see first, and it costs one request per round.
            Event::Opened { .. } => {
                if self.map.family.is_none() {
                    self.map.family = self.sim_profile().map(Profile::family);
                }
                self.begin_session();
                self.start_check();
            }
            Event::Traffic(record) => self.record_traffic(record),
            Event::ScanFound(_) | Event::Scanned(_) => {
                self.map_dirty = true;
                if matches!(event, Event::Scanned(_)) && self.view.checking {
                    self.start_check();
                }
            }
            Event::Read(report) => {
                let was_rereading = self.rereading;
                self.read_done(report);
                if was_rereading && !self.rereading && self.view.checking {
                    self.start_check();
                }
            }
            Event::Closed => self.polling = None,
            // A sweep or a scan interrupts the link check; it goes on afterwards.
            Event::Probed(_) if self.view.checking => self.start_check(),
            _ => {}
        }
    }
}

impl eframe::App for MeterApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Some(event) = self.link.try_event() {
            self.handle(&event);
        }
        self.save_map_if_changed();
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
        let mut actions = shortcuts(ui.ctx(), self.settings.dialect);
        egui::Panel::bottom("status").show(ui, |ui| status::ui(ui, &self.view));
        egui::Panel::left("navigation")
            .resizable(false)
            .default_size(150.0)
            .show(ui, |ui| {
                actions.extend(nav::ui(ui, self.settings.screen));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(prompt) = &mut self.prompt {
                actions.extend(prompt.ui(ui));
            }
            if let Some(notice) = &self.notice {
                let colour = if notice.good { style::GOOD } else { style::BAD };
                ui.horizontal_top(|ui| {
                    if ui.small_button("Dismiss").clicked() {
                        actions.push(Action::DismissNotice);
                    }
                    style::note(ui, colour, &notice.text);
                });
            }
            if self.settings.screen == Screen::Live {
                // The plots take the scroll wheel, so this screen does not scroll.
                let context = LiveContext {
                    readings: &self.readings,
                    map: &self.map,
                    view: &self.view,
                    polling: self.polling.as_deref(),
                };
                actions.extend(self.live.ui(ui, &context));
                return;
            }
            if self.settings.screen == Screen::Traffic {
                // The traffic list scrolls by itself, reading only the lines on screen.
                actions.extend(self.traffic.ui(ui, self.session.as_mut()));
                return;
            }
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
                        let line = self.settings.line;
                        self.registers.ui(
                            ui,
                            &self.scans,
                            self.view.is_connected(),
                            &line,
                            &self.map,
                        )
                    }
                    Screen::Session => session_view::ui(
                        ui,
                        session_view::SessionContext {
                            session: self.session.as_mut(),
                            readings: &self.readings,
                            recent: &self.settings.recent_sessions,
                            dialect: &mut self.settings.dialect,
                        },
                    ),
                    // Drawn above, outside the scroll area.
                    Screen::Live | Screen::Traffic => None,
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

/// Ctrl+S saves the session as, Ctrl+O opens one, Ctrl+E exports the readings to CSV.
fn shortcuts(ctx: &egui::Context, dialect: crate::export::Dialect) -> Vec<Action> {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let jobs = [
        (Key::S, FileJob::SaveSession),
        (Key::O, FileJob::OpenSession),
        (Key::E, FileJob::ExportReadings(dialect)),
    ];
    jobs.into_iter()
        .filter(|(key, _)| {
            ctx.input_mut(|input| {
                input.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, *key))
            })
        })
        .map(|(_, job)| Action::ChooseFile(job))
        .collect()
}

#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;
