use super::*;

fn hex(text: &str) -> Vec<u8> {
    crate::kmp::from_hex(&text.replace(' ', "")).unwrap()
}

#[test]
fn packets_are_encoded_as_the_standard_lays_them_out() {
    // CONNECT: "MQTT", level 4, a clean session, keep alive 60 s, client "kmp".
    let connect = Packet::Connect(Box::new(Connect {
        client_id: "kmp".into(),
        keep_alive: 60,
        will: None,
        username: None,
        password: None,
    }));
    assert_eq!(
        connect.encode(),
        hex("10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 6B 6D 70")
    );
    // PUBLISH at QoS 1 to "a/b", packet 10, retained, "hi".
    let publish = Packet::Publish(Publish {
        topic: "a/b".into(),
        payload: b"hi".to_vec(),
        id: Some(10),
        retain: true,
        dup: false,
    });
    assert_eq!(publish.encode(), hex("33 09 00 03 61 2F 62 00 0A 68 69"));
    assert_eq!(Packet::PubAck(10).encode(), hex("40 02 00 0A"));
    assert_eq!(Packet::PingReq.encode(), hex("C0 00"));
    assert_eq!(Packet::Disconnect.encode(), hex("E0 00"));
}

#[test]
fn every_packet_reads_back_as_written_even_when_it_comes_in_pieces() {
    let packets = [
        Packet::Connect(Box::new(Connect {
            client_id: "kmp-workbench-1".into(),
            keep_alive: 30,
            will: Some(Will {
                topic: "kmp/1/availability".into(),
                payload: b"offline".to_vec(),
                retain: true,
            }),
            username: Some("meter".into()),
            password: Some(b"secret".to_vec()),
        })),
        Packet::ConnAck {
            session_present: false,
            code: 4,
        },
        Packet::Publish(Publish {
            topic: "kmp/1/state".into(),
            // Longer than 127 bytes: two bytes of remaining length.
            payload: vec![b'x'; 300],
            id: Some(65535),
            retain: false,
            dup: true,
        }),
        Packet::Publish(Publish {
            topic: "t".into(),
            payload: Vec::new(),
            id: None,
            retain: false,
            dup: false,
        }),
        Packet::PubAck(7),
        Packet::Subscribe {
            id: 1,
            filters: vec![("kmp/#".into(), 1)],
        },
        Packet::SubAck {
            id: 1,
            codes: vec![1],
        },
        Packet::PingReq,
        Packet::PingResp,
        Packet::Disconnect,
    ];
    let stream: Vec<u8> = packets.iter().flat_map(Packet::encode).collect();
    let mut read = Vec::new();
    let mut buffer = Vec::new();
    // One byte at a time: a packet is read only once it is whole.
    for byte in stream {
        buffer.push(byte);
        while let Some((packet, used)) = Packet::decode(&buffer).unwrap() {
            buffer.drain(..used);
            read.push(packet);
        }
    }
    assert!(buffer.is_empty());
    assert_eq!(read, packets);
}

#[test]
fn bytes_that_are_no_packet_are_an_error_not_a_panic() {
    for bad in [
        "FF FF FF FF FF 01",    // a remaining length of five bytes
        "50 02 00 01",          // PUBREC: not a publisher's to take
        "40 03 00 01 00",       // a PUBACK too long
        "40 01 00",             // a PUBACK too short
        "30 04 00 05 61 62",    // a topic longer than the packet
        "30 04 00 02 C3 28",    // a topic that is not UTF-8
        "36 05 00 01 61 00 01", // QoS 3
    ] {
        assert!(Packet::decode(&hex(bad)).is_err(), "{bad}");
    }
    assert_eq!(Packet::decode(&hex("30")).unwrap(), None);
    assert_eq!(Packet::decode(&hex("30 80")).unwrap(), None);
}

#[test]
fn every_refusal_says_what_to_do() {
    for code in 1..=5 {
        assert!(!refusal(code).is_empty());
    }
    assert!(refusal(4).contains("password"));
}
