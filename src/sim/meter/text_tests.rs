//! The simulated meters that speak IEC 62056-21 and `/#1`: what they answer, at which line
//! settings, and that they hear nothing at the wrong ones.

use std::time::{Duration, Instant};

use super::{Meter, MeterConfig, SWITCH_PAUSE, Timing};
use crate::iec::{self, Bcc, Readout, Request};
use crate::kmp::RegisterId;
use crate::line::LineSettings;
use crate::mc66::{self, Field};
use crate::sim::profile::Profile;

const MS: Duration = Duration::from_millis(1);

fn meter(profile: Profile) -> (Meter, Instant) {
    let start = Instant::now();
    (Meter::new(MeterConfig::new(profile), start), start)
}

/// Sends `bytes` at `line`, then collects what reaches a client whose port is at `listen` from
/// `switch_after` the request on, for ten seconds.
fn ask(
    meter: &mut Meter,
    at: Instant,
    line: LineSettings,
    bytes: &[u8],
    listen: LineSettings,
    switch_after: Duration,
) -> Vec<u8> {
    meter.set_line(line, at);
    meter.handle_input(bytes, at);
    let mut heard = meter.poll_transmit(at + switch_after).unwrap_or_default();
    meter.set_line(listen, at + switch_after);
    heard.extend(
        meter
            .poll_transmit(at + Duration::from_secs(10))
            .unwrap_or_default(),
    );
    heard
}

fn sign_on(meter: &mut Meter, at: Instant, line: LineSettings) -> Vec<u8> {
    ask(
        meter,
        at,
        line,
        &Request::sign_on(None).encode(),
        line,
        Duration::ZERO,
    )
}

/// Splits what came after a sign-on into the identification line and the readout block.
fn ident_and_block(heard: &[u8]) -> (&[u8], &[u8]) {
    let end = heard.iter().position(|&b| b == b'\n').expect("a line end") + 1;
    heard.split_at(end)
}

fn value<'a>(readout: &'a Readout, address: &str) -> &'a str {
    let line = readout
        .lines
        .iter()
        .find(|line| line.address.as_str() == address)
        .unwrap_or_else(|| panic!("no {address} in the readout"));
    &line.values[0].text
}

#[test]
fn the_382c_answers_a_sign_on_at_300_7e1_with_its_identification_and_readout() {
    let (mut meter, at) = meter(Profile::Kamstrup382C);
    let heard = sign_on(&mut meter, at, LineSettings::iec(1));
    let (ident, block) = ident_and_block(&heard);
    let ident = iec::Identification::decode(ident).unwrap();
    assert_eq!(ident.manufacturer, "KAM");
    assert_eq!(ident.mode(), iec::Mode::A);
    let readout = Readout::decode(block).unwrap();
    assert_eq!(readout.bcc, Bcc::Xor);
    let addresses: Vec<&str> = readout.lines.iter().map(|l| l.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "0.0.0", "1.8.0", "1.8.1", "1.8.2", "1.8.3", "1.8.4", "96.8.0", "0.128.1", "1.6.0"
        ]
    );
    assert_eq!(value(&readout, "0.0.0"), "05812345", "the serial number");
    assert_eq!(value(&readout, "1.8.1"), "0008123.000");
    assert_eq!(readout.lines[1].values[0].unit.as_deref(), Some("kWh"));
    assert_eq!(
        readout.lines[8].values.len(),
        2,
        "power with its time stamp"
    );
}

#[test]
fn a_sign_on_at_the_wrong_settings_gets_no_answer() {
    let (mut meter, at) = meter(Profile::Multical41);
    assert!(sign_on(&mut meter, at, LineSettings::iec(1)).is_empty());
    assert!(sign_on(&mut meter, at + MS, LineSettings::iec(2).at(1200)).is_empty());
    assert!(sign_on(&mut meter, at + 2 * MS, LineSettings::KMP).is_empty());
    assert_eq!(meter.stats().answered, 0);
    assert_eq!(meter.stats().unread, 3 * 5);

    let heard = sign_on(&mut meter, at + 3 * MS, LineSettings::iec(2));
    let (ident, block) = ident_and_block(&heard);
    assert_eq!(ident, b"/KAM0MCC\r\n");
    let readout = Readout::decode(block).unwrap();
    assert_eq!(
        readout.bcc,
        Bcc::Sum,
        "the MULTICAL 41's arithmetic check character"
    );
    assert!(value(&readout, "6.8").parse::<f64>().unwrap() > 0.0);
}

#[test]
fn a_kmp_meter_ignores_the_iec_sign_on_and_kmp_at_the_wrong_baud() {
    let (mut meter, at) = meter(Profile::Multical403);
    assert!(sign_on(&mut meter, at, LineSettings::iec(1)).is_empty());
    let request = crate::kmp::Request::GetSerialNo.encode(0x3F);
    let slow = LineSettings::KMP.at(300);
    assert!(ask(&mut meter, at + MS, slow, &request, slow, Duration::ZERO).is_empty());
    let one_stop = LineSettings {
        stop_bits: 1,
        ..LineSettings::KMP
    };
    assert!(
        !ask(
            &mut meter,
            at + 2 * MS,
            one_stop,
            &request,
            one_stop,
            Duration::ZERO
        )
        .is_empty(),
        "8N1 is read, and the 8N2 answer too"
    );
    assert_eq!(meter.stats().requests, 1);
}

#[test]
fn a_mode_c_meter_reads_out_at_the_baud_of_the_option_select_after_its_switch() {
    let (mut meter, at) = meter(Profile::IecModeC);
    let heard = sign_on(&mut meter, at, LineSettings::iec(1));
    let ident = iec::Identification::decode(&heard).unwrap();
    assert_eq!(
        ident.mode(),
        iec::Mode::C(9600),
        "the ident alone: {heard:?}"
    );

    let select = Request::readout_at(ident.baud_character).encode();
    let fast = LineSettings::iec(1).at(9600);
    let at = at + Duration::from_secs(1);
    meter.set_line(LineSettings::iec(1), at);
    meter.handle_input(&select, at);
    assert_eq!(
        meter.poll_timeout(),
        Some(at + SWITCH_PAUSE),
        "the readout starts after the switch"
    );
    let heard = ask(&mut meter, at, LineSettings::iec(1), &[], fast, 700 * MS);
    let readout = Readout::decode(&heard).unwrap();
    assert_eq!(value(&readout, "0.0.0"), "12345678");
    assert!(value(&readout, "32.7.0").parse::<f64>().unwrap() > 200.0);
}

#[test]
fn a_mode_c_readout_is_lost_on_a_client_that_stays_at_300_baud() {
    let (mut meter, at) = meter(Profile::IecModeC);
    sign_on(&mut meter, at, LineSettings::iec(1));
    let select = Request::readout_at(b'5').encode();
    let heard = ask(
        &mut meter,
        at + MS,
        LineSettings::iec(1),
        &select,
        LineSettings::iec(1),
        Duration::ZERO,
    );
    assert!(heard.is_empty());
    assert!(meter.stats().unheard > 50);
}

#[test]
fn a_mode_c_meter_ignores_programming_mode_and_a_late_option_select() {
    let (mut meter, at) = meter(Profile::IecModeC);
    let line = LineSettings::iec(1);
    let fast = line.at(9600);
    sign_on(&mut meter, at, line);
    let programming = b"\x06051\r\n";
    assert!(ask(&mut meter, at + MS, line, programming, fast, Duration::ZERO).is_empty());
    let select = Request::readout_at(b'5').encode();
    assert!(
        ask(&mut meter, at + 2 * MS, line, &select, fast, Duration::ZERO).is_empty(),
        "programming mode ended the conversation"
    );
    sign_on(&mut meter, at + Duration::from_secs(1), line);
    let late = at + Duration::from_secs(20);
    assert!(ask(&mut meter, late, line, &select, fast, Duration::ZERO).is_empty());
    assert_eq!(meter.stats().ignored_other, 3);
}

#[test]
fn the_66c_answers_slash_hash_1_at_1200_baud_after_its_switch() {
    for asked_at in [LineSettings::iec(2), LineSettings::iec(1)] {
        let (mut meter, at) = meter(Profile::Multical66C);
        let listen = LineSettings::iec(2).at(1200);
        let heard = ask(
            &mut meter,
            at,
            asked_at,
            mc66::REQUEST,
            listen,
            SWITCH_PAUSE / 2,
        );
        let answer = mc66::Answer::decode(&heard).unwrap();
        assert_eq!(answer.readings.len(), 10, "{asked_at}");
        let t1 = answer.get(Field::T1).unwrap().number.to_f64();
        assert!((40.0..90.0).contains(&t1), "T1 {t1}");
        assert!(answer.get(Field::Energy).unwrap().number.to_f64() > 0.0);
    }
    let (mut meter, at) = meter(Profile::Multical66C);
    let stay = LineSettings::iec(2);
    assert!(ask(&mut meter, at, stay, mc66::REQUEST, stay, SWITCH_PAUSE / 2).is_empty());
    let kmp = crate::kmp::Request::GetRegister(
        crate::kmp::RegisterList::new(&[RegisterId::new(60)]).unwrap(),
    )
    .encode(0x3F);
    let kmp_line = LineSettings::KMP;
    assert!(
        ask(
            &mut meter,
            at + MS,
            kmp_line,
            &kmp,
            kmp_line,
            Duration::ZERO
        )
        .is_empty()
    );
}

#[test]
fn text_answers_are_paced_with_the_parity_bit_counted() {
    for (profile, bits) in [(Profile::Kamstrup382C, 10), (Profile::Multical41, 11)] {
        let mut config = MeterConfig::new(profile);
        config.timing = Timing::realtime(Duration::ZERO);
        let at = Instant::now();
        let mut meter = Meter::new(config, at);
        let line = profile.line();
        meter.set_line(line, at);
        let sign_on = Request::sign_on(None).encode();
        meter.handle_input(&sign_on, at);
        let byte = Duration::from_secs_f64(f64::from(bits) / 300.0);
        let request_end = at + byte * sign_on.len() as u32;
        assert_eq!(
            meter.poll_timeout(),
            Some(request_end + 200 * MS + byte),
            "{profile}: the first byte of the identification, after the least reaction time"
        );
    }
}

#[test]
fn an_unpaced_meter_reacts_to_a_sign_on_as_if_it_had_come_over_the_wire() {
    // The sign-on arrives whole at once; the client switches to the answer's settings once it
    // would have left the wire, and the identification must come after that.
    let at = Instant::now();
    let mut meter = Meter::new(MeterConfig::new(Profile::Kamstrup382C), at);
    let line = Profile::Kamstrup382C.line();
    meter.set_line(line, at);
    let sign_on = Request::sign_on(None).encode();
    meter.handle_input(&sign_on, at);
    let on_the_wire = line.byte_time() * sign_on.len() as u32;
    assert_eq!(meter.poll_timeout(), Some(at + on_the_wire + 200 * MS));
}
