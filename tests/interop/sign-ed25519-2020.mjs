// Signs a credential with Ed25519Signature2020 — the Linked Data Signature suite of the
// Digital Credentials Consortium's issuers and of most Learner Credential Wallet credentials —
// using Digital Bazaar's reference (@digitalbazaar/vc + @digitalbazaar/ed25519-signature-2020),
// offline, so that microcred-verify can be checked against it.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/sign-ed25519-2020.mjs [--seed HEX] [--created RFC3339] UNSIGNED.json
//
// The key is the Ed25519VerificationKey2020 of the 32-byte seed (64 hex digits; a fresh key
// without --seed) as a did:key (`did:key:z6Mk…#z6Mk…`). The issuer (a string, or the `id` of
// an issuer object) is set to that did:key; the suite context
// (https://w3id.org/security/suites/ed25519-2020/v1) is appended to `@context` when missing,
// as issuers of this suite do. The signed credential goes to stdout, the did:key to stderr.
// Exit status: 0 success, 2 failure.

import * as vc from '@digitalbazaar/vc';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {
  Ed25519VerificationKey2020
} from '@digitalbazaar/ed25519-verification-key-2020';

import {makeDocumentLoader, parseArgs, readJson, run, UsageError} from './lib.mjs';

const USAGE = `usage:
  node tests/interop/sign-ed25519-2020.mjs [--seed HEX] [--created RFC3339] UNSIGNED.json`;
const SUITE_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';

await run('sign-ed25519-2020.mjs', USAGE, async () => {
  const {opts, rest} = parseArgs(process.argv.slice(2), {seed: 'value', created: 'value'});
  if(rest.length !== 1) {
    throw new UsageError('give exactly one UNSIGNED.json');
  }
  let seed;
  if(opts.seed !== undefined) {
    if(!/^[0-9a-fA-F]{64}$/.test(opts.seed)) {
      throw new UsageError('--seed must be 64 hex digits');
    }
    seed = Uint8Array.from(Buffer.from(opts.seed, 'hex'));
  }
  const key = await Ed25519VerificationKey2020.generate(seed ? {seed} : {});
  const fingerprint = key.fingerprint();
  key.controller = `did:key:${fingerprint}`;
  key.id = `${key.controller}#${fingerprint}`;
  console.error(`sign-ed25519-2020.mjs: key ${key.controller}`);

  const credential = readJson(rest[0]);
  const ctx = credential['@context'];
  if(Array.isArray(ctx) && !ctx.includes(SUITE_CONTEXT)) {
    ctx.push(SUITE_CONTEXT);
  }
  if(credential.issuer !== null && typeof credential.issuer === 'object') {
    credential.issuer.id = key.controller;
  } else {
    credential.issuer = key.controller;
  }
  const suite = new Ed25519Signature2020({key, date: opts.created});
  const signed = await vc.issue({
    credential, suite, documentLoader: makeDocumentLoader()
  });
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
});
