//! How soon `scan` finds the registers a technician wants, and how close it gets to the speed of
//! the line, on a good link and on a hard one.
//!
//! Real-time simulated meters on a pseudo-terminal (1200 baud 8N2, echo on, 60 ms latency),
//! scanned over IDs 0..=1100 through the real link thread and serialport, the catalogue's IDs
//! first (as `scan` does for a port whose meter it does not know). Time is counted from the
//! moment the link has opened the port.
//!
//! The lower bounds are what a perfect scanner of that meter would put on the line, nothing
//! the link chose: one GetRegister per eight IDs, in the scan's order; for a batch holding an
//! ID that silences the meter, the halving down to it (halves, then single IDs: the silent
//! requests wait only the meter's stated latency); and, for every damaged answer the meter's
//! log shows to a request whose IDs were still unread, that exchange, since it must be asked
//! again. The bytes are the meter's own: each request as encoded, each answer as the meter
//! encodes the registers its log holds, its damaged answers as they went out, at the bit time
//! of the line (a start bit, the data and parity bits, the stop bits), plus the meter's stated
//! latency for each exchange; on the hard link, plus the eye's wake-up still to come when the
//! link opened. A request the link sends and a perfect scanner would not (a retry of silence, a
//! check of the meter, a needless repeat) is time over the bound, so the ratio shows it.
//!
//! - **good**: a MULTICAL 603, awake. The time until the most asked-for registers it has (1001–1004,
//!   60, 68, 74, 86, 87, 99) are in the table (target 2 s); until every catalogued register it
//!   has is (target at most 1.1 × the lower bound of the catalogue's requests up to the one
//!   holding the last of them); the whole range (target at most 1.01 × its lower bound).
//! - **hard**: a MULTICAL 403 whose eye wakes 4 s after the meter starts, which ignores every
//!   request holding register 155, and which damages 5 % of its answers (bit flips, bursts, lost,
//!   added and cut-off bytes). The scan must find exactly its registers and name 155; the whole
//!   range's time over the lower bound shows what the link's waits for silence, its checks of
//!   the meter and its retries cost (target at most 1.2).
//! - **network**: the good link's meter behind ser2net (Debian's ser2net 4, its `telnet(rfc2217)`
//!   accepter on the loopback, the terminal at 1200n82), scanned as `rfc2217://127.0.0.1:PORT`:
//!   the whole range within 1.05 × its lower bound. Without ser2net on the PATH this run is
//!   skipped, and says so.
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
    use std::collections::{BTreeMap, BTreeSet};
    use std::time::{Duration, Instant};

    use kmp_workbench::kmp::{
        MAX_REGISTERS_PER_REQUEST, Register, RegisterId, RegisterList, Request, Response,
    };
    use kmp_workbench::line::{LineSettings, Parity};
    use kmp_workbench::link::port::{SimSettings, SystemOpener};
    use kmp_workbench::link::{
        ASKED_FOR, Event, Job, JobEnd, JobEvent, LinkConfig, LinkHandle, Report, ScanOptions,
        ScanReport,
    };
    use kmp_workbench::sim::pty::spawn;
    use kmp_workbench::sim::{Asked, Faults, MeterConfig, Profile, SentAnswer, Stats, Timing};

    /// The line the bench opens: KMP's 1200 baud, 8 data bits, no parity, 2 stop bits.
    const LINE: LineSettings = LineSettings {
        baud: 1200,
        data_bits: 8,
        parity: Parity::None,
        stop_bits: 2,
    };
    /// The meter's stated time from the end of a request to the start of its answer.
    const LATENCY: Duration = Duration::from_millis(60);
    /// The hard link's eye: it answers this long after the meter starts.
    const WAKE: Duration = Duration::from_secs(4);
    const LAST_ID: u16 = 1100;
    /// The meter's address, to which the bench's link sends.
    const DESTINATION: u8 = kmp_workbench::kmp::DEFAULT_DESTINATION;

    /// What one scan showed, timed from the moment the link had opened the port.
    struct Run {
        report: ScanReport,
        elapsed: Duration,
        asked_for_at: Option<Duration>,
        catalogued_at: Option<Duration>,
        /// The eye's wake-up still to come when the link opened.
        wake_left: Duration,
        /// The meter's log of the answers it sent, and its counts.
        sent: Vec<SentAnswer>,
        stats: Stats,
    }

    /// One exchange of a perfect scan, or one forced on it.
    struct Exchange {
        /// Bytes of the request and of the answer, if one comes.
        request: usize,
        answer: Option<usize>,
    }

    impl Exchange {
        /// Its time on the line: the bytes, and the meter's latency before the answer (or, for
        /// silence, before the answer would have begun).
        fn time(&self) -> Duration {
            byte_time() * (self.request + self.answer.unwrap_or(0)) as u32 + LATENCY
        }
    }

    /// The time a byte takes on the line: a start bit, the data and parity bits, the stop bits.
    fn byte_time() -> Duration {
        let parity = u32::from(LINE.parity != Parity::None);
        let bits = 1 + u32::from(LINE.data_bits) + parity + u32::from(LINE.stop_bits);
        Duration::from_secs_f64(f64::from(bits) / f64::from(LINE.baud))
    }

    /// The IDs of `options` in the order the scan asks for them, the catalogue's first and then
    /// the rest of the range, and how many are the catalogue's.
    fn scan_order(options: &ScanOptions) -> (Vec<RegisterId>, usize) {
        let mut order: Vec<RegisterId> = Vec::new();
        for id in &options.first {
            if id.value() <= LAST_ID && !order.contains(id) {
                order.push(*id);
            }
        }
        let first: BTreeSet<RegisterId> = order.iter().copied().collect();
        order.extend(
            (0..=LAST_ID)
                .map(RegisterId::new)
                .filter(|id| !first.contains(id)),
        );
        (order, first.len())
    }

    /// What a perfect scan of `profile` puts on the line, in order: batches of eight in the
    /// scan's order, and a batch that silences the meter halved down to the ID that does. The
    /// answers hold the registers as the meter's log (`registers`) has them.
    fn perfect_scan(
        profile: Profile,
        order: &[RegisterId],
        registers: &BTreeMap<RegisterId, Register>,
    ) -> Vec<Exchange> {
        fn ask(
            batch: &[RegisterId],
            silencing: &[RegisterId],
            registers: &BTreeMap<RegisterId, Register>,
            exchanges: &mut Vec<Exchange>,
        ) {
            let list = RegisterList::new(batch).unwrap();
            let request = Request::GetRegister(list).encode(DESTINATION).len();
            if !batch.iter().any(|id| silencing.contains(id)) {
                let answered = batch.iter().filter_map(|id| registers.get(id)).cloned();
                let answer = Response::Registers(answered.collect()).encode(DESTINATION);
                exchanges.push(Exchange {
                    request,
                    answer: Some(answer.len()),
                });
                return;
            }
            exchanges.push(Exchange {
                request,
                answer: None,
            });
            if batch.len() > 1 {
                let (first, second) = batch.split_at(batch.len() / 2);
                ask(first, silencing, registers, exchanges);
                ask(second, silencing, registers, exchanges);
            }
        }
        let mut exchanges = Vec::new();
        for batch in order.chunks(MAX_REGISTERS_PER_REQUEST) {
            ask(batch, profile.silencing_ids(), registers, &mut exchanges);
        }
        exchanges
    }

    /// The exchanges the meter's damaged answers force on any scanner: each damaged answer to
    /// a request whose IDs were not all read yet (from an undamaged answer before it) is an
    /// exchange that must be made again.
    fn forced_by_damage(sent: &[SentAnswer]) -> Vec<Exchange> {
        let mut read: BTreeSet<RegisterId> = BTreeSet::new();
        let mut forced = Vec::new();
        for answer in sent {
            let Asked::Kmp(request @ Request::GetRegister(list)) = answer.asked else {
                continue;
            };
            if answer.damage.is_none() {
                read.extend(list.as_slice());
            } else if !list.as_slice().iter().all(|id| read.contains(id)) {
                forced.push(Exchange {
                    request: request.encode(DESTINATION).len(),
                    answer: Some(answer.wire.len()),
                });
            }
        }
        forced
    }

    /// The registers the meter's undamaged answers held, as it meant them.
    fn registers_sent(sent: &[SentAnswer]) -> BTreeMap<RegisterId, Register> {
        sent.iter()
            .filter(|answer| answer.damage.is_none())
            .filter_map(SentAnswer::registers)
            .flatten()
            .map(|register| (register.id(), register))
            .collect()
    }

    /// A scan's lower bound: the eye's wake-up left when the link opened (a perfect scanner's
    /// first request may already be on the line meanwhile), then `exchanges` back to back.
    fn lower_bound(wake_left: Duration, exchanges: &[Exchange]) -> Duration {
        let first_request = exchanges
            .first()
            .map_or(Duration::ZERO, |first| byte_time() * first.request as u32);
        wake_left.saturating_sub(first_request) + exchanges.iter().map(Exchange::time).sum()
    }

    /// Bytes on the line by the meter's count: every byte it heard (requests to a waking eye
    /// among them), and every byte it sent but the echo.
    fn bytes_on_line(run: &Run) -> u64 {
        run.stats.bytes_in
            + run
                .sent
                .iter()
                .map(|answer| answer.wire.len() as u64)
                .sum::<u64>()
    }

    fn bytes_of(exchanges: &[Exchange]) -> usize {
        exchanges
            .iter()
            .map(|exchange| exchange.request + exchange.answer.unwrap_or(0))
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
        mut meter: MeterConfig,
        asked_for: &BTreeSet<u16>,
        catalogued: &BTreeSet<u16>,
        bridged: bool,
    ) -> Run {
        meter.log_answers = true;
        let wake = meter.magnet_delay;
        // The meter's clock starts within `spawn`: its eye wakes no sooner than this plus the
        // delay.
        let spawned = Instant::now();
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
        let opened = Instant::now();
        let options = ScanOptions::catalogue_first(0, LAST_ID, Duration::from_secs(30), None);
        link.start(Job::Scan(options));
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
                        asked_for_at = Some(opened.elapsed());
                    }
                    if catalogued_at.is_none() && catalogued.is_subset(&found) {
                        catalogued_at = Some(opened.elapsed());
                    }
                }
                Some(_) => {}
                None => panic!("the scan stalled"),
            }
        };
        let elapsed = opened.elapsed();
        drop(bridge);
        let sent = sim.take_sent();
        let stats = sim.stop();
        Run {
            report,
            elapsed,
            asked_for_at,
            catalogued_at,
            wake_left: (spawned + wake).saturating_duration_since(opened),
            sent,
            stats,
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

    /// The whole range's lower bound for `run` of `profile`, and the exchanges in it.
    fn whole_range(run: &Run, profile: Profile, order: &[RegisterId]) -> (Duration, Vec<Exchange>) {
        let mut exchanges = perfect_scan(profile, order, &registers_sent(&run.sent));
        exchanges.extend(forced_by_damage(&run.sent));
        (lower_bound(run.wake_left, &exchanges), exchanges)
    }

    /// Prints what the meter saw of `run` beside a perfect scan of it.
    fn print_line(name: &str, run: &Run, perfect: &[Exchange]) {
        let heard = run.stats.requests - run.stats.ignored_waking;
        println!(
            "{name}: scanned {} IDs ({} found); after the eye woke the meter heard {heard} requests, a perfect scan {}; {} bytes on the line by the meter's count, a perfect scan {}",
            run.report.scanned,
            run.report.found.len(),
            perfect.len(),
            bytes_on_line(run),
            bytes_of(perfect)
        );
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
        let options = ScanOptions::catalogue_first(0, LAST_ID, Duration::ZERO, None);
        let (order, catalogue) = scan_order(&options);

        // A good link.
        let profile = Profile::Multical603;
        let mut meter = MeterConfig::new(profile);
        meter.echo = true;
        meter.timing = Timing::realtime(LATENCY);
        let meter_has = answered_ids(profile);
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
        let good = scan(meter, &asked_for, &catalogued, false);
        if found_ids(&good.report) != meter_has || good.report.interrupted {
            missed.push("good: the scan did not find exactly the meter's registers".into());
        }
        let (bound, perfect) = whole_range(&good, profile, &order);
        // The catalogue's requests up to the one holding the last catalogued register the meter
        // has: a perfect scan has them all in the table when that one is answered.
        let last_had = order[..catalogue]
            .iter()
            .rposition(|id| catalogued.contains(&id.value()))
            .expect("the meter has catalogued registers");
        let through = (last_had + 1).next_multiple_of(MAX_REGISTERS_PER_REQUEST);
        let catalogue_perfect = perfect_scan(
            profile,
            &order[..through.min(catalogue)],
            &registers_sent(&good.sent),
        );
        let catalogue_requests = catalogue_perfect.len();
        let catalogue_bound = lower_bound(good.wake_left, &catalogue_perfect);
        let asked_for_s = good
            .asked_for_at
            .map_or(f64::INFINITY, |at| at.as_secs_f64());
        let catalogue_ratio = good
            .catalogued_at
            .map_or(f64::INFINITY, |at| at.as_secs_f64())
            / catalogue_bound.as_secs_f64();
        let ratio = good.elapsed.as_secs_f64() / bound.as_secs_f64();
        print_line("good", &good, &perfect);
        println!(
            "good: the {} most asked-for registers the meter has: in the table after {asked_for_s:.2} s (target 2 s)",
            asked_for.len()
        );
        println!(
            "good: all {} catalogued registers it has: {catalogue_ratio:.3} × the {:.2} s lower bound of the catalogue's {catalogue_requests} requests (target 1.1)",
            catalogued.len(),
            catalogue_bound.as_secs_f64()
        );
        println!(
            "good: the whole range: {:.2} s, lower bound {:.2} s (target 1.01)",
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
                "good: the catalogue took over 1.1 × its lower bound",
            ),
            (
                ratio > 1.01,
                "good: the whole range took over 1.01 × its lower bound",
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
        let (bound, perfect) = whole_range(&hard, profile, &order);
        let ratio = hard.elapsed.as_secs_f64() / bound.as_secs_f64();
        print_line("hard", &hard, &perfect);
        println!(
            "hard: silencing {silencing:?}; {} answers damaged, {} requests silenced by the meter's count, {} silent in a perfect scan",
            hard.stats.corrupted,
            hard.stats.silenced,
            perfect
                .iter()
                .filter(|exchange| exchange.answer.is_none())
                .count()
        );
        println!(
            "hard: the whole range: {:.2} s, lower bound {:.2} s ({:.2} s of wake-up left when the link opened, and the line) (target 1.2)",
            hard.elapsed.as_secs_f64(),
            bound.as_secs_f64(),
            hard.wake_left.as_secs_f64()
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
            let (bound, perfect) = whole_range(&network, profile, &order);
            let ratio = network.elapsed.as_secs_f64() / bound.as_secs_f64();
            print_line("network", &network, &perfect);
            println!(
                "network: through ser2net as rfc2217://, the whole range: {:.2} s, lower bound {:.2} s (target 1.05)",
                network.elapsed.as_secs_f64(),
                bound.as_secs_f64()
            );
            println!(
                "scan_wire link=network ids={} ratio={ratio:.3}",
                network.report.scanned
            );
            if ratio > 1.05 {
                missed.push("network: the whole range took over 1.05 × its lower bound".into());
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
