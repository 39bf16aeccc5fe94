//! The Windows programs, cross-built with MinGW, run under Wine: what they print is what the
//! Linux build prints, byte for byte; a simulated meter on a pseudo-terminal, mapped to `COM5`,
//! is reached through the Windows serial code; the app draws its screens. Ignored by `cargo
//! test`: `.ci/windows` builds the programs, prepares the Wine prefix (`COM5` mapped to
//! `target/wine/com5`, which each test points at its meter) and runs these with
//! `KMP_WINDOWS_EXE` naming `kmp-workbench.exe`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{SimProcess, project_root, run_cli, stderr, stdout};

/// `kmp-workbench.exe`, cross-built.
fn exe() -> PathBuf {
    PathBuf::from(std::env::var_os("KMP_WINDOWS_EXE").expect(
        "KMP_WINDOWS_EXE names kmp-workbench.exe (.ci/windows sets it and the Wine prefix)",
    ))
}

/// Runs `kmp-workbench.exe ARGS` under Wine, from the project's root as the Linux build runs
/// (`run_cli`); stopped after two minutes, so a program that hangs under Wine fails the test instead of holding up CI.
fn wine(args: &[&str]) -> Output {
    Command::new("timeout")
        .args(["120", "wine"])
        .arg(exe())
        .args(args)
        .current_dir(project_root())
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null())
        .output()
        .expect("wine starts")
}

#[test]
#[ignore = "needs Wine and the Windows build: run by .ci/windows"]
fn the_windows_program_prints_byte_for_byte_what_the_linux_one_prints() {
    let mut commands: Vec<Vec<String>> = [
        &["--version"][..],
        &["decode", "80 3F 10 01 00 3C B2 5F 0D"],
        &[
            "decode",
            "--json",
            "40 3F 10 00 3C 02 04 00 00 01 E2 1B BF D8 EF 0D",
        ],
        // Bad input: the same error, the same exit code.
        &["decode", "80 3F zz"],
        &[
            "read",
            "--port",
            "sim:multical403",
            "--json",
            "60",
            "68",
            "74",
        ],
        &["read", "--port", "sim:kamstrup382c"],
    ]
    .iter()
    .map(|args| args.iter().map(|arg| arg.to_string()).collect())
    .collect();
    // One recording of each kind (logic, a scope's, a sound card's, a sniffer's), paths relative
    // to the project as a user types them: the JSON of each, the text of two.
    for (file, text) in [
        ("logic/d_framing.sr", true),
        ("analog/rigol_ds1054z_pulseview_reg60.sr", false),
        ("analog/saleae_logic2_analog_serialno.csv", true),
        ("analog/soundcard_48k_temps.wav", false),
        ("own/iec_300_echo.socat.log", false),
    ] {
        let file = format!("tests/data/captures/{file}");
        commands.push(vec!["capture".into(), "--json".into(), file.clone()]);
        if text {
            commands.push(vec!["capture".into(), file]);
        }
    }
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let (on_windows, on_linux) = (wine(&args), run_cli(&args));
        assert_eq!(on_windows.status.code(), on_linux.status.code(), "{args:?}");
        assert_eq!(stdout(&on_windows), stdout(&on_linux), "{args:?}");
        assert_eq!(
            without_durations(&stderr(&on_windows)),
            without_durations(&stderr(&on_linux)),
            "{args:?}"
        );
    }
}

/// `text` with each duration in milliseconds (`in 384ms`) masked: they differ from run to run.
fn without_durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == 'm' && !number.is_empty() {
            out.push('#');
        } else {
            out.push_str(&number);
        }
        number.clear();
        out.push(c);
    }
    out + &number
}

/// Points `COM5` (mapped by `.ci/windows` to `target/wine/com5`) at `terminal`.
fn map_com5(terminal: &str) {
    let link = project_root().join("target/wine/com5");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(terminal, &link).unwrap();
}

/// A command's JSON, with the port named as on Windows and the timings, which differ from run
/// to run, left out.
fn json_of(output: &Output, port: &str) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    let mut value: serde_json::Value =
        serde_json::from_str(&stdout(output).replace(port, "COM5")).unwrap();
    if let Some(object) = value.as_object_mut() {
        object.retain(|key, _| !key.starts_with("seconds_") && key != "elapsed_s");
    }
    value
}

#[test]
#[ignore = "needs Wine and the Windows build: run by .ci/windows"]
fn through_com5_the_windows_serial_code_reads_what_the_linux_build_reads() {
    let sim = SimProcess::start(&["--profile", "multical21", "--echo", "--magnet-delay", "0s"]);
    map_com5(&sim.path);
    // The port is listed in the Windows form.
    let ports = wine(&["ports", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&stdout(&ports)).unwrap();
    assert!(
        listed["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|port| port["port"] == "COM5" && port["simulated"] == false),
        "{listed}"
    );
    // Every Windows run first, then the Linux ones: a Linux program leaves the terminal at a
    // baud rate set the termios2 way (BOTHER), which Wine's GetCommState refuses as an invalid
    // parameter. Real Windows never sees a terminal a Linux program set up.
    let commands = [
        &["probe", "--json"][..],
        &["read", "--json", "68", "74", "86"],
        &["scan", "--json", "--from", "60", "--to", "90"],
    ];
    let (windows_csv, linux_csv) = (
        project_root().join("target/wine/log-windows.csv"),
        project_root().join("target/wine/log-linux.csv"),
    );
    let runs = |port: &str, csv: &Path, run: &dyn Fn(&[&str]) -> Output| -> Vec<Output> {
        let _ = std::fs::remove_file(csv);
        let mut outputs: Vec<Output> = commands
            .iter()
            .map(|command| {
                let mut args = vec![command[0], "--port", port];
                args.extend_from_slice(&command[1..]);
                run(&args)
            })
            .collect();
        let csv = csv.display().to_string();
        // `log` writes the same columns and values; only the times differ.
        outputs.push(run(&[
            "log",
            "--port",
            port,
            "--registers",
            "68,74",
            "--interval",
            "1s",
            "--duration",
            "3s",
            "--csv",
            &csv,
        ]));
        outputs
    };
    let on_windows = runs("COM5", &windows_csv, &wine);
    let on_linux = runs(&sim.path, &linux_csv, &run_cli);
    for ((command, windows), linux) in commands.iter().zip(&on_windows).zip(&on_linux) {
        assert_eq!(
            json_of(windows, &sim.path),
            json_of(linux, &sim.path),
            "{command:?}"
        );
    }
    let rows = |csv: &Path| -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(csv).unwrap();
        std::fs::remove_file(csv).unwrap();
        text.lines()
            .map(|line| line.split(',').skip(3).map(str::to_string).collect())
            .collect()
    };
    for output in [&on_windows[3], &on_linux[3]] {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    }
    let (windows_rows, linux_rows) = (rows(&windows_csv), rows(&linux_csv));
    assert!(windows_rows.len() >= 3, "{windows_rows:?}");
    assert_eq!(windows_rows[0], linux_rows[0], "the header");
    assert_eq!(windows_rows[1], linux_rows[1], "the first row's values");
    drop(sim);
}

#[test]
#[ignore = "needs Wine and the Windows build: run by .ci/windows"]
fn a_com_port_that_does_not_exist_is_not_found_with_the_fix() {
    let output = wine(&["read", "--port", "COM9", "68"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    // The advice for a port that is not there, after Windows' own words.
    assert!(text.starts_with("error: cannot open COM9: "), "{text}");
    assert!(text.contains("check the port name"), "{text}");
    assert!(text.contains("kmp-workbench ports"), "{text}");
    // Windows' own words are kept whole, without a stray full stop before the advice.
    assert!(!text.contains(".;"), "{text}");
}

/// Whether the PNG at `path` is `width` × `height` or larger and shows more than a blank
/// window: its pixels take many colours.
fn drawn(path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let step = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = pixels[..info.buffer_size()]
        .chunks(step)
        .step_by(7)
        .collect();
    (info.width, info.height, colours.len())
}

#[test]
#[ignore = "needs Wine, Xvfb and the Windows build: run by .ci/windows"]
fn the_windows_app_draws_the_link_check_and_a_recording() {
    let shots = project_root().join("target/wine/shots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, args) in [
        (
            "windows-wine-link-check.png",
            &["--simulate", "multical21", "--screenshot-after", "12s"][..],
        ),
        (
            "windows-wine-traffic-analog.png",
            &[
                "--capture",
                "tests/data/captures/analog/saleae_logic2_analog_serialno.csv",
                "--screenshot-after",
                "4s",
            ],
        ),
    ] {
        let path = shots.join(name);
        let _ = std::fs::remove_file(&path);
        let shot = path.display().to_string();
        let mut all = vec!["gui"];
        all.extend_from_slice(args);
        all.extend(["--screenshot", &shot]);
        let output = wine(&all);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let (width, height, colours) = drawn(&path);
        assert!(width >= 800 && height >= 500, "{name}: {width}×{height}");
        assert!(colours > 50, "{name}: {colours} colours, a blank window");
    }
    // The link check was recorded where Windows keeps a user's application data, with what it
    // heard in the traffic journal.
    let prefix = PathBuf::from(std::env::var_os("WINEPREFIX").expect("WINEPREFIX is set"));
    let users = prefix.join("drive_c/users");
    let newest = std::fs::read_dir(&users)
        .unwrap()
        .filter_map(|user| {
            let sessions = user
                .ok()?
                .path()
                .join("AppData/Roaming/kmp-workbench/data/sessions");
            std::fs::read_dir(sessions).ok()
        })
        .flatten()
        .filter_map(|session| session.ok().map(|session| session.path()))
        .max()
        .expect("a session under AppData");
    let traffic = std::fs::read_to_string(newest.join("traffic.journal")).unwrap();
    assert!(
        traffic.contains("GetSerialNo"),
        "{}: {traffic}",
        newest.display()
    );
}
