//! How soon the link check names what is on the other side of the head, rightly.
//!
//! Each scenario is a simulated meter behind an echoing head (1200 baud 8N2 set, real-time
//! pacing at each line's bit time, 60 ms latency), joined to the link's own machine in invented
//! time ([`VirtualLink`]), and probed as `probe` does with its defaults (a 10 s wait for the eye,
//! protocols guessed). The figure is the time from connecting until the probe has told what it
//! names: its report, or for a mode A meter the sign-on it tells as it comes (its readout at 300
//! baud follows for seconds; `report_s` is when the report is out). The diagnosis code, the
//! protocol and the address are the report's; it is right when all three are what the meter is.
//! For the meters whose eyes wake after the magnet, the time from waking to the first KMP answer
//! is printed too.
//!
//! Targets (the link doctor's): every scenario named rightly within 6 s of connecting, except
//! those that must wait for the eye (its first answer within 0.5 s of waking) and those whose
//! nature is time. Where the link check is not there yet, the table says how far off it is.
//!
//! Budgets, which make the bench exit 1: each scenario named rightly today stays right and no
//! slower than its budget (today's time and a little), and a woken eye's first answer no later
//! after waking than its own budget, so a change that slows the link check down, or makes it
//! name something wrongly, fails. An eye woken 4 s after the magnet meets the 0.5 s target; one
//! woken 2.5 s after it, during the early round's `/#1`, does not. Run: `cargo bench --bench
//! time_to_diagnosis` (a second: the time is invented). The last line is `time_to_diagnosis
//! right=N of M slowest_s=S`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::time::{Duration, Instant};

use kmp_workbench::link::diagnosis::DiagnosisCode;
use kmp_workbench::link::{
    Event, Job, JobEvent, LinkConfig, Now, ProbeOptions, ProbeReport, Report, VirtualLink,
};
use kmp_workbench::protocol::Protocol;
use kmp_workbench::sim::{Faults, MeterConfig, Profile, Timing};

/// The link doctor's target for a scenario that needs no waiting for the eye.
const TARGET: Duration = Duration::from_secs(6);
/// The target for a meter that pushes, and today's figure and a little.
const PUSH_TARGET: Duration = Duration::from_secs(10);
const PUSH_BUDGET: f64 = 7.8;
/// The longest a woken eye's first answer may take: the target.
const WAKE_TARGET: Duration = Duration::from_millis(500);

/// What a scenario's meter is, and what the probe must name.
struct Scenario {
    name: &'static str,
    meter: MeterConfig,
    code: DiagnosisCode,
    protocol: Option<Protocol>,
    address: Option<u8>,
    /// The eye must be waited for: the target does not apply.
    waits_for_eye: bool,
    /// The target: 6 s, or 10 s for a meter that pushes (it is heard only when it sends).
    target: Duration,
    /// Today's time and a little: slower fails.
    budget: Duration,
    /// For an eye that wakes: the longest its first answer may take after waking, today's and a
    /// little.
    wake_budget: Duration,
}

fn meter(profile: Profile) -> MeterConfig {
    let mut config = MeterConfig::new(profile);
    config.echo = true;
    config.timing = Timing::realtime(Duration::from_millis(60));
    config.magnet_delay = Duration::ZERO;
    config
}

fn scenarios() -> Vec<Scenario> {
    let kmp = |name, meter, budget_s: f64| Scenario {
        name,
        meter,
        code: DiagnosisCode::Ok,
        protocol: Some(Protocol::Kmp),
        address: Some(0x3F),
        waits_for_eye: false,
        budget: Duration::from_secs_f64(budget_s),
        wake_budget: Duration::ZERO,
        target: TARGET,
    };
    let text = |name, profile, protocol, budget_s: f64| Scenario {
        name,
        meter: meter(profile),
        code: DiagnosisCode::Ok,
        protocol: Some(protocol),
        address: None,
        waits_for_eye: false,
        budget: Duration::from_secs_f64(budget_s),
        wake_budget: Duration::ZERO,
        target: TARGET,
    };
    let magnet = MeterConfig {
        magnet_delay: Duration::from_secs(4),
        ..meter(Profile::Multical21)
    };
    let early_magnet = MeterConfig {
        magnet_delay: Duration::from_millis(2500),
        ..meter(Profile::Multical21)
    };
    let elsewhere = MeterConfig {
        address: 0x7F,
        ..meter(Profile::Multical603)
    };
    let asleep = MeterConfig {
        magnet_delay: Duration::from_secs(3600),
        ..meter(Profile::FlowIq2200)
    };
    let deaf = MeterConfig {
        echo: false,
        ..asleep.clone()
    };
    let garbled = MeterConfig {
        faults: Faults {
            corrupt: 1.0,
            ..Faults::default()
        },
        ..meter(Profile::Multical403)
    };
    let fast = MeterConfig {
        baud: Some(2400),
        ..meter(Profile::Multical603)
    };
    vec![
        kmp("KMP, awake", meter(Profile::Multical603), 0.8),
        Scenario {
            waits_for_eye: true,
            wake_budget: Duration::from_millis(400),
            ..kmp("KMP, the magnet's 4 s", magnet, 4.9)
        },
        // The magnet placed a moment before connecting: the eye wakes during the early round's
        // `/#1`, the longest try, and waits for it (the target is not met here; of the wake
        // times from 1 to 3.5 s, this one waits longest).
        Scenario {
            waits_for_eye: true,
            wake_budget: Duration::from_millis(2000),
            ..kmp("KMP, the magnet's 2.5 s", early_magnet, 4.9)
        },
        text(
            "IEC mode A, 300 7E1",
            Profile::Kamstrup382C,
            Protocol::Iec,
            2.2,
        ),
        text(
            "IEC mode A, 300 7E2",
            Profile::Multical41,
            Protocol::Iec,
            2.2,
        ),
        text("IEC mode C", Profile::IecModeC, Protocol::Iec, 3.9),
        text("/#1", Profile::Multical66C, Protocol::Mc66, 4.7),
        Scenario {
            address: Some(0x7F),
            ..kmp("KMP at 0x7F", elsewhere, 1.4)
        },
        kmp("KMP at 2400 baud", fast, 5.8),
        Scenario {
            target: PUSH_TARGET,
            ..text(
                "SML pushed every 1 s",
                Profile::SmlPush,
                Protocol::Sml,
                PUSH_BUDGET,
            )
        },
        Scenario {
            target: PUSH_TARGET,
            ..text(
                "mode D pushed every 1 s",
                Profile::IecModeD,
                Protocol::Iec,
                PUSH_BUDGET,
            )
        },
        Scenario {
            meter: MeterConfig {
                baud: Some(2400),
                ..meter(Profile::IecModeD)
            },
            target: PUSH_TARGET,
            ..text("mode D at 2400 baud", Profile::IecModeD, Protocol::Iec, 9.5)
        },
        Scenario {
            code: DiagnosisCode::NoEcho,
            protocol: None,
            address: None,
            waits_for_eye: true,
            ..kmp("no echo, no answer", deaf, 20.5)
        },
        Scenario {
            code: DiagnosisCode::EchoOnly,
            protocol: None,
            address: None,
            waits_for_eye: true,
            ..kmp("echo only, asleep", asleep, 19.3)
        },
        Scenario {
            code: DiagnosisCode::Garbled,
            protocol: None,
            address: None,
            ..kmp("garbled answers", garbled, 2.2)
        },
    ]
}

/// What one probe found, and when.
struct Outcome {
    report: ProbeReport,
    /// From connecting until the protocol was told: a mode A meter's sign-on, which the probe
    /// tells as it comes, or the report.
    took: Duration,
    /// From connecting to the report.
    reported: Duration,
    /// From connecting to the first KMP answer.
    first_answer: Option<Duration>,
}

fn probe(config: MeterConfig) -> Outcome {
    let origin = Now::new(
        Instant::now(),
        jiff::Timestamp::from_second(1_790_000_000).expect("a valid time"),
    );
    let mut link = VirtualLink::new(config, origin);
    link.open(LinkConfig::new("virtual"));
    let id = link.start(Job::Probe(ProbeOptions::new(Duration::from_secs(10))));
    let limit = origin.instant + Duration::from_secs(120);
    let mut first_answer = None;
    let mut signed_on = None;
    let mut report = None;
    while report.is_none() && link.now().instant < limit {
        let mut seen = Vec::new();
        let step = link.now().instant + Duration::from_millis(5);
        link.run_until(step, |event| seen.push(event));
        let at = link.now().instant - origin.instant;
        for event in seen {
            match event {
                Event::Job {
                    event:
                        JobEvent::Exchanged {
                            exchange,
                            result: Ok(()),
                            ..
                        },
                    ..
                } if exchange.request().is_some() => {
                    first_answer.get_or_insert(at);
                }
                Event::Job {
                    event: JobEvent::ReadoutFollows { .. },
                    ..
                } => {
                    signed_on.get_or_insert(at);
                }
                Event::Job {
                    id: of,
                    event: JobEvent::Ended(end),
                } if of == id => {
                    if let Some(Report::Probe(probe)) = end.report {
                        report = Some((probe, at));
                    }
                }
                _ => {}
            }
        }
    }
    let (report, reported) = report.expect("the probe ends within two minutes");
    Outcome {
        report,
        took: signed_on.unwrap_or(reported).min(reported),
        reported,
        first_answer,
    }
}

fn main() {
    println!(
        "time_to_diagnosis: probe with its defaults, in invented time; target {} s (0.5 s after \
         the eye wakes where it must be waited for)",
        TARGET.as_secs()
    );
    println!(
        "{:<24} {:>7} {:>7} {:>7} {:>8}  {:<10} {:<14} {:<8} verdict",
        "scenario", "named_s", "budget", "target", "report_s", "code", "protocol", "address"
    );
    let mut failed = Vec::new();
    let mut right = 0;
    let mut slowest = Duration::ZERO;
    let all = scenarios();
    for scenario in &all {
        let outcome = probe(scenario.meter.clone());
        let report = &outcome.report;
        let named_rightly = report.diagnosis.code == scenario.code
            && report.protocol == scenario.protocol
            && report.address == scenario.address;
        let target = if scenario.waits_for_eye {
            "eye".to_string()
        } else {
            format!("{:.1}", scenario.target.as_secs_f64())
        };
        let verdict = match named_rightly {
            true if !scenario.waits_for_eye && outcome.took > scenario.target => format!(
                "right, {:.1} s over the target",
                (outcome.took - scenario.target).as_secs_f64()
            ),
            true => "right".to_string(),
            false => "WRONG".to_string(),
        };
        println!(
            "{:<24} {:>7.2} {:>7.1} {:>7} {:>8.2}  {:<10} {:<14} {:<8} {verdict}",
            scenario.name,
            outcome.took.as_secs_f64(),
            scenario.budget.as_secs_f64(),
            target,
            outcome.reported.as_secs_f64(),
            report.diagnosis.code.as_str(),
            report.protocol.map_or("-", Protocol::name),
            report
                .address
                .map_or_else(|| "-".to_string(), |a| format!("0x{a:02X}")),
        );
        if let (Some(answer), Some(wake)) = (
            outcome.first_answer,
            (scenario.waits_for_eye && scenario.code == DiagnosisCode::Ok)
                .then_some(scenario.meter.magnet_delay),
        ) {
            let after = answer.saturating_sub(wake);
            println!(
                "{:<24} first answer {:.2} s after the eye woke (budget {:.2} s, target {:.2} s)",
                "",
                after.as_secs_f64(),
                scenario.wake_budget.as_secs_f64(),
                WAKE_TARGET.as_secs_f64()
            );
            if after > scenario.wake_budget {
                failed.push(format!(
                    "{}: first answer {after:?} after waking",
                    scenario.name
                ));
            }
        }
        if named_rightly {
            right += 1;
            slowest = slowest.max(outcome.took);
        } else {
            failed.push(format!(
                "{}: named {} / {:?} / {:?}",
                scenario.name,
                report.diagnosis.code.as_str(),
                report.protocol,
                report.address
            ));
        }
        if outcome.took > scenario.budget {
            failed.push(format!(
                "{}: {:.2} s, over its budget of {:.1} s",
                scenario.name,
                outcome.took.as_secs_f64(),
                scenario.budget.as_secs_f64()
            ));
        }
    }
    println!(
        "time_to_diagnosis right={right} of {} slowest_s={:.2}",
        all.len(),
        slowest.as_secs_f64()
    );
    if !failed.is_empty() {
        for failure in &failed {
            eprintln!("missed: {failure}");
        }
        std::process::exit(1);
    }
}
