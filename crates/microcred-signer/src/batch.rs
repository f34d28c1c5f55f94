//! `microcred-sign batch`: one credential per learner row, signed in
//! parallel, recorded in a ledger, resumable after any crash.
//!
//! The order of operations is what makes a crash harmless (see
//! `crate::ledger`): every row is checked before anything is signed; new rows
//! are recorded as `pending` with their id, index and issue time in one
//! transaction; the signing threads write each credential to a temporary file
//! in the output directory; then, group by group (`commit`), the file system
//! is flushed once, the temporary files are renamed to their names, the
//! directory is flushed, and only then are the rows marked `issued`. A rerun of
//! the same command finds the `pending` rows and finishes them with the same
//! id, index and time — signing is deterministic, so a file written just before
//! the crash is recognised byte for byte and adopted.
//!
//! With `--out-jsonl FILE` the whole batch goes into one JSON Lines file
//! instead (`bundle`): the same rows, ledger states and rerun rules, with the
//! one file as the unit that is written, flushed, named and then marked.
//!
//! With [`CredentialFormat::Jwt`] each credential is a VC-JWT instead
//! (`microcred_core::vc_jwt`, its `iat` the row's issue time, so that signing
//! again gives the same token): a file `NAME.jwt` holding the token and a
//! newline, or in a bundle a line holding the token as a JSON string. The
//! ledger, the resume and restore rules are the same.

mod bundle;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use microcred_core::issuance::new_credential_id;
use microcred_core::keys::KeyFile;
use microcred_core::multibase::hex;
use microcred_core::proof::{
    self, KeyResolver, ProofOptions, ProofPurpose, ResolveError, ResolvedMethod,
};
use microcred_core::{Value, datetime, jcs};
use rayon::prelude::*;
use serde_json::{Map, json};
use sha2::{Digest as _, Sha256};

use crate::compiled::{self, Compiled, Status, StatusTexts, Values};
use crate::files;
use crate::learners::{self, Format, Row, RowError};
use crate::ledger::{Ledger, Record, Reservation, State, status_entries};
use crate::template::{self, Template};

/// A batch to run: what `microcred-sign batch` takes on its command line.
#[derive(Debug, Clone)]
pub struct Request {
    /// Cryptosuite(s) of the proofs; `None`: the default.
    pub suite: Option<crate::suite::Suite>,
    /// How each credential is secured: a Data Integrity proof or a VC-JWT.
    pub credential_format: CredentialFormat,
    /// The unsigned credential with `{{column}}` placeholders.
    pub template: PathBuf,
    /// The learner list.
    pub learners: PathBuf,
    /// Its format; `None`: from its extension.
    pub format: Option<Format>,
    /// The CSV field delimiter.
    pub delimiter: char,
    /// Directory for one file per credential.
    pub out: Option<PathBuf>,
    /// One JSON Lines file for the whole batch instead.
    pub out_jsonl: Option<PathBuf>,
    /// Column with each learner's identifier.
    pub id_column: Option<String>,
    /// Ledger to record the credentials in.
    pub ledger: Option<PathBuf>,
    /// What to do with rows that cannot be used.
    pub on_error: OnError,
    /// Framework profiles every row's credential is checked against
    /// ([`crate::profiles::load`]).
    pub profiles: Vec<microcred_verifier::profile::Profile>,
    /// Sign rows that fail a profile rule anyway.
    pub allow_noncompliant: bool,
    /// Sign credentials whose `validUntil` is before the issue time.
    pub allow_expired: bool,
    /// Issue even when the ledger holds a credential with the same content in another file.
    pub allow_reissue: bool,
    /// Signing threads (`None`: all cores).
    pub jobs: Option<usize>,
    /// Print a JSON summary on stdout at the end.
    pub json: bool,
}

/// How a batch secures its credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialFormat {
    /// JSON with a Data Integrity proof (`suite`), in `NAME.json` files.
    #[default]
    Di,
    /// A VC-JWT (compact JWS, the credential in its `vc` claim), in `NAME.jwt`
    /// files, or as a JSON string per line of a bundle.
    Jwt,
}

impl CredentialFormat {
    /// The extension of a credential's own file.
    fn extension(self) -> &'static str {
        match self {
            Self::Di => "json",
            Self::Jwt => "jwt",
        }
    }
}

/// What `batch` does with a learner row that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// Report every bad row and sign nothing.
    Abort,
    /// Report every bad row, issue the others, and count the skipped rows.
    Skip,
}

/// Ledger rows are marked issued at least this often…
const COMMIT_EVERY: Duration = Duration::from_millis(500);
/// …or when this many files have been written since the last commit.
const COMMIT_ROWS: usize = 256;

/// Where a batch writes its credentials.
#[derive(Debug)]
enum Output {
    /// `--out DIR`: one file per credential (absolute, UTF-8 path).
    Dir(PathBuf),
    /// `--out-jsonl FILE`: one JSON Lines file for the whole batch.
    Bundle(bundle::Bundle),
}

/// A row that passed every check, ready to sign.
#[derive(Debug)]
struct Prepared {
    row: Row,
    /// The credential's file (with `--out-jsonl`: the bundle).
    out: PathBuf,
    /// What the ledger records as the row's `out_file`: the file's absolute path,
    /// or with `--out-jsonl` the bundle's, `#`, and the learner id or row name.
    key: String,
    learner_id: Option<String>,
    content_sha256: String,
    explicit_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobKind {
    /// Not signed before.
    New,
    /// Reserved by an interrupted run.
    Resume,
    /// Issued, but its file is missing: written again, identical.
    Restore,
}

#[derive(Debug)]
struct Job {
    prepared: Prepared,
    kind: JobKind,
    record: Option<Record>,
}

/// A signed credential, written to a temporary file that [`commit`] makes
/// durable and renames to `out`.
#[derive(Debug)]
struct Done {
    /// The ledger row's status-list index (`None` without a ledger).
    status_index: Option<u64>,
    /// SHA-256 of the file's bytes, recorded in the ledger.
    sha256: String,
    kind: JobKind,
    /// The file was already there, written by the interrupted run.
    adopted: bool,
    /// The temporary file holding the credential (`None` when adopted); dropped
    /// without being renamed, it is removed.
    temp: Option<tempfile::TempPath>,
    out: PathBuf,
}

/// What every signing thread shares.
struct Context<'a> {
    template: &'a Template,
    /// The template as byte writers, when it compiles (see [`compiled`]).
    compiled: Option<&'a Compiled>,
    key: &'a KeyFile,
    controller: String,
    verification_method: String,
    base_url: Option<String>,
    /// The status entries' texts for `base_url`, written per credential with its
    /// index (the compiled path); `None` without a ledger, or when they cannot be made.
    status_texts: Option<StatusTexts>,
    now: String,
    suite: Option<crate::suite::Suite>,
    /// Each credential signed as a VC-JWT instead of with a proof.
    jwt: bool,
    /// The proof's texts for credentials signed with `now` (the compiled path),
    /// made once for the batch; `None` when they cannot be made.
    proof_text: Option<compiled::ProofText>,
    /// Set by Ctrl-C or SIGTERM: no new credential is signed.
    interrupt: &'a crate::interrupt::Interrupt,
    /// The signing threads.
    pool: &'a rayon::ThreadPool,
    /// The learner list, as new ledger rows record it (their `issued_at` is `now`).
    source_file: &'a str,
}

#[derive(Debug, Default)]
struct Counts {
    rows: u64,
    issued: u64,
    resumed: u64,
    adopted: u64,
    restored: u64,
    already_issued: u64,
    skipped: u64,
}

/// Runs a batch: checks every row, signs the good ones with `key` in parallel,
/// records them in the ledger and writes them, telling `progress` how far it has
/// got, each warning and note ([`Progress::note`]) and, with `json`, the summary.
/// Once `interrupt` is requested no new credential is signed: the caller installs
/// it (`microcred-sign` does after the passphrase prompt, which Ctrl-C must leave
/// at once).
///
/// # Errors
/// When an input cannot be used, rows have problems (with [`OnError::Abort`]), the
/// ledger or an output cannot be written, or the batch is interrupted
/// ([`crate::interrupt::Interrupted`]); the message says what and where.
pub fn run(
    args: &Request,
    key: &KeyFile,
    interrupt: &crate::interrupt::Interrupt,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    let profiles = &args.profiles;
    let controller = key.controller();
    let jwt = args.credential_format == CredentialFormat::Jwt;
    if jwt && args.suite.is_some() {
        bail!(
            "--suite chooses a Data Integrity cryptosuite; a VC-JWT (--credential-format jwt) has none"
        );
    }
    let key_type = key.secret.key_type();
    // A cryptosuite named in full must fit the key (refused before any work).
    let suite = args.suite.map(|s| s.for_key(key_type)).transpose()?;

    let template = read_template(args, &controller, progress)?;
    // The issue time of the new rows (their `validFrom` when the template has
    // none), at which the rules and profiles are checked.
    let checked_at = datetime::now();
    let issued_at = datetime::format(checked_at);
    let rules = template_rules(args, &template, &controller, checked_at, progress)?;
    let compiled = Compiled::new(&template, &controller, args.ledger.is_some(), complete);
    let learners = read_learners(args, &template)?;

    let output = resolve_output(args)?;
    let source_file = std::fs::canonicalize(&args.learners)
        .unwrap_or_else(|_| args.learners.clone())
        .display()
        .to_string();

    let mut counts = Counts {
        rows: u64::try_from(learners.rows.len() + distinct_rows(&learners.errors))
            .unwrap_or(u64::MAX),
        ..Counts::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start the signing threads")?;
    let compliance = Compliance {
        profiles,
        at: checked_at,
        issuer: &controller,
        valid_from: issued_at,
        allow: args.allow_noncompliant,
    };
    let Checked {
        prepared,
        mut errors,
        noncompliant,
        rule_warnings,
    } = prepare(
        &pool,
        Forms {
            template: &template,
            rules: &rules,
            compiled: compiled.as_ref(),
        },
        learners,
        args.id_column.as_deref(),
        (&output, args.credential_format.extension()),
        (!profiles.is_empty()).then_some(&compliance),
    );
    for (line, w) in &rule_warnings {
        progress.note(&format!(
            "warning: {}: line {line}: {w}",
            args.learners.display()
        ));
    }
    // With --allow-noncompliant a row that fails a profile is signed: its failures
    // are printed as warnings, not counted as problems.
    for e in &noncompliant {
        progress.note(&format!("warning: {}", describe(&args.learners, e)));
    }
    if !noncompliant.is_empty() {
        progress.note(&format!(
            "WARNING: signing {} credential(s) that do NOT comply with the profile(s) above because of --allow-noncompliant; verifiers checking those profiles will report them as non-compliant",
            noncompliant.len()
        ));
    }
    errors.sort_by_key(|e| (e.row, e.line));
    counts.skipped = u64::try_from(distinct_rows(&errors)).unwrap_or(u64::MAX);
    for e in &errors {
        progress.note(&describe(&args.learners, e));
    }
    if !errors.is_empty() && args.on_error == OnError::Abort {
        counts.skipped = 0;
        if args.json {
            progress
                .summary(&summary(args, &counts, &errors, false))
                .context("cannot write the summary")?;
        }
        bail!(
            "{} of {} rows have problems (listed above); nothing was signed. Fix them, or pass --on-error skip to issue the other rows",
            distinct_rows(&errors),
            counts.rows
        );
    }
    if interrupt.requested() {
        let total = u64::try_from(prepared.len()).unwrap_or(u64::MAX);
        return Err(interrupt.stopped(0, total, true));
    }

    let mut ledger = open_ledger(args, &controller)?;
    let removed = match &output {
        Output::Dir(out_dir) => remove_stale_temp_files(out_dir)?,
        Output::Bundle(b) => b.remove_stale_temp_files()?,
    };
    if removed > 0 {
        progress.note(&format!(
            "removed {removed} temporary file(s) left by an interrupted run"
        ));
    }

    // The issue time of the new rows: the time their compliance was checked at.
    let now = compliance.valid_from.clone();
    let proof_text = compiled.as_ref().and_then(|c| {
        let mut options =
            ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
        options.created = Some(now.clone());
        compiled::ProofText::new(c.context(), &options)
    });
    let ctx = Context {
        template: &template,
        // The compiled path writes Data Integrity proofs only.
        compiled: compiled.as_ref().filter(|_| !jwt),
        key,
        controller: controller.clone(),
        verification_method: key.verification_method(),
        base_url: ledger.as_ref().map(|l| l.base_url().to_owned()),
        status_texts: ledger.as_ref().and_then(|l| StatusTexts::new(l.base_url())),
        now: now.clone(),
        suite: match suite {
            Some(suite) => Some(suite),
            None if jwt => None,
            // A template whose @context is unknown: JCS alone, said once (rows do not
            // change @context). Otherwise each row gets the default (None).
            None => match microcred_core::suite::default_for(template.base(), key_type) {
                (suite, Some(w)) => {
                    progress.note(&format!("warning: {w}"));
                    Some(suite)
                }
                (_, None) => None,
            },
        },
        proof_text,
        jwt,
        interrupt,
        pool: &pool,
        source_file: &source_file,
    };
    let out_dir = match &output {
        Output::Dir(out_dir) => out_dir,
        Output::Bundle(b) => {
            b.issue(args, prepared, &ctx, ledger.as_mut(), &mut counts, progress)?;
            return finish(args, &counts, &errors, progress);
        }
    };
    // In an empty directory no output file can exist: no need to look for each.
    let out_empty = std::fs::read_dir(out_dir)
        .with_context(|| format!("cannot list {}", out_dir.display()))?
        .next()
        .is_none();
    let jobs = plan(
        args,
        prepared,
        out_empty,
        ledger.as_mut(),
        &OwnKey::new(key, &controller),
        &ctx,
        &mut counts,
    )?;
    let resuming = jobs.iter().filter(|j| j.kind == JobKind::Resume).count();
    if resuming > 0 {
        progress.note(&format!(
            "resuming {resuming} credential(s) an interrupted run had started"
        ));
    }
    sign_all(&jobs, &ctx, ledger.as_mut(), out_dir, &mut counts, progress)?;
    finish(args, &counts, &errors, progress)
}

/// The learner list, read and checked against the template: every placeholder has
/// its column, and so has `--id-column`.
fn read_learners(args: &Request, template: &Template) -> anyhow::Result<learners::Learners> {
    let format = args
        .format
        .or_else(|| Format::from_path(&args.learners))
        .with_context(|| {
            format!(
                "cannot tell the format of {} from its name; pass --format csv or --format jsonl",
                args.learners.display()
            )
        })?;
    let delimiter = u8::try_from(u32::from(args.delimiter))
        .ok()
        .filter(u8::is_ascii)
        .with_context(|| {
            format!(
                "--delimiter {:?} must be one ASCII character",
                args.delimiter
            )
        })?;
    let learners = learners::read(&args.learners, format, delimiter)?;
    if learners.rows.is_empty() && learners.errors.is_empty() {
        bail!("{}: no learner rows", args.learners.display());
    }

    // A placeholder no column can fill is a mistake in the template or the
    // list, not in a row: stop before signing anything.
    let missing: Vec<String> = template
        .columns()
        .into_iter()
        .filter(|c| !learners.columns.contains(*c))
        .map(|c| format!("{{{{{c}}}}} (at {})", template.paths_of(c).join(", ")))
        .collect();
    if !missing.is_empty() {
        bail!(
            "template {}: no column of {} for placeholder{} {}; the columns are: {}",
            args.template.display(),
            args.learners.display(),
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            learners
                .columns
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(col) = &args.id_column {
        if !learners.columns.contains(col) {
            bail!(
                "--id-column {col:?}: {} has no such column",
                args.learners.display()
            );
        }
    }
    Ok(learners)
}

/// Where the credentials go: the output directory (created, absolute, UTF-8) or
/// the one JSON Lines bundle.
fn resolve_output(args: &Request) -> anyhow::Result<Output> {
    Ok(match (&args.out, &args.out_jsonl) {
        (_, Some(file)) => Output::Bundle(bundle::Bundle::resolve(file)?),
        (Some(dir), None) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let out_dir = std::fs::canonicalize(dir)
                .with_context(|| format!("cannot resolve {}", dir.display()))?;
            if out_dir.to_str().is_none() {
                bail!("{}: the path is not UTF-8", out_dir.display());
            }
            Output::Dir(out_dir)
        }
        (None, None) => bail!("pass --out DIR (one file per credential) or --out-jsonl FILE"),
    })
}

/// The ledger of `--ledger`, checked to be this key's and held by this process
/// alone until it exits.
fn open_ledger(args: &Request, controller: &str) -> anyhow::Result<Option<Ledger>> {
    let Some(path) = &args.ledger else {
        return Ok(None);
    };
    let l = Ledger::open(path)?;
    l.check_issuer(controller)?;
    l.lock_exclusive()?;
    Ok(Some(l))
}

/// The closing note, and the `--json` summary.
fn finish(
    args: &Request,
    counts: &Counts,
    errors: &[RowError],
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    progress.note(&format!(
        "batch complete: {} rows: {} issued, {} resumed ({} already written by the interrupted run), {} restored, {} already issued before, {} skipped",
        counts.rows,
        counts.issued,
        counts.resumed,
        counts.adopted,
        counts.restored,
        counts.already_issued,
        counts.skipped
    ));
    if args.json {
        progress
            .summary(&summary(args, counts, errors, true))
            .context("cannot write the summary")?;
    }
    Ok(())
}

fn read_template(
    args: &Request,
    controller: &str,
    progress: &mut dyn Progress,
) -> anyhow::Result<Template> {
    let mut doc = files::read_json(&args.template)?;
    // As `issue` does (issuance::prepare), once for every row.
    if microcred_core::microcred_context::replace_legacy_url(&mut doc) {
        progress.note(&format!(
            "warning: template {}: {}",
            args.template.display(),
            microcred_core::microcred_context::LEGACY_REPLACED
        ));
    }
    let template =
        Template::parse(doc).with_context(|| format!("template {}", args.template.display()))?;
    let base = template.base();
    if base.get("proof").is_some() {
        bail!(
            "template {}: it already has a proof; a template is an unsigned credential",
            args.template.display()
        );
    }
    if args.ledger.is_some() && base.get("credentialStatus").is_some() {
        bail!(
            "template {}: it has a credentialStatus, but with --ledger the ledger adds one to each credential; remove it from the template",
            args.template.display()
        );
    }
    let issuer = match base.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(m)) => m.get("id").and_then(Value::as_str),
        _ => None,
    };
    if let Some(issuer) = issuer {
        if issuer != controller && !issuer.contains("{{") {
            progress.note(&format!(
                "warning: the template's issuer {issuer} is not the key's controller {controller}; verifiers will report the issuer as not matching the signing key"
            ));
        }
    }
    Ok(template)
}

/// The issuance rules `issue` applies (`microcred_core::issuance`), for this
/// template's credentials: what the template fixes is checked now (a template
/// that breaks a rule whatever its rows hold is refused before any row is
/// read), the rest per row by `prepare` ([`Template::rules`]).
fn template_rules(
    args: &Request,
    template: &Template,
    controller: &str,
    checked_at: time::OffsetDateTime,
    progress: &mut dyn Progress,
) -> anyhow::Result<template::Rules> {
    let issued_at = datetime::format(checked_at);
    let mut warnings = Vec::new();
    let rules = template
        .rules(
            |doc| {
                // The id is new per row, always a urn:uuid; the status (with a
                // ledger) is the ledger's, which the rules accept (tested).
                complete(doc, STAND_IN_ID, controller, &issued_at, None).unwrap_or_default()
            },
            (!args.allow_expired).then_some(checked_at),
            &mut warnings,
        )
        .with_context(|| {
            format!(
                "template {}: every credential made from it would break the rules issue applies",
                args.template.display()
            )
        })?;
    for w in warnings {
        progress.note(&format!(
            "warning: template {}: {w}",
            args.template.display()
        ));
    }
    Ok(rules)
}

/// The id a credential is checked with before its own is drawn.
const STAND_IN_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000000";

fn distinct_rows(errors: &[RowError]) -> usize {
    let mut rows: Vec<u64> = errors.iter().map(|e| e.row).collect();
    rows.sort_unstable();
    rows.dedup();
    rows.len()
}

fn describe(learners: &Path, e: &RowError) -> String {
    match &e.column {
        Some(c) => format!(
            "{}: line {} (row {}), column {c:?}: {}",
            learners.display(),
            e.line,
            e.row,
            e.problem
        ),
        None => format!(
            "{}: line {} (row {}): {}",
            learners.display(),
            e.line,
            e.row,
            e.problem
        ),
    }
}

/// What filling one row gives, before the rows are compared with each other.
struct Filled {
    content_sha256: String,
    explicit_id: Option<String>,
    subject_id: Option<String>,
    /// With --profile: why the row's credential does not comply.
    noncompliant: Option<String>,
    /// The issuance rules' warnings on the row's values.
    warnings: Vec<String>,
}

/// `--profile`: what each row's credential is checked against before signing.
struct Compliance<'a> {
    profiles: &'a [microcred_verifier::profile::Profile],
    /// The time the rules are evaluated at (the batch's start).
    at: time::OffsetDateTime,
    /// The issuer and `validFrom` the signed credential will have.
    issuer: &'a str,
    valid_from: String,
    /// `--allow-noncompliant`: such rows are signed, their failures warnings.
    allow: bool,
}

impl Compliance<'_> {
    /// The rules of severity error that the credential of `filled` (the template
    /// filled with a row) fails, completed as signing completes it — its issuer
    /// and `validFrom`; its id and status entries are not known yet, and no
    /// built-in rule reads them — or `None` when it complies.
    fn check(&self, filled: Value) -> Option<String> {
        let doc = complete(filled, STAND_IN_ID, self.issuer, &self.valid_from, None);
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => return Some(e.to_string()),
        };
        let failed = microcred_verifier::profile::violations(self.profiles, &doc, self.at);
        (!failed.is_empty())
            .then(|| format!("the credential does not comply: {}", failed.join("; ")))
    }
}

/// What [`prepare`] finds.
struct Checked {
    /// The rows to sign.
    prepared: Vec<Prepared>,
    /// The rows' problems.
    errors: Vec<RowError>,
    /// Rows signed although they fail a profile (`--allow-noncompliant`).
    noncompliant: Vec<RowError>,
    /// The issuance rules' warnings, each with the first line it is about.
    rule_warnings: Vec<(u64, String)>,
}

/// What every row is filled into and held to: the template, its issuance rules,
/// and its compiled form when it compiles.
#[derive(Clone, Copy)]
struct Forms<'a> {
    template: &'a Template,
    rules: &'a template::Rules,
    compiled: Option<&'a Compiled>,
}

/// Fills every row once to find its problems (filling, and the issuance
/// `rules` its values are held to), its file name and the digest of its
/// content; rows that collide with an earlier row are problems too.
/// The filling and hashing run on `pool` (they cost about as much as the
/// signature); the comparisons, in row order, on this thread.
fn prepare(
    pool: &rayon::ThreadPool,
    forms: Forms<'_>,
    learners: learners::Learners,
    id_column: Option<&str>,
    (output, extension): (&Output, &str),
    compliance: Option<&Compliance<'_>>,
) -> Checked {
    let Forms {
        template,
        rules,
        compiled,
    } = forms;
    let mut errors = learners.errors;
    let mut warnings = Vec::new();
    let mut rule_warnings: Vec<(u64, String)> = Vec::new();
    let filled: Vec<Result<Filled, Vec<template::FillError>>> = pool.install(|| {
        learners
            .rows
            .par_iter()
            .map(|row| {
                let str_at = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
                let mut rule_warnings = Vec::new();
                let values = template.fill_checked(&row.values, rules, &mut rule_warnings)?;
                // The profiles read the whole document: only they need it built
                // when the template is compiled.
                if let (Some(compiled), None) = (compiled, compliance) {
                    let content_sha256 = CANONICAL
                        .with_borrow_mut(|scratch| hex(&compiled.content_sha256(&values, scratch)));
                    return Ok(Filled {
                        content_sha256,
                        explicit_id: str_at(template.value_at(&values, &["id"])),
                        subject_id: str_at(
                            template.value_at(&values, &["credentialSubject", "id"]),
                        ),
                        noncompliant: None,
                        warnings: rule_warnings,
                    });
                }
                let doc = template.fill_from(values);
                Ok(Filled {
                    content_sha256: hex(&Sha256::digest(jcs::canonicalize(&doc))),
                    explicit_id: str_at(doc.get("id")),
                    subject_id: str_at(doc.get("credentialSubject").and_then(|s| s.get("id"))),
                    noncompliant: compliance.and_then(|c| c.check(doc)),
                    warnings: rule_warnings,
                })
            })
            .collect()
    });
    let mut prepared = Vec::with_capacity(learners.rows.len());
    let mut names: HashMap<String, u64> = HashMap::new();
    let mut contents: HashMap<String, u64> = HashMap::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    for (row, filled) in learners.rows.into_iter().zip(filled) {
        let err = |column: Option<&str>, problem: String| RowError {
            row: row.number,
            line: row.line,
            column: column.map(str::to_owned),
            problem,
        };
        let filled = match filled {
            Ok(filled) => {
                // The same warning for many rows is given once, with its first line.
                for w in &filled.warnings {
                    if !rule_warnings.iter().any(|(_, seen)| seen == w) {
                        rule_warnings.push((row.line, w.clone()));
                    }
                }
                filled
            }
            Err(fill_errors) => {
                errors.extend(
                    fill_errors
                        .into_iter()
                        .map(|e| err(Some(&e.column), e.problem)),
                );
                continue;
            }
        };
        let id_value = match id_column {
            None => None,
            Some(col) => match row.values.get(col) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => {
                    errors.push(err(
                        Some(col),
                        "learner id is missing or empty (--id-column)".into(),
                    ));
                    continue;
                }
            },
        };
        let stem = match &id_value {
            Some(v) => file_stem(v),
            None => format!("row-{:06}", row.number),
        };
        if let Some(first) = names.get(&stem.to_lowercase()) {
            let problem = match output {
                Output::Dir(_) => {
                    format!(
                        "learner id gives the file name {stem}.{extension}, as line {first} does"
                    )
                }
                Output::Bundle(_) => format!(
                    "learner id {stem} is also that of line {first} (ids are compared ignoring case and with characters other than letters, digits and -_.@+ replaced by _)"
                ),
            };
            errors.push(err(id_column, problem));
            continue;
        }
        let Filled {
            content_sha256,
            explicit_id,
            subject_id,
            noncompliant,
            warnings: _,
        } = filled;
        if let Some(problem) = noncompliant {
            if compliance.is_some_and(|c| c.allow) {
                warnings.push(err(None, problem));
            } else {
                errors.push(err(None, problem));
                continue;
            }
        }
        if let Some(first) = contents.get(&content_sha256) {
            errors.push(err(
                None,
                format!("fills the template exactly as line {first} does (a duplicate row?)"),
            ));
            continue;
        }
        if let Some(id) = &explicit_id {
            if let Some(first) = ids.get(id) {
                errors.push(err(
                    None,
                    format!("credential id {id} is also the id of line {first}"),
                ));
                continue;
            }
            ids.insert(id.clone(), row.line);
        }
        names.insert(stem.to_lowercase(), row.line);
        contents.insert(content_sha256.clone(), row.line);
        let learner_id = id_value.or(subject_id);
        let (out, key) = match output {
            Output::Dir(dir) => {
                let out = dir.join(format!("{stem}.{extension}"));
                let key = out.to_string_lossy().into_owned();
                (out, key)
            }
            Output::Bundle(b) => (b.path.clone(), b.line_key(&stem)),
        };
        prepared.push(Prepared {
            out,
            key,
            row,
            learner_id,
            content_sha256,
            explicit_id,
        });
    }
    Checked {
        prepared,
        errors,
        noncompliant: warnings,
        rule_warnings,
    }
}

/// A file-system-safe file stem for a learner id: ASCII letters, digits and
/// `-_.@+` kept, anything else replaced by `_`, no leading dot, at most 120
/// characters. Uniqueness (ignoring case) is checked by the caller.
fn file_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if s.starts_with('.') {
        s.replace_range(..1, "_");
    }
    s
}

/// Decides, for every prepared row, whether it is new, to be resumed, to be
/// restored, or already done (a file there must be signed by `own`); records the
/// new ones in the ledger.
fn plan(
    args: &Request,
    prepared: Vec<Prepared>,
    out_empty: bool,
    mut ledger: Option<&mut Ledger>,
    own: &OwnKey,
    ctx: &Context<'_>,
    counts: &mut Counts,
) -> anyhow::Result<Vec<Job>> {
    let mut jobs = Vec::with_capacity(prepared.len());
    let mut fresh = Vec::new();
    let mut reservations = Vec::new();
    let exists = |path: &Path| !out_empty && path.exists();
    // A directory the ledger has no file in: no row to look up.
    let known = match (&ledger, prepared.first()) {
        (Some(l), Some(p)) => {
            let dir = p.out.parent().unwrap_or_else(|| Path::new("/"));
            l.has_out_file_under(&format!("{}/", dir.display()))?
        }
        _ => false,
    };
    for p in prepared {
        let out_str = p.key.clone();
        let Some(ledger) = ledger.as_deref_mut() else {
            if exists(&p.out) {
                own.check_file(&p.out)?;
                counts.already_issued += 1;
            } else {
                jobs.push(Job {
                    prepared: p,
                    kind: JobKind::New,
                    record: None,
                });
            }
            continue;
        };
        let rec = if known {
            ledger.by_out_file(&out_str)?
        } else {
            None
        };
        if let Some(rec) = rec {
            if rec.content_sha256.as_deref() != Some(p.content_sha256.as_str()) {
                bail!(
                    "{out_str}: the ledger's credential {} for this file was made from other data than line {} now gives; the template or {} changed since that run. Issue changed rows into a new --out directory",
                    rec.credential_id,
                    p.row.line,
                    args.learners.display()
                );
            }
            if rec.state == State::Pending {
                jobs.push(Job {
                    prepared: p,
                    kind: JobKind::Resume,
                    record: Some(rec),
                });
                continue;
            }
            match std::fs::read(&p.out) {
                Ok(bytes) => {
                    let sha = hex(&Sha256::digest(&bytes));
                    if rec.file_sha256.as_deref() != Some(sha.as_str()) {
                        bail!(
                            "{out_str} differs from the credential {} the ledger recorded (SHA-256 {}); it was changed after issuance. Move it away and run again to restore the issued credential",
                            rec.credential_id,
                            rec.file_sha256.as_deref().unwrap_or("?")
                        );
                    }
                    counts.already_issued += 1;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => jobs.push(Job {
                    prepared: p,
                    kind: JobKind::Restore,
                    record: Some(rec),
                }),
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!("cannot read {out_str}")));
                }
            }
            continue;
        }
        if exists(&p.out) {
            bail!(
                "{out_str} exists but the ledger {} has no record of it; issue into an empty --out directory",
                ledger.path().display()
            );
        }
        reservations.push(reservation(ledger, &p, ctx)?);
        fresh.push(p);
    }
    if let Some(ledger) = ledger {
        check_reissue(args, ledger, fresh.iter())?;
        let records = ledger.reserve(reservations)?;
        jobs.extend(fresh.into_iter().zip(records).map(|(p, rec)| Job {
            prepared: p,
            kind: JobKind::New,
            record: Some(rec),
        }));
    }
    Ok(jobs)
}

/// Fails, without `--allow-reissue`, when the ledger already has a credential
/// with the content of one of the `new` rows (in one query for the batch).
fn check_reissue<'p>(
    args: &Request,
    ledger: &Ledger,
    new: impl Iterator<Item = &'p Prepared>,
) -> anyhow::Result<()> {
    if args.allow_reissue {
        return Ok(());
    }
    let new: Vec<&Prepared> = new.collect();
    let contents: Vec<&str> = new.iter().map(|p| p.content_sha256.as_str()).collect();
    if let Some((at, other_id, other_file)) = ledger.first_with_content(&contents)? {
        bail!(
            "line {}: the ledger already has credential {other_id} with the same content, written to {} (was the output moved?); pass --allow-reissue to issue another one deliberately",
            new.get(at).map_or(0, |p| p.row.line),
            other_file.as_deref().unwrap_or("stdout")
        );
    }
    Ok(())
}

/// The ledger row of a new credential, unless the ledger already has one with
/// the same explicit id. (The same content is checked for the whole batch by
/// [`check_reissue`], before anything is recorded.)
/// The ledger row of a new credential: where it comes from (the learner list, the
/// batch's start) and what it is.
fn reservation(ledger: &Ledger, p: &Prepared, ctx: &Context<'_>) -> anyhow::Result<Reservation> {
    let credential_id = match &p.explicit_id {
        Some(id) => {
            if ledger.get(id)?.is_some() {
                bail!(
                    "line {}: credential id {id} is already in the ledger",
                    p.row.line
                );
            }
            id.clone()
        }
        None => new_credential_id()?,
    };
    Ok(Reservation {
        credential_id,
        learner_id: p.learner_id.clone(),
        source_file: Some(ctx.source_file.to_owned()),
        source_row: Some(p.row.number),
        source_line: Some(p.row.line),
        out_file: Some(p.key.clone()),
        content_sha256: Some(p.content_sha256.clone()),
        issued_at: ctx.now.clone(),
    })
}

fn sign_all(
    jobs: &[Job],
    ctx: &Context<'_>,
    mut ledger: Option<&mut Ledger>,
    out_dir: &Path,
    counts: &mut Counts,
    progress: &mut dyn Progress,
) -> anyhow::Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let total = u64::try_from(jobs.len()).unwrap_or(u64::MAX);
    let mut progress = Meter::new(progress, total);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<anyhow::Result<Done>>();
    let mut failure: Option<anyhow::Error> = None;
    let mut all_signed = false;
    std::thread::scope(|s| {
        let stop = &stop;
        s.spawn(move || {
            ctx.pool.install(|| {
                jobs.par_iter().for_each_with(tx, |tx, job| {
                    if stop.load(Ordering::Relaxed) || ctx.interrupt.requested() {
                        return;
                    }
                    let result = sign_one(job, ctx);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    // The receiver outlives the senders; a send cannot fail.
                    let _ = tx.send(result);
                });
            });
        });
        let mut written: Vec<Done> = Vec::new();
        let mut last_commit = Instant::now();
        let mut received = 0;
        loop {
            // Everything the threads have finished joins the next commit: when a
            // commit (a file-system flush) took long, the next one is larger.
            let mut next = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(result) => Some(result),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            while let Some(result) = next {
                match result {
                    Ok(done) => {
                        match done.kind {
                            JobKind::New => counts.issued += 1,
                            JobKind::Resume => {
                                counts.resumed += 1;
                                if done.adopted {
                                    counts.adopted += 1;
                                }
                            }
                            JobKind::Restore => counts.restored += 1,
                        }
                        written.push(done);
                        received += 1;
                        progress.inc();
                        let done = counts.issued + counts.resumed + counts.restored;
                        if crate::test_hook::reached(done) {
                            // On disk and in the ledger before the pause, as a
                            // crash after this commit would leave them.
                            match commit(ledger.as_deref_mut(), out_dir, &mut written) {
                                Ok(()) => crate::test_hook::pause(done),
                                Err(e) => {
                                    failure.get_or_insert(e);
                                }
                            }
                        }
                    }
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
                next = rx.try_recv().ok();
            }
            progress.tick();
            if failure.is_none()
                && (written.len() >= COMMIT_ROWS || last_commit.elapsed() >= COMMIT_EVERY)
            {
                if let Err(e) = commit(ledger.as_deref_mut(), out_dir, &mut written) {
                    failure = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
                last_commit = Instant::now();
            }
        }
        // Whatever was written is recorded, even when the batch fails or is
        // interrupted: no temporary file is left, and its rows are issued.
        if let Err(e) = commit(ledger, out_dir, &mut written) {
            failure.get_or_insert(e);
        }
        all_signed = received == jobs.len();
    });
    progress.finish();
    match failure {
        Some(e) => Err(e.context(
            "the batch stopped; run the same command again to finish it (the ledger keeps what was done)",
        )),
        // Rows not signed stay pending in the ledger (or have no file): the rerun
        // signs them.
        None if !all_signed && ctx.interrupt.requested() => {
            let done = counts.already_issued + counts.issued + counts.resumed + counts.restored;
            Err(ctx.interrupt.stopped(done, counts.already_issued + total, true))
        }
        None => Ok(()),
    }
}

/// Makes a group of written credentials durable, gives them their names, and
/// marks them issued, in this order:
///
/// 1. one `syncfs` of the output directory's file system
///    ([`files::sync_file_system`]): every temporary file's content is on disk
///    (where there is no `syncfs`, each file was flushed when written);
/// 2. each temporary file is renamed to its name: a name only ever points to a
///    complete file, since `rename` replaces the entry in one step;
/// 3. the directory is flushed: the new names are on disk;
/// 4. the ledger marks the rows `issued`, with each file's SHA-256, in one
///    transaction.
///
/// So a crash leaves, for each row, either no file under its name (a temporary
/// file at most, which the rerun removes) or a complete one whose content was on
/// disk before the name existed — never an empty or torn file under a final name,
/// which a per-file rename without a flush first could leave after a power cut.
/// A row is never marked `issued` before its file and name are durable; a row
/// still `pending` is resumed by the rerun, which adopts a file already in place
/// when it is byte for byte what signing gives again. One flush per group
/// replaces an `fsync` per file (one journal commit and disk-cache flush per
/// file), which dominated the time of a batch.
///
/// `written` is emptied; on an error the temporary files not yet renamed are
/// removed, and their rows stay `pending`.
fn commit(
    ledger: Option<&mut Ledger>,
    out_dir: &Path,
    written: &mut Vec<Done>,
) -> anyhow::Result<()> {
    if written.is_empty() {
        return Ok(());
    }
    let result = (|| {
        // Also for a group of adopted files only: whatever is under a name is
        // on disk before its row is marked.
        files::sync_file_system(out_dir)?;
        for done in written.iter_mut() {
            let Some(temp) = done.temp.take() else {
                continue;
            };
            // A resumed row replaces whatever is under its name (the rerun found it
            // different from what signing gives); a new or restored one never
            // replaces a file that appeared since the batch was planned.
            let renamed = if done.kind == JobKind::Resume {
                temp.persist(&done.out)
            } else {
                temp.persist_noclobber(&done.out)
            };
            renamed.map_err(|e| rename_failed(e.error, &done.out))?;
        }
        sync_dir(out_dir)?;
        if let Some(ledger) = ledger {
            let issued: Vec<(u64, String)> = written
                .iter()
                .filter_map(|d| Some((d.status_index?, d.sha256.clone())))
                .collect();
            ledger.mark_issued(&issued)?;
        }
        Ok(())
    })();
    written.clear();
    result
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync the directory {}", dir.display()))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Builds, signs and writes one credential.
fn sign_one(job: &Job, ctx: &Context<'_>) -> anyhow::Result<Done> {
    let p = &job.prepared;
    let (credential_id, text) = signed_credential(job, ctx, Layout::Pretty)?;
    let sha256 = hex(&Sha256::digest(&text));
    let out_dir = p.out.parent().unwrap_or_else(|| Path::new("."));
    let mut adopted = false;
    let mut temp = None;
    match job.kind {
        JobKind::New => temp = Some(files::write_temp(out_dir, &text, 0o644)?),
        JobKind::Resume => {
            // The interrupted run may have written this very file already.
            let same = std::fs::read(&p.out)
                .map(|b| hex(&Sha256::digest(&b)) == sha256)
                .unwrap_or(false);
            if same {
                adopted = true;
            } else {
                temp = Some(files::write_temp(out_dir, &text, 0o644)?);
            }
        }
        JobKind::Restore => {
            check_restored(job, &sha256, &credential_id)?;
            temp = Some(files::write_temp(out_dir, &text, 0o644)?);
        }
    }
    Ok(Done {
        status_index: job.record.as_ref().map(|r| r.status_index),
        sha256,
        kind: job.kind,
        adopted,
        temp,
        out: p.out.clone(),
    })
}

/// A restored credential must come out as the ledger recorded it.
fn check_restored(job: &Job, sha256: &str, credential_id: &str) -> anyhow::Result<()> {
    let expected = job.record.as_ref().and_then(|r| r.file_sha256.as_deref());
    if expected != Some(sha256) {
        bail!(
            "{}: cannot restore credential {credential_id}: signing again does not give what the ledger recorded (was the key changed?)",
            job.prepared.key
        );
    }
    Ok(())
}

/// How a signed credential is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Its own file: pretty-printed JSON and a final newline.
    Pretty,
    /// A line of a JSON Lines file: compact JSON, no newline.
    Line,
}

/// Builds and signs one credential: its id and its text.
fn signed_credential(
    job: &Job,
    ctx: &Context<'_>,
    layout: Layout,
) -> anyhow::Result<(String, Vec<u8>)> {
    let mut text = Vec::new();
    let id = signed_credential_into(job, ctx, layout, &mut text)?;
    Ok((id, text))
}

/// [`signed_credential`], appending the text to `out` (a buffer a batch reuses
/// for many credentials); returns the credential's id.
fn signed_credential_into(
    job: &Job,
    ctx: &Context<'_>,
    layout: Layout,
    out: &mut Vec<u8>,
) -> anyhow::Result<String> {
    let p = &job.prepared;
    let start = out.len();
    let id = signed_credential_unchecked(job, ctx, layout, out)?;
    // Never write what a verifier will not read (its per-document limit).
    let max = microcred_core::json::Limits::DEFAULT.max_bytes;
    let len = out.len() - start;
    if len > max {
        out.truncate(start);
        anyhow::bail!(
            "line {}: the signed credential would be {len} bytes, more than the {max}-byte \
             limit verifiers read; shorten the learner's values or the template",
            p.row.line
        );
    }
    Ok(id)
}

fn signed_credential_unchecked(
    job: &Job,
    ctx: &Context<'_>,
    layout: Layout,
    out: &mut Vec<u8>,
) -> anyhow::Result<String> {
    let p = &job.prepared;
    let cannot_fill = |e: Vec<template::FillError>| {
        anyhow::anyhow!(
            "line {}: cannot fill the template ({} problem(s))",
            p.row.line,
            e.len()
        )
    };
    let (credential_id, issued_at) = match (&job.record, &p.explicit_id) {
        (Some(r), _) => (r.credential_id.clone(), r.issued_at.clone()),
        (None, Some(id)) => (id.clone(), ctx.now.clone()),
        (None, None) => (new_credential_id()?, ctx.now.clone()),
    };
    // The compiled path signs eddsa-jcs-2022 only.
    let compiled = match (ctx.compiled, ctx.suite, ctx.key.secret.as_ed25519()) {
        (Some(compiled), Some(crate::suite::Suite::Jcs), Some(ed25519)) => {
            Some((compiled, ed25519))
        }
        _ => None,
    };
    // The compiled path writes the status from the batch's texts; a `Value` is
    // built only where they cannot serve.
    let fast_status = match (compiled, &ctx.status_texts, &ctx.base_url, &job.record) {
        (Some(_), Some(texts), Some(_), Some(r)) => Some(Status::Index(texts, r.status_index)),
        _ => None,
    };
    let status = match (&ctx.base_url, &job.record) {
        (Some(base), Some(r)) if fast_status.is_none() => {
            Some(status_entries(base, r.status_index)?)
        }
        _ => None,
    };
    let mut options = ProofOptions::new(
        ctx.verification_method.clone(),
        ProofPurpose::AssertionMethod,
    );
    if let Some((compiled, ed25519)) = compiled {
        let slots = ctx
            .template
            .fill_values(&p.row.values)
            .map_err(cannot_fill)?;
        let values = Values {
            slots: &slots,
            id: &credential_id,
            valid_from: &issued_at,
            status: fast_status.or(status.as_ref().map(Status::Value)),
        };
        compiled_text(
            compiled,
            &values,
            ed25519,
            options,
            ctx.proof_text.as_ref(),
            layout,
            out,
        )
        .with_context(|| format!("line {}: cannot sign", p.row.line))?;
        return Ok(credential_id);
    }
    let doc = ctx.template.fill(&p.row.values).map_err(cannot_fill)?;
    let doc = complete(doc, &credential_id, &ctx.controller, &issued_at, status)?;
    if ctx.jwt {
        jwt_text(&doc, ctx, &issued_at, layout, out)
            .with_context(|| format!("line {}: cannot sign", p.row.line))?;
        return Ok(credential_id);
    }
    options.created = Some(issued_at);
    let text = signed_text(&doc, &ctx.key.secret, &options, ctx.suite, layout)
        .with_context(|| format!("line {}: cannot sign", p.row.line))?;
    out.extend_from_slice(&text);
    Ok(credential_id)
}

thread_local! {
    /// Each signing thread's buffer for canonical forms (hashed, then dropped):
    /// one allocation per thread instead of one per credential.
    static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`signed_text`] from a compiled template, appended to `out`: the canonical
/// form is written from the template's runs and hashed, the proof made from that
/// hash, and the text written from the runs with the proof spliced in as
/// `add_proof_bytes` does. With `proof_text` (made for this `validFrom`, which is
/// the proof's `created`) the proof is its signature spliced into texts made once.
fn compiled_text(
    compiled: &Compiled,
    values: &Values<'_>,
    key: &microcred_core::keys::SecretKey,
    mut options: ProofOptions,
    proof_text: Option<&compiled::ProofText>,
    layout: Layout,
    out: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let document_sha256 =
        CANONICAL.with_borrow_mut(|scratch| compiled.document_sha256(values, scratch));
    let pretty = layout == Layout::Pretty;
    out.reserve(compiled.text_len_hint(pretty));
    if let Some(proof_text) = proof_text.filter(|t| t.fits(values.valid_from)) {
        compiled.write_text(values, pretty, out);
        proof_text.splice(out, document_sha256, key, pretty);
        return Ok(());
    }
    options.created = Some(values.valid_from.to_owned());
    let proof = proof::jcs_proof_for_hash(compiled.context(), document_sha256, key, &options)
        .context("eddsa-jcs-2022")?;
    compiled.write_text(values, pretty, out);
    // `splice_proof` works on the end of the buffer: this credential's text.
    compiled::splice_proof(out, &proof, pretty);
    Ok(())
}

/// The signed credential's text: for its own file pretty-printed JSON and a
/// final newline; for a line of a bundle compact JSON (which has no line break:
/// one in a string is written `\n`), no newline.
///
/// eddsa-jcs-2022 alone signs the pretty-printed bytes directly
/// (`proof::add_proof_bytes`: the canonical form is hashed from a borrowed
/// tree, the proof spliced in before the closing brace), which gives byte for
/// byte the file the `Value` path gives — what a rerun compares to adopt or
/// restore a file, also one written by an earlier version. Other suites take
/// the `Value` path, as do ECDSA keys.
fn signed_text(
    doc: &Value,
    key: &microcred_core::keys::AnySecretKey,
    options: &ProofOptions,
    suite: Option<crate::suite::Suite>,
    layout: Layout,
) -> anyhow::Result<Vec<u8>> {
    let write = |v: &Value| match layout {
        Layout::Pretty => serde_json::to_vec_pretty(v),
        Layout::Line => serde_json::to_vec(v),
    };
    let ed25519_jcs = key
        .as_ed25519()
        .filter(|_| suite == Some(crate::suite::Suite::Jcs));
    let mut text = if let Some(ed25519) = ed25519_jcs {
        // add_proof_bytes keeps the layout: a document without a line break
        // gets its proof spliced in compact.
        proof::add_proof_bytes(&write(doc)?, ed25519, options).context("eddsa-jcs-2022")?
    } else {
        write(&crate::suite::sign(doc, key, options, suite)?)?
    };
    if layout == Layout::Pretty {
        text.push(b'\n');
    }
    Ok(text)
}

/// A credential as a VC-JWT appended to `out`: for its own file the token and a
/// newline, for a line of a bundle the token as a JSON string (each line of a
/// JSON Lines file is a JSON value; `microcred-verify` reads such lines).
/// `iat` is the issue time, so that a rerun signs the same token.
fn jwt_text(
    doc: &Value,
    ctx: &Context<'_>,
    issued_at: &str,
    layout: Layout,
    out: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let at = datetime::parse(issued_at).context("the issue time")?;
    let token = microcred_core::vc_jwt::sign(doc, &ctx.key.secret, &ctx.verification_method, at)?;
    match layout {
        Layout::Pretty => {
            out.extend_from_slice(token.as_bytes());
            out.push(b'\n');
        }
        // base64url and dots: nothing to escape.
        Layout::Line => {
            out.push(b'"');
            out.extend_from_slice(token.as_bytes());
            out.push(b'"');
        }
    }
    Ok(())
}

/// Adds what the template leaves out: `id` (after `@context`), `issuer`
/// (after `type`), `validFrom` (after `issuer`), and the ledger's
/// `credentialStatus` (at the end). An issuer object without an `id` gets
/// `issuer` as its first member, as `issue` fills it (`issuance::prepare`).
fn complete(
    doc: Value,
    id: &str,
    issuer: &str,
    valid_from: &str,
    status: Option<Value>,
) -> anyhow::Result<Value> {
    let Value::Object(mut map) = doc else {
        bail!("the template is not a JSON object");
    };
    if let Some(Value::Object(obj)) = map.get_mut("issuer") {
        if !obj.contains_key("id") {
            let rest = std::mem::take(obj);
            obj.insert("id".into(), issuer.into());
            obj.extend(rest);
        }
    }
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    let mut add = |key: &str, value: Value, after: &str| {
        if entries.iter().any(|(k, _)| k == key) {
            return;
        }
        let at = entries
            .iter()
            .position(|(k, _)| k == after)
            .map_or(entries.len(), |i| i + 1);
        entries.insert(at, (key.to_owned(), value));
    };
    add("id", id.into(), "@context");
    add("issuer", issuer.into(), "type");
    add("validFrom", valid_from.into(), "issuer");
    if let Some(status) = status {
        add("credentialStatus", status, "");
    }
    Ok(Value::Object(entries.into_iter().collect::<Map<_, _>>()))
}

/// Resolves only the batch's own key: enough to recognise, without a ledger,
/// a file an earlier run of the same batch wrote.
struct OwnKey {
    verification_method: String,
    method: ResolvedMethod,
}

impl OwnKey {
    fn new(key: &KeyFile, controller: &str) -> Self {
        Self {
            verification_method: key.verification_method(),
            method: ResolvedMethod {
                controller: controller.to_owned(),
                public_key: key.secret.public_key(),
                relationships: vec!["assertionMethod".into()],
            },
        }
    }

    fn check_file(&self, path: &Path) -> anyhow::Result<()> {
        let foreign = || {
            format!(
                "{} exists and is not a credential signed with this key; issue into an empty --out directory",
                path.display()
            )
        };
        let bytes = files::read_bounded(path, microcred_core::json::Limits::DEFAULT.max_bytes)
            .with_context(foreign)?;
        if !self.signed_bytes(&bytes) {
            bail!(foreign());
        }
        Ok(())
    }

    /// Whether `bytes` are a credential made with this key: JSON whose proofs
    /// are all this key's ([`signed`](Self::signed)), or a VC-JWT (the token,
    /// possibly as a JSON string) whose signature is.
    fn signed_bytes(&self, bytes: &[u8]) -> bool {
        let text = bytes.trim_ascii();
        let token = text
            .strip_prefix(b"\"")
            .and_then(|t| t.strip_suffix(b"\""))
            .unwrap_or(text);
        if token.starts_with(b"eyJ") {
            return self.signed_token(token);
        }
        microcred_core::json::parse(bytes).is_ok_and(|doc| self.signed(&doc))
    }

    /// Whether a compact JWS names this key as `kid` and its signature is this
    /// key's over its first two parts.
    fn signed_token(&self, token: &[u8]) -> bool {
        let Ok(token) = std::str::from_utf8(token) else {
            return false;
        };
        let Some((input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        let header = input
            .split_once('.')
            .and_then(|(h, _)| microcred_core::multibase::decode_base64url(&format!("u{h}")).ok())
            .and_then(|h| microcred_core::json::parse(&h).ok());
        let kid = header
            .as_ref()
            .and_then(|h| h.get("kid"))
            .and_then(Value::as_str);
        kid == Some(self.verification_method.as_str())
            && microcred_core::multibase::decode_base64url(&format!("u{signature}"))
                .is_ok_and(|sig| self.method.public_key.verify(input.as_bytes(), &sig))
    }

    /// Whether `doc` has proofs, all valid and made with this key.
    fn signed(&self, doc: &Value) -> bool {
        let outcomes = proof::verify_proofs(doc, self);
        !outcomes.is_empty() && outcomes.iter().all(|o| o.result.is_ok())
    }
}

impl KeyResolver for OwnKey {
    fn resolve(&self, verification_method: &str) -> Result<ResolvedMethod, ResolveError> {
        if verification_method == self.verification_method {
            Ok(self.method.clone())
        } else {
            Err(ResolveError::NotFound)
        }
    }
}

fn remove_stale_temp_files(dir: &Path) -> anyhow::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(files::TEMP_PREFIX))
            && entry.file_type().is_ok_and(|t| t.is_file());
        if stale {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The `--json` summary: what was done, and every row's problem.
fn summary(args: &Request, counts: &Counts, errors: &[RowError], completed: bool) -> Value {
    json!({
        "completed": completed,
        "rows": counts.rows,
        "issued": counts.issued,
        "resumed": counts.resumed,
        "adopted": counts.adopted,
        "restored": counts.restored,
        "already_issued": counts.already_issued,
        "skipped": counts.skipped,
        "errors": errors.iter().map(|e| json!({
            "row": e.row,
            "line": e.line,
            "column": e.column,
            "problem": e.problem,
        })).collect::<Vec<_>>(),
        "out": args.out.as_ref().or(args.out_jsonl.as_ref()).map(|p| p.display().to_string()),
        "ledger": args.ledger.as_ref().map(|l| l.display().to_string()),
    })
}

/// How far signing has got, for the caller to show (`microcred-sign` draws a bar on
/// a terminal, or prints a line every few seconds).
pub trait Progress {
    /// Signing starts, with `total` credentials to sign and write.
    fn start(&mut self, total: u64);
    /// `done` of `total` credentials are signed and written.
    fn advance(&mut self, done: u64, total: u64);
    /// Signing goes on: called after each group of credentials received, and at
    /// least every 200 ms while none is.
    fn tick(&mut self) {}
    /// Signing is over: finished, failed or interrupted.
    fn finish(&mut self);
    /// A line for the user, without the program's name: a warning (`warning: …`),
    /// a row's problem, what the batch resumed or cleaned up, the closing count
    /// (`batch complete: …`). `microcred-sign` prints each on stderr.
    fn note(&mut self, line: &str);
    /// With [`Request::json`]: the summary, once, at the end (also when the
    /// batch stops on bad rows). `microcred-sign` prints it on stdout.
    ///
    /// # Errors
    /// When the summary cannot be delivered: the batch fails with that error.
    fn summary(&mut self, summary: &Value) -> std::io::Result<()>;
}

/// Nothing shown, nothing said.
impl Progress for () {
    fn start(&mut self, _total: u64) {}
    fn advance(&mut self, _done: u64, _total: u64) {}
    fn finish(&mut self) {}
    fn note(&mut self, _line: &str) {}
    fn summary(&mut self, _summary: &Value) -> std::io::Result<()> {
        Ok(())
    }
}

/// One signing phase's count, reported to the caller's [`Progress`].
struct Meter<'a> {
    sink: &'a mut dyn Progress,
    done: u64,
    total: u64,
}

impl<'a> Meter<'a> {
    fn new(sink: &'a mut dyn Progress, total: u64) -> Self {
        sink.start(total);
        Self {
            sink,
            done: 0,
            total,
        }
    }

    fn inc(&mut self) {
        self.done += 1;
        self.sink.advance(self.done, self.total);
    }

    fn tick(&mut self) {
        self.sink.tick();
    }

    fn finish(&mut self) {
        self.sink.finish();
    }
}

/// The error of renaming a finished temporary file to `out` (per-file and
/// one-file modes alike): a name that appeared meanwhile is named as such.
fn rename_failed(error: std::io::Error, out: &Path) -> anyhow::Error {
    let exists = error.kind() == std::io::ErrorKind::AlreadyExists;
    let err = anyhow::Error::new(error);
    if exists {
        err.context(format!(
            "{} appeared while the batch was running; it was not overwritten",
            out.display()
        ))
    } else {
        err.context(format!("cannot write {}", out.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("s1234"), "s1234");
        assert_eq!(file_stem("../etc/passwd"), "_._etc_passwd");
        assert_eq!(file_stem("did:key:z6Mk"), "did_key_z6Mk");
        assert_eq!(file_stem("José"), "Jos_");
        assert_eq!(file_stem(&"x".repeat(300)).len(), 120);
    }

    #[test]
    fn jcs_files_from_bytes_are_those_of_the_value_path() {
        // A rerun adopts or restores a file only when signing again gives the same
        // bytes, also for files that the `Value` path wrote (earlier versions).
        let key = KeyFile::for_did_key(microcred_core::keys::SecretKey::generate());
        let mut options =
            ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
        options.created = Some("2025-03-01T00:00:00Z".into());
        let base: Value = serde_json::from_slice(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../keys-example/micro-credential.unsigned.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let status = status_entries("https://uni.example/status", 7).unwrap();
        let docs = [
            complete(
                base,
                "urn:uuid:1",
                &key.controller(),
                "2025-03-01T00:00:00Z",
                Some(status),
            )
            .unwrap(),
            json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                   "name": "Ünïcødé \"quoted\"\n\u{2028} and </script>", "empty": {}, "list": [],
                   "n": [1, -0.5, 1e21, 9007199254740991i64], "credentialSubject": {"id": "did:example:1"}}),
        ];
        for doc in docs {
            let signed =
                crate::suite::sign(&doc, &key.secret, &options, Some(crate::suite::Suite::Jcs))
                    .unwrap();
            let fast = signed_text(
                &doc,
                &key.secret,
                &options,
                Some(crate::suite::Suite::Jcs),
                Layout::Pretty,
            )
            .unwrap();
            let mut slow = serde_json::to_string_pretty(&signed).unwrap();
            slow.push('\n');
            assert_eq!(String::from_utf8(fast).unwrap(), slow);
            // A bundle's line: compact, one line, no final newline.
            let line = signed_text(
                &doc,
                &key.secret,
                &options,
                Some(crate::suite::Suite::Jcs),
                Layout::Line,
            )
            .unwrap();
            assert!(!line.contains(&b'\n'));
            assert_eq!(String::from_utf8(line).unwrap(), signed.to_string());
        }
    }

    #[test]
    fn compiled_templates_write_the_bytes_of_the_value_path() {
        let key = KeyFile::for_did_key(microcred_core::keys::SecretKey::generate());
        let issuer = key.controller();
        let options = ProofOptions::new(key.verification_method(), ProofPurpose::AssertionMethod);
        let mut example: Value = serde_json::from_slice(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../keys-example/micro-credential.unsigned.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let map = example.as_object_mut().unwrap();
        map.remove("id");
        map.remove("validFrom");
        map.remove("issuer");
        example["credentialSubject"]["id"] = "{{did}}".into();
        example["name"] = "Micro-credential of {{ name }} ({{ects}} ECTS)".into();
        example["credentialSubject"]["credits"] = "{{ects}}".into();
        let explicit = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "{{id}}",
            "type": ["VerifiableCredential"], "validFrom": "{{start}}", "issuer": {"id": "did:web:u.example", "name": "U"},
            "credentialSubject": {"id": "{{did}}", "list": ["{{name}}", 1e21, -0.5, {"x": "{{passed}}"}], "empty": {}}});
        let rows = [
            json!({"did": "did:example:1", "name": "Ada", "ects": 5, "id": "urn:x:1", "start": "2025-01-01T00:00:00Z", "passed": true}),
            json!({"did": "did:example:2", "name": "Ünïcødé \"q\"\n\u{2028} </script> \\ \u{1}", "ects": 2.5,
                   "id": "urn:x:2", "start": "2025-01-01T00:00:00+01:00", "passed": false}),
        ];
        for (template, with_status) in [(&example, true), (&example, false), (&explicit, true)] {
            let template = Template::parse(template.clone()).unwrap();
            let compiled = Compiled::new(&template, &issuer, with_status, complete).unwrap();
            for (i, row) in rows.iter().enumerate() {
                let row = row.as_object().unwrap();
                // A base whose characters JSON and RFC 8785 escape or keep alike.
                let base = if i == 0 {
                    "https://u.example/s"
                } else {
                    "https://u.example/\u{e9}\"\\/s"
                };
                let index = [7, 1_234_567_890_123][i];
                let status = with_status.then(|| status_entries(base, index).unwrap());
                let texts = StatusTexts::new(base).unwrap();
                let valid_from = "2025-03-01T00:00:00Z";
                let filled = template.fill(row).unwrap();
                let slots = template.fill_values(row).unwrap();
                let mut content = Vec::new();
                compiled.write_content(&slots, &mut content);
                assert_eq!(content, jcs::canonicalize(&filled));
                let mut scratch = b"left over".to_vec();
                assert_eq!(
                    compiled.content_sha256(&slots, &mut scratch),
                    <[u8; 32]>::from(Sha256::digest(&content))
                );
                let doc =
                    complete(filled, "urn:uuid:1", &issuer, valid_from, status.clone()).unwrap();
                let mut slow_options = options.clone();
                slow_options.created = Some(valid_from.into());
                let values = Values {
                    slots: &slots,
                    id: "urn:uuid:1",
                    valid_from,
                    status: status.as_ref().map(Status::Value),
                };
                // The status written from the batch's texts, as `signed_credential` does.
                let indexed = Values {
                    status: with_status.then_some(Status::Index(&texts, index)),
                    ..values
                };
                // The signed hash goes on from the first run's SHA-256 state.
                let canonical = jcs::canonicalize(&doc);
                for values in [&values, &indexed] {
                    let mut whole = Vec::new();
                    compiled.write_canonical(values, &mut whole);
                    assert_eq!(whole, canonical);
                    let mut scratch = b"left over".to_vec();
                    assert_eq!(
                        compiled.document_sha256(values, &mut scratch),
                        <[u8; 32]>::from(Sha256::digest(&canonical))
                    );
                }
                for (layout, values) in [Layout::Pretty, Layout::Line]
                    .into_iter()
                    .flat_map(|l| [(l, &values), (l, &indexed)])
                {
                    let slow = signed_text(
                        &doc,
                        &key.secret,
                        &slow_options,
                        Some(crate::suite::Suite::Jcs),
                        layout,
                    )
                    .unwrap();
                    let slow = String::from_utf8(slow).unwrap();
                    // Per credential, and with the proof's texts made once for the
                    // batch; appended after what a reused buffer already holds.
                    let proof_text =
                        compiled::ProofText::new(compiled.context(), &slow_options).unwrap();
                    let other_time = compiled::ProofText::new(
                        compiled.context(),
                        &ProofOptions {
                            created: Some("2024-01-01T00:00:00Z".into()),
                            ..slow_options.clone()
                        },
                    )
                    .unwrap();
                    for proof_text in [None, Some(&proof_text), Some(&other_time)] {
                        let mut fast = b"earlier line\n".to_vec();
                        compiled_text(
                            &compiled,
                            values,
                            key.secret.as_ed25519().unwrap(),
                            options.clone(),
                            proof_text,
                            layout,
                            &mut fast,
                        )
                        .unwrap();
                        let fast = String::from_utf8(fast).unwrap();
                        assert_eq!(fast.strip_prefix("earlier line\n"), Some(slow.as_str()));
                    }
                }
            }
        }
        // A base holding the sentinel index: no texts, the Value path writes the status.
        assert!(StatusTexts::new("https://u.example/918273645546372819").is_none());
        // Templates it cannot compile take the Value path.
        let marker = Template::parse(json!({"name": "\u{E000}0\u{E001}", "x": "{{a}}"})).unwrap();
        assert!(Compiled::new(&marker, &issuer, false, complete).is_none());
        let context = Template::parse(json!({"@context": ["{{ctx}}"], "x": "{{a}}"})).unwrap();
        assert!(Compiled::new(&context, &issuer, false, complete).is_none());
    }

    fn temps_in(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(files::TEMP_PREFIX))
            .collect()
    }

    fn written(dir: &Path, name: &str, content: &[u8], kind: JobKind) -> Done {
        Done {
            status_index: None,
            sha256: hex(&Sha256::digest(content)),
            kind,
            adopted: false,
            temp: Some(files::write_temp(dir, content, 0o644).unwrap()),
            out: dir.join(name),
        }
    }

    #[test]
    fn a_commit_names_only_complete_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut group = vec![
            written(d, "a.json", b"{\"a\":1}\n", JobKind::New),
            written(d, "b.json", b"{\"b\":1}\n", JobKind::Restore),
        ];
        // Before the commit: only temporary files, no final name.
        assert_eq!(temps_in(d).len(), 2);
        assert!(!d.join("a.json").exists());
        commit(None, d, &mut group).unwrap();
        assert!(group.is_empty());
        assert_eq!(std::fs::read(d.join("a.json")).unwrap(), b"{\"a\":1}\n");
        assert_eq!(std::fs::read(d.join("b.json")).unwrap(), b"{\"b\":1}\n");
        assert!(temps_in(d).is_empty());

        // A resumed row replaces what is under its name; a new one never does: the
        // commit stops, and the temporary files not renamed are removed.
        let mut group = vec![
            written(d, "a.json", b"{\"a\":2}\n", JobKind::Resume),
            written(d, "b.json", b"{\"b\":2}\n", JobKind::New),
            written(d, "c.json", b"{\"c\":2}\n", JobKind::New),
        ];
        let err = commit(None, d, &mut group).unwrap_err();
        assert!(
            format!("{err:#}").contains("was not overwritten"),
            "{err:#}"
        );
        assert!(group.is_empty());
        assert_eq!(std::fs::read(d.join("a.json")).unwrap(), b"{\"a\":2}\n");
        assert_eq!(std::fs::read(d.join("b.json")).unwrap(), b"{\"b\":1}\n");
        assert!(!d.join("c.json").exists());
        assert!(temps_in(d).is_empty());
    }

    /// Ctrl-C while signing (the signal's flag, here raised after 3 rows are
    /// taken on one thread): the credentials signed are committed under their
    /// names, no temporary file is left, the rest is not signed, and the error
    /// says how far the batch got and how to resume.
    #[test]
    fn an_interrupted_batch_keeps_what_it_signed_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let key = KeyFile::for_did_key(microcred_core::keys::SecretKey::generate());
        let template = Template::parse(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "{{did}}"},
        }))
        .unwrap();
        let jobs: Vec<Job> = (1..=10u64)
            .map(|n| {
                let mut values = Map::new();
                values.insert("did".into(), format!("did:example:{n}").into());
                let out = d.join(format!("row-{n:06}.json"));
                Job {
                    prepared: Prepared {
                        row: Row {
                            number: n,
                            line: n + 1,
                            values,
                        },
                        key: out.display().to_string(),
                        out,
                        learner_id: None,
                        content_sha256: String::new(),
                        explicit_id: None,
                    },
                    kind: JobKind::New,
                    record: None,
                }
            })
            .collect();
        let interrupt = crate::interrupt::Interrupt::after(3);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let ctx = Context {
            template: &template,
            compiled: None,
            key: &key,
            controller: key.controller(),
            verification_method: key.verification_method(),
            base_url: None,
            status_texts: None,
            now: "2026-01-01T00:00:00Z".into(),
            suite: Some(crate::suite::Suite::Jcs),
            proof_text: None,
            jwt: false,
            interrupt: &interrupt,
            pool: &pool,
            source_file: "learners.csv",
        };
        let mut counts = Counts {
            already_issued: 2,
            ..Counts::default()
        };
        let err = sign_all(&jobs, &ctx, None, d, &mut counts, &mut ()).unwrap_err();
        let stopped = err.downcast_ref::<crate::interrupt::Interrupted>().unwrap();
        assert_eq!(stopped.code, 130);
        assert_eq!(
            err.to_string(),
            "interrupted after 5 of 12 credentials; run the same command again to resume"
        );
        assert_eq!(counts.issued, 3);
        let names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(temps_in(d).is_empty());
        for name in names {
            let doc = files::read_json(&d.join(name)).unwrap();
            assert!(OwnKey::new(&key, &key.controller()).signed(&doc));
        }
    }

    #[test]
    fn defaults_are_added_in_place_and_never_override() {
        let doc = json!({"@context": ["c"], "type": ["VerifiableCredential"], "name": "n"});
        let out = complete(
            doc,
            "urn:uuid:1",
            "did:key:z",
            "2025-01-01T00:00:00Z",
            Some(json!([])),
        )
        .unwrap();
        let keys: Vec<_> = out.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "@context",
                "id",
                "type",
                "issuer",
                "validFrom",
                "name",
                "credentialStatus"
            ]
        );
        let doc = json!({"id": "urn:x", "issuer": {"id": "did:web:u"}, "validFrom": "2020-01-01T00:00:00Z"});
        let out = complete(
            doc.clone(),
            "urn:uuid:1",
            "did:key:z",
            "2025-01-01T00:00:00Z",
            None,
        )
        .unwrap();
        assert_eq!(out, doc);
    }

    /// The batch's split of the issuance rules (template once, row values per row:
    /// `Template::rules`, `Template::fill_checked`) refuses exactly the rows whose
    /// credential, completed as signing completes it, `issuance::validate` refuses.
    mod rules_equal_issuance {
        use super::*;
        use microcred_core::issuance;
        use proptest::prelude::*;

        const V2: &str = "https://www.w3.org/ns/credentials/v2";
        const NOW: &str = "2025-06-01T00:00:00Z";
        const CONTROLLER: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

        /// Per position of the template, its variants (the first: absent, where
        /// the member may be absent).
        fn variants() -> Vec<(&'static str, Vec<Value>)> {
            vec![
                (
                    "@context",
                    vec![
                        json!([V2]),
                        json!([V2, "{{ctx}}"]),
                        json!([V2, "https://x.example/{{name}}"]),
                    ],
                ),
                (
                    "id",
                    vec![
                        Value::Null,
                        json!("{{id}}"),
                        json!("urn:x:{{name}}"),
                        json!("urn:x:fixed"),
                    ],
                ),
                (
                    "type",
                    vec![
                        json!(["VerifiableCredential"]),
                        json!(["VerifiableCredential", "{{kind}}"]),
                        json!("{{kind}}"),
                        json!(["{{kind}}", "OpenBadgeCredential"]),
                    ],
                ),
                (
                    "issuer",
                    vec![
                        Value::Null,
                        json!("{{issuer}}"),
                        json!({"id": "{{issuer}}", "name": "{{name}}"}),
                        json!({"id": "did:example:u", "name": "U of {{name}}"}),
                    ],
                ),
                (
                    "validFrom",
                    vec![
                        Value::Null,
                        json!("{{from}}"),
                        json!("2025-01-01T00:00:00Z"),
                        json!("2026-06-01T00:00:00Z"),
                    ],
                ),
                (
                    "validUntil",
                    vec![
                        Value::Null,
                        json!("{{until}}"),
                        json!("2027-01-01T00:00:00Z"),
                        json!("2025-03-01T00:00:00Z"),
                    ],
                ),
                (
                    "credentialSubject",
                    vec![
                        json!({"id": "{{did}}", "name": "{{name}}"}),
                        json!({"name": "{{name}}", "achievement": {"id": "{{ev}}"}}),
                        json!([{"id": "{{did}}"}, {"id": "{{did2}}", "n": "{{name}}"}]),
                        json!({"id": "did:x:{{name}}"}),
                        json!("{{did}}"),
                        json!([{"id": "did:x:1"}, "{{did}}"]),
                    ],
                ),
                (
                    "evidence",
                    vec![
                        Value::Null,
                        json!([{"type": ["Evidence"], "id": "{{ev}}"}]),
                        json!({"type": "{{kind}}"}),
                    ],
                ),
                (
                    "credentialSchema",
                    vec![
                        Value::Null,
                        json!({"id": "{{schema}}", "type": "JsonSchema"}),
                    ],
                ),
                (
                    "relatedResource",
                    vec![
                        Value::Null,
                        json!([{"id": "{{rr}}", "digestSRI": "{{digest}}"}]),
                    ],
                ),
                ("name", vec![Value::Null, json!("Certificate of {{name}}")]),
            ]
        }

        /// Per column, values its rules accept in some position.
        fn good(column: &str) -> Vec<Value> {
            match column {
                "id" => vec![json!("urn:uuid:1"), json!("https://u.example/c/1")],
                "from" => vec![
                    json!("2025-01-01T00:00:00Z"),
                    json!("2024-05-01T10:00:00+02:00"),
                ],
                "until" => vec![json!("2026-01-01T00:00:00Z"), json!("2030-01-01T00:00:00Z")],
                "kind" => vec![json!("Badge"), json!("VerifiableCredential")],
                "ctx" => vec![
                    json!("https://w3id.org/x"),
                    json!("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
                ],
                "rr" => vec![json!("https://other.example/x.json")],
                "digest" => vec![json!("sha384-AAAA")],
                "name" => vec![json!("Ada"), json!(7)],
                _ => vec![json!("did:example:1"), json!("https://u.example/1")],
            }
        }

        /// Values some rule refuses in most positions.
        fn bad() -> Vec<Value> {
            vec![
                json!(""),
                json!("not a uri"),
                json!("yesterday"),
                json!(5),
                json!(true),
                json!(-0.5),
                json!("2025-13-01T00:00:00Z"),
                json!("2019-01-01T00:00:00Z"),
                json!("2025-06-01T00:00:00"),
                json!(V2),
                json!("x"),
                json!("md5-AAAA"),
                json!("VerifiableCredential"),
            ]
        }

        const COLUMNS: [&str; 13] = [
            "ctx", "id", "kind", "issuer", "from", "until", "did", "did2", "ev", "schema", "rr",
            "digest", "name",
        ];

        fn case() -> impl Strategy<Value = (Vec<usize>, Vec<(bool, usize)>)> {
            let positions: Vec<_> = variants().iter().map(|(_, v)| 0..v.len()).collect();
            // A bad value in about one column of six.
            let cells = proptest::collection::vec(
                (proptest::bool::weighted(0.17), 0..64usize),
                COLUMNS.len(),
            );
            (positions, cells)
        }

        fn build(choice: &[usize], cells: &[(bool, usize)]) -> (Value, Map<String, Value>) {
            let mut doc = Map::new();
            for ((member, options), &i) in variants().into_iter().zip(choice) {
                if !options[i].is_null() {
                    doc.insert(member.to_owned(), options[i].clone());
                }
            }
            let row = COLUMNS
                .iter()
                .zip(cells)
                .map(|(c, &(is_bad, i))| {
                    let pool = if is_bad { bad() } else { good(c) };
                    ((*c).to_owned(), pool[i % pool.len()].clone())
                })
                .collect();
            (Value::Object(doc), row)
        }

        /// The batch's verdict: the template's rules, then the row's.
        fn batch_accepts(template: &Template, row: &Map<String, Value>) -> Result<(), String> {
            let rules = template
                .rules(
                    |doc| complete(doc, STAND_IN_ID, CONTROLLER, NOW, None).unwrap_or_default(),
                    None,
                    &mut Vec::new(),
                )
                .map_err(|e| format!("template: {e}"))?;
            template
                .fill_checked(row, &rules, &mut Vec::new())
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }

        /// `issue`'s verdict on the credential as signing completes it (a real
        /// id, the ledger's status entries).
        fn issue_accepts(
            template: &Template,
            row: &Map<String, Value>,
        ) -> Option<Result<(), String>> {
            let doc = template.fill(row).ok()?;
            let status = status_entries("https://u.example/status", 42).unwrap();
            let doc = complete(
                doc,
                "urn:uuid:5f0c7b0e-3c1a-4d2b-9e8f-0a1b2c3d4e5f",
                CONTROLLER,
                NOW,
                Some(status),
            )
            .unwrap();
            Some(issuance::validate(&doc, &mut Vec::new()).map_err(|e| e.to_string()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn batch_refuses_exactly_what_issue_refuses((choice, cells) in case()) {
                let (doc, row) = build(&choice, &cells);
                let template = Template::parse(doc.clone()).unwrap();
                let batch = batch_accepts(&template, &row);
                match issue_accepts(&template, &row) {
                    // A value no placeholder takes (an empty one): batch's own refusal.
                    None => prop_assert!(batch.is_err(), "{doc} {row:?}"),
                    Some(issue) => prop_assert_eq!(batch.is_ok(), issue.is_ok(),
                        "template {} row {:?}: batch {:?}, issue {:?}", doc, row, batch, issue),
                }
            }
        }

        /// The generated cases are varied: both verdicts, at the template and at
        /// the row, in numbers (a deterministic sample of the same space).
        #[test]
        fn the_cases_reach_both_verdicts() {
            let mut state = 0x2545_f491_4f6c_dd1d_u64;
            let mut next = |n: usize| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                usize::try_from(state % n as u64).unwrap()
            };
            let (mut accepted, mut by_template, mut by_row) = (0, 0, 0);
            for _ in 0..2000 {
                let choice: Vec<usize> = variants().iter().map(|(_, v)| next(v.len())).collect();
                let cells: Vec<(bool, usize)> =
                    COLUMNS.iter().map(|_| (next(6) == 0, next(64))).collect();
                let (doc, row) = build(&choice, &cells);
                let template = Template::parse(doc).unwrap();
                let issue = issue_accepts(&template, &row);
                match batch_accepts(&template, &row) {
                    Ok(()) => accepted += 1,
                    Err(e) if e.starts_with("template: ") => by_template += 1,
                    Err(_) => by_row += 1,
                }
                assert_eq!(
                    issue.is_some_and(|r| r.is_ok()),
                    batch_accepts(&template, &row).is_ok()
                );
            }
            assert!(
                accepted > 100 && by_template > 100 && by_row > 100,
                "{accepted} {by_template} {by_row}"
            );
        }
    }
}
