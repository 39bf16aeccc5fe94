//! The plots of the History screen: one per register, its value against the record ID, oldest
//! on the left. A logger holds at most a few thousand records, so they are drawn whole.

use egui::Ui;
use egui_plot::{Line, Plot, PlotPoints};

use crate::kmp::RegisterId;
use crate::link::HistoryRecord;

/// Plot height, small enough for three registers and the table on one screen.
const HEIGHT: f32 = 120.0;

/// One plot per column that holds numbers; `records` come newest first.
pub fn history_plots(ui: &mut Ui, records: &[HistoryRecord], columns: &[(RegisterId, String)]) {
    for (id, title) in columns {
        let points: Vec<[f64; 2]> = records
            .iter()
            .rev()
            .filter_map(|record| {
                let register = record.registers.iter().find(|r| r.id() == *id)?;
                Some([f64::from(record.id), register.number()?.to_f64()])
            })
            .collect();
        if points.len() < 2 {
            continue;
        }
        // The title above the plot: a vertical axis label this short would run off its end.
        ui.label(egui::RichText::new(title).small());
        Plot::new(("history-plot", id.value()))
            .height(HEIGHT)
            .x_axis_label("record")
            .y_axis_min_width(80.0)
            .allow_scroll(false)
            .show(ui, |plot_ui| {
                plot_ui.line(Line::new(title.clone(), PlotPoints::new(points)).width(1.5));
            });
    }
}
