//! What the app does with a file the user picked, for the jobs that read into the workspace or
//! write from it: register maps, and CSV and traffic exports. (Sessions are the controller's:
//! they involve the recorder.) Every write goes through [`crate::atomic_file`], and a file that
//! cannot be read leaves what is on screen as it was. No egui here.

use std::path::Path;

use crate::export::{RegisterRow, history_columns, write_history, write_readings, write_registers};
use crate::link::Now;
use crate::model::RegisterMap;

use super::action::FileJob;
use super::files::shown;
use super::workspace::{OpenedCapture, Workspace};

/// Does `job` with the file at `path`; says what was done, or what went wrong and the fix.
/// Session jobs are not done here.
pub fn carry_out(
    workspace: &mut Workspace,
    job: FileJob,
    path: &Path,
    now: Now,
) -> Result<String, String> {
    let shown = shown(path);
    match job {
        FileJob::SaveMap => {
            let map = workspace.map();
            map.save(path).map_err(|error| error.to_string())?;
            Ok(format!(
                "Saved {} registers to {shown}",
                map.registers.len()
            ))
        }
        FileJob::OpenMap => {
            let map = RegisterMap::load(path)
                .map_err(|error| format!("{error}. The register map on screen was kept."))?;
            let count = map.registers.len();
            workspace.replace_map(map);
            Ok(format!("Opened {shown}: {count} registers"))
        }
        FileJob::ExportMap(dialect) => {
            let map = workspace.map();
            let rows: Vec<RegisterRow> = map
                .registers
                .values()
                .map(|register| {
                    RegisterRow::new(
                        register,
                        Some(map.name(register.id())),
                        map.value_text(register),
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
                write_readings(out, workspace.readings(), workspace.map(), dialect, zone)
            })
            .map_err(|error| format!("cannot write {shown}: {error}"))?;
            Ok(format!("Exported {rows} polls to {shown}"))
        }
        FileJob::ExportHistory(dialect, logger) => {
            let Some(history) = workspace.logger_history(logger) else {
                return Err(format!(
                    "No records of {} were read yet: read some on the History screen.",
                    logger.described()
                ));
            };
            let map = workspace.map();
            let columns = history_columns(history.records(), |id| map.name(id));
            let rows = crate::atomic_file::write_with(path, |out| {
                write_history(out, history.records(), &columns, dialect)
            })
            .map_err(|error| format!("cannot write {shown}: {error}"))?;
            Ok(format!("Exported {rows} records to {shown}"))
        }
        FileJob::ExportTraffic(filter) => {
            let Some(session) = workspace.session() else {
                return Err("No session is open, so there is no traffic to export.".into());
            };
            let log = session.traffic();
            let indices: Vec<usize> = log
                .directions()
                .iter()
                .enumerate()
                .filter(|(_, direction)| filter.shows(**direction))
                .map(|(index, _)| index)
                .collect();
            crate::atomic_file::write_with(path, |out| log.export(&indices, out))
                .map_err(|error| format!("cannot write {shown}: {error}"))?;
            Ok(format!(
                "Exported {} traffic lines to {shown}",
                indices.len()
            ))
        }
        FileJob::OpenCapture => open_capture(workspace, path, now),
        FileJob::SaveSession | FileJob::OpenSession | FileJob::SaveHandover(_) => {
            Err("sessions and configurations are written by the controller".into())
        }
    }
}

/// Reads and decodes the recording at `path` into the workspace; a file that is none leaves the
/// one on screen as it was.
fn open_capture(workspace: &mut Workspace, path: &Path, now: Now) -> Result<String, String> {
    let shown = shown(path);
    let kept = "The recording on screen was kept.";
    let recording = crate::capture::format::read_file(path, None, &Default::default())
        .map_err(|error| format!("{shown}: {error}. {kept}"))?;
    let analysis = crate::capture::analysis::analyse(&recording.events, None);
    let values = match (analysis.registers.len(), analysis.readout.len()) {
        (0, n) if n > 0 => format!("its readout of {n} values on the Registers screen"),
        (1, _) => "1 register value into the Registers table".to_string(),
        (n, _) => format!("{n} register values into the Registers table"),
    };
    let text = format!(
        "Opened {shown}: {}, {} frames; {values}",
        recording.format.name(),
        analysis.frames.len(),
    );
    workspace.open_capture(
        OpenedCapture {
            name: shown,
            format: recording.format,
            line: recording
                .line
                .as_ref()
                .map(crate::capture::raw::LineFound::text),
            analysis,
        },
        now,
    );
    Ok(text)
}
