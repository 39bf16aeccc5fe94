//! The meter's counters of what it did with what it was sent.

/// What the meter did with what it was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes received at line settings the eye does not read: noise to it.
    pub unread: u64,
    /// Bytes sent that the client's line settings could not read when they arrived.
    pub unheard: u64,
    /// Read requests to its address (KMP requests, IEC sign-ons and option selects, `/#1`).
    pub requests: u64,
    /// Requests answered (corrupted ones included).
    pub answered: u64,
    /// Requests ignored while the eye was waking up.
    pub ignored_waking: u64,
    /// Requests ignored while the eye was asleep or over its budget.
    pub ignored_asleep: u64,
    /// Frames to the meter that failed their CRC, stuffing or length checks.
    pub invalid_frames: u64,
    /// Commands it does not answer (writes, programming mode among them), or to another address.
    pub ignored_other: u64,
    /// Requests ignored because they asked for a register that silences the meter.
    pub silenced: u64,
    /// Answers dropped on purpose.
    pub dropped: u64,
    /// Answers damaged on purpose.
    pub corrupted: u64,
    /// Answers sent after noise or the tail of the answer before, on purpose.
    pub noisy: u64,
    /// Answers held back to come late, on purpose.
    pub late: u64,
    /// Echoed bytes damaged or lost on purpose.
    pub echoes_damaged: u64,
}
