//! Writing a whole file so that a crash or a full disk never leaves it half written: the bytes go
//! to a temporary file beside it, which is synced and then renamed over the target.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `bytes` to `path`, replacing it only once they are all on disk.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |out| out.write_all(bytes))
}

/// Writes what `fill` writes to `path`, replacing it only once it is all on disk; if `fill`
/// fails, `path` is left as it was.
pub fn write_with<T, E: From<io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<fs::File>) -> Result<T, E>,
) -> Result<T, E> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(".partial");
    let temporary = path.with_file_name(temporary_name);
    let result = (|| {
        let mut out = BufWriter::new(fs::File::create(&temporary)?);
        let value = fill(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        Ok(value)
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = std::env::temp_dir().join(format!("kmp-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("map.ron");
        write(&path, b"old").unwrap();
        write(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        assert!(write(&dir.join("missing-dir").join("x"), b"x").is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_that_fails_part_way_leaves_the_old_file_whole() {
        let dir = std::env::temp_dir().join(format!("kmp-atomic-fail-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("readings.csv");
        write(&path, b"the old export\n").unwrap();
        let failed: io::Result<()> = write_with(&path, |out| {
            out.write_all(b"half of the new")?;
            Err(io::Error::other("the disk is full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "the disk is full");
        assert_eq!(fs::read(&path).unwrap(), b"the old export\n");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "no partial file left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
