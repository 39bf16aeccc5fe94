//! Counting the frames the app draws: how `gui --measure D` tells how often the window is
//! redrawn in a state, after it has settled for a few seconds. (The processor time spent is
//! measured from outside the process: `.ci/cpu-use`.)

use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// How long the app runs before frames are counted: connecting, the first round of the link
/// check, the first poll.
pub const SETTLE: Duration = Duration::from_secs(5);

/// Frames counted over a window of time, then the app quits.
#[derive(Debug)]
pub struct FrameCount {
    from: Instant,
    until: Instant,
    frames: u64,
    report: Option<Sender<f64>>,
}

impl FrameCount {
    /// Counts the frames drawn in `window` after [`SETTLE`], then sends the frames a second
    /// to `report` and closes the window.
    pub fn new(window: Duration, report: Sender<f64>) -> Self {
        let from = Instant::now() + SETTLE;
        Self {
            from,
            until: from + window,
            frames: 0,
            report: Some(report),
        }
    }

    /// Called once a frame.
    pub fn frame(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        if now >= self.from && now < self.until {
            self.frames += 1;
        }
        if now < self.until {
            // Wake up to finish even if nothing else asks for a frame.
            ctx.request_repaint_after(self.until - now);
            return;
        }
        if let Some(report) = self.report.take() {
            let seconds = (self.until - self.from).as_secs_f64();
            let _ = report.send(self.frames as f64 / seconds);
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
