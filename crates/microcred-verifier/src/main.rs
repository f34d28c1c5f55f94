//! `microcred-verify`: verify credential and presentation files offline.
//!
//! Exit status: 0 when no file is invalid (valid, or genuine but unconfirmed
//! unless `--require-trust`), 1 when any is invalid (or the qualification asked
//! for is not met), 2 when an input cannot be read or parsed or the arguments
//! are wrong. Reports go to stdout, diagnostics to stderr. The report's JSON
//! form is documented in `docs/verify-report.md`.

#![forbid(unsafe_code)]

mod output;

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use microcred_core::{datetime, json};
use microcred_verifier::bulk::{self, BulkOptions};
use microcred_verifier::profile::Profile;
use microcred_verifier::{Options, Qualification, Report, StatusLists, TrustList, Verifier};

/// Largest file read (credentials, presentations, lists, trust and qualification files):
/// the strict JSON parser's own limit, checked before a file is read whole.
const MAX_FILE_BYTES: usize = json::Limits::DEFAULT.max_bytes;

/// Most line buffers kept for reuse (a chunk's worth: memory stays bounded).
const SPARE_BUFFERS: usize = 256;

/// Verify micro-credentials and presentations offline: signature, issuer and
/// its trust, validity, revocation, framework profiles, and whether several
/// credentials add up to a qualification.
#[derive(Debug, Parser)]
#[command(name = "microcred-verify", version, about, long_about = None)]
struct Cli {
    /// Print one JSON report per file (JSON Lines; schema in docs/verify-report.md).
    #[arg(long, conflicts_with = "html")]
    json: bool,
    /// Print one self-contained HTML page with a readable transcript of each file
    /// (what it says, every check as a tick or a cross), e.g. `> transcript.html`.
    #[arg(long)]
    html: bool,
    /// Trust list of issuers (JSON; format in docs/trust-list.md). Default: the
    /// configuration directory's trust-list.json, if there is one; without any, issuer
    /// trust is "not checked" and the verdict at best "genuine but unconfirmed".
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// A signed BitstringStatusListCredential to read revocation/suspension bits from
    /// (repeatable). Default: the *.json files of the configuration directory's
    /// status-lists/; without any, status is "not checked".
    #[arg(long = "status-list", value_name = "FILE")]
    status_lists: Vec<PathBuf>,
    /// Exit 1 for a credential whose issuer is not confirmed by a trust list; it is an
    /// error (exit 2) to give no trust list (neither --trust nor the configuration's).
    #[arg(long)]
    require_trust: bool,
    /// List every passed profile rule on its own line (by default they are counted
    /// on one line per profile; failed and warned rules are always listed).
    #[arg(short, long)]
    verbose: bool,
    /// Ignore the configuration directory ($XDG_CONFIG_HOME/microcred, else
    /// ~/.config/microcred): only the files given on the command line are used.
    #[arg(long)]
    no_config: bool,
    /// Check every credential against a framework profile (repeatable): a built-in
    /// name (see --list-profiles), `claimed` (the built-in profiles each credential
    /// claims), or the path of a profile file of your own.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Vec<String>,
    /// List the built-in profiles and exit.
    #[arg(long, exclusive = true)]
    list_profiles: bool,
    /// Verify as of this time (RFC 3339, e.g. 2026-01-31T12:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The challenge (nonce) a presentation's proof must carry.
    #[arg(long, value_name = "C")]
    challenge: Option<String>,
    /// The domain a presentation's proof must carry.
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// A qualification (JSON; format in docs/qualifications.md) the valid credentials
    /// of all FILEs should add up to.
    #[arg(long, value_name = "FILE")]
    qualification: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Check each signature on its own with `verify_strict` instead of in batches
    /// (slower; the verdicts are the same, see docs/performance.md).
    #[arg(long)]
    no_batch: bool,
    /// Credential or presentation files to verify; a directory stands for the
    /// `*.json` files in it (not recursive), in name order.
    #[arg(required_unless_present = "list_profiles", value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list_profiles {
        return list_profiles();
    }
    let setup = build(&cli).and_then(|v| Ok((v, expand(&cli.files)?)));
    let (verifier, files) = match setup {
        Ok(s) => s,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
            return ExitCode::from(2);
        }
    };
    let options = BulkOptions {
        threads: cli.jobs.map(usize::from),
        batch: !cli.no_batch,
        max_file_bytes: MAX_FILE_BYTES,
        ..BulkOptions::default()
    };
    if cli.html {
        return html_out(&verifier, files, &options, cli.require_trust);
    }

    let mut status = 0u8;
    let terminal = std::io::stdout().is_terminal();
    let mut style = output::Style::detect(terminal);
    style.verbose = cli.verbose;
    // Block-buffered: stdout's own line buffering costs a write(2) per line. On a
    // terminal each report is still shown as soon as it is ready (flushed below).
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut written = Ok(());
    // Reports are written as they come (in input order) and dropped, so that
    // memory stays bounded over a directory of any size; only a qualification,
    // which weighs all of them together, keeps them.
    let keep = verifier.options().qualification.is_some();
    let mut kept: Vec<(String, Report)> = Vec::new();
    // Written lines' buffers go back to the workers: a fresh 2-4 KB buffer per
    // line, allocated on a worker and freed on this thread, cost glibc's
    // allocator more than rendering the line. At most SPARE_BUFFERS wait here.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    // One file's lines, human or JSON (into a Vec, which cannot fail to take them).
    let line = |file: &str, result: Result<&Report, &str>| {
        // Room for a typical report, so that the line is not copied as it grows.
        let checks = result.map_or(0, |r| r.checks.len() + r.credentials.len() * 8);
        let mut text = spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        text.reserve(512 + file.len() + 256 * checks);
        let _ = if cli.json {
            output::json_line(&mut text, file, result)
        } else {
            output::human(&mut text, file, result, style)
        };
        text
    };
    // Each report is rendered on the worker that verified it; this thread only
    // writes the text, so that it does not hold back the workers.
    let render = |path: &Path, _: &[u8], report: Report| {
        let file = path.display().to_string();
        let text = line(&file, Ok(&report));
        (
            fails(&report, cli.require_trust),
            text,
            keep.then_some((file, report)),
        )
    };
    let run = bulk::verify_reports_with(&verifier, files, &options, render, |path, result| {
        let text = match result {
            Ok((failed, text, report)) => {
                if failed && status == 0 {
                    status = 1;
                }
                kept.extend(report);
                text
            }
            Err(e) => {
                let msg = e.to_string();
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                status = 2;
                line(&path.display().to_string(), Err(&msg))
            }
        };
        if written.is_ok() {
            written = out.write_all(&text);
            if terminal && written.is_ok() {
                written = out.flush();
            }
        }
        if let Ok(mut s) = spare.lock() {
            if s.len() < SPARE_BUFFERS {
                let mut text = text;
                text.clear();
                s.push(text);
            }
        }
    });
    if let Err(e) = run {
        let _ = writeln!(std::io::stderr(), "microcred-verify: error: {e}");
        return ExitCode::from(2);
    }
    let refs: Vec<(&str, &Report)> = kept.iter().map(|(l, r)| (l.as_str(), r)).collect();
    if let Some(q) = verifier.assess_qualification(&refs) {
        if !q.met && status == 0 {
            status = 1;
        }
        if written.is_ok() {
            written = if cli.json {
                output::qualification_json(&mut out, &q)
            } else {
                output::qualification_human(&mut out, &q, style)
            };
        }
    }
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    let _ = written.and_then(|()| out.flush());
    ExitCode::from(status)
}

/// Whether a report makes the exit status 1: it is invalid, or (with
/// `--require-trust`) its issuer was not confirmed by a trust list.
fn fails(report: &Report, require_trust: bool) -> bool {
    !report.valid || require_trust && report.reasons.iter().any(|r| r.code == "trust-not-checked")
}

/// The configuration directory: `$XDG_CONFIG_HOME/microcred`, else
/// `$HOME/.config/microcred` (the XDG base directory rules: a relative
/// `XDG_CONFIG_HOME` is ignored).
fn config_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".config"))
    })?;
    Some(base.join("microcred"))
}

/// The files to verify: each argument as given, a directory replaced by its
/// `*.json` files in name order.
fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::with_capacity(args.len());
    for arg in args {
        if arg.is_dir() {
            let found = bulk::json_files_in(arg)
                .map_err(|e| format!("cannot read the directory {}: {e}", arg.display()))?;
            if found.is_empty() {
                return Err(format!(
                    "{}: the directory has no *.json files",
                    arg.display()
                ));
            }
            files.extend(found);
        } else {
            files.push(arg.clone());
        }
    }
    Ok(files)
}

/// Reads every option file; any problem is a usage error (exit 2).
fn build(cli: &Cli) -> Result<Verifier, String> {
    let mut options = Options::default();
    // One instant for every file, so that a batch is judged consistently.
    options.at = Some(match &cli.at {
        Some(s) => datetime::parse(s).map_err(|e| format!("--at: {e}"))?,
        None => datetime::now(),
    });
    // An employer's standing choices: used when the command line gives none.
    let config = if cli.no_config { None } else { config_dir() };
    let trust_path = cli.trust.clone().or_else(|| {
        let p = config.as_ref()?.join("trust-list.json");
        p.exists().then_some(p)
    });
    if let Some(path) = &trust_path {
        let bytes = read_bounded(path)?;
        options.trust =
            Some(TrustList::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?);
    } else if cli.require_trust {
        return Err(match &config {
            Some(dir) => format!(
                "--require-trust: no trust list: give one with --trust, or put it in {}",
                dir.join("trust-list.json").display()
            ),
            None => "--require-trust: no trust list: give one with --trust".into(),
        });
    }
    let mut list_paths = cli.status_lists.clone();
    if list_paths.is_empty() {
        if let Some(dir) = config.map(|c| c.join("status-lists")) {
            if dir.is_dir() {
                list_paths = bulk::json_files_in(&dir)
                    .map_err(|e| format!("cannot read the directory {}: {e}", dir.display()))?;
            }
        }
    }
    let mut lists = StatusLists::new();
    for path in &list_paths {
        let bytes = read_bounded(path)?;
        let doc = json::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        lists
            .add(doc)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    options.status_lists = lists;
    for name in &cli.profile {
        if name == "claimed" {
            options.claimed_profiles = true;
        } else if let Some(p) = Profile::builtin(name) {
            options.profiles.push(p);
        } else if Path::new(name).exists() {
            let bytes = read_bounded(Path::new(name))?;
            options
                .profiles
                .push(Profile::from_json(&bytes).map_err(|e| format!("{name}: {e}"))?);
        } else {
            return Err(format!(
                "--profile {name}: no built-in profile of that name ({}, or claimed) and no such file",
                Profile::builtin_names().join(", ")
            ));
        }
    }
    options.challenge.clone_from(&cli.challenge);
    options.domain.clone_from(&cli.domain);
    if let Some(path) = &cli.qualification {
        let bytes = read_bounded(path)?;
        let q = Qualification::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if q.needs_trust_list() && options.trust.is_none() {
            return Err(format!(
                "{}: acceptedIssuers is \"any-trusted\": give the trust list with --trust",
                path.display()
            ));
        }
        options.qualification = Some(q);
    }
    Ok(Verifier::with_options(options))
}

/// `--html`: one page for every file that could be read. Each document is parsed
/// from the bytes its report was made from, so the page shows exactly what was
/// verified (a file changed in between cannot put other text beside the ticks).
fn html_out(
    verifier: &Verifier,
    files: Vec<PathBuf>,
    options: &BulkOptions,
    require_trust: bool,
) -> ExitCode {
    let mut status = 0u8;
    let mut docs = Vec::new();
    let parse = |path: &Path, bytes: &[u8], report: Report| {
        json::parse(bytes)
            .map(|doc| (doc, report))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let run = bulk::verify_reports_with(verifier, files, options, parse, |path, result| {
        let doc = result.map_err(|e| e.to_string()).and_then(|parsed| parsed);
        match doc {
            Ok((doc, report)) => {
                if fails(&report, require_trust) && status == 0 {
                    status = 1;
                }
                docs.push((path.display().to_string(), doc, report));
            }
            Err(msg) => {
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                status = 2;
            }
        }
    });
    if let Err(e) = run {
        let _ = writeln!(std::io::stderr(), "microcred-verify: error: {e}");
        return ExitCode::from(2);
    }
    let entries: Vec<(&str, &microcred_core::Value, &Report)> =
        docs.iter().map(|(f, d, r)| (f.as_str(), d, r)).collect();
    // The same qualification verdict and exit status as the terminal and --json.
    let refs: Vec<(&str, &Report)> = entries.iter().map(|(f, _, r)| (*f, *r)).collect();
    let q = verifier.assess_qualification(&refs);
    if q.as_ref().is_some_and(|q| !q.met) && status == 0 {
        status = 1;
    }
    let page = microcred_verifier::html::page_with(&entries, q.as_ref());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(page.as_bytes()).and_then(|()| out.flush());
    ExitCode::from(status)
}

fn list_profiles() -> ExitCode {
    let mut out = std::io::stdout().lock();
    for name in Profile::builtin_names() {
        let title = Profile::builtin(name).map(|p| p.title).unwrap_or_default();
        if writeln!(out, "{name}\t{title}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Reads a file of at most [`MAX_FILE_BYTES`], refusing larger ones before reading them.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let err = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(err)?;
    let meta = file.metadata().map_err(err)?;
    if meta.is_dir() {
        return Err(format!("cannot read {}: it is a directory", path.display()));
    }
    let too_large = |size: String| {
        format!(
            "{}: file is {size} bytes, larger than the limit of {MAX_FILE_BYTES} bytes",
            path.display()
        )
    };
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    if meta.len() > limit {
        return Err(too_large(meta.len().to_string()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between metadata and read (or be a pipe): bound the read too.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(err)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(bytes)
}
