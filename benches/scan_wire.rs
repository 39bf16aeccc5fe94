//! How soon `scan` finds the registers a technician wants, and how close it gets to the speed of
//! the line, on a good link and on a hard one.
//!
//! Real-time simulated meters on a pseudo-terminal (1200 baud 8N2, echo on, 60 ms latency),
//! scanned over IDs 0..=1100 through the real link thread and serialport, the catalogue's IDs
//! first (as `scan` does for a port whose meter it does not know). The lower bounds come from
//! the wire alone: the bytes the traffic shows on the line × the bit time of the line settings
//! the bench opens with (a start bit, the data and parity bits, the stop bits), plus the
//! latency the meter is stated to have for each answered exchange, plus, on the hard link, the
//! eye's stated wake-up delay. None of it is read from the simulator's pacing.
//!
//! - **good**: a MULTICAL 603, awake. The time until the most asked-for registers it has (1001–1004,
//!   60, 68, 74, 86, 87, 99) are in the table (target 2 s); until every catalogued register it
//!   has is (target at most 1.1 × the wire time of the catalogue's requests); the whole range
//!   (target at most 1.01 × its lower bound).
//! - **hard**: a MULTICAL 403 whose eye wakes 4 s after the scan starts, which ignores every
//!   request holding register 155, and which damages 5 % of its answers (bit flips, bursts, lost,
//!   added and cut-off bytes). The scan must find exactly its registers and name 155; the whole
//!   range's time over the lower bound shows what waiting out silences and damaged answers costs
//!   (target at most 1.2).
//! - **network**: the good link's meter behind ser2net (Debian's ser2net 4, its `telnet(rfc2217)`
//!   accepter on the loopback, the terminal at 1200n82), scanned as `rfc2217://127.0.0.1:PORT`:
//!   the whole range within 1.05 × its wire-time lower bound. Without ser2net on the PATH this
//!   run is skipped, and says so.
//!
//! Run with `cargo bench --bench scan_wire` (about two minutes); it exits 1 when a target is
//! missed or a scan's result is wrong. The simulated meters are served on pseudo-terminals, so
//! the bench runs on Unix systems only; elsewhere it says so and exits 2.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

fn main() {
    #[cfg(unix)]
    wire::main();
    #[cfg(not(unix))]
    {
        eprintln!("scan_wire serves its simulated meters on pseudo-terminals, which only Unix has");
        std::process::exit(2);
    }
}

/// The bench itself: pseudo-terminals are Unix's.
#[cfg(unix)]
mod wire {
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    use kmp_workbench::kmp::MAX_REGISTERS_PER_REQUEST;
    use kmp_workbench::line::{LineSettings, Parity};
    use kmp_workbench::link::port::{SimSettings, SystemOpener};
    use kmp_workbench::link::traffic::TrafficDirection;
    use kmp_workbench::link::{
        ASKED_FOR, Event, Job, JobEnd, JobEvent, LinkConfig, LinkHandle, Report, ScanOptions,
        ScanReport,
    };
    use kmp_workbench::sim::pty::spawn;
    use kmp_workbench::sim::{Faults, MeterConfig, Profile, Timing};

    /// The line the bench opens: KMP's 1200 baud, 8 data bits, no parity, 2 stop bits.
    const LINE: LineSettings = LineSettings {
        baud: 1200,
        data_bits: 8,
        parity: Parity::None,
        stop_bits: 2,
    };
    /// The meter's stated time from the end of a request to the start of its answer.
    const LATENCY: Duration = Duration::from_millis(60);
    /// The hard link's eye: it answers this long after the scan starts.
    const WAKE: Duration = Duration::from_secs(4);
    const LAST_ID: u16 = 1100;

    /// One request and what came back on the line for it (echo aside).
    #[derive(Clone, Copy)]
    struct Exchange {
        sent: usize,
        answered: usize,
    }

    /// What one scan showed.
    struct Run {
        report: ScanReport,
        elapsed: Duration,
        /// Every request after the meter's first answer, in order; those before are the wake-up's.
        exchanges: Vec<Exchange>,
        asked_for_at: Option<Duration>,
        catalogued_at: Option<Duration>,
    }

    /// The time a byte takes on the line: a start bit, the data and parity bits, the stop bits.
    fn byte_time() -> Duration {
        let parity = u32::from(LINE.parity != Parity::None);
        let bits = 1 + u32::from(LINE.data_bits) + parity + u32::from(LINE.stop_bits);
        Duration::from_secs_f64(f64::from(bits) / f64::from(LINE.baud))
    }

    /// The wire-time lower bound of `exchanges`: their bytes, and the latency of each answered one.
    fn lower_bound(exchanges: &[Exchange]) -> Duration {
        exchanges
            .iter()
            .map(|exchange| {
                let bytes = (exchange.sent + exchange.answered) as u32;
                let latency = if exchange.answered > 0 {
                    LATENCY
                } else {
                    Duration::ZERO
                };
                byte_time() * bytes + latency
            })
            .sum()
    }

    /// A ser2net process bridging a terminal to `rfc2217://127.0.0.1:PORT`.
    struct Bridge {
        child: std::process::Child,
        port: u16,
    }

    impl Bridge {
        /// Starts ser2net for `device`, or gives `None` when it is not installed.
        fn start(device: &str) -> Option<Self> {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .ok()?
                .local_addr()
                .ok()?
                .port();
            let config = format!(
                "connection: &meter#  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}#  \
                 connector: serialdev,{device},1200n82,local"
            );
            let child = std::process::Command::new("ser2net")
                .args(["-n", "-u", "-Y", &config])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .ok()?;
            // Listening once the kernel lists the port so (state 0A); no test connection, which
            // would hold the terminal for a moment.
            let wanted = format!(":{port:04X} ");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
                if table
                    .lines()
                    .any(|row| row.contains(&wanted) && row.split_whitespace().nth(3) == Some("0A"))
                {
                    return Some(Self { child, port });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            panic!("ser2net never listened on {port}");
        }
    }

    impl Drop for Bridge {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn ser2net_installed() -> bool {
        std::process::Command::new("ser2net")
            .arg("-v")
            .output()
            .is_ok_and(|output| output.status.success())
    }

    /// Scans `meter` on a terminal, through ser2net when `bridged`.
    fn scan(
        meter: MeterConfig,
        asked_for: &BTreeSet<u16>,
        catalogued: &BTreeSet<u16>,
        bridged: bool,
    ) -> Run {
        let sim = spawn(meter, None).unwrap();
        let device = sim.path().display().to_string();
        let bridge = bridged.then(|| Bridge::start(&device).expect("ser2net starts"));
        let opener = SystemOpener {
            sim: SimSettings {
                echo: true,
                realtime: true,
            },
        };
        let link = LinkHandle::spawn(Box::new(opener), Box::new(|_| {}), None).unwrap();
        let port = bridge.as_ref().map_or(device, |bridge| {
            format!("rfc2217://127.0.0.1:{}", bridge.port)
        });
        let mut config = LinkConfig::new(port);
        config.line = LINE;
        link.open(config);
        loop {
            match link.event_timeout(Duration::from_secs(5)) {
                Some(Event::Opened { .. }) => break,
                Some(Event::OpenFailed(error)) => panic!("{error}"),
                _ => {}
            }
        }
        let options = ScanOptions::catalogue_first(0, LAST_ID, Duration::from_secs(30), None);
        let started = Instant::now();
        link.start(Job::Scan(options));
        let mut exchanges: Vec<Exchange> = Vec::new();
        let mut woken = false;
        let mut found = BTreeSet::new();
        let (mut asked_for_at, mut catalogued_at) = (None, None);
        let report = loop {
            match link.event_timeout(Duration::from_secs(40)) {
                Some(Event::Job {
                    event:
                        JobEvent::Ended(JobEnd {
                            report: Some(Report::Scan(report)),
                            ..
                        }),
                    ..
                }) => break report,
                Some(Event::Job {
                    event: JobEvent::ScanFound(registers),
                    ..
                }) => {
                    found.extend(registers.iter().map(|r| r.id().value()));
                    if asked_for_at.is_none() && asked_for.is_subset(&found) {
                        asked_for_at = Some(started.elapsed());
                    }
                    if catalogued_at.is_none() && catalogued.is_subset(&found) {
                        catalogued_at = Some(started.elapsed());
                    }
                }
                Some(Event::Job {
                    event: JobEvent::Traffic(record),
                    ..
                }) => match record.direction {
                    TrafficDirection::Tx => exchanges.push(Exchange {
                        sent: record.bytes.len(),
                        answered: 0,
                    }),
                    TrafficDirection::Rx => {
                        if !woken {
                            // The first answer: what was sent before it went to a sleeping eye.
                            woken = true;
                            exchanges.drain(..exchanges.len().saturating_sub(1));
                        }
                        if let Some(last) = exchanges.last_mut() {
                            last.answered += record.bytes.len();
                        }
                    }
                    // The echo comes back while the request is on the wire: it takes no time of its own.
                    TrafficDirection::Echo => {}
                },
                Some(_) => {}
                None => panic!("the scan stalled"),
            }
        };
        let elapsed = started.elapsed();
        drop(bridge);
        sim.stop();
        Run {
            report,
            elapsed,
            exchanges,
            asked_for_at,
            catalogued_at,
        }
    }

    /// The IDs up to [`LAST_ID`] that `profile` answers.
    fn answered_ids(profile: Profile) -> BTreeSet<u16> {
        profile
            .registers()
            .iter()
            .map(|spec| spec.id.value())
            .filter(|id| {
                *id <= LAST_ID && !profile.silencing_ids().iter().any(|s| s.value() == *id)
            })
            .collect()
    }

    fn found_ids(report: &ScanReport) -> BTreeSet<u16> {
        report.found.iter().map(|r| r.id().value()).collect()
    }

    pub fn main() {
        let mut missed: Vec<String> = Vec::new();
        println!(
            "line: {} baud, {} data bits, parity {:?}, {} stop bits: {:.3} ms a byte; latency {} ms",
            LINE.baud,
            LINE.data_bits,
            LINE.parity,
            LINE.stop_bits,
            byte_time().as_secs_f64() * 1e3,
            LATENCY.as_millis()
        );

        // A good link.
        let profile = Profile::Multical603;
        let mut meter = MeterConfig::new(profile);
        meter.echo = true;
        meter.timing = Timing::realtime(LATENCY);
        let meter_has = answered_ids(profile);
        let options = ScanOptions::catalogue_first(0, LAST_ID, Duration::ZERO, None);
        let asked_for: BTreeSet<u16> = ASKED_FOR
            .iter()
            .map(|id| id.value())
            .filter(|id| meter_has.contains(id))
            .collect();
        let catalogued: BTreeSet<u16> = options
            .first
            .iter()
            .map(|id| id.value())
            .filter(|id| meter_has.contains(id))
            .collect();
        let catalogue_requests = options.first.len().div_ceil(MAX_REGISTERS_PER_REQUEST);
        let good = scan(meter, &asked_for, &catalogued, false);
        if found_ids(&good.report) != meter_has || good.report.interrupted {
            missed.push("good: the scan did not find exactly the meter's registers".into());
        }
        let bound = lower_bound(&good.exchanges);
        let catalogue_bound =
            lower_bound(&good.exchanges[..catalogue_requests.min(good.exchanges.len())]);
        let asked_for_s = good
            .asked_for_at
            .map_or(f64::INFINITY, |at| at.as_secs_f64());
        let catalogue_ratio = good
            .catalogued_at
            .map_or(f64::INFINITY, |at| at.as_secs_f64())
            / catalogue_bound.as_secs_f64();
        let ratio = good.elapsed.as_secs_f64() / bound.as_secs_f64();
        println!(
            "good: scanned {} IDs with {} requests ({} found), {} bytes on the wire",
            good.report.scanned,
            good.exchanges.len(),
            good.report.found.len(),
            good.exchanges
                .iter()
                .map(|e| e.sent + e.answered)
                .sum::<usize>()
        );
        println!(
            "good: the {} most asked-for registers the meter has: in the table after {asked_for_s:.2} s (target 2 s)",
            asked_for.len()
        );
        println!(
            "good: all {} catalogued registers it has: {catalogue_ratio:.3} × the {:.2} s wire time of the catalogue's {catalogue_requests} requests (target 1.1)",
            catalogued.len(),
            catalogue_bound.as_secs_f64()
        );
        println!(
            "good: the whole range: {:.2} s, wire-time lower bound {:.2} s (target 1.01)",
            good.elapsed.as_secs_f64(),
            bound.as_secs_f64()
        );
        println!(
            "scan_wire link=good ids={} asked_for_s={asked_for_s:.2} catalogue_ratio={catalogue_ratio:.3} ratio={ratio:.3}",
            good.report.scanned
        );
        for (over, what) in [
            (
                asked_for_s > 2.0,
                "good: the asked-for registers took over 2 s",
            ),
            (
                catalogue_ratio > 1.1,
                "good: the catalogue took over 1.1 × its wire time",
            ),
            (
                ratio > 1.01,
                "good: the whole range took over 1.01 × its wire time",
            ),
        ] {
            if over {
                missed.push(what.into());
            }
        }

        // A hard link: a waking eye, a silencing register, damaged answers.
        let profile = Profile::Multical403;
        let mut meter = MeterConfig::new(profile);
        meter.echo = true;
        meter.timing = Timing::realtime(LATENCY);
        meter.magnet_delay = WAKE;
        meter.faults = Faults {
            corrupt: 0.05,
            ..Faults::default()
        };
        meter.seed = 7;
        let meter_has = answered_ids(profile);
        let hard = scan(meter, &BTreeSet::new(), &BTreeSet::new(), false);
        let silencing: Vec<u16> = hard.report.silencing.iter().map(|id| id.value()).collect();
        let silencing_expected: Vec<u16> = profile
            .silencing_ids()
            .iter()
            .map(|id| id.value())
            .collect();
        if found_ids(&hard.report) != meter_has || hard.report.interrupted {
            missed.push("hard: the scan did not find exactly the meter's registers".into());
        }
        if silencing != silencing_expected {
            missed.push(format!(
                "hard: silencing registers {silencing:?}, not {silencing_expected:?}"
            ));
        }
        let bound = WAKE + lower_bound(&hard.exchanges);
        let ratio = hard.elapsed.as_secs_f64() / bound.as_secs_f64();
        println!(
            "hard: scanned {} IDs with {} requests ({} found, silencing {silencing:?}), {} unanswered after the eye woke",
            hard.report.scanned,
            hard.report.requests,
            hard.report.found.len(),
            hard.exchanges.iter().filter(|e| e.answered == 0).count()
        );
        println!(
            "hard: the whole range: {:.2} s, lower bound {:.2} s ({:.0} s wake-up and the wire) (target 1.2)",
            hard.elapsed.as_secs_f64(),
            bound.as_secs_f64(),
            WAKE.as_secs_f64()
        );
        println!(
            "scan_wire link=hard ids={} ratio={ratio:.3}",
            hard.report.scanned
        );
        if ratio > 1.2 {
            missed.push("hard: the whole range took over 1.2 × its lower bound".into());
        }

        // The good link's meter across the network.
        if ser2net_installed() {
            let profile = Profile::Multical603;
            let mut meter = MeterConfig::new(profile);
            meter.echo = true;
            meter.timing = Timing::realtime(LATENCY);
            let network = scan(meter, &BTreeSet::new(), &BTreeSet::new(), true);
            if found_ids(&network.report) != answered_ids(profile) || network.report.interrupted {
                missed.push("network: the scan did not find exactly the meter's registers".into());
            }
            let bound = lower_bound(&network.exchanges);
            let ratio = network.elapsed.as_secs_f64() / bound.as_secs_f64();
            println!(
                "network: through ser2net as rfc2217://, the whole range: {:.2} s, wire-time lower bound {:.2} s (target 1.05)",
                network.elapsed.as_secs_f64(),
                bound.as_secs_f64()
            );
            println!(
                "scan_wire link=network ids={} ratio={ratio:.3}",
                network.report.scanned
            );
            if ratio > 1.05 {
                missed.push("network: the whole range took over 1.05 × its wire time".into());
            }
        } else {
            println!("scan_wire link=network skipped: ser2net is not installed");
        }

        if !missed.is_empty() {
            eprintln!("over budget: {}", missed.join("; "));
            std::process::exit(1);
        }
    }
}
