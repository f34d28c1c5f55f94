//! `microcred-verify`: verify credential and presentation files offline.
//!
//! Exit status: 0 when no file is invalid (valid, or genuine but unconfirmed
//! unless `--require-trust`), 1 when any is invalid (or the qualification asked
//! for is not met), 2 when an input cannot be read, parsed or checked (a format
//! or proof type not supported, not a regular file) or the arguments are wrong.
//! Reports go to stdout, diagnostics to stderr. The report's JSON form is
//! documented in `docs/verify-report.md`.

#![forbid(unsafe_code)]

mod output;

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;
use microcred_core::json::JsonErrorKind;
use microcred_core::{datetime, json};
use microcred_verifier::bulk::{self, BulkOptions, FileError, Input, Source};
use microcred_verifier::contexts;
use microcred_verifier::format::Foreign;
use microcred_verifier::profile::Profile;
use microcred_verifier::{
    Options, Qualification, Report, StatusLists, TrustList, Verdict, Verifier,
};

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
    /// End with a line of totals (valid, invalid, could not be checked) even for
    /// one file, and in --json too (a last line of kind "totals"). Without it the
    /// human report has one for more than one file, and --json none.
    #[arg(long, conflicts_with = "html")]
    totals: bool,
    /// Read every FILE argument as JSON Lines (one credential or presentation on
    /// each line, as `microcred-sign batch --out-jsonl` writes), whatever its name
    /// (a directory still stands for its *.json files). Files named *.jsonl or
    /// *.ndjson are always read so.
    #[arg(long)]
    jsonl: bool,
    /// Print one self-contained HTML page with a readable transcript of each file
    /// (what it says, every check as a tick or a cross), e.g. `> transcript.html`.
    #[arg(long)]
    html: bool,
    /// The language of the --html transcript: en, fr or es. Default: the locale's
    /// (LC_ALL, else LC_MESSAGES, else LANG: fr_FR.UTF-8 gives fr), English for any
    /// other. The terminal report and --json are in English whatever the language.
    #[arg(long, value_name = "LANG", requires = "html", value_parser = ["en", "fr", "es"])]
    lang: Option<String>,
    /// Trust list of issuers (JSON; format in docs/trust-list.md). Default: the
    /// configuration directory's trust-list.json, if there is one; without any, issuer
    /// trust is "not checked" and the verdict at best "genuine but unconfirmed".
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// A JSON-LD context the verifier does not bundle, as URL=FILE (repeatable): the
    /// file is used for that URL and nothing is fetched. A file that differs from a
    /// bundled context of the same URL is refused.
    #[arg(long = "context", value_name = "URL=FILE")]
    contexts: Vec<String>,
    /// A directory of contexts mirroring their URLs: DIR/host/path is used for
    /// https://host/path.
    #[arg(long, value_name = "DIR")]
    context_dir: Option<PathBuf>,
    /// A signed BitstringStatusListCredential or StatusList2021Credential to read
    /// revocation/suspension bits from (repeatable), matched by its id; or URL=FILE, the
    /// file being what that URL served (for a list whose id is not its URL). Default: the
    /// *.json files of the configuration directory's status-lists/; without any, status
    /// is "not checked".
    #[arg(long = "status-list", value_name = "[URL=]FILE")]
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
    /// Print a shell completion script for microcred-verify and exit, e.g.
    /// `microcred-verify --completions bash > /etc/bash_completion.d/microcred-verify`.
    #[arg(long, exclusive = true, value_name = "SHELL")]
    completions: Option<clap_complete::Shell>,
    /// Write the manual page microcred-verify.1 (roff) into DIR and exit.
    #[arg(long, exclusive = true, value_name = "DIR")]
    man: Option<PathBuf>,
    /// Verify as of this time (RFC 3339, e.g. 2026-01-31T12:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The challenge (nonce) a presentation's proof must carry.
    #[arg(long, value_name = "C")]
    challenge: Option<String>,
    /// The domain a presentation's proof must carry.
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// Holder binding: each credential of a presentation must be the holder's own (its
    /// subject is the presentation's holder). Without it, holder binding is reported and
    /// decides nothing (VC 2.0 makes it a check the verifier asks for).
    #[arg(long)]
    holder_binding: bool,
    /// Verify a presentation as the answer to your request: the same as `--challenge C
    /// --holder-binding` (add `--domain D` if you gave the learner one).
    #[arg(long, value_name = "C", conflicts_with = "challenge")]
    request: Option<String>,
    /// A qualification (JSON; format in docs/qualifications.md) the valid credentials
    /// of all FILEs should add up to.
    #[arg(long, value_name = "FILE")]
    qualification: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Accepted for existing scripts and without effect: every file is verified
    /// on its own, each signature with verify_strict.
    #[arg(long, hide = true)]
    no_batch: bool,
    /// Credential or presentation files to verify; a directory stands for the
    /// `*.json` and `*.jwt` files in it (not recursive), in name order; a *.jsonl file holds
    /// one credential per line, each verified and reported as FILE:LINE.
    #[arg(
        required_unless_present_any = ["list_profiles", "completions", "man"],
        value_name = "FILE|DIR"
    )]
    files: Vec<PathBuf>,
}

/// A `--status-list` argument: `URL=FILE` (an `http(s)` URL, then the last `=`), or
/// a file.
fn fetched_from(arg: &Path) -> (Option<&str>, PathBuf) {
    if let Some((url, file)) = arg.to_str().and_then(|s| s.rsplit_once('=')) {
        if (url.starts_with("https://") || url.starts_with("http://")) && !file.is_empty() {
            return (Some(url), PathBuf::from(file));
        }
    }
    (None, arg.to_path_buf())
}

/// Writes `microcred-verify.1` into `dir` (created if missing), through a
/// temporary file renamed into place.
fn man(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut roff = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut roff)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    let path = dir.join("microcred-verify.1");
    let temp = dir.join(".microcred-verify.1.tmp");
    std::fs::write(&temp, &roff)
        .and_then(|()| std::fs::rename(&temp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            format!("cannot write {}: {e}", path.display())
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list_profiles {
        return list_profiles();
    }
    if let Some(shell) = cli.completions {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        // Into memory first: clap_complete panics when its writer fails (`| head`).
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut cmd, "microcred-verify", &mut script);
        return match std::io::stdout().write_all(&script) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                let _ = writeln!(
                    std::io::stderr(),
                    "microcred-verify: error: cannot write the completion script: {e}"
                );
                ExitCode::from(2)
            }
            _ => ExitCode::SUCCESS,
        };
    }
    if let Some(dir) = &cli.man {
        return match man(dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                ExitCode::from(2)
            }
        };
    }
    let setup = build(&cli).and_then(|v| Ok((v, expand(&cli.files, cli.jsonl)?)));
    let (verifier, (files, many)) = match setup {
        Ok(s) => s,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
            return ExitCode::from(2);
        }
    };
    let options = BulkOptions {
        threads: cli.jobs.map(usize::from),
        max_file_bytes: MAX_FILE_BYTES,
        ..BulkOptions::default()
    };
    if cli.html {
        // The reader's language: --lang, else the locale's.
        let lang = cli
            .lang
            .as_deref()
            .and_then(microcred_verifier::i18n::Lang::parse)
            .unwrap_or_else(microcred_verifier::i18n::Lang::from_env);
        return html_out(&verifier, files, &options, cli.require_trust, lang);
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
    // One document's lines, human or JSON (into a Vec, which cannot fail to take them).
    let line = |source: &Source, result: Result<&Report, &str>, format: Option<Foreign>| {
        // JSON names the line in a member of its own; the human report as FILE:LINE.
        let file = if cli.json {
            source.path.display().to_string()
        } else {
            source.to_string()
        };
        // Room for a typical report, so that the line is not copied as it grows.
        let checks = result.map_or(0, |r| r.checks.len() + r.credentials.len() * 8);
        let mut text = spare
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        text.reserve(512 + file.len() + 256 * checks);
        let _ = if cli.json {
            output::json_line(&mut text, &file, source.line, result, format)
        } else {
            output::human(&mut text, &file, result, style)
        };
        text
    };
    // Each report is rendered on the worker that verified it; this thread only
    // writes the text, so that it does not hold back the workers.
    let render = |source: &Source, _: &[u8], report: Report| {
        let text = line(source, Ok(&report), None);
        (
            report.verdict,
            exit_status(&report, cli.require_trust),
            text,
            keep.then(|| (source.to_string(), report)),
        )
    };
    let mut totals = output::Totals::default();
    type Rendered = (Verdict, u8, Vec<u8>, Option<(String, Report)>);
    let sink = |source: Source, result: Result<Rendered, FileError>| {
        let text = match result {
            Ok((verdict, code, text, report)) => {
                totals.add(verdict);
                status = status.max(code);
                kept.extend(report);
                text
            }
            Err(e) => {
                totals.error += 1;
                let msg = error_message(&e);
                let _ = writeln!(std::io::stderr(), "microcred-verify: error: {msg}");
                status = 2;
                let format = match e {
                    FileError::UnsupportedFormat { format, .. } => Some(format),
                    _ => None,
                };
                line(&source, Err(&msg), format)
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
    };
    let run = bulk::verify_reports_of_inputs(&verifier, files, &options, render, sink);
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
    // Last, after the qualification: with --json it is the one line of its kind,
    // and a program that wants it reads the last line.
    if written.is_ok() && (cli.totals || (many && !cli.json)) {
        written = if cli.json {
            output::totals_json(&mut out, &totals)
        } else {
            output::totals_human(&mut out, &totals)
        };
    }
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    let _ = written.and_then(|()| out.flush());
    ExitCode::from(status)
}

/// A file's error for the report, with a hint for a JSON Lines bundle read as
/// one document (its second line is "after the end of the JSON value").
fn error_message(e: &FileError) -> String {
    let mut msg = e.to_string();
    if let FileError::Json {
        line: None, source, ..
    } = e
    {
        if matches!(source.kind, JsonErrorKind::TrailingCharacters { .. }) {
            msg.push_str(
                " (one document per line? name the file *.jsonl or give --jsonl to verify each line)",
            );
        }
    }
    msg
}

/// A report's exit status: 0 valid, or genuine but unconfirmed (1 for that
/// with `--require-trust` when its issuer was not confirmed by a trust list);
/// 1 invalid; 2 could not be checked.
fn exit_status(report: &Report, require_trust: bool) -> u8 {
    match report.verdict {
        Verdict::Valid => 0,
        Verdict::Unconfirmed => {
            u8::from(require_trust && report.reasons.iter().any(|r| r.code == "trust-not-checked"))
        }
        Verdict::Invalid => 1,
        Verdict::Unchecked => 2,
    }
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

/// The inputs: each argument as given (JSON Lines when `jsonl` or named
/// `*.jsonl` / `*.ndjson`), a directory replaced by its `*.json` and `*.jwt` files in name
/// order; and whether there can be more than one report (for the totals).
fn expand(args: &[PathBuf], jsonl: bool) -> Result<(Vec<Input>, bool), String> {
    let mut files = Vec::with_capacity(args.len());
    let mut many = args.len() > 1;
    for arg in args {
        let lines = jsonl
            || arg
                .extension()
                .is_some_and(|e| e == "jsonl" || e == "ndjson");
        // A directory stands for its *.json and *.jwt files, with --jsonl too.
        if arg.is_dir() {
            many = true;
            let found = bulk::credential_files_in(arg)
                .map_err(|e| format!("cannot read the directory {}: {e}", arg.display()))?;
            if found.is_empty() {
                return Err(format!(
                    "{}: the directory has no *.json files and no *.jwt files",
                    arg.display()
                ));
            }
            files.extend(found.into_iter().map(Input::File));
        } else if lines {
            many = true;
            files.push(Input::JsonLines(arg.clone()));
        } else {
            files.push(Input::File(arg.clone()));
        }
    }
    Ok((files, many))
}

/// Reads every option file; any problem is a usage error (exit 2).
fn build(cli: &Cli) -> Result<Verifier, String> {
    let mut options = Options::default();
    // One instant for every file, so that a batch is judged consistently.
    options.at = Some(match &cli.at {
        Some(s) => datetime::parse(s).map_err(|e| format!("--at: {e}"))?,
        None => datetime::now(),
    });
    // Contexts first: status lists (verified as they are added) may need them.
    for arg in &cli.contexts {
        contexts::supply_argument(arg).map_err(|e| e.to_string())?;
    }
    if let Some(dir) = &cli.context_dir {
        contexts::supply_directory(dir).map_err(|e| e.to_string())?;
    }
    // An employer's standing choices: used when the command line gives none.
    let config = if cli.no_config { None } else { config_dir() };
    let trust_path = cli.trust.clone().or_else(|| {
        let p = config.as_ref()?.join("trust-list.json");
        p.exists().then_some(p)
    });
    if let Some(path) = &trust_path {
        let bytes = read_bounded(path)?;
        let trust = TrustList::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new(""));
        contexts::supply_listed(&trust, base).map_err(|e| format!("{}: {e}", path.display()))?;
        options.trust = Some(trust);
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
    for arg in &list_paths {
        let (url, path) = fetched_from(arg);
        let bytes = read_bounded(&path)?;
        let doc = json::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        match url {
            Some(url) => lists.add_fetched(url, doc),
            None => lists.add(doc),
        }
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
    options.challenge = cli.request.clone().or_else(|| cli.challenge.clone());
    options.domain.clone_from(&cli.domain);
    // Credentials add up to a qualification only as the presenting learner's own.
    options.holder_binding =
        cli.holder_binding || cli.request.is_some() || cli.qualification.is_some();
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
    files: Vec<Input>,
    options: &BulkOptions,
    require_trust: bool,
    lang: microcred_verifier::i18n::Lang,
) -> ExitCode {
    let mut status = 0u8;
    let mut docs = Vec::new();
    let parse = |source: &Source, bytes: &[u8], report: Report| {
        // A VC-JWT's (or VP-JWT's, or an envelope's) page shows the document inside,
        // as its checks read it.
        let doc = if report.format.is_some() {
            microcred_verifier::jwt::document(bytes).map_err(|e| e.to_string())
        } else {
            json::parse(bytes).map_err(|e| e.to_string())
        };
        doc.map(|doc| (doc, report))
            .map_err(|e| format!("{source}: {e}"))
    };
    let run = bulk::verify_reports_of_inputs(verifier, files, options, parse, |source, result| {
        let doc = result
            .map_err(|e| error_message(&e))
            .and_then(|parsed| parsed);
        match doc {
            Ok((doc, report)) => {
                status = status.max(exit_status(&report, require_trust));
                docs.push((source.to_string(), doc, report));
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
    let page = microcred_verifier::html::page_in(lang, &entries, q.as_ref());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(page.as_bytes()).and_then(|()| out.flush());
    ExitCode::from(status)
}

/// A file's exit status: 0 valid, 1 invalid, 2 could not be checked (which,
/// like an unreadable file, wins over 1: a verdict of "forged" is never given
/// for what could not be checked).
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

/// Reads an option file: a regular file of at most [`MAX_FILE_BYTES`], refusing
/// larger ones before reading them, and a FIFO or other non-file without
/// waiting on it.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    bulk::read_file(path, MAX_FILE_BYTES).map_err(|e| e.to_string())
}
