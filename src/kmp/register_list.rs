//! The register IDs of one GetRegister request: one to eight (docs/protocols.md §4). A request
//! with none or nine cannot exist.

use super::{EncodeError, RegisterId};

/// The most register IDs one GetRegister request may hold (docs/protocols.md §4).
pub const MAX_REGISTERS_PER_REQUEST: usize = 8;

/// One to eight register IDs: a GetRegister request cannot hold none or nine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegisterList {
    ids: [RegisterId; MAX_REGISTERS_PER_REQUEST],
    len: u8,
}

impl RegisterList {
    /// A list of the given IDs, in order.
    pub fn new(ids: &[RegisterId]) -> Result<Self, EncodeError> {
        if ids.is_empty() || ids.len() > MAX_REGISTERS_PER_REQUEST {
            return Err(EncodeError::RegisterCount { count: ids.len() });
        }
        let mut list = Self {
            ids: [RegisterId::new(0); MAX_REGISTERS_PER_REQUEST],
            len: ids.len() as u8,
        };
        list.ids[..ids.len()].copy_from_slice(ids);
        Ok(list)
    }

    /// A list of one ID.
    pub fn single(id: RegisterId) -> Self {
        let mut ids = [RegisterId::new(0); MAX_REGISTERS_PER_REQUEST];
        ids[0] = id;
        Self { ids, len: 1 }
    }

    /// How many IDs it holds, 1 to 8, as the request's count byte.
    pub fn count(&self) -> u8 {
        self.len
    }

    /// The IDs, in request order.
    pub fn as_slice(&self) -> &[RegisterId] {
        &self.ids[..usize::from(self.len)]
    }
}
