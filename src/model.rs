//! What the app and the command line know of a meter's readings, free of any GUI type: series of
//! readings per register, and the per-pixel reduction that lets a plot show a week of them.
//!
//! Readings are kept exact ([`crate::kmp::Number`]) for export; the `f64` beside each one is only
//! for plots and their reduction.

mod key;
mod reduce;
mod reduced_series;
mod register_map;
mod series;
mod text_reading;

pub use key::{ParseKeyError, RegisterKey};
pub use reduce::{Samples, Window};
pub use reduced_series::ReducedSeries;
pub use register_map::{MAP_VERSION, MAX_NAME_CHARS, MapFileError, RegisterMap};
pub use series::{Reading, Readings, Series};
pub use text_reading::TextReading;
