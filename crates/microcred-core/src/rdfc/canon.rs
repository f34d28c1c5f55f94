//! RDF Dataset Canonicalization, RDFC-1.0 (W3C Recommendation, 21 May 2024).
//!
//! The algorithm's worst case is exponential in the number of blank nodes
//! (§4.4.1 "dataset poisoning"). Every call of Hash N-Degree Quads and every
//! permutation it tries counts against a work budget ([`Options::max_work`]);
//! past it canonicalization fails with [`CanonError::WorkLimit`] instead of
//! running for hours on a hostile document.

use std::collections::BTreeMap;
use std::collections::hash_map::Entry;
use std::ops::Range;

use sha2::{Digest, Sha256, Sha384};

use crate::multibase::hex;

use super::nquads::{Quad, Term, write_term};
use super::{FastMap as HashMap, FastSet as HashSet};

/// The hash function RDFC-1.0 is parameterized with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256, the default (and what eddsa-rdfc-2022 uses).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    fn hex(self, data: &[u8]) -> String {
        match self {
            Self::Sha256 => hex(&Sha256::digest(data)),
            Self::Sha384 => hex(&Sha384::digest(data)),
        }
    }

    /// The hash of the concatenation of `buf`'s `ranges`, fed piece by
    /// piece (no joined copy).
    fn hex_ranges(self, buf: &str, ranges: &[Range<usize>]) -> String {
        fn run<D: Digest>(buf: &str, ranges: &[Range<usize>]) -> String {
            let mut d = D::new();
            for r in ranges {
                d.update(&buf.as_bytes()[r.clone()]);
            }
            hex(&d.finalize())
        }
        match self {
            Self::Sha256 => run::<Sha256>(buf, ranges),
            Self::Sha384 => run::<Sha384>(buf, ranges),
        }
    }
}

/// Appends the N-Quads line of `q` to `out`, blank node labels written by
/// `blank` (the canonical or the first-degree substitute label): the same
/// bytes as [`write_quad`] on a relabelled copy, without building the copy.
fn write_quad_with(out: &mut String, q: &Quad, blank: impl Fn(&mut String, &str)) {
    for t in [
        Some(&q.subject),
        Some(&q.predicate),
        Some(&q.object),
        q.graph.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        match t {
            Term::Blank(b) => {
                out.push_str("_:");
                blank(out, b);
            }
            other => write_term(out, other),
        }
        out.push(' ');
    }
    out.push_str(".\n");
}

/// Sorts the lines `ranges` delimit in `buf` (by their bytes, as strings
/// sort) and drops repeated ones.
fn sort_lines(buf: &str, ranges: &mut Vec<Range<usize>>) {
    ranges.sort_unstable_by(|a, b| buf[a.clone()].cmp(&buf[b.clone()]));
    ranges.dedup_by(|a, b| buf[a.clone()] == buf[b.clone()]);
}

/// Canonicalization options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The hash function.
    pub hash: HashAlgorithm,
    /// Work budget: calls of Hash N-Degree Quads plus permutations tried.
    /// Credentials need a handful; the hardest RDFC-1.0 suite tests (044–046,
    /// "poison – evil") need under 5 000; the default allows 20 000.
    pub max_work: u64,
    /// When set to `f`, at most `n^f` calls of Hash N-Degree Quads, where `n`
    /// is the number of blank nodes whose first-degree hash is shared: the
    /// rule (and default `f = 1`) of Digital Bazaar's `rdf-canonize`
    /// (`maxWorkFactor`), which most JSON-LD verifiers run. Signing uses
    /// `Some(1)` so that what we sign, they can verify.
    pub deep_iteration_factor: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            hash: HashAlgorithm::Sha256,
            max_work: 20_000,
            deep_iteration_factor: None,
        }
    }
}

/// Why a dataset could not be canonicalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonError {
    /// The blank-node structure needs more work than [`Options::max_work`]
    /// (a poisoned dataset, RDFC-1.0 §4.4.1).
    #[error(
        "RDF canonicalization stopped after {limit} steps: the document's blank-node structure is too complex (possible poisoned dataset)"
    )]
    WorkLimit {
        /// The budget that was exceeded.
        limit: u64,
    },
    /// More Hash N-Degree Quads calls than [`Options::deep_iteration_factor`]
    /// allows: verifiers built on `rdf-canonize` would refuse the document.
    #[error(
        "RDF canonicalization needs more than {limit} deep iterations: the document has blank nodes that cannot be told apart (for example two identical objects without an id), which verifiers built on rdf-canonize refuse; give them an id or make them differ"
    )]
    DeepIterations {
        /// The number of calls allowed.
        limit: u64,
    },
}

/// The result of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonicalized {
    /// The canonical N-Quads document: one LF-terminated line per quad, sorted.
    pub nquads: String,
    /// The issued identifiers map: input blank node label → canonical label
    /// (`c14nN`), in issuing order.
    pub issued: Vec<(String, String)>,
}

/// Canonicalizes a dataset (duplicate quads are ignored).
///
/// # Errors
/// [`CanonError::WorkLimit`] for poisoned datasets.
pub fn canonicalize(quads: &[Quad], options: &Options) -> Result<Canonicalized, CanonError> {
    // A dataset is a set: drop duplicates, keeping first-appearance order
    // (the order blank nodes are met decides ties in the issued map).
    let mut seen = HashSet::with_capacity_and_hasher(quads.len(), Default::default());
    let quads: Vec<&Quad> = quads.iter().filter(|q| seen.insert(*q)).collect();

    let mut state = State {
        quads: &quads,
        // Sized for the usual case (about one blank node per two quads).
        bnode_quads: HashMap::with_capacity_and_hasher(quads.len() / 2, Default::default()),
        canonical: Issuer::new("c14n"),
        first_degree: HashMap::default(),
        scratch: (String::new(), Vec::new()),
        hash: options.hash,
        work: 0,
        max_work: options.max_work,
        calls: 0,
        max_calls: u64::MAX,
    };
    // Step 2: blank node to quads map, in order of first appearance.
    let mut order: Vec<&str> = Vec::new();
    for (i, q) in quads.iter().enumerate() {
        for t in [Some(&q.subject), Some(&q.object), q.graph.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Term::Blank(b) = t {
                let entry = state.bnode_quads.entry(b.as_str()).or_default();
                if entry.is_empty() {
                    order.push(b);
                }
                if entry.last() != Some(&i) {
                    entry.push(i);
                }
            }
        }
    }
    // Step 3: first-degree hashes. Every blank node gets one, and most a
    // canonical label right after: size those maps once.
    state.first_degree.reserve(order.len());
    state.canonical.map.reserve(order.len());
    state.canonical.order.reserve(order.len());
    let mut by_hash: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for &b in &order {
        let h = state.hash_first_degree(b).to_owned();
        by_hash.entry(h).or_default().push(b);
    }
    // Step 4: unique hashes get canonical identifiers in hash order.
    let mut shared = Vec::new();
    for (_, list) in by_hash {
        if let [only] = list.as_slice() {
            state.canonical.issue(only);
        } else {
            shared.push(list);
        }
    }
    if let Some(f) = options.deep_iteration_factor {
        let n = shared.iter().map(|l| l.len() as u64).sum::<u64>();
        state.max_calls = n.saturating_pow(f);
    }
    // Step 5: the rest, through Hash N-Degree Quads.
    for list in shared {
        let mut paths: Vec<(String, Issuer)> = Vec::new();
        for b in list {
            if state.canonical.get(b).is_some() {
                continue;
            }
            let mut temp = Issuer::new("b");
            temp.issue(b);
            paths.push(state.hash_n_degree(b, temp)?);
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in paths {
            for old in issuer.order {
                state.canonical.issue(old);
            }
        }
    }
    // Step 6/7: relabel, serialize, sort.
    // All lines go to one buffer and are sorted as ranges of it: one
    // allocation instead of a String (and a relabelled Quad) per line.
    let mut buf = String::with_capacity(quads.len() * 128);
    let mut ranges = Vec::with_capacity(quads.len());
    for q in &quads {
        let start = buf.len();
        write_quad_with(&mut buf, q, |out, b| {
            out.push_str(state.canonical.get(b).unwrap_or(b));
        });
        ranges.push(start..buf.len());
    }
    sort_lines(&buf, &mut ranges);
    let mut nquads = String::with_capacity(buf.len());
    for r in ranges {
        nquads.push_str(&buf[r]);
    }
    let issued = state
        .canonical
        .order
        .iter()
        .filter_map(|&old| {
            let new = state.canonical.get(old)?;
            Some((old.to_owned(), new.to_owned()))
        })
        .collect();
    Ok(Canonicalized { nquads, issued })
}

/// An identifier issuer (RDFC-1.0 §4.3); it borrows the blank node labels
/// from the dataset, so issuing (and copying an issuer in Hash N-Degree
/// Quads) allocates only the new identifier.
#[derive(Debug, Clone)]
struct Issuer<'a> {
    prefix: &'static str,
    map: HashMap<&'a str, String>,
    order: Vec<&'a str>,
}

impl<'a> Issuer<'a> {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            map: HashMap::default(),
            order: Vec::new(),
        }
    }

    fn get(&self, b: &str) -> Option<&str> {
        self.map.get(b).map(String::as_str)
    }

    fn issue(&mut self, b: &'a str) -> &str {
        match self.map.entry(b) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let id = format!("{}{}", self.prefix, self.order.len());
                self.order.push(b);
                e.insert(id)
            }
        }
    }
}

struct State<'a> {
    quads: &'a [&'a Quad],
    bnode_quads: HashMap<&'a str, Vec<usize>>,
    canonical: Issuer<'a>,
    first_degree: HashMap<&'a str, String>,
    /// Reused by every first-degree hash: the lines and their ranges.
    scratch: (String, Vec<Range<usize>>),
    hash: HashAlgorithm,
    work: u64,
    max_work: u64,
    calls: u64,
    max_calls: u64,
}

impl<'a> State<'a> {
    fn quads_of(&self, b: &str) -> impl Iterator<Item = &'a Quad> + use<'a, '_> {
        self.bnode_quads
            .get(b)
            .into_iter()
            .flatten()
            .map(|&i| self.quads[i])
    }

    fn spend(&mut self) -> Result<(), CanonError> {
        self.work += 1;
        if self.work > self.max_work {
            return Err(CanonError::WorkLimit {
                limit: self.max_work,
            });
        }
        Ok(())
    }

    /// Hash First Degree Quads (§4.6).
    fn hash_first_degree(&mut self, reference: &'a str) -> &str {
        if self.first_degree.contains_key(reference) {
            return &self.first_degree[reference];
        }
        let (mut buf, mut ranges) = core::mem::take(&mut self.scratch);
        buf.clear();
        ranges.clear();
        for q in self.quads_of(reference) {
            let start = buf.len();
            write_quad_with(&mut buf, q, |out, b| {
                out.push(if b == reference { 'a' } else { 'z' });
            });
            ranges.push(start..buf.len());
        }
        // The quads of a blank node are distinct (the dataset was
        // deduplicated) but their substituted lines need not be; §4.6 keeps
        // the repeats, so sort without dropping any.
        ranges.sort_unstable_by(|a, b| buf[a.clone()].cmp(&buf[b.clone()]));
        let h = self.hash.hex_ranges(&buf, &ranges);
        self.scratch = (buf, ranges);
        self.first_degree.entry(reference).or_insert(h)
    }

    /// Hash Related Blank Node (§4.7).
    fn hash_related(
        &mut self,
        related: &'a str,
        quad: &Quad,
        issuer: &Issuer<'a>,
        position: char,
    ) -> String {
        let mut input = String::with_capacity(128);
        input.push(position);
        if position != 'g' {
            write_term(&mut input, &quad.predicate);
        }
        if let Some(id) = self.canonical.get(related).or_else(|| issuer.get(related)) {
            input.push_str("_:");
            input.push_str(id);
        } else {
            input.push_str(self.hash_first_degree(related));
        }
        self.hash.hex(input.as_bytes())
    }

    /// Hash N-Degree Quads (§4.8).
    fn hash_n_degree(
        &mut self,
        identifier: &'a str,
        mut issuer: Issuer<'a>,
    ) -> Result<(String, Issuer<'a>), CanonError> {
        self.spend()?;
        self.calls += 1;
        if self.calls > self.max_calls {
            return Err(CanonError::DeepIterations {
                limit: self.max_calls,
            });
        }
        // Steps 1–3: group related blank nodes by their related hash.
        let mut related: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
        let quads: Vec<&'a Quad> = self.quads_of(identifier).collect();
        for q in quads {
            for (t, pos) in [
                (Some(&q.subject), 's'),
                (Some(&q.object), 'o'),
                (q.graph.as_ref(), 'g'),
            ] {
                if let Some(Term::Blank(b)) = t {
                    if b != identifier {
                        let h = self.hash_related(b, q, &issuer, pos);
                        related.entry(h).or_default().push(b);
                    }
                }
            }
        }
        // Steps 4–5.
        let mut data = String::new();
        for (hash, list) in related {
            data.push_str(&hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer<'a>> = None;
            let mut perm = Permutations::new(list);
            while let Some(p) = perm.next_perm() {
                self.spend()?;
                let mut copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let mut pruned = false;
                for &r in p {
                    if let Some(id) = self.canonical.get(r) {
                        path.push_str("_:");
                        path.push_str(id);
                    } else {
                        if copy.get(r).is_none() {
                            recursion.push(r);
                        }
                        path.push_str("_:");
                        path.push_str(copy.issue(r));
                    }
                    if !chosen_path.is_empty() && path > chosen_path {
                        pruned = true;
                        break;
                    }
                }
                if pruned {
                    continue;
                }
                for r in recursion {
                    let (h, result_issuer) = self.hash_n_degree(r, copy.clone())?;
                    path.push_str("_:");
                    path.push_str(copy.issue(r));
                    path.push('<');
                    path.push_str(&h);
                    path.push('>');
                    copy = result_issuer;
                    if !chosen_path.is_empty() && path > chosen_path {
                        pruned = true;
                        break;
                    }
                }
                if pruned {
                    continue;
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(copy);
                }
            }
            data.push_str(&chosen_path);
            if let Some(c) = chosen_issuer {
                issuer = c;
            }
        }
        Ok((self.hash.hex(data.as_bytes()), issuer))
    }
}

/// All permutations of a list, one at a time (Heap's algorithm, iterative),
/// so that a long list costs work units rather than memory.
struct Permutations<'a> {
    items: Vec<&'a str>,
    c: Vec<usize>,
    i: usize,
    started: bool,
}

impl<'a> Permutations<'a> {
    fn new(items: Vec<&'a str>) -> Self {
        let n = items.len();
        Self {
            items,
            c: vec![0; n],
            i: 0,
            started: false,
        }
    }

    fn next_perm(&mut self) -> Option<&[&'a str]> {
        if !self.started {
            self.started = true;
            return Some(&self.items);
        }
        while self.i < self.items.len() {
            if self.c[self.i] < self.i {
                if self.i % 2 == 0 {
                    self.items.swap(0, self.i);
                } else {
                    self.items.swap(self.c[self.i], self.i);
                }
                self.c[self.i] += 1;
                self.i = 0;
                return Some(&self.items);
            }
            self.c[self.i] = 0;
            self.i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_all_distinct() {
        let mut p = Permutations::new(vec!["a", "b", "c", "d"]);
        let mut seen = HashSet::default();
        while let Some(x) = p.next_perm() {
            assert!(seen.insert(x.concat()));
        }
        assert_eq!(seen.len(), 24);
        let mut empty = Permutations::new(Vec::new());
        assert_eq!(empty.next_perm(), Some(&[][..]));
        assert_eq!(empty.next_perm(), None);
    }

    #[test]
    fn work_limit_stops_cliques() {
        // A 6-node clique: every node has the same first-degree hash.
        let mut quads = Vec::new();
        for i in 0..6 {
            for j in 0..6 {
                if i != j {
                    quads.push(Quad {
                        subject: Term::Blank(format!("n{i}")),
                        predicate: Term::Iri("http://ex/p".into()),
                        object: Term::Blank(format!("n{j}")),
                        graph: None,
                    });
                }
            }
        }
        let tight = Options {
            max_work: 50,
            ..Options::default()
        };
        assert_eq!(
            canonicalize(&quads, &tight),
            Err(CanonError::WorkLimit { limit: 50 })
        );
    }
}
