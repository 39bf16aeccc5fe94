//! A meter's register map: the registers it answered (raw blocks kept), the IDs that silence it,
//! the names the user gave, and the meter family whose catalogue names the rest. Saved as a small
//! RON file that keeps the raw register blocks, so a loaded map decodes exactly as when scanned.

use std::collections::BTreeMap;
use std::path::Path;

use crate::kmp::register::lookup;
use crate::kmp::{Family, Register, RegisterId, Value, info};
use crate::ron_version::VersionedError;

use super::RegisterKey;

/// The format version written; files of a newer version are refused, not guessed at.
pub const MAP_VERSION: u32 = 1;
/// Register maps are small; a bigger file is not one.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The longest name a user may give a register, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// What is known of a meter's registers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegisterMap {
    /// The family whose catalogue names registers the user has not named.
    pub family: Option<Family>,
    /// Every register found, by ID; a later answer replaces an earlier one.
    pub registers: BTreeMap<RegisterId, Register>,
    /// IDs whose requests silence the meter.
    pub silencing: Vec<RegisterId>,
    names: BTreeMap<RegisterId, String>,
}

/// Why a register map file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MapFileError {
    /// The file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is bigger than any register map.
    #[error("{path} is {bytes} bytes, too large for a register map (at most {max})", max = MAX_FILE_BYTES)]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// The file is not a register map, or is cut short.
    #[error("{path} is not a register map: {detail}")]
    Invalid {
        /// The file.
        path: String,
        /// What the parser found.
        detail: String,
    },
    /// A later version of the program wrote it.
    #[error(
        "{path} is a version {version} register map; this program reads up to version {MAP_VERSION}"
    )]
    TooNew {
        /// The file.
        path: String,
        /// Its version.
        version: u32,
    },
}

/// The file's form.
#[derive(serde::Serialize, serde::Deserialize)]
struct MapFile {
    version: u32,
    #[serde(default)]
    family: Option<Family>,
    #[serde(default)]
    registers: Vec<MapEntry>,
    #[serde(default)]
    silencing: Vec<RegisterId>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MapEntry {
    id: RegisterId,
    #[serde(default)]
    name: Option<String>,
    /// Unit code, mantissa length, sign/exponent byte and mantissa as the meter sent them, in
    /// hex; absent for a register only named, never read.
    #[serde(default)]
    block: Option<String>,
}

impl RegisterMap {
    /// Adds or replaces registers as a meter answered them.
    pub fn insert(&mut self, registers: impl IntoIterator<Item = Register>) {
        for register in registers {
            self.registers.insert(register.id(), register);
        }
    }

    /// Notes IDs that silence the meter, each once.
    pub fn add_silencing(&mut self, ids: &[RegisterId]) {
        for id in ids {
            if !self.silencing.contains(id) {
                self.silencing.push(*id);
            }
        }
    }

    /// The name the user gave `id`.
    pub fn user_name(&self, id: RegisterId) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// Names `id`; an empty name removes the user's name. Names are cut to [`MAX_NAME_CHARS`]
    /// and kept on one line.
    pub fn set_name(&mut self, id: RegisterId, name: &str) {
        let clean: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_NAME_CHARS)
            .collect();
        if clean.trim().is_empty() {
            self.names.remove(&id);
        } else {
            self.names.insert(id, clean);
        }
    }

    /// The catalogue's name for `id` in this map's family.
    pub fn catalogue_name(&self, id: RegisterId) -> Option<&'static str> {
        lookup(self.family, id).map(|info| info.name)
    }

    /// A register's value as shown, with the info code (register 99) in words where the
    /// family's bits are public.
    pub fn value_text(&self, register: &Register) -> String {
        let shown = register.display_text();
        if register.id() != RegisterId::INFO_CODE {
            return shown;
        }
        let Value::Number(number) = register.value() else {
            return shown;
        };
        match info::describe(self.family, number.mantissa()) {
            Some(words) => format!("{shown}: {words}"),
            None => format!(
                "{shown} (bits {:#b}; their meaning is not public for this meter)",
                number.mantissa()
            ),
        }
    }

    /// The name to show: the user's, else the catalogue's, else "register N".
    pub fn name(&self, id: RegisterId) -> String {
        self.user_name(id)
            .map(str::to_string)
            .or_else(|| self.catalogue_name(id).map(str::to_string))
            .unwrap_or_else(|| format!("register {id}"))
    }

    /// The name of any register: a KMP register's as [`Self::name`] gives it, an OBIS code's
    /// from the common codes (else the code itself), a `/#1` field's label.
    pub fn key_name(&self, key: RegisterKey) -> String {
        match key {
            RegisterKey::Kmp(id) => self.name(id),
            RegisterKey::Obis(address) => {
                crate::iec::name(&address).map_or_else(|| address.to_string(), str::to_string)
            }
            RegisterKey::Field(field) => field.label().to_string(),
        }
    }

    /// The map as RON text.
    pub fn to_ron(&self) -> String {
        let mut entries: BTreeMap<RegisterId, MapEntry> = self
            .registers
            .values()
            .map(|register| {
                (
                    register.id(),
                    MapEntry {
                        id: register.id(),
                        name: None,
                        block: Some(crate::kmp::to_hex(&register.raw())),
                    },
                )
            })
            .collect();
        for (id, name) in &self.names {
            entries
                .entry(*id)
                .or_insert(MapEntry {
                    id: *id,
                    name: None,
                    block: None,
                })
                .name = Some(name.clone());
        }
        let file = MapFile {
            version: MAP_VERSION,
            family: self.family,
            registers: entries.into_values().collect(),
            silencing: self.silencing.clone(),
        };
        let pretty = ron::ser::PrettyConfig::new().depth_limit(3);
        // A map of plain strings and numbers always serialises.
        ron::ser::to_string_pretty(&file, pretty).unwrap_or_default()
    }

    /// A map from RON text; `path` names the file in errors.
    pub fn from_ron(text: &str, path: &str) -> Result<Self, MapFileError> {
        let file: MapFile =
            crate::ron_version::parse(text, MAP_VERSION).map_err(|error| match error {
                VersionedError::Invalid(detail) => MapFileError::Invalid {
                    path: path.to_string(),
                    detail,
                },
                VersionedError::TooNew(version) => MapFileError::TooNew {
                    path: path.to_string(),
                    version,
                },
            })?;
        let mut map = Self {
            family: file.family,
            silencing: file.silencing,
            ..Self::default()
        };
        for entry in file.registers {
            if let Some(block) = &entry.block {
                let register =
                    decode_block(entry.id, block).map_err(|detail| MapFileError::Invalid {
                        path: path.to_string(),
                        detail,
                    })?;
                map.insert([register]);
            }
            if let Some(name) = &entry.name {
                map.set_name(entry.id, name);
            }
        }
        Ok(map)
    }

    /// Writes the map to `path`.
    pub fn save(&self, path: &Path) -> Result<(), MapFileError> {
        crate::atomic_file::write(path, self.to_ron().as_bytes()).map_err(|source| {
            MapFileError::Io {
                action: "write",
                path: path.display().to_string(),
                source,
            }
        })
    }

    /// Reads a map from `path`.
    pub fn load(path: &Path) -> Result<Self, MapFileError> {
        let shown = path.display().to_string();
        let io = |source| MapFileError::Io {
            action: "read",
            path: shown.clone(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(io)?.len();
        if bytes > MAX_FILE_BYTES {
            return Err(MapFileError::TooLarge { path: shown, bytes });
        }
        let raw = std::fs::read(path).map_err(io)?;
        let text = String::from_utf8(raw).map_err(|_| MapFileError::Invalid {
            path: shown.clone(),
            detail: "not UTF-8 text".into(),
        })?;
        Self::from_ron(&text, &shown)
    }
}

/// A register from the hex of its unit, length, sign/exponent and mantissa bytes.
fn decode_block(id: RegisterId, hex: &str) -> Result<Register, String> {
    crate::kmp::from_hex(hex)
        .and_then(|raw| Register::from_raw(id, &raw))
        .ok_or_else(|| format!("register {id}: {hex:?} is not a register block"))
}

#[cfg(test)]
mod tests;
