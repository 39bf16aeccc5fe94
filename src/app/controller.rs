//! The app's controller: it turns what the user asks for ([`Action`]s from the panels) and what
//! the link reports ([`Event`]s) into link commands and changes of state. It holds no egui type,
//! so it is tested without a window, with a real link or a fake one
//! ([`LinkHandle::from_parts`]).
//!
//! It keeps one job under way, as the link does; events are told apart by what they are and by
//! the job they name, never by flags. The session is recorded by the recorder's own thread from
//! the link's tap; the controller only tells it which session, and what else to write.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use crate::kmp::RegisterId;
use crate::link::port::SIM_PREFIX;
use crate::link::{
    CheckOptions, EndReason, Event, HistoryOptions, Job, JobEnd, JobEvent, JobId, LinkHandle, Now,
    PollPlan, ReadOptions, ReadoutOptions, ReadoutPlan, Report, ScanOptions,
};
use crate::model::RegisterKey;
use crate::protocol::Protocol;
use crate::session::{Manifest, Recorder, RecorderReport, Session, StoredSession, TrafficLog};
use crate::sim::Profile;

use super::action::{Action, FileJob};
use super::file_jobs;
use super::files::{FilePicker, PickAnswer, Picked, Wake, shown};
use super::link_view::LinkView;
use super::scan_view::ScanView;
use super::screen::Screen;
use super::settings::Settings;
use super::workspace::{RecordedSession, Workspace};

/// The wake-up delay the countdown assumes when the meter is unknown: the MULTICAL 21 and flowIQ
/// eyes answer about 4 s after the magnet; other meters answer sooner.
const DEFAULT_WAKE_DELAY: Duration = Duration::from_secs(4);

/// How many recent sessions the Session screen lists.
const RECENT: usize = 8;

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

/// The job under way, and the job to go back to when it is through.
#[derive(Clone, Debug)]
struct CurrentJob {
    id: JobId,
    job: Job,
    /// The link check, when a sweep, scan or read interrupted it.
    then: Option<Job>,
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

/// The controller; see the module documentation.
pub struct Controller {
    settings: Settings,
    // Declared before the recorder: dropped first, so the link's last events reach the
    // recorder before it writes what is queued and ends.
    link: LinkHandle,
    recorder: Recorder,
    picker: Box<dyn FilePicker>,
    wake: Wake,
    picks: (Sender<Picked>, Receiver<Picked>),
    /// The job a file dialog is open for.
    picking: Option<FileJob>,
    workspace: Workspace,
    view: LinkView,
    scans: ScanView,
    job: Option<CurrentJob>,
    prompt: Option<FileJob>,
    notice: Option<Notice>,
    sessions_dir: Option<PathBuf>,
    /// The first job whose polls belong to the session on screen: a session holds the polls
    /// of the jobs started while it is the one recorded (the recorder keeps the same rule).
    first_job: JobId,
    /// Whether the user was told that recording failed, this session.
    recording_error_shown: bool,
    /// The link check paused itself after this many requests, and nothing ran since.
    check_paused: Option<u32>,
    /// The sessions in the autosave folder, as last looked at.
    stored: Vec<StoredSession>,
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
            link,
            recorder,
            picker,
            wake,
            picks: mpsc::channel(),
            picking: None,
            workspace: Workspace::default(),
            view: LinkView::default(),
            scans: ScanView::default(),
            job: None,
            prompt: None,
            notice: None,
            sessions_dir,
            first_job: JobId::new(0),
            recording_error_shown: false,
            check_paused: None,
            stored: Vec::new(),
            poll_keys: Vec::new(),
            history_asked: None,
        }
    }

    /// Uses `picker` to ask for files from now on.
    pub fn set_picker(&mut self, picker: Box<dyn FilePicker>) {
        self.picker = picker;
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
        self.job.as_ref().map(|current| &current.job)
    }

    /// The registers being polled, if polling.
    pub fn polling(&self) -> Option<&[RegisterKey]> {
        matches!(self.job(), Some(Job::Poll(_) | Job::ReadoutPoll(_))).then_some(&*self.poll_keys)
    }

    /// The requests after which the link check paused itself, if it did and nothing ran since.
    pub fn check_paused(&self) -> Option<u32> {
        self.check_paused
    }

    /// The sessions in the autosave folder, newest first, as looked at when the Session screen
    /// was last shown or a session was made, saved or deleted.
    pub fn stored(&self) -> &[StoredSession] {
        &self.stored
    }

    /// Whether a scan is under way.
    pub fn scanning(&self) -> bool {
        matches!(self.job(), Some(Job::Scan(_)))
    }

    /// The file job a typed path is asked for.
    pub fn prompt(&self) -> Option<FileJob> {
        self.prompt
    }

    /// The last notice.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Says something went wrong (outside the link: a screenshot that could not be saved).
    pub fn report_problem(&mut self, text: String) {
        self.notice = Some(Notice { text, good: false });
    }

    /// How long after the magnet the eye should answer, for the countdown.
    pub fn wake_delay(&self) -> Duration {
        self.settings
            .connection
            .simulated()
            .map_or(DEFAULT_WAKE_DELAY, Profile::default_magnet_delay)
    }

    /// Takes what arrived: the link's events, the recorder's reports, answers from file
    /// dialogs; writes the register map into the session when it changed.
    pub fn update(&mut self, now: Now) {
        while let Some(event) = self.link.try_event() {
            self.handle(event, now);
        }
        while let Some(report) = self.recorder.try_report() {
            self.recorded(report);
        }
        while let Ok(Picked { job, path }) = self.picks.1.try_recv() {
            self.picking = None;
            match path {
                Some(path) => self.act(
                    Action::UseFile {
                        job,
                        path,
                        replace: true,
                    },
                    now,
                ),
                None => self.prompt = Some(job),
            }
        }
        if let Some(map) = self.workspace.map_to_save(now.instant) {
            self.recorder.save_map(map);
        }
        if let Err(error) = self.workspace.refresh_traffic() {
            self.recording_failed(error.to_string());
        }
    }

    /// Carries out what the user asked for.
    pub fn act(&mut self, action: Action, now: Now) {
        match action {
            Action::Connect => self.connect(),
            Action::Disconnect => self.link.close(),
            Action::Choose(connection) => self.settings.connection = connection,
            Action::SetDialect(dialect) => self.settings.dialect = dialect,
            Action::StartCheck => self.start_check(),
            Action::SetCheckLimit(limit) => self.settings.check_request_limit = limit,
            Action::StopCheck => self.cancel_if(|job| matches!(job, Job::Check(_))),
            Action::Sweep => self.start_between_checks(Job::Sweep),
            Action::StartScan { from, to } => {
                let family = self.workspace.map().family;
                let wait = Duration::from_secs(120);
                let options = ScanOptions::catalogue_first(from, to, wait, family);
                self.start_between_checks(Job::Scan(options));
            }
            Action::CancelScan => self.cancel_if(|job| matches!(job, Job::Scan(_))),
            Action::MagnetPlaced => self.view.magnet_placed(now.instant),
            Action::ReadAgain(ids) => self.start_between_checks(Job::Read(ReadOptions {
                ids,
                wait: Duration::from_secs(10),
            })),
            Action::Rename { id, name } => self.workspace.map_mut().set_name(id, &name),
            Action::SetFamily(family) => self.workspace.map_mut().family = family,
            Action::ChooseFile(job) => {
                if self.picking.is_none() {
                    self.picking = Some(job);
                    let answer = PickAnswer::new(job, self.picks.0.clone(), Arc::clone(&self.wake));
                    self.picker.pick(answer);
                }
            }
            Action::UseFile { job, path, replace } => {
                let outcome = self.use_file(job, &path, replace, now);
                if outcome.is_ok() {
                    self.prompt = None;
                }
                self.notice = Some(Notice::from(outcome));
            }
            Action::CloseCapture => self.workspace.close_capture(),
            Action::DismissPrompt => self.prompt = None,
            Action::DismissNotice => self.notice = None,
            Action::NewSession => {
                self.new_session(now);
                self.look_at_stored();
            }
            Action::DeleteSessions(dirs) => {
                self.notice = Some(Notice::from(self.delete_sessions(&dirs)));
                self.look_at_stored();
            }
            Action::StartPolling { keys, interval } => self.start_polling(keys, interval),
            Action::StopPolling => {
                self.cancel_if(|job| matches!(job, Job::Poll(_) | Job::ReadoutPoll(_)));
            }
            Action::ReadReadout => {
                let spoken = self.view.spoken().filter(|spoken| spoken.is_text());
                self.start_between_checks(Job::Readout(ReadoutOptions {
                    protocol: spoken.map(|spoken| spoken.protocol),
                    line: spoken.map(|spoken| spoken.line),
                    wait: Duration::from_secs(10),
                }));
            }
            Action::ReadHistory(options) => self.start_between_checks(Job::History(options)),
            Action::CancelHistory => self.cancel_if(|job| matches!(job, Job::History(_))),
            Action::Show(screen) => {
                self.settings.screen = screen;
                if screen == Screen::Session {
                    self.look_at_stored();
                }
            }
        }
    }

    /// Opens on `screen`, or connects to the simulated meter `simulate` at once.
    pub fn begin(&mut self, simulate: Option<Profile>, screen: Option<Screen>) {
        if let Some(profile) = simulate {
            self.settings.connection.port = format!("{SIM_PREFIX}{}", profile.name());
            self.settings.screen = Screen::LinkCheck;
            self.connect();
        }
        if let Some(screen) = screen {
            self.settings.screen = screen;
        }
    }

    /// Connects to `port`, as choosing it on the Connection screen and pressing Connect does.
    pub fn connect_at_start(&mut self, port: &str) {
        self.settings.connection.port = port.to_string();
        self.connect();
    }

    /// Opens the recording at `path` and shows it on the Traffic screen, as "Open capture…"
    /// does with a file picked.
    pub fn open_capture(&mut self, path: &Path, now: Now) {
        self.settings.screen = Screen::Traffic;
        self.act(
            Action::UseFile {
                job: FileJob::OpenCapture,
                path: path.to_path_buf(),
                replace: false,
            },
            now,
        );
    }

    /// Opens the port in the settings.
    fn connect(&mut self) {
        self.view.connecting(&self.settings.connection.port);
        self.link.open(self.settings.connection.link_config());
    }

    /// Polls `keys`: KMP registers request by request, the others by their readout.
    fn start_polling(&mut self, keys: Vec<RegisterKey>, interval: Duration) {
        let ids: Vec<RegisterId> = keys.iter().filter_map(|key| key.kmp()).collect();
        if let Some(manifest) = self.workspace.change_manifest(|manifest| {
            manifest.polled = ids.clone();
            manifest.interval_s = Some(interval.as_secs_f64());
        }) {
            self.recorder.set_manifest(manifest);
        }
        let protocol = keys.first().map_or(Protocol::Kmp, |key| key.protocol());
        let job = if protocol == Protocol::Kmp {
            Job::Poll(PollPlan { ids, interval })
        } else {
            let spoken = self
                .view
                .spoken()
                .filter(|spoken| spoken.protocol == protocol);
            Job::ReadoutPoll(ReadoutPlan {
                options: ReadoutOptions {
                    protocol: Some(protocol),
                    line: spoken.map(|spoken| spoken.line),
                    wait: Duration::ZERO,
                },
                interval,
            })
        };
        self.poll_keys = keys;
        self.start(job, None);
    }

    fn start(&mut self, job: Job, then: Option<Job>) {
        let id = self.link.start(job.clone());
        if let Job::History(options) = &job {
            self.history_asked = Some((id, options.clone()));
        }
        self.job = Some(CurrentJob { id, job, then });
        self.check_paused = None;
    }

    fn start_check(&mut self) {
        self.start(
            Job::Check(CheckOptions {
                interval: self.settings.check_interval(),
                request_limit: self.settings.check_limit(),
                // The protocol chosen, else the one found, is checked in at once.
                protocol: self
                    .settings
                    .connection
                    .protocol
                    .or(self.view.spoken().map(|spoken| spoken.protocol)),
            }),
            None,
        );
    }

    /// Starts a job that goes back to the link check when it is through, if the check was
    /// running (or was to come back after the job it replaces).
    fn start_between_checks(&mut self, job: Job) {
        let then = match &self.job {
            Some(CurrentJob {
                job: check @ Job::Check(_),
                ..
            }) => Some(check.clone()),
            Some(current) => current.then.clone(),
            None => None,
        };
        self.start(job, then);
    }

    /// Cancels the job under way if it is of `kind`; the link check comes back if the job
    /// had interrupted it.
    fn cancel_if(&mut self, kind: impl Fn(&Job) -> bool) {
        if let Some(current) = self.job.take_if(|current| kind(&current.job)) {
            self.link.cancel(current.id);
            if let Some(then) = current.then {
                self.start(then, None);
            }
        }
    }

    /// Takes one event from the link.
    pub fn handle(&mut self, event: Event, now: Now) {
        self.view.handle(&event, now.instant);
        match event {
            Event::Opened { .. } => {
                if self.workspace.map().family.is_none() {
                    self.workspace.map_mut().family =
                        self.settings.connection.simulated().map(Profile::family);
                }
                self.begin_session(now);
                // The link check starts by itself once a port is open: it is what a technician
                // wants to see first. A poll or check under way goes on by itself.
                if self.job.is_none() {
                    self.start_check();
                }
            }
            Event::Closed | Event::OpenFailed(_) => self.job = None,
            Event::Lost(_) => {}
            Event::Job { id, event } => self.handle_job(id, event),
        }
    }

    fn handle_job(&mut self, id: JobId, event: JobEvent) {
        self.workspace
            .change_map(|map| self.scans.handle(id, &event, map));
        match event {
            // Every poll's readings count, whichever job is current by now, if the poll was
            // started for this session.
            JobEvent::Polled(report) if id >= self.first_job => {
                self.workspace.record_poll(&report);
            }
            JobEvent::ReadoutPolled(report) if id >= self.first_job => {
                self.workspace.record_readout_poll(&report);
            }
            JobEvent::HistoryProgress(progress) => self.workspace.history_moved(progress),
            JobEvent::Ended(JobEnd { reason, report }) => {
                let outcome = match &report {
                    Some(Report::Read(report)) => self.workspace.read_again(report),
                    Some(Report::Readout(report)) => self.workspace.read_readout(report),
                    // Only a read of this session: its records are in the session's journal.
                    Some(Report::History(report)) if id >= self.first_job => {
                        let asked = self
                            .history_asked
                            .as_ref()
                            .filter(|(asked, _)| *asked == id)
                            .map(|(_, options)| options);
                        self.workspace.read_history(report, asked)
                    }
                    _ => None,
                };
                if let Some(outcome) = outcome {
                    self.notice = Some(Notice::from(outcome));
                }
                if let Some(ended) = self.job.take_if(|current| current.id == id) {
                    if let (Job::Check(options), EndReason::Done) = (&ended.job, reason) {
                        // The check paused itself to spare the meter's battery.
                        self.check_paused = options.request_limit;
                    }
                    if matches!(reason, EndReason::Done | EndReason::Cancelled)
                        && let Some(then) = ended.then
                    {
                        self.start(then, None);
                    }
                }
            }
            _ => {}
        }
    }

    fn recorded(&mut self, report: RecorderReport) {
        match report {
            RecorderReport::Failed(error) => self.recording_failed(error),
            RecorderReport::SavedAs(Ok(dir)) => {
                self.remember(&dir);
                self.look_at_stored();
                self.notice = Some(Notice {
                    text: format!(
                        "Saved the session to {}; recording goes on there",
                        shown(&dir)
                    ),
                    good: true,
                });
                if let Err(error) = self.workspace.session_moved(dir) {
                    // The session was saved, but its traffic cannot be shown from there.
                    self.notice = Some(Notice {
                        text: format!("Saved the session, but cannot read its traffic: {error}"),
                        good: false,
                    });
                }
            }
            RecorderReport::SavedAs(Err(error)) => {
                self.notice = Some(Notice {
                    text: format!("{error}. Recording goes on where it was."),
                    good: false,
                });
            }
        }
    }

    /// Makes sure a session records this connection: starts one if none is open.
    fn begin_session(&mut self, now: Now) {
        let (port, line) = (
            self.settings.connection.port.clone(),
            self.settings.connection.line,
        );
        if self.workspace.session().is_some() {
            if let Some(manifest) = self.workspace.change_manifest(|manifest| {
                manifest.port = port;
                manifest.line = line;
            }) {
                self.recorder.set_manifest(manifest);
            }
            return;
        }
        let Some(root) = self.sessions_dir.clone() else {
            return;
        };
        let manifest = Manifest {
            started: Some(now.wall),
            port,
            line,
            address: self.settings.connection.address,
            echo: self.settings.connection.echo,
            ..Manifest::default()
        };
        let dir = new_session_dir(&root, now);
        let started = Session::create(&dir, manifest.clone(), self.workspace.map())
            .and_then(|session| Ok((TrafficLog::open(&session.traffic_path())?, session)));
        match started {
            Ok((traffic, session)) => {
                self.recorder.begin(session, self.first_job);
                self.workspace
                    .set_session(RecordedSession::new(dir, manifest, traffic));
                self.look_at_stored();
            }
            Err(error) => self.recording_failed(error.to_string()),
        }
    }

    /// Closes the session, keeping it among the recent ones, and starts an empty one (recording
    /// at once when connected). The meter family stays; readings, registers and names go with
    /// the old session.
    fn new_session(&mut self, now: Now) {
        self.cancel_if(|job| matches!(job, Job::Poll(_) | Job::History(_)));
        self.flush_map();
        if let Some(old) = self.workspace.session_dir().map(Path::to_path_buf) {
            self.remember(&old);
        }
        self.recorder.end();
        self.workspace.clear();
        self.scans = ScanView::default();
        self.first_job = self.link.next_job();
        self.recording_error_shown = false;
        if self.view.is_connected() {
            self.begin_session(now);
        }
        if self.recording_error_shown {
            // The failure to start recording is the news.
            return;
        }
        self.notice = Some(Notice {
            text: match self.workspace.session_dir() {
                Some(dir) => format!("New session, recording to {}", shown(dir)),
                None => "New session: it starts recording when a port opens".into(),
            },
            good: true,
        });
    }

    /// Looks again at the sessions in the autosave folder.
    fn look_at_stored(&mut self) {
        self.stored = self
            .sessions_dir
            .as_deref()
            .map(crate::session::stored::list)
            .unwrap_or_default();
    }

    /// Deletes stored sessions, never the one being recorded; says what was done.
    fn delete_sessions(&mut self, dirs: &[PathBuf]) -> Result<String, String> {
        let recording = self.workspace.session_dir().map(Path::to_path_buf);
        let (mut deleted, mut freed, mut problems) = (0, 0, Vec::new());
        for dir in dirs {
            if recording.as_deref() == Some(dir) {
                problems.push(format!("{} is being recorded", shown(dir)));
                continue;
            }
            match crate::session::stored::delete(dir) {
                Ok(bytes) => {
                    deleted += 1;
                    freed += bytes;
                    let gone = dir.display().to_string();
                    self.settings
                        .recent_sessions
                        .retain(|recent| *recent != gone);
                }
                Err(error) => problems.push(error.to_string()),
            }
        }
        let done = format!(
            "Deleted {deleted} session{} ({})",
            if deleted == 1 { "" } else { "s" },
            crate::app::files::size_text(freed)
        );
        if problems.is_empty() {
            Ok(done)
        } else {
            Err(format!("{done}; kept: {}", problems.join("; ")))
        }
    }

    /// Writes the register map into the session now if it changed.
    fn flush_map(&mut self) {
        if let Some(map) = self.workspace.unsaved_map() {
            self.recorder.save_map(map);
        }
    }

    /// Does `job` with the file at `path`; says what was done, or what went wrong and the fix.
    fn use_file(
        &mut self,
        job: FileJob,
        path: &Path,
        replace: bool,
        now: Now,
    ) -> Result<String, String> {
        let shown_path = shown(path);
        if job.writes() && !replace && path.exists() {
            return Err(format!(
                "{shown_path} exists already and was left as it is; choose a new name"
            ));
        }
        match job {
            FileJob::SaveSession => {
                if self.workspace.session().is_none() {
                    return Err(
                        "Nothing is recorded yet: connect to a port and a session starts by itself."
                            .into(),
                    );
                }
                self.recorder
                    .save_as(path.to_path_buf(), self.workspace.map());
                Ok(format!("Saving the session to {shown_path}…"))
            }
            FileJob::OpenSession => self.open_session(path),
            job => file_jobs::carry_out(&mut self.workspace, job, path, now),
        }
    }

    fn open_session(&mut self, path: &Path) -> Result<String, String> {
        let shown_path = shown(path);
        let same = |dir: &Path| {
            std::fs::canonicalize(dir).ok() == std::fs::canonicalize(path).ok()
                || std::fs::canonicalize(dir.join("session.ron")).ok()
                    == std::fs::canonicalize(path).ok()
        };
        if self.workspace.session_dir().is_some_and(same) {
            return Err(format!("{shown_path} is the session being recorded now"));
        }
        let opened = Session::open(path)
            .map_err(|error| format!("{error}. The session on screen was kept."))?;
        self.cancel_if(|job| matches!(job, Job::Poll(_) | Job::History(_)));
        self.flush_map();
        self.first_job = self.link.next_job();
        let cut = if opened.report.cut_short {
            " (its last poll was cut short by a crash and is left out)"
        } else {
            ""
        };
        let session = RecordedSession::new(
            opened.session.dir().to_path_buf(),
            opened.session.manifest().clone(),
            opened.traffic,
        );
        self.recorder.begin(opened.session, self.first_job);
        self.workspace
            .open(opened.readings, opened.history, opened.map, session);
        self.scans = ScanView::default();
        self.recording_error_shown = false;
        self.remember(path);
        let records = match self.workspace.history_records() {
            0 => String::new(),
            records => format!(", {records} logger records"),
        };
        Ok(format!(
            "Opened {shown_path}: {} polls{records}{cut}",
            self.workspace.readings().polls()
        ))
    }

    /// Puts `path` first in the recent sessions.
    fn remember(&mut self, path: &Path) {
        let path = path.display().to_string();
        let recent = &mut self.settings.recent_sessions;
        recent.retain(|known| *known != path);
        recent.insert(0, path);
        recent.truncate(RECENT);
    }

    /// Tells the user once a session that recording failed, and why.
    fn recording_failed(&mut self, error: String) {
        if !self.recording_error_shown {
            self.recording_error_shown = true;
            self.notice = Some(Notice {
                text: format!(
                    "Recording the session failed: {error}. Readings stay on screen; save the \
                     session elsewhere (Session screen)."
                ),
                good: false,
            });
        }
    }
}

impl Drop for Controller {
    /// The last second of register names typed goes into the session before the app ends.
    fn drop(&mut self) {
        self.flush_map();
    }
}

/// A new folder for a session under `root`, named by the local time `now`, when it starts. The folder is
/// made here, by one `create_dir` that fails if it exists, so two windows started in the same
/// second each get their own (`…_2` for the second) instead of sharing one. A folder that
/// cannot be made for another reason is returned all the same, for the session to report why.
fn new_session_dir(root: &Path, now: Now) -> PathBuf {
    let stamp = now
        .wall
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d_%H%M%S")
        .to_string();
    // Any failure here shows again, with its path, when the session is created.
    let _ = std::fs::create_dir_all(root);
    let mut n = 1;
    loop {
        let dir = match n {
            1 => root.join(&stamp),
            _ => root.join(format!("{stamp}_{n}")),
        };
        match std::fs::create_dir(&dir) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            _ => return dir,
        }
    }
}

#[cfg(test)]
mod tests;
