//! What the app knows of register scans, built from the link's events: the registers found so
//! far (merged across scans and resumes), the progress, and where to resume.

use std::collections::BTreeMap;

use crate::kmp::{Register, RegisterId};
use crate::link::{Event, ScanProgress};

/// Scans as the Registers screen shows them.
#[derive(Clone, Debug, Default)]
pub struct ScanView {
    /// Every register found, by ID; a later scan replaces an earlier value.
    pub found: BTreeMap<RegisterId, Register>,
    /// IDs that silence the meter.
    pub silencing: Vec<RegisterId>,
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

    /// Takes one event from the link.
    pub fn handle(&mut self, event: &Event) {
        match event {
            Event::ScanProgress(progress) => self.progress = Some(*progress),
            Event::ScanFound(registers) => {
                for register in registers {
                    self.found.insert(register.id(), register.clone());
                }
            }
            Event::Scanned(report) => {
                self.running = false;
                for register in &report.found {
                    self.found.insert(register.id(), register.clone());
                }
                for id in &report.silencing {
                    if !self.silencing.contains(id) {
                        self.silencing.push(*id);
                    }
                }
                self.resume = report.resume_from.map(|from| (from, report.to));
            }
            Event::Lost(_) | Event::Closed => self.running = false,
            _ => {}
        }
    }
}
