//! Network ports against servers started by the tests on the loopback: the bytes both ways, the
//! RFC 2217 conversation, and each way opening fails.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::super::super::config::LinkConfig;
use super::super::super::error::{LinkError, OpenFailure};
use super::{NetworkKind, NetworkPort, open, parse};
use crate::line::LineSettings;
use crate::rfc2217::{COM_PORT_OPTION, DO, IAC, SB, SE, WILL};

/// A server on the loopback that runs `serve` on its first connection; gives its address.
fn server(serve: impl FnOnce(TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    thread::Builder::new()
        .name("test-server".into())
        .spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                serve(stream);
            }
        })
        .unwrap();
    address
}

fn config(name: &str) -> LinkConfig {
    LinkConfig::new(name)
}

fn opened(name: &str, config: &LinkConfig) -> Result<NetworkPort, LinkError> {
    let (kind, address) = parse(name).unwrap();
    open(kind, address, config)
}

fn failure(result: Result<NetworkPort, LinkError>) -> (OpenFailure, String) {
    match result {
        Err(LinkError::Open {
            failure, detail, ..
        }) => (failure, detail),
        Err(other) => panic!("not an opening failure: {other}"),
        Ok(_) => panic!("it opened"),
    }
}

/// Reads until `count` bytes came or a second passed.
fn read_some(port: &mut NetworkPort, count: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buffer = [0u8; 64];
    for _ in 0..20 {
        let read = port.read(&mut buffer, Duration::from_millis(50)).unwrap();
        got.extend(&buffer[..read]);
        if got.len() >= count {
            break;
        }
    }
    got
}

#[test]
fn names_say_the_kind_of_port() {
    assert_eq!(
        parse("socket://192.168.1.20:2000"),
        Some((NetworkKind::Raw, "192.168.1.20:2000"))
    );
    assert_eq!(
        parse("rfc2217://pi.local:3333"),
        Some((NetworkKind::Rfc2217, "pi.local:3333"))
    );
    assert_eq!(parse("/dev/ttyUSB0"), None);
}

#[test]
fn a_raw_socket_carries_the_lines_bytes_unchanged_both_ways() {
    let address = server(|mut stream| {
        let mut buffer = [0u8; 64];
        let read = stream.read(&mut buffer).unwrap();
        stream.write_all(&buffer[..read]).unwrap();
        thread::sleep(Duration::from_millis(500));
    });
    let name = format!("socket://{address}");
    let mut port = opened(&name, &config(&name)).unwrap();
    // Setting the line changes nothing on a raw socket, and is no error.
    port.set_line(&LineSettings::iec(1)).unwrap();
    port.write_all(&[0x80, 0x3F, 0xFF, 0x0D]).unwrap();
    assert_eq!(read_some(&mut port, 4), [0x80, 0x3F, 0xFF, 0x0D]);
}

#[test]
fn nothing_listening_is_refused_with_advice_to_check_the_bridge() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let name = format!("socket://{address}");
    let error = opened(&name, &config(&name)).err().unwrap();
    assert!(matches!(
        error,
        LinkError::Open {
            failure: OpenFailure::Refused,
            ..
        }
    ));
    assert!(error.advice().contains("ser2net"), "{}", error.advice());
}

#[test]
fn a_name_without_a_port_number_is_no_address() {
    let name = "socket://meter-pi";
    let (failure, detail) = failure(opened(name, &config(name)));
    assert_eq!(failure, OpenFailure::InvalidName, "{detail}");
}

/// A server that says its port is in use to its first `busy` connections, then holds the
/// next one open until the client leaves; gives its address.
fn busy_server(busy: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    thread::Builder::new()
        .name("busy-server".into())
        .spawn(move || {
            for (index, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                if index < busy {
                    let _ = stream.write_all(b"Port's device already in use\r\n");
                } else {
                    let _ = stream.read(&mut [0u8; 16]);
                    return;
                }
            }
        })
        .unwrap();
    address
}

#[test]
fn a_server_that_is_letting_go_of_its_last_client_is_asked_again() {
    let name = format!("socket://{}", busy_server(3));
    let began = std::time::Instant::now();
    assert!(opened(&name, &config(&name)).is_ok());
    assert!(began.elapsed() < super::BUSY_RETRY);
}

#[test]
fn a_server_with_another_client_says_so_and_is_busy() {
    let name = format!("socket://{}", busy_server(usize::MAX));
    let (failure, detail) = failure(opened(&name, &config(&name)));
    assert_eq!(failure, OpenFailure::ServerBusy);
    assert!(detail.contains("already in use"), "{detail}");
    assert!(detail.contains("still after 3 s"), "{detail}");
}

/// A server speaking RFC 2217 as ser2net does: its greeting, then it passes on what it reads.
fn rfc2217_server(heard: mpsc::Sender<Vec<u8>>, answer: Vec<u8>) -> String {
    server(move |mut stream| {
        stream
            .write_all(&[
                IAC, WILL, 3, IAC, DO, 3, IAC, DO, 0, IAC, WILL, 0, IAC, DO, 44,
            ])
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut all = Vec::new();
        let mut buffer = [0u8; 256];
        while let Ok(read) = stream.read(&mut buffer) {
            if read == 0 {
                break;
            }
            all.extend(&buffer[..read]);
            if all.ends_with(&[0x0D]) {
                stream.write_all(&answer).unwrap();
            }
        }
        let _ = heard.send(all);
    })
}

#[test]
fn rfc_2217_sets_the_line_escapes_255_and_sends_dtr_only_when_asked() {
    let (tx, rx) = mpsc::channel();
    // The answer holds a 255, doubled on the wire, and a notification in its middle.
    let answer = vec![
        0x40,
        IAC,
        IAC,
        IAC,
        SB,
        COM_PORT_OPTION,
        107,
        0x30,
        IAC,
        SE,
        0x0D,
    ];
    let address = rfc2217_server(tx, answer);
    let name = format!("rfc2217://{address}");
    let mut settings = config(&name);
    settings.line = LineSettings::iec(2);
    let mut port = opened(&name, &settings).unwrap();
    port.write_all(&[0x2F, 0xFF, 0x0D]).unwrap();
    assert_eq!(read_some(&mut port, 3), [0x40, 0xFF, 0x0D]);
    drop(port);
    let heard = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let contains = |wanted: &[u8]| heard.windows(wanted.len()).any(|w| w == wanted);
    // 300 baud, 7 data bits, even parity, 2 stop bits.
    assert!(
        contains(&[IAC, SB, 44, 1, 0, 0, 0x01, 0x2C, IAC, SE]),
        "{heard:?}"
    );
    assert!(contains(&[IAC, SB, 44, 2, 7, IAC, SE]));
    assert!(contains(&[IAC, SB, 44, 3, 3, IAC, SE]));
    assert!(contains(&[IAC, SB, 44, 4, 2, IAC, SE]));
    assert!(!contains(&[IAC, SB, 44, 5]), "no control line set unasked");
    assert!(heard.ends_with(&[0x2F, IAC, IAC, 0x0D]));

    let (tx, rx) = mpsc::channel();
    let address = rfc2217_server(tx, Vec::new());
    let name = format!("rfc2217://{address}");
    let mut settings = config(&name);
    settings.dtr = Some(true);
    settings.rts = Some(false);
    drop(opened(&name, &settings).unwrap());
    let heard = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let contains = |wanted: &[u8]| heard.windows(wanted.len()).any(|w| w == wanted);
    assert!(contains(&[IAC, SB, 44, 5, 8, IAC, SE]), "DTR on: {heard:?}");
    assert!(contains(&[IAC, SB, 44, 5, 12, IAC, SE]), "RTS off");
}

#[test]
fn a_raw_server_named_as_rfc_2217_is_told_apart() {
    let address = server(|stream| {
        thread::sleep(Duration::from_secs(3));
        drop(stream);
    });
    let name = format!("rfc2217://{address}");
    let error = opened(&name, &config(&name)).err().unwrap();
    assert!(
        error.to_string().contains("open it as socket://"),
        "{error}"
    );
    assert!(
        error.advice().contains("check the bridge"),
        "{}",
        error.advice()
    );
}
