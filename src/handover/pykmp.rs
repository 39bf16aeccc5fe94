//! `pykmp-tool`, the command line of PyKMP 0.0.2: it asks KMP at 1200 8N2 and nothing else (its
//! client opens the port so), and takes the first bytes back for the answer, so it cannot skip an
//! echo. Registers go as repeated `--register`; the address as `--destination-address`.

use super::{Cannot, Proven, Target, provenance};

/// A KMP meter's command line ([`super::write`] has refused the others).
pub(super) fn write(proven: &Proven) -> Result<String, Cannot> {
    let cannot = |why: String| {
        Err(Cannot {
            target: Target::Pykmp.name(),
            why,
        })
    };
    let line = proven.line.value;
    if line.baud != 1200 {
        return cannot(format!(
            "it asks at 1200 8N2 only, and this meter answers at {line}; esphome and ser2net \
             can set the rate"
        ));
    }
    if proven.echo.value {
        return cannot(
            "the head hears itself, and pykmp-tool takes that echo for the meter's answer: use a \
             head without an echo (or one whose echo can be switched off)"
                .into(),
        );
    }
    let ids: Vec<String> = proven
        .registers
        .iter()
        .filter_map(|register| register.key.kmp())
        .map(|id| format!("--register {id}"))
        .collect();
    if ids.is_empty() {
        return cannot("no register answered to hand over".into());
    }
    let address = proven
        .address
        .as_ref()
        .map_or(0x3F, |address| address.value);
    let mut lines = provenance(proven, "#");
    lines.push(
        "# pykmp-tool asks at 1200 8N2 and cannot skip an echo; each run asks once (run it every \
         interval, e.g. from cron)."
            .into(),
    );
    lines.push(format!(
        "pykmp-tool --serial-device {} --destination-address {address} get-register {} --json",
        shell_word(&proven.port.value),
        ids.join(" ")
    ));
    Ok(lines.join("\n") + "\n")
}

/// `word` as one shell word: as it is when it holds nothing a shell reads, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._:-@+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
