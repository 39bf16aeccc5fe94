//! Where to publish, as `log --mqtt` takes it: `mqtt://[user@]host[:port][/prefix]`, or
//! `mqtts://` for TLS. A password never goes in it: it comes from a file or the environment.

use std::fmt;
use std::str::FromStr;

/// The topic prefix when the URL names none.
pub const DEFAULT_PREFIX: &str = "kmp-workbench";

/// A broker and the topic prefix to publish under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerUrl {
    /// Whether the connection is TLS (`mqtts://`).
    pub tls: bool,
    /// The host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// The TCP port: 1883, or 8883 with TLS, unless given.
    pub port: u16,
    /// The user name.
    pub user: Option<String>,
    /// The topics' prefix: `PREFIX/SERIAL/state`.
    pub prefix: String,
}

impl fmt::Display for BrokerUrl {
    /// The URL as given, without a password (there never is one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        let user = self
            .user
            .as_ref()
            .map(|user| format!("{user}@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{scheme}://{user}{host}:{}/{}", self.port, self.prefix)
    }
}

impl FromStr for BrokerUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (tls, rest) = if let Some(rest) = text.strip_prefix("mqtt://") {
            (false, rest)
        } else if let Some(rest) = text.strip_prefix("mqtts://") {
            (true, rest)
        } else {
            return Err(format!(
                "{text:?} is no broker URL: write mqtt://[user@]host[:port][/prefix], or mqtts:// \
                 for TLS"
            ));
        };
        let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((user, _)) if user.contains(':') => {
                return Err("the broker URL holds a password: give it in a file \
                            (--mqtt-password-file) or in MQTT_PASSWORD, never on the command \
                            line, where others see it"
                    .into());
            }
            Some(("", _)) => return Err("an empty user name before @".into()),
            Some((user, hostport)) => (Some(user.to_string()), hostport),
            None => (None, authority),
        };
        let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or("an IPv6 address without its closing ]")?;
            (host, after.strip_prefix(':'))
        } else {
            match hostport.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(format!("{text:?} names no broker host"));
        }
        let port = match port {
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| format!("{port:?} is no TCP port (1 to 65535)"))?,
            None if tls => 8883,
            None => 1883,
        };
        let prefix = prefix.trim_end_matches('/');
        if prefix.contains(['+', '#']) || prefix.contains("//") {
            return Err(format!(
                "the topic prefix {prefix:?} holds a wildcard or an empty level: name it plainly \
                 (home/meters)"
            ));
        }
        Ok(Self {
            tls,
            host: host.to_string(),
            port,
            user,
            prefix: if prefix.is_empty() {
                DEFAULT_PREFIX.to_string()
            } else {
                prefix.to_string()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_the_host_port_user_and_prefix_with_defaults() {
        let url: BrokerUrl = "mqtt://broker.local".parse().unwrap();
        assert_eq!(
            url,
            BrokerUrl {
                tls: false,
                host: "broker.local".into(),
                port: 1883,
                user: None,
                prefix: DEFAULT_PREFIX.into(),
            }
        );
        let url: BrokerUrl = "mqtts://meter@10.0.0.2:8884/home/meters/".parse().unwrap();
        assert_eq!((url.tls, url.port), (true, 8884));
        assert_eq!(url.user.as_deref(), Some("meter"));
        assert_eq!(url.prefix, "home/meters");
        assert_eq!(url.to_string(), "mqtts://meter@10.0.0.2:8884/home/meters");
        let url: BrokerUrl = "mqtts://[::1]".parse().unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 8883));
        assert_eq!(url.to_string(), "mqtts://[::1]:8883/kmp-workbench");
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_so_is_everything_else_malformed() {
        let error = "mqtt://meter:secret@broker"
            .parse::<BrokerUrl>()
            .unwrap_err();
        assert!(error.contains("--mqtt-password-file"), "{error}");
        assert!(!error.contains("secret"), "the password is never repeated");
        for bad in [
            "http://broker",
            "mqtt://",
            "mqtt://@broker",
            "mqtt://broker:0",
            "mqtt://broker:99999",
            "mqtt://[::1",
            "mqtt://broker/meters/+",
            "mqtt://broker/a//b",
        ] {
            assert!(bad.parse::<BrokerUrl>().is_err(), "{bad}");
        }
    }
}
