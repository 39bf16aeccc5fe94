//! The ports a technician can pick: the simulated meters first, then serial ports with friendly
//! names (USB manufacturer, product, IDs and serial number), named by their stable
//! `/dev/serial/by-id` link where Linux has one, so the name survives replugging.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::sim::Profile;

use super::port::SIM_PREFIX;

/// What kind of port an entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortKind {
    /// A simulated meter in this program.
    Simulated(Profile),
    /// A USB serial adapter.
    Usb,
    /// Any other serial port.
    Other,
}

/// One port to pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortEntry {
    /// What to open: a path, or `sim:PROFILE`.
    pub name: String,
    /// What a person reads: "FTDI FT232R USB UART (0403:6001, serial A50285BI) on /dev/ttyUSB0".
    pub description: String,
    /// What kind it is.
    pub kind: PortKind,
}

/// The simulated meters, one entry per profile.
pub fn simulated_ports() -> Vec<PortEntry> {
    Profile::ALL
        .into_iter()
        .map(|profile| PortEntry {
            name: format!("{SIM_PREFIX}{}", profile.name()),
            description: format!(
                "simulated {} (serial {}), in this program",
                profile.label(),
                profile.serial()
            ),
            kind: PortKind::Simulated(profile),
        })
        .collect()
}

/// The serial ports of this machine, USB adapters first; empty when none can be listed.
pub fn serial_ports() -> Vec<PortEntry> {
    // serialport panics where /sys/class/tty is missing (some containers); ask only where it exists.
    if cfg!(target_os = "linux") && !Path::new("/sys/class/tty").is_dir() {
        return Vec::new();
    }
    let by_id = stable_names(Path::new("/dev/serial/by-id"));
    entries(serialport::available_ports().unwrap_or_default(), &by_id)
}

/// The entries of the ports the system lists, USB adapters first, then by name with numbers in
/// order (COM3 before COM10). On macOS each port is listed twice, as `/dev/cu.*` and
/// `/dev/tty.*`; only the `cu` one is kept, since opening a `tty` one waits for a carrier
/// signal an IR head never gives.
fn entries(
    ports: Vec<serialport::SerialPortInfo>,
    by_id: &HashMap<PathBuf, String>,
) -> Vec<PortEntry> {
    let names: Vec<String> = ports.iter().map(|info| info.port_name.clone()).collect();
    let mut entries: Vec<PortEntry> = ports
        .into_iter()
        .filter(|info| {
            let callout = info.port_name.replacen("/dev/tty.", "/dev/cu.", 1);
            callout == info.port_name || !names.contains(&callout)
        })
        .map(|info| entry(info, by_id))
        .collect();
    entries.sort_by(|a, b| {
        (a.kind != PortKind::Usb)
            .cmp(&(b.kind != PortKind::Usb))
            .then_with(|| natural_key(&a.name).cmp(&natural_key(&b.name)))
    });
    entries
}

/// A name split into its text and its trailing number, so that COM10 sorts after COM9.
fn natural_key(name: &str) -> (&str, Option<u64>, &str) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (text, number) = name.split_at(name.len() - digits);
    (text, number.parse().ok(), name)
}

/// One port's entry: "FTDI FT232R USB UART (0403:6001, serial A50285BI) on /dev/ttyUSB0", or on
/// Windows "FTDI USB Serial Port (0403:6001, serial A50285BI) on COM3".
fn entry(info: serialport::SerialPortInfo, by_id: &HashMap<PathBuf, String>) -> PortEntry {
    let device = info.port_name;
    let name = by_id
        .get(&PathBuf::from(&device))
        .cloned()
        .unwrap_or_else(|| device.clone());
    let (kind, what) = match info.port_type {
        serialport::SerialPortType::UsbPort(usb) => {
            // Windows gives the device's friendly name as the product, the port in brackets.
            let product = usb.product.map(|product| {
                product
                    .strip_suffix(&format!(" ({device})"))
                    .map_or(product.clone(), str::to_string)
            });
            let product = [usb.manufacturer, product]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let serial = usb
                .serial_number
                .map(|s| format!(", serial {s}"))
                .unwrap_or_default();
            let product = if product.is_empty() {
                "USB serial adapter".to_string()
            } else {
                product
            };
            (
                PortKind::Usb,
                format!("{product} ({:04x}:{:04x}{serial})", usb.vid, usb.pid),
            )
        }
        serialport::SerialPortType::PciPort => {
            (PortKind::Other, "built-in serial port".to_string())
        }
        serialport::SerialPortType::BluetoothPort => {
            (PortKind::Other, "Bluetooth serial port".to_string())
        }
        serialport::SerialPortType::Unknown => (PortKind::Other, "serial port".to_string()),
    };
    PortEntry {
        description: format!("{what} on {device}"),
        name,
        kind,
    }
}

/// Every port to pick: simulated meters, then serial ports.
pub fn list_ports() -> Vec<PortEntry> {
    let mut entries = simulated_ports();
    entries.extend(serial_ports());
    entries
}

/// Device path → stable link path, from a folder of links such as `/dev/serial/by-id`.
fn stable_names(folder: &Path) -> HashMap<PathBuf, String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let link = entry.path();
            let device = std::fs::canonicalize(&link).ok()?;
            Some((device, link.display().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_is_listed_as_a_simulated_port_that_names_its_meter() {
        let simulated = simulated_ports();
        assert_eq!(simulated.len(), Profile::ALL.len());
        assert_eq!(simulated[0].name, "sim:multical21");
        assert!(simulated[0].description.contains("MULTICAL 21"));
    }

    fn port(name: &str, usb: Option<(&str, &str, &str)>) -> serialport::SerialPortInfo {
        serialport::SerialPortInfo {
            port_name: name.into(),
            port_type: match usb {
                Some((manufacturer, product, serial)) => {
                    serialport::SerialPortType::UsbPort(serialport::UsbPortInfo {
                        vid: 0x0403,
                        pid: 0x6001,
                        serial_number: Some(serial.into()),
                        manufacturer: Some(manufacturer.into()),
                        product: Some(product.into()),
                    })
                }
                None => serialport::SerialPortType::PciPort,
            },
        }
    }

    #[test]
    fn windows_ports_are_named_by_com_number_and_adapter_in_number_order() {
        let listed = entries(
            vec![
                port("COM1", None),
                port(
                    "COM10",
                    Some(("Prolific", "Prolific USB-to-Serial Comm Port (COM10)", "P1")),
                ),
                port("COM3", Some(("FTDI", "USB Serial Port (COM3)", "A50285BI"))),
            ],
            &HashMap::new(),
        );
        let shown: Vec<(&str, &str)> = listed
            .iter()
            .map(|entry| (entry.name.as_str(), entry.description.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "COM3",
                    "FTDI USB Serial Port (0403:6001, serial A50285BI) on COM3"
                ),
                (
                    "COM10",
                    "Prolific Prolific USB-to-Serial Comm Port (0403:6001, serial P1) on COM10"
                ),
                ("COM1", "built-in serial port on COM1"),
            ]
        );
    }

    #[test]
    fn macos_lists_each_adapter_once_by_its_callout_device() {
        let adapter = Some(("FTDI", "FT232R USB UART", "A50285BI"));
        let listed = entries(
            vec![
                port("/dev/tty.usbserial-A50285BI", adapter),
                port("/dev/cu.usbserial-A50285BI", adapter),
                port("/dev/tty.Bluetooth-Incoming-Port", None),
            ],
            &HashMap::new(),
        );
        let names: Vec<&str> = listed.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "/dev/cu.usbserial-A50285BI",
                "/dev/tty.Bluetooth-Incoming-Port"
            ],
            "a tty device without its cu twin stays"
        );
    }

    #[cfg(unix)]
    #[test]
    fn stable_links_map_back_to_their_devices() {
        let root = std::env::temp_dir().join(format!("kmp-by-id-{}", std::process::id()));
        let (devices, links) = (root.join("dev"), root.join("by-id"));
        std::fs::create_dir_all(&devices).unwrap();
        std::fs::create_dir_all(&links).unwrap();
        let device = devices.join("ttyFAKE0");
        std::fs::write(&device, b"").unwrap();
        std::os::unix::fs::symlink(&device, links.join("usb-FTDI_FT232R-if00-port0")).unwrap();
        let names = stable_names(&links);
        assert!(
            names[&std::fs::canonicalize(&device).unwrap()].ends_with("usb-FTDI_FT232R-if00-port0")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_machines_ports_are_listed_once_each_under_a_name_that_opens() {
        let ports = serial_ports();
        let mut names: Vec<&str> = ports.iter().map(|port| port.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ports.len(), "a port listed twice");
        for port in &ports {
            // Windows' COM names are not paths; elsewhere each name is a device file there.
            if cfg!(unix) {
                assert!(Path::new(&port.name).exists(), "{} is not there", port.name);
            }
        }
    }
}
