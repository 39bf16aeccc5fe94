//! Damaged exchanges: reads through the link's real job machines ([`VirtualLink`]) in invented
//! time against a simulated MULTICAL 603 behind a noisy infrared head, every value the link
//! accepts compared with the answers the meter meant for that very read.
//!
//! Shared by `benches/damaged_exchanges.rs` (100,000 answers over four seeds) and the
//! integration tests (a few thousand over two).
//!
//! The meter: 1200 baud 8N2, 60 ms latency, an echoing head. Of its answers 30 % are damaged
//! (bits flipped, a burst of bytes replaced, bytes lost or added, the tail cut off, evenly),
//! 10 % come after noise or the tail of the answer before, 5 % come late (held back past their
//! own exchange and sent whole, a valid frame, just before the meter's next answer), 2 % never
//! come; 0.5 % of echoed bytes are damaged or lost. Nothing is drained between reads: what is
//! still on the line when a read ends reaches the next one, so the late answer to a read's last
//! attempt arrives whole while the next read waits for its own. The reads alternate between two
//! sets of registers that both hold the meter's clock (1002) and fast-moving values, so an
//! answer taken for the wrong request or from an earlier read shows as wrong.

use std::time::{Duration, Instant};

use kmp_workbench::kmp::{Register, RegisterId, RegisterList, Request};
use kmp_workbench::link::traffic::TrafficDirection;
use kmp_workbench::link::{
    Event, Job, JobEvent, LinkConfig, Now, ReadOptions, Report, VirtualLink,
};
use kmp_workbench::sim::{Asked, Faults, MeterConfig, Profile, SentAnswer, Timing};

/// The two sets of registers read in turn.
pub const READS: [[u16; 6]; 2] = [[1002, 68, 74, 86, 87, 155], [1002, 60, 75, 80, 89, 155]];

/// What a run found, counted per answer the meter sent.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Answers the meter sent.
    pub exchanges: u64,
    /// Of them, damaged on the way.
    pub damaged: u64,
    /// Of them, sent after noise or the tail of the answer before.
    pub noisy: u64,
    /// Of them, held back and sent late.
    pub late: u64,
    /// Answers the meter never sent, and those it sent or held back: the share lost is of both.
    pub lost: u64,
    /// Answers it made, sent or held back.
    pub made: u64,
    /// Whole, valid answers to an earlier read (late ones, and those queued behind them) that
    /// the link received while a later read waited for its own.
    pub stale: u64,
    /// Reads whose values equal an answer the meter meant for that read.
    pub accepted_right: u64,
    /// Reads whose values the meter never meant for that read.
    pub accepted_wrong: u64,
    /// Answers the link refused (damaged ones, and whole ones of a read that gave up).
    pub rejected: u64,
    /// Reads that failed after their retries.
    pub failed_reads: u64,
    /// Accepted reads whose values differ from the read of the same registers before: the
    /// comparison can only catch a stale answer when this is most of them.
    pub changed: u64,
}

/// One share of the faults: what the meter was told, and what it did.
#[derive(Debug)]
pub struct Share {
    /// What the share is of.
    pub name: &'static str,
    /// As configured.
    pub configured: f64,
    /// As found, of `of`.
    pub found: f64,
    /// How many it is a share of.
    pub of: u64,
}

impl Share {
    /// How far the share found may stray by chance: four standard deviations of a binomial
    /// count, so a seeded run that is right passes, and a fault that is not applied fails.
    pub fn tolerance(&self) -> f64 {
        4.0 * (self.configured * (1.0 - self.configured) / self.of as f64).sqrt()
    }

    /// Whether it is as configured, within the tolerance.
    pub fn holds(&self) -> bool {
        self.of > 0 && (self.found - self.configured).abs() <= self.tolerance()
    }
}

impl Outcome {
    /// The shares of damaged, noisy, late and lost answers, each beside what `meter` was told.
    pub fn shares(&self, meter: &MeterConfig) -> [Share; 4] {
        let share = |name, configured, count: u64, of: u64| Share {
            name,
            configured,
            found: count as f64 / of.max(1) as f64,
            of,
        };
        [
            share(
                "damaged",
                meter.faults.corrupt,
                self.damaged,
                self.exchanges,
            ),
            share(
                "after noise",
                meter.faults.noise,
                self.noisy,
                self.exchanges,
            ),
            share("late", meter.late, self.late, self.exchanges),
            share("lost", meter.faults.drop, self.lost, self.lost + self.made),
        ]
    }

    /// Adds another run's counts.
    pub fn add(&mut self, other: &Self) {
        self.exchanges += other.exchanges;
        self.damaged += other.damaged;
        self.noisy += other.noisy;
        self.late += other.late;
        self.lost += other.lost;
        self.made += other.made;
        self.stale += other.stale;
        self.accepted_right += other.accepted_right;
        self.accepted_wrong += other.accepted_wrong;
        self.rejected += other.rejected;
        self.failed_reads += other.failed_reads;
        self.changed += other.changed;
    }
}

/// The meter behind the noisy head.
pub fn meter(seed: u64) -> MeterConfig {
    let mut config = MeterConfig::new(Profile::Multical603);
    config.echo = true;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.magnet_delay = Duration::ZERO;
    config.faults = Faults {
        corrupt: 0.3,
        noise: 0.1,
        drop: 0.02,
        echo: 0.005,
    };
    config.late = 0.05;
    config.seed = seed;
    config.log_answers = true;
    config
}

/// Reads until the meter has sent at least `answers` answers.
pub fn run(answers: u64, seed: u64) -> Outcome {
    let origin = Now::new(
        Instant::now(),
        jiff::Timestamp::from_second(1_790_000_000).expect("a valid time"),
    );
    let mut link = VirtualLink::new(meter(seed), origin);
    link.open(LinkConfig::new("virtual"));
    let mut outcome = Outcome::default();
    let mut last: [Option<Vec<Register>>; 2] = [None, None];
    let mut turn = 0;
    while outcome.exchanges < answers {
        let ids = READS[turn].map(RegisterId::new);
        let started = link.now().instant;
        let id = link.start(Job::Read(ReadOptions {
            ids: ids.to_vec(),
            wait: Duration::ZERO,
        }));
        let (report, seen) = link.run_until_event(Duration::from_secs(30), |event| match event {
            Event::Job {
                id: of,
                event: JobEvent::Ended(end),
            } if *of == id => match &end.report {
                Some(Report::Read(report)) => Some(report.clone()),
                _ => None,
            },
            _ => None,
        });
        let report = report.expect("a read ends within 30 s");
        let received: Vec<Vec<u8>> = seen
            .into_iter()
            .filter_map(|event| match event {
                Event::Job {
                    id: of,
                    event: JobEvent::Traffic(record),
                } if of == id && record.direction == TrafficDirection::Rx => Some(record.bytes),
                _ => None,
            })
            .collect();
        let sent = link.meter().take_sent();
        outcome.stale += sent
            .iter()
            .filter(|answer| {
                answer.damage.is_none()
                    && answer.requested < started
                    && received.iter().any(|bytes| holds(bytes, &answer.frame))
            })
            .count() as u64;
        let request = Request::GetRegister(RegisterList::new(&ids).expect("six IDs fit"));
        let accepted = (report.failed.is_empty()).then_some(&report.registers);
        count(&mut outcome, &sent, request, started, accepted);
        if let Some(registers) = accepted {
            if last[turn]
                .as_ref()
                .is_some_and(|before| before != registers)
            {
                outcome.changed += 1;
            }
            last[turn] = Some(registers.clone());
        }
        turn = 1 - turn;
    }
    let stats = link.meter().stats();
    outcome.lost = stats.dropped;
    outcome.made = stats.answered;
    outcome
}

/// Whether `bytes` hold `frame` whole, byte after byte.
fn holds(bytes: &[u8], frame: &[u8]) -> bool {
    bytes.windows(frame.len()).any(|window| window == frame)
}

/// Counts one read: the answers the meter sent since the last, and what the link accepted of
/// them. Right only when the accepted values equal, value for value, an answer the meter meant
/// for this request and made after the read `started`.
pub fn count(
    outcome: &mut Outcome,
    sent: &[SentAnswer],
    request: Request,
    started: Instant,
    accepted: Option<&Vec<Register>>,
) {
    outcome.exchanges += sent.len() as u64;
    outcome.damaged += sent.iter().filter(|answer| answer.damage.is_some()).count() as u64;
    outcome.noisy += sent.iter().filter(|answer| answer.noise > 0).count() as u64;
    outcome.late += sent.iter().filter(|answer| answer.late).count() as u64;
    let Some(registers) = accepted else {
        outcome.failed_reads += 1;
        outcome.rejected += sent.len() as u64;
        return;
    };
    let right = sent.iter().any(|answer| {
        answer.asked == Asked::Kmp(request)
            && answer.requested >= started
            && answer.registers().as_ref() == Some(registers)
    });
    if right {
        outcome.accepted_right += 1;
    } else {
        outcome.accepted_wrong += 1;
    }
    outcome.rejected += (sent.len() as u64).saturating_sub(1);
}
