//! The Connection screen: the port (simulated meters first, then serial ports with friendly
//! names, a head across the network, or any path), the line settings, and Connect / Disconnect.

use egui::{RichText, Ui};

use crate::line::Parity;
use crate::link::EchoMode;
use crate::link::listing::{PortEntry, PortKind, serial_ports, simulated_ports};
use crate::link::port::{NetworkKind, RFC2217_PREFIX, SOCKET_PREFIX, is_raw_socket, parse_network};
use crate::protocol::Protocol;

use super::{AppView, Panel};
use crate::app::action::Action;
use crate::app::link_view::ConnectionState;
use crate::app::settings::Connection;
use crate::app::style;

const BAUD_RATES: [u32; 5] = [1200, 2400, 4800, 9600, 19200];

/// The Connection screen's own state: the port lists, the typed path and the network head.
#[derive(Debug)]
pub struct ConnectionPanel {
    simulated: Vec<PortEntry>,
    serial: Vec<PortEntry>,
    typed_path: String,
    /// Filled from the port chosen last when it was a network head.
    network: Option<NetworkHead>,
}

impl Default for ConnectionPanel {
    fn default() -> Self {
        Self {
            simulated: simulated_ports(),
            serial: serial_ports(),
            typed_path: String::new(),
            network: None,
        }
    }
}

/// A head across the network, as the user types it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NetworkHead {
    host: String,
    /// The TCP port, as typed.
    port: String,
    /// RFC 2217 (the line settings set remotely), else raw TCP.
    rfc2217: bool,
}

impl NetworkHead {
    /// The head a port name names, if it names one.
    fn of(name: &str) -> Option<Self> {
        let (kind, address) = parse_network(name)?;
        let (host, port) = address.rsplit_once(':')?;
        Some(Self {
            host: host.to_string(),
            port: port.to_string(),
            rfc2217: kind == NetworkKind::Rfc2217,
        })
    }

    /// Its port name, `rfc2217://HOST:PORT` or `socket://HOST:PORT`, once a host and a port
    /// number are typed.
    fn name(&self) -> Option<String> {
        let scheme = if self.rfc2217 {
            RFC2217_PREFIX
        } else {
            SOCKET_PREFIX
        };
        let port: u16 = self.port.trim().parse().ok().filter(|port| *port > 0)?;
        let host = self.host.trim();
        (!host.is_empty()).then(|| format!("{scheme}{host}:{port}"))
    }
}

impl Default for NetworkHead {
    fn default() -> Self {
        // ser2net's examples use 2000 and up; RFC 2217 lets the workbench set the line.
        Self {
            host: String::new(),
            port: "2000".into(),
            rfc2217: true,
        }
    }
}

impl Panel for ConnectionPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let Self {
            simulated,
            serial,
            typed_path,
            network,
        } = self;
        let network = network.get_or_insert_with(|| {
            NetworkHead::of(&app.settings.connection.port).unwrap_or_default()
        });
        let mut actions = Vec::new();
        // The choice is drawn from a copy; a change becomes an action.
        let mut choice = app.settings.connection.clone();
        let connected = !matches!(app.link.connection(), ConnectionState::Disconnected);
        ui.heading("Connection");
        ui.label("Pick the port your infrared head is on, or a simulated meter to try the workbench without hardware.");
        ui.add_space(8.0);

        ui.add_enabled_ui(!connected, |ui| {
            ui.label(RichText::new("Simulated meters").strong());
            for entry in simulated.iter() {
                port_choice(ui, &mut choice.port, entry);
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Serial ports").strong());
                if ui
                    .button("Refresh")
                    .on_hover_text("List the serial ports again")
                    .clicked()
                {
                    *serial = serial_ports();
                }
            });
            if serial.is_empty() {
                ui.label(
                    RichText::new("No serial ports found: is the adapter plugged in?").italics(),
                );
            }
            for entry in serial.iter() {
                port_choice(ui, &mut choice.port, entry);
            }
            ui.add_space(6.0);
            network_head(ui, &mut choice.port, network);
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("Other port:");
                let edit = ui
                    .add(
                        egui::TextEdit::singleline(typed_path)
                            .hint_text("/dev/ttyUSB0 or COM3")
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                if edit.changed() && !typed_path.trim().is_empty() {
                    choice.port = typed_path.trim().to_string();
                }
            });
            ui.add_space(10.0);
            line_settings(ui, &mut choice);
        });

        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if connected {
                if ui
                    .add(egui::Button::new(RichText::new("Disconnect").size(16.0)))
                    .clicked()
                {
                    actions.push(Action::Disconnect);
                }
            } else if ui
                .add(egui::Button::new(RichText::new("Connect").size(16.0)))
                .clicked()
            {
                actions.push(Action::Connect);
            }
            ui.label(format!("Port: {}", choice.port));
            if let Some(round_trip) = app.link.round_trip().filter(|_| connected) {
                ui.label(
                    RichText::new(format!(
                        "network round trip {:.1} ms",
                        round_trip.as_secs_f64() * 1e3
                    ))
                    .color(style::GOOD),
                );
            }
        });
        if let Some(error) = app.link.error() {
            ui.add_space(8.0);
            style::error_box(ui, &error.message, &error.advice);
        }
        if choice != app.settings.connection {
            // Chosen before connecting with it.
            actions.insert(0, Action::Choose(choice));
        }
        actions
    }
}

fn port_choice(ui: &mut Ui, selected: &mut String, entry: &PortEntry) {
    ui.horizontal(|ui| match entry.kind {
        PortKind::Simulated(profile) => {
            let text = format!("{} (serial {})", profile.label(), profile.serial());
            ui.radio_value(selected, entry.name.clone(), text);
            ui.label(RichText::new("simulated").small().color(style::WARN));
        }
        PortKind::Usb | PortKind::Other => {
            ui.radio_value(
                selected,
                entry.name.clone(),
                format!("{}  —  {}", entry.name, entry.description),
            );
        }
    });
}

/// The network head: host, port and kind; choosing it, or typing into it, makes it the port.
fn network_head(ui: &mut Ui, selected: &mut String, head: &mut NetworkHead) {
    let before = head.clone();
    let chosen = head.name().is_some_and(|name| *selected == name);
    let mut choose = false;
    ui.horizontal(|ui| {
        choose = ui
            .radio(chosen, RichText::new("Network head").strong())
            .on_hover_text(
                "An IR head on a Raspberry Pi or an ESP32 by the meter, reached through ser2net \
                 or a serial device server",
            )
            .clicked();
        let host_label = ui.label("Host");
        ui.add(
            egui::TextEdit::singleline(&mut head.host)
                .hint_text("192.168.1.20 or meter-pi.local")
                .desired_width(180.0),
        )
        .labelled_by(host_label.id);
        let port_label = ui.label("TCP port");
        ui.add(egui::TextEdit::singleline(&mut head.port).desired_width(60.0))
            .labelled_by(port_label.id);
        ui.radio_value(&mut head.rfc2217, true, "RFC 2217")
            .on_hover_text(
                "rfc2217://: the workbench sets baud rate, framing, DTR and RTS on the remote port",
            );
        ui.radio_value(&mut head.rfc2217, false, "Raw TCP")
            .on_hover_text(
                "socket://: the line settings are the bridge's own and cannot be changed from here",
            );
    });
    if let Some(name) = head.name()
        && (choose || *head != before)
    {
        *selected = name;
    }
}

fn line_settings(ui: &mut Ui, settings: &mut Connection) {
    ui.label(RichText::new("Line settings").strong());
    if is_raw_socket(&settings.port) {
        ui.label(
            RichText::new(
                "Over a raw socket the bridge's own line settings apply: set them in its \
                 configuration, or use RFC 2217.",
            )
            .italics(),
        );
    }
    egui::Grid::new("line-settings")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            let baud_label = ui.label("Baud rate");
            egui::ComboBox::from_id_salt("baud")
                .selected_text(settings.line.baud.to_string())
                .show_ui(ui, |ui| {
                    for baud in BAUD_RATES {
                        ui.selectable_value(&mut settings.line.baud, baud, baud.to_string());
                    }
                })
                .response
                .labelled_by(baud_label.id)
                .on_hover_text("1200 for most meters' optical eye");
            ui.end_row();

            ui.label("Stop bits");
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.line.stop_bits, 2, "2 (8N2)");
                ui.radio_value(&mut settings.line.stop_bits, 1, "1 (8N1)");
            });
            settings.line.data_bits = 8;
            settings.line.parity = Parity::None;
            ui.end_row();

            let address_label = ui.label("Address");
            ui.add(
                egui::DragValue::new(&mut settings.address)
                    .hexadecimal(2, false, true)
                    .prefix("0x"),
            )
            .labelled_by(address_label.id)
            .on_hover_text("0x3F is the meter itself");
            ui.end_row();

            ui.label("Echo");
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.echo, EchoMode::Auto, "Auto");
                ui.radio_value(&mut settings.echo, EchoMode::On, "On");
                ui.radio_value(&mut settings.echo, EchoMode::Off, "Off");
            });
            ui.end_row();

            ui.label("Protocol").on_hover_text(
                "Find out: KMP first, then IEC 62056-21 and /#1 when KMP gets no answer for 10 s",
            );
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.protocol, None, "Find out");
                for protocol in Protocol::ALL {
                    ui.radio_value(&mut settings.protocol, Some(protocol), protocol.label());
                }
            });
            ui.end_row();

            ui.label("DTR");
            control_line(ui, "dtr", &mut settings.dtr);
            ui.end_row();
            ui.label("RTS");
            control_line(ui, "rts", &mut settings.rts);
            ui.end_row();
        });
}

fn control_line(ui: &mut Ui, id: &str, level: &mut Option<bool>) {
    ui.horizontal(|ui| {
        ui.push_id(id, |ui| {
            ui.radio_value(level, None, "Leave");
            ui.radio_value(level, Some(true), "On");
            ui.radio_value(level, Some(false), "Off");
        });
    });
}
