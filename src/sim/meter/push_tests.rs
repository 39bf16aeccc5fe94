//! The meters that push: SML and IEC 62056-21 mode D, a telegram a second at their own settings,
//! heard only there, read by the workbench's decoders; requests ignored; the PIN lock.

use std::time::{Duration, Instant};

use super::{Meter, MeterConfig, Timing};
use crate::kmp::Request;
use crate::line::LineSettings;
use crate::sim::Profile;
use crate::sml::{File, Receiver};

const SML_LINE: LineSettings = LineSettings::SML;

/// Every byte the meter sends from `at` until `until`, polled as a serving loop does.
fn heard(meter: &mut Meter, mut at: Instant, until: Instant) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(due) = meter.poll_timeout().filter(|&due| due <= until) {
        at = at.max(due);
        bytes.extend(meter.poll_transmit(at).unwrap_or_default());
    }
    bytes
}

/// The values of each whole telegram in `bytes`: OBIS code, value, unit.
fn telegrams(bytes: &[u8]) -> Vec<Vec<(String, String, &'static str)>> {
    let mut receiver = Receiver::new();
    bytes
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .map(|frame| {
            let file = File::decode(&frame.expect("a whole frame").payload).unwrap();
            file.entries()
                .map(|entry| {
                    (
                        entry.obis().unwrap().short(),
                        entry.number().unwrap().to_string(),
                        entry.unit_symbol().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn it_pushes_a_telegram_a_second_at_9600_8n1_and_ignores_requests() {
    let start = Instant::now();
    let mut config = MeterConfig::new(Profile::SmlPush);
    config.timing = Timing::realtime(Duration::ZERO);
    let mut meter = Meter::new(config, start);
    meter.set_line(SML_LINE, start);
    meter.handle_input(&Request::GetSerialNo.encode(0x3F), start);
    let bytes = heard(&mut meter, start, start + Duration::from_millis(3500));
    let telegrams = telegrams(&bytes);
    assert_eq!(telegrams.len(), 3, "at 1, 2 and 3 s");
    let codes: Vec<&str> = telegrams[0]
        .iter()
        .map(|(code, ..)| code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["1.8.0", "2.8.0", "16.7.0", "36.7.0", "56.7.0", "76.7.0"]
    );
    assert_eq!(telegrams[0][0].2, "Wh");
    assert_eq!(telegrams[0][2].2, "W");
    // The phases add up to the total, to a watt.
    let watts = |index: usize| telegrams[0][index].1.parse::<i64>().unwrap();
    assert!((watts(3) + watts(4) + watts(5) - watts(2)).abs() <= 1);
    assert_eq!(meter.stats().answered, 3);
    assert_eq!(meter.stats().ignored_other, 6, "the request's bytes");
}

#[test]
fn it_is_heard_only_at_its_own_settings() {
    let start = Instant::now();
    let mut meter = Meter::new(MeterConfig::new(Profile::SmlPush), start);
    meter.set_line(LineSettings::KMP, start);
    let bytes = heard(&mut meter, start, start + Duration::from_millis(2500));
    assert!(bytes.is_empty(), "a client at 1200 8N2 hears nothing");
    assert!(meter.stats().unheard > 0);
}

#[test]
fn locked_with_its_pin_it_sends_energy_only_in_whole_kwh() {
    let start = Instant::now();
    let mut config = MeterConfig::new(Profile::SmlPush);
    config.pin_locked = true;
    let mut meter = Meter::new(config, start);
    meter.set_line(SML_LINE, start);
    let bytes = heard(&mut meter, start, start + Duration::from_millis(1500));
    let telegrams = telegrams(&bytes);
    let codes: Vec<&str> = telegrams[0]
        .iter()
        .map(|(code, ..)| code.as_str())
        .collect();
    assert_eq!(codes, ["1.8.0", "2.8.0"]);
    let energy: u64 = telegrams[0][0].1.parse().unwrap();
    assert_eq!(energy % 1000, 0, "{energy} Wh");
}

#[test]
fn the_mode_d_meter_pushes_a_telegram_a_second_at_9600_7e1() {
    let start = Instant::now();
    let mut config = MeterConfig::new(Profile::IecModeD);
    config.timing = Timing::realtime(Duration::ZERO);
    let mut meter = Meter::new(config, start);
    let line = LineSettings::iec(1).at(9600);
    meter.set_line(line, start);
    let bytes = heard(&mut meter, start, start + Duration::from_millis(2500));
    let mut receiver = crate::iec::TelegramReceiver::new();
    let telegrams: Vec<_> = bytes
        .iter()
        .filter_map(|&byte| receiver.push(byte))
        .map(|telegram| telegram.expect("a whole telegram"))
        .collect();
    assert_eq!(telegrams.len(), 2, "at 1 and 2 s");
    assert_eq!(telegrams[0].identification.line, "SIM5MODED");
    assert_eq!(telegrams[0].bcc, None);
    let energy = &telegrams[0].lines[1];
    assert_eq!(energy.address.as_str(), "1-0:1.8.0*255");
    assert_eq!(energy.values[0].unit.as_deref(), Some("kWh"));
    assert!(energy.values[0].number().is_some());

    // At eight data bits, each character comes with its parity bit as bit 7, as a real port set
    // to 8N1 hears a 7E1 meter; at another baud rate nothing is heard.
    let mut meter = Meter::new(MeterConfig::new(Profile::IecModeD), start);
    meter.set_line(SML_LINE, start);
    let at_8n1 = heard(&mut meter, start, start + Duration::from_millis(2500));
    assert_eq!(at_8n1.len(), bytes.len());
    assert!(at_8n1.iter().any(|&byte| byte & 0x80 != 0));
    let stripped: Vec<u8> = at_8n1
        .iter()
        .map(|&byte| crate::iec::strip_parity(byte).expect("even parity"))
        .collect();
    assert_eq!(stripped, bytes);
    let mut meter = Meter::new(MeterConfig::new(Profile::IecModeD), start);
    meter.set_line(line.at(2400), start);
    assert!(heard(&mut meter, start, start + Duration::from_millis(2500)).is_empty());
}
