//! The server's TOML configuration file (documented in `docs/server.md`).
//!
//! Secrets (the key's passphrase, the bearer token) are never in the file
//! itself: the file names where to read them from (another file, or an
//! environment variable), so that it can be reviewed and versioned.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use microcred_core::suite::Suite;
use serde::Deserialize;

use crate::log::LogFormat;

/// The default bind address: loopback only, so that a server started without
/// thinking about it is not reachable from the network.
pub const DEFAULT_BIND: &str = "127.0.0.1:8470";
/// Default largest request body (1 MiB): a credential is a few kilobytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default time a request may take before it is answered `408`.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
/// Default number of requests handled at once; more wait in the queue.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;
/// Default number of requests that may wait for a turn; beyond it, `503`.
pub const DEFAULT_MAX_QUEUED_REQUESTS: usize = 256;
/// Default number of open connections; more wait in the kernel's backlog.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default seconds a client has to send a request's headers, on a new connection
/// and on an idle kept-alive one, before the connection is closed.
pub const DEFAULT_HEADER_TIMEOUT_SECONDS: u64 = 10;
/// Default most JSON values (scalars, arrays, objects) in one request body: a
/// credential has about one per 45 bytes, so 1 MiB of it about 25,000.
pub const DEFAULT_MAX_JSON_VALUES: usize = 50_000;
/// Default most JSON values in the trees of all requests at once (about 100 bytes
/// of memory each while parsed and verified: see `docs/server.md`).
pub const DEFAULT_MAX_JSON_VALUES_IN_FLIGHT: usize = 100_000;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on (default [`DEFAULT_BIND`]).
    #[serde(default)]
    pub bind: Option<SocketAddr>,
    /// Plain HTTP on an address other than loopback, for a server behind a reverse
    /// proxy that terminates TLS; without it (and without `[tls]`) such a bind is refused.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// HTTPS served directly: the certificate chain and key.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// Issuing (`POST /credentials/issue`); without it the server only verifies.
    #[serde(default)]
    pub issuer: Option<IssuerConfig>,
    /// What `POST /credentials/verify` and `/presentations/verify` check.
    #[serde(default)]
    pub verify: VerifyConfig,
    /// Request limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// JSON-LD contexts microcred does not bundle, read at start (never fetched).
    #[serde(default)]
    pub contexts: ContextsConfig,
    /// What the server logs and how.
    #[serde(default)]
    pub log: LogConfig,
    /// Issuing with status: the ledger, and the status lists served from it.
    #[serde(default)]
    pub status: Option<StatusConfig>,
}

/// Default seconds a client has to complete the TLS handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT_SECONDS: u64 = 10;

/// `[tls]`: HTTPS served directly (rustls, TLS 1.3 and 1.2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file of the certificate chain, the server's certificate first.
    pub cert: PathBuf,
    /// PEM file of the certificate's private key (PKCS#8, PKCS#1 or SEC1); it must not
    /// be readable by group or others.
    pub key: PathBuf,
    /// Seconds a client has to complete the handshake before the connection is closed
    /// (it holds one of `max_connections` meanwhile).
    #[serde(default = "default_handshake_timeout")]
    pub handshake_timeout_seconds: u64,
}

fn default_handshake_timeout() -> u64 {
    DEFAULT_HANDSHAKE_TIMEOUT_SECONDS
}

/// Default days a served status list is valid for (as `microcred-sign status-list`'s
/// `--valid-for 30d`).
pub const DEFAULT_LIST_VALID_DAYS: u32 = 30;

/// `[status]`: every issued credential is recorded in the signer's ledger and gets
/// `BitstringStatusListEntry` entries; the lists are served at their URLs and
/// changed with `POST /credentials/status`. Needs `[issuer]` (its key signs the lists).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusConfig {
    /// The ledger file (`microcred-sign ledger init` makes one; created at start if missing).
    pub ledger: PathBuf,
    /// The URL the lists are published under: `<base_url>/revocation` and
    /// `<base_url>/suspension`; the server serves them at the URL's path. An existing
    /// ledger must have this base URL.
    pub base_url: String,
    /// The purposes every credential gets an entry for: `revocation`, `suspension`
    /// (default both).
    #[serde(default = "default_purposes")]
    pub purposes: Vec<String>,
    /// Days a served list is valid for (`validUntil`); it is signed again once half of
    /// that has passed, and whenever a status changes.
    #[serde(default = "default_list_valid_days")]
    pub list_valid_days: u32,
}

fn default_purposes() -> Vec<String> {
    vec!["revocation".into(), "suspension".into()]
}

fn default_list_valid_days() -> u32 {
    DEFAULT_LIST_VALID_DAYS
}

/// `[log]`: the level and format of the log; `--log-level` (or else the
/// `MICROCRED_LOG` environment variable) and `--log-format` override them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A level (`error`, `warn`, `info`, `debug`, `trace`, `off`) or per-module
    /// filters (`microcred_server=debug,warn`); default `info`.
    #[serde(default)]
    pub level: Option<String>,
    /// `text` (default) or `json`: one JSON object per line.
    #[serde(default, deserialize_with = "log_format")]
    pub format: Option<LogFormat>,
}

/// `[log] format`, with an error that names the key and the accepted values.
fn log_format<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<LogFormat>, D::Error> {
    let text = String::deserialize(d)?;
    <LogFormat as clap::ValueEnum>::from_str(&text, false)
        .map(Some)
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "[log] format {text:?} is not valid: \"text\" or \"json\""
            ))
        })
}

/// `[contexts]`: context files for URLs microcred does not bundle, for issuing
/// and verifying `eddsa-rdfc-2022` (and `Ed25519Signature2020`) proofs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextsConfig {
    /// A directory mirroring context URLs: `DIR/host/path` is served for `https://host/path`.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// URL → file.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, PathBuf>,
}

/// `[issuer]`: the key the server signs with and who may ask it to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// Multikey key file (as written by `microcred-sign keygen`: Ed25519, P-256 or
    /// P-384), plain or encrypted; it must not be readable by group or others.
    pub key: PathBuf,
    /// File holding the passphrase of an encrypted key (first line).
    #[serde(default)]
    pub passphrase_file: Option<PathBuf>,
    /// Environment variable holding the passphrase of an encrypted key.
    #[serde(default)]
    pub passphrase_env: Option<String>,
    /// `issuer.name` set on every credential issued.
    #[serde(default)]
    pub name: Option<String>,
    /// Cryptosuite(s): `jcs`, `rdfc` or `both`, of the key's family (or a cryptosuite
    /// named in full, `eddsa-jcs-2022` … `ecdsa-rdfc-2019`, which must fit the key). Absent:
    /// the default `microcred-sign` has, both, or jcs with a warning for a credential
    /// whose `@context` the server does not know.
    #[serde(default)]
    pub suite: Option<Suite>,
    /// File holding the bearer token clients must present (first line).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Environment variable holding the bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Framework profiles every issued credential must comply with (built-in names
    /// or profile files); a credential that does not is refused with `400`.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// `[verify]`: the employer's side.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// Trust list of issuers (`docs/trust-list.md`).
    #[serde(default)]
    pub trust: Option<PathBuf>,
    /// Signed status list credentials (revocation, suspension).
    #[serde(default)]
    pub status_lists: Vec<PathBuf>,
    /// Framework profiles: built-in names, `claimed`, or profile files.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body in bytes; larger ones are answered `413`.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered `408`.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Requests handled at once (`/healthz` aside); more wait for a turn.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_requests: usize,
    /// Requests that may wait for a turn; beyond them, `503` with `Retry-After`.
    #[serde(default = "default_max_queued")]
    pub max_queued_requests: usize,
    /// Open connections; further ones are accepted when one closes.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Seconds to send a request's headers (new or idle kept-alive connection)
    /// before the connection is closed.
    #[serde(default = "default_header_timeout")]
    pub header_timeout_seconds: u64,
    /// Most JSON values in one request body; more are answered `413`.
    #[serde(default = "default_max_json_values")]
    pub max_json_values: usize,
    /// Most JSON values in the parsed bodies of all requests at once; a request
    /// whose body does not fit waits until earlier ones are done.
    #[serde(default = "default_max_json_values_in_flight")]
    pub max_json_values_in_flight: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_queued_requests: DEFAULT_MAX_QUEUED_REQUESTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout_seconds: DEFAULT_HEADER_TIMEOUT_SECONDS,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            max_json_values_in_flight: DEFAULT_MAX_JSON_VALUES_IN_FLIGHT,
        }
    }
}

fn default_max_concurrent() -> usize {
    DEFAULT_MAX_CONCURRENT_REQUESTS
}

fn default_max_queued() -> usize {
    DEFAULT_MAX_QUEUED_REQUESTS
}

fn default_max_connections() -> usize {
    DEFAULT_MAX_CONNECTIONS
}

fn default_header_timeout() -> u64 {
    DEFAULT_HEADER_TIMEOUT_SECONDS
}

fn default_max_json_values() -> usize {
    DEFAULT_MAX_JSON_VALUES
}

fn default_max_json_values_in_flight() -> usize {
    DEFAULT_MAX_JSON_VALUES_IN_FLIGHT
}

fn default_max_body() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECONDS
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Config {
    /// Parses a configuration file's text; relative paths in it are taken
    /// relative to `base` (the file's directory).
    ///
    /// # Errors
    /// [`ConfigError`] naming the key and the problem (unknown keys are errors).
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, ConfigError> {
        let err = |message: String| ConfigError {
            path: file.display().to_string(),
            message,
        };
        let mut config: Config = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let base = file.parent().unwrap_or(Path::new(""));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(issuer) = &mut config.issuer {
            rebase(&mut issuer.key);
            if let Some(p) = &mut issuer.passphrase_file {
                rebase(p);
            }
            if let Some(p) = &mut issuer.token_file {
                rebase(p);
            }
            if issuer.token_file.is_some() == issuer.token_env.is_some() {
                return Err(err(
                    "[issuer] needs exactly one of token_file or token_env: issuing is privileged and always needs a bearer token".into(),
                ));
            }
            if issuer.passphrase_file.is_some() && issuer.passphrase_env.is_some() {
                return Err(err(
                    "[issuer] takes passphrase_file or passphrase_env, not both".into(),
                ));
            }
        }
        if let Some(tls) = &mut config.tls {
            rebase(&mut tls.cert);
            rebase(&mut tls.key);
            if tls.handshake_timeout_seconds == 0 {
                return Err(err(
                    "[tls] handshake_timeout_seconds must be greater than 0".into(),
                ));
            }
        }
        if let Some(status) = &mut config.status {
            rebase(&mut status.ledger);
            if config.issuer.is_none() {
                return Err(err(
                    "[status] needs [issuer]: its key signs the status lists and its token guards POST /credentials/status".into(),
                ));
            }
            if status.purposes.is_empty() {
                return Err(err(
                    "[status] purposes must name at least one of \"revocation\", \"suspension\""
                        .into(),
                ));
            }
            for (i, p) in status.purposes.iter().enumerate() {
                if microcred_core::status_list::StatusPurpose::parse(p).is_none() {
                    return Err(err(format!(
                        "[status] purposes: {p:?} is not a purpose this server keeps (\"revocation\" or \"suspension\")"
                    )));
                }
                if status.purposes[..i].contains(p) {
                    return Err(err(format!("[status] purposes: {p:?} is named twice")));
                }
            }
            if !(1..=366).contains(&status.list_valid_days) {
                return Err(err(
                    "[status] list_valid_days must be from 1 to 366 (a list valid for years would say \"not revoked\" long after it stopped being served)".into(),
                ));
            }
        }
        if let Some(p) = &mut config.verify.trust {
            rebase(p);
        }
        for p in &mut config.verify.status_lists {
            rebase(p);
        }
        if let Some(p) = &mut config.contexts.dir {
            rebase(p);
        }
        for p in config.contexts.files.values_mut() {
            rebase(p);
        }
        if let Some(level) = &config.log.level {
            crate::log::parse_filter(level).map_err(|e| err(format!("[log] level: {e}")))?;
        }
        if config.limits.max_body_bytes == 0 || config.limits.timeout_seconds == 0 {
            return Err(err(
                "[limits] max_body_bytes and timeout_seconds must be greater than 0".into(),
            ));
        }
        let l = &config.limits;
        if l.max_concurrent_requests == 0 || l.max_connections == 0 || l.header_timeout_seconds == 0
        {
            return Err(err(
                "[limits] max_concurrent_requests, max_connections and header_timeout_seconds must be greater than 0".into(),
            ));
        }
        // Tokio's semaphore holds at most this many permits.
        if l.max_concurrent_requests > tokio::sync::Semaphore::MAX_PERMITS
            || l.max_connections > tokio::sync::Semaphore::MAX_PERMITS
        {
            return Err(err(
                "[limits] max_concurrent_requests or max_connections is too large".into(),
            ));
        }
        if l.max_json_values == 0 || l.max_json_values > l.max_json_values_in_flight {
            return Err(err(
                "[limits] max_json_values must be greater than 0 and at most max_json_values_in_flight".into(),
            ));
        }
        // One permit per value, taken at once (a u32) from a Tokio semaphore.
        if l.max_json_values_in_flight > tokio::sync::Semaphore::MAX_PERMITS.min(u32::MAX as usize)
        {
            return Err(err("[limits] max_json_values_in_flight is too large".into()));
        }
        Ok(config)
    }
}
