//! HTTPS served directly (`[tls]`): the certificate chain and key read from PEM
//! files, and a rustls server configuration on the ring provider (TLS 1.3 and 1.2,
//! HTTP/1.1 announced by ALPN).

use std::sync::Arc;

use anyhow::{Context as _, bail};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::TlsConfig;

/// What the accept loop needs to speak TLS.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: tokio_rustls::TlsAcceptor,
    /// Time a client has to complete the handshake; then the connection is closed.
    pub(crate) handshake_timeout: std::time::Duration,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("handshake_timeout", &self.handshake_timeout)
            .finish_non_exhaustive()
    }
}

/// The ring provider. Deprecated in rustls 0.23.48 ("no support for post-quantum
/// algorithms"); it is still the provider chosen for this server: the other one,
/// aws-lc-rs, needs a C/cmake build and brings the OpenSSL licence.
#[allow(deprecated)]
fn provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

impl Tls {
    /// Reads the certificate chain and the key of `[tls]` and checks that they belong
    /// together.
    ///
    /// # Errors
    /// A message naming the file and the problem: missing or unreadable, a key file
    /// others can read, no certificate or no key in it, a key that is not the
    /// certificate's.
    pub(crate) fn load(config: &TlsConfig) -> anyhow::Result<Self> {
        let cert_bytes = crate::state::read(&config.cert)?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_bytes)
            .collect::<Result<_, _>>()
            .map_err(|e| {
                anyhow::anyhow!(
                    "[tls] cert {}: not a PEM certificate chain ({e})",
                    config.cert.display()
                )
            })?;
        if chain.is_empty() {
            bail!(
                "[tls] cert {}: no certificate in it (expected PEM \"BEGIN CERTIFICATE\" blocks, the server's first)",
                config.cert.display()
            );
        }
        let key_bytes = crate::state::read_secret(&config.key)?;
        let key = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|e| {
            // The error names the PEM problem, never the key's bytes.
            anyhow::anyhow!(
                "[tls] key {}: no private key in it (expected a PEM \"PRIVATE KEY\" block: {e})",
                config.key.display()
            )
        })?;
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .context("[tls]: the TLS protocol versions")?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| match e {
                rustls::Error::InconsistentKeys(_) => anyhow::anyhow!(
                    "[tls] key {} is not the key of the certificate {} (its public key differs from the certificate's)",
                    config.key.display(),
                    config.cert.display()
                ),
                other => anyhow::anyhow!(
                    "[tls] cert {} and key {} cannot be used: {other}",
                    config.cert.display(),
                    config.key.display()
                ),
            });
        let mut server = server?;
        // The server speaks HTTP/1.1 only.
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
            handshake_timeout: std::time::Duration::from_secs(config.handshake_timeout_seconds),
        })
    }
}
