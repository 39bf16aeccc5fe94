//! The sessions kept in a folder (the app's autosave folder): when each started and how much of
//! the disk it takes, so old ones can be found and deleted. Only a folder with a session's
//! manifest in it is ever deleted.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{MANIFEST, MAX_MANIFEST_BYTES, Manifest, SessionError, io_error, read_limited};

/// A session on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// Its folder.
    pub dir: PathBuf,
    /// When it started, as its manifest says.
    pub started: Option<Timestamp>,
    /// The bytes its files take.
    pub bytes: u64,
}

/// The sessions in `root`, newest first. Folders that hold no session, and any that cannot be
/// read, are left out.
pub fn list(root: &Path) -> Vec<StoredSession> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut sessions: Vec<StoredSession> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|dir| dir.join(MANIFEST).is_file())
        .map(|dir| StoredSession {
            started: started(&dir),
            bytes: size(&dir),
            dir,
        })
        .collect();
    sessions.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| b.dir.cmp(&a.dir)));
    sessions
}

/// Deletes the session in `dir`; returns the bytes freed. A folder without a session's
/// manifest is refused and left as it is.
pub fn delete(dir: &Path) -> Result<u64, SessionError> {
    if !dir.join(MANIFEST).is_file() {
        return Err(SessionError::NotASession {
            path: dir.display().to_string(),
        });
    }
    let bytes = size(dir);
    fs::remove_dir_all(dir).map_err(io_error(dir))?;
    Ok(bytes)
}

fn started(dir: &Path) -> Option<Timestamp> {
    let path = dir.join(MANIFEST);
    let text = read_limited(&path, MAX_MANIFEST_BYTES).ok()?;
    Manifest::from_ron(&text, &path.display().to_string())
        .ok()?
        .started
}

/// The bytes of the files in `dir` (a session's files lie side by side).
fn size(dir: &Path) -> u64 {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.metadata().ok())
            .filter(fs::Metadata::is_file)
            .map(|metadata| metadata.len())
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RegisterMap;
    use crate::session::Session;

    #[test]
    fn sessions_are_listed_newest_first_with_their_size_and_only_sessions_are_deleted() {
        let root = std::env::temp_dir().join(format!("kmp-stored-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for (name, second) in [("old", 1_700_000_000), ("new", 1_800_000_000)] {
            let manifest = Manifest {
                started: Some(Timestamp::from_second(second).unwrap()),
                ..Manifest::default()
            };
            Session::create(&root.join(name), manifest, &RegisterMap::default()).unwrap();
        }
        fs::create_dir_all(root.join("photos")).unwrap();
        fs::write(root.join("photos/meter.jpg"), b"not a session").unwrap();
        let stored = list(&root);
        let names: Vec<&str> = stored
            .iter()
            .map(|s| s.dir.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["new", "old"]);
        assert!(stored.iter().all(|s| s.bytes > 0));
        assert!(matches!(
            delete(&root.join("photos")),
            Err(SessionError::NotASession { .. })
        ));
        assert!(root.join("photos/meter.jpg").is_file(), "left as it was");
        assert_eq!(delete(&root.join("old")).unwrap(), stored[1].bytes);
        assert_eq!(list(&root).len(), 1);
        fs::remove_dir_all(&root).unwrap();
    }
}
