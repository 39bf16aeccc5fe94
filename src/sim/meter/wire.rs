//! The line from the meter to the client: bytes queued to leave at their times and settings,
//! and the client's settings over time, which decide whether each byte is read when it arrives.

use std::collections::VecDeque;
use std::time::Instant;

use crate::line::LineSettings;

/// A byte queued to leave, at the settings it is sent with.
#[derive(Clone, Copy, Debug)]
struct Outgoing {
    /// When it has fully left.
    at: Instant,
    byte: u8,
    line: LineSettings,
}

/// The meter's side of the line; see the module documentation.
#[derive(Debug)]
pub(super) struct Wire {
    /// Bytes to send, in time order.
    outgoing: VecDeque<Outgoing>,
    /// The client's settings for every byte still queued, until the first of `changes`.
    client_line: LineSettings,
    /// Later settings of the client from the time each took effect, oldest first.
    changes: VecDeque<(Instant, LineSettings)>,
}

impl Wire {
    /// An empty line whose client is at `line`.
    pub fn new(line: LineSettings) -> Self {
        Self {
            outgoing: VecDeque::new(),
            client_line: line,
            changes: VecDeque::new(),
        }
    }

    /// The client's line settings after every change so far.
    pub fn client_line(&self) -> LineSettings {
        self.changes
            .back()
            .map_or(self.client_line, |&(_, line)| line)
    }

    /// The client set its port to `line` at `now`.
    pub fn set_client_line(&mut self, line: LineSettings, now: Instant) {
        if self.client_line() != line {
            self.changes.push_back((now, line));
        }
    }

    /// Queues `byte`, sent at `line`, to have fully left at `at`.
    pub fn queue(&mut self, at: Instant, byte: u8, line: LineSettings) {
        let idx = self.outgoing.partition_point(|queued| queued.at <= at);
        self.outgoing.insert(idx, Outgoing { at, byte, line });
    }

    /// When the next byte is due, if one is queued.
    pub fn next_due(&self) -> Option<Instant> {
        self.outgoing.front().map(|outgoing| outgoing.at)
    }

    /// Takes the bytes due by `now`, as the client's settings read them when they arrived
    /// ([`LineSettings::hears`]), and how many it could not read.
    pub fn due(&mut self, now: Instant) -> (Vec<u8>, u64) {
        let (mut read, mut unheard) = (Vec::new(), 0);
        while let Some(&Outgoing { at, byte, line }) = self.outgoing.front() {
            if at > now {
                break;
            }
            self.outgoing.pop_front();
            match self.client_line_at(at).hears(&line, byte) {
                Some(heard) => read.push(heard),
                None => unheard += 1,
            }
        }
        (read, unheard)
    }

    /// The client's settings at `at`. Bytes are taken in time order, so settings replaced
    /// before `at` are needed no more.
    fn client_line_at(&mut self, at: Instant) -> LineSettings {
        while let Some(&(_, line)) = self.changes.front().filter(|(since, _)| *since <= at) {
            self.client_line = line;
            self.changes.pop_front();
        }
        self.client_line
    }
}
