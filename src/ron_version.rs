//! The `version` field of a RON file, read on its own before the rest, so a file written by a
//! newer program is refused as newer rather than misread or called garbage.

/// The version a RON document declares, or what the parser found wrong with it.
pub fn version_of(text: &str) -> Result<u32, String> {
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

    #[test]
    fn the_version_is_read_whatever_else_the_file_holds() {
        assert_eq!(
            version_of("(version: 3, later: [1, 2], field: \"x\")"),
            Ok(3)
        );
        assert!(version_of("(later: 1)").unwrap_err().contains("no version"));
        assert!(version_of("(version: ").is_err());
    }
}
