//! Shared look: colours for good, warning and bad, framed boxes, the sparkline.

use egui::{Color32, RichText, Stroke, Ui, vec2};

use crate::link::diagnosis::DiagnosisCode;

/// Good news.
pub const GOOD: Color32 = Color32::from_rgb(0x2E, 0x9E, 0x4F);
/// Needs attention.
pub const WARN: Color32 = Color32::from_rgb(0xD9, 0x8E, 0x04);
/// Something is wrong.
pub const BAD: Color32 = Color32::from_rgb(0xD1, 0x3B, 0x3B);

/// The colour of a diagnosis.
pub fn diagnosis_colour(code: DiagnosisCode) -> Color32 {
    match code {
        DiagnosisCode::Ok => GOOD,
        DiagnosisCode::Waking | DiagnosisCode::Throttled => WARN,
        DiagnosisCode::PortError
        | DiagnosisCode::NoEcho
        | DiagnosisCode::EchoOnly
        | DiagnosisCode::Garbled => BAD,
    }
}

/// A framed box with an error and its fix.
pub fn error_box(ui: &mut Ui, message: &str, advice: &str) {
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(1.5, BAD))
        .show(ui, |ui| {
            ui.label(RichText::new(message).color(BAD).strong());
            ui.label(advice);
        });
}

/// A coloured lamp, drawn rather than typed so that it shows whatever fonts are installed.
pub fn lamp(ui: &mut Ui, colour: Color32, radius: f32) {
    let (rect, _) = ui.allocate_exact_size(
        vec2(radius * 2.0 + 4.0, radius * 2.0 + 4.0),
        egui::Sense::hover(),
    );
    ui.painter().circle_filled(rect.center(), radius, colour);
}

/// One large status line: a coloured lamp and a text.
pub fn status_line(ui: &mut Ui, colour: Color32, text: &str) {
    ui.horizontal(|ui| {
        lamp(ui, colour, 8.0);
        ui.label(RichText::new(text).size(18.0));
    });
}

/// A span as people read it on screen, to a tenth of a second: `7.6 s`.
pub fn seconds(span: std::time::Duration) -> String {
    format!("{:.1} s", span.as_secs_f64())
}

/// A short note with a coloured lamp, wrapped to the width available.
pub fn note(ui: &mut Ui, colour: Color32, text: &str) {
    ui.horizontal_top(|ui| {
        lamp(ui, colour, 5.0);
        ui.add(egui::Label::new(text).wrap());
    });
}

/// A row of small bars, one per recent round: tall and green for a success, short and red for a
/// failure, oldest on the left.
pub fn sparkline(ui: &mut Ui, history: impl ExactSizeIterator<Item = bool>, slots: usize) {
    let bar = 8.0;
    let gap = 2.0;
    let height = 22.0;
    let (rect, _) = ui.allocate_exact_size(
        vec2(slots as f32 * (bar + gap), height),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let offset = slots.saturating_sub(history.len());
    for (idx, ok) in history.enumerate() {
        let x = rect.left() + (offset + idx) as f32 * (bar + gap);
        let (colour, bar_height) = if ok {
            (GOOD, height)
        } else {
            (BAD, height * 0.35)
        };
        let bar_rect = egui::Rect::from_min_size(
            egui::pos2(x, rect.bottom() - bar_height),
            vec2(bar, bar_height),
        );
        painter.rect_filled(bar_rect, 1.0, colour);
    }
}

/// The colour of a line's traffic (TX, the echo, RX; none for a line of no direction), as dark
/// as the theme needs: the light pastels read on a dark background vanish on the light one
/// Windows and some desktops give.
pub fn direction_colour(
    ui: &Ui,
    direction: Option<crate::link::traffic::TrafficDirection>,
) -> Color32 {
    use crate::link::traffic::TrafficDirection;
    let dark = ui.visuals().dark_mode;
    match (direction, dark) {
        (Some(TrafficDirection::Tx), true) => Color32::from_rgb(120, 180, 255),
        (Some(TrafficDirection::Tx), false) => Color32::from_rgb(25, 85, 170),
        (Some(TrafficDirection::Echo), true) => Color32::from_gray(140),
        (Some(TrafficDirection::Echo), false) => Color32::from_gray(105),
        (Some(TrafficDirection::Rx), true) => Color32::from_rgb(140, 220, 140),
        (Some(TrafficDirection::Rx), false) => Color32::from_rgb(25, 120, 45),
        (None, _) => Color32::GRAY,
    }
}

/// Text a little larger than egui's default: the app is read at arm's length, head in one hand.
pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        for (text_style, font) in &mut style.text_styles {
            font.size = match text_style {
                egui::TextStyle::Heading => 24.0,
                egui::TextStyle::Small => 11.0,
                _ => 14.5,
            };
        }
        style.spacing.item_spacing = vec2(8.0, 6.0);
    });
}

/// A small triangle pointing up (ascending) or down (descending), for sorted table columns.
pub fn sort_arrow(ui: &mut Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(vec2(10.0, 10.0), egui::Sense::hover());
    let (top, bottom) = (rect.top() + 2.0, rect.bottom() - 2.0);
    let (tip, base) = if descending {
        (bottom, top)
    } else {
        (top, bottom)
    };
    let points = vec![
        egui::pos2(rect.left() + 1.0, base),
        egui::pos2(rect.right() - 1.0, base),
        egui::pos2(rect.center().x, tip),
    ];
    let colour = ui.visuals().strong_text_color();
    ui.painter()
        .add(egui::Shape::convex_polygon(points, colour, Stroke::NONE));
}
