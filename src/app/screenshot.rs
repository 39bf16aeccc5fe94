//! Saving the window as a PNG: how `gui --screenshot FILE.png` makes the pictures in
//! `screenshots/`. The image comes from egui's viewport screenshot, so it shows exactly what the
//! renderer drew.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// Whether the picture was saved, or why not.
type Saved = Result<(), String>;

/// A screenshot to take once the app has run for a while, then quit.
#[derive(Debug)]
pub struct ScreenshotPlan {
    path: PathBuf,
    due: Instant,
    requested: bool,
    done: (Sender<Saved>, Receiver<Saved>),
}

impl ScreenshotPlan {
    /// Plans a screenshot to `path`, `after` from now.
    pub fn new(path: PathBuf, after: Duration) -> Self {
        Self {
            path,
            due: Instant::now() + after,
            requested: false,
            done: channel(),
        }
    }

    /// Called every frame: asks for the screenshot when due, and closes the window once it is
    /// saved. Returns an error to show if saving failed.
    pub fn poll(&mut self, ctx: &egui::Context) -> Option<String> {
        if !self.requested {
            let now = Instant::now();
            if now < self.due {
                ctx.request_repaint_after(self.due - now);
                return None;
            }
            self.requested = true;
            let path = self.path.clone();
            let sender = self.done.0.clone();
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = sender.send(save_png(&path, &image));
                repaint.request_repaint();
            });
            return None;
        }
        match self.done.1.try_recv() {
            Ok(result) => {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                result.err()
            }
            Err(_) => {
                ctx.request_repaint_after(Duration::from_millis(50));
                None
            }
        }
    }
}

fn save_png(path: &Path, image: &Arc<egui::ColorImage>) -> Result<(), String> {
    let [width, height] = image.size;
    let mut rgba = Vec::with_capacity(width * height * 4);
    for pixel in &image.pixels {
        rgba.extend_from_slice(&pixel.to_srgba_unmultiplied());
    }
    let file =
        File::create(path).map_err(|error| format!("cannot create {}: {error}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|error| error.to_string())?;
    writer
        .write_image_data(&rgba)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}
