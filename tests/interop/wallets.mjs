// Test-only bridge to two verifiers our credentials meet outside this project, run as they
// ship: @digitalcredentials/verifier-core (the verifier inside the Learner Credential Wallet
// and VerifierPlus) and @digitalbazaar/vc with a did:web resolver and the Bitstring Status
// List checker. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"verifier": "verifier-core" | "vc", "credentials": [...], "documents": {url: doc}}
//   -> {"results": [one per credential], "fetched": [{url, answer}]}
// verifier-core's result is its own (log, errors, additionalInformation); vc's is
// {verified, error, statuses: [{purpose, status}]}. `fetched` lists every URL the verifier
// asked the network for and how it was answered.
//
// The network is this machine's: loopback HTTPS (our test server, trusted through
// NODE_EXTRA_CA_CERTS) is fetched for real; published documents the packages do not bundle
// (JSON-LD contexts from contexts/MANIFEST, and the `documents` the caller passes) are answered
// from those copies; anything else fails as it would offline.
import {readFileSync} from 'node:fs';

import {publishedTexts} from './contexts.mjs';

const published = new Map(publishedTexts);

const request = JSON.parse(readFileSync(0, 'utf8'));
for(const [url, document] of Object.entries(request.documents ?? {})) {
  published.set(url, JSON.stringify(document));
}

// stdout carries the answer alone: the packages' own console output goes to stderr.
console.log = console.error;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const fetched = [];
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const key = url.href.replace(/#.*$/, '');
  if(LOOPBACK.has(url.hostname)) {
    const response = await networkFetch(input, init);
    fetched.push({url: key, answer: `HTTP ${response.status}`});
    return response;
  }
  if(published.has(key)) {
    fetched.push({url: key, answer: 'offline copy'});
    return new Response(published.get(key),
      {status: 200, headers: {'content-type': 'application/ld+json'}});
  }
  fetched.push({url: key, answer: 'refused: offline'});
  throw new TypeError(`fetch failed: ${key} is not reachable offline`);
};

// Imported after fetch is in place: some packages bind it when they load.
async function verifierCore({credential}) {
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  // No issuer registries: the DCC registry is a network fetch this test cannot make.
  const result = await verifyCredential({credential, knownDIDRegistries: []});
  delete result.credential;
  return JSON.parse(JSON.stringify(result, (key, value) =>
    key === 'stackTrace' || key === 'stack' ? undefined : value));
}

async function digitalBazaar({credential}) {
  const vc = await import('@digitalbazaar/vc');
  const {CachedResolver} = await import('@digitalbazaar/did-io');
  const didWeb = await import('@digitalbazaar/did-method-web');
  const {checkStatus} = await import('@digitalbazaar/vc-bitstring-status-list');
  const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
  const {cryptosuite} = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

  const resolver = new CachedResolver();
  resolver.use(didWeb.driver());
  async function documentLoader(url) {
    if(url.startsWith('did:')) {
      return {contextUrl: null, documentUrl: url, document: await resolver.get({url})};
    }
    // Contexts, and status lists over HTTPS, through the network described above.
    const response = await globalThis.fetch(url, {headers: {accept: 'application/ld+json'}});
    if(!response.ok) {
      throw new Error(`${url}: HTTP ${response.status}`);
    }
    return {contextUrl: null, documentUrl: url, document: await response.json()};
  }
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const error = result.error ?
    String(result.error.errors?.[0]?.message ?? result.error.message ?? result.error) :
    result.statusResult?.error ? String(result.statusResult.error.message) : '';
  const statuses = (result.statusResult?.results ?? []).map(r => ({
    purpose: r.credentialStatus.statusPurpose, status: r.status
  }));
  return {verified: result.verified, error, statuses};
}

const verifiers = {'verifier-core': verifierCore, vc: digitalBazaar};
const results = [];
for(const credential of request.credentials) {
  results.push(await verifiers[request.verifier]({credential}));
}
process.stdout.write(JSON.stringify({results, fetched}));
