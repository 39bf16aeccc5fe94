//! The `kmp-workbench-gui` program: the app alone, for desktop launchers.
//!
//! On Windows it is a windows-subsystem program, so starting it from Explorer opens no console
//! window beside the app; the commands stay in the console program `kmp-workbench`, whose
//! standard streams, exit codes and redirection work in `cmd.exe` and PowerShell (a
//! windows-subsystem program attached to its parent's console would lose them). It takes no
//! arguments: the app's options are `kmp-workbench gui`'s.

#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use kmp_workbench::app::{self, GuiOptions};

fn main() -> ExitCode {
    let options = GuiOptions {
        sessions_dir: app::default_sessions_dir(),
        ..GuiOptions::default()
    };
    match app::run(options) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            tell(&format!(
                "kmp-workbench cannot open its window ({error}); run it on a desktop, or use the \
                 commands of the console program (kmp-workbench --help)"
            ));
            ExitCode::FAILURE
        }
    }
}

/// Says why the app did not start: on stderr, and on Windows, which gives this program no
/// console, in a message box.
#[allow(clippy::print_stderr, reason = "a program's one error message")]
fn tell(message: &str) {
    eprintln!("{message}");
    #[cfg(windows)]
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("kmp-workbench")
        .set_description(message)
        .show();
}
