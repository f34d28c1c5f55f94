// ECDSA Data Integrity (ecdsa-rdfc-2019, ecdsa-jcs-2019; P-256 and P-384) with Digital
// Bazaar's reference stack (@digitalbazaar/vc, DataIntegrityProof, the two ECDSA
// cryptosuites, @digitalbazaar/ecdsa-multikey), offline.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/ecdsa.mjs sign   --curve P-256|P-384 --suite rdfc|jcs [--key FILE]
//                                      [--key-out FILE] [--created RFC3339] UNSIGNED.json
//   node tests/interop/ecdsa.mjs verify --suite rdfc|jcs SIGNED.json
// `sign` signs with a fresh key of the curve (or the Multikey key file FILE, whose
// secretKeyMultibase is a p256-priv / p384-priv key), sets the issuer to the key's did:key,
// uses proofPurpose assertionMethod, and prints the signed credential; --key-out saves the
// fresh key (Multikey JSON with its secret, mode 0600). `verify` prints the reference's
// verdict as JSON ({"verified": …, "errors": […]}) and exits 0 when the credential verifies,
// 1 when it does not. Exit status 2: the script itself failed.

import {writeFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {
  createSignCryptosuite, createVerifyCryptosuite
} from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';

import {describeError, makeDocumentLoader, parseArgs, readJson, run, UsageError} from './lib.mjs';

const USAGE = `usage:
  node tests/interop/ecdsa.mjs sign   --curve P-256|P-384 --suite rdfc|jcs [--key FILE] [--key-out FILE] [--created RFC3339] UNSIGNED.json
  node tests/interop/ecdsa.mjs verify --suite rdfc|jcs SIGNED.json`;

const SPEC = {curve: 'value', suite: 'value', key: 'value', 'key-out': 'value', created: 'value'};

// did:key for P-256 (zDna…) and P-384 (z82L…) keys, resolved offline.
const didKeyDriver = didMethodKey.driver();
for(const header of ['zDna', 'z82L']) {
  didKeyDriver.use({multibaseMultikeyHeader: header, fromMultibase: EcdsaMultikey.from});
}
const contexts = makeDocumentLoader();
async function documentLoader(url) {
  if(url.startsWith('did:key:zDna') || url.startsWith('did:key:z82L')) {
    const document = await didKeyDriver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  return contexts(url);
}

function cryptosuite(suite, sign) {
  if(suite === 'rdfc') {
    return rdfc2019;
  }
  if(suite === 'jcs') {
    return sign ? createSignCryptosuite() : createVerifyCryptosuite();
  }
  throw new UsageError(`--suite must be rdfc or jcs, got ${JSON.stringify(suite ?? '')}`);
}

await run('ecdsa.mjs', USAGE, async () => {
  const [command, ...args] = process.argv.slice(2);
  const {opts, rest} = parseArgs(args, SPEC);
  if(rest.length !== 1) {
    throw new UsageError('give one FILE');
  }
  const doc = readJson(rest[0]);
  if(command === 'verify') {
    const suite = new DataIntegrityProof({cryptosuite: cryptosuite(opts.suite, false)});
    const result = await vc.verifyCredential({credential: doc, suite, documentLoader});
    const errors = [result.error, ...(result.results ?? []).map(r => r.error)]
      .filter(Boolean).map(describeError);
    console.log(JSON.stringify({verified: result.verified, errors}));
    return result.verified ? 0 : 1;
  }
  if(command !== 'sign') {
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
  let keyPair;
  if(opts.key !== undefined) {
    const json = readJson(opts.key);
    keyPair = await EcdsaMultikey.from({
      type: 'Multikey', publicKeyMultibase: json.publicKeyMultibase,
      secretKeyMultibase: json.secretKeyMultibase
    });
  } else {
    if(!['P-256', 'P-384'].includes(opts.curve)) {
      throw new UsageError(`--curve must be P-256 or P-384, got ${JSON.stringify(opts.curve ?? '')}`);
    }
    keyPair = await EcdsaMultikey.generate({curve: opts.curve});
  }
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  console.error(`ecdsa.mjs: key ${did}`);
  if(opts['key-out'] !== undefined) {
    const exported = await keyPair.export({publicKey: true, secretKey: true, includeContext: true});
    writeFileSync(opts['key-out'], JSON.stringify(exported, null, 2) + '\n',
      {mode: 0o600, flag: 'wx'});
  }
  if(doc.issuer !== null && typeof doc.issuer === 'object') {
    doc.issuer.id = did;
  } else {
    doc.issuer = did;
  }
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), date: opts.created, cryptosuite: cryptosuite(opts.suite, true)
  });
  const signed = await vc.issue({credential: doc, suite, documentLoader});
  console.log(JSON.stringify(signed, null, 2));
  return 0;
});
