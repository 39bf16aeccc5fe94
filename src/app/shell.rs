//! The thin egui shell: [`MeterApp`] is the `eframe::App`. Each frame it hands the controller
//! what arrived (in `logic`, which also runs while the window is hidden, so nothing waits for
//! the window to be shown), draws the panels from a read-only [`AppView`], and gives the
//! controller the actions they return.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::link::port::Opener;
use crate::link::{LinkHandle, Now};
use crate::session::Recorder;

use super::action::{Action, FileJob};
use super::controller::{Controller, Parts};
use super::files::{FilePicker, NativePicker, Wake};
use super::measure::FrameCount;
use super::panels::{AppView, NavPanel, Panel, Panels, PromptPanel, StatusBar};
use super::screen::Screen;
use super::screenshot::ScreenshotPlan;
use super::settings::{self, Settings};
use super::{GuiOptions, style};

/// How soon the link's events are drawn at the soonest.
const SOON: Duration = Duration::from_millis(5);

/// The app; see the module documentation.
pub struct MeterApp {
    controller: Controller,
    panels: Panels,
    nav: NavPanel,
    status: StatusBar,
    prompt: PromptPanel,
    screenshot: Option<ScreenshotPlan>,
    frames: Option<FrameCount>,
    /// This frame's moment, read once in `logic` (which always comes just before `ui`); the
    /// controller and the panels are given it and never read the clock themselves.
    now: Now,
}

/// The clocks as they are now: the app's one reading of them per frame.
fn read_clock() -> Now {
    Now::new(Instant::now(), Timestamp::now())
}

impl MeterApp {
    /// The app with its link and recorder threads, the settings of the last run, and `options`
    /// applied.
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
        let ctx = cc.egui_ctx.clone();
        let wake: Wake = Arc::new(move || ctx.request_repaint());
        let for_recorder = Arc::clone(&wake);
        let recorder = Recorder::spawn(Box::new(move || for_recorder()))?;
        let ctx = cc.egui_ctx.clone();
        // egui answers an immediate repaint with two frames (in case the request raced the
        // frame being drawn); one a few milliseconds away is one frame.
        let repaint = Box::new(move |after: Duration| ctx.request_repaint_after(after.max(SOON)));
        let link = LinkHandle::spawn(opener, repaint, Some(recorder.tap()))?;
        let mut controller = Controller::new(Parts {
            settings,
            link,
            recorder,
            picker: Box::new(NativePicker::default()),
            wake,
            sessions_dir: options.sessions_dir.clone(),
        });
        let now = read_clock();
        controller.begin(options.simulate, options.port.as_deref(), options.screen);
        if let Some(path) = &options.capture {
            controller.open_capture(path, now);
            // `--screen` still chooses the screen shown.
            controller.begin(None, None, options.screen);
        }
        Ok(Self {
            controller,
            panels: Panels::default(),
            nav: NavPanel,
            status: StatusBar,
            prompt: PromptPanel::default(),
            screenshot: options
                .screenshot
                .clone()
                .map(|path| ScreenshotPlan::new(path, options.screenshot_after)),
            frames: None,
            now,
        })
    }

    /// Counts the frames drawn over `window`, then sends the frames a second and quits.
    pub fn measuring(mut self, window: Duration, report: std::sync::mpsc::Sender<f64>) -> Self {
        self.frames = Some(FrameCount::new(window, report));
        self
    }

    /// Uses `picker` to ask for files instead of the native dialog.
    pub fn with_picker(mut self, picker: Box<dyn FilePicker>) -> Self {
        self.controller.set_picker(picker);
        self
    }

    /// The controller: the link, the workspace, what is under way.
    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    /// Whether the live plots follow the newest reading.
    pub fn following(&self) -> bool {
        self.panels.live.following()
    }

    /// The time range the live plots drew last, in Unix seconds.
    pub fn live_window(&self) -> Option<std::ops::RangeInclusive<f64>> {
        self.panels.live.plots.shown()
    }
}

impl eframe::App for MeterApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.now = read_clock();
        self.controller.update(self.now);
        if let Some(plan) = &mut self.screenshot
            && let Some(problem) = plan.poll(ctx)
        {
            self.controller.report_problem(problem);
        }
        if let Some(frames) = &mut self.frames {
            frames.frame(ctx);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let Self {
            controller,
            panels,
            nav,
            status,
            prompt,
            screenshot: _,
            frames: _,
            now,
        } = self;
        let now = *now;
        let app = AppView::of(controller, now);
        let mut actions = shortcuts(ui.ctx(), app.settings.dialect);
        actions.extend(dropped(ui.ctx()));
        egui::Panel::bottom("status").show(ui, |ui| actions.extend(status.ui(ui, &app)));
        egui::Panel::left("navigation")
            .resizable(false)
            .default_size(150.0)
            .show(ui, |ui| actions.extend(nav.ui(ui, &app)));
        egui::CentralPanel::default().show(ui, |ui| {
            actions.extend(prompt.ui(ui, &app));
            if let Some(notice) = controller.notice() {
                let colour = if notice.good { style::GOOD } else { style::BAD };
                ui.horizontal_top(|ui| {
                    if ui.small_button("Dismiss").clicked() {
                        actions.push(Action::DismissNotice);
                    }
                    style::note(ui, colour, &notice.text);
                });
            }
            let screen = app.settings.screen;
            let panel = panels.of(screen);
            if matches!(screen, Screen::Live | Screen::Traffic) {
                // The plots take the scroll wheel and the traffic list scrolls by itself
                // (reading only the lines on screen), so these screens do not scroll.
                actions.extend(panel.ui(ui, &app));
            } else {
                egui::ScrollArea::vertical().show(ui, |ui| actions.extend(panel.ui(ui, &app)));
            }
        });
        for action in actions {
            controller.act(action, now);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, settings::APP_KEY, self.controller.settings());
    }
}

/// Files dropped on the window, to open; while files are held over it, says what a drop does.
fn dropped(ctx: &egui::Context) -> Vec<Action> {
    let (hovering, paths) = ctx.input(|input| {
        let paths: Vec<_> = input
            .raw
            .dropped_files
            .iter()
            .map(|file| file.path().to_path_buf())
            .collect();
        (!input.raw.hovered_files.is_empty(), paths)
    });
    if hovering {
        let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("dropping"));
        let painter = ctx.layer_painter(layer);
        let area = ctx.content_rect();
        painter.rect_filled(area, 0.0, egui::Color32::from_black_alpha(180));
        painter.text(
            area.center(),
            egui::Align2::CENTER_CENTER,
            "Drop a recording to open it on the Traffic screen, or a session's folder",
            egui::FontId::proportional(20.0),
            egui::Color32::WHITE,
        );
    }
    if paths.is_empty() {
        Vec::new()
    } else {
        vec![Action::OpenDropped(paths)]
    }
}

/// Ctrl+S saves the session as, Ctrl+O opens one, Ctrl+E exports the readings to CSV; not while
/// a text field has the keyboard (there, the keys belong to the text).
fn shortcuts(ctx: &egui::Context, dialect: crate::export::Dialect) -> Vec<Action> {
    use egui::{Key, KeyboardShortcut, Modifiers};
    if ctx.egui_wants_keyboard_input() {
        return Vec::new();
    }
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
