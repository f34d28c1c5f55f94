// Shared pieces of the interop scripts: the strict offline document loader, the
// eddsa-jcs-2022 and eddsa-rdfc-2022 suites of Digital Bazaar's stack, key loading, small CLI
// helpers.
//
// Nothing here goes to the network. The document loader serves
//   - the published JSON-LD contexts bundled in this repository (crates/microcred-core/contexts/
//     and tests/vectors/contexts/; a URL found in both must have byte-identical copies): VC 2.0,
//     its examples context, Open Badges 3.0.3; our own https://w3id.org/microcred/v1, which is
//     published nowhere, only when the environment sets MICROCRED_INTEROP_LEGACY_CONTEXT=1 (to
//     read credentials issued with it), so that what we sign today is checked as a wallet that
//     knows only published contexts checks it,
//   - the DID and Multikey contexts shipped inside the pinned npm packages (did-context,
//     @digitalbazaar/multikey-context, @digitalbazaar/data-integrity-context),
//   - did:key DIDs and verification methods with the Ed25519 `z6Mk` header, resolved by
//     @digitalbazaar/did-method-key to `Multikey` (through Ed25519Multikey.from),
//   - status list credentials the caller handed in (by their `id`),
// and throws for any other URL.

import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createRequire} from 'node:module';
import {isDeepStrictEqual} from 'node:util';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  createSignCryptosuite, createVerifyCryptosuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as rdfcCryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const require = createRequire(import.meta.url);

/** Repository root (two levels up from this file; override with MICROCRED_ROOT). */
export const ROOT = process.env.MICROCRED_ROOT ??
  fileURLToPath(new URL('../../', import.meta.url));

// URL -> files (relative to ROOT) that hold that context. Every listed copy must exist.
const REPO_CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': [
    'crates/microcred-core/contexts/credentials-v2.jsonld',
    'tests/vectors/contexts/credentials-v2.jsonld',
  ],
  'https://www.w3.org/ns/credentials/examples/v2': [
    'crates/microcred-core/contexts/credentials-examples-v2.jsonld',
    'tests/vectors/contexts/credentials-examples-v2.jsonld',
  ],
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': [
    'crates/microcred-core/contexts/ob-v3p0-context-3.0.3.json',
    'tests/vectors/contexts/ob-v3p0-context-3.0.3.json',
  ],
  ...(process.env.MICROCRED_INTEROP_LEGACY_CONTEXT === '1' ? {
    'https://w3id.org/microcred/v1': [
      'crates/microcred-core/contexts/microcredential-v1.jsonld',
    ],
  } : {}),
  'https://www.w3.org/2018/credentials/v1': [
    'crates/microcred-core/contexts/credentials-v1.jsonld',
  ],
  'https://w3id.org/security/suites/ed25519-2020/v1': [
    'crates/microcred-core/contexts/ed25519-signature-2020-v1.jsonld',
  ],
  'https://w3id.org/vc/status-list/2021/v1': [
    'crates/microcred-core/contexts/status-list-2021-v1.jsonld',
  ],
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json': [
    'crates/microcred-core/contexts/ob-v3p0-context-3.0.0.json',
  ],
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': [
    'crates/microcred-core/contexts/ob-v3p0-context-3.0.1.json',
  ],
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': [
    'crates/microcred-core/contexts/ob-v3p0-context-3.0.2.json',
  ],
};

function loadContexts() {
  const map = new Map();
  for(const [url, files] of Object.entries(REPO_CONTEXTS)) {
    const copies = files.map(f => readFileSync(resolve(ROOT, f)));
    for(const [i, c] of copies.entries()) {
      if(!c.equals(copies[0])) {
        throw new Error(`bundled copies of ${url} differ: ${files[0]} vs ${files[i]}`);
      }
    }
    map.set(url, JSON.parse(copies[0].toString('utf8')));
  }
  // Contexts of DID documents and keys, from the pinned npm packages (CommonJS).
  for(const pkg of [
    'did-context', '@digitalbazaar/multikey-context',
    '@digitalbazaar/data-integrity-context'
  ]) {
    const {contexts} = require(pkg);
    for(const [url, doc] of contexts) {
      map.set(url, doc);
    }
  }
  return map;
}

/** Every context the loader serves, by URL. */
export const CONTEXTS = loadContexts();

// Our bundled VC 2.0 and 1.1 contexts, and the Ed25519Signature2020 one, must be the ones
// the reference ships (credentials-context, ed25519-signature-2020-context): otherwise the
// two sides would not be reading the same vocabulary.
{
  const {named} = require('@digitalbazaar/credentials-context');
  for(const version of ['v2', 'v1']) {
    const theirs = named.get(version);
    if(!isDeepStrictEqual(theirs.context, CONTEXTS.get(theirs.id))) {
      throw new Error(`the bundled ${theirs.id} differs from @digitalbazaar/credentials-context's`);
    }
  }
  const {contexts: suite} = require('ed25519-signature-2020-context');
  for(const [url, doc] of suite) {
    if(!isDeepStrictEqual(doc, CONTEXTS.get(url))) {
      throw new Error(`the bundled ${url} differs from ed25519-signature-2020-context's`);
    }
  }
}

const didKeyDriver = didMethodKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

/**
 * A strict offline document loader. `documents` maps extra URLs (status list credential
 * ids) to their JSON documents.
 */
export function makeDocumentLoader({documents = new Map()} = {}) {
  return async function documentLoader(url) {
    let document;
    if(CONTEXTS.has(url)) {
      document = CONTEXTS.get(url);
    } else if(documents.has(url)) {
      document = documents.get(url);
    } else if(url.startsWith('did:key:z6Mk')) {
      document = await didKeyDriver.get({url});
    } else {
      throw new Error(`documentLoader: refusing to load ${url} (not bundled, offline)`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

/** The `--suite` values of the scripts, and the cryptosuites each one stands for. */
export const SUITES = {
  jcs: ['eddsa-jcs-2022'],
  rdfc: ['eddsa-rdfc-2022'],
  both: ['eddsa-jcs-2022', 'eddsa-rdfc-2022'],
};

/** Checks a `--suite` value; `undefined` gives `fallback`. */
export function suiteOption(value, fallback) {
  const name = value ?? fallback;
  if(!Object.hasOwn(SUITES, name)) {
    throw new UsageError(`--suite must be jcs, rdfc or both, got ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * The DataIntegrityProof suites verifying the cryptosuites of `name` (jcs, rdfc or both).
 * vc-js takes an array: each proof is verified by the suite that matches its cryptosuite.
 */
export function verifySuites(name = 'jcs') {
  return SUITES[name].map(cs => new DataIntegrityProof({
    cryptosuite: cs === 'eddsa-jcs-2022' ? createVerifyCryptosuite() : rdfcCryptosuite
  }));
}

/** A DataIntegrityProof suite for verifying eddsa-jcs-2022 proofs. */
export function verifySuite() {
  return verifySuites('jcs')[0];
}

/**
 * The DataIntegrityProof suites signing with `keyPair` (an Ed25519Multikey key pair), one
 * per cryptosuite of `suite` (jcs, rdfc or both), in that order, all with `created` = `date`.
 */
export function signSuites({keyPair, date, suite = 'jcs'}) {
  return SUITES[suite].map(cs => new DataIntegrityProof({
    signer: keyPair.signer(), date,
    cryptosuite: cs === 'eddsa-jcs-2022' ? createSignCryptosuite() : rdfcCryptosuite
  }));
}

/** A DataIntegrityProof suite signing eddsa-jcs-2022 with `keyPair`. */
export function signSuite({keyPair, date}) {
  return signSuites({keyPair, date, suite: 'jcs'})[0];
}

/**
 * An Ed25519Multikey key pair whose controller is its did:key, from one of:
 * `seed` (64 hex digits), `keyFile` (Multikey JSON with `secretKeyMultibase`, or the
 * older `privateKeyMultibase` of the vc-di-eddsa vectors), or neither (a fresh key).
 */
export async function loadKeyPair({seed, keyFile} = {}) {
  let keyPair;
  if(seed !== undefined) {
    if(!/^[0-9a-fA-F]{64}$/.test(seed)) {
      throw new Error(`--seed must be 64 hex digits (32 bytes), got ${JSON.stringify(seed)}`);
    }
    keyPair = await Ed25519Multikey.generate({seed: Uint8Array.from(Buffer.from(seed, 'hex'))});
  } else if(keyFile !== undefined) {
    const json = readJson(keyFile);
    const secretKeyMultibase = json.secretKeyMultibase ?? json.privateKeyMultibase;
    if(typeof secretKeyMultibase !== 'string' || typeof json.publicKeyMultibase !== 'string') {
      throw new Error(`${keyFile}: needs publicKeyMultibase and secretKeyMultibase`);
    }
    keyPair = await Ed25519Multikey.from({
      type: 'Multikey', publicKeyMultibase: json.publicKeyMultibase, secretKeyMultibase
    });
  } else {
    keyPair = await Ed25519Multikey.generate();
  }
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  return keyPair;
}

/** Reads and parses a JSON file; the error names the file. */
export function readJson(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch(e) {
    throw new Error(`cannot read ${file}: ${e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch(e) {
    throw new Error(`${file}: not JSON: ${e.message}`);
  }
}

/**
 * Splits argv into options and positional arguments. `spec` maps option names to
 * 'flag' (boolean), 'value' (last one wins) or 'list' (repeatable).
 */
export function parseArgs(argv, spec) {
  const opts = {};
  const rest = [];
  for(let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if(!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const name = a.slice(2);
    const kind = spec[name];
    if(kind === undefined) {
      throw new UsageError(`unknown option ${a}`);
    }
    if(kind === 'flag') {
      opts[name] = true;
      continue;
    }
    if(i + 1 >= argv.length) {
      throw new UsageError(`${a} needs a value`);
    }
    const v = argv[++i];
    if(kind === 'list') {
      (opts[name] ??= []).push(v);
    } else {
      opts[name] = v;
    }
  }
  return {opts, rest};
}

/** A wrong command line (exit status 2). */
export class UsageError extends Error {}

/** Runs `main`, mapping errors to exit status 2 with a message on stderr. */
export async function run(name, usage, main) {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch(e) {
    console.error(`${name}: error: ${e?.message ?? e}`);
    if(e instanceof UsageError) {
      console.error(usage);
    }
    process.exitCode = 2;
  }
}

/** One line describing an error, its details and causes. */
export function describeError(err) {
  if(!err) {
    return null;
  }
  if(Array.isArray(err)) {
    return err.map(describeError).join('; ');
  }
  const parts = [err.message ?? String(err)];
  if(Array.isArray(err.errors)) {
    parts.push(...err.errors.map(describeError));
  }
  if(err.cause) {
    parts.push(`cause: ${describeError(err.cause)}`);
  }
  return [...new Set(parts)].join('; ');
}
