//! The issuance ledger: an embedded SQLite database recording every
//! credential issued with it, the status-list index each one was given, and
//! its state (issued, revoked, suspended).
//!
//! Crash safety rests on three rules:
//! - the database runs in WAL mode with `synchronous=FULL`, and every change
//!   is one transaction;
//! - a status-list index is allocated inside the transaction that records the
//!   credential it belongs to, from a counter that only grows, so an index is
//!   never given twice, whatever is interrupted;
//! - a credential is first recorded as `pending` (id, index and issue time
//!   fixed), then its file is written atomically, then it is marked `issued`
//!   with the file's SHA-256. A crash in between leaves a `pending` row that
//!   the next run completes with the same id, index and time (signing is
//!   deterministic, so the file comes out byte for byte the same).
//!   `batch --out-jsonl` signs its lines before their rows are committed, so
//!   it records each `pending` row with its line's SHA-256 already
//!   ([`Ledger::reserve_signed`]) and later marks them all `issued` with one
//!   statement ([`Ledger::mark_issued_with`]); the order of the durable steps
//!   (rows pending, then file and name, then issued) is the same.
//!
//! The schema is documented in `docs/registrar-batches.md`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use microcred_core::Value;
use microcred_core::status_list::{
    MIN_ENTRIES, StatusEntry, StatusList, StatusListError, StatusPurpose,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, params};

/// `PRAGMA application_id` of a microcred ledger ("mcrd"), so that another
/// SQLite file is recognised as not one.
const APPLICATION_ID: i64 = 0x6D63_7264;
/// WAL pages after which a batch's commit checkpoints (16,384 pages of 4 KiB:
/// 64 MiB), instead of SQLite's default 1,000.
const WAL_CHECKPOINT_PAGES: i64 = 16_384;
/// `PRAGMA user_version`: the schema version.
///
/// - 1: the first schema, with an index on `learner_id`;
/// - 2: without that index, which no query used and which cost every recorded
///   credential an index insertion;
/// - 3: `status_index` is the table's `INTEGER PRIMARY KEY` (SQLite's row id)
///   instead of a separate `UNIQUE` index next to a hidden row id: one b-tree
///   fewer to insert into per credential, and the batch's statements that name
///   rows by index (marking them issued) find them in the table itself.
///   `credential_id` stays `UNIQUE` (the `events` rows refer to it). The
///   check on `state` compares with each value instead of `IN (…)`: SQLite
///   evaluates an `IN` list of more than two values by building a temporary
///   b-tree, once per statement run — once per inserted credential, and per
///   credential marked issued one by one (about two thirds of an insertion's
///   cost, measured with callgrind).
///
/// A version-1 or version-2 ledger is brought to version 3 when it is opened
/// (see [`migrate`]); no row, index allocation or state changes.
const SCHEMA_VERSION: i64 = 3;

/// The columns of `credentials` (schema 3), shared by a new ledger and the
/// upgrade of an older one, so that both get the same table.
macro_rules! credentials_columns {
    () => {
        "(
    credential_id  TEXT NOT NULL UNIQUE,
    status_index   INTEGER PRIMARY KEY CHECK (status_index >= 0),
    learner_id     TEXT,
    source_file    TEXT,
    source_row     INTEGER,
    source_line    INTEGER,
    out_file       TEXT UNIQUE,
    content_sha256 TEXT,
    file_sha256    TEXT,
    issued_at      TEXT NOT NULL,
    state          TEXT NOT NULL
                   CHECK (state = 'pending' OR state = 'issued'
                          OR state = 'revoked' OR state = 'suspended'),
    reason         TEXT,
    changed_at     TEXT
) STRICT"
    };
}

const SCHEMA: &str = concat!(
    "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE credentials ",
    credentials_columns!(),
    ";
CREATE INDEX credentials_by_content ON credentials (content_sha256);
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id TEXT NOT NULL REFERENCES credentials (credential_id),
    at            TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('revoked', 'suspended', 'unsuspended')),
    reason        TEXT
) STRICT;
"
);

/// Rebuilds `credentials` of a version-1 or -2 ledger as schema 3 (SQLite's
/// procedure for changing a table's definition: a new table, every row copied,
/// the old one dropped, the new one renamed), inside the caller's transaction.
const UPGRADE_TO_3: &str = concat!(
    "
DROP INDEX IF EXISTS credentials_by_learner;
DROP INDEX IF EXISTS credentials_by_content;
CREATE TABLE credentials_v3 ",
    credentials_columns!(),
    ";
INSERT INTO credentials_v3 (credential_id, status_index, learner_id, source_file, source_row,
    source_line, out_file, content_sha256, file_sha256, issued_at, state, reason, changed_at)
  SELECT credential_id, status_index, learner_id, source_file, source_row,
    source_line, out_file, content_sha256, file_sha256, issued_at, state, reason, changed_at
  FROM credentials ORDER BY status_index;
DROP TABLE credentials;
ALTER TABLE credentials_v3 RENAME TO credentials;
CREATE INDEX credentials_by_content ON credentials (content_sha256);
PRAGMA user_version = 3;
"
);

/// Why the ledger could not be created, opened, read or changed.
///
/// Each message names the ledger file or the credential; a database or file
/// error underneath is the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// `create` found a file at the path.
    #[error(
        "{} exists; a ledger is created once (delete it only if no credential was ever issued with it)",
        path.display()
    )]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// `open` found no file at the path.
    #[error(
        "ledger {} does not exist; create it with `microcred-sign ledger init`",
        path.display()
    )]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// The file is not a microcred ledger (another SQLite database, or not one).
    #[error("{} is not a microcred ledger", path.display())]
    NotALedger {
        /// The file.
        path: PathBuf,
    },
    /// The ledger's schema is newer than this program reads.
    #[error(
        "{}: ledger schema version {found}; this microcred-sign reads version {SCHEMA_VERSION}",
        path.display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// Another process holds the ledger (`by` says who may).
    #[error(
        "the ledger {} is in use by another process ({by}); try again when it has finished",
        path.display()
    )]
    Busy {
        /// The file.
        path: PathBuf,
        /// Who may hold it.
        by: &'static str,
    },
    /// The signing key's DID is not the issuer the ledger records for.
    #[error("the key's DID {key} is not the issuer {issuer} of the ledger {}", path.display())]
    WrongIssuer {
        /// The key's DID.
        key: String,
        /// The ledger's issuer.
        issuer: String,
        /// The ledger.
        path: PathBuf,
    },
    /// No credential has this id.
    #[error("no credential {credential_id} in the ledger {}", path.display())]
    UnknownCredential {
        /// The id asked for.
        credential_id: String,
        /// The ledger.
        path: PathBuf,
    },
    /// The credential's batch was interrupted before it was issued.
    #[error(
        "credential {credential_id} is still pending: its batch was interrupted; run the batch again to finish it first"
    )]
    StillPending {
        /// The credential.
        credential_id: String,
    },
    /// Suspending or unsuspending a revoked credential.
    #[error(
        "credential {credential_id} is revoked (at {}{}); revocation is permanent",
        at.as_deref().unwrap_or("?"),
        reason.as_deref().map(|r| format!(", reason: {r}")).unwrap_or_default()
    )]
    Revoked {
        /// The credential.
        credential_id: String,
        /// When it was revoked.
        at: Option<String>,
        /// Why.
        reason: Option<String>,
    },
    /// Rows to be marked issued together were not all pending with their digest.
    #[error(
        "the ledger {}: {marked} of the {count} rows from index {first} on were pending with their SHA-256; nothing was marked",
        path.display()
    )]
    NotAllPending {
        /// The ledger.
        path: PathBuf,
        /// How many were.
        marked: usize,
        /// How many should have been.
        count: u64,
        /// The first row's index.
        first: u64,
    },
    /// The status base URL is not usable.
    #[error("status base URL {url:?} {problem}")]
    BaseUrl {
        /// What was given.
        url: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The ledger's data is inconsistent (a counter that is not a number, a
    /// missing meta entry, an index out of range).
    #[error("{0}")]
    Corrupt(String),
    /// The status-list index counter cannot grow further.
    #[error("the ledger's status-list index counter overflowed")]
    Overflow,
    /// A status list could not be built.
    #[error(transparent)]
    StatusList(#[from] StatusListError),
    /// A database operation failed; `context` says which, when known.
    #[error("{context}")]
    Database {
        /// What was being done ("cannot commit to the ledger …").
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A database operation failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A file operation failed while the ledger was created.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl LedgerError {
    /// A database error with what was being done.
    fn db(context: impl FnOnce() -> String) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| Self::Database {
            context: context(),
            source,
        }
    }

    /// Whether SQLite answered that another connection holds the database.
    fn is_busy(&self) -> bool {
        let code = match self {
            Self::Database { source, .. } | Self::Sqlite(source) => source.sqlite_error_code(),
            _ => None,
        };
        matches!(
            code,
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// The state of a credential in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Id and index reserved; the file may or may not have been written.
    Pending,
    /// Written and recorded.
    Issued,
    /// Revoked (permanent).
    Revoked,
    /// Suspended (may be lifted).
    Suspended,
}

impl State {
    /// The state as the ledger stores and prints it (`pending`, `issued`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Issued => "issued",
            Self::Revoked => "revoked",
            Self::Suspended => "suspended",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "pending" => Ok(Self::Pending),
            "issued" => Ok(Self::Issued),
            "revoked" => Ok(Self::Revoked),
            "suspended" => Ok(Self::Suspended),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("state {other:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One credential of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The credential's `id`.
    pub credential_id: String,
    /// Its index in the status lists.
    pub status_index: u64,
    /// The learner's id from the learner list (batch).
    pub learner_id: Option<String>,
    /// The learner list it came from (batch).
    pub source_file: Option<String>,
    /// Its row number in that list (batch).
    pub source_row: Option<u64>,
    /// Its line number in that list (batch).
    pub source_line: Option<u64>,
    /// The file the credential was written to.
    pub out_file: Option<String>,
    /// SHA-256 (hex) of the canonical filled template, before id, dates and status.
    pub content_sha256: Option<String>,
    /// SHA-256 (hex) of the written file (or JSON Lines line); `None` while pending.
    pub file_sha256: Option<String>,
    /// The issue time (RFC 3339).
    pub issued_at: String,
    /// The credential's state.
    pub state: State,
    /// Why it was revoked or suspended.
    pub reason: Option<String>,
    /// When the state last changed (RFC 3339).
    pub changed_at: Option<String>,
}

impl Record {
    /// The record as JSON (for `ledger list --json`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "credential_id": self.credential_id,
            "status_index": self.status_index,
            "learner_id": self.learner_id,
            "source_file": self.source_file,
            "source_row": self.source_row,
            "source_line": self.source_line,
            "out_file": self.out_file,
            "content_sha256": self.content_sha256,
            "file_sha256": self.file_sha256,
            "issued_at": self.issued_at,
            "state": self.state.as_str(),
            "reason": self.reason,
            "changed_at": self.changed_at,
        })
    }
}

const RECORD_COLUMNS: &str = "credential_id, status_index, learner_id, source_file, source_row, \
     source_line, out_file, content_sha256, file_sha256, issued_at, state, reason, changed_at";

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let state: String = row.get(10)?;
    Ok(Record {
        credential_id: row.get(0)?,
        status_index: row.get(1)?,
        learner_id: row.get(2)?,
        source_file: row.get(3)?,
        source_row: row.get(4)?,
        source_line: row.get(5)?,
        out_file: row.get(6)?,
        content_sha256: row.get(7)?,
        file_sha256: row.get(8)?,
        issued_at: row.get(9)?,
        state: State::parse(&state)?,
        reason: row.get(11)?,
        changed_at: row.get(12)?,
    })
}

/// A credential to record as pending; the ledger gives it its index.
#[derive(Debug, Clone)]
pub struct Reservation {
    /// The credential's `id`.
    pub credential_id: String,
    /// As [`Record::learner_id`].
    pub learner_id: Option<String>,
    /// As [`Record::source_file`].
    pub source_file: Option<String>,
    /// As [`Record::source_row`].
    pub source_row: Option<u64>,
    /// As [`Record::source_line`].
    pub source_line: Option<u64>,
    /// As [`Record::out_file`].
    pub out_file: Option<String>,
    /// As [`Record::content_sha256`].
    pub content_sha256: Option<String>,
    /// As [`Record::issued_at`].
    pub issued_at: String,
}

impl Reservation {
    /// The ledger's row for this reservation with `index`, as `reserve` records it.
    fn into_pending(self, index: u64) -> Record {
        Record {
            credential_id: self.credential_id,
            status_index: index,
            learner_id: self.learner_id,
            source_file: self.source_file,
            source_row: self.source_row,
            source_line: self.source_line,
            out_file: self.out_file,
            content_sha256: self.content_sha256,
            file_sha256: None,
            issued_at: self.issued_at,
            state: State::Pending,
            reason: None,
            changed_at: None,
        }
    }
}

/// A revocation-state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Revoke (permanent).
    Revoke,
    /// Suspend.
    Suspend,
    /// Lift a suspension.
    Unsuspend,
}

/// What a state change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The state changed.
    Changed {
        /// The state before.
        from: State,
        /// The state now.
        to: State,
    },
    /// The credential already was in the requested state; nothing changed.
    Unchanged(Box<Record>),
}

/// An open ledger.
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    issuer: String,
    base_url: String,
}

impl Ledger {
    /// Creates a new ledger; refuses to touch an existing file.
    ///
    /// The database is built under a temporary name in the same directory, closed,
    /// flushed, then renamed into place without replacing anything: a crash or a
    /// failure leaves either no ledger or a complete one, never a half-made file that
    /// `ledger init` would then refuse to replace.
    ///
    /// # Errors
    /// [`LedgerError::Exists`], [`LedgerError::BaseUrl`], or what creating the
    /// database failed on.
    pub fn create(path: &Path, issuer: &str, base_url: &str) -> Result<Self, LedgerError> {
        let base_url = check_base_url(base_url)?;
        let exists = || LedgerError::Exists {
            path: path.to_owned(),
        };
        if path.exists() {
            return Err(exists());
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".microcred-ledger-")
            .tempfile_in(dir)
            .map_err(|source| LedgerError::Io {
                context: format!("cannot create a temporary file in {}", dir.display()),
                source,
            })?;
        let cannot = || format!("cannot create the ledger {}", path.display());
        let mut conn = Connection::open_with_flags(
            tmp.path(),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(LedgerError::db(cannot))?;
        configure(&conn).map_err(LedgerError::db(cannot))?;
        let now = microcred_core::datetime::format(microcred_core::datetime::now());
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        for (k, v) in [
            ("issuer", issuer),
            ("status_base_url", base_url.as_str()),
            ("next_index", "0"),
            ("created_at", now.as_str()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        tx.commit().map_err(LedgerError::db(cannot))?;
        // Closing the only connection checkpoints the WAL into the file and removes
        // the -wal and -shm files, so the one file holds the whole ledger.
        conn.close()
            .map_err(|(_, e)| e)
            .map_err(LedgerError::db(cannot))?;
        let io = |source| LedgerError::Io {
            context: cannot(),
            source,
        };
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                exists()
            } else {
                io(e.error)
            }
        })?;
        Self::open_inner(path)
    }

    /// Opens an existing ledger.
    ///
    /// # Errors
    /// [`LedgerError::Missing`], [`LedgerError::NotALedger`],
    /// [`LedgerError::Version`], [`LedgerError::Busy`] (a running batch holds it),
    /// or what opening the database failed on.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        Self::open_inner(path).map_err(|e| {
            if e.is_busy() {
                LedgerError::Busy {
                    path: path.to_owned(),
                    by: "a running batch holds it until it ends",
                }
            } else {
                e
            }
        })
    }

    fn open_inner(path: &Path) -> Result<Self, LedgerError> {
        if !path.is_file() {
            return Err(LedgerError::Missing {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(LedgerError::db(|| {
            format!("cannot open the ledger {}", path.display())
        }))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let not_ledger = || LedgerError::NotALedger {
            path: path.to_owned(),
        };
        let app: i64 = match conn.pragma_query_value(None, "application_id", |r| r.get(0)) {
            Ok(app) => app,
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                return Err(not_ledger());
            }
            Err(e) => return Err(e.into()),
        };
        if app != APPLICATION_ID {
            return Err(not_ledger());
        }
        let mut version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let named = || path.display().to_string();
        if (1..SCHEMA_VERSION).contains(&version) {
            configure(&conn).map_err(LedgerError::db(named))?;
            version = migrate(&conn).map_err(LedgerError::db(|| {
                format!("cannot upgrade the ledger {}", path.display())
            }))?;
        }
        if version != SCHEMA_VERSION {
            return Err(LedgerError::Version {
                path: path.to_owned(),
                found: version,
            });
        }
        configure(&conn).map_err(LedgerError::db(named))?;
        let meta = |key: &str| -> Result<String, LedgerError> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .map_err(LedgerError::db(|| {
                    format!("{}: meta {key} is missing", path.display())
                }))
        };
        let issuer = meta("issuer")?;
        let base_url = meta("status_base_url")?;
        Ok(Self {
            conn,
            path: path.to_owned(),
            issuer,
            base_url,
        })
    }

    /// The ledger's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The issuer DID every credential of this ledger is issued by.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The status base URL (`<base>/revocation`, `<base>/suspension`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Fails unless `controller` (the signing key's DID) is the ledger's issuer.
    ///
    /// # Errors
    /// [`LedgerError::WrongIssuer`].
    pub fn check_issuer(&self, controller: &str) -> Result<(), LedgerError> {
        if controller != self.issuer {
            return Err(LedgerError::WrongIssuer {
                key: controller.to_owned(),
                issuer: self.issuer.clone(),
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Holds the ledger for this process alone until it exits, so that two
    /// batches never work on the same rows at once. The lock is the
    /// database's own file lock, released by the system even after SIGKILL.
    ///
    /// # Errors
    /// [`LedgerError::Busy`] when another process has it open.
    pub fn lock_exclusive(&self) -> Result<(), LedgerError> {
        self.conn
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .and_then(|()| self.conn.execute_batch("BEGIN IMMEDIATE; COMMIT;"))
            // A batch records and marks its rows in a few large transactions: with
            // SQLite's default 2 MB page cache those spill pages to the WAL while
            // they run and read them back (several µs per row of 10,000).
            .and_then(|()| self.conn.pragma_update(None, "cache_size", -65_536))
            // Nor checkpoint the WAL into the database after each of them (a
            // write and two flushes of all the pages each time) while it holds
            // less than 64 MiB: the pages of a batch of some ten thousand rows
            // are copied once, when the connection closes; a huge batch's WAL
            // stays bounded. Durability does not depend on it: a committed
            // transaction is in the flushed WAL.
            .and_then(|()| {
                self.conn
                    .pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
            })
            // The statement journal of a many-row UPDATE (marking a bundle's rows
            // issued) in memory, not in a temporary file written and removed.
            .and_then(|()| self.conn.pragma_update(None, "temp_store", "MEMORY"))
            .map_err(|_| LedgerError::Busy {
                path: self.path.clone(),
                by: "a running batch, or a program that has it open",
            })
    }

    /// The next status-list index to be given (= how many were given).
    pub fn next_index(&self) -> Result<u64, LedgerError> {
        read_next_index(&self.conn)
    }

    /// The credential with this id.
    pub fn get(&self, credential_id: &str) -> Result<Option<Record>, LedgerError> {
        // Cached statements: a batch asks once per row.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM credentials WHERE credential_id = ?1"
        ))?;
        Ok(stmt.query_row([credential_id], record).optional()?)
    }

    /// The credential written to this file.
    pub fn by_out_file(&self, out_file: &str) -> Result<Option<Record>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM credentials WHERE out_file = ?1"
        ))?;
        Ok(stmt.query_row([out_file], record).optional()?)
    }

    /// The first of `contents` (SHA-256 hex strings, in a batch's row order)
    /// that some credential of the ledger has: its position in `contents`, and
    /// that credential's id and file.
    ///
    /// One statement for a whole batch: a lookup per row would cost a statement
    /// run per credential, and mostly find nothing.
    pub fn first_with_content(
        &self,
        contents: &[&str],
    ) -> Result<Option<(usize, String, Option<String>)>, LedgerError> {
        if contents.is_empty() {
            return Ok(None);
        }
        // A JSON array of strings: SQLite's json_each reads it.
        let list = Value::from(contents.to_vec()).to_string();
        let mut stmt = self.conn.prepare(
            "SELECT r.key, c.credential_id, c.out_file FROM json_each(?1) AS r \
             JOIN credentials AS c ON c.content_sha256 = r.value \
             ORDER BY r.key LIMIT 1",
        )?;
        let found = stmt
            .query_row([list], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(match found {
            Some((at, id, file)) => Some((
                usize::try_from(at).map_err(|_| {
                    LedgerError::Corrupt("json_each gave a negative position".into())
                })?,
                id,
                file,
            )),
            None => None,
        })
    }

    /// Whether any credential's `out_file` starts with `prefix` (which ends with
    /// an ASCII character below `~`, such as `/` or `#`): when none does, a batch
    /// need not look each of its rows up.
    pub fn has_out_file_under(&self, prefix: &str) -> Result<bool, LedgerError> {
        let mut end = prefix.as_bytes().to_vec();
        match end.last_mut() {
            Some(last) if last.is_ascii() && *last < b'~' => *last += 1,
            _ => return Ok(true),
        }
        let end = String::from_utf8(end).unwrap_or_default();
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM credentials WHERE out_file >= ?1 AND out_file < ?2)",
            params![prefix, end],
            |r| r.get(0),
        )?)
    }

    /// Every credential, in index order.
    pub fn list(&self) -> Result<Vec<Record>, LedgerError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM credentials ORDER BY status_index"
        ))?;
        let rows = stmt.query_map([], record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The records [`reserve`](Self::reserve) will make of `rows` if nothing else
    /// writes to the ledger in between (which [`lock_exclusive`](Self::lock_exclusive)
    /// ensures): a batch signs with them while the reservation is being written.
    pub fn preview(&self, rows: &[Reservation]) -> Result<Vec<Record>, LedgerError> {
        let mut next = self.next_index()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(r.clone().into_pending(next));
            next = next.checked_add(1).ok_or(LedgerError::Overflow)?;
        }
        Ok(out)
    }

    /// Records credentials as pending, each with a fresh status-list index,
    /// in one transaction: either all are recorded and the counter moved
    /// past their indexes, or nothing is.
    pub fn reserve(&mut self, rows: Vec<Reservation>) -> Result<Vec<Record>, LedgerError> {
        self.reserve_signed::<LedgerError>(rows.into_iter().map(|r| Ok((r, None))))
    }

    /// [`reserve`](Self::reserve) for rows that may already be signed: each comes
    /// with the SHA-256 its file (or line) will have, when it is known, recorded
    /// with the pending row. The rows are taken from `rows` as they come (a batch
    /// streams them while it signs) into one transaction, committed once `rows`
    /// ends; an `Err` from `rows` rolls everything back and is returned.
    ///
    /// # Errors
    /// The first `Err` of `rows`, as it is (a batch's own error type passes through),
    /// or the [`LedgerError`] writing failed on, converted to `E`.
    pub fn reserve_signed<E: From<LedgerError>>(
        &mut self,
        rows: impl IntoIterator<Item = Result<(Reservation, Option<String>), E>>,
    ) -> Result<Vec<Record>, E> {
        let sql = |e: rusqlite::Error| E::from(LedgerError::from(e));
        let tx = self.conn.transaction().map_err(sql)?;
        let mut next = read_next_index(&tx)?;
        let mut out = Vec::new();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO credentials (credential_id, status_index, learner_id, source_file, \
                 source_row, source_line, out_file, content_sha256, file_sha256, issued_at, state) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending')",
                )
                .map_err(sql)?;
            for row in rows {
                let (r, file_sha256) = row?;
                insert
                    .execute(params![
                        r.credential_id,
                        next,
                        r.learner_id,
                        r.source_file,
                        r.source_row,
                        r.source_line,
                        r.out_file,
                        r.content_sha256,
                        file_sha256,
                        r.issued_at,
                    ])
                    .map_err(LedgerError::db(|| {
                        format!("cannot record credential {} in the ledger", r.credential_id)
                    }))?;
                let mut rec = r.into_pending(next);
                rec.file_sha256 = file_sha256;
                out.push(rec);
                next = next.checked_add(1).ok_or(LedgerError::Overflow)?;
            }
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'next_index'",
            [next.to_string()],
        )
        .map_err(sql)?;
        tx.commit().map_err(LedgerError::db(|| {
            format!("cannot commit to the ledger {}", self.path.display())
        }))?;
        Ok(out)
    }

    /// Marks pending credentials issued, with the SHA-256 of their files, in
    /// one transaction. Each is named by its status-list index (unique, like
    /// its id): an integer key finds the row faster than the text id.
    pub fn mark_issued(&mut self, done: &[(u64, String)]) -> Result<(), LedgerError> {
        self.mark_issued_with(done, None)
    }

    /// [`mark_issued`](Self::mark_issued), and in the same transaction the
    /// `count` pending rows from index `first` on, which were reserved with their
    /// files' SHA-256 ([`reserve_signed`](Self::reserve_signed)): one statement for
    /// them all instead of one per row. Fails, committing nothing, unless each of
    /// them is `pending` with its SHA-256.
    pub fn mark_issued_with(
        &mut self,
        done: &[(u64, String)],
        range: Option<(u64, u64)>,
    ) -> Result<(), LedgerError> {
        if done.is_empty() && range.is_none_or(|(_, count)| count == 0) {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE credentials SET state = 'issued', file_sha256 = ?2 \
                 WHERE status_index = ?1 AND state = 'pending'",
            )?;
            let mut fill = tx.prepare_cached(
                "UPDATE credentials SET file_sha256 = ?2 \
                 WHERE status_index = ?1 AND file_sha256 IS NULL",
            )?;
            for (index, sha) in done {
                if update.execute(params![index, sha])? == 0 {
                    // Already past pending (e.g. revoked while a file was restored).
                    fill.execute(params![index, sha])?;
                }
            }
        }
        if let Some((first, count)) = range.filter(|&(_, count)| count > 0) {
            let last = first
                .checked_add(count - 1)
                .ok_or_else(|| LedgerError::Corrupt("status index out of range".into()))?;
            let marked = tx.execute(
                "UPDATE credentials SET state = 'issued' \
                 WHERE status_index BETWEEN ?1 AND ?2 AND state = 'pending' \
                 AND file_sha256 IS NOT NULL",
                params![first, last],
            )?;
            if u64::try_from(marked).ok() != Some(count) {
                return Err(LedgerError::NotAllPending {
                    path: self.path.clone(),
                    marked,
                    count,
                    first,
                });
            }
        }
        tx.commit().map_err(LedgerError::db(|| {
            format!("cannot commit to the ledger {}", self.path.display())
        }))
    }

    /// Revokes, suspends or unsuspends a credential.
    ///
    /// # Errors
    /// [`LedgerError::UnknownCredential`], [`LedgerError::StillPending`],
    /// [`LedgerError::Revoked`] (for suspend and unsuspend), or what writing failed on.
    pub fn change_state(
        &mut self,
        credential_id: &str,
        action: Action,
        reason: Option<&str>,
    ) -> Result<Change, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let rec = tx
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM credentials WHERE credential_id = ?1"),
                [credential_id],
                record,
            )
            .optional()?;
        let Some(rec) = rec else {
            return Err(LedgerError::UnknownCredential {
                credential_id: credential_id.to_owned(),
                path: self.path.clone(),
            });
        };
        let from = rec.state;
        // A batch row still pending is finished by rerunning its batch; a single
        // `issue` interrupted after writing its output may have been handed out,
        // so it can be revoked like an issued one.
        let effective = match from {
            State::Pending if rec.out_file.is_none() => State::Issued,
            s => s,
        };
        let to = match (action, effective) {
            (_, State::Pending) => {
                return Err(LedgerError::StillPending {
                    credential_id: credential_id.to_owned(),
                });
            }
            (Action::Revoke, State::Revoked) | (Action::Suspend, State::Suspended) => {
                return Ok(Change::Unchanged(Box::new(rec)));
            }
            (Action::Unsuspend, State::Issued) if from == State::Issued => {
                return Ok(Change::Unchanged(Box::new(rec)));
            }
            (Action::Suspend | Action::Unsuspend, State::Revoked) => {
                return Err(LedgerError::Revoked {
                    credential_id: credential_id.to_owned(),
                    at: rec.changed_at,
                    reason: rec.reason,
                });
            }
            (Action::Revoke, _) => State::Revoked,
            (Action::Suspend, State::Issued) => State::Suspended,
            (Action::Unsuspend, State::Suspended | State::Issued) => State::Issued,
        };
        let now = microcred_core::datetime::format(microcred_core::datetime::now());
        tx.execute(
            "UPDATE credentials SET state = ?2, reason = ?3, changed_at = ?4 WHERE credential_id = ?1",
            params![credential_id, to.as_str(), reason, now],
        )?;
        let event = match action {
            Action::Revoke => "revoked",
            Action::Suspend => "suspended",
            Action::Unsuspend => "unsuspended",
        };
        tx.execute(
            "INSERT INTO events (credential_id, at, action, reason) VALUES (?1, ?2, ?3, ?4)",
            params![credential_id, now, event, reason],
        )?;
        tx.commit().map_err(LedgerError::db(|| {
            format!("cannot commit to the ledger {}", self.path.display())
        }))?;
        Ok(Change::Changed { from, to })
    }

    /// The bitstring for one purpose: bit i set when credential i is revoked
    /// (revocation) or suspended (suspension). The list holds every index
    /// ever given, rounded up to a multiple of 131,072 (at least 131,072).
    pub fn status_list(&self, purpose: StatusPurpose) -> Result<StatusList, LedgerError> {
        let next = usize::try_from(self.next_index()?)
            .map_err(|_| LedgerError::Corrupt("the ledger is too large".into()))?;
        let entries = next.max(1).div_ceil(MIN_ENTRIES) * MIN_ENTRIES;
        let mut list = StatusList::new(entries);
        let state = match purpose {
            StatusPurpose::Suspension => State::Suspended,
            // Revocation, and any purpose added to the core later, count revocations.
            _ => State::Revoked,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT status_index FROM credentials WHERE state = ?1")?;
        let indexes = stmt.query_map([state.as_str()], |r| r.get::<_, u64>(0))?;
        for index in indexes {
            let index = usize::try_from(index?)
                .map_err(|_| LedgerError::Corrupt("status index out of range".into()))?;
            list.set(index, true)?;
        }
        Ok(list)
    }
}

/// The `credentialStatus` of a credential with `index` under `base`: one
/// `BitstringStatusListEntry` per purpose, both with the same index.
pub fn status_entries(base: &str, index: u64) -> Result<Value, LedgerError> {
    let index = usize::try_from(index)
        .map_err(|_| LedgerError::Corrupt("status index out of range".into()))?;
    let entry = |purpose: StatusPurpose| {
        let list = format!("{base}/{}", purpose.as_str());
        StatusEntry {
            id: Some(format!("{list}#{index}")),
            purpose: purpose.as_str().to_owned(),
            index,
            list_credential: list,
        }
        .to_json()
    };
    Ok(Value::Array(vec![
        entry(StatusPurpose::Revocation),
        entry(StatusPurpose::Suspension),
    ]))
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL: readers never block the writer; FULL: a committed transaction
    // survives power loss, not only a killed process.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL could not be enabled"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Brings a ledger of an older schema (version 1 or 2) to the current schema
/// in one transaction, so that a crash leaves it either as it was or
/// upgraded; returns the version reached.
///
/// Every row is copied as it is: no id, index allocation, state or digest is
/// touched, so the crash-safety argument holds across an upgrade (a `pending`
/// row stays `pending`, to be finished by the rerun of its batch).
fn migrate(conn: &Connection) -> rusqlite::Result<i64> {
    // Dropping `credentials` while `events` refers to it is what SQLite's
    // table-rebuild procedure requires foreign keys off for; the setting cannot
    // change inside a transaction. The rows are checked before the commit.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let upgraded = (|| {
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(UPGRADE_TO_3)?;
        let dangling: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if dangling != 0 {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "{dangling} event(s) name no credential; the ledger was left as it was"
            )));
        }
        tx.commit()
    })();
    // A failed step rolled the transaction back (dropping it does).
    conn.pragma_update(None, "foreign_keys", "ON")?;
    upgraded?;
    Ok(SCHEMA_VERSION)
}

fn read_next_index(conn: &Connection) -> Result<u64, LedgerError> {
    let v: String = conn.query_row("SELECT value FROM meta WHERE key = 'next_index'", [], |r| {
        r.get(0)
    })?;
    v.parse()
        .map_err(|_| LedgerError::Corrupt(format!("ledger meta next_index {v:?} is not a number")))
}

/// Checks and normalises a status base URL (no trailing `/`).
fn check_base_url(url: &str) -> Result<String, LedgerError> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => {}
        _ => {
            return Err(LedgerError::BaseUrl {
                url: url.to_owned(),
                problem: "must be an http(s) URL such as https://uni.example/status/2025",
            });
        }
    }
    if trimmed.contains(['#', '?']) || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(LedgerError::BaseUrl {
            url: url.to_owned(),
            problem: "must not contain '#', '?' or whitespace",
        });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(id: &str) -> Reservation {
        Reservation {
            credential_id: id.into(),
            learner_id: None,
            source_file: None,
            source_row: None,
            source_line: None,
            out_file: Some(format!("/out/{id}.json")),
            content_sha256: Some(format!("c-{id}")),
            issued_at: "2025-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn indexes_are_never_reused_and_states_change_as_documented() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite");
        let mut l = Ledger::create(&path, "did:key:zI", "https://u.example/s/").unwrap();
        assert_eq!(l.base_url(), "https://u.example/s");
        assert!(Ledger::create(&path, "did:key:zI", "https://u.example/s").is_err());
        let a = l.reserve(vec![res("a"), res("b")]).unwrap();
        assert_eq!(a.iter().map(|r| r.status_index).collect::<Vec<_>>(), [0, 1]);
        // A failing reservation (duplicate id) commits nothing, not even the counter.
        assert!(l.reserve(vec![res("c"), res("a")]).is_err());
        assert!(l.get("c").unwrap().is_none());
        assert_eq!(l.next_index().unwrap(), 2);
        drop(l);
        let mut l = Ledger::open(&path).unwrap();
        assert_eq!(l.reserve(vec![res("c")]).unwrap()[0].status_index, 2);
        assert!(l.change_state("a", Action::Revoke, Some("x")).is_err()); // pending
        l.mark_issued(&[(0, "h".into()), (1, "h".into())]).unwrap();
        assert_eq!(
            l.by_out_file("/out/a.json").unwrap().unwrap().state,
            State::Issued
        );
        assert_eq!(l.first_with_content(&[]).unwrap(), None);
        assert_eq!(l.first_with_content(&["c-zz", "c-y"]).unwrap(), None);
        assert_eq!(
            l.first_with_content(&["c-zz", "c-b", "c-a"]).unwrap(),
            Some((1, "b".into(), Some("/out/b.json".into())))
        );
        assert!(l.has_out_file_under("/out/").unwrap());
        assert!(!l.has_out_file_under("/out/a.json#").unwrap());
        assert!(!l.has_out_file_under("/ou/").unwrap());
        assert!(l.change_state("zzz", Action::Revoke, Some("x")).is_err());
        assert_eq!(
            l.change_state("a", Action::Suspend, Some("check")).unwrap(),
            Change::Changed {
                from: State::Issued,
                to: State::Suspended
            }
        );
        assert!(matches!(
            l.change_state("a", Action::Suspend, Some("again")).unwrap(),
            Change::Unchanged(_)
        ));
        let list = l.status_list(StatusPurpose::Suspension).unwrap();
        assert_eq!(list.len(), MIN_ENTRIES);
        assert!(list.get(0).unwrap() && !list.get(1).unwrap());
        l.change_state("a", Action::Unsuspend, None).unwrap();
        assert!(
            !l.status_list(StatusPurpose::Suspension)
                .unwrap()
                .get(0)
                .unwrap()
        );
        l.change_state("b", Action::Revoke, Some("fraud")).unwrap();
        assert!(l.change_state("b", Action::Unsuspend, None).is_err());
        assert!(l.change_state("b", Action::Suspend, None).is_err());
        assert!(matches!(
            l.change_state("b", Action::Revoke, Some("again")).unwrap(),
            Change::Unchanged(r) if r.reason.as_deref() == Some("fraud")
        ));
        let rev = l.status_list(StatusPurpose::Revocation).unwrap();
        assert!(rev.get(1).unwrap() && !rev.get(0).unwrap());
    }

    #[test]
    fn rejects_other_files_and_bad_urls() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = Ledger::open(&other).unwrap_err();
        assert!(e.to_string().contains("not a microcred ledger"), "{e}");
        let text = dir.path().join("text");
        std::fs::write(&text, "hello, this is not a database at all......").unwrap();
        assert!(Ledger::open(&text).is_err());
        assert!(Ledger::open(&dir.path().join("missing")).is_err());
        for bad in [
            "ftp://x",
            "https://",
            "https://x/s#a",
            "https://x y",
            "uni.example",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    /// The schema of versions 1 and 2 as they shipped (version 1 also had
    /// `credentials_by_learner`).
    const SCHEMA_V2: &str = "
        CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
        CREATE TABLE credentials (
            credential_id  TEXT PRIMARY KEY NOT NULL,
            status_index   INTEGER NOT NULL UNIQUE CHECK (status_index >= 0),
            learner_id     TEXT,
            source_file    TEXT,
            source_row     INTEGER,
            source_line    INTEGER,
            out_file       TEXT UNIQUE,
            content_sha256 TEXT,
            file_sha256    TEXT,
            issued_at      TEXT NOT NULL,
            state          TEXT NOT NULL
                           CHECK (state IN ('pending', 'issued', 'revoked', 'suspended')),
            reason         TEXT,
            changed_at     TEXT
        ) STRICT;
        CREATE INDEX credentials_by_content ON credentials (content_sha256);
        CREATE TABLE events (
            seq           INTEGER PRIMARY KEY AUTOINCREMENT,
            credential_id TEXT NOT NULL REFERENCES credentials (credential_id),
            at            TEXT NOT NULL,
            action        TEXT NOT NULL CHECK (action IN ('revoked', 'suspended', 'unsuspended')),
            reason        TEXT
        ) STRICT;";

    /// A ledger of an older version, as that version's `microcred-sign` left it:
    /// one pending row, one issued, one revoked with its event.
    fn old_ledger(path: &Path, version: i64) {
        let conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let learner_index = if version == 1 {
            "CREATE INDEX credentials_by_learner ON credentials (learner_id);"
        } else {
            ""
        };
        conn.execute_batch(&format!(
            "{SCHEMA_V2} {learner_index}
             PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {version};
             INSERT INTO meta VALUES ('issuer', 'did:key:zI'),
               ('status_base_url', 'https://u.example/s'), ('next_index', '3'),
               ('created_at', '2025-01-01T00:00:00Z');
             INSERT INTO credentials (credential_id, status_index, learner_id, out_file,
               content_sha256, file_sha256, issued_at, state, reason, changed_at) VALUES
               ('b', 1, 'L2', '/out/b.json', 'c-b', 'f-b', '2025-01-01T00:00:00Z', 'issued', NULL, NULL),
               ('a', 0, 'L1', '/out/a.json', 'c-a', NULL, '2025-01-01T00:00:00Z', 'pending', NULL, NULL),
               ('r', 2, 'L3', '/out/r.json', 'c-r', 'f-r', '2025-01-01T00:00:00Z', 'revoked',
                'fraud', '2025-02-01T00:00:00Z');
             INSERT INTO events (credential_id, at, action, reason) VALUES
               ('r', '2025-02-01T00:00:00Z', 'revoked', 'fraud');"
        ))
        .unwrap();
    }

    /// Ledgers made by version-1 and version-2 `microcred-sign` (their schemas, as
    /// they shipped) open, are upgraded in place to the current schema, and keep
    /// every row, index, state, digest and event.
    #[test]
    fn opens_and_upgrades_version_1_and_2_ledgers() {
        for version in [1, 2] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("v{version}.sqlite"));
            old_ledger(&path, version);
            let before = {
                let conn = Connection::open(&path).unwrap();
                let mut stmt = conn
                    .prepare(&format!(
                        "SELECT {RECORD_COLUMNS} FROM credentials ORDER BY status_index"
                    ))
                    .unwrap();
                stmt.query_map([], record)
                    .unwrap()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap()
            };
            let mut l = Ledger::open(&path).unwrap();
            let version_now: i64 = l
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(version_now, SCHEMA_VERSION);
            // The upgraded table is the one a new ledger gets.
            let sql = |conn: &Connection| -> Vec<String> {
                let mut stmt = conn
                    .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
                    .unwrap();
                stmt.query_map([], |r| r.get::<_, String>(0))
                    .unwrap()
                    // Compared without quotes and white space (the test's old
                    // schema is laid out differently).
                    .map(|s| {
                        s.unwrap()
                            .replace('"', "")
                            .split_whitespace()
                            .collect::<String>()
                    })
                    .collect()
            };
            let fresh = Ledger::create(
                &dir.path().join("new.sqlite"),
                "did:key:zI",
                "https://u.example/s",
            )
            .unwrap();
            assert_eq!(sql(&l.conn), sql(&fresh.conn));
            assert_eq!(l.list().unwrap(), before);
            let fk_on: i64 = l
                .conn
                .pragma_query_value(None, "foreign_keys", |r| r.get(0))
                .unwrap();
            assert_eq!(fk_on, 1);
            // What the batch does with an old ledger's rows still works: the
            // pending row is marked, a new row gets the next index, the revoked
            // one keeps its event (and its reference is still enforced).
            l.mark_issued(&[(0, "h".into())]).unwrap();
            assert_eq!(l.get("a").unwrap().unwrap().state, State::Issued);
            assert_eq!(l.reserve(vec![res("c")]).unwrap()[0].status_index, 3);
            assert_eq!(
                l.first_with_content(&["c-zz", "c-r"]).unwrap(),
                Some((1, "r".into(), Some("/out/r.json".into())))
            );
            let events: i64 = l
                .conn
                .query_row(
                    "SELECT count(*) FROM events WHERE credential_id = 'r'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(events, 1);
            assert!(
                l.conn
                    .execute(
                        "INSERT INTO events (credential_id, at, action) VALUES ('zz', 'x', 'revoked')",
                        [],
                    )
                    .is_err()
            );
            assert!(l.change_state("r", Action::Suspend, None).is_err());
            l.change_state("b", Action::Revoke, Some("x")).unwrap();
            drop(l);
            // Opened again: already current, nothing to do.
            let l = Ledger::open(&path).unwrap();
            assert_eq!(l.list().unwrap().len(), 4);
            // A version this build does not know is refused, not guessed at.
            l.conn.pragma_update(None, "user_version", 99).unwrap();
            drop(l);
            let e = Ledger::open(&path).unwrap_err();
            assert!(e.to_string().contains("schema version 99"), "{e}");
        }
    }

    /// Rows reserved with their files' SHA-256 (the `--out-jsonl` path): an error
    /// from the stream rolls everything back; the range marking takes exactly
    /// the pending rows with a digest, or nothing.
    #[test]
    fn signed_reservations_commit_whole_and_are_marked_by_range() {
        let dir = tempfile::tempdir().unwrap();
        let mut l =
            Ledger::create(&dir.path().join("l"), "did:key:zI", "https://u.example/s").unwrap();
        let rows = vec![
            Ok((res("a"), Some("h-a".to_owned()))),
            Err(anyhow::anyhow!("stopped")),
        ];
        let e = l.reserve_signed(rows).unwrap_err();
        assert!(e.to_string().contains("stopped"), "{e}");
        assert!(l.get("a").unwrap().is_none());
        assert_eq!(l.next_index().unwrap(), 0);

        let recs = l
            .reserve_signed::<LedgerError>(vec![
                Ok((res("a"), Some("h-a".to_owned()))),
                Ok((res("b"), Some("h-b".to_owned()))),
            ])
            .unwrap();
        assert_eq!(recs[1].file_sha256.as_deref(), Some("h-b"));
        let b = l.get("b").unwrap().unwrap();
        assert_eq!(
            (b.state, b.file_sha256.as_deref()),
            (State::Pending, Some("h-b"))
        );
        l.reserve(vec![res("c")]).unwrap();
        // Row c (index 2) has no digest yet: a range over it marks nothing at all.
        assert!(l.mark_issued_with(&[], Some((0, 3))).is_err());
        assert_eq!(l.get("a").unwrap().unwrap().state, State::Pending);
        // Nor does a range past the rows.
        assert!(l.mark_issued_with(&[], Some((3, 1))).is_err());
        l.mark_issued_with(&[(2, "h-c".into())], Some((0, 2)))
            .unwrap();
        for (id, sha) in [("a", "h-a"), ("b", "h-b"), ("c", "h-c")] {
            let r = l.get(id).unwrap().unwrap();
            assert_eq!(
                (r.state, r.file_sha256.as_deref()),
                (State::Issued, Some(sha))
            );
        }
        // Marked already: the range finds no pending row.
        assert!(l.mark_issued_with(&[], Some((0, 2))).is_err());
        l.mark_issued_with(&[], Some((0, 0))).unwrap();
    }

    /// Many rows, streamed: every row, its own index in order, all its columns.
    #[test]
    fn reservations_of_many_rows_keep_order_and_columns() {
        let dir = tempfile::tempdir().unwrap();
        let mut l =
            Ledger::create(&dir.path().join("l"), "did:key:zI", "https://u.example/s").unwrap();
        let n = 101;
        let rows: Vec<Reservation> = (0..n)
            .map(|i| Reservation {
                learner_id: Some(format!("L{i}")),
                source_file: Some("/in.csv".into()),
                source_row: Some(i + 1),
                source_line: Some(i + 2),
                ..res(&format!("r{i}"))
            })
            .collect();
        let sha = |i: u64| (i % 2 == 0).then(|| format!("h{i}"));
        let recs = l
            .reserve_signed::<LedgerError>(
                (0..n)
                    .zip(rows.iter().cloned())
                    .map(|(i, r)| Ok((r, sha(i)))),
            )
            .unwrap();
        assert_eq!(l.list().unwrap(), recs);
        for ((i, rec), r) in (0..n).zip(&recs).zip(&rows) {
            let mut expected = r.clone().into_pending(i);
            expected.file_sha256 = sha(i);
            assert_eq!(rec, &expected);
        }
        assert_eq!(l.next_index().unwrap(), n);
    }

    #[test]
    fn lists_grow_in_steps() {
        let dir = tempfile::tempdir().unwrap();
        let mut l =
            Ledger::create(&dir.path().join("l"), "did:key:zI", "https://u.example/s").unwrap();
        l.conn
            .execute(
                "UPDATE meta SET value = ?1 WHERE key = 'next_index'",
                [(MIN_ENTRIES as u64).to_string()],
            )
            .unwrap();
        let r = l.reserve(vec![res("x")]).unwrap();
        assert_eq!(r[0].status_index, MIN_ENTRIES as u64);
        l.mark_issued(&[(MIN_ENTRIES as u64, "h".into())]).unwrap();
        l.change_state("x", Action::Revoke, None).unwrap();
        let list = l.status_list(StatusPurpose::Revocation).unwrap();
        assert_eq!(list.len(), 2 * MIN_ENTRIES);
        assert!(list.get(MIN_ENTRIES).unwrap());
    }
}
