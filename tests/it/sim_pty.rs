//! The simulated meter over a real pseudo-terminal, reached through serialport exactly as a
//! hardware port is: echo, pacing, clients one after another, a port that vanishes and returns.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use kmp_workbench::kmp::{
    self, Deframed, Deframer, Message, RegisterId, RegisterList, Request, Response,
};
use kmp_workbench::sim::pty::{SimHandle, spawn};
use kmp_workbench::sim::{MeterConfig, Profile, Timing};

fn open(path: &Path) -> serialport::TTYPort {
    let path = path.to_str().unwrap();
    serialport::new(path, 1200)
        .stop_bits(serialport::StopBits::Two)
        .timeout(Duration::from_millis(20))
        .open_native()
        .unwrap_or_else(|error| panic!("cannot open {path}: {error}"))
}

/// Reads until `want` bytes came or `limit` passed; returns the bytes with their arrival times.
fn read_timed(port: &mut serialport::TTYPort, want: usize, limit: Duration) -> Vec<(Instant, u8)> {
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buffer = [0u8; 64];
    while got.len() < want && Instant::now() < deadline {
        match port.read(&mut buffer) {
            Ok(n) => got.extend(buffer[..n].iter().map(|&b| (Instant::now(), b))),
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(error) => panic!("read failed: {error}"),
        }
    }
    got
}

fn read(port: &mut serialport::TTYPort, want: usize, limit: Duration) -> Vec<u8> {
    read_timed(port, want, limit)
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

/// The first answer frame in `bytes`, decoded.
fn answer(bytes: &[u8]) -> Option<Response> {
    Deframer::new().push(bytes).find_map(|item| match item {
        Deframed::Frame(frame) => match kmp::decode(&frame) {
            Ok(Message::Response { response, .. }) => Some(response),
            _ => None,
        },
        Deframed::Ack => None,
    })
}

fn ask_serial(port: &mut serialport::TTYPort) -> Option<u32> {
    port.write_all(&Request::GetSerialNo.encode(0x3F)).unwrap();
    match answer(&read(port, 10, Duration::from_secs(2)))? {
        Response::SerialNo(serial) => Some(serial),
        _ => None,
    }
}

fn quick_meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.magnet_delay = Duration::ZERO;
    config
}

fn serve(config: MeterConfig) -> SimHandle {
    spawn(config, None).unwrap()
}

#[test]
fn the_head_echoes_every_byte_before_the_answer() {
    let mut config = quick_meter(Profile::Multical21);
    config.echo = true;
    let sim = serve(config);
    let mut port = open(sim.path());
    let request = Request::GetRegister(
        RegisterList::new(&[RegisterId::new(68), RegisterId::new(74)]).unwrap(),
    )
    .encode(0x3F);
    let mut sent = vec![0x55, 0x01];
    sent.extend_from_slice(&request);
    port.write_all(&sent).unwrap();
    let got = read(&mut port, sent.len() + 20, Duration::from_secs(2));
    assert_eq!(
        &got[..sent.len()],
        sent.as_slice(),
        "the echo comes first, byte for byte"
    );
    let Some(Response::Registers(registers)) = answer(&got[sent.len()..]) else {
        panic!("no answer in {got:02X?}")
    };
    assert_eq!(
        registers.iter().map(|r| r.id().value()).collect::<Vec<_>>(),
        [68, 74]
    );
    assert_eq!(registers[0].unit().symbol(), "m³");
}

#[test]
fn realtime_answers_take_eleven_bit_times_a_byte() {
    let mut config = quick_meter(Profile::Multical603);
    config.timing = Timing::realtime(Duration::from_millis(60));
    let sim = serve(config);
    let mut port = open(sim.path());
    let ids: Vec<RegisterId> = [60, 68, 74, 80, 86, 87, 89, 1004]
        .into_iter()
        .map(RegisterId::new)
        .collect();
    port.write_all(&Request::GetRegister(RegisterList::new(&ids).unwrap()).encode(0x3F))
        .unwrap();
    let got = read_timed(&mut port, 40, Duration::from_secs(3));
    assert!(got.len() >= 21, "only {} bytes came", got.len());
    // Twenty byte times from the first answer byte to the twenty-first: 20 × 11 / 1200 s = 183 ms.
    let span = got[20].0 - got[0].0;
    assert!(span >= Duration::from_millis(180), "20 bytes took {span:?}");
    assert!(span < Duration::from_millis(1000), "20 bytes took {span:?}");
}

#[test]
fn clients_are_served_one_after_another() {
    let sim = serve(quick_meter(Profile::FlowIq2200));
    for _ in 0..3 {
        let mut port = open(sim.path());
        assert_eq!(ask_serial(&mut port), Some(72_345_678));
    }
}

#[test]
fn a_port_taken_away_comes_back_under_the_same_link() {
    let folder = std::env::temp_dir().join(format!("kmp-link-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let link = folder.join("meter");

    let first = spawn(quick_meter(Profile::Multical403), Some(&link)).unwrap();
    let mut port = open(&link);
    assert_eq!(ask_serial(&mut port), Some(68_123_456));

    drop(first);
    assert!(!link.exists(), "the link goes with the simulator");
    // The client sees the port vanish: a hang-up, not a timeout.
    let mut buffer = [0u8; 8];
    let vanished = (0..50).any(|_| match port.read(&mut buffer) {
        Err(error) => error.kind() != std::io::ErrorKind::TimedOut,
        Ok(_) => false,
    });
    assert!(vanished, "reading a vanished port keeps timing out");

    let second = spawn(quick_meter(Profile::Multical403), Some(&link)).unwrap();
    let mut port = open(&link);
    assert_eq!(ask_serial(&mut port), Some(68_123_456));
    drop(second);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn the_eye_wakes_after_the_magnet_delay_over_a_real_port() {
    let mut config = MeterConfig::new(Profile::Multical21);
    config.magnet_delay = Duration::from_millis(400);
    let sim = serve(config);
    let mut port = open(sim.path());
    port.write_all(&Request::GetSerialNo.encode(0x3F)).unwrap();
    assert_eq!(
        read(&mut port, 1, Duration::from_millis(150)),
        Vec::<u8>::new(),
        "silent while waking"
    );
    // Asked again until it answers: the eye wakes after its delay, not before, and not never.
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    let mut answer = None;
    while answer.is_none() && std::time::Instant::now() < deadline {
        answer = ask_serial(&mut port);
    }
    assert_eq!(answer, Some(71_234_567));
}
