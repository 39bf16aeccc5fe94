//! The table of registers found: sortable by any column, filtered by text, with a tick per row
//! for "read again" and a name the user can give each register.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use egui::{RichText, Ui};

use crate::kmp::{Register, RegisterId, Value};
use crate::model::RegisterMap;

use crate::app::action::Action;
use crate::app::style;

/// The column the table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Register ID.
    #[default]
    Id,
    /// The name shown.
    Name,
    /// Unit symbol.
    Unit,
    /// Value, numerically where both are numbers.
    Value,
}

/// Sorting, filter and selection.
#[derive(Debug, Default)]
pub struct RegisterTable {
    /// Text a row must contain (ID, hex ID, name or unit).
    pub filter: String,
    sort: SortBy,
    descending: bool,
    /// The rows ticked for reading again.
    pub selected: BTreeSet<RegisterId>,
}

impl RegisterTable {
    /// The registers of `map` that pass the filter, in the chosen order.
    pub fn rows<'a>(&self, map: &'a RegisterMap) -> Vec<&'a Register> {
        let needle = self.filter.trim().to_lowercase();
        let mut rows: Vec<&Register> = map
            .registers
            .values()
            .filter(|register| {
                let id = register.id();
                let text = format!(
                    "{id} {} {} {}",
                    id.hex(),
                    map.name(id),
                    register.unit().symbol()
                );
                needle.is_empty() || text.to_lowercase().contains(&needle)
            })
            .collect();
        rows.sort_by(|a, b| {
            let order = match self.sort {
                SortBy::Id => a.id().cmp(&b.id()),
                SortBy::Name => map
                    .name(a.id())
                    .to_lowercase()
                    .cmp(&map.name(b.id()).to_lowercase()),
                SortBy::Unit => a.unit().symbol().cmp(b.unit().symbol()),
                SortBy::Value => compare_values(a, b),
            };
            let order = order.then(a.id().cmp(&b.id()));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        rows
    }

    /// Draws the table.
    pub fn ui(&mut self, ui: &mut Ui, map: &RegisterMap) -> Option<Action> {
        let mut action = None;
        let rows = self.rows(map);
        egui::Grid::new("found-registers")
            .striped(true)
            .num_columns(6)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for (column, heading) in [
                    (Some(SortBy::Id), "ID"),
                    (None, "hex"),
                    (Some(SortBy::Name), "name"),
                    (Some(SortBy::Unit), "unit"),
                    (Some(SortBy::Value), "value"),
                    (None, "raw"),
                ] {
                    match column {
                        Some(column) => self.heading(ui, column, heading),
                        None => {
                            ui.label(RichText::new(heading).strong());
                        }
                    }
                }
                ui.end_row();
                for register in rows {
                    let id = register.id();
                    let mut ticked = self.selected.contains(&id);
                    let tick = ui.checkbox(&mut ticked, id.to_string());
                    if tick.changed() {
                        if ticked {
                            self.selected.insert(id);
                        } else {
                            self.selected.remove(&id);
                        }
                    }
                    ui.label(id.hex());
                    let mut name = map.user_name(id).unwrap_or_default().to_string();
                    let hint = map.catalogue_name(id).unwrap_or("name it");
                    // A fixed size: a grid column otherwise shrinks a text field to nothing.
                    let edit = ui
                        .add_sized(
                            [220.0, ui.spacing().interact_size.y],
                            egui::TextEdit::singleline(&mut name).hint_text(hint),
                        )
                        .labelled_by(tick.id);
                    if edit.changed() {
                        action = Some(Action::Rename { id, name });
                    }
                    ui.label(register.unit().symbol());
                    ui.label(map.value_text(register));
                    ui.label(RichText::new(crate::kmp::to_hex(&register.raw())).monospace());
                    ui.end_row();
                }
            });
        action
    }

    /// A column heading that sorts by its column, and the other way round on a second click;
    /// the sorted column carries a painted arrow (the bundled fonts have no arrow glyphs).
    fn heading(&mut self, ui: &mut Ui, column: SortBy, text: &str) {
        ui.horizontal(|ui| {
            let clicked = ui
                .add(egui::Button::new(RichText::new(text).strong()).frame(false))
                .on_hover_text("Sort by this column")
                .clicked();
            if self.sort == column {
                style::sort_arrow(ui, self.descending);
            }
            if clicked {
                if self.sort == column {
                    self.descending = !self.descending;
                } else {
                    (self.sort, self.descending) = (column, false);
                }
            }
        });
    }
}

/// Numbers by value, then text, then values kept raw.
fn compare_values(a: &Register, b: &Register) -> Ordering {
    match (a.value(), b.value()) {
        (Value::Number(x), Value::Number(y)) => x
            .to_f64()
            .partial_cmp(&y.to_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Number(_), _) => Ordering::Less,
        (_, Value::Number(_)) => Ordering::Greater,
        (x, y) => format!("{x:?}").cmp(&format!("{y:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmp::{Family, Number, Unit};

    fn register(id: u16, unit: u8, mantissa: u128) -> Register {
        let number = Number::new(false, mantissa, 0).unwrap();
        Register::from_number(RegisterId::new(id), Unit::from_code(unit), number, 4).unwrap()
    }

    fn map() -> RegisterMap {
        let mut map = RegisterMap::default();
        map.family = Some(Family::Water);
        map.insert([
            register(68, 0x28, 50),
            register(74, 0x29, 7),
            register(99, 0, 4),
        ]);
        map
    }

    #[test]
    fn rows_sort_by_value_both_ways_and_filter_by_name() {
        let map = map();
        let mut table = RegisterTable {
            sort: SortBy::Value,
            ..RegisterTable::default()
        };
        let ids = |table: &RegisterTable| -> Vec<u16> {
            table.rows(&map).iter().map(|r| r.id().value()).collect()
        };
        assert_eq!(ids(&table), [99, 74, 68]);
        table.descending = true;
        assert_eq!(ids(&table), [68, 74, 99]);
        table.filter = "l/h".into();
        assert_eq!(ids(&table), [74]);
    }
}
