//! The Link check screen: is the head working, is the eye awake, who is the meter, how good is
//! the alignment, and what the evidence points to, in large, plain words.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use crate::app::action::Action;
use crate::app::link_view::{AddressSearched, ConnectionState, HISTORY, LinkView, WakeState};
use crate::app::screen::Screen;
use crate::app::style::{self, BAD, GOOD, WARN};
use crate::duration;
use crate::link::ProbeOptions;
use crate::link::diagnosis::DiagnosisCode;
use crate::protocol::Protocol;
use crate::protocol::Spoken;

use super::{AppView, Panel};

/// The Link check screen; it keeps no state of its own.
#[derive(Debug, Default)]
pub struct LinkCheckPanel;

impl Panel for LinkCheckPanel {
    fn ui(&mut self, ui: &mut Ui, app: &AppView<'_>) -> Vec<Action> {
        let view = app.link;
        let mut actions = Vec::new();
        ui.heading("Link check");
        if !view.is_connected() {
            not_connected(ui, view);
            if ui.button("Go to Connection").clicked() {
                actions.push(Action::Show(Screen::Connection));
            }
            return actions;
        }
        echo_line(ui, view);
        actions.extend(wake_line(ui, view, app.wake_delay, app.now.instant));
        identity_line(ui, view);
        protocol_line(ui, view);
        ui.add_space(10.0);
        // A scope of its own: the lines above come and go as the meter answers, and widget IDs
        // counted from the top would change under a click or an edit in progress and drop it.
        let scope = egui::UiBuilder::new().scope_id(ui.scope_id().with("alignment"));
        let controls = ui.scope_builder(scope, |ui| {
            let aligned = alignment(ui, app, app.settings.check_interval());
            ui.add_space(6.0);
            aligned
                .into_iter()
                .chain(address_search(ui, app))
                .collect::<Vec<_>>()
        });
        actions.extend(controls.inner);
        ui.add_space(10.0);
        diagnosis(ui, view);
        actions
    }
}

/// Where the connection stands while no port is open: Connect leads here, so the opening, its
/// failure or a lost port is told where the check would show.
fn not_connected(ui: &mut Ui, view: &LinkView) {
    match view.connection() {
        ConnectionState::Connecting { port } => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Opening {port}…"));
            });
        }
        ConnectionState::Lost { port } => style::status_line(
            ui,
            BAD,
            &format!("{port} went away: the check goes on when it is back"),
        ),
        ConnectionState::Disconnected | ConnectionState::Connected { .. } => {
            if let Some(error) = view.error() {
                style::status_line(ui, BAD, &error.message);
                ui.label(&error.advice);
            }
            ui.label("Connect to a port first (Connection screen).");
        }
    }
}

fn echo_line(ui: &mut Ui, view: &LinkView) {
    let total = view.echoes().len();
    let clean = view.echoes().iter().filter(|&&ok| ok).count();
    match view.echo_rate() {
        None => style::status_line(ui, WARN, "Echo test: waiting for the first round"),
        Some(rate) if rate >= 0.9 => style::status_line(
            ui,
            GOOD,
            &format!("Echo clean: the head hears itself ({clean} of {total})"),
        ),
        Some(rate) if rate > 0.0 => style::status_line(
            ui,
            WARN,
            &format!(
                "Echo unreliable ({clean} of {total} clean): alignment, sensitivity or daylight"
            ),
        ),
        Some(_) => style::status_line(ui, BAD, "No clean echo: the head does not hear itself"),
    }
}

fn wake_line(ui: &mut Ui, view: &LinkView, wake_delay: Duration, now: Instant) -> Option<Action> {
    let mut action = None;
    if let Some(change) = view.wake_changes_in(now, wake_delay) {
        // The countdown moves even when the link says nothing.
        ui.ctx().request_repaint_after(change);
    }
    ui.horizontal(|ui| {
        match view.wake_state(now, wake_delay) {
            WakeState::NotConnected => {}
            WakeState::Waking(left) => style::status_line(ui, WARN, &format!("Waking the eye: answer expected in {:.1} s", left.as_secs_f32()),
            ),
            WakeState::Overdue { turn_magnet: false } => {
                style::status_line(ui, WARN, "The eye should be awake by now: keep the magnet in place")
            }
            WakeState::Overdue { turn_magnet: true } => style::status_line(ui, BAD, "No answer: turn the magnet over (polarity matters), or press a button on the meter",
            ),
            WakeState::Awake => style::status_line(ui, GOOD, "The meter answers"),
        }
        if ui.button("I placed the magnet").on_hover_text("Start the wake-up countdown again").clicked() {
            action = Some(Action::MagnetPlaced);
        }
    });
    action
}

fn identity_line(ui: &mut Ui, view: &LinkView) {
    let Some((serial, meter_type)) = view.identity() else {
        return;
    };
    let line = match view.connection() {
        ConnectionState::Connected { line, .. } => line.to_string(),
        _ => String::new(),
    };
    let kind = meter_type.map_or_else(
        || "type not given".to_string(),
        |t| {
            format!(
                "type 0x{:04X}{}",
                t.meter_type,
                t.revision_text()
                    .map(|r| format!(" rev. {r}"))
                    .unwrap_or_default()
            )
        },
    );
    style::status_line(ui, GOOD, &format!("Meter {serial}, {kind}, {line}"));
}

fn protocol_line(ui: &mut Ui, view: &LinkView) {
    let Some(spoken) = view.spoken().filter(|spoken| spoken.is_text()) else {
        if let Some(identification) = view.signed_on() {
            style::status_line(
                ui,
                GOOD,
                &format!(
                    "Signed on as /{identification}: speaks IEC 62056-21; its readout follows, \
                     which takes seconds at 300 baud"
                ),
            );
        }
        return;
    };
    if spoken.push {
        let (what, id) = if spoken.protocol == Protocol::Sml {
            (
                "SML",
                spoken
                    .identification
                    .as_deref()
                    .map(|id| format!(" (server ID {id})")),
            )
        } else {
            (
                "mode D text",
                spoken
                    .identification
                    .as_deref()
                    .map(|ident| format!(" (/{ident})")),
            )
        };
        let id = id.unwrap_or_default();
        style::status_line(
            ui,
            GOOD,
            &format!(
                "Pushes {what}{id}, heard at {}: read it on the Registers screen",
                spoken.line
            ),
        );
        return;
    }
    let identification = spoken
        .identification
        .as_deref()
        .map(|ident| format!(", identification /{ident}"))
        .unwrap_or_default();
    // The settings it was asked at are in the diagnosis below: this line stays short.
    style::status_line(
        ui,
        GOOD,
        &format!(
            "Speaks {}{identification}, answering at {}: read it on the Registers screen",
            spoken.protocol, spoken.line
        ),
    );
}

fn alignment(ui: &mut Ui, app: &AppView<'_>, check_interval: Duration) -> Option<Action> {
    let view = app.link;
    let mut action = None;
    let raw_socket = crate::link::port::is_raw_socket(&app.settings.connection.port);
    ui.label(
        RichText::new("Alignment and sensitivity")
            .strong()
            .size(16.0),
    );
    ui.label("Slide the head, turn it 180°, add a spacer or turn the receiver's potentiometer, and watch the rates.");
    egui::Grid::new("alignment")
        .num_columns(3)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            rate_row(
                ui,
                ("Echo tests", "round"),
                view.echo_rate(),
                view.echoes().iter().copied(),
                "no rounds yet".into(),
            );
            // The requests before the eye first answered are its waking, not misses: counted
            // as such they would tell the technician to move a head that sits well.
            let waking = match view.waking_requests() {
                0 => "no rounds yet".to_string(),
                n => format!("waking: {n} unanswered"),
            };
            // A pushing meter is listened to, not asked: each round is a listen.
            let pushing = view.spoken().is_some_and(|spoken| spoken.push);
            rate_row(
                ui,
                if pushing {
                    ("Telegrams heard", "telegram")
                } else {
                    ("Meter requests", "round")
                },
                view.answer_rate(),
                view.answers().iter().copied(),
                waking,
            );
            // The bytes still come while no telegram checks: a head slid too far hears less.
            if let Some(rate) = view.byte_rate().filter(|_| pushing) {
                ui.label("Bytes heard");
                ui.label(format!("{rate:.0} a second"));
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        ui.label(format!(
            "Requests sent: {} (one every {:.1} s; battery meters throttle when asked too often)",
            view.requests(),
            check_interval.as_secs_f32()
        ));
    });
    ui.horizontal(|ui| {
        let label = ui.label("Pause checking after");
        let mut limit = app.settings.check_request_limit;
        ui.add(
            egui::DragValue::new(&mut limit)
                .range(0..=10_000)
                .suffix(" requests"),
        )
        .labelled_by(label.id)
        .on_hover_text("0: never pause. The pause spares a battery meter's budget.");
        if limit != app.settings.check_request_limit {
            action = Some(Action::SetCheckLimit(limit));
        }
    });
    ui.horizontal(|ui| {
        if app.checking() {
            if ui.button("Pause checking").clicked() {
                action = Some(Action::StopCheck);
            }
        } else {
            if ui.button("Resume checking").clicked() {
                action = Some(Action::StartCheck);
            }
            if let Some(requests) = app.check_paused {
                style::status_line(
                    ui,
                    WARN,
                    &format!(
                        "Checking paused after {requests} requests to spare the meter's battery"
                    ),
                );
            }
        }
        // Over a raw socket every row would be the bridge's own line: the note below says so.
        let sweep = ui.add_enabled(
            !app.sweeping() && !raw_socket,
            egui::Button::new("Sweep line settings"),
        );
        if sweep
            .on_hover_text("Try 2400 and 9600 baud and 1 stop bit")
            .clicked()
        {
            action = Some(Action::Sweep);
        }
        if app.sweeping() {
            ui.spinner();
            ui.label("sweeping…");
        }
    });
    if raw_socket {
        ui.label(
            RichText::new(
                "Over a raw socket the line settings are the bridge's own: the sweep cannot \
                 change them (a network head on RFC 2217 can).",
            )
            .italics(),
        );
    }
    for result in view.sweep() {
        let (colour, word) = if result.answered {
            (GOOD, "answers")
        } else {
            (BAD, "no answer")
        };
        ui.label(RichText::new(format!("{}: {word}", result.line)).color(colour));
    }
    action
}

/// The meter's address: the one set, a search of every address, and what it found; offered
/// while KMP has had no answer at the address set (a meter that answers, or speaks a text
/// protocol, has no use for it).
fn address_search(ui: &mut Ui, app: &AppView<'_>) -> Option<Action> {
    let view = app.link;
    let answered = view.identity().is_some() || view.spoken().is_some_and(Spoken::is_text);
    if answered && view.addresses().is_none() && !app.searching_addresses() {
        return None;
    }
    let set = app.settings.connection.address;
    let time = ProbeOptions::address_sweep_time(&app.settings.connection.link_config());
    let mut action = None;
    ui.horizontal(|ui| {
        let searching = app.searching_addresses();
        let search = ui.add_enabled(
            !searching && !app.sweeping(),
            egui::Button::new("Search every address"),
        );
        if search
            .on_hover_text("Ask at every address from 0 to 255 which one the meter answers at")
            .clicked()
        {
            action = Some(Action::SearchAddresses);
        }
        if searching {
            ui.spinner();
            ui.label(format!(
                "asking every address, the logger modules' first (up to {})…",
                duration::format(time)
            ));
        } else {
            ui.label(format!(
                "Asking at 0x{set:02X}; a search of 0–255 takes up to {}",
                duration::format(time)
            ));
        }
    });
    match app.link.addresses() {
        Some(AddressSearched::Answered(found)) if found != set => {
            ui.horizontal(|ui| {
                style::status_line(
                    ui,
                    GOOD,
                    &format!("The meter answers at 0x{found:02X}, not at 0x{set:02X}"),
                );
                if ui.button(format!("Use 0x{found:02X}")).clicked() {
                    action = Some(Action::UseAddress(found));
                }
            });
        }
        Some(AddressSearched::Answered(found)) => style::status_line(
            ui,
            GOOD,
            &format!("The meter answers at 0x{found:02X}, the address set"),
        ),
        Some(AddressSearched::NoneAnswered) => style::status_line(
            ui,
            BAD,
            "No address from 0 to 255 answered: wake the eye with the magnet, then search again",
        ),
        None => {}
    }
    action
}

/// A rate over the last [`HISTORY`] of what `each` names (a round, a telegram).
fn rate_row(
    ui: &mut Ui,
    (name, each): (&str, &str),
    rate: Option<f32>,
    history: impl ExactSizeIterator<Item = bool>,
    empty: String,
) {
    ui.label(name);
    let fraction = rate.unwrap_or(0.0);
    // Until the history is full the rate covers fewer: say how many.
    let count = history.len();
    let text = rate.map_or(empty, |r| match count {
        HISTORY.. => format!("{:.0}% of the last {HISTORY}", r * 100.0),
        1 => format!("{:.0}% of 1 {each}", r * 100.0),
        _ => format!("{:.0}% of {count} {each}s", r * 100.0),
    });
    ui.add(
        egui::ProgressBar::new(fraction)
            .desired_width(260.0)
            .text(text),
    );
    style::sparkline(ui, history, HISTORY);
    ui.end_row();
}

fn diagnosis(ui: &mut Ui, view: &LinkView) {
    let Some(diagnosis) = view.diagnosis() else {
        return;
    };
    let colour = style::diagnosis_colour(diagnosis.code);
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(2.0, colour))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            let title = match diagnosis.code {
                DiagnosisCode::Ok => "The link works",
                DiagnosisCode::PortError => "The port cannot be opened",
                DiagnosisCode::NoEcho => "Nothing comes back",
                DiagnosisCode::Waking => "The eye is waking up",
                DiagnosisCode::EchoOnly => "The meter does not answer",
                DiagnosisCode::Garbled => "The answers are garbled",
                DiagnosisCode::Throttled => "The meter stopped answering",
            };
            ui.label(RichText::new(title).size(20.0).strong().color(colour));
            ui.label(RichText::new(&diagnosis.finding).size(15.0));
            ui.label(RichText::new(&diagnosis.advice).size(15.0).strong());
        });
}
