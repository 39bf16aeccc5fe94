//! Errors of the link: the port could not be opened, or it went away.
//!
//! An exchange that got no valid answer is not an error of the port; it is an
//! [`ExchangeFailure`](super::ExchangeFailure), evidence for the diagnosis.

/// Why a port could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum OpenFailure {
    /// No such port.
    NotFound,
    /// The user may not open it.
    PermissionDenied,
    /// Another program has it open.
    Busy,
    /// The name does not name a port this program can open.
    InvalidName,
    /// It opened, but cannot set the DTR or RTS line the user asked for.
    ControlLines,
    /// A network port's server refused the connection: nothing listens there.
    Refused,
    /// A network port's host could not be reached, or did not answer.
    Unreachable,
    /// A network port's server has another client on its serial port.
    ServerBusy,
    /// Anything else the operating system said.
    Other,
}

/// What went wrong with the port itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The port could not be opened.
    #[error("cannot open {port}: {detail}")]
    Open {
        /// The port asked for.
        port: String,
        /// The kind of failure, for the advice.
        failure: OpenFailure,
        /// What the operating system said.
        detail: String,
    },
    /// The port went away while in use: an adapter unplugged, a simulator stopped.
    #[error("lost {port}: {detail}")]
    Lost {
        /// The port.
        port: String,
        /// What the operating system said.
        detail: String,
    },
}

impl LinkError {
    /// What the user can do about it, in one sentence.
    pub fn advice(&self) -> String {
        match self {
            Self::Open { failure: OpenFailure::NotFound, .. } => {
                "check the port name and that the adapter is plugged in; `kmp-workbench ports` lists the ports \
                 this machine has"
                    .into()
            }
            Self::Open { failure: OpenFailure::PermissionDenied, .. } => {
                "on Linux, add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again"
                    .into()
            }
            Self::Open { failure: OpenFailure::Busy, .. } => {
                "close the other program that has the port open (the meter maker's tool, a terminal, \
                 ModemManager, another kmp-workbench window)"
                    .into()
            }
            Self::Open { failure: OpenFailure::InvalidName, .. } => {
                "name a serial port such as /dev/ttyUSB0 or COM3, or sim:multical21 for a simulated meter"
                    .into()
            }
            Self::Open { failure: OpenFailure::ControlLines, .. } => {
                "this port has no DTR or RTS line to set (a pseudo-terminal, a network bridge, some \
                 adapters); leave --dtr and --rts (the Connection screen's DTR and RTS) unset, or power \
                 the head another way"
                    .into()
            }
            Self::Open { failure: OpenFailure::Refused, .. } => {
                "nothing listens at that address: check that ser2net (or the bridge) runs and that the \
                 port number is the one in its configuration"
                    .into()
            }
            Self::Open { failure: OpenFailure::Unreachable, .. } => {
                "check the host name or address, that this computer reaches that network, and that no \
                 firewall blocks the port"
                    .into()
            }
            Self::Open { failure: OpenFailure::ServerBusy, .. } => {
                "another client is connected to the bridge (ser2net takes one at a time): close it, or \
                 wait until it lets go"
                    .into()
            }
            Self::Open { failure: OpenFailure::Other, port, .. }
                if super::config::is_network(port) =>
            {
                "check the bridge and its configuration (ser2net's log says why it closed the \
                 connection), then connect again"
                    .into()
            }
            Self::Open { failure: OpenFailure::Other, .. } => {
                "unplug and replug the adapter, then try again".into()
            }
            Self::Lost { .. } => {
                "check the USB cable and the adapter; the link reconnects when the port comes back".into()
            }
        }
    }
}
