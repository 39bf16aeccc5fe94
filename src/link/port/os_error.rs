//! Why a port would not open, from the operating system's own error code rather than from the
//! serial library's kinds, which lose it: serialport reports a terminal held exclusively by
//! another program (EBUSY) as "no device", and on Windows a COM port in use (access denied) the
//! same way as one that does not exist. So after a failure the path is opened once more with the
//! standard library, only to read the code, and the code decides.

use std::path::{Path, PathBuf};

use crate::link::error::OpenFailure;

/// The operating systems whose codes differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OsFamily {
    /// Linux: the errno values of glibc and musl.
    Linux,
    /// macOS (and the BSDs it shares these values with).
    MacOs,
    /// Windows: the system error codes of `GetLastError`.
    Windows,
}

impl OsFamily {
    /// The system this program was built for; `None` where its codes are not known here.
    pub const CURRENT: Option<Self> = if cfg!(target_os = "linux") || cfg!(target_os = "android") {
        Some(Self::Linux)
    } else if cfg!(target_vendor = "apple") {
        Some(Self::MacOs)
    } else if cfg!(windows) {
        Some(Self::Windows)
    } else {
        None
    };
}

/// What an error code from opening a port means; `None` for codes that say nothing specific.
pub fn failure_of(code: i32, os: OsFamily) -> Option<OpenFailure> {
    match os {
        // These low errno values are the same on Linux and the BSDs; EAGAIN is not.
        OsFamily::Linux | OsFamily::MacOs => match (code, os) {
            // ENOENT, ENOTDIR; ENXIO and ENODEV: a device node with nothing behind it.
            (2 | 20 | 6 | 19, _) => Some(OpenFailure::NotFound),
            // EACCES, EPERM.
            (13 | 1, _) => Some(OpenFailure::PermissionDenied),
            // EBUSY: held exclusively (TIOCEXCL) by another program; EAGAIN/EWOULDBLOCK from a
            // lock another program holds.
            (16, _) | (11, OsFamily::Linux) | (35, OsFamily::MacOs) => Some(OpenFailure::Busy),
            // EISDIR; ENOTTY: a file that is not a terminal.
            (21 | 25, _) => Some(OpenFailure::InvalidName),
            _ => None,
        },
        OsFamily::Windows => match code {
            // ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND.
            2 | 3 => Some(OpenFailure::NotFound),
            // ERROR_ACCESS_DENIED: a COM port another program has open; ERROR_SHARING_VIOLATION.
            5 | 32 => Some(OpenFailure::Busy),
            // ERROR_INVALID_NAME.
            123 => Some(OpenFailure::InvalidName),
            _ => None,
        },
    }
}

/// The path to open for a port's name: on Windows a COM port is a device in the `\\.\`
/// namespace (needed from COM10 on, harmless below), as serialport opens it.
pub fn device_path(port: &str, os: OsFamily) -> PathBuf {
    match os {
        OsFamily::Windows if !port.starts_with(r"\\") => PathBuf::from(format!(r"\\.\{port}")),
        _ => PathBuf::from(port),
    }
}

/// The error code opening `path` gives now, or ENOTTY for a file that opens but is not a
/// terminal; `None` when it opens as one (the failure was something else) or on systems whose
/// codes are not known.
pub fn code_of(path: &Path) -> Option<i32> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Never become the terminal's controlling process, never wait for a modem line.
        options.custom_flags((nix::fcntl::OFlag::O_NOCTTY | nix::fcntl::OFlag::O_NONBLOCK).bits());
    }
    match options.open(path) {
        Err(error) => error.raw_os_error(),
        #[cfg(unix)]
        Ok(file) if !std::io::IsTerminal::is_terminal(&file) => Some(25),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_of_each_system_give_the_advice_that_fits() {
        use OpenFailure::{Busy, InvalidName, NotFound, PermissionDenied};
        let cases = [
            (OsFamily::Linux, 2, Some(NotFound)),
            (OsFamily::Linux, 19, Some(NotFound)),
            (OsFamily::Linux, 13, Some(PermissionDenied)),
            (OsFamily::Linux, 16, Some(Busy)),
            (OsFamily::Linux, 11, Some(Busy)),
            (OsFamily::Linux, 35, None),
            (OsFamily::Linux, 21, Some(InvalidName)),
            (OsFamily::Linux, 25, Some(InvalidName)),
            (OsFamily::Linux, 5, None),
            (OsFamily::MacOs, 16, Some(Busy)),
            (OsFamily::MacOs, 35, Some(Busy)),
            (OsFamily::MacOs, 11, None),
            (OsFamily::MacOs, 1, Some(PermissionDenied)),
            (OsFamily::MacOs, 6, Some(NotFound)),
            (OsFamily::Windows, 2, Some(NotFound)),
            (OsFamily::Windows, 3, Some(NotFound)),
            (OsFamily::Windows, 5, Some(Busy)),
            (OsFamily::Windows, 32, Some(Busy)),
            (OsFamily::Windows, 123, Some(InvalidName)),
            (OsFamily::Windows, 16, None),
        ];
        for (os, code, want) in cases {
            assert_eq!(failure_of(code, os), want, "{os:?} code {code}");
        }
        // The advice each gives, as the user reads it.
        let advice = |os, code| {
            let failure = failure_of(code, os).unwrap();
            crate::link::LinkError::Open {
                port: "COM3".into(),
                failure,
                detail: String::new(),
            }
            .advice()
        };
        for (os, code) in [(OsFamily::Windows, 5), (OsFamily::Linux, 16)] {
            assert!(
                advice(os, code).contains("close the other program"),
                "{os:?} {code}"
            );
        }
        for (os, code) in [
            (OsFamily::Windows, 2),
            (OsFamily::Windows, 3),
            (OsFamily::Linux, 2),
        ] {
            assert!(
                advice(os, code).contains("check the port name"),
                "{os:?} {code}"
            );
        }
        assert!(advice(OsFamily::Linux, 13).contains("dialout"));
    }

    #[test]
    fn a_com_port_is_opened_in_the_device_namespace_on_windows_only() {
        assert_eq!(
            device_path("COM12", OsFamily::Windows),
            PathBuf::from(r"\\.\COM12")
        );
        assert_eq!(
            device_path(r"\\.\COM3", OsFamily::Windows),
            PathBuf::from(r"\\.\COM3")
        );
        assert_eq!(
            device_path("/dev/ttyUSB0", OsFamily::Linux),
            PathBuf::from("/dev/ttyUSB0")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_codes_come_from_the_system_itself() {
        let dir = std::env::temp_dir().join(format!("kmp-os-error-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("not-a-port");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(code_of(&dir.join("missing")), Some(2));
        assert_eq!(code_of(&dir), Some(21));
        assert_eq!(code_of(&file), Some(25));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
