// Bitstring Status List with Digital Bazaar's reference
// (@digitalbazaar/vc-bitstring-status-list), offline.
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/status.mjs read LIST.json INDEX...
//   node tests/interop/status.mjs create --id URL --purpose revocation|suspension
//        [--length N] [--set INDEX]... [--seed HEX | --key FILE] [--created RFC3339]
//        [--valid-from RFC3339]
//
// `read` asks the reference's status checker (checkStatus) about each INDEX, the way a
// verifier would for a credential whose BitstringStatusListEntry points at that index of the
// list: the list credential's proof is verified (eddsa-jcs-2022, did:key), its
// issuer must match, its statusPurpose is used. It prints one JSON object:
//   {"id", "issuer", "statusPurpose", "length", "bits": {"INDEX": true|false, …}}
// `create` builds a list of N entries (default 131072, the specification's minimum) with the
// given bits set, wraps it with the reference's createCredential, sets the issuer to the
// key's did:key (and validFrom), signs it with vc.issue and prints the credential.
// Exit status: 0 success, 1 the list could not be read or verified, 2 usage.

import * as vc from '@digitalbazaar/vc';
import {
  checkStatus, createCredential, createList, decodeList
} from '@digitalbazaar/vc-bitstring-status-list';

import {
  describeError, loadKeyPair, makeDocumentLoader, parseArgs, readJson, run, signSuite,
  UsageError, verifySuite
} from './lib.mjs';

const USAGE = `usage:
  node tests/interop/status.mjs read LIST.json INDEX...
  node tests/interop/status.mjs create --id URL --purpose revocation|suspension [--length N] [--set INDEX]... [--seed HEX | --key FILE] [--created RFC3339] [--valid-from RFC3339]`;

function index(s) {
  if(!/^[0-9]+$/.test(s)) {
    throw new UsageError(`INDEX ${JSON.stringify(s)} is not a non-negative integer`);
  }
  return Number.parseInt(s, 10);
}

async function read(file, indexes) {
  const list = readJson(file);
  const issuer = typeof list.issuer === 'object' ? list.issuer?.id : list.issuer;
  const statusPurpose = list.credentialSubject?.statusPurpose;
  const documentLoader = makeDocumentLoader({documents: new Map([[list.id, list]])});
  const suite = verifySuite();
  const {length} = await decodeList({encodedList: list.credentialSubject?.encodedList});
  const bits = {};
  for(const i of indexes) {
    // A probe credential whose only status entry points at index i of the list.
    const credential = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer,
      credentialSubject: {id: 'urn:example:status-probe'},
      credentialStatus: {
        id: `${list.id}#probe-${i}`,
        type: 'BitstringStatusListEntry',
        statusPurpose,
        statusListIndex: String(i),
        statusListCredential: list.id,
      },
    };
    const result = await checkStatus({credential, documentLoader, suite});
    if(!result.verified) {
      throw new ReadError(`index ${i}: ${describeError(result.error) ?? 'not verified'}`);
    }
    bits[i] = result.results[0].status;
  }
  console.log(JSON.stringify({id: list.id, issuer, statusPurpose, length, bits}));
  return 0;
}

class ReadError extends Error {}

async function create(opts) {
  if(typeof opts.id !== 'string') {
    throw new UsageError('create needs --id URL');
  }
  if(!['revocation', 'suspension'].includes(opts.purpose)) {
    throw new UsageError('create needs --purpose revocation|suspension');
  }
  if(opts.seed !== undefined && opts.key !== undefined) {
    throw new UsageError('give --seed or --key, not both');
  }
  const length = opts.length === undefined ? 131072 : index(opts.length);
  const list = await createList({length});
  for(const s of opts.set ?? []) {
    const i = index(s);
    if(i >= length) {
      throw new UsageError(`--set ${i} is beyond the list's ${length} entries`);
    }
    list.setStatus(i, true);
  }
  const keyPair = await loadKeyPair({seed: opts.seed, keyFile: opts.key});
  console.error(`status.mjs: key ${keyPair.controller}`);
  const credential = await createCredential({id: opts.id, list, statusPurpose: opts.purpose});
  credential.issuer = keyPair.controller;
  credential.validFrom = opts['valid-from'] ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const signed = await vc.issue({
    credential, suite: signSuite({keyPair, date: opts.created}),
    documentLoader: makeDocumentLoader()
  });
  console.log(JSON.stringify(signed, null, 2));
  return 0;
}

await run('status.mjs', USAGE, async () => {
  const [command, ...args] = process.argv.slice(2);
  const {opts, rest} = parseArgs(args, {
    id: 'value', purpose: 'value', length: 'value', set: 'list', seed: 'value',
    key: 'value', created: 'value', 'valid-from': 'value'
  });
  switch(command) {
    case 'read':
      if(rest.length < 2) {
        throw new UsageError('read needs LIST.json and at least one INDEX');
      }
      try {
        return await read(rest[0], rest.slice(1).map(index));
      } catch(e) {
        if(e instanceof UsageError) {
          throw e;
        }
        console.error(`status.mjs: ${rest[0]}: ${describeError(e)}`);
        return 1;
      }
    case 'create':
      if(rest.length !== 0) {
        throw new UsageError('create takes no FILE');
      }
      return create(opts);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
});
