//! `kmp-workbench decode` and `ports`, run as a script would: stdout, stderr and exit codes.

use kmp_workbench::kmp::{MeterType, Response};

use crate::support::{run_cli, stderr, stdout};

fn decode_json(hex: &str) -> String {
    let output = run_cli(&["decode", "--json", hex]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    stdout(&output)
}

#[test]
fn register_answer_prints_the_register_object_of_the_contract() {
    assert_eq!(
        decode_json("40 3F 10 00 44 28 04 43 00 00 21 5D A3 90 0D"),
        concat!(
            r#"{"direction":"response","destination":63,"cid":16,"registers":[{"id":68,"id_hex":"0x0044","#,
            r#""name":"V1 volume","unit":"m³","unit_code":40,"value":"8.541","display":"8.541 m³","raw":"2804430000215D"}]}"#,
            "\n"
        )
    );
}

#[test]
fn request_prints_the_requested_ids() {
    assert_eq!(
        decode_json("80 3F 10 01 00 44 4D C0 0D"),
        "{\"direction\":\"request\",\"destination\":63,\"cid\":16,\"requested\":[68]}\n"
    );
}

#[test]
fn serial_number_answer_prints_the_serial_as_text() {
    assert_eq!(
        decode_json("40 3F 02 01 23 45 67 E9 56 0D"),
        "{\"direction\":\"response\",\"destination\":63,\"cid\":2,\"serial\":\"19088743\"}\n"
    );
}

#[test]
fn type_answer_prints_type_and_revision() {
    let frame = Response::Type(MeterType {
        meter_type: 0x002F,
        revision: 0x0102,
    })
    .encode(0x3F);
    assert_eq!(
        decode_json(&kmp_workbench::kmp::to_hex(&frame)),
        "{\"direction\":\"response\",\"destination\":63,\"cid\":1,\"meter_type\":\"0x002F\",\"revision\":\"A2\"}\n"
    );
}

#[test]
fn lone_ack_prints_ack() {
    assert_eq!(
        decode_json("06"),
        "{\"direction\":\"response\",\"ack\":true}\n"
    );
}

#[test]
fn other_commands_print_their_raw_data() {
    // B8 of the OMNIPOWER dialect (sub-command 00), which has no layout here.
    assert_eq!(
        decode_json("80 3F B8 00 1B F9 01 04 17 00 01 00 00 00 00 01 E8 0D"),
        "{\"direction\":\"request\",\"destination\":63,\"cid\":184,\"data\":\"0006010417000100000000\"}\n"
    );
}

#[test]
fn a_logger_answer_prints_its_records_newest_first_with_register_objects() {
    let json = decode_json(
        "40 3F B8 1B F9 04 00 03 03 00 00 00 BC 00 00 02 85 00 1B BF 03 EA 2F 04 00 00 00 00 04 03 EB 30 04 00 00 03 AE 4F 01 5C 4F 07 00 00 18 0C 1F 00 00 04 00 00 00 04 00 03 AE 4E 00 18 0C 1E 00 00 04 00 00 00 04 00 03 AE 4D 00 18 0C 1D 00 00 04 F2 2D 0D",
    );
    assert!(
        json.starts_with(
            r#"{"direction":"response","destination":63,"cid":184,"logger":"day","newest_id":645,"info":"0040","#
        ),
        "{json}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let records = value["records"].as_array().unwrap();
    let ids: Vec<u64> = records
        .iter()
        .map(|r| r["record_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [188, 187, 186]);
    assert_eq!(records[0]["registers"][1]["display"], "2024-12-31");
    assert_eq!(records[2]["registers"][2]["display"], "2024-12-29 00:00:04");
    assert_eq!(records[0]["registers"][2]["id"], 348);
}

#[test]
fn a_logger_request_prints_the_fields_it_asks_for_and_a0_time_stays_hex() {
    assert_eq!(
        decode_json("80 7F A2 01 02 00 3C 00 44 03 1B 7F 10 F3 52 13 0D"),
        "{\"direction\":\"request\",\"destination\":127,\"cid\":162,\"log\":1,\"registers\":[60,68],\"records\":3,\"max_len\":128,\"from_id\":4339}\n"
    );
    let a0 = decode_json("80 7F A0 01 02 00 3C 00 44 03 1B 7F 07 05 18 0A 1E 00 00 00 AC 1C 0D");
    assert!(a0.contains(r#""time":"0705180A1E000000""#), "{a0}");
    let output = run_cli(&[
        "decode",
        "80 7F A0 01 02 00 3C 00 44 03 1B 7F 07 05 18 0A 1E 00 00 00 AC 1C 0D",
    ]);
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("byte order disputed"), "{table}");
    assert!(
        !table.contains("2007"),
        "the time field is never read as a date: {table}"
    );
}

#[test]
fn unknown_register_has_a_null_name_and_unknown_unit_an_empty_one() {
    // Register 0x1234 with unit code 0xEE: neither is in any catalogue.
    let frame = "40 3F 10 12 34 EE 01 00 07";
    let physical = {
        let data: Vec<u8> = frame
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect();
        let crc = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM).checksum(&data[1..]);
        format!("{frame} {:02X} {:02X} 0D", crc >> 8, crc & 0xFF)
    };
    let json = decode_json(&physical);
    assert!(
        json.contains(r#""name":null,"unit":"","unit_code":238,"value":"7","display":"7""#),
        "{json}"
    );
}

#[test]
fn table_output_shows_name_value_and_unit() {
    let output = run_cli(&["decode", "40 3F 10 00 44 28 04 43 00 00 21 5D A3 90 0D"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("GetRegister (0x10)"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("V1 volume")
            && l.contains("8.541 m³")
            && l.contains("2804430000215D")),
        "{text}"
    );
}

#[test]
fn hex_may_come_as_separate_arguments() {
    let output = run_cli(&["decode", "--json", "80", "3F", "02", "35", "E9", "0D"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"direction\":\"request\",\"destination\":63,\"cid\":2}\n"
    );
}

#[test]
fn family_picks_the_register_names() {
    // Register 1023 is actual power on a 382 electricity meter and unnamed for heat and water.
    let answer = "40 3F 10 03 FF 15 02 00 01 F4";
    let data: Vec<u8> = answer
        .split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    let crc = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM).checksum(&data[1..]);
    let frame = format!("{answer} {:02X} {:02X} 0D", crc >> 8, crc & 0xFF);
    let electricity = decode_json_with(&["--family", "electricity"], &frame);
    assert!(!electricity.contains(r#""name":null"#), "{electricity}");
    assert!(electricity.contains(r#""unit":"W""#), "{electricity}");
    let default = decode_json_with(&[], &frame);
    assert!(default.contains(r#""name":null"#), "{default}");
}

fn decode_json_with(extra: &[&str], hex: &str) -> String {
    let mut args = vec!["decode", "--json"];
    args.extend_from_slice(extra);
    args.push(hex);
    stdout(&run_cli(&args))
}

#[test]
fn bad_crc_is_exit_3_with_the_numbers_on_stderr() {
    let output = run_cli(&[
        "decode",
        "--json",
        "80 02 12 F0 00 02 00 00 42 00 60 03 C0 03 C8 1A 00 0D",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(stdout(&output), "");
    let message = stderr(&output);
    assert!(
        message.starts_with("error: crc mismatch (computed 0x8EC4, frame says 0x1A00)"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
}

#[test]
fn text_that_is_not_hex_is_exit_3() {
    for bad in ["80 3G", "80 3F 1", "hello"] {
        let output = run_cli(&["decode", bad]);
        assert_eq!(output.status.code(), Some(3), "{bad}");
        assert!(stderr(&output).starts_with("error: "), "{bad}");
    }
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(run_cli(&["decode"]).status.code(), Some(2));
    assert_eq!(
        run_cli(&["decode", "--family", "gas", "06"]).status.code(),
        Some(2)
    );
    assert_eq!(run_cli(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn no_input_makes_it_panic() {
    for input in [
        "40",
        "0D",
        "1B",
        "40 0D",
        "40 1B 0D",
        "80 3F 10 FF 0D",
        "40 3F 10 00 44 FF FF FF FF 0D",
        &"11 ".repeat(2000),
    ] {
        let output = run_cli(&["decode", input]);
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "{input}: {:?}",
            output.status
        );
        assert!(!stderr(&output).contains("panicked"), "{input}");
    }
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kmp-workbench"))
        .args(["decode", "40 3F 10 00 44 28 04 43 00 00 21 5D A3 90 0D"])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn ports_lists_the_simulated_meters_first() {
    let output = run_cli(&["ports", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let ports = json["ports"].as_array().unwrap();
    assert_eq!(ports[0]["port"], "sim:multical21");
    assert_eq!(ports[0]["simulated"], true);
    assert_eq!(
        ports.iter().filter(|p| p["simulated"] == true).count(),
        kmp_workbench::sim::Profile::ALL.len()
    );
}

/// Without a display, both programs say why the window cannot open and exit 1: the console
/// program as the contract's port failure, the GUI program (windows-subsystem on Windows) in the
/// one message it has. Linux only: elsewhere there is no display to take away.
#[cfg(target_os = "linux")]
#[test]
fn without_a_display_both_programs_say_why_the_window_cannot_open() {
    for (program, args) in [
        (env!("CARGO_BIN_EXE_kmp-workbench"), &["gui"][..]),
        (env!("CARGO_BIN_EXE_kmp-workbench-gui"), &[][..]),
    ] {
        let output = std::process::Command::new(program)
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .output()
            .unwrap();
        let said = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{program}: {said}");
        assert!(
            said.contains("cannot open") && said.contains("window") && said.contains("--help"),
            "{program}: {said}"
        );
    }
}
