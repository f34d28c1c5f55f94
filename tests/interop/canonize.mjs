// Prints the RDFC-1.0 canonical N-Quads of JSON-LD documents as Digital Bazaar's Data
// Integrity suites compute them (eddsa-rdfc-2022-cryptosuite's and jsonld-signatures'
// canonize: jsonld.js toRDF in safe mode, base null, rdfDirection i18n-datatype, then
// rdf-canonize), offline with the loader of lib.mjs. For comparison with microcred's own
// JSON-LD and RDFC-1.0 (tests/integration/interop.rs).
//
// Usage (from the repository root, after `(cd tests/interop && npm ci)`):
//   node tests/interop/canonize.mjs FILE...
// Prints one JSON line per FILE: {"file", "nquads"} or {"file", "error"}. Exit status 0
// (errors are reported per file), 2 on a usage error.

import jsonld from 'jsonld';

import {makeDocumentLoader, readJson, run, UsageError} from './lib.mjs';

const USAGE = 'usage: node tests/interop/canonize.mjs FILE...';

await run('canonize.mjs', USAGE, async () => {
  const files = process.argv.slice(2);
  if(files.length === 0) {
    throw new UsageError('no FILE given');
  }
  const documentLoader = makeDocumentLoader();
  for(const file of files) {
    let line;
    try {
      // The options of eddsa-rdfc-2022-cryptosuite's lib/canonize.js.
      const nquads = await jsonld.canonize(readJson(file), {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', base: null, safe: true,
        rdfDirection: 'i18n-datatype', documentLoader
      });
      line = {file, nquads};
    } catch(e) {
      line = {file, error: e?.message ?? String(e)};
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
});
