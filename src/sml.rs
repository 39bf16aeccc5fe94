//! SML (Smart Message Language), which most German and Austrian electricity meters push on
//! their optical eye unasked, at 9600 8N1, every second or few, sans-IO: the transport frame
//! ([`Receiver`], [`encode_frame`]), the type-length fields ([`Value`]), and the messages a
//! meter sends ([`File`]), their values as OBIS codes, units and exact numbers
//! ([`Entry::number`]). docs/protocols.md §11 has the facts and their sources.
//!
//! Written here rather than taken from `sml-rs` (MIT/Apache, on crates.io): its transport
//! decoder drops a frame whose CRC came low byte first, which some meters send, and its parser
//! fails a whole file on a message it does not know, which this one keeps as it came.
//!
//! Like `kmp` and `iec`: no IO, no clock, no threads; no input makes it panic; every buffer has
//! a bound.
//!
//! ```
//! use kmp_workbench::sml::{Body, Entry, File, Message, Receiver, Value, ValueList, encode_frame};
//!
//! let file = File {
//!     messages: vec![Message {
//!         transaction_id: vec![1],
//!         group: 0,
//!         abort_on_error: 0,
//!         body: Body::GetListResponse(ValueList {
//!             server_id: vec![0x0A, 0x01],
//!             name: None,
//!             entries: vec![Entry {
//!                 name: vec![1, 0, 1, 8, 0, 255],
//!                 status: None,
//!                 unit: Some(30),
//!                 scaler: Some(-1),
//!                 value: Value::UInt(123_456_789, 4),
//!             }],
//!         }),
//!     }],
//! };
//! let mut receiver = Receiver::new();
//! let frame = encode_frame(&file.encode())
//!     .into_iter()
//!     .find_map(|byte| receiver.push(byte))
//!     .unwrap()
//!     .unwrap();
//! let entry = File::decode(&frame.payload).unwrap().entries().next().cloned().unwrap();
//! assert_eq!(entry.obis().unwrap().to_string(), "1-0:1.8.0*255");
//! assert_eq!(entry.number().unwrap().to_string(), "12345678.9");
//! assert_eq!(entry.unit_symbol(), Some("Wh"));
//! ```

mod message;
mod tlf;
mod transport;
mod units;

pub use message::{Body, Entry, File, Message, Obis, ValueList};
pub use tlf::Value;
pub use transport::{Frame, MAX_FRAME_LEN, Receiver, encode_frame};

/// Why bytes are not valid SML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SmlError {
    /// The frame's CRC matches its bytes in neither byte order.
    #[error("frame CRC mismatch (computed 0x{computed:04X}, the frame says 0x{sent:04X})")]
    Crc {
        /// What its bytes give.
        computed: u16,
        /// What the frame carries.
        sent: u16,
    },
    /// The frame or a value ended before it was whole.
    #[error("cut short")]
    CutShort,
    /// An escape followed by a word that is no command.
    #[error("unknown escape command {0:02X?}")]
    Escape([u8; 4]),
    /// The end says more padding than there can be.
    #[error("padding of {0} bytes")]
    Padding(u8),
    /// A type-length field that is none.
    #[error("bad type-length field 0x{0:02X}")]
    TypeLength(u8),
    /// Lists nested deeper than any SML message.
    #[error("lists nested too deep")]
    TooDeep,
    /// Longer than any frame taken.
    #[error("longer than {0} bytes")]
    TooLong(usize),
    /// Values that are not the message they should be.
    #[error("not a valid SML message ({0})")]
    Shape(&'static str),
}

#[cfg(test)]
mod tests;
