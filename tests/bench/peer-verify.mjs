// Times Digital Bazaar's reference stack (@digitalbazaar/vc, DataIntegrityProof,
// eddsa-jcs-2022) verifying every *.json credential of a directory, in one process,
// offline (the interop document loader: bundled contexts and did:key only).
//
// Usage (tests/bench/bulk.sh runs it): node peer-verify.mjs DIR
// It is copied next to the interop `lib.mjs` with `node_modules` linked, because
// ES modules resolve packages from the importing file's directory.

import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {makeDocumentLoader, verifySuite} from './lib.mjs';

const dir = process.argv[2];
const files = readdirSync(dir).filter(f => f.endsWith('.json')).sort();
const documentLoader = makeDocumentLoader();
const suite = verifySuite();
let verified = 0;
const start = process.hrtime.bigint();
for(const file of files) {
  // Reading and parsing are timed, as they are for microcred.
  const credential = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  if(result.verified) {
    verified++;
  } else if(verified === 0) {
    console.error(`peer: ${file} not verified: ${result.error?.message ?? JSON.stringify(result)}`);
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const rss = Math.round(process.resourceUsage().maxRSS);
console.log(`peer (vc-js, eddsa-jcs-2022): ${files.length} files, ${verified} verified, ` +
  `${(files.length / seconds).toFixed(0)} credentials/s on 1 core; peak RSS ${rss} KiB`);
if(verified !== files.length) {
  process.exit(1);
}
