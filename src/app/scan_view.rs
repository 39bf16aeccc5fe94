//! What the app knows of register scans, built from the link's events: the progress and where
//! to resume. The registers found go into the [`RegisterMap`], merged across scans and resumes.

use crate::link::{Event, ScanProgress};
use crate::model::RegisterMap;

/// Scans as the Registers screen shows them.
#[derive(Clone, Debug, Default)]
pub struct ScanView {
    /// The progress of the scan under way, or of the last one.
    pub progress: Option<ScanProgress>,
    /// Whether a scan is under way.
    pub running: bool,
    /// Where an interrupted scan can go on, and the last ID of its range.
    pub resume: Option<(u16, u16)>,
}

impl ScanView {
    /// A scan was asked for.
    pub fn started(&mut self) {
        self.running = true;
        self.resume = None;
        self.progress = None;
    }

    /// Takes one event from the link; registers found go into `map`.
    pub fn handle(&mut self, event: &Event, map: &mut RegisterMap) {
        match event {
            Event::ScanProgress(progress) => self.progress = Some(*progress),
            Event::ScanFound(registers) => map.insert(registers.iter().cloned()),
            Event::Scanned(report) => {
                self.running = false;
                map.insert(report.found.iter().cloned());
                map.add_silencing(&report.silencing);
                self.resume = report.resume_from.map(|from| (from, report.to));
            }
            Event::Lost(_) | Event::Closed => self.running = false,
            _ => {}
        }
    }
}
