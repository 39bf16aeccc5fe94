//! The link itself: the port chosen, connecting and disconnecting, the link check and the
//! sweep, the magnet's countdown, and what follows a port opening or closing.

use std::time::Duration;

use crate::link::port::SIM_PREFIX;
use crate::link::{CheckOptions, Job, Now, ProbeOptions};
use crate::protocol::Protocol;
use crate::sim::Profile;

use super::{Controller, recording};
use crate::app::screen::Screen;
use crate::app::settings::{Connection, Settings};

/// The wake-up delay the countdown assumes when the meter is unknown: the MULTICAL 21 and flowIQ
/// eyes answer about 4 s after the magnet; other meters answer sooner.
const DEFAULT_WAKE_DELAY: Duration = Duration::from_secs(4);

/// Uses this port and these line settings from the next connection on.
pub(super) fn choose(state: &mut Controller, connection: Connection) {
    state.settings.connection = connection;
}

/// Opens the port in the settings.
fn connect(state: &mut Controller) {
    let connection = &state.settings.connection;
    state.view.connecting(&connection.port);
    state.jobs.link().open(connection.link_config());
}

/// Opens the port in the settings and shows the Link check screen, where the check that
/// starts once the port is open can be watched (and an opening that fails is told).
pub(super) fn connect_and_check(state: &mut Controller) {
    state.settings.screen = Screen::LinkCheck;
    connect(state);
}

/// Connects to the simulated meter `profile`, on the Link check screen.
pub(super) fn simulate(state: &mut Controller, profile: Profile) {
    state.settings.connection.port = format!("{SIM_PREFIX}{}", profile.name());
    connect_and_check(state);
}

pub(super) fn disconnect(state: &mut Controller) {
    state.jobs.link().close();
}

/// A port opened: the session records it, and the link check starts.
pub(super) fn on_opened(state: &mut Controller, now: Now) {
    if state.workspace.map().family.is_none() {
        state.workspace.map_mut().family =
            state.settings.connection.simulated().map(Profile::family);
    }
    recording::begin(state, now);
    // The link check starts by itself once a port is open: it is what a technician wants to
    // see first. A poll or check under way goes on by itself.
    if state.jobs.job().is_none() {
        start_check(state);
    }
}

/// The port closed, or did not open.
pub(super) fn on_closed(state: &mut Controller) {
    state.jobs.forget();
}

/// Starts the continuous link check.
pub(super) fn start_check(state: &mut Controller) {
    let options = CheckOptions {
        interval: state.settings.check_interval(),
        request_limit: state.settings.check_limit(),
        // The protocol chosen, else the one found, is checked in at once.
        protocol: state
            .settings
            .connection
            .protocol
            .or(state.view.spoken().map(|spoken| spoken.protocol)),
    };
    state.jobs.start(Job::Check(options), None);
}

pub(super) fn stop_check(state: &mut Controller) {
    state.jobs.cancel_if(|job| matches!(job, Job::Check(_)));
}

/// Pauses the link check by itself after `limit` requests (0: never), from its next start.
pub(super) fn set_check_limit(state: &mut Controller, limit: u32) {
    state.settings.check_request_limit = limit;
}

/// Tries the other line settings, then goes back to the link check if it ran.
pub(super) fn sweep(state: &mut Controller) {
    state.jobs.start_between_checks(Job::Sweep);
}

/// Asks GetSerialNo at every address but the one set, the known ones first, then goes back to
/// the link check if it ran; the Link check screen shows what answered.
pub(super) fn search_addresses(state: &mut Controller) {
    state.jobs.start_between_checks(Job::Probe(ProbeOptions {
        // The link check has been asking at the address set: no waiting there again.
        wait: Duration::ZERO,
        sweep: false,
        address_sweep: true,
        protocol: Some(Protocol::Kmp),
    }));
}

/// Asks the meter at `address` from now on: the port is opened again with it, and the link
/// check starts there.
pub(super) fn use_address(state: &mut Controller, address: u8) {
    state.settings.connection.address = address;
    connect(state);
}

/// The user placed the magnet (again): the countdown starts over, and the link awaits the eye
/// from now (a meter still silent after it points to the receiver).
pub(super) fn magnet_placed(state: &mut Controller, now: Now) {
    state.view.magnet_placed(now.instant);
    state.jobs.link().magnet_placed();
}

/// How long after the magnet the eye of the meter chosen should answer.
pub(super) fn wake_delay(settings: &Settings) -> Duration {
    settings
        .connection
        .simulated()
        .map_or(DEFAULT_WAKE_DELAY, Profile::default_magnet_delay)
}
