// Verifies credentials and presentations with Digital Bazaar's reference stack
// (@digitalbazaar/vc + DataIntegrityProof + eddsa-jcs-2022), offline.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/verify.mjs [--status-list LIST.json]... [--challenge C] [--domain D]
//                                 [--now RFC3339] FILE...
//
// Prints one JSON line per FILE: {"file", "kind", "verified", "error"}; `kind` is
// "credential" or "presentation" (by `type`), `error` null when verified.
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
  describeError, makeDocumentLoader, parseArgs, readJson, run, UsageError, verifySuite
} from './lib.mjs';

const {AuthenticationProofPurpose} = jsigs.purposes;

const USAGE = 'usage: node tests/interop/verify.mjs [--status-list LIST.json]... ' +
  '[--challenge C] [--domain D] [--now RFC3339] FILE...';

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

async function verifyFile(file, {opts, documentLoader, suite, checkStatus}) {
  let doc;
  try {
    doc = readJson(file);
  } catch(e) {
    return {kind: null, verified: false, error: e.message};
  }
  if(doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return {kind: null, verified: false, error: 'not a JSON object'};
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
    return {kind: 'presentation', verified: result.verified === true,
      error: result.verified ? null : (errorsOf(result) ?? 'not verified')};
  }
  const result = await vc.verifyCredential({
    credential: doc, suite, documentLoader, checkStatus, now
  });
  return {kind: 'credential', verified: result.verified === true,
    error: result.verified ? null : (errorsOf(result) ?? 'not verified')};
}

await run('verify.mjs', USAGE, async () => {
  const {opts, rest: files} = parseArgs(process.argv.slice(2), {
    'status-list': 'list', challenge: 'value', domain: 'value', now: 'value'
  });
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
  const suite = verifySuite();
  const checkStatus = makeCheckStatus({documentLoader, suite});
  let failed = 0;
  for(const file of files) {
    let r;
    try {
      r = await verifyFile(file, {opts, documentLoader, suite, checkStatus});
    } catch(e) {
      r = {kind: null, verified: false, error: describeError(e)};
    }
    if(!r.verified) {
      failed++;
    }
    console.log(JSON.stringify({file, ...r}));
  }
  return failed === 0 ? 0 : 1;
});
