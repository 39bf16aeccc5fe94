//! The session manifest, `session.ron`: the format version, when the session started, the port
//! and line settings, and what was polled. Fields added in later versions have defaults, so an
//! older manifest opens with them filled in; a newer one is refused rather than misread.

use jiff::Timestamp;

use crate::kmp::{DEFAULT_DESTINATION, RegisterId};
use crate::line::LineSettings;
use crate::link::EchoMode;
use crate::protocol::Spoken;
use crate::ron_version::VersionedError;

use super::SessionError;

/// The manifest version this program writes and the newest it opens.
pub const MANIFEST_VERSION: u32 = 1;

/// What a session was recorded with.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Manifest {
    /// The format version.
    pub version: u32,
    /// When the session started.
    pub started: Option<Timestamp>,
    /// The port: a path or `sim:PROFILE`.
    pub port: String,
    /// Baud rate and framing.
    pub line: LineSettings,
    /// The meter's address.
    pub address: u8,
    /// Whether the head echoes.
    pub echo: EchoMode,
    /// The registers polled last.
    pub polled: Vec<RegisterId>,
    /// The polling interval last used, in seconds.
    pub interval_s: Option<f64>,
    /// What the link check found the meter speaking, at which settings; none until it
    /// answered (and in sessions from before it was kept, or of `log`, which checks nothing).
    pub spoken: Option<Spoken>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            version: MANIFEST_VERSION,
            started: None,
            port: String::new(),
            line: LineSettings::default(),
            address: DEFAULT_DESTINATION,
            echo: EchoMode::Auto,
            polled: Vec::new(),
            interval_s: None,
            spoken: None,
        }
    }
}

impl Manifest {
    /// The manifest as RON text.
    pub fn to_ron(&self) -> String {
        let manifest = Self {
            version: MANIFEST_VERSION,
            ..self.clone()
        };
        // Plain strings, numbers and enums always serialise.
        ron::ser::to_string_pretty(&manifest, ron::ser::PrettyConfig::new()).unwrap_or_default()
    }

    /// A manifest from RON text; `path` names the file in errors.
    pub fn from_ron(text: &str, path: &str) -> Result<Self, SessionError> {
        crate::ron_version::parse(text, MANIFEST_VERSION).map_err(|error| match error {
            VersionedError::Invalid(detail) => SessionError::Invalid {
                path: path.to_string(),
                detail,
            },
            VersionedError::TooNew(version) => SessionError::TooNew {
                path: path.to_string(),
                version,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Protocol;

    #[test]
    fn a_manifest_reads_back_as_written() {
        let manifest = Manifest {
            started: Some(Timestamp::from_second(1_790_000_000).unwrap()),
            port: "/dev/ttyUSB0".into(),
            polled: vec![RegisterId::V1_VOLUME, RegisterId::FLOW_V1],
            interval_s: Some(5.0),
            spoken: Some(Spoken::new(
                Protocol::Iec,
                Some("KAM5MC403".into()),
                (LineSettings::iec(1), LineSettings::iec(1).at(9600)),
                false,
            )),
            ..Manifest::default()
        };
        let back = Manifest::from_ron(&manifest.to_ron(), "m").unwrap();
        assert_eq!(back, manifest);
    }

    #[test]
    fn an_older_manifest_opens_with_defaults_and_a_newer_one_is_refused() {
        let old = Manifest::from_ron("(version: 0, port: \"sim:multical21\")", "m").unwrap();
        assert_eq!(old.port, "sim:multical21");
        assert_eq!(old.line, LineSettings::default());
        assert!(matches!(
            Manifest::from_ron("(version: 2, whatever: 1)", "m"),
            Err(SessionError::TooNew { version: 2, .. })
        ));
        for bad in ["", "(", "[1, 2]", "(port: \"x\")"] {
            let error = Manifest::from_ron(bad, "session.ron").unwrap_err();
            assert!(error.to_string().contains("session.ron"), "{error}");
        }
    }
}
