//! The controller without a window: with a fake link whose events the test writes, and with the
//! real link thread, recorder thread and simulated meters.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::*;
use crate::app::files::PickAnswer;
use crate::export::Dialect;
use crate::kmp::{Number, Register, RegisterId, Unit};
use crate::link::diagnosis::{Evidence, diagnose};
use crate::link::port::Opener;
use crate::link::port::testing::{FixedSimOpener, Plug, PluggedOpener};
use crate::link::{Command, EndReason, ReadReport};
use crate::model::{Readings, RegisterKey};
use crate::session::Session;
use crate::sim::MeterConfig;

/// The clocks as they are now, as the shell reads them once a frame.
fn now() -> Now {
    Now::new(Instant::now(), Timestamp::now())
}

/// A file dialog that answers at once, with a path or with none.
struct FixedPicker(Option<PathBuf>);

impl FilePicker for FixedPicker {
    fn pick(&mut self, answer: PickAnswer) {
        answer.give(self.0.clone());
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmp-controller-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.connection.port = "sim:multical21".into();
    settings
}

fn parts(link: LinkHandle, recorder: Recorder, sessions: Option<PathBuf>) -> Parts {
    Parts {
        settings: settings(),
        link,
        recorder,
        picker: Box::new(FixedPicker(None)),
        wake: Arc::new(|| {}),
        sessions_dir: sessions,
    }
}

/// A controller whose link is played by the test: it reads the commands and writes the events.
fn with_fake_link(
    sessions: Option<PathBuf>,
) -> (Controller, Receiver<Command>, mpsc::Sender<Event>) {
    let (commands, sent) = mpsc::channel();
    let (events, received) = mpsc::channel();
    let link = LinkHandle::from_parts(commands, received);
    let recorder = Recorder::spawn(Box::new(|| {})).unwrap();
    (
        Controller::new(parts(link, recorder, sessions)),
        sent,
        events,
    )
}

/// A controller with the real link and recorder threads, on the simulated meter `opener` opens.
fn with_link(opener: impl Opener + 'static, sessions: &Path) -> Controller {
    let recorder = Recorder::spawn(Box::new(|| {})).unwrap();
    let link = LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), Some(recorder.tap())).unwrap();
    let mut controller = Controller::new(parts(link, recorder, Some(sessions.to_path_buf())));
    controller.act(Action::Connect, now());
    wait_until(&mut controller, "the connection", |c| {
        c.link_view().is_connected() && c.workspace().session_dir().is_some()
    });
    controller
}

/// How long a test waits for the link's threads before it gives up: generous, since they run
/// on the real clock of a busy machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// Takes what arrives until `done` holds.
fn wait_until(controller: &mut Controller, what: &str, done: impl Fn(&Controller) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done(controller) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        controller.update(now());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Asks for polls of `ids` every `interval`, as the Live screen's Start polling does.
fn start_polling(controller: &mut Controller, ids: &[RegisterId], interval: Duration) {
    let keys = ids.iter().copied().map(RegisterKey::from).collect();
    let password = None;
    controller.act(
        Action::StartPolling {
            keys,
            interval,
            password,
        },
        now(),
    );
}

/// How many volume readings are on screen.
fn volumes(controller: &Controller) -> usize {
    controller
        .workspace()
        .readings()
        .get(RegisterId::V1_VOLUME.into())
        .map_or(0, |series| series.len())
}

fn meter(magnet_delay: Duration) -> MeterConfig {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.echo = true;
    config.magnet_delay = magnet_delay;
    config
}

/// Closes the port, takes everything the link said before it closed and ends the controller,
/// whose recorder then writes what is queued: gives the readings that were on screen, and those
/// journaled in the session being recorded.
fn readings_and_journal(mut controller: Controller) -> (Readings, Readings) {
    let dir = controller.workspace().session_dir().unwrap().to_path_buf();
    controller.act(Action::Disconnect, now());
    wait_until(&mut controller, "the port closed", |c| {
        matches!(
            c.link_view().connection(),
            crate::app::ConnectionState::Disconnected
        )
    });
    let readings = controller.workspace().readings().clone();
    drop(controller);
    (readings, Session::open(&dir).unwrap().readings)
}

/// The polls journaled in the session's folder, counted from the file on disk.
fn journaled_polls(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("readings.journal")).unwrap_or_default();
    text.split_inclusive('\n')
        .skip(1)
        .filter(|line| line.ends_with('\n'))
        .count()
}

fn started(commands: &Receiver<Command>) -> Vec<(JobId, Job)> {
    commands
        .try_iter()
        .filter_map(|command| match command {
            Command::Start { id, job } => Some((id, job)),
            _ => None,
        })
        .collect()
}

/// The fake link says that job `id` ended for `reason`, and the controller takes it.
fn end(
    controller: &mut Controller,
    events: &mpsc::Sender<Event>,
    id: JobId,
    reason: EndReason,
    report: Option<Report>,
) {
    let event = JobEvent::Ended(JobEnd { reason, report });
    events.send(Event::Job { id, event }).unwrap();
    controller.update(now());
}

fn volume_report(ms: i64) -> ReadReport {
    let number = Number::new(false, 8541, -3).unwrap();
    let volume =
        Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap();
    ReadReport {
        at: Timestamp::from_millisecond(ms).unwrap(),
        registers: vec![volume],
        missing: Vec::new(),
        failed: Vec::new(),
        failure: None,
        diagnosis: diagnose(&Evidence::default(), Instant::now()),
        interrupted: false,
    }
}

#[test]
fn a_poll_that_replaces_a_read_again_is_never_taken_for_it() {
    let (mut controller, commands, events) = with_fake_link(None);
    let now = now();
    controller.act(Action::ReadAgain(vec![RegisterId::V1_VOLUME]), now);
    start_polling(
        &mut controller,
        &[RegisterId::V1_VOLUME],
        Duration::from_secs(1),
    );
    let jobs = started(&commands);
    let (read, poll) = (jobs[0].0, jobs[1].0);
    assert!(matches!(jobs[1].1, Job::Poll(_)));
    // What the link says, in the order the old app mixed up: the read ends replaced, with
    // nothing read (the eye was asleep), then the polls come.
    let mut interrupted = volume_report(0);
    interrupted.registers.clear();
    interrupted.interrupted = true;
    let event = JobEvent::Ended(JobEnd {
        reason: EndReason::Replaced,
        report: Some(Report::Read(interrupted)),
    });
    events.send(Event::Job { id: read, event }).unwrap();
    for ms in [1_000, 2_000] {
        let event = JobEvent::Polled(volume_report(ms));
        events.send(Event::Job { id: poll, event }).unwrap();
    }
    controller.update(now);
    assert_eq!(
        controller.workspace().readings().polls(),
        2,
        "both polls are readings"
    );
    assert!(
        controller.workspace().map().registers.is_empty(),
        "no register read again"
    );
    assert_eq!(
        controller.notice(),
        None,
        "no word of a read again that did not happen"
    );
    assert_eq!(
        controller.polling(),
        Some(&[RegisterKey::from(RegisterId::V1_VOLUME)][..])
    );
}

#[test]
fn polling_started_while_a_read_again_waits_for_the_eye_records_every_poll() {
    let sessions = scratch("reread-then-poll");
    let mut controller = with_link(
        FixedSimOpener(meter(Duration::from_millis(1500))),
        &sessions,
    );
    let now = now();
    controller.act(Action::ReadAgain(vec![RegisterId::new(1004)]), now);
    wait_until(&mut controller, "the read's first request", |c| {
        c.link_view().requests() >= 1
    });
    let (volume, flow) = (RegisterId::V1_VOLUME, RegisterId::FLOW_V1);
    start_polling(&mut controller, &[volume, flow], Duration::from_millis(200));
    wait_until(&mut controller, "answered polls", |c| volumes(c) >= 5);
    assert!(
        controller.notice().is_none(),
        "no read again happened: {:?}",
        controller.notice()
    );
    assert!(controller.workspace().map().registers.is_empty());
    let (readings, journal) = readings_and_journal(controller);
    assert_eq!(
        journal, readings,
        "every poll on screen is in the journal, and only those"
    );
}

#[test]
fn a_read_again_cut_short_by_a_lost_port_claims_nothing_and_later_polls_are_all_recorded() {
    let sessions = scratch("reread-lost");
    let plug = Plug::default();
    let opener = PluggedOpener {
        meter: meter(Duration::from_secs(1)),
        plug: plug.clone(),
    };
    let mut controller = with_link(opener, &sessions);
    controller.act(Action::ReadAgain(vec![RegisterId::new(1004)]), now());
    wait_until(&mut controller, "the read's first request", |c| {
        c.link_view().requests() >= 1
    });
    plug.unplug();
    wait_until(&mut controller, "the loss", |c| {
        matches!(
            c.link_view().connection(),
            crate::app::ConnectionState::Lost { .. }
        )
    });
    wait_until(&mut controller, "the read's end", |c| c.job().is_none());
    plug.replug();
    wait_until(&mut controller, "the port back", |c| {
        c.link_view().is_connected() && matches!(c.job(), Some(Job::Check(_)))
    });
    start_polling(
        &mut controller,
        &[RegisterId::V1_VOLUME],
        Duration::from_millis(200),
    );
    wait_until(&mut controller, "answered polls", |c| volumes(c) >= 3);
    assert!(controller.notice().is_none(), "{:?}", controller.notice());
    assert!(controller.workspace().map().registers.is_empty());
    let (readings, journal) = readings_and_journal(controller);
    assert_eq!(journal, readings);
}

/// A file dialog that stays open until the test closes it.
struct GatedPicker {
    gate: Arc<Mutex<Option<Receiver<()>>>>,
}

impl FilePicker for GatedPicker {
    fn pick(&mut self, answer: PickAnswer) {
        let gate = self.gate.lock().unwrap().take();
        std::thread::Builder::new()
            .name("test-dialog".into())
            .spawn(move || {
                if let Some(gate) = gate {
                    let _ = gate.recv();
                }
                answer.give(None);
            })
            .unwrap();
    }
}

#[test]
fn polls_are_journaled_while_a_file_dialog_is_open_and_the_app_is_not_drawn() {
    let sessions = scratch("dialog-open");
    let mut controller = with_link(FixedSimOpener(meter(Duration::ZERO)), &sessions);
    let (close, gate) = mpsc::channel();
    controller.set_picker(Box::new(GatedPicker {
        gate: Arc::new(Mutex::new(Some(gate))),
    }));
    let dir = controller.workspace().session_dir().unwrap().to_path_buf();
    let now = now();
    start_polling(
        &mut controller,
        &[RegisterId::V1_VOLUME],
        Duration::from_millis(100),
    );
    controller.act(
        Action::ChooseFile(FileJob::ExportReadings(crate::export::Dialect::Rfc4180)),
        now,
    );
    // Nobody takes the link's events now: the app is stuck, as it was behind a modal dialog.
    let deadline = Instant::now() + Duration::from_secs(10);
    while journaled_polls(&dir) < 5 {
        assert!(
            Instant::now() < deadline,
            "the journal did not grow while the dialog was open"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    close.send(()).unwrap();
    wait_until(&mut controller, "the typed-path prompt", |c| {
        c.prompt().is_some()
    });
    assert!(controller.workspace().readings().polls() >= 5);
}

#[test]
fn a_sweep_or_scan_goes_back_to_the_link_check_when_it_is_through() {
    let (mut controller, commands, events) = with_fake_link(None);
    let now = now();
    events
        .send(Event::Opened {
            port: "sim:multical21".into(),
            line: crate::line::LineSettings::default(),
            round_trip: None,
        })
        .unwrap();
    controller.update(now);
    let check = started(&commands);
    assert!(matches!(check[..], [(_, Job::Check(_))]), "{check:?}");
    controller.act(Action::StartScan { from: 0, to: 100 }, now);
    let scan = started(&commands)[0].0;
    assert!(controller.scanning());
    // A scan that is through by itself brings the check back.
    end(&mut controller, &events, scan, EndReason::Done, None);
    assert!(matches!(started(&commands)[..], [(_, Job::Check(_))]));
    // So does one the user cancels.
    controller.act(Action::StartScan { from: 0, to: 100 }, now);
    let scan = started(&commands)[0].0;
    controller.act(Action::CancelScan, now);
    let sent: Vec<Command> = commands.try_iter().collect();
    assert!(
        matches!(&sent[..], [Command::Cancel(id), Command::Start { job: Job::Check(_), .. }] if *id == scan),
        "{sent:?}"
    );
    assert!(matches!(controller.job(), Some(Job::Check(_))));

    // Polling, then a read again: the read does not bring the check back.
    start_polling(
        &mut controller,
        &[RegisterId::V1_VOLUME],
        Duration::from_secs(5),
    );
    controller.act(Action::ReadAgain(vec![RegisterId::FLOW_V1]), now);
    let read = started(&commands)[1].0;
    let report = Report::Read(volume_report(0));
    end(
        &mut controller,
        &events,
        read,
        EndReason::Done,
        Some(report),
    );
    assert!(started(&commands).is_empty());
    assert_eq!(controller.job(), None);
    assert_eq!(
        controller.notice().map(|notice| notice.text.as_str()),
        Some("Read 1 registers again")
    );
}

#[test]
fn a_new_session_started_while_polling_shows_what_it_journals() {
    let sessions = scratch("new-while-polling");
    let mut controller = with_link(FixedSimOpener(meter(Duration::ZERO)), &sessions);
    let poll = |controller: &mut Controller| {
        start_polling(
            controller,
            &[RegisterId::V1_VOLUME],
            Duration::from_millis(20),
        );
    };
    poll(&mut controller);
    wait_until(&mut controller, "polls", |c| {
        c.workspace().readings().polls() >= 5
    });
    let first = controller.workspace().session_dir().unwrap().to_path_buf();
    // Polls arrive while the app is busy elsewhere: they are journaled in the first session
    // before the app moves to the next, and must not show there.
    std::thread::sleep(Duration::from_millis(100));
    controller.act(Action::NewSession, now());
    let second = controller.workspace().session_dir().unwrap().to_path_buf();
    assert_ne!(first, second);
    assert_eq!(controller.workspace().readings().polls(), 0);
    poll(&mut controller);
    wait_until(&mut controller, "polls", |c| {
        c.workspace().readings().polls() >= 5
    });
    let (readings, journal) = readings_and_journal(controller);
    assert_eq!(
        journal, readings,
        "the new session's journal holds what was on screen, no more, no less"
    );
    assert!(
        crate::session::Session::open(&first)
            .unwrap()
            .readings
            .polls()
            >= 5
    );
}

#[test]
fn a_typed_path_never_replaces_a_file_for_any_job_that_writes() {
    let dir = scratch("typed-every-job");
    let (mut controller, _commands, _events) = with_fake_link(None);
    let month = crate::link::Logger::Period(crate::kmp::logger::PeriodLogger::Month);
    for job in [
        FileJob::SaveMap,
        FileJob::ExportMap(Dialect::Rfc4180),
        FileJob::ExportReadings(Dialect::ExcelEu),
        FileJob::ExportTraffic(crate::app::action::TrafficFilter::default()),
        FileJob::ExportHistory(Dialect::Rfc4180, month),
        FileJob::SaveSession,
    ] {
        let path = dir.join(job.default_name());
        if job.folder() {
            std::fs::create_dir_all(path.join("kept")).unwrap();
        } else {
            std::fs::write(&path, "kept").unwrap();
        }
        controller.act(
            Action::UseFile {
                job,
                path: path.clone(),
                replace: false,
            },
            now(),
        );
        let notice = controller.notice().expect("a notice");
        assert!(
            !notice.good && notice.text.contains("exists already"),
            "{job:?}: {}",
            notice.text
        );
        if job.folder() {
            let entries: Vec<_> = std::fs::read_dir(&path).unwrap().collect();
            assert_eq!(entries.len(), 1, "{job:?} wrote into the folder");
        } else {
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept", "{job:?}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
