//! What the app knows of register scans, built from the scan jobs' events: the progress of the
//! latest scan and where an interrupted one can resume. The registers found go into the
//! [`RegisterMap`], merged across scans and resumes.

use crate::link::{JobEnd, JobEvent, JobId, Report, ScanProgress};
use crate::model::RegisterMap;

/// Scans as the Registers screen shows them.
#[derive(Clone, Debug, Default)]
pub struct ScanView {
    /// The scan the progress belongs to.
    job: Option<JobId>,
    progress: Option<ScanProgress>,
    /// Where an interrupted scan can go on, and the last ID of its range.
    resume: Option<(u16, u16)>,
}

impl ScanView {
    /// Takes one event of job `id`; registers found go into `map`. Returns whether the map
    /// changed.
    pub fn handle(&mut self, id: JobId, event: &JobEvent, map: &mut RegisterMap) -> bool {
        match event {
            JobEvent::ScanProgress(progress) => {
                if self.job != Some(id) {
                    // A new scan: the last one's resume point no longer applies.
                    self.job = Some(id);
                    self.resume = None;
                }
                self.progress = Some(*progress);
                false
            }
            JobEvent::ScanFound(registers) => {
                map.insert(registers.iter().cloned());
                true
            }
            JobEvent::Ended(JobEnd {
                report: Some(Report::Scan(report)),
                ..
            }) => {
                map.insert(report.found.iter().cloned());
                map.add_silencing(&report.silencing);
                self.job = Some(id);
                self.resume = report.resume_from.map(|from| (from, report.to));
                true
            }
            _ => false,
        }
    }

    /// The progress of the scan under way, or of the last one.
    pub fn progress(&self) -> Option<&ScanProgress> {
        self.progress.as_ref()
    }

    /// Where an interrupted scan can go on, and the last ID of its range.
    pub fn resume(&self) -> Option<(u16, u16)> {
        self.resume
    }
}
