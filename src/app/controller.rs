//! The app's controller: it turns what the user asks for ([`Action`]s from the panels) and what
//! the link reports ([`Event`]s) into link commands and changes of state. It holds no egui type,
//! so it is tested without a window, with a real link or a fake one
//! ([`LinkHandle::from_parts`]).
//!
//! [`Controller`] is the state; the handling lives in one file per concern, free functions that
//! take the state: `link.rs` (connecting, the link check and the sweep, a port opening or
//! closing), `scan.rs` (scans and the register map), `live.rs` (polling and readouts),
//! `history.rs` (logger reads and resuming them), `sessions.rs` (new, open, save as, delete, the
//! recent list), `recording.rs` (the session the recorder writes), `publishing.rs` (polls fed
//! to an MQTT broker), `files.rs` (file dialogs, typed paths, recordings), `signal_plot.rs` (an
//! analog recording's channels around a frame). [`Controller::act`] and [`Controller::handle`]
//! only route: a new feature adds a file and a line here, not a branch inside another handler.
//!
//! It keeps one job under way, as the link does (`jobs.rs`); events are told apart by what they
//! are and by the job they name, never by flags. The session is recorded by the recorder's own
//! thread from the link's tap; the controller only tells it which session, and what else to
//! write. It never reads the clock: the shell hands it the time.

mod files;
mod history;
mod jobs;
mod link;
mod live;
mod publishing;
mod recording;
mod scan;
mod sessions;
mod signal_plot;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::link::{Event, HistoryOptions, Job, JobEnd, JobEvent, JobId, LinkHandle, Now, Report};
use crate::model::RegisterKey;
use crate::session::{Recorder, StoredSession};
use crate::sim::Profile;

use super::action::{Action, FileJob};
use super::files::{FilePicker, Wake};
use super::link_view::LinkView;
use super::scan_view::ScanView;
use super::screen::Screen;
use super::settings::Settings;
use super::workspace::Workspace;

use files::Files;
use jobs::Jobs;
use publishing::Publishing;
use recording::Recording;
use signal_plot::SignalPlots;

pub use publishing::{BrokerState, PublishView};

/// A message about the last thing done with a file, or a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub text: String,
    /// Whether it went well.
    pub good: bool,
}

impl Notice {
    fn from(outcome: Result<String, String>) -> Self {
        match outcome {
            Ok(text) => Self { text, good: true },
            Err(text) => Self { text, good: false },
        }
    }
}

/// What the controller is made of.
pub struct Parts {
    /// The settings of the last run.
    pub settings: Settings,
    /// The link.
    pub link: LinkHandle,
    /// The session recorder, fed by the link's tap.
    pub recorder: Recorder,
    /// How files are asked for.
    pub picker: Box<dyn FilePicker>,
    /// Wakes the app when an answer from a file dialog arrives.
    pub wake: Wake,
    /// Where sessions are autosaved; without it, nothing is recorded until a session is opened.
    pub sessions_dir: Option<PathBuf>,
}

/// The controller's state; see the module documentation.
pub struct Controller {
    settings: Settings,
    // Declared before the recording: dropped first, so the link's last events reach the
    // recorder before it writes what is queued and ends.
    jobs: Jobs,
    recording: Recording,
    publishing: Publishing,
    /// Stretches of an analog recording read for its plot.
    plots: SignalPlots,
    files: Files,
    workspace: Workspace,
    view: LinkView,
    scans: ScanView,
    notice: Option<Notice>,
    /// The keys of the last poll started; [`Self::polling`] gives them while it runs.
    poll_keys: Vec<RegisterKey>,
    /// The last logger read started and what it asked: a cancel forgets the job, while its
    /// end, which comes later, offers to resume with the same registers.
    history_asked: Option<(JobId, HistoryOptions)>,
}

impl Controller {
    /// A controller with nothing open yet.
    pub fn new(parts: Parts) -> Self {
        let Parts {
            settings,
            link,
            recorder,
            picker,
            wake,
            sessions_dir,
        } = parts;
        Self {
            settings,
            jobs: Jobs::new(link),
            recording: Recording::new(recorder, sessions_dir),
            publishing: Publishing::new(std::sync::Arc::clone(&wake)),
            plots: SignalPlots::new(std::sync::Arc::clone(&wake)),
            files: Files::new(picker, wake),
            workspace: Workspace::default(),
            view: LinkView::default(),
            scans: ScanView::default(),
            notice: None,
            poll_keys: Vec::new(),
            history_asked: None,
        }
    }

    /// Takes what arrived: the link's events, the recorder's reports, answers from file
    /// dialogs; writes the register map into the session when it changed.
    pub fn update(&mut self, now: Now) {
        while let Some(event) = self.jobs.link().try_event() {
            self.handle(event, now);
        }
        while let Some(report) = self.recording.try_report() {
            recording::on_report(self, report);
        }
        while let Some(picked) = self.files.try_picked() {
            files::on_picked(self, picked, now);
        }
        while let Some(read) = self.plots.try_read() {
            signal_plot::on_read(self, read);
        }
        recording::keep_up(self, now.instant);
        publishing::keep_up(self);
    }

    /// Carries out what the user asked for.
    pub fn act(&mut self, action: Action, now: Now) {
        match action {
            Action::Connect => link::connect_and_check(self),
            Action::Disconnect => link::disconnect(self),
            Action::Choose(connection) => link::choose(self, connection),
            Action::StartCheck => link::start_check(self),
            Action::StopCheck => link::stop_check(self),
            Action::SetCheckLimit(limit) => link::set_check_limit(self, limit),
            Action::Sweep => link::sweep(self),
            Action::SearchAddresses => link::search_addresses(self),
            Action::UseAddress(address) => link::use_address(self, address),
            Action::MagnetPlaced => link::magnet_placed(self, now),
            Action::StartScan { from, to } => scan::start(self, from, to),
            Action::CancelScan => scan::cancel(self),
            Action::ReadAgain(ids) => scan::read_again(self, ids),
            Action::Rename { id, name } => scan::rename(self, id, &name),
            Action::SetFamily(family) => scan::set_family(self, family),
            Action::StartPolling {
                keys,
                interval,
                password,
            } => live::start(self, keys, interval, password),
            Action::SetMqtt(mqtt) => self.settings.mqtt = mqtt,
            Action::StopPolling => live::stop(self),
            Action::ReadReadout => live::read_readout(self),
            Action::ReadHistory(options) => history::read(self, options),
            Action::CancelHistory => history::cancel(self),
            Action::NewSession => sessions::new_session(self, now),
            Action::DeleteSessions(dirs) => sessions::delete(self, &dirs),
            Action::Show(screen) => sessions::show(self, screen),
            Action::SetDialect(dialect) => files::set_dialect(self, dialect),
            Action::ChooseFile(job) => files::choose(self, job),
            Action::UseFile { job, path, replace } => {
                files::use_file(self, job, &path, replace, now)
            }
            Action::CloseCapture => files::close_capture(self),
            Action::PasteCapture(text) => files::paste_capture(self, &text, now),
            Action::OpenDropped(paths) => files::open_dropped(self, &paths, now),
            Action::ShowFrameSignal(frame) => signal_plot::show_frame(self, frame),
            Action::DismissPrompt => files::dismiss_prompt(self),
            Action::DismissNotice => self.notice = None,
        }
    }

    /// Takes one event from the link.
    pub fn handle(&mut self, event: Event, now: Now) {
        self.view.handle(&event, now.instant);
        match event {
            Event::Opened { .. } => link::on_opened(self, now),
            Event::Closed | Event::OpenFailed(_) => link::on_closed(self),
            Event::Lost(_) => {}
            Event::Job { id, event } => self.handle_job(id, event),
        }
    }

    fn handle_job(&mut self, id: JobId, event: JobEvent) {
        scan::on_job_event(self, id, &event);
        match event {
            JobEvent::Polled(report) => {
                live::on_polled(self, id, &report);
                publishing::on_polled(self, &report);
            }
            JobEvent::ReadoutPolled(report) => {
                live::on_readout_polled(self, id, &report);
                publishing::on_readout_polled(self, &report);
            }
            JobEvent::HistoryProgress(progress) => history::on_progress(self, progress),
            JobEvent::Spoke { .. } => recording::on_spoken(self),
            JobEvent::Ended(end) => self.job_ended(id, end),
            _ => {}
        }
    }

    fn job_ended(&mut self, id: JobId, JobEnd { reason, report }: JobEnd) {
        let outcome = match &report {
            Some(Report::Read(report)) => scan::on_read(self, report),
            Some(Report::Readout(report)) => live::on_readout(self, report),
            Some(Report::History(report)) => history::on_read(self, id, report),
            _ => None,
        };
        if let Some(outcome) = outcome {
            self.notice = Some(Notice::from(outcome));
        }
        self.jobs.ended(id, reason);
    }

    /// Starts as the command line asks: connected to the simulated meter `simulate`, or to
    /// `port`, on the Link check screen; on `screen` when one is given.
    pub fn begin(&mut self, simulate: Option<Profile>, port: Option<&str>, screen: Option<Screen>) {
        if let Some(profile) = simulate {
            link::simulate(self, profile);
        } else if let Some(port) = port {
            self.settings.connection.port = port.to_string();
            link::connect_and_check(self);
        }
        if let Some(screen) = screen {
            self.settings.screen = screen;
        }
    }

    /// Opens the recording at `path` and shows it on the Traffic screen, as "Open capture…"
    /// does with a file picked.
    pub fn open_capture(&mut self, path: &Path, now: Now) {
        files::open_dropped(self, &[path.to_path_buf()], now);
    }

    /// Uses `picker` to ask for files from now on.
    pub fn set_picker(&mut self, picker: Box<dyn FilePicker>) {
        self.files.set_picker(picker);
    }

    /// Says something went wrong (outside the link: a screenshot that could not be saved).
    pub fn report_problem(&mut self, text: String) {
        self.notice = Some(Notice { text, good: false });
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What the app knows of the link.
    pub fn link_view(&self) -> &LinkView {
        &self.view
    }

    /// What the app knows of register scans.
    pub fn scans(&self) -> &ScanView {
        &self.scans
    }

    /// The register map, readings and session.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The job under way.
    pub fn job(&self) -> Option<&Job> {
        self.jobs.job()
    }

    /// Whether a scan is under way.
    pub fn scanning(&self) -> bool {
        matches!(self.job(), Some(Job::Scan(_)))
    }

    /// The registers being polled, if polling.
    pub fn polling(&self) -> Option<&[RegisterKey]> {
        matches!(self.job(), Some(Job::Poll(_) | Job::ReadoutPoll(_))).then_some(&*self.poll_keys)
    }

    /// Where polling publishes, while it does.
    pub fn publishing(&self) -> Option<&PublishView> {
        self.publishing.view()
    }

    /// The requests after which the link check paused itself, if it did and nothing ran since.
    pub fn check_paused(&self) -> Option<u32> {
        self.jobs.check_paused()
    }

    /// How long after the magnet the eye should answer, for the countdown.
    pub fn wake_delay(&self) -> Duration {
        link::wake_delay(&self.settings)
    }

    /// The sessions in the autosave folder, newest first, as looked at when the Session screen
    /// was last shown or a session was made, saved or deleted.
    pub fn stored(&self) -> &[StoredSession] {
        self.recording.stored()
    }

    /// The file job a typed path is asked for.
    pub fn prompt(&self) -> Option<FileJob> {
        self.files.prompt()
    }

    /// The last notice.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }
}

impl Drop for Controller {
    /// The last second of register names typed goes into the session before the app ends.
    fn drop(&mut self) {
        recording::flush_map(self);
    }
}

#[cfg(test)]
mod tests;
