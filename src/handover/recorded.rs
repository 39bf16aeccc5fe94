//! What a recorded session proved (`config --session DIR`, and the Hand over screen showing a
//! session opened while no meter is connected): the protocol and line its manifest kept from
//! the link check, the echo its traffic shows, and every register the meter answered in it.

use std::path::Path;
use std::time::Duration;

use crate::link::EchoMode;
use crate::link::traffic::TrafficDirection;
use crate::model::{Readings, RegisterMap};
use crate::protocol::{Protocol, Spoken};
use crate::session::{Contents, Manifest};

use super::{Proven, ProvenRegister, Sourced};

/// A recorded session, as read from its folder or as the app holds it.
#[derive(Clone, Copy, Debug)]
pub struct Recorded<'a> {
    /// Its folder.
    pub dir: &'a Path,
    /// Its manifest.
    pub manifest: &'a Manifest,
    /// Its register map: the registers scanned or read.
    pub map: &'a RegisterMap,
    /// The polls and readouts.
    pub readings: &'a Readings,
    /// Which way each traffic line went.
    pub directions: &'a [TrafficDirection],
}

impl<'a> From<&'a Contents> for Recorded<'a> {
    fn from(contents: &'a Contents) -> Self {
        Self {
            dir: &contents.dir,
            manifest: &contents.manifest,
            map: &contents.map,
            readings: &contents.readings,
            directions: contents.traffic.directions(),
        }
    }
}

/// What the session `recorded` proved, or why nothing is.
pub fn proven(recorded: Recorded<'_>) -> Result<Proven, String> {
    let manifest = recorded.manifest;
    let spoken = spoken(recorded)?;
    let registers = ProvenRegister::gather(
        spoken.protocol,
        recorded.map,
        std::iter::empty(),
        recorded.readings,
    );
    if registers.is_empty() {
        return Err(format!(
            "the session in {} holds no register the meter answered: nothing is proven to hand \
             over (read or poll the meter with it recording)",
            recorded.dir.display()
        ));
    }
    let mut proven = Proven::new(&spoken, Sourced::given(manifest.port.clone()), registers);
    proven.echo = echo(echo_heard(recorded.directions), manifest, &spoken);
    // The meter answered at the address the session asked at.
    proven.address =
        (spoken.protocol == Protocol::Kmp).then(|| Sourced::measured(manifest.address));
    if let Some(interval) = interval(manifest, recorded.readings) {
        proven.interval = interval;
    }
    Ok(proven)
}

/// The interval the session last polled at: measured when two polls at it were answered (the
/// meter tolerated it), else as given.
pub fn interval(manifest: &Manifest, readings: &Readings) -> Option<Sourced<Duration>> {
    let seconds = manifest.interval_s.filter(|s| s.is_finite() && *s > 0.0)?;
    let interval = Duration::from_secs_f64(seconds);
    let answered = readings.series().iter().map(|s| s.len()).max();
    Some(if answered.unwrap_or(0) >= 2 {
        Sourced::measured(interval)
    } else {
        Sourced::given(interval)
    })
}

/// Whether the traffic shows the head hearing its own requests: an echo heard, or requests
/// answered with none; nothing when nothing was both sent and received.
pub fn echo_heard(directions: &[TrafficDirection]) -> Option<bool> {
    let has = |direction| directions.contains(&direction);
    if has(TrafficDirection::Echo) {
        Some(true)
    } else if has(TrafficDirection::Tx) && has(TrafficDirection::Rx) {
        Some(false)
    } else {
        None
    }
}

/// The echo as the traffic showed it, else as the session was set to.
fn echo(heard: Option<bool>, manifest: &Manifest, spoken: &Spoken) -> Sourced<bool> {
    match (heard, manifest.echo) {
        // A pushing meter is only listened to: what was sent before says nothing of its head.
        (Some(heard), _) if !spoken.push => Sourced::measured(heard),
        (_, EchoMode::On) => Sourced::given(true),
        (_, EchoMode::Off) => Sourced::given(false),
        (_, EchoMode::Auto) => Sourced::default_value(false),
    }
}

/// What the meter was found speaking: as the manifest kept it, or for a session recorded
/// before manifests kept it, KMP at the session's line when KMP registers answered in it.
fn spoken(recorded: Recorded<'_>) -> Result<Spoken, String> {
    if let Some(spoken) = &recorded.manifest.spoken {
        return Ok(spoken.clone());
    }
    let answered_kmp = !recorded.map.registers.is_empty()
        || recorded
            .readings
            .series()
            .iter()
            .any(|series| !series.is_empty() && series.key().kmp().is_some());
    let text = recorded
        .readings
        .series()
        .iter()
        .any(|series| !series.is_empty() && series.key().kmp().is_none());
    let line = recorded.manifest.line;
    match (answered_kmp, text) {
        (true, _) => Ok(Spoken::new(Protocol::Kmp, None, (line, line), false)),
        (false, true) => Err(format!(
            "the session in {} does not say at which settings the meter's readout came (it was \
             recorded by an older kmp-workbench): hand over from the meter itself with --port",
            recorded.dir.display()
        )),
        (false, false) => Err(format!(
            "the meter never answered in the session in {}: nothing is proven to hand over",
            recorded.dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::kmp::{Number, Register, RegisterId, Unit};
    use crate::line::LineSettings;
    use crate::link::traffic::TrafficRecord;
    use crate::session::Session;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kmp-recorded-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn volume(mantissa: u128) -> Register {
        let number = Number::new(false, mantissa, -3).unwrap();
        Register::from_number(RegisterId::V1_VOLUME, Unit::from_code(0x28), number, 4).unwrap()
    }

    fn traffic(session: &mut Session, direction: TrafficDirection) {
        let record = TrafficRecord {
            at: Timestamp::from_second(1_790_000_000).unwrap(),
            direction,
            bytes: vec![0x80, 0x3F],
            meaning: String::new(),
        };
        session.record_traffic(&record).unwrap();
    }

    /// A session of `polls` answered polls of register 68 at `interval_s`, its traffic
    /// going `directions`.
    fn session(name: &str, polls: i64, directions: &[TrafficDirection]) -> Contents {
        let dir = scratch(name);
        let manifest = Manifest {
            port: "/dev/ttyUSB0".into(),
            line: LineSettings::KMP,
            interval_s: Some(30.0),
            ..Manifest::default()
        };
        let mut session = Session::create(&dir, manifest, &RegisterMap::default()).unwrap();
        for &direction in directions {
            traffic(&mut session, direction);
        }
        for poll in 0..polls {
            let at = Timestamp::from_second(1_790_000_000 + 30 * poll).unwrap();
            session.record_poll(at, &[volume(123_456)]).unwrap();
        }
        drop(session);
        let contents = Contents::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        contents
    }

    #[test]
    fn kmp_polls_prove_the_line_address_echo_registers_and_interval() {
        use TrafficDirection::{Echo, Rx, Tx};
        let contents = session("polls", 3, &[Tx, Echo, Rx]);
        let proven = proven((&contents).into()).unwrap();
        assert_eq!(proven.protocol, Protocol::Kmp);
        assert_eq!(proven.port, Sourced::given("/dev/ttyUSB0".to_string()));
        assert_eq!(proven.line, Sourced::measured(LineSettings::KMP));
        assert_eq!(proven.echo, Sourced::measured(true));
        assert_eq!(proven.address, Some(Sourced::measured(0x3F)));
        assert_eq!(proven.interval, Sourced::measured(Duration::from_secs(30)));
        let keys: Vec<String> = proven.registers.iter().map(|r| r.key.to_string()).collect();
        assert_eq!(keys, ["68"]);
        assert_eq!(proven.registers[0].unit, "m³");
    }

    #[test]
    fn one_poll_proves_no_pace_and_answers_without_an_echo_prove_none() {
        use TrafficDirection::{Rx, Tx};
        let contents = session("one", 1, &[Tx, Rx]);
        let proven = proven((&contents).into()).unwrap();
        assert_eq!(proven.echo, Sourced::measured(false));
        assert_eq!(proven.interval, Sourced::given(Duration::from_secs(30)));
    }

    #[test]
    fn a_session_the_meter_never_answered_proves_nothing() {
        let contents = session("silent", 0, &[TrafficDirection::Tx]);
        let error = proven((&contents).into()).unwrap_err();
        assert!(error.contains("never answered"), "{error}");
    }

    #[test]
    fn the_echo_is_learned_only_from_requests_that_were_heard() {
        use TrafficDirection::{Echo, Rx, Tx};
        assert_eq!(echo_heard(&[Tx, Echo]), Some(true));
        assert_eq!(echo_heard(&[Tx, Rx, Tx, Rx]), Some(false));
        assert_eq!(echo_heard(&[Tx, Tx]), None);
        assert_eq!(echo_heard(&[Rx, Rx]), None);
    }
}
