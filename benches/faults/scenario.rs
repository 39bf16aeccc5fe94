//! Damaged exchanges: reads through the link's real job machines ([`VirtualLink`]) in invented
//! time against a simulated MULTICAL 603 behind a noisy infrared head, every value the link
//! accepts compared with the answers the meter meant for that very read.
//!
//! Shared by `benches/damaged_exchanges.rs` (at least 100,000 answers) and the integration
//! tests (a seeded few thousand).
//!
//! The meter: 1200 baud 8N2, 60 ms latency, an echoing head. Of its answers 30 % are damaged
//! (bits flipped, a burst of bytes replaced, bytes lost or added, the tail cut off, evenly),
//! 10 % come after noise or the tail of the answer before, 2 % never come; 0.5 % of echoed
//! bytes are damaged or lost. The reads alternate between two sets of registers that both hold
//! the meter's clock (1002) and fast-moving values, so an answer taken for the wrong request or
//! from an earlier read shows as wrong.

use std::time::{Duration, Instant};

use kmp_workbench::kmp::{Register, RegisterId, RegisterList, Request};
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
        let (report, _) = link.run_until_event(Duration::from_secs(30), |event| match event {
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
        // The rest of an answer still on the wire belongs to this read; the link clears its
        // input before the next request, as it does on a real port.
        let quiet = link.now().instant + Duration::from_secs(5);
        while link.meter().poll_timeout().is_some() && link.now().instant < quiet {
            link.run_for(Duration::from_millis(20), |_| {});
        }
        let sent = link.meter().take_sent();
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
    outcome
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
