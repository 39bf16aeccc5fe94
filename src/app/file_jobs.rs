//! What the app does with a file the user picked: register maps, sessions, CSV and traffic
//! exports. Every write goes through [`crate::atomic_file`], a typed path never replaces an
//! existing file, and a file that cannot be read leaves what is on screen as it was.

use std::path::Path;

use crate::export::{RegisterRow, write_readings, write_registers};
use crate::model::RegisterMap;
use crate::session::Session;

use super::action::{Action, FileJob};
use super::{MeterApp, register_table};

/// How many recent sessions the Session screen lists.
const RECENT: usize = 8;

impl MeterApp {
    /// Does `job` with the file at `path`; says what was done, or what went wrong and the fix.
    pub(super) fn use_file(
        &mut self,
        job: FileJob,
        path: &Path,
        replace: bool,
    ) -> Result<String, String> {
        let shown = super::files::shown(path);
        if job.writes() && !replace && path.exists() {
            return Err(format!(
                "{shown} exists already and was left as it is; choose a new name"
            ));
        }
        match job {
            FileJob::SaveMap => {
                self.map.save(path).map_err(|error| error.to_string())?;
                Ok(format!(
                    "Saved {} registers to {shown}",
                    self.map.registers.len()
                ))
            }
            FileJob::OpenMap => {
                self.map = RegisterMap::load(path)
                    .map_err(|error| format!("{error}. The register map on screen was kept."))?;
                self.map_dirty = true;
                Ok(format!(
                    "Opened {shown}: {} registers",
                    self.map.registers.len()
                ))
            }
            FileJob::ExportMap(dialect) => {
                let rows: Vec<RegisterRow> = self
                    .map
                    .registers
                    .values()
                    .map(|register| {
                        RegisterRow::new(
                            register,
                            Some(self.map.name(register.id())),
                            register_table::value_text(register, &self.map),
                        )
                    })
                    .collect();
                crate::atomic_file::write_with(path, |out| write_registers(out, &rows, dialect))
                    .map_err(|error| format!("cannot write {shown}: {error}"))?;
                Ok(format!("Exported {} registers to {shown}", rows.len()))
            }
            FileJob::ExportReadings(dialect) => {
                let zone = jiff::tz::TimeZone::system();
                let rows = crate::atomic_file::write_with(path, |out| {
                    write_readings(out, &self.readings, &self.map, dialect, zone)
                })
                .map_err(|error| format!("cannot write {shown}: {error}"))?;
                Ok(format!("Exported {rows} polls to {shown}"))
            }
            FileJob::ExportTraffic => {
                let Some(session) = &mut self.session else {
                    return Err("No session is open, so there is no traffic to export.".into());
                };
                let indices = self.traffic.shown().to_vec();
                crate::atomic_file::write_with(path, |out| session.traffic().export(&indices, out))
                    .map_err(|error| format!("cannot write {shown}: {error}"))?;
                Ok(format!(
                    "Exported {} traffic lines to {shown}",
                    indices.len()
                ))
            }
            FileJob::SaveSession => {
                let Some(session) = &mut self.session else {
                    return Err(
                        "Nothing is recorded yet: connect to a port and a session starts by itself."
                            .into(),
                    );
                };
                session
                    .save_as(path, &self.map)
                    .map_err(|error| error.to_string())?;
                self.map_dirty = false;
                self.remember(path);
                Ok(format!(
                    "Saved the session to {shown}; recording goes on there"
                ))
            }
            FileJob::OpenSession => {
                let opened = Session::open(path)
                    .map_err(|error| format!("{error}. The session on screen was kept."))?;
                if self.polling.is_some() {
                    self.act(Action::StopPolling);
                }
                let cut = if opened.report.cut_short {
                    " (its last poll was cut short by a crash and is left out)"
                } else {
                    ""
                };
                self.readings = opened.readings;
                self.map = opened.map;
                self.session = Some(opened.session);
                self.map_dirty = false;
                self.remember(path);
                Ok(format!(
                    "Opened {shown}: {} polls{cut}",
                    self.readings.polls()
                ))
            }
        }
    }

    /// Puts `path` first in the recent sessions.
    pub(super) fn remember(&mut self, path: &Path) {
        let path = path.display().to_string();
        let recent = &mut self.settings.recent_sessions;
        recent.retain(|known| *known != path);
        recent.insert(0, path);
        recent.truncate(RECENT);
    }
}
