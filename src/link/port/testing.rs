//! Ports for tests of the link and the app: a simulated meter in the process behind any name,
//! and an adapter that can be unplugged and plugged back in.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{LineSettings, LinkConfig, LinkError, OpenFailure, Opener, Port, SimPort};
use crate::sim::MeterConfig;

/// Opens every name as the same in-process simulated meter.
pub(crate) struct FixedSimOpener(pub MeterConfig);

impl Opener for FixedSimOpener {
    fn open(&self, config: &LinkConfig) -> Result<Box<dyn Port>, LinkError> {
        Ok(Box::new(SimPort::new(self.0.clone(), config.line)))
    }
}

/// The switch of an adapter that can be unplugged.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plug(Arc<AtomicBool>);

impl Plug {
    /// Pulls the adapter out: every use of its port fails, and it cannot be opened.
    pub fn unplug(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Puts it back.
    pub fn replug(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    fn check(&self) -> io::Result<()> {
        if self.0.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "device unplugged",
            ))
        } else {
            Ok(())
        }
    }
}

/// Opens a fresh simulated meter behind the plug each time, while it is plugged in.
pub(crate) struct PluggedOpener {
    /// The meter opened.
    pub meter: MeterConfig,
    /// The plug.
    pub plug: Plug,
}

impl Opener for PluggedOpener {
    fn open(&self, config: &LinkConfig) -> Result<Box<dyn Port>, LinkError> {
        self.plug.check().map_err(|error| LinkError::Open {
            port: config.port.clone(),
            failure: OpenFailure::NotFound,
            detail: error.to_string(),
        })?;
        Ok(Box::new(Plugged {
            inner: SimPort::new(self.meter.clone(), config.line),
            plug: self.plug.clone(),
        }))
    }
}

struct Plugged {
    inner: SimPort,
    plug: Plug,
}

impl Port for Plugged {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.plug.check()?;
        self.inner.write_all(bytes)
    }
    fn read(&mut self, buffer: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.plug.check()?;
        self.inner.read(buffer, timeout)
    }
    fn clear_input(&mut self) -> io::Result<()> {
        self.plug.check()?;
        self.inner.clear_input()
    }
    fn set_line(&mut self, line: &LineSettings) -> io::Result<()> {
        self.plug.check()?;
        self.inner.set_line(line)
    }
}
