//! ser2net 4's `connection` for a head on a computer that serves it over the network: the
//! device at the line settings proven, offered as RFC 2217 (which lets a client change the
//! settings, as IEC 62056-21 mode C and `/#1` need mid-exchange) on TCP port 2000. Any protocol
//! goes through it.

use super::{Proven, provenance};
use crate::line::{LineSettings, Parity};

/// The TCP port offered, a default the user should check.
const TCP_PORT: u16 = 2000;

pub(super) fn write(proven: &Proven) -> String {
    let mut lines = provenance(proven, "#");
    lines.push(format!(
        "#   TCP port: {TCP_PORT} (a default: check it); read it as rfc2217://HOST:{TCP_PORT}"
    ));
    // What the meter is asked at, where that differs: the client switches to the answer's
    // settings itself through RFC 2217.
    let line = proven.asked_at.unwrap_or(proven.line.value);
    lines.extend([
        "connection: &meter".to_string(),
        format!("  accepter: telnet(rfc2217),tcp,{TCP_PORT}"),
        "  enable: on".to_string(),
        "  options:".to_string(),
        "    kickolduser: true".to_string(),
        format!(
            "  connector: serialdev,{},{},local",
            proven.port.value,
            notation(line)
        ),
    ]);
    lines.join("\n") + "\n"
}

/// ser2net's notation of `line`: `1200n82`.
fn notation(line: LineSettings) -> String {
    let parity = match line.parity {
        Parity::None => 'n',
        Parity::Even => 'e',
        Parity::Odd => 'o',
    };
    format!("{}{parity}{}{}", line.baud, line.data_bits, line.stop_bits)
}
