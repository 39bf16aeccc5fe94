//! TLS for `mqtts://`: rustls on ring, trusting the system's root certificates, or the CA
//! certificates of a PEM file the user gives (`--mqtt-ca`) for a broker with a certificate of
//! its own making. A build without the `tls` feature (the lints for other systems, which have no
//! C compiler for ring here) refuses `mqtts://` with why.

use std::path::Path;

/// Why TLS cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file could not be read.
    #[error("cannot read the CA file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The CA file holds no certificate that parses.
    #[error("{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----) that reads")]
    NoCertificate {
        /// The file.
        path: String,
    },
    /// The system offered no root certificate.
    #[error("this system offers no root certificates: give the broker's CA with --mqtt-ca FILE")]
    NoRoots,
    /// This build has no TLS.
    #[error("this kmp-workbench was built without TLS (the tls feature): use mqtt://")]
    NotBuilt,
}

#[cfg(feature = "tls")]
mod built {
    use std::path::Path;
    use std::sync::Arc;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    use rustls::{ClientConfig, RootCertStore};

    use super::TlsError;

    /// How to check a broker's certificate.
    #[derive(Clone, Debug)]
    pub struct TlsConfig(pub(in crate::mqtt) Arc<ClientConfig>);

    pub fn client_config(ca: Option<&Path>) -> Result<TlsConfig, TlsError> {
        let mut roots = RootCertStore::empty();
        match ca {
            Some(path) => {
                let shown = path.display().to_string();
                let pem = std::fs::read(path).map_err(|source| TlsError::Read {
                    path: shown.clone(),
                    source,
                })?;
                let certificates: Vec<CertificateDer<'static>> =
                    CertificateDer::pem_slice_iter(&pem)
                        .filter_map(Result::ok)
                        .collect();
                let (added, _) = roots.add_parsable_certificates(certificates);
                if added == 0 {
                    return Err(TlsError::NoCertificate { path: shown });
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    return Err(TlsError::NoRoots);
                }
            }
        }
        // rustls 0.23.48 marks ring's provider deprecated because it lacks post-quantum key
        // exchange; the alternative, aws-lc-rs, needs CMake to build, which a fresh machine
        // lacks. X25519 and the NIST curves are what brokers offer today.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|_| TlsError::NotBuilt)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsConfig(Arc::new(config)))
    }
}

#[cfg(not(feature = "tls"))]
mod built {
    use std::path::Path;

    use super::TlsError;

    /// How to check a broker's certificate: nothing, in a build without TLS.
    #[derive(Clone, Debug)]
    pub enum TlsConfig {}

    pub fn client_config(_ca: Option<&Path>) -> Result<TlsConfig, TlsError> {
        Err(TlsError::NotBuilt)
    }
}

pub use built::TlsConfig;

/// How to check a broker's certificate: against the CA certificates in the PEM file `ca`, or
/// the system's roots.
pub fn client_config(ca: Option<&Path>) -> Result<TlsConfig, TlsError> {
    built::client_config(ca)
}
