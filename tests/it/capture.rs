//! `capture` as a user or a script runs it: recordings the real tools made, decoded and
//! diagnosed; files that are no recording refused with exit 3.

use crate::support::{data_file, run_cli, stderr, stdout};

fn capture(args: &[&str], file: &str) -> std::process::Output {
    let path = data_file(&format!("captures/{file}"));
    let mut all: Vec<&str> = vec!["capture"];
    all.extend_from_slice(args);
    let path = path.display().to_string();
    all.push(&path);
    run_cli(&all)
}

fn json(file: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let output = capture(&args, file);
    assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn a_pulseview_export_is_decoded_and_diagnosed_with_times_from_the_samplerate() {
    let value = json(
        "pulseview/a_good.export_all.txt",
        &["--samplerate", "100000"],
    );
    assert_eq!(value["format"], "pulseview");
    assert_eq!(value["protocol"], "kmp");
    assert_eq!(value["diagnosis_code"], "ok");
    let frames = value["frames"].as_array().unwrap();
    let directions: Vec<&str> = frames
        .iter()
        .map(|f| f["direction"].as_str().unwrap())
        .collect();
    assert_eq!(directions, ["tx", "echo", "rx"]);
    assert_eq!(frames[0]["hex"], "80 3F 10 01 00 44 4D C0 0D");
    assert!(frames[2]["meaning"].as_str().unwrap().contains("8.541 m³"));
    assert_eq!(frames[0]["t"], 0.02084);
    let gap = frames[2]["gap_s"].as_f64().unwrap();
    assert!((gap - 0.060).abs() < 0.002, "{gap}");
    assert!((value["reaction_s"].as_f64().unwrap() - gap).abs() < 1e-12);
    assert_eq!(value["request_interval_s"], serde_json::Value::Null);
    // Bytes carry no volts.
    assert_eq!(value["analog"], serde_json::Value::Null);
    assert_eq!(value["signal"], serde_json::json!([]));
}

#[test]
fn without_a_samplerate_sample_numbers_give_no_times_but_keep_the_order() {
    let value = json("pulseview/a_good.export_all.txt", &[]);
    let frames = value["frames"].as_array().unwrap();
    assert!(frames.iter().all(|frame| frame["t"].is_null()));
    assert_eq!(frames[0]["direction"], "tx");
    let text = stdout(&capture(&[], "pulseview/a_good.export_all.txt"));
    assert!(text.contains("--samplerate"), "{text}");
}

#[test]
fn the_four_scenarios_get_the_link_checks_diagnoses() {
    for (file, code) in [
        ("socat/a_good.log", "ok"),
        (
            "saleae/b_echo_only.logic2_table.constructed.csv",
            "echo_only",
        ),
        ("sigrok/c_garbled.jsontrace.json", "garbled"),
        ("sigrok/d_framing.ann_all_samplenum_l4.txt", "ok"),
    ] {
        let value = json(file, &[]);
        assert_eq!(value["diagnosis_code"], code, "{file}");
    }
    let framing = json("sigrok/d_framing.ann_all_samplenum_l4.txt", &[]);
    assert_eq!(framing["frames"][2]["error"], serde_json::Value::Null);
    assert_eq!(
        framing["frames"][2]["warnings"][0],
        "framing error on byte 8"
    );
    let garbled = json("sigrok/c_garbled.jsontrace.json", &[]);
    assert!(
        garbled["frames"][2]["error"]
            .as_str()
            .unwrap()
            .contains("crc")
    );
}

#[test]
fn the_timeline_says_what_the_recording_shows() {
    let output = capture(
        &[],
        "sigrok/a_good.from_bin_wrongnames.ann_samplenum_l4.txt",
    );
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("ok: The meter answers"), "{text}");
    assert!(text.contains("swapped"), "{text}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("80 3F 10"))
        .collect();
    assert!(
        lines[0].contains(" TX ") && lines[1].contains(" ECHO "),
        "{text}"
    );
}

#[test]
fn files_that_are_no_recording_are_exit_3_with_what_is_known_or_what_to_do() {
    for file in [
        "not_recordings/a_good.cmd",
        "not_recordings/COMMANDS.txt",
        "not_recordings/VERSION.txt",
        "not_recordings/uart_1200_8n2.pvs",
        "misc/a_good.rx_stream.cat-v.txt",
    ] {
        let output = capture(&[], file);
        assert_eq!(output.status.code(), Some(3), "{file}");
        let said = stderr(&output);
        assert!(
            said.contains("pulseview") && said.contains("socat"),
            "{file}: {said}"
        );
    }
    let output = capture(&[], "socat/a_good_v_only.log");
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("socat -x -v"),
        "{}",
        stderr(&output)
    );
    let forced = capture(&["--format", "saleae-table"], "socat/a_good.log");
    assert_eq!(
        forced.status.code(),
        Some(3),
        "a forced format that does not fit"
    );
}

#[test]
fn raw_logic_is_decoded_by_the_programs_own_uart_decoder() {
    for file in ["logic/a_good.vcd", "logic/a_good.sr"] {
        let value = json(file, &[]);
        assert_eq!(value["baud"], 1200, "{file}");
        assert_eq!(value["line"], "1200 8N2", "{file}");
        assert_eq!(value["diagnosis_code"], "ok", "{file}");
        assert_eq!(value["frames"][0]["t"], 0.02, "{file}");
    }
    let named = json(
        "logic/b_echo_only.sr",
        &["--tx", "D0", "--rx", "D1", "--baud", "1200"],
    );
    assert_eq!(named["diagnosis_code"], "echo_only");
    let missing = capture(&["--tx", "TXD"], "logic/a_good.vcd");
    assert_eq!(missing.status.code(), Some(3));
    assert!(stderr(&missing).contains("D0, D1"), "{}", stderr(&missing));
    let wrong_rate = json("logic/a_good.vcd", &["--baud", "2400"]);
    assert_ne!(
        wrong_rate["diagnosis_code"], "ok",
        "at the wrong rate nothing decodes"
    );
}

/// The frames of a `capture --json` answer as direction and bytes.
/// The hex of each frame in `capture --json`'s `value`.
fn hex_of(value: &serde_json::Value) -> Vec<&str> {
    value["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| frame["hex"].as_str().unwrap())
        .collect()
}

fn frames_of(value: &serde_json::Value) -> Vec<(String, String)> {
    value["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| {
            (
                frame["direction"].as_str().unwrap().to_string(),
                frame["hex"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Recordings made for these tests with the real tools (`own/COMMANDS.txt`): dumps at other
/// rates and framings turned into sigrok session files and decoded by sigrok-cli. The program's
/// own decoder finds each line's settings from the signal and reads the same frames from the
/// raw files as sigrok-cli's decoder, told the settings, wrote out.
#[test]
fn recordings_at_other_rates_decode_as_sigrok_clis_own_decoder_read_them() {
    for (name, line, protocol, code) in [
        ("iec_300_7e1", "300 7E1", "iec62056-21", "ok"),
        ("kmp_2400_8n2", "2400 8N2", "kmp", "ok"),
        ("kmp_9600_8n1_errors", "9600 8N1", "kmp", "ok"),
    ] {
        let sigrok = json(
            &format!("own/{name}.ann_all_samplenum_l4.txt"),
            &["--samplerate", "1000000"],
        );
        assert_eq!(sigrok["protocol"], protocol, "{name}");
        assert_eq!(sigrok["diagnosis_code"], code, "{name}");
        let by_sigrok = frames_of(&sigrok);
        for raw in ["vcd", "sr"] {
            let file = format!("own/{name}.{raw}");
            let value = json(&file, &[]);
            assert_eq!(value["line"], line, "{file}");
            assert_eq!(value["protocol"], protocol, "{file}");
            assert_eq!(value["diagnosis_code"], code, "{file}");
            assert_eq!(frames_of(&value), by_sigrok, "{file}");
            // Each frame starts at its start bit; sigrok-cli's data annotations, one bit later.
            let bit = 1.0 / value["baud"].as_f64().unwrap();
            for (k, frame) in value["frames"].as_array().unwrap().iter().enumerate() {
                let (t, theirs) = (frame["t"].as_f64().unwrap(), &sigrok["frames"][k]["t"]);
                let theirs = theirs.as_f64().unwrap();
                assert!(
                    (theirs - t - bit).abs() < 20e-6,
                    "{file} frame {k}: {t} {theirs}"
                );
            }
        }
    }
    // The framing error on answer byte 8 and the break 20 ms after the answer, from the raw
    // signal: the answer's value stands, with the warning; the break is shown after it.
    let value = json("own/kmp_9600_8n1_errors.sr", &[]);
    let frames = value["frames"].as_array().unwrap();
    let answer = &frames[2];
    assert!(answer["meaning"].as_str().unwrap().contains("8.541 m³"));
    assert_eq!(answer["warnings"][0], "framing error on byte 8");
    let last = frames.last().unwrap();
    assert_eq!(
        (&last["direction"], &last["hex"]),
        (&"rx".into(), &"".into())
    );
    let t = last["t"].as_f64().unwrap();
    // 20 ms after the answer ended at 165.104 ms (synthesize.py).
    assert!((t - 0.185_104).abs() < 2e-6, "the break began at {t}");
    let text = stdout(&capture(&[], "own/kmp_9600_8n1_errors.sr"));
    assert!(
        text.contains("a break: the line held low for longer than a character"),
        "{text}"
    );
}

/// socat between two pseudo-terminals, the simulated meter pacing its bytes in real time and
/// echoing as a head does (`own/COMMANDS.txt`): the reaction is timed from the end of the echo
/// (socat shows the request written at once), so it is the meter's own 60 ms; an IEC meter's
/// identification and readout answer one sign-on.
#[test]
fn socat_recordings_of_the_simulated_meters_time_the_reaction_from_the_echo() {
    let kmp = json("own/kmp_2400_echo.socat.log", &[]);
    assert_eq!(kmp["diagnosis_code"], "ok");
    let reaction = kmp["reaction_s"].as_f64().unwrap();
    assert!((reaction - 0.060).abs() < 0.002, "{reaction}");
    assert!(
        kmp["frames"][2]["meaning"]
            .as_str()
            .unwrap()
            .contains("123.456 m³")
    );
    let iec = json("own/iec_300_echo.socat.log", &[]);
    assert_eq!(iec["protocol"], "iec62056-21");
    assert_eq!(iec["diagnosis_code"], "ok");
    assert!(
        iec["diagnosis"]
            .as_str()
            .unwrap()
            .contains("1 of 1 requests"),
        "{}",
        iec["diagnosis"]
    );
    let frames = iec["frames"].as_array().unwrap();
    let directions: Vec<&str> = frames
        .iter()
        .map(|f| f["direction"].as_str().unwrap())
        .collect();
    assert_eq!(directions, ["tx", "echo", "rx", "rx"]);
    assert!(
        frames[3]["meaning"]
            .as_str()
            .unwrap()
            .starts_with("readout of 9 lines")
    );
    assert!(frames[2]["gap_s"].is_f64() && frames[3]["gap_s"].is_null());
}

#[test]
fn analyser_text_with_a_break_for_a_zero_is_the_request_its_echo_and_no_answer() {
    // As a forum user's analyser showed GetRegister 60 sent and heard back: its 0x00 as BREAK.
    let value = json("analyser/getregister-60-echo-only.txt", &[]);
    assert_eq!(value["format"], "analyser-text");
    assert_eq!(value["diagnosis_code"], "echo_only");
    let frames = value["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 2, "{value}");
    assert_eq!(frames[0]["direction"], "tx");
    assert_eq!(frames[0]["hex"], "80 3F 10 01 00 3C B2 5F 0D");
    assert_eq!(frames[0]["meaning"], "request GetRegister 60");
    assert_eq!(frames[1]["direction"], "echo");
    let warning = frames[0]["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("BREAK") && warning.contains("8N1"),
        "{warning}"
    );
}

#[test]
fn decode_takes_a_frame_as_the_analyser_showed_it() {
    let output = run_cli(&[
        "decode",
        "--json",
        "0x80  0x3F[?]  0x10  0x01  BREAK 0x3C[<] 0xB2  0x5F[_]  0x0D",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["requested"][0], 60);
    assert!(stderr(&output).contains("read 1 BREAK as 0x00"));
    // A break no zero explains is refused, with what to check.
    let output = run_cli(&["decode", "0x80 0x3F BREAK 0x0D"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("baud rate"), "{}", stderr(&output));
}

#[test]
fn analog_recordings_are_cut_to_logic_at_levels_found_in_the_signal_and_diagnosed() {
    // PulseView's session of a scope's channels, Rigol's CSV, Saleae's analog export (RX idling low: an inverting head), WaveForms' with
    // `#` header lines, a noise burst and a flipped bit; TRUTH.txt gives their bytes.
    for (file, diagnosis, frames) in [
        // What PulseView saves from a Rigol through sigrok's driver: float32 volts.
        (
            "rigol_ds1054z_pulseview_reg60.sr",
            "ok",
            &[
                "80 3F 10 01 00 3C B2 5F 0D",
                "80 3F 10 01 00 3C B2 5F 0D",
                "40 3F 10 00 3C 02 04 00 00 01 E2 1B BF D8 EF 0D",
            ][..],
        ),
        (
            "rigol_ds1054z_echo_only_reg60.csv",
            "echo_only",
            &["80 3F 10 01 00 3C B2 5F 0D", "80 3F 10 01 00 3C B2 5F 0D"][..],
        ),
        (
            "saleae_logic2_analog_serialno.csv",
            "ok",
            &[
                "80 3F 02 35 E9 0D",
                "80 3F 02 35 E9 0D",
                "40 3F 02 00 BC 61 4E B4 83 0D",
            ][..],
        ),
        // A sound card's: AC-coupled (drifting to zero between edges), inverted, at 0.4 of full
        // scale; read by its edges.
        (
            "soundcard_48k_temps.wav",
            "ok",
            &[
                "80 3F 10 02 00 56 00 57 4B 1F 0D",
                "80 3F 10 02 00 56 00 57 4B 1F 0D",
                "40 3F 10 00 56 25 02 42 19 8F 00 57 25 02 42 0E ED 4A DD 0D",
            ][..],
        ),
        (
            "waveforms_garbled_reg60.csv",
            "garbled",
            &[
                "80 3F 10 01 00 3C B2 5F 0D",
                "80 3F 10 01 00 3C B2 5F 0D",
                "40 3F 10 00 3C 02 04 00 00 21 E2 1B BF D8 EF 0D",
            ][..],
        ),
    ] {
        let value = json(&format!("analog/{file}"), &[]);
        let format = match file.rsplit('.').next() {
            Some("sr") => "sr",
            Some("wav") => "wav",
            _ => "scope-csv",
        };
        assert_eq!(value["format"], format, "{file}");
        // Each was sent at 1200 8N2; a noise burst and slow edges do not make it look like 8N1.
        assert_eq!(value["line"], "1200 8N2", "{file}");
        assert_eq!(value["diagnosis_code"], diagnosis, "{file}: {value}");
        let hex = hex_of(&value);
        assert_eq!(hex, frames, "{file}");
        // What the volts say: levels near the model's 0 and 3.3 V, and the inverting head; a
        // sound card's levels are no volts.
        let analog = &value["analog"];
        if format == "wav" {
            assert_eq!(*analog, serde_json::Value::Null);
            assert_eq!(value["signal"], serde_json::json!([]));
            continue;
        }
        assert!(
            analog["tx"]["swing_v"].as_f64().unwrap() > 3.0,
            "{file}: {analog}"
        );
        // The model's echo is a reflection, less deep than the answer; a silent meter leaves RX
        // at its noise after the request.
        let (echo, answer) = (
            analog["echo_swing_v"].as_f64().unwrap(),
            analog["answer_swing_v"].as_f64().unwrap(),
        );
        assert_eq!(analog["answer_read"], diagnosis != "echo_only", "{file}");
        if diagnosis == "echo_only" {
            assert!(answer < 0.3 && echo > 1.5, "{file}: {analog}");
        } else {
            assert!(echo < answer && answer > 2.5, "{file}: {analog}");
        }
        let inverted = file.starts_with("saleae");
        assert_eq!(analog["rx"]["inverted"], inverted, "{file}");
        let codes: Vec<&str> = value["signal"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            if inverted { &["inverted_rx"][..] } else { &[] },
            "{file}"
        );
    }
}

#[test]
fn siglent_exports_in_each_layout_decode_as_the_same_recording() {
    // Saleae's analog export rewritten as each Siglent layout the public parsers read: the
    // scope's own with its settings, the same without them ("Para Save" off), bin2csv's
    // without a `Source` line, and the older CL models' with a blank line; numbers as each
    // writes them.
    let saleae = std::fs::read_to_string(data_file(
        "captures/analog/saleae_logic2_analog_serialno.csv",
    ))
    .unwrap();
    let rows: Vec<(f64, f64, f64)> = saleae
        .lines()
        .skip(1)
        .map(|line| {
            let mut parts = line.split(',').map(|part| part.parse::<f64>().unwrap());
            let mut next = || parts.next().unwrap();
            (next(), next(), next())
        })
        .collect();
    let data = |row: &dyn Fn(&(f64, f64, f64)) -> String| -> String {
        rows.iter().map(|r| row(r) + "\r\n").collect()
    };
    let count = rows.len();
    let layouts = [
        (
            "x-e",
            format!(
                "Record Length,Analog:{count},\r\nSample Interval,Analog:3.200000E-05,\r\n\
                 Vertical Units,CH1:V, CH2:V,,\r\nModel Number,SDS1104X-E,\r\n\
                 Source,CH1,CH2\r\nSecond,Value,Value\r\n"
            ) + &data(&|(t, a, b)| format!("{t:+E},{a:+E},{b:+E}")),
        ),
        (
            "short",
            "Source,CH1,CH2\r\nSecond,Volt,Volt\r\n".to_string()
                + &data(&|(t, a, b)| format!("{t:.11},{a:.5},{b:.5}")),
        ),
        (
            "bin2csv",
            format!("Record Length,Analog:{count}\r\nSample Rate,31250.0\r\nSecond,Volt,Volt\r\n")
                + &data(&|(t, a, b)| format!("{t:.11}, {a:.5}, {b:.5}")),
        ),
        (
            "cl",
            format!(
                "Record Length,{count}\r\nSample Interval,CH1:0.000032 CH2:0.000032\r\n\
                 Model Number,ADS1202CL+,,\r\n\r\nSource,CH1,CH2\r\nSecond,Volt,Volt\r\n"
            ) + &data(&|(t, a, b)| format!(" {t:.11},{a:.5},{b:.5}")),
        ),
    ];
    for (name, text) in layouts {
        let path =
            std::env::temp_dir().join(format!("kmp-{}-siglent-{name}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let path_text = path.display().to_string();
        let output = run_cli(&["capture", "--json", &path_text]);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(value["format"], "scope-csv", "{name}");
        assert_eq!(value["diagnosis_code"], "ok", "{name}: {value}");
        let hex = hex_of(&value);
        assert_eq!(
            hex,
            [
                "80 3F 02 35 E9 0D",
                "80 3F 02 35 E9 0D",
                "40 3F 02 00 BC 61 4E B4 83 0D"
            ],
            "{name}"
        );
        assert_eq!(value["analog"]["rx"]["inverted"], true, "{name}");
    }
}

#[test]
fn a_mixed_signal_session_is_read_by_the_channels_that_hold_the_exchange() {
    // Logic channels left unconnected beside the scope's analog ones on the head (written by
    // `own/mixed.py`, loaded back by sigrok-cli): the logic holds no byte, so the volts are read.
    let file = "own/mixed_idle_logic_reg60.sr";
    let value = json(file, &[]);
    assert_eq!(value["format"], "sr");
    assert_eq!(value["line"], "1200 8N2");
    assert_eq!(value["diagnosis_code"], "ok", "{value}");
    assert_eq!(frames_of(&value).len(), 3);
    assert!(value["analog"]["rx"]["swing_v"].as_f64().unwrap() > 3.0);
    // Naming the analog channels reads them at once; naming the idle logic ones says why not.
    let named = json(file, &["--tx", "CH1", "--rx", "CH2"]);
    assert_eq!(frames_of(&named), frames_of(&value));
    let output = capture(&["--tx", "D0", "--rx", "D1"], file);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("its analog channels"),
        "{}",
        stderr(&output)
    );
}
