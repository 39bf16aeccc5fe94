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
    let mut entries: Vec<PortEntry> = serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|info| {
            let device = info.port_name;
            let name = by_id
                .get(&PathBuf::from(&device))
                .cloned()
                .unwrap_or_else(|| device.clone());
            let (kind, what) = match info.port_type {
                serialport::SerialPortType::UsbPort(usb) => {
                    let product = [usb.manufacturer, usb.product]
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
            let description = format!("{what} on {device}");
            PortEntry {
                name,
                description,
                kind,
            }
        })
        .collect();
    entries.sort_by_key(|entry| (entry.kind != PortKind::Usb, entry.name.clone()));
    entries
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
