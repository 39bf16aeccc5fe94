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
use super::workspace::{OpenedCapture, SignalPlot, Workspace};
use crate::capture::format::Format;

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
    let recording = crate::capture::format::read_file(path, None, &Default::default())
        .map_err(|error| format!("{shown}: {error}. {KEPT}"))?;
    Ok(show_capture(workspace, shown, &recording, Some(path), now))
}

const KEPT: &str = "The recording on screen was kept.";

/// Reads and decodes text pasted off an analyser's screen (or any recording as text) into the
/// workspace, as a file is.
pub fn paste_capture(workspace: &mut Workspace, text: &str, now: Now) -> Result<String, String> {
    let shown = "the text pasted".to_string();
    let recording = crate::capture::format::read(text.as_bytes(), None, &Default::default())
        .map_err(|error| format!("{shown}: {error}. {KEPT}"))?;
    Ok(show_capture(workspace, shown, &recording, None, now))
}

/// Shows `recording`, decoded, as `shown`, read from `path`; what to say of it.
fn show_capture(
    workspace: &mut Workspace,
    shown: String,
    recording: &crate::capture::format::Recording,
    path: Option<&Path>,
    now: Now,
) -> String {
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
            signal: signal_lines(recording, &analysis),
            plot: path.and_then(|path| signal_plot(recording, &analysis, path)),
            analysis,
        },
        now,
    );
    text
}

/// For an analog recording: its TX and RX channels to plot, with their thresholds.
fn signal_plot(
    recording: &crate::capture::format::Recording,
    analysis: &crate::capture::analysis::Analysis,
    path: &Path,
) -> Option<SignalPlot> {
    let line = recording.line.as_ref()?;
    let channels = match &recording.analog {
        Some(signal) => [("TX", &signal.tx), ("RX", &signal.rx)]
            .map(|(role, channel)| {
                (
                    channel.name.clone(),
                    Some(role),
                    Some(channel.levels.threshold),
                )
            })
            .to_vec(),
        // A sound card's, cut at its edges: no threshold.
        None if recording.format == Format::Wav => [("TX", &line.tx), ("RX", &line.rx)]
            .map(|(role, name)| (name.clone(), Some(role), None))
            .to_vec(),
        None => return None,
    };
    let mut channels = channels;
    // Where the file named them the wrong way round, the roles follow the analysis.
    if analysis.swapped {
        for (_, role, _) in &mut channels {
            *role = role.map(|role| if role == "TX" { "RX" } else { "TX" });
        }
    }
    Some(SignalPlot {
        path: path.to_path_buf(),
        channels,
        byte_s: line.byte_s(),
        shown: None,
    })
}

/// What the volts of `recording` said: each line's levels, then the findings (marked true), as
/// `capture` prints them.
fn signal_lines(
    recording: &crate::capture::format::Recording,
    analysis: &crate::capture::analysis::Analysis,
) -> Vec<(String, bool)> {
    let Some(mut signal) = recording.analog.clone() else {
        return Vec::new();
    };
    if analysis.swapped {
        std::mem::swap(&mut signal.tx, &mut signal.rx);
    }
    let baud = recording.line.as_ref().map_or(1200, |line| line.baud);
    let mut lines: Vec<(String, bool)> = [("TX", &signal.tx), ("RX", &signal.rx)]
        .into_iter()
        .map(|(name, channel)| {
            let levels = channel.levels;
            let edges = crate::capture::signal::rise_bits(channel, baud)
                .map(|bits| format!(", edges {bits:.2} bit"))
                .unwrap_or_default();
            let text = format!(
                "{name}: {:.2} V to {:.2} V (swing {:.2} V), threshold {:.2} V{edges}",
                levels.low + 0.0,
                levels.high,
                levels.swing(),
                levels.threshold
            );
            (text, false)
        })
        .collect();
    if let Some(heard) = signal.heard {
        let answer = if heard.answer_read {
            "the meter's answer"
        } else {
            "the time after each request (no answer was read)"
        };
        lines.push((
            format!(
                "RX swings {:.2} V for the echo and {:.2} V for {answer}",
                heard.echo_v, heard.answer_v
            ),
            false,
        ));
    }
    lines.extend(
        crate::capture::signal::findings(&signal, baud)
            .into_iter()
            .map(|finding| (finding.text, true)),
    );
    lines
}
