// Test-only bridge to Digital Bazaar's jsonld.js and rdf-canonize (RDFC-1.0), an implementation
// independent of ours. Reads a JSON array of requests on stdin, writes a JSON array of answers:
//   {"document": {...}}   -> {"nquads": str} canonical N-Quads of a JSON-LD document, or {"error": str}
//   {"nquads": str}       -> {"nquads": str} canonical N-Quads of an N-Quads dataset, or {"error": str}
// JSON-LD contexts come only from this project's contexts/MANIFEST (no network).
import {readFileSync} from 'node:fs';

import jsonld from 'jsonld';
import rdfCanonize from 'rdf-canonize';

import {offlineDocumentLoader} from './contexts.mjs';

const documentLoader = offlineDocumentLoader();

async function answer(request) {
  try {
    if('document' in request) {
      return {nquads: await jsonld.canonize(request.document, {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
      })};
    }
    return {nquads: await rdfCanonize.canonize(request.nquads, {
      algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads'
    })};
  } catch(error) {
    return {error: String(error?.message ?? error)};
  }
}

const requests = JSON.parse(readFileSync(0, 'utf8'));
const answers = [];
for(const request of requests) {
  answers.push(await answer(request));
}
process.stdout.write(JSON.stringify(answers));
