//! An analog recording's TX and RX around the frame selected on the Traffic screen, each with
//! the threshold it was cut at and the frame's time shaded: why a byte was read as it was.

use egui::{RichText, Ui};
use egui_plot::{HLine, Line, LineStyle, Plot, PlotPoints, Span};

use crate::app::style;
use crate::app::workspace::{OpenedCapture, Stretch};
use crate::link::traffic::TrafficDirection;

/// Each channel's plot height: two fit under the frames.
const HEIGHT: f32 = 110.0;

/// Draws the plot of `capture`'s selected frame, or says how to get one.
pub fn ui(ui: &mut Ui, capture: &OpenedCapture) {
    let Some(plot) = &capture.plot else {
        return;
    };
    let Some((frame, stretch)) = &plot.shown else {
        ui.label(RichText::new("Click a frame to see its volts on each line.").weak());
        return;
    };
    let excerpt = match stretch {
        Stretch::Reading => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the frame's stretch of the recording…");
            });
            return;
        }
        Stretch::Failed(error) => {
            style::note(ui, style::BAD, &format!("Cannot plot the frame: {error}"));
            return;
        }
        Stretch::Read(excerpt) => excerpt,
    };
    let shaded = capture.analysis.frames.get(*frame).and_then(|frame| {
        let start = frame.t?;
        Some(start..=frame.t_last.unwrap_or(start) + plot.byte_s)
    });
    let link = egui::Id::unique(("signal-plot", &plot.path));
    for (name, role, threshold) in &plot.channels {
        let Some(channel) = excerpt
            .channels
            .iter()
            .find(|channel| channel.name == *name)
        else {
            continue;
        };
        let role = role.unwrap_or("");
        let direction = if role == "TX" {
            TrafficDirection::Tx
        } else {
            TrafficDirection::Rx
        };
        let colour = style::direction_colour(ui, Some(direction));
        let unit = if threshold.is_some() {
            "V"
        } else {
            "of full scale"
        };
        ui.label(RichText::new(format!("{role} ({name}), {unit}")).small());
        // Milliseconds: a frame lasts tens of them.
        let points: Vec<[f64; 2]> = channel
            .points
            .iter()
            .map(|&[t, volts]| [t * 1e3, volts])
            .collect();
        Plot::new(("signal-plot", name.as_str()))
            .height(HEIGHT)
            .link_axis(link, [true, false])
            .x_axis_label("ms")
            .y_axis_min_width(40.0)
            .allow_scroll(false)
            // Zero volts in view, so a swing is seen for what it is, not magnified.
            .include_y(0.0)
            .show(ui, |plot_ui| {
                if let Some(range) = &shaded {
                    plot_ui.span(
                        Span::new("", range.start() * 1e3..=range.end() * 1e3)
                            .fill(colour.gamma_multiply(0.12)),
                    );
                }
                if let Some(threshold) = threshold {
                    plot_ui.hline(
                        HLine::new(format!("threshold {threshold:.2} V"), *threshold)
                            .style(LineStyle::dashed_loose())
                            .color(style::WARN),
                    );
                }
                plot_ui.line(Line::new(role, PlotPoints::new(points)).color(colour));
            });
    }
}
