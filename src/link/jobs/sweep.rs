//! The sweep: GetSerialNo once at each line setting a meter's eye may use (the link's own, 2400
//! and 9600 baud, one stop bit), a row each saying whether the meter answered. `probe --sweep`
//! runs it after the link check; the app's "Sweep line settings" runs it alone, since the link
//! check it interrupts has already woken the eye.

use crate::kmp::Request;
use crate::line::{LineSettings, Parity};
use crate::link::config::is_raw_socket;
use crate::link::engine::Exchange;
use crate::link::messages::Report;
use crate::link::reports::SweepResult;

use super::step::{Attempts, Cx, ExchangeResult, Input, Step};

/// The sweep; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Sweep {
    rows: Vec<SweepResult>,
}

impl Sweep {
    /// Whether a sweep can say anything on `port`: over a raw socket every row would be the
    /// bridge's own line.
    pub fn possible(port: &str) -> bool {
        !is_raw_socket(port)
    }

    /// The exchange at the next setting to try from the link's own settings `home`, or `None`
    /// when every one was tried.
    pub fn next(&self, home: LineSettings) -> Option<Step> {
        candidates(home)
            .get(self.rows.len())
            .map(|&line| Step::Exchange {
                exchange: Exchange::Request(Request::GetSerialNo),
                attempts: Attempts::Configured,
                line: Some(line),
                answer_line: None,
            })
    }

    /// Notes the result of the exchange [`Self::next`] asked for.
    pub fn handle(&mut self, result: &ExchangeResult, home: LineSettings) {
        if let Some(&line) = candidates(home).get(self.rows.len()) {
            self.rows.push(SweepResult {
                line,
                answered: result.is_ok(),
            });
        }
    }

    /// The rows so far.
    pub fn rows(&self) -> &[SweepResult] {
        &self.rows
    }

    /// Resumes the sweep as a job of its own.
    pub fn resume(&mut self, input: Input, cx: &mut Cx<'_>) -> Step {
        match input {
            Input::Start => {
                self.rows.clear();
                if !Self::possible(cx.port) {
                    return Step::Done(Some(Report::Sweep(Vec::new())));
                }
            }
            Input::Exchanged(result) => self.handle(&result, cx.line),
            // The sweep never asks for a pause; were a timer to end, it ends with its rows.
            Input::Timeout => return Step::Done(Some(Report::Sweep(self.rows.clone()))),
        }
        self.next(cx.line)
            .unwrap_or_else(|| Step::Done(Some(Report::Sweep(self.rows.clone()))))
    }
}

/// The line settings the sweep tries: the link's own, 2400 and 9600 baud, and one stop bit.
fn candidates(home: LineSettings) -> [LineSettings; 4] {
    [
        home,
        LineSettings { baud: 2400, ..home },
        LineSettings { baud: 9600, ..home },
        LineSettings {
            stop_bits: 1,
            parity: Parity::None,
            ..home
        },
    ]
}
