// Verifies credentials and presentations with the Digital Credentials Consortium's
// @digitalcredentials/verifier-core (the code behind the Learner Credential Wallet and
// VerifierPlus), offline, exactly as it ships: its own document loader with only the contexts
// it bundles, its own suites (eddsa-rdfc-2022 and Ed25519Signature2020, no eddsa-jcs-2022).
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/dcc-verify.mjs [--status-list LIST.json]... [--challenge C] FILE...
//
// Nothing goes to the network. verifier-core fetches what it does not bundle (contexts,
// status lists, JSON schemas, issuer registries) with the global `fetch`; this script
// replaces it before verifier-core is loaded: the status list credentials given with
// --status-list are answered (matched by their `id`, as if published there), every other URL
// is refused and named in `refused`. A context we do not bundle into it thus fails as it
// would for a wallet that cannot reach the URL.
//
// Prints one JSON line per FILE:
//   credential:   {"file", "kind": "credential", "verified", "errors", "log", "refused"}
//   presentation: {"file", "kind": "presentation", "verified", "signature", "errors",
//                  "credentials": [{"verified", "errors", "log"}…], "refused"}
// `errors` lists verifier-core's error names (e.g. invalid_signature), `log` maps each of its
// verification steps (valid_signature, expiration, revocation_status) to true, false or the
// name of the step's error. `registered_issuer` is left out: no issuer registry is given
// (that is a trust decision, not a verification). `verified` is true when there is no error
// and every step in `log` is true; for a presentation, also its own `signature` ("valid",
// "invalid") and every credential.
// Exit status: 0 every file verified, 1 some file did not (or could not be read), 2 usage.

import {parseArgs, readJson, run, UsageError} from './lib.mjs';

const USAGE = 'usage: node tests/interop/dcc-verify.mjs [--status-list LIST.json]... ' +
  '[--challenge C] FILE...';

// URL -> JSON document served to verifier-core's fetch; every other URL is refused.
const served = new Map();
const refused = new Set();

globalThis.fetch = async function offlineFetch(input) {
  const url = typeof input === 'string' ? input : (input.url ?? String(input));
  if(served.has(url)) {
    return new Response(JSON.stringify(served.get(url)), {
      status: 200, headers: {'content-type': 'application/json'}
    });
  }
  refused.add(url);
  throw new TypeError(`offline: refusing to fetch ${url}`);
};

// stdout carries only our JSON lines: what verifier-core logs (it console.logs a failed
// schema fetch) goes to stderr.
const print = line => process.stdout.write(`${line}\n`);
console.log = console.info = (...args) => console.error(...args);

// Loaded only now, so that every module of it sees the replaced fetch.
const {verifyCredential, verifyPresentation} = await import('@digitalcredentials/verifier-core');

// The steps that decide; registered_issuer needs a registry, schema_check is information.
const STEPS = new Set(['valid_signature', 'expiration', 'revocation_status']);

function summarise(result) {
  const errors = (result?.errors ?? []).map(e => e.name ?? String(e.message ?? e));
  const log = {};
  for(const step of result?.log ?? []) {
    if(STEPS.has(step.id)) {
      log[step.id] = step.error ? (step.error.name ?? 'error') : step.valid === true;
    }
  }
  const verified = errors.length === 0 && Object.keys(log).length > 0 &&
    Object.values(log).every(v => v === true);
  return {verified, errors, log};
}

function isPresentation(doc) {
  const t = doc?.type;
  return (Array.isArray(t) ? t : [t]).includes('VerifiablePresentation');
}

await run('dcc-verify.mjs', USAGE, async () => {
  const {opts, rest} = parseArgs(process.argv.slice(2), {
    'status-list': 'list', challenge: 'value'
  });
  if(rest.length === 0) {
    throw new UsageError('no FILE given');
  }
  for(const f of opts['status-list'] ?? []) {
    const list = readJson(f);
    if(typeof list.id !== 'string') {
      throw new UsageError(`${f}: a status list credential needs an id`);
    }
    served.set(list.id, list);
  }
  let all = true;
  for(const file of rest) {
    refused.clear();
    let line;
    try {
      const doc = readJson(file);
      if(isPresentation(doc)) {
        const result = await verifyPresentation({
          presentation: doc, challenge: opts.challenge, knownDIDRegistries: []
        });
        const credentials = (result.credentialResults ?? []).map(summarise);
        const errors = [
          ...(result.errors ?? []), ...(result.presentationResult?.errors ?? [])
        ].map(e => e.name ?? 'error');
        const signature = result.presentationResult?.signature ?? null;
        line = {
          file, kind: 'presentation',
          verified: errors.length === 0 && signature === 'valid' &&
            credentials.every(c => c.verified),
          signature, errors, credentials
        };
      } else {
        line = {file, kind: 'credential', ...summarise(
          await verifyCredential({credential: doc, knownDIDRegistries: []}))};
      }
    } catch(e) {
      line = {file, kind: null, verified: false, errors: [String(e?.message ?? e)], log: {}};
    }
    line.refused = [...refused].sort();
    all &&= line.verified;
    print(JSON.stringify(line));
  }
  return all ? 0 : 1;
});
