// Verifies credentials and presentations with Digital Bazaar's reference stack
// (@digitalbazaar/vc + DataIntegrityProof + eddsa-jcs-2022 / eddsa-rdfc-2022), offline.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/verify.mjs [--suite jcs|rdfc|both] [--any-proof]
//                                 [--status-list LIST.json]... [--challenge C] [--domain D]
//                                 [--now RFC3339] FILE...
//
// Prints one JSON line per FILE: {"file", "kind", "verified", "error", "proofs"}; `kind` is
// "credential" or "presentation" (by `type`), `error` null when verified, `proofs` one
// {"cryptosuite", "checked", "verified", "error"} per proof of the file's top-level proof
// set, in document order (`checked` false: no suite given for that cryptosuite).
//   - --suite (default both) says which cryptosuites the reference is given: vc-js verifies
//     each proof with the suite matching its cryptosuite and ignores proofs no suite matches
//     (a wallet that only knows eddsa-rdfc-2022 sees only that proof).
//   - vc-js (jsonld-signatures' ProofSet.verify) calls a document verified when AT LEAST ONE
//     matched proof verifies. Here every matched proof must verify (what microcred-verify and
//     the Data Integrity proof-set semantics require), unless --any-proof asks for vc-js's own
//     verdict.
//   - Credentials carrying `credentialStatus` are checked with
//     @digitalbazaar/vc-bitstring-status-list against the status list credentials given with
//     --status-list (matched by their `id`; the list's own proof and issuer are verified too).
//     The reference's checkStatus reports `verified: true` for a revoked credential (it only
//     says the check ran); here a set revocation or suspension bit makes the file not verified.
//   - Presentations need --challenge (and --domain when their proof has one); the holder
//     must control the proof's key (AuthenticationProofPurpose with controller = holder), and
//     every embedded credential is verified as above.
// Exit status: 0 every file verified, 1 some file did not (or could not be read), 2 usage.

import * as vc from '@digitalbazaar/vc';
import {checkStatus as bslCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';

import {
  describeError, makeDocumentLoader, parseArgs, readJson, run, suiteOption, SUITES,
  UsageError, verifySuites
} from './lib.mjs';

const {AuthenticationProofPurpose} = jsigs.purposes;

const USAGE = 'usage: node tests/interop/verify.mjs [--suite jcs|rdfc|both] [--any-proof] ' +
  '[--status-list LIST.json]... [--challenge C] [--domain D] [--now RFC3339] FILE...';

// Status purposes whose set bit means "do not accept".
const INVALIDATING = new Set(['revocation', 'suspension']);

function typesOf(doc) {
  const t = doc?.type;
  return Array.isArray(t) ? t : [t];
}

// Wraps the reference's checkStatus: a set revocation/suspension bit is a failure.
function makeCheckStatus({documentLoader, suite}) {
  return async function checkStatus({credential}) {
    const result = await bslCheckStatus({
      credential, documentLoader, suite,
      verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
    });
    if(!result.verified) {
      return result;
    }
    const set = result.results.filter(
      r => r.status === true && INVALIDATING.has(r.credentialStatus.statusPurpose));
    if(set.length > 0) {
      const what = set.map(r => `${r.credentialStatus.statusPurpose} bit ` +
        `${r.credentialStatus.statusListIndex} of ${r.credentialStatus.statusListCredential}` +
        ' is set');
      return {...result, verified: false, error: new Error(what.join('; '))};
    }
    return result;
  };
}

function errorsOf(result) {
  const errs = [];
  if(result.error) {
    errs.push(describeError(result.error));
  }
  for(const r of result.results ?? []) {
    if(r.error && !r.verified) {
      errs.push(describeError(r.error));
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    errs.push(`status: ${describeError(result.statusResult.error) ?? 'not verified'}`);
  }
  if(!result.error && result.presentationResult && !result.presentationResult.verified) {
    errs.push(`presentation: ${describeError(result.presentationResult.error) ??
      'not verified'}`);
  }
  for(const [i, c] of (result.credentialResults ?? []).entries()) {
    if(!c.verified) {
      errs.push(`verifiableCredential[${i}]: ${errorsOf(c) ?? 'not verified'}`);
    }
  }
  return errs.length ? [...new Set(errs)].join('; ') : null;
}

function proofsOf(doc) {
  const p = doc?.proof;
  if(p === undefined || p === null) {
    return [];
  }
  return Array.isArray(p) ? p : [p];
}

/**
 * One entry per proof of `doc` from a jsonld-signatures result (`results[]` carries the
 * proofs it matched and verified), and the failures the every-proof rule counts: a proof
 * whose cryptosuite was given and that did not verify, or was not matched at all (another
 * proof purpose, say).
 */
function proofReport(doc, jsigsResult, cryptosuites) {
  const results = (jsigsResult?.results ?? []).filter(r => r?.proof);
  const used = new Set();
  const proofs = proofsOf(doc).map(p => {
    const cryptosuite = typeof p?.cryptosuite === 'string' ? p.cryptosuite : null;
    const r = results.find(r => !used.has(r) && r.proof.proofValue === p?.proofValue &&
      r.proof.cryptosuite === p?.cryptosuite);
    if(r) {
      used.add(r);
      return {cryptosuite, checked: true, verified: r.verified === true,
        error: r.verified === true ? null : (describeError(r.error) ?? 'not verified')};
    }
    if(cryptosuites.includes(cryptosuite)) {
      return {cryptosuite, checked: true, verified: false,
        error: 'not verified: no suite and purpose matched this proof'};
    }
    return {cryptosuite, checked: false, verified: false, error: null};
  });
  const failures = proofs.flatMap((p, i) => p.checked && !p.verified ?
    [`proof ${i + 1} of ${proofs.length} (${p.cryptosuite}): ${p.error}`] : []);
  return {proofs, failures};
}

// The every-proof rule on a vc-js result: vc-js says verified when one proof verifies.
function requireEveryProof(result, jsigsResult, doc, cryptosuites, prefix = '') {
  const {proofs, failures} = proofReport(doc, jsigsResult, cryptosuites);
  const rule = failures.length > 0 && jsigsResult?.verified === true;
  return {proofs, failures: rule ? failures.map(f => prefix + f) : []};
}

async function verifyFile(file, {opts, documentLoader, suite, checkStatus, cryptosuites}) {
  let doc;
  try {
    doc = readJson(file);
  } catch(e) {
    return {kind: null, verified: false, error: e.message, proofs: []};
  }
  if(doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return {kind: null, verified: false, error: 'not a JSON object', proofs: []};
  }
  const now = opts.now;
  if(typesOf(doc).includes('VerifiablePresentation')) {
    if(opts.challenge === undefined) {
      return {kind: 'presentation', verified: false,
        error: 'presentation given but no --challenge'};
    }
    // controller = the holder's DID document: the reference then requires the proof's
    // verification method to be an `authentication` method of the holder.
    const holder = typeof doc.holder === 'string' ? doc.holder : doc.holder?.id;
    if(typeof holder !== 'string') {
      return {kind: 'presentation', verified: false, error: 'presentation has no holder'};
    }
    let controller;
    try {
      ({document: controller} = await documentLoader(holder));
    } catch(e) {
      return {kind: 'presentation', verified: false,
        error: `cannot resolve holder: ${describeError(e)}`};
    }
    const presentationPurpose = new AuthenticationProofPurpose({
      controller, challenge: opts.challenge, domain: opts.domain
    });
    const result = await vc.verify({
      presentation: doc, suite, documentLoader, checkStatus, presentationPurpose, now
    });
    const {proofs, failures} = requireEveryProof(
      result, result.presentationResult, doc, cryptosuites);
    const embedded = Array.isArray(doc.verifiableCredential) ? doc.verifiableCredential :
      [doc.verifiableCredential];
    for(const [i, c] of (result.credentialResults ?? []).entries()) {
      failures.push(...requireEveryProof(
        c, c, embedded[i], cryptosuites, `verifiableCredential[${i}]: `).failures);
    }
    return verdict('presentation', result, proofs, failures, opts);
  }
  const result = await vc.verifyCredential({
    credential: doc, suite, documentLoader, checkStatus, now
  });
  const {proofs, failures} = requireEveryProof(result, result, doc, cryptosuites);
  return verdict('credential', result, proofs, failures, opts);
}

// vc-js's verdict, overruled by the every-proof rule unless --any-proof.
function verdict(kind, result, proofs, failures, opts) {
  if(result.verified === true && (failures.length === 0 || opts['any-proof'])) {
    return {kind, verified: true, error: null, proofs};
  }
  const errors = [...failures];
  if(result.verified !== true) {
    errors.push(errorsOf(result) ?? 'not verified');
  }
  return {kind, verified: false, error: [...new Set(errors)].join('; '), proofs};
}

await run('verify.mjs', USAGE, async () => {
  const {opts, rest: files} = parseArgs(process.argv.slice(2), {
    'status-list': 'list', challenge: 'value', domain: 'value', now: 'value',
    suite: 'value', 'any-proof': 'flag'
  });
  const suiteName = suiteOption(opts.suite, 'both');
  if(files.length === 0) {
    throw new UsageError('no FILE given');
  }
  if(opts.now !== undefined && isNaN(new Date(opts.now))) {
    throw new UsageError(`--now ${opts.now} is not a date-time`);
  }
  const documents = new Map();
  for(const f of opts['status-list'] ?? []) {
    const list = readJson(f);
    if(typeof list?.id !== 'string') {
      throw new UsageError(`--status-list ${f}: the status list credential has no id`);
    }
    documents.set(list.id, list);
  }
  const documentLoader = makeDocumentLoader({documents});
  const suite = verifySuites(suiteName);
  const cryptosuites = SUITES[suiteName];
  // Status list credentials are checked with both suites whatever --suite says: --suite
  // chooses which proofs of the FILEs count; microcred-sign signs its lists with JCS.
  const checkStatus = makeCheckStatus({documentLoader, suite: verifySuites('both')});
  let failed = 0;
  for(const file of files) {
    let r;
    try {
      r = await verifyFile(file, {opts, documentLoader, suite, checkStatus, cryptosuites});
    } catch(e) {
      r = {kind: null, verified: false, error: describeError(e), proofs: []};
    }
    if(!r.verified) {
      failed++;
    }
    console.log(JSON.stringify({file, ...r}));
  }
  return failed === 0 ? 0 : 1;
});
