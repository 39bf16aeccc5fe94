//! What the app has proven of the meter it is connected to, as the Hand over screen writes it
//! for another reader ([`crate::handover`]): the protocol, line and echo the link check found,
//! the address set, and every register read so far (scanned, in the readout, polled) with its
//! unit. No egui here.

use crate::handover::recorded::{self, Recorded};
use crate::handover::{Proven, ProvenRegister, Sourced};
use crate::protocol::Protocol;

use super::link_view::{ConnectionState, LinkView};
use super::settings::Settings;
use super::workspace::Workspace;

/// What is proven of the meter, or what is still missing and how to get it: what the link
/// found; when no meter is connected, what the session on screen recorded (it may have been
/// opened since).
pub fn proven(
    settings: &Settings,
    link: &LinkView,
    workspace: &Workspace,
) -> Result<Proven, String> {
    let connected = !matches!(link.connection(), ConnectionState::Disconnected);
    let session = workspace.session();
    let spoken = match (link.spoken(), session) {
        (Some(spoken), _) if connected => spoken,
        (_, Some(session)) if session.manifest().spoken.is_some() => {
            return recorded::proven(Recorded {
                dir: session.dir(),
                manifest: session.manifest(),
                map: workspace.map(),
                readings: workspace.readings(),
                directions: session.traffic().directions(),
            });
        }
        (Some(spoken), _) => spoken,
        (None, _) => {
            return Err(
                "Nothing is proven yet: connect and let the link check run until the meter \
                 answers (or open a session that recorded one)."
                    .into(),
            );
        }
    };
    let protocol = spoken.protocol;
    // What answered a scan or a read, the newest readout, and what was polled.
    let readout = workspace
        .readout()
        .into_iter()
        .flat_map(|readout| readout.readings.iter());
    let registers =
        ProvenRegister::gather(protocol, workspace.map(), readout, workspace.readings());
    if registers.is_empty() {
        return Err(
            "No register of this meter is read yet: read it on the Registers screen (a scan, or \
             the readout), or poll it on Live."
                .into(),
        );
    }
    let port = match link.connection() {
        ConnectionState::Connected { port, .. }
        | ConnectionState::Connecting { port }
        | ConnectionState::Lost { port } => port.clone(),
        ConnectionState::Disconnected => settings.connection.port.clone(),
    };
    let mut proven = Proven::new(spoken, Sourced::given(port), registers);
    // A meter found pushing is only listened to: its echo is not tested after.
    let echo = link.echo_rate().map(|rate| rate > 0.0);
    proven.echo = match echo {
        Some(echo) if !spoken.push => Sourced::measured(echo),
        _ => Sourced::default_value(echo.unwrap_or(false)),
    };
    if let Some(interval) =
        session.and_then(|session| recorded::interval(session.manifest(), workspace.readings()))
    {
        proven.interval = interval;
    }
    proven.address = (protocol == Protocol::Kmp).then(|| {
        let address = settings.connection.address;
        if link.identity().is_some() {
            Sourced::measured(address)
        } else {
            Sourced::given(address)
        }
    });
    Ok(proven)
}
