//! What the app has proven of the meter it is connected to, as the Hand over screen writes it
//! for another reader ([`crate::handover`]): the protocol, line and echo the link check found,
//! the address set, and every register read so far (scanned, in the readout, polled) with its
//! unit. No egui here.

use crate::handover::{Proven, ProvenRegister, Sourced};
use crate::model::RegisterKey;
use crate::protocol::Protocol;

use super::link_view::{ConnectionState, LinkView};
use super::settings::Settings;
use super::workspace::Workspace;

/// What is proven of the meter, or what is still missing and how to get it.
pub fn proven(
    settings: &Settings,
    link: &LinkView,
    workspace: &Workspace,
) -> Result<Proven, &'static str> {
    let spoken = link.spoken().ok_or(
        "Nothing is proven yet: connect and let the link check run until the meter answers.",
    )?;
    let protocol = spoken.protocol;
    let map = workspace.map();
    // What answered a scan or a read, the newest readout, and what was polled.
    let scanned = map.registers.values().map(|register| {
        (
            RegisterKey::Kmp(register.id()),
            register.unit().symbol().to_string(),
        )
    });
    let readout = workspace
        .readout()
        .into_iter()
        .flat_map(|readout| readout.readings.iter())
        .map(|reading| (reading.key, reading.unit.clone()));
    let polled = workspace
        .readings()
        .series()
        .iter()
        .filter(|series| !series.is_empty())
        .map(|series| (series.key(), series.unit().to_string()));
    let mut registers: Vec<ProvenRegister> = Vec::new();
    for (key, unit) in scanned.chain(readout).chain(polled) {
        if key.read_in(protocol) && !registers.iter().any(|known| known.key == key) {
            registers.push(ProvenRegister {
                key,
                name: map.key_name(key),
                unit,
            });
        }
    }
    if registers.is_empty() {
        return Err(
            "No register of this meter is read yet: read it on the Registers screen (a scan, or \
             the readout), or poll it on Live.",
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
