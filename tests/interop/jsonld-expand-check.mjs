// JSON-LD "every term is defined" check, using an independent processor (jsonld.js).
//
// Usage (from the repository root):
//   (cd tests/interop && npm ci)        # once; installs jsonld@9.0.0 from package-lock.json
//   node tests/interop/jsonld-expand-check.mjs FILE...
//   node tests/interop/jsonld-expand-check.mjs --negative FILE...
//
// For each FILE (a credential as JSON) it runs jsonld.expand() and jsonld.toRDF() in safe mode.
// Safe mode throws when a member would be dropped (term not defined by any context in scope) or
// when a relative IRI would be produced, so a pass means every member of the credential maps
// to an absolute IRI. With --negative it additionally injects undefined members at several
// places (credential root, achievement.microCredential, a nested extension object, a Result).
// Outside achievement.microCredential each injection must be rejected, proving the check has
// teeth. Under it, what is required depends on the context: with the v1 URL (every term
// defined) the injection must be rejected too; with the inline context object (whose scoped
// @vocab maps every member under microCredential to https://w3id.org/microcred/vocab#) it must
// expand to that vocabulary IRI, not be dropped.
//
// Contexts are never fetched: the document loader serves only the bundled copies below and
// throws for any other URL. Paths are relative to the repository root (two levels up from
// this file; override with MICROCRED_ROOT).
//
// Exit status: 0 if every check passed, 1 otherwise.

import {readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import jsonld from 'jsonld';

const ROOT = process.env.MICROCRED_ROOT ?? fileURLToPath(new URL('../../', import.meta.url));

const CONTEXT_FILES = {
  'https://www.w3.org/ns/credentials/v2': 'tests/vectors/contexts/credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json':
    'tests/vectors/contexts/ob-v3p0-context-3.0.3.json',
  'https://w3id.org/microcred/v1': 'crates/microcred-core/contexts/microcredential-v1.jsonld',
};

const contexts = new Map();
for(const [url, rel] of Object.entries(CONTEXT_FILES)) {
  const bytes = readFileSync(resolve(ROOT, rel));
  contexts.set(url, JSON.parse(bytes.toString('utf8')));
  const sha = createHash('sha256').update(bytes).digest('hex');
  console.error(`context ${url} <- ${rel} sha256=${sha}`);
}

async function documentLoader(url) {
  if(!contexts.has(url)) {
    throw new Error(`documentLoader: refusing to load non-bundled URL ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
}

const OPTS = {documentLoader, safe: true};

// Expands and converts to RDF in safe mode; returns the N-Quads lines. Throws on failure.
async function check(doc) {
  await jsonld.expand(structuredClone(doc), OPTS);
  const nquads = await jsonld.toRDF(structuredClone(doc), {...OPTS, format: 'application/n-quads'});
  return nquads.split('\n').filter(l => l.length > 0);
}

const VOCAB = 'https://w3id.org/microcred/vocab#';

function describe(err) {
  const d = err?.details?.event?.code ?? err?.details?.code ?? err?.name ?? 'error';
  const cause = err?.details?.cause?.message;
  return `${d}: ${err?.message ?? err}${cause ? ` (cause: ${cause})` : ''}`;
}

// Each injection takes a deep copy of the document and adds one undefined member.
// The third element says whether the place is under achievement.microCredential.
const INJECTIONS = [
  ['credential root', d => { d.bogusRootTerm = 'x'; }, false],
  ['achievement.microCredential', d => {
    d.credentialSubject.achievement.microCredential.bogusTerm = 'x';
  }, true],
  ['microCredential.qualityAssurance', d => {
    d.credentialSubject.achievement.microCredential.qualityAssurance.bogusTerm = 'x';
  }, true],
  ['microCredential.workload.creditPoints[0]', d => {
    d.credentialSubject.achievement.microCredential.workload.creditPoints[0].bogusTerm = 1;
  }, true],
  ['credentialSubject.result[0]', d => { d.credentialSubject.result[0].bogusTerm = true; }, false],
];

const args = process.argv.slice(2);
const negative = args.includes('--negative');
const files = args.filter(a => a !== '--negative');
if(files.length === 0) {
  console.error('usage: node tests/interop/jsonld-expand-check.mjs [--negative] FILE...');
  process.exit(2);
}

let failures = 0;
for(const file of files) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch(e) {
    console.log(`FAIL ${file}: cannot read/parse JSON: ${e.message}`);
    failures++;
    continue;
  }
  try {
    const quads = (await check(doc)).length;
    console.log(`PASS ${file}: safe-mode expand + toRDF ok (${quads} quads)`);
  } catch(e) {
    console.log(`FAIL ${file}: ${describe(e)}`);
    failures++;
  }
  if(!negative) {
    continue;
  }
  const legacy = [].concat(doc['@context']).includes('https://w3id.org/microcred/v1');
  for(const [where, inject, underMicroCredential] of INJECTIONS) {
    const mutated = structuredClone(doc);
    try {
      inject(mutated);
    } catch {
      console.log(`SKIP ${file}: negative check at ${where} (path not present)`);
      continue;
    }
    let lines;
    try {
      lines = await check(mutated);
    } catch(e) {
      if(underMicroCredential && !legacy) {
        console.log(`FAIL ${file}: member at ${where} should expand under @vocab: ${describe(e)}`);
        failures++;
      } else {
        console.log(`PASS ${file}: undefined member at ${where} rejected (${describe(e)})`);
      }
      continue;
    }
    if(underMicroCredential && !legacy &&
      lines.some(l => l.includes(`<${VOCAB}bogusTerm>`))) {
      console.log(`PASS ${file}: member at ${where} expanded to <${VOCAB}bogusTerm> (@vocab)`);
    } else {
      console.log(`FAIL ${file}: undefined member at ${where} was NOT rejected`);
      failures++;
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
