//! The publisher: one thread, `kmp-mqtt`, owns the connection to the broker and drives the
//! [`Session`] with the socket and the clock. Whoever publishes only sends it messages, so a
//! broker that is slow, away or restarting never holds up the link or a frame: the messages
//! wait in the session's queue, in order, until the broker is back.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::broker_url::BrokerUrl;
use super::packet::refusal;
use super::session::{Happened, Message, Options, Session};
use super::tls::TlsConfig;

/// How long the thread waits for an order or a byte before it looks at the clock again.
const TICK: Duration = Duration::from_millis(50);
/// How long a connection attempt or a write may take.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// What the publisher tells its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublisherReport {
    /// The broker accepted the connection (again).
    Connected,
    /// The broker is away, or the connection broke: why. Said once an outage.
    Away(String),
    /// The broker refused the login, with its reason: the publisher has stopped.
    Refused(String),
    /// The broker's TLS certificate is not one to trust, with why: the publisher has stopped.
    Untrusted(String),
    /// The broker acknowledged the message with this mark.
    Delivered(u64),
}

enum Order {
    Publish(Message),
    Finish {
        last: Vec<Message>,
        within: Duration,
        done: Sender<usize>,
    },
}

/// The handle to the publisher's thread.
#[derive(Debug)]
pub struct Publisher {
    orders: Sender<Order>,
    reports: Receiver<PublisherReport>,
    thread: Option<JoinHandle<()>>,
}

impl Publisher {
    /// Starts publishing to `url` with `options`, over TLS checked with `tls` when given;
    /// `notify` is called after each report, so a GUI wakes up.
    pub fn spawn(
        url: &BrokerUrl,
        options: Options,
        tls: Option<TlsConfig>,
        notify: Box<dyn Fn() + Send>,
    ) -> io::Result<Self> {
        let (orders, inbox) = mpsc::channel();
        let (outbox, reports) = mpsc::channel();
        let address = (url.host.clone(), url.port);
        let thread = thread::Builder::new()
            .name("kmp-mqtt".into())
            .spawn(move || {
                let driver = Driver {
                    address,
                    tls,
                    session: Session::new(options, Instant::now()),
                    stream: None,
                    away: false,
                    outbox,
                    notify,
                };
                driver.run(&inbox);
            })?;
        Ok(Self {
            orders,
            reports,
            thread: Some(thread),
        })
    }

    /// Queues `message`.
    pub fn publish(&self, message: Message) {
        // The thread ends only when finished or refused; then nothing more is published.
        let _ = self.orders.send(Order::Publish(message));
    }

    /// The next report, if one is waiting.
    pub fn try_report(&self) -> Option<PublisherReport> {
        self.reports.try_recv().ok()
    }

    /// Publishes `last`, then, within `within` at most, lets the broker acknowledge what is
    /// queued and says goodbye, without waiting for it: [`Self::is_finished`] says when done.
    pub fn finish_soon(&self, last: Vec<Message>, within: Duration) {
        let (done, _) = mpsc::channel();
        let _ = self.orders.send(Order::Finish { last, within, done });
    }

    /// Whether the thread has ended: finished, or refused by the broker.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Publishes `last`, then waits up to `within` for the broker to acknowledge everything
    /// queued and says goodbye; returns how many messages it did not acknowledge.
    pub fn finish(mut self, last: Vec<Message>, within: Duration) -> usize {
        let (done, left) = mpsc::channel();
        let sent = self.orders.send(Order::Finish { last, within, done });
        let left = if sent.is_ok() {
            left.recv().unwrap_or(0)
        } else {
            0
        };
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        left
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let (done, _) = mpsc::channel();
            let _ = self.orders.send(Order::Finish {
                last: Vec::new(),
                within: Duration::ZERO,
                done,
            });
            let _ = thread.join();
        }
    }
}

struct Driver {
    address: (String, u16),
    tls: Option<TlsConfig>,
    session: Session,
    stream: Option<Wire>,
    /// Whether the outage under way was said.
    away: bool,
    outbox: Sender<PublisherReport>,
    notify: Box<dyn Fn() + Send>,
}

impl Driver {
    fn run(mut self, inbox: &Receiver<Order>) {
        let mut finishing: Option<(Instant, Sender<usize>)> = None;
        loop {
            // With a connection the socket's read timeout is the wait; without one, the inbox.
            let wait = if self.stream.is_some() {
                Duration::ZERO
            } else {
                TICK
            };
            let mut order = match inbox.recv_timeout(wait) {
                Ok(order) => Some(order),
                Err(RecvTimeoutError::Timeout) => None,
                // The handle is gone without finishing: nothing more can be published.
                Err(RecvTimeoutError::Disconnected) => return,
            };
            while let Some(next) = order {
                match next {
                    Order::Publish(message) => self.session.publish(message),
                    Order::Finish { last, within, done } => {
                        for message in last {
                            self.session.publish(message);
                        }
                        finishing = Some((Instant::now() + within, done));
                    }
                }
                order = inbox.try_recv().ok();
            }
            let now = Instant::now();
            if let Some((deadline, _)) = &finishing
                && (self.session.queued() == 0 || now >= *deadline)
            {
                self.goodbye();
                if let Some((_, done)) = finishing.take() {
                    let _ = done.send(self.session.queued());
                }
                return;
            }
            if self.stream.is_none() && self.session.wants_connection(now) {
                self.connect(now);
            }
            if self.stream.is_some() && !self.exchange() {
                return;
            }
        }
    }

    /// Opens a connection to the broker, or says why not.
    fn connect(&mut self, now: Instant) {
        match open(&self.address, self.tls.as_ref()) {
            Ok(stream) => {
                self.stream = Some(stream);
                self.session.opened(now);
            }
            Err(error) => {
                self.session.lost(now);
                let (host, port) = &self.address;
                self.say_away(format!("cannot reach the broker at {host}:{port}: {error}"));
            }
        }
    }

    /// Sends what the session has, reads what came; false when the publisher must stop.
    fn exchange(&mut self) -> bool {
        let Some(stream) = self.stream.as_mut() else {
            return true;
        };
        let now = Instant::now();
        let bytes = self.session.transmit(now);
        if !bytes.is_empty()
            && let Err(error) = stream.write_all(&bytes)
        {
            return self.broke(&error);
        }
        let mut buffer = [0u8; 4096];
        let happened = match stream.read(&mut buffer) {
            Ok(0) => {
                self.drop_connection("the broker closed the connection".into());
                return true;
            }
            Ok(n) => self.session.received(&buffer[..n], Instant::now()),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Vec::new()
            }
            Err(error) => return self.broke(&error),
        };
        let overdue = self.session.overdue(Instant::now());
        for event in happened.into_iter().chain(overdue) {
            match event {
                Happened::Accepted => {
                    self.away = false;
                    self.report(PublisherReport::Connected);
                }
                Happened::Refused(code) => {
                    self.report(PublisherReport::Refused(refusal(code).to_string()));
                    return false;
                }
                Happened::Delivered(mark) => self.report(PublisherReport::Delivered(mark)),
                Happened::Broken(why) => {
                    self.drop_connection(why);
                    return true;
                }
            }
        }
        true
    }

    /// The connection failed with `error`: dropped, to be tried again, or when the broker's
    /// certificate is not to be trusted, the end (false).
    fn broke(&mut self, error: &io::Error) -> bool {
        if let Some(why) = untrusted(error) {
            self.report(PublisherReport::Untrusted(why));
            return false;
        }
        self.drop_connection(format!("the connection to the broker broke: {error}"));
        true
    }

    fn drop_connection(&mut self, why: String) {
        if let Some(stream) = self.stream.take() {
            stream.shutdown();
        }
        self.session.lost(Instant::now());
        self.say_away(why);
    }

    fn say_away(&mut self, why: String) {
        if !self.away {
            self.away = true;
            self.report(PublisherReport::Away(why));
        }
    }

    /// Says goodbye cleanly, so the broker does not publish the will.
    fn goodbye(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            let bytes = self.session.goodbye();
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            stream.shutdown();
        }
    }

    fn report(&self, report: PublisherReport) {
        if self.outbox.send(report).is_ok() {
            (self.notify)();
        }
    }
}

/// The connection to the broker: plain TCP, or TLS over it.
enum Wire {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Wire {
    fn shutdown(self) {
        let tcp = match self {
            Self::Plain(tcp) => tcp,
            #[cfg(feature = "tls")]
            Self::Tls(mut tls) => {
                tls.conn.send_close_notify();
                let _ = tls.flush();
                tls.sock
            }
        };
        let _ = tcp.shutdown(Shutdown::Both);
    }
}

impl Read for Wire {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.read(buffer),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.read(buffer),
        }
    }
}

impl Write for Wire {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.write(bytes),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(tcp) => tcp.flush(),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.flush(),
        }
    }
}

/// A connection to the first address of `host:port` that answers, with TLS when `tls` says.
fn open((host, port): &(String, u16), tls: Option<&TlsConfig>) -> io::Result<Wire> {
    let tcp = connect(host, *port)?;
    match tls {
        None => Ok(Wire::Plain(tcp)),
        #[cfg(feature = "tls")]
        Some(config) => {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
            let connection =
                rustls::ClientConnection::new(config.0.clone(), name).map_err(io::Error::other)?;
            Ok(Wire::Tls(Box::new(rustls::StreamOwned::new(
                connection, tcp,
            ))))
        }
        #[cfg(not(feature = "tls"))]
        Some(config) => match *config {},
    }
}

/// Why an error says the broker's certificate is not to be trusted, if it does.
fn untrusted(error: &io::Error) -> Option<String> {
    #[cfg(feature = "tls")]
    if let Some(rustls::Error::InvalidCertificate(why)) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return Some(format!("its certificate is not to be trusted ({why})"));
    }
    let _ = error;
    None
}

/// A TCP connection to the first address of `host:port` that answers.
fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address");
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, NETWORK_TIMEOUT) {
            Ok(stream) => {
                stream.set_read_timeout(Some(TICK))?;
                stream.set_write_timeout(Some(NETWORK_TIMEOUT))?;
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(error) => last = error,
        }
    }
    Err(last)
}
