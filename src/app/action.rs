//! What a panel asks for. Panels return an [`Action`] and never act themselves; the app carries
//! it out after drawing, so nothing changes halfway through a frame.

use std::path::PathBuf;
use std::time::Duration;

use crate::export::Dialect;
use crate::kmp::{Family, RegisterId};
use crate::link::traffic::TrafficDirection;
use crate::link::{HistoryOptions, Logger};
use crate::model::RegisterKey;
use crate::mqtt::Secret;

use super::screen::Screen;
use super::settings::{Connection, MqttSettings};

/// A request from a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Action {
    /// Open the port in the settings.
    Connect,
    /// Close the port.
    Disconnect,
    /// Use this port and these line settings from the next connection on.
    Choose(Connection),
    /// Export CSV in this dialect.
    SetDialect(Dialect),
    /// Start the continuous link check.
    StartCheck,
    /// Stop the continuous link check.
    StopCheck,
    /// Pause the link check by itself after this many requests (0: never).
    SetCheckLimit(u32),
    /// Try the other line settings.
    Sweep,
    /// Ask every address from 0 to 255 which one the meter answers at.
    SearchAddresses,
    /// Use this address from now on: the port is opened again with it.
    UseAddress(u8),
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
    /// Read these registers again.
    ReadAgain(Vec<RegisterId>),
    /// Give a register a name; an empty name removes it.
    Rename {
        /// The register.
        id: RegisterId,
        /// The name.
        name: String,
    },
    /// Name registers from this family's catalogue.
    SetFamily(Option<Family>),
    /// Ask for a file for this job (native dialog, else a typed path).
    ChooseFile(FileJob),
    /// Close the recording shown on the Traffic screen.
    CloseCapture,
    /// Decode text pasted off an analyser's screen as a recording.
    PasteCapture(String),
    /// Files dropped on the window: a folder opens as a session, a file as a recording.
    OpenDropped(Vec<PathBuf>),
    /// Plot the channels of the analog recording shown around its frame of this index.
    ShowFrameSignal(usize),
    /// Do this job with this file.
    UseFile {
        /// The job.
        job: FileJob,
        /// The file.
        path: PathBuf,
        /// Whether an existing file may be replaced (the native dialog has asked already).
        replace: bool,
    },
    /// Forget the typed-path prompt.
    DismissPrompt,
    /// Hide the last notice.
    DismissNotice,
    /// Close the session (it stays on disk, listed among the recent ones) and start an empty one.
    NewSession,
    /// Delete these stored sessions (the user was asked first).
    DeleteSessions(Vec<PathBuf>),
    /// Poll these registers at this interval, for the live plots: KMP registers, or the OBIS
    /// codes or `/#1` fields of a meter read by its readout.
    StartPolling {
        /// The registers, all of one protocol.
        keys: Vec<RegisterKey>,
        /// Time between polls.
        interval: Duration,
        /// The broker's password typed on the Live screen, when polling publishes with one.
        password: Option<Secret>,
    },
    /// Publish polls to a broker, or not, as these settings say (kept between runs).
    SetMqtt(MqttSettings),
    /// Stop polling.
    StopPolling,
    /// Read the whole readout of a meter that speaks a text protocol.
    ReadReadout,
    /// Read a logger of the meter's history, or list what it holds.
    ReadHistory(HistoryOptions),
    /// Stop the logger read under way; it reports the records read so far.
    CancelHistory,
    /// Show a screen.
    Show(Screen),
}

/// Something to do with a file the user picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileJob {
    /// Save the register map (RON).
    SaveMap,
    /// Open a register map (RON).
    OpenMap,
    /// Export the register map to CSV.
    ExportMap(Dialect),
    /// Copy the session to a new folder and record on there.
    SaveSession,
    /// Open a session folder.
    OpenSession,
    /// Export the readings to CSV.
    ExportReadings(Dialect),
    /// Export the traffic lines of the kinds shown to a text file.
    ExportTraffic(TrafficFilter),
    /// Export the records read of one log to CSV.
    ExportHistory(Dialect, Logger),
    /// Open a recording from a logic analyser or sniffer.
    OpenCapture,
    /// Save what was proven as this reader's configuration.
    SaveHandover(crate::handover::Target),
}

/// Which kinds of traffic line the Traffic screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrafficFilter {
    /// Transmissions.
    pub tx: bool,
    /// Our own transmissions heard back.
    pub echo: bool,
    /// What the meter (or the line) sent.
    pub rx: bool,
}

impl Default for TrafficFilter {
    fn default() -> Self {
        Self {
            tx: true,
            echo: true,
            rx: true,
        }
    }
}

impl TrafficFilter {
    /// Whether lines of `direction` are shown.
    pub fn shows(self, direction: TrafficDirection) -> bool {
        match direction {
            TrafficDirection::Tx => self.tx,
            TrafficDirection::Echo => self.echo,
            TrafficDirection::Rx => self.rx,
        }
    }
}

impl FileJob {
    /// What the dialog and the prompt say.
    pub fn title(self) -> &'static str {
        match self {
            Self::SaveMap => "Save the register map",
            Self::OpenMap => "Open a register map",
            Self::ExportMap(_) => "Export the register map to CSV",
            Self::SaveSession => "Save the session as a new folder",
            Self::OpenSession => "Open a session folder",
            Self::ExportReadings(_) => "Export the readings to CSV",
            Self::ExportTraffic(_) => "Export the traffic lines shown",
            Self::ExportHistory(..) => "Export the logger records to CSV",
            Self::OpenCapture => "Open a recording from a logic analyser or sniffer",
            Self::SaveHandover(_) => "Save the configuration",
        }
    }

    /// Whether the job writes (rather than reads).
    pub fn writes(self) -> bool {
        !matches!(self, Self::OpenMap | Self::OpenSession | Self::OpenCapture)
    }

    /// Whether the job names a folder rather than a file.
    pub fn folder(self) -> bool {
        matches!(self, Self::SaveSession | Self::OpenSession)
    }

    /// The file or folder name offered.
    pub fn default_name(self) -> &'static str {
        match self {
            Self::SaveMap | Self::OpenMap => "register-map.ron",
            Self::ExportMap(_) => "register-map.csv",
            Self::SaveSession | Self::OpenSession => "meter-session",
            Self::ExportReadings(_) => "readings.csv",
            Self::ExportTraffic(_) => "traffic.txt",
            Self::ExportHistory(..) => "history.csv",
            Self::OpenCapture => "capture.txt",
            Self::SaveHandover(target) => match target {
                crate::handover::Target::Esphome => "meter.yaml",
                crate::handover::Target::Pykmp => "read-meter.sh",
                crate::handover::Target::SmartmeterObis => "smartmeter.json",
                crate::handover::Target::Vzlogger => "vzlogger-meter.conf",
                crate::handover::Target::Tasmota => "meter-script.txt",
                crate::handover::Target::Ser2net => "ser2net.yaml",
            },
        }
    }

    /// The file extension, without the dot (empty for folders).
    pub fn extension(self) -> &'static str {
        match self {
            Self::SaveMap | Self::OpenMap => "ron",
            Self::ExportMap(_) | Self::ExportReadings(_) | Self::ExportHistory(..) => "csv",
            Self::ExportTraffic(_) => "txt",
            Self::SaveHandover(target) => match target {
                crate::handover::Target::Esphome | crate::handover::Target::Ser2net => "yaml",
                crate::handover::Target::Pykmp => "sh",
                crate::handover::Target::SmartmeterObis => "json",
                crate::handover::Target::Vzlogger => "conf",
                crate::handover::Target::Tasmota => "txt",
            },
            // Recordings come with many extensions (.txt, .csv, .log, .sr, .vcd): no filter.
            Self::SaveSession | Self::OpenSession | Self::OpenCapture => "",
        }
    }
}
