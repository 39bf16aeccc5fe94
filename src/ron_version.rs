//! RON files with a `version` field: the version is read on its own before the rest, so a file
//! written by a newer program is refused as newer rather than misread or called garbage.

use serde::de::DeserializeOwned;

/// Why a versioned RON document was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionedError {
    /// Not RON, cut short, no version field, or not the expected shape: what the parser found.
    Invalid(String),
    /// It declares a version newer than the reader knows.
    TooNew(u32),
}

/// Reads `text` as a `T` if it declares a version no newer than `newest`.
pub fn parse<T: DeserializeOwned>(text: &str, newest: u32) -> Result<T, VersionedError> {
    let version = version_of(text).map_err(VersionedError::Invalid)?;
    if version > newest {
        return Err(VersionedError::TooNew(version));
    }
    ron::Options::default()
        .from_str(text)
        .map_err(|error| VersionedError::Invalid(error.to_string()))
}

/// The version a RON document declares, or what the parser found wrong with it.
fn version_of(text: &str) -> Result<u32, String> {
    #[derive(serde::Deserialize)]
    struct Version {
        version: u32,
    }
    ron::Options::default()
        .from_str::<ron::Value>(text)
        .map_err(|error| error.to_string())?
        .into_rust::<Version>()
        .map(|found| found.version)
        .map_err(|_| "no version field".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Doc {
        version: u32,
        #[serde(default)]
        name: String,
    }

    #[test]
    fn the_version_is_read_whatever_else_the_file_holds() {
        assert_eq!(
            version_of("(version: 3, later: [1, 2], field: \"x\")"),
            Ok(3)
        );
        assert!(version_of("(later: 1)").unwrap_err().contains("no version"));
        assert!(version_of("(version: ").is_err());
    }

    #[test]
    fn newer_documents_are_refused_before_their_shape_is_looked_at() {
        assert_eq!(
            parse::<Doc>("(version: 1, name: \"a\")", 1),
            Ok(Doc {
                version: 1,
                name: "a".into()
            })
        );
        assert_eq!(
            parse::<Doc>("(version: 2, unknown: 1)", 1),
            Err(VersionedError::TooNew(2))
        );
        assert!(matches!(
            parse::<Doc>("(version: 1, name: 5)", 1),
            Err(VersionedError::Invalid(_))
        ));
    }
}
