//! What a panel asks for. Panels return an [`Action`] and never act themselves; the app carries
//! it out after drawing, so nothing changes halfway through a frame.

use super::screen::Screen;

/// A request from a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Action {
    /// Open the port in the settings.
    Connect,
    /// Close the port.
    Disconnect,
    /// List the serial ports again.
    RefreshPorts,
    /// Start the continuous link check.
    StartCheck,
    /// Stop the continuous link check.
    StopCheck,
    /// Try the other line settings.
    Sweep,
    /// The user placed the magnet (again): restart the countdown.
    MagnetPlaced,
    /// Scan register IDs `from..=to`.
    StartScan {
        /// First ID.
        from: u16,
        /// Last ID.
        to: u16,
    },
    /// Stop the scan under way; it reports what it found and where to resume.
    CancelScan,
    /// Show a screen.
    Show(Screen),
}
