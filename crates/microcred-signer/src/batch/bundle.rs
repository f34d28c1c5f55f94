//! `batch --out-jsonl FILE`: the whole batch in one JSON Lines file (one
//! signed credential per line, compact, in the order of the learner list).
//!
//! The file is the unit of the crash argument that one credential file is in
//! the per-file mode: the credentials are signed in parallel and streamed, in
//! order, into a temporary file next to FILE, and the new rows are recorded
//! `pending` (with their ids, indexes and time fixed before signing, and each
//! with the SHA-256 of its line, known once the line is signed) in one
//! transaction that commits after the last line is written; only then is the
//! file flushed (`fsync`), renamed to FILE without replacing anything, the
//! directory flushed, and the rows marked `issued` in one transaction (the new
//! ones by one statement over their consecutive indexes). So FILE either does
//! not exist or is complete, it never has its name before its rows are
//! `pending`, and a row is `issued` only when FILE is on disk under its name.
//! A `pending` row's SHA-256 is what its line will be, not a sign that it was
//! written: a crash before the commit leaves no row at all (and no FILE), one
//! after it leaves `pending` rows, finished as below. A rerun resumes the pending rows with the same
//! id, index and time (the file comes out byte for byte the same), adopts a
//! FILE the interrupted run had already renamed when it is exactly what signing
//! gives, restores a missing FILE whose rows were issued, and never overwrites
//! an existing FILE.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

use anyhow::{Context as _, bail};
use microcred_core::multibase::hex;
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use super::Request;
use super::{
    Context, Counts, Job, JobKind, Layout, Meter, OwnKey, Prepared, Progress, check_restored,
    reservation, signed_credential_into, sync_dir,
};
use crate::files;
use crate::ledger::{Ledger, Reservation, State};

/// Credentials signed in parallel before being handed, in order, to the writer;
/// a few such chunks are in memory at a time.
const CHUNK: usize = 512;

/// Credentials of a chunk one task signs one after the other into one buffer.
const BLOCK: usize = 32;

/// The `--out-jsonl` file.
#[derive(Debug)]
pub(super) struct Bundle {
    /// Absolute path (its directory resolved), UTF-8.
    pub(super) path: PathBuf,
    dir: PathBuf,
    name: String,
}

/// Consecutive signed lines: their text, each line followed by its line break,
/// and the SHA-256 of each line without it (empty without a ledger).
///
/// One buffer per block instead of one per line, and the writer hands the
/// buffers back for the next blocks: a batch allocates a few dozen buffers in
/// all, not one per credential, and its memory stays put instead of being freed
/// on the writer's thread and faulted in again on the signers'.
struct Block {
    text: Vec<u8>,
    shas: Vec<String>,
}

impl Bundle {
    /// Resolves FILE: its directory must exist; FILE itself need not.
    pub(super) fn resolve(file: &Path) -> anyhow::Result<Self> {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| *n != "." && *n != "..")
            .with_context(|| {
                format!(
                    "--out-jsonl {}: give the path of a file (UTF-8 name)",
                    file.display()
                )
            })?
            .to_owned();
        let parent = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = std::fs::canonicalize(parent).with_context(|| {
            format!(
                "--out-jsonl {}: the directory {} does not exist",
                file.display(),
                parent.display()
            )
        })?;
        let path = dir.join(&name);
        if path.to_str().is_none() {
            bail!("{}: the path is not UTF-8", path.display());
        }
        if path.is_dir() {
            bail!(
                "--out-jsonl {}: is a directory; give a file name (or use --out DIR for one file per credential)",
                file.display()
            );
        }
        Ok(Self { path, dir, name })
    }

    /// The ledger's `out_file` for the credential of the row named `stem`.
    pub(super) fn line_key(&self, stem: &str) -> String {
        format!("{}#{stem}", self.path.display())
    }

    /// Temporary files of this bundle are `.microcred-NAME.` and six random characters.
    fn temp_prefix(&self) -> String {
        format!("{}{}.", files::TEMP_PREFIX, self.name)
    }

    /// Removes the temporary files of this bundle an interrupted run left; those of
    /// other files in the directory are not touched.
    pub(super) fn remove_stale_temp_files(&self) -> anyhow::Result<usize> {
        let prefix = self.temp_prefix();
        let mut removed = 0;
        let dir = &self.dir;
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let entry = entry?;
            let ours = entry.file_name().to_str().is_some_and(|n| {
                n.strip_prefix(&prefix).is_some_and(|rest| {
                    rest.len() == files::TEMP_RANDOM_LEN
                        && rest.bytes().all(|b| b.is_ascii_alphanumeric())
                })
            }) && entry.file_type().is_ok_and(|t| t.is_file());
            if ours {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Plans and runs the batch into the bundle.
    pub(super) fn issue(
        &self,
        args: &Request,
        prepared: Vec<Prepared>,
        ctx: &Context<'_>,
        ledger: Option<&mut Ledger>,
        counts: &mut Counts,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<()> {
        let pool = ctx.pool;
        let exists = match std::fs::symlink_metadata(&self.path) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("cannot read {}", self.path.display()));
            }
        };
        let Some(ledger) = ledger else {
            let jobs: Vec<Job> = prepared
                .into_iter()
                .map(|p| Job {
                    prepared: p,
                    kind: JobKind::New,
                    record: None,
                })
                .collect();
            if exists {
                self.check_without_ledger(pool, ctx, jobs.len())?;
                counts.already_issued = u64::try_from(jobs.len()).unwrap_or(u64::MAX);
                return Ok(());
            }
            return self.write(pool, &jobs, ctx, None, counts, progress);
        };

        // Every row, in the order of the list: known to the ledger (to resume or
        // restore) or new (reserved below, only when the file is to be written).
        let mut jobs = Vec::with_capacity(prepared.len());
        let mut reservations = Vec::new();
        // A bundle the ledger has no line of: no row to look up.
        let known = ledger.has_out_file_under(&self.line_key(""))?;
        for p in prepared {
            let rec = if known {
                ledger.by_out_file(&p.key)?
            } else {
                None
            };
            match rec {
                Some(rec) => {
                    if rec.content_sha256.as_deref() != Some(p.content_sha256.as_str()) {
                        bail!(
                            "{}: the ledger's credential {} for this line was made from other data than line {} now gives; the template or {} changed since that run. Issue changed rows into a new --out-jsonl file",
                            p.key,
                            rec.credential_id,
                            p.row.line,
                            args.learners.display()
                        );
                    }
                    let kind = if rec.state == State::Pending {
                        JobKind::Resume
                    } else {
                        JobKind::Restore
                    };
                    jobs.push(Job {
                        prepared: p,
                        kind,
                        record: Some(rec),
                    });
                }
                None => {
                    if !exists {
                        reservations.push(reservation(ledger, &p, ctx)?);
                    }
                    jobs.push(Job {
                        prepared: p,
                        kind: JobKind::New,
                        record: None,
                    });
                }
            }
        }
        let fresh = jobs.iter().filter(|j| j.kind == JobKind::New).count();
        if exists {
            if fresh == jobs.len() {
                bail!(
                    "{} exists but the ledger {} has no record of it; a bundle is never overwritten: choose another --out-jsonl file",
                    self.path.display(),
                    ledger.path().display()
                );
            }
            if fresh > 0 {
                bail!(
                    "{} already holds the credentials of {} row(s) of {}, but {fresh} row(s) are new; a bundle is written once and never overwritten: put the new rows in a list of their own and issue them into another --out-jsonl file",
                    self.path.display(),
                    jobs.len() - fresh,
                    args.learners.display()
                );
            }
            return self.check_existing(pool, &jobs, ctx, ledger, counts);
        }
        super::check_reissue(
            args,
            ledger,
            jobs.iter()
                .filter(|j| j.kind == JobKind::New)
                .map(|j| &j.prepared),
        )?;
        // The new rows are signed with the ids, indexes and times they will have,
        // while the reservation is being written (see `write`).
        let mut records = ledger.preview(&reservations)?.into_iter();
        for job in jobs.iter_mut().filter(|j| j.kind == JobKind::New) {
            job.record = records.next();
        }
        self.write(
            pool,
            &jobs,
            ctx,
            Some((ledger, reservations)),
            counts,
            progress,
        )
    }

    /// Signs every job in order into a temporary file, makes it durable, names it,
    /// then marks the rows issued.
    ///
    /// With a ledger, the `new` rows are recorded `pending` on another thread
    /// while the credentials are signed and written (recording would otherwise
    /// leave the other cores idle): each row as soon as its line is written,
    /// with the SHA-256 of that line, in one transaction that commits after the
    /// last line. The file is flushed and named only after that commit, so the
    /// crash argument is that of the per-file mode: no name before its rows are
    /// `pending`, no row `issued` before file and name are on disk. With their
    /// SHA-256 already recorded, the new rows are then marked `issued` by one
    /// statement over their (consecutive) indexes instead of one per row.
    fn write(
        &self,
        pool: &rayon::ThreadPool,
        jobs: &[Job],
        ctx: &Context<'_>,
        ledger: Option<(&mut Ledger, Vec<Reservation>)>,
        counts: &mut Counts,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<()> {
        let resuming = jobs.iter().filter(|j| j.kind == JobKind::Resume).count();
        if resuming > 0 {
            progress.note(&format!(
                "resuming {resuming} credential(s) an interrupted run had started"
            ));
        }
        let stopped = |e: anyhow::Error| {
            e.context(
                "the batch stopped; run the same command again to finish it (the ledger keeps what was done)",
            )
        };
        // The new rows' indexes, as `preview` gave them (consecutive, in job order).
        let expected: Vec<u64> = jobs
            .iter()
            .filter(|j| j.kind == JobKind::New)
            .filter_map(|j| j.record.as_ref().map(|r| r.status_index))
            .collect();
        let new_range = expected
            .first()
            .map(|&first| (first, expected.len() as u64));
        let tmp = files::create_temp_named(&self.dir, &self.temp_prefix(), 0o644)?;
        let (marks, ledger) = std::thread::scope(|s| -> anyhow::Result<_> {
            // The writer hands the ledger thread each new row's line SHA-256, then
            // `None` once every line is written: a channel closed without it means
            // the batch stopped, and the reservation is rolled back.
            let (signed_tx, signed_rx) = mpsc::channel::<Option<String>>();
            let reserving = ledger.map(|(ledger, new)| {
                s.spawn(move || -> anyhow::Result<&mut Ledger> {
                    if new.is_empty() {
                        return Ok(ledger);
                    }
                    let n = new.len();
                    let mut new = new.into_iter();
                    let rows = std::iter::from_fn(|| match signed_rx.recv() {
                        Ok(Some(sha)) => Some(
                            new.next()
                                .map(|r| (r, Some(sha)))
                                .context("more lines than new rows"),
                        ),
                        Ok(None) => new
                            .next()
                            .map(|_| Err(anyhow::anyhow!("a new row has no line"))),
                        Err(_) => Some(Err(anyhow::anyhow!(
                            "the batch stopped before every line was written"
                        ))),
                    });
                    let records = ledger.reserve_signed(rows)?;
                    if records.len() != n || records.iter().map(|r| r.status_index).ne(expected) {
                        bail!("the ledger changed while the batch was starting; run it again");
                    }
                    Ok(ledger)
                })
            });
            let signed_tx = reserving.is_some().then_some(signed_tx);
            let marks = self.stream(pool, jobs, ctx, tmp.as_file(), signed_tx, progress);
            // The file is flushed while the ledger thread commits the reservation
            // (two waits for the disk at once, not one after the other); it is
            // still named only after that commit, below.
            let flushed = match &marks {
                Ok(_) => tmp
                    .as_file()
                    .sync_all()
                    .with_context(|| format!("cannot flush {} to disk", tmp.path().display())),
                Err(_) => Ok(()),
            };
            let reserved = reserving.map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the ledger thread panicked")))
            });
            // A stream that failed is the cause; the reservation it stopped (rolled
            // back) only its consequence.
            let marks = marks?;
            flushed?;
            Ok((marks, reserved.transpose()?))
        })
        .map_err(stopped)?;
        (|| {
            tmp.persist_noclobber(&self.path)
                .map_err(|e| super::rename_failed(e.error, &self.path))?;
            sync_dir(&self.dir)?;
            if let Some(ledger) = ledger {
                ledger.mark_issued_with(&marks, new_range)?;
            }
            Ok(())
        })()
        .map_err(stopped)?;
        for job in jobs {
            match job.kind {
                JobKind::New => counts.issued += 1,
                JobKind::Resume => counts.resumed += 1,
                JobKind::Restore => counts.restored += 1,
            }
        }
        Ok(())
    }

    /// Signs the jobs on `pool`, chunk by chunk, while this thread writes the
    /// finished chunks, in order, to `file`. Returns the status-list index and
    /// the SHA-256 of the line of each resumed or restored row; those of new rows
    /// go to `new_rows` as their lines are written, followed by `None` once all
    /// are written.
    fn stream(
        &self,
        pool: &rayon::ThreadPool,
        jobs: &[Job],
        ctx: &Context<'_>,
        file: &std::fs::File,
        new_rows: Option<mpsc::Sender<Option<String>>>,
        progress: &mut dyn Progress,
    ) -> anyhow::Result<Vec<(u64, String)>> {
        let mut progress = Meter::new(progress, u64::try_from(jobs.len()).unwrap_or(u64::MAX));
        // The lines come back in the order of the jobs: this names each line's
        // ledger row (none without a ledger).
        let mut rows = jobs
            .iter()
            .map(|j| (j.kind, j.record.as_ref().map(|r| r.status_index)));
        let mut marks = Vec::new();
        // Blocks are written as they are (a few hundred KB each): no copy through
        // a buffer of the writer's own.
        let mut out = file;
        // Buffers written, for the next blocks to be signed into.
        let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
        let spare = &spare;
        // Two chunks may wait: the signing threads go on while a chunk is written.
        let (tx, rx) = mpsc::sync_channel::<Vec<Block>>(2);
        let written = std::thread::scope(|s| -> anyhow::Result<()> {
            let signer = s.spawn(move || -> anyhow::Result<()> {
                for chunk in jobs.chunks(CHUNK) {
                    // Ctrl-C: the temporary file is removed and no new row is
                    // recorded, as when signing fails.
                    if ctx.interrupt.requested() {
                        let total = u64::try_from(jobs.len()).unwrap_or(u64::MAX);
                        return Err(ctx.interrupt.stopped(0, total, false));
                    }
                    let blocks: Vec<Block> = pool.install(|| {
                        chunk
                            .par_chunks(BLOCK)
                            .map(|jobs| {
                                let text = spare
                                    .lock()
                                    .ok()
                                    .and_then(|mut spare| spare.pop())
                                    .unwrap_or_default();
                                sign_block(jobs, ctx, text)
                            })
                            .collect::<anyhow::Result<_>>()
                    })?;
                    if tx.send(blocks).is_err() {
                        // The writer stopped on an error, which it reports.
                        break;
                    }
                }
                Ok(())
            });
            let writing = (|| -> anyhow::Result<()> {
                let mut lines: u64 = 0;
                for blocks in &rx {
                    for Block { mut text, shas } in blocks {
                        out.write_all(&text)?;
                        text.clear();
                        if let Ok(mut spare) = spare.lock() {
                            spare.push(text);
                        }
                        for sha in shas {
                            match rows.next() {
                                Some((JobKind::New, Some(_))) => {
                                    if let Some(new_rows) = &new_rows {
                                        // A closed channel: the ledger thread failed,
                                        // and reports why when joined.
                                        let _ = new_rows.send(Some(sha));
                                    }
                                }
                                Some((_, Some(index))) => marks.push((index, sha)),
                                _ => {}
                            }
                            progress.inc();
                            lines += 1;
                            if crate::test_hook::reached(lines) {
                                crate::test_hook::pause(lines);
                            }
                        }
                    }
                    progress.tick();
                }
                if rows.next().is_some() {
                    bail!("the signing threads stopped early");
                }
                Ok(())
            })()
            .with_context(|| format!("cannot write {}", self.path.display()));
            // Dropping the receiver stops the signer at its next chunk.
            drop(rx);
            let signed = signer
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("a signing thread panicked")));
            let result = signed.and(writing);
            if result.is_ok() {
                if let Some(new_rows) = &new_rows {
                    let _ = new_rows.send(None);
                }
            }
            result
        });
        // Without the final `None`, the reservation is rolled back.
        drop(new_rows);
        progress.finish();
        written?;
        Ok(marks)
    }

    /// FILE exists and the ledger knows all its rows: it must hold, line by line,
    /// the credentials the ledger recorded (issued rows: by SHA-256) or, for rows
    /// still pending (the interrupted run renamed it but did not mark them),
    /// exactly what signing gives again — then it is adopted.
    fn check_existing(
        &self,
        pool: &rayon::ThreadPool,
        jobs: &[Job],
        ctx: &Context<'_>,
        ledger: &mut Ledger,
        counts: &mut Counts,
    ) -> anyhow::Result<()> {
        let bytes = std::fs::read(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        let changed = |what: String| {
            anyhow::anyhow!(
                "{}: {what}; it was changed after the batch wrote it. Move it away and run the same command again to write it anew (the same credentials, byte for byte)",
                self.path.display()
            )
        };
        let body = bytes
            .strip_suffix(b"\n")
            .ok_or_else(|| changed("it does not end with a line break".into()))?;
        let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
        if lines.len() != jobs.len() {
            bail!(
                "{} holds {} line(s), but {} row(s) of the learner list were issued into it: the learner list or the file changed since. A bundle is never overwritten: issue changed lists into another --out-jsonl file, or move the file away and run the same command again to write it anew",
                self.path.display(),
                lines.len(),
                jobs.len()
            );
        }
        let checked: Vec<Option<(u64, String)>> = pool.install(|| {
            jobs.par_iter()
                .zip(lines.par_iter())
                .enumerate()
                .map(|(i, (job, line))| -> anyhow::Result<_> {
                    let rec = job.record.as_ref().context("a ledger row is missing")?;
                    let found = hex(&Sha256::digest(line));
                    let expected = if job.kind == JobKind::Resume {
                        sign_line(job, ctx, &mut Vec::new())?
                    } else {
                        rec.file_sha256.clone().unwrap_or_default()
                    };
                    if found != expected {
                        return Err(changed(format!(
                            "line {} is not the credential {} of line {} of the learner list",
                            i + 1,
                            rec.credential_id,
                            job.prepared.row.line
                        )));
                    }
                    Ok((job.kind == JobKind::Resume).then_some((rec.status_index, found)))
                })
                .collect::<anyhow::Result<_>>()
        })?;
        let adopted: Vec<(u64, String)> = checked.into_iter().flatten().collect();
        let n_adopted = u64::try_from(adopted.len()).unwrap_or(u64::MAX);
        if !adopted.is_empty() {
            // The interrupted run may have stopped between the rename and the
            // flushes: make file and name durable before the rows are marked.
            std::fs::File::open(&self.path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot flush {} to disk", self.path.display()))?;
            sync_dir(&self.dir)?;
            ledger.mark_issued(&adopted)?;
        }
        counts.resumed += n_adopted;
        counts.adopted += n_adopted;
        counts.already_issued += u64::try_from(jobs.len()).unwrap_or(u64::MAX) - n_adopted;
        Ok(())
    }

    /// Without a ledger, an existing FILE is accepted as this batch's, already
    /// done, when it holds one credential per row, each with a valid proof made
    /// with the batch's key; anything else is refused, never overwritten.
    fn check_without_ledger(
        &self,
        pool: &rayon::ThreadPool,
        ctx: &Context<'_>,
        rows: usize,
    ) -> anyhow::Result<()> {
        let refuse = || {
            anyhow::anyhow!(
                "{} exists and is not a bundle of these {rows} rows signed with this key; a bundle is never overwritten: choose another --out-jsonl file",
                self.path.display()
            )
        };
        let bytes = std::fs::read(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        let Some(body) = bytes.strip_suffix(b"\n") else {
            return Err(refuse());
        };
        let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
        if lines.len() != rows {
            return Err(refuse());
        }
        let own = OwnKey::new(ctx.key, &ctx.controller);
        let all_ours = pool.install(|| lines.par_iter().all(|line| own.signed_bytes(line)));
        if !all_ours {
            return Err(refuse());
        }
        Ok(())
    }
}

/// Signs consecutive jobs into `text` (emptied first), one line each.
fn sign_block(jobs: &[Job], ctx: &Context<'_>, mut text: Vec<u8>) -> anyhow::Result<Block> {
    text.clear();
    let mut shas = Vec::with_capacity(jobs.len());
    for job in jobs {
        shas.push(sign_line(job, ctx, &mut text)?);
        text.push(b'\n');
    }
    Ok(Block { text, shas })
}

/// Signs one credential as a line appended to `out` (no line break), and
/// returns the line's SHA-256 (empty without a ledger); a restored one must be
/// what the ledger recorded.
fn sign_line(job: &Job, ctx: &Context<'_>, out: &mut Vec<u8>) -> anyhow::Result<String> {
    let start = out.len();
    let id = signed_credential_into(job, ctx, Layout::Line, out)?;
    // Only the ledger records it (`base_url` is set exactly when there is one).
    let sha = if ctx.base_url.is_some() {
        hex(&Sha256::digest(&out[start..]))
    } else {
        String::new()
    };
    if job.kind == JobKind::Restore {
        check_restored(job, &sha, &id)?;
    }
    Ok(sha)
}
