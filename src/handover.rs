//! Handing over what the workbench proved: a meter's port, line settings, echo, address,
//! protocol and registers, each with where it came from, written as the configuration of the
//! reader the user keeps (`config --to TARGET`). Sans-IO: what was proven goes in, text comes
//! out, or why the target cannot read this meter.

mod esphome;
mod pykmp;
pub mod recorded;
mod ser2net;
mod smartmeter_obis;
mod tasmota;
mod vzlogger;

use std::fmt;
use std::time::Duration;

use crate::kmp::{Number, Register, Value};
use crate::line::LineSettings;
use crate::model::{Readings, RegisterKey, RegisterMap, TextReading};
use crate::protocol::{Protocol, Spoken};

/// Where a value handed over came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The meter answered at it, or showed it.
    Measured,
    /// The user gave it.
    Given,
    /// Nobody proved it: a default the user should check.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Measured => "measured",
            Self::Given => "given",
            Self::Default => "a default: check it",
        })
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// `value`, measured.
    pub fn measured(value: T) -> Self {
        Self {
            value,
            source: Source::Measured,
        }
    }

    /// `value`, given by the user.
    pub fn given(value: T) -> Self {
        Self {
            value,
            source: Source::Given,
        }
    }

    /// `value`, a default nobody proved.
    pub fn default_value(value: T) -> Self {
        Self {
            value,
            source: Source::Default,
        }
    }
}

/// A register the meter answered, as a reader names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenRegister {
    /// Its KMP ID or OBIS code, as read.
    pub key: RegisterKey,
    /// Its name (`V1 volume`, `active energy import`).
    pub name: String,
    /// Its unit as the meter gave it; empty when none.
    pub unit: String,
    /// The power of ten its number came with (a KMP register's exponent, an SML value's
    /// scaler), for the readers that leave scaling to their configuration; none when its value
    /// is no number.
    pub exponent: Option<i8>,
}

impl ProvenRegister {
    /// A KMP register as read, called `name`.
    pub fn of_register(register: &Register, name: String) -> Self {
        Self {
            key: RegisterKey::Kmp(register.id()),
            name,
            unit: register.unit().symbol().to_string(),
            exponent: match register.value() {
                Value::Number(number) => Some(number.exponent()),
                _ => None,
            },
        }
    }

    /// A value of a text meter's readout or telegram, named as `map` names it.
    pub fn of_reading(reading: &TextReading, map: &RegisterMap) -> Self {
        Self {
            key: reading.key,
            name: map.key_name(reading.key),
            unit: reading.unit.clone(),
            exponent: reading.number.map(Number::exponent),
        }
    }

    /// The registers of a meter speaking `protocol` that answered: those in the register map
    /// (scanned or read), those in `readout`, then those polled into `readings`, each once,
    /// named as the map names it.
    pub fn gather<'a>(
        protocol: Protocol,
        map: &RegisterMap,
        readout: impl IntoIterator<Item = &'a TextReading>,
        readings: &Readings,
    ) -> Vec<Self> {
        let scanned = map
            .registers
            .values()
            .map(|register| Self::of_register(register, map.name(register.id())));
        let read = readout
            .into_iter()
            .map(|reading| Self::of_reading(reading, map));
        let polled = readings.series().iter().filter_map(|series| {
            let latest = series.latest()?;
            Some(Self {
                key: series.key(),
                name: map.key_name(series.key()),
                unit: series.unit().to_string(),
                exponent: Some(latest.value.exponent()),
            })
        });
        let mut registers: Vec<Self> = Vec::new();
        for register in scanned.chain(read).chain(polled) {
            if register.key.read_in(protocol)
                && !registers.iter().any(|known| known.key == register.key)
            {
                registers.push(register);
            }
        }
        registers
    }
}

/// Everything a link check and a read proved of one meter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven {
    /// The port the head is on.
    pub port: Sourced<String>,
    /// The protocol the meter answered in.
    pub protocol: Protocol,
    /// Whether it pushes its telegrams unasked (SML, mode D).
    pub push: bool,
    /// The settings its answers came at (for IEC mode C, the sign-on's).
    pub line: Sourced<LineSettings>,
    /// The settings it was asked at, where they differ from `line` (the text protocols are
    /// asked with two stop bits, heard with one).
    pub asked_at: Option<LineSettings>,
    /// Whether the head hears its own transmission.
    pub echo: Sourced<bool>,
    /// The KMP address it answered at.
    pub address: Option<Sourced<u8>>,
    /// Its identification: an IEC identification line, an SML server ID.
    pub identification: Option<String>,
    /// An IEC mode C meter's readout rate, which its identification offered (`line` is then
    /// the readout's settings, `asked_at` the sign-on's).
    pub switch_to: Option<u32>,
    /// The registers it answered, in the order read.
    pub registers: Vec<ProvenRegister>,
    /// The time between two readings.
    pub interval: Sourced<Duration>,
}

/// The readers a configuration is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// ESPHome YAML: `kamstrup_kmp` (KMP), `sml` (SML).
    Esphome,
    /// `pykmp-tool`, PyKMP's command line (KMP).
    Pykmp,
    /// ioBroker's smartmeter adapter, the npm package `smartmeter-obis` (SML, IEC 62056-21).
    SmartmeterObis,
    /// ser2net 4's `connection` for a network head (any protocol).
    Ser2net,
    /// A `meters` entry of vzlogger's configuration (IEC 62056-21, SML).
    Vzlogger,
    /// A Tasmota Smart Meter Interface script (KMP, IEC 62056-21, SML).
    Tasmota,
}

impl Target {
    /// Every target, in the order `--to` lists them.
    pub const ALL: [Self; 6] = [
        Self::Esphome,
        Self::Pykmp,
        Self::SmartmeterObis,
        Self::Vzlogger,
        Self::Tasmota,
        Self::Ser2net,
    ];

    /// The name `--to` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Esphome => "esphome",
            Self::Pykmp => "pykmp",
            Self::SmartmeterObis => "smartmeter-obis",
            Self::Ser2net => "ser2net",
            Self::Vzlogger => "vzlogger",
            Self::Tasmota => "tasmota",
        }
    }

    /// The targets that read a meter speaking `protocol`.
    pub fn reading(protocol: Protocol) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|target| match target {
                Self::Esphome => matches!(protocol, Protocol::Kmp | Protocol::Sml),
                Self::Pykmp => protocol == Protocol::Kmp,
                Self::SmartmeterObis => matches!(protocol, Protocol::Iec | Protocol::Sml),
                Self::Vzlogger => matches!(protocol, Protocol::Iec | Protocol::Sml),
                Self::Tasmota => protocol != Protocol::Mc66,
                Self::Ser2net => true,
            })
            .collect()
    }
}

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|target| target.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|target| target.name()).collect();
                format!("no target {text:?}: one of {}", names.join(", "))
            })
    }
}

/// The targets that read a meter speaking `protocol`, in words: `pykmp, tasmota and ser2net`.
fn readers_of(protocol: Protocol) -> String {
    let names: Vec<&str> = Target::reading(protocol)
        .into_iter()
        .map(Target::name)
        .collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Why `target` cannot read a meter speaking `protocol`, which [`Target::reading`] says it does
/// not, and which targets can; its renderer's match gives the same for the protocols it has no
/// arm for.
fn unsupported(target: Target, protocol: Protocol) -> Cannot {
    let label = protocol.label();
    let why = match target {
        Target::Esphome => format!("its core has no component for {label}"),
        Target::Pykmp => format!("it speaks KMP only, and this meter speaks {label}"),
        Target::SmartmeterObis => {
            format!("it reads SML and IEC 62056-21 (D0) only, and this meter speaks {label}")
        }
        Target::Vzlogger => format!("it has no {label} protocol"),
        // `/#1` is the one protocol it lacks.
        Target::Tasmota => "its smart meter interface has no /#1".to_string(),
        Target::Ser2net => format!("it does not serve {label}"),
    };
    Cannot {
        target: target.name(),
        why: format!("{why}; {} can", readers_of(protocol)),
    }
}

/// Why a target cannot read the meter as proven.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{target} cannot read this meter: {why}")]
pub struct Cannot {
    /// The target asked for.
    pub target: &'static str,
    /// Why, and what to do instead.
    pub why: String,
}

/// The configuration for `target` of the meter `proven` describes.
pub fn write(target: Target, proven: &Proven) -> Result<String, Cannot> {
    if !Target::reading(proven.protocol).contains(&target) {
        return Err(unsupported(target, proven.protocol));
    }
    match target {
        Target::Esphome => esphome::write(proven),
        Target::Pykmp => pykmp::write(proven),
        Target::SmartmeterObis => smartmeter_obis::write(proven),
        Target::Ser2net => Ok(ser2net::write(proven)),
        Target::Vzlogger => vzlogger::write(proven),
        Target::Tasmota => tasmota::write(proven),
    }
}

/// How often a reader is told to read when nothing says otherwise: what a battery meter is
/// known to tolerate.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);

impl Proven {
    /// What a meter found speaking as `spoken` proved, read at `port`: its `registers`; the
    /// echo (untested), the address (none) and the interval ([`DEFAULT_INTERVAL`]) as defaults,
    /// for the caller to set where it knows better.
    pub fn new(spoken: &Spoken, port: Sourced<String>, registers: Vec<ProvenRegister>) -> Self {
        Self {
            port,
            protocol: spoken.protocol,
            push: spoken.push,
            line: Sourced::measured(spoken.line),
            asked_at: spoken.asked_at,
            echo: Sourced::default_value(false),
            address: None,
            identification: spoken.identification.clone(),
            switch_to: spoken.switched_to(),
            registers,
            interval: Sourced::default_value(DEFAULT_INTERVAL),
        }
    }

    /// The settings a reader opens the port at and asks at: the sign-on's rate for a text meter
    /// asked (a mode C meter switches from it), in the framing its answers come in; the line
    /// heard otherwise.
    pub fn opening_line(&self) -> LineSettings {
        let line = self.line.value;
        match self.asked_at {
            Some(asked) if !self.push => line.at(asked.baud),
            _ => line,
        }
    }
}

/// 10 to the `exponent`, written out: `0.001`, `100`.
fn power_of_ten(exponent: i8) -> String {
    let zeros = "0".repeat(usize::from(exponent.unsigned_abs()));
    if exponent < 0 {
        format!("0.{}1", &zeros[1..])
    } else {
        format!("1{zeros}")
    }
}

/// An OBIS code's groups A to E: as written in full (`1-0:1.8.0*255`; a billing period's
/// value, `*01`, is none), or short (`1.8.0`), which names electricity's `1-0`.
fn obis_parts(key: RegisterKey) -> Option<[u8; 5]> {
    let RegisterKey::Obis(address) = key else {
        return None;
    };
    let text = address.as_str();
    let (group, code) = match text.split_once(':') {
        Some((group, code)) => (Some(group), code),
        None => (None, text),
    };
    let code = match code.split_once('*') {
        None => code,
        Some((code, "255")) => code,
        Some(_) => return None,
    };
    let [a, b] = match group {
        Some(group) => {
            let (a, b) = group.split_once('-')?;
            [a.parse().ok()?, b.parse().ok()?]
        }
        None => [1, 0],
    };
    let mut parts = code.split('.').map(str::parse::<u8>);
    let (c, d, e) = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    parts.next().is_none().then_some([a, b, c, d, e])
}

/// The lines that say what was handed over and where each value came from, each starting with
/// `comment` (`#`, `//`).
fn provenance(proven: &Proven, comment: &str) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{comment} Written by kmp-workbench {} from what it proved of this meter.",
            env!("CARGO_PKG_VERSION")
        ),
        format!(
            "{comment}   port: {} ({})",
            proven.port.value, proven.port.source
        ),
        format!(
            "{comment}   protocol: {}{}",
            proven.protocol.label(),
            if proven.push { ", pushed unasked" } else { "" }
        ),
        format!(
            "{comment}   line: {} ({})",
            proven.line.value, proven.line.source
        ),
        format!(
            "{comment}   echo: {} ({})",
            if proven.echo.value {
                "the head hears itself"
            } else {
                "none"
            },
            proven.echo.source
        ),
    ];
    if let Some(asked) = proven.asked_at.filter(|&asked| asked != proven.line.value) {
        lines.push(format!("{comment}   asked at: {asked} (measured)"));
    }
    if let Some(address) = &proven.address {
        lines.push(format!(
            "{comment}   address: 0x{:02X} ({})",
            address.value, address.source
        ));
    }
    if let Some(identification) = &proven.identification {
        lines.push(format!("{comment}   identification: {identification}"));
    }
    if let Some(baud) = proven.switch_to {
        lines.push(format!(
            "{comment}   readout rate: {baud} baud (offered by its identification)"
        ));
    }
    lines.push(format!(
        "{comment}   interval: {} ({})",
        crate::duration::format(proven.interval.value),
        proven.interval.source
    ));
    for register in &proven.registers {
        let unit = if register.unit.is_empty() {
            String::new()
        } else {
            format!(" [{}]", register.unit)
        };
        lines.push(format!(
            "{comment}   register {}: {}{unit} (measured: it answered)",
            register.key, register.name
        ));
    }
    lines
}

#[cfg(test)]
mod tests;
