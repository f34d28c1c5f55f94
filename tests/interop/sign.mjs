// Issues credentials and presentations with Digital Bazaar's reference stack
// (@digitalbazaar/vc + DataIntegrityProof + eddsa-jcs-2022), offline.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/sign.mjs did          [KEY]
//   node tests/interop/sign.mjs credential   [KEY] [--created RFC3339] [--keep-issuer] UNSIGNED.json
//   node tests/interop/sign.mjs presentation [KEY] [--created RFC3339] --challenge C
//                                            [--domain D] [--id URI] CREDENTIAL.json...
// KEY is one of
//   --seed HEX   a 32-byte Ed25519 seed (64 hex digits): a fixed, known did:key
//   --key FILE   a Multikey JSON key file with its secret (microcred key files work as is)
// and a fresh key is generated when neither is given; --key-out FILE saves that fresh key
// (Multikey JSON with its secret, mode 0600) so that later runs can sign with it again.
//
// `credential` sets the issuer (a string, or the `id` of an issuer object) to the key's
// did:key unless --keep-issuer, signs with proofPurpose assertionMethod and prints the signed
// credential. `presentation` wraps the credentials (as they are) in a VerifiablePresentation
// whose holder is the key's did:key, signs it with proofPurpose authentication and the given
// challenge and domain, and prints it. The did:key goes to stderr; stdout carries only JSON.
// Exit status: 0 success, 2 failure.

import {randomUUID} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';

import {
  loadKeyPair, makeDocumentLoader, parseArgs, readJson, run, signSuite, UsageError
} from './lib.mjs';

const USAGE = `usage:
  node tests/interop/sign.mjs did          [--seed HEX | --key FILE] [--key-out FILE]
  node tests/interop/sign.mjs credential   [--seed HEX | --key FILE] [--created RFC3339] [--keep-issuer] UNSIGNED.json
  node tests/interop/sign.mjs presentation [--seed HEX | --key FILE] [--created RFC3339] --challenge C [--domain D] [--id URI] CREDENTIAL.json...`;

const SPEC = {
  seed: 'value', key: 'value', 'key-out': 'value', created: 'value', 'keep-issuer': 'flag',
  challenge: 'value', domain: 'value', id: 'value'
};

await run('sign.mjs', USAGE, async () => {
  const [command, ...args] = process.argv.slice(2);
  if(!['did', 'credential', 'presentation'].includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
  const {opts, rest} = parseArgs(args, SPEC);
  if(opts.seed !== undefined && opts.key !== undefined) {
    throw new UsageError('give --seed or --key, not both');
  }
  if(opts.created !== undefined && isNaN(new Date(opts.created))) {
    throw new UsageError(`--created ${opts.created} is not a date-time`);
  }
  const keyPair = await loadKeyPair({seed: opts.seed, keyFile: opts.key});
  const did = keyPair.controller;
  const documentLoader = makeDocumentLoader();
  const suite = signSuite({keyPair, date: opts.created});
  console.error(`sign.mjs: key ${did}`);
  if(opts['key-out'] !== undefined) {
    if(opts.seed !== undefined || opts.key !== undefined) {
      throw new UsageError('--key-out saves a fresh key: give neither --seed nor --key');
    }
    // canonicalize: the 32-byte seed the Multikey format specifies; the default export
    // writes the older 64-byte seed||public form, which microcred's key files refuse.
    const exported = await keyPair.export({
      publicKey: true, secretKey: true, includeContext: true, canonicalize: true
    });
    // 'wx': never overwrite an existing key file.
    writeFileSync(opts['key-out'], JSON.stringify(exported, null, 2) + '\n',
      {mode: 0o600, flag: 'wx'});
  }

  switch(command) {
    case 'did':
      if(rest.length !== 0) {
        throw new UsageError('did takes no FILE');
      }
      console.log(did);
      return 0;
    case 'credential': {
      if(rest.length !== 1) {
        throw new UsageError('credential takes exactly one UNSIGNED.json');
      }
      const credential = readJson(rest[0]);
      if(!opts['keep-issuer']) {
        if(credential.issuer !== null && typeof credential.issuer === 'object') {
          credential.issuer.id = did;
        } else {
          credential.issuer = did;
        }
      }
      const signed = await vc.issue({credential, suite, documentLoader});
      console.log(JSON.stringify(signed, null, 2));
      return 0;
    }
    case 'presentation': {
      if(rest.length === 0) {
        throw new UsageError('presentation needs at least one CREDENTIAL.json');
      }
      if(opts.challenge === undefined) {
        throw new UsageError('presentation needs --challenge');
      }
      const presentation = vc.createPresentation({
        verifiableCredential: rest.map(readJson),
        id: opts.id ?? `urn:uuid:${randomUUID()}`,
        holder: did,
      });
      const signed = await vc.signPresentation({
        presentation, suite, documentLoader,
        challenge: opts.challenge, domain: opts.domain
      });
      console.log(JSON.stringify(signed, null, 2));
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
});
