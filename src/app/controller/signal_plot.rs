//! The plot of an analog recording around the frame the user selects on the Traffic screen:
//! the stretch is read from the file on a thread of its own (an hour-long recording is read to
//! the frame's time, which takes a while), and comes back as a message; the screen says it is
//! reading meanwhile. A stretch of a recording closed or replaced in the meantime is dropped.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use super::Controller;
use crate::app::files::Wake;
use crate::app::workspace::Stretch;
use crate::capture::analysis::FrameDirection;
use crate::capture::excerpt::{self, Excerpt};

/// Points a channel is thinned to: about one a pixel of the plot.
const BUCKETS: usize = 800;
/// Characters shown before a frame and after it.
const MARGIN_BYTES: f64 = 2.0;

/// A stretch read: of which file and frame, and what came of it.
pub(super) struct StretchRead {
    path: PathBuf,
    frame: usize,
    read: Result<Excerpt, String>,
}

/// Where stretches read arrive.
pub(super) struct SignalPlots {
    wake: Wake,
    read: (Sender<StretchRead>, Receiver<StretchRead>),
}

impl SignalPlots {
    pub(super) fn new(wake: Wake) -> Self {
        Self {
            wake,
            read: mpsc::channel(),
        }
    }

    /// A stretch read, if one came.
    pub(super) fn try_read(&self) -> Option<StretchRead> {
        self.read.1.try_recv().ok()
    }
}

/// Plots the frame a user most likely looks for in a recording just opened: the meter's first
/// answer, else the first frame.
pub(super) fn show_first(state: &mut Controller) {
    let Some(capture) = state
        .workspace
        .capture()
        .filter(|capture| capture.plot.is_some())
    else {
        return;
    };
    let frames = &capture.analysis.frames;
    let first = frames
        .iter()
        .position(|frame| frame.t.is_some() && frame.direction == FrameDirection::Rx)
        .or_else(|| frames.iter().position(|frame| frame.t.is_some()));
    if let Some(frame) = first {
        show_frame(state, frame);
    }
}

/// Starts reading the stretch around frame `frame` of the recording shown.
pub(super) fn show_frame(state: &mut Controller, frame: usize) {
    let Some(capture) = state.workspace.capture() else {
        return;
    };
    let format = capture.format;
    let Some(found) = capture.analysis.frames.get(frame) else {
        return;
    };
    let (Some(start), Some(plot)) = (found.t, &capture.plot) else {
        return;
    };
    let last = found.t_last.unwrap_or(start);
    let margin = MARGIN_BYTES * plot.byte_s;
    let window = (start - margin, last + plot.byte_s + margin);
    let path = plot.path.clone();
    let (to, wake) = (state.plots.read.0.clone(), Arc::clone(&state.plots.wake));
    let reading = std::thread::Builder::new()
        .name("kmp-signal-plot".into())
        .spawn(move || {
            let read = excerpt::read(&path, format, window, BUCKETS);
            // The app may have closed meanwhile; then nobody waits for it.
            let _ = to.send(StretchRead { path, frame, read });
            wake();
        });
    let shown = match reading {
        Ok(_) => Stretch::Reading,
        Err(error) => Stretch::Failed(format!("cannot start reading it: {error}")),
    };
    if let Some(plot) = state.workspace.capture_plot_mut() {
        plot.shown = Some((frame, shown));
    }
}

/// A stretch arrived: shown if its recording and frame are still the ones selected.
pub(super) fn on_read(state: &mut Controller, StretchRead { path, frame, read }: StretchRead) {
    let Some(plot) = state.workspace.capture_plot_mut() else {
        return;
    };
    if plot.path == path
        && plot
            .shown
            .as_ref()
            .is_some_and(|(shown, _)| *shown == frame)
    {
        plot.shown = Some((
            frame,
            match read {
                Ok(excerpt) => Stretch::Read(excerpt),
                Err(error) => Stretch::Failed(error),
            },
        ));
    }
}
