// Test-only holder: takes a credential offer over VC API exchanges the way the Learner
// Credential Wallet does, with an Ed25519 did:key of its own. Reads one JSON request on stdin,
// writes one JSON answer on stdout:
//   {"interaction": "<interaction URL>?iuv=1", "suite": "eddsa-rdfc-2022" | "Ed25519Signature2020"}
//   -> {"did", "protocols", "request", "presentation", "status", "answer"}
// It dereferences the interaction URL (Accept: application/json), POSTs {} to the `vcapi`
// exchange, signs a DID Authentication presentation for the request's challenge and domain
// and POSTs it to the request's interact service, as LCW does (app/lib/exchanges.ts).
//
// The suites: eddsa-rdfc-2022 with Digital Bazaar's @digitalbazaar/vc, DataIntegrityProof and
// an @digitalbazaar/ed25519-multikey key; Ed25519Signature2020 with the packages LCW signs with
// (@digitalcredentials/vc, ed25519-signature-2020, ed25519-verification-key-2020). JSON-LD
// contexts come from contexts/MANIFEST only; the service is reached over the loopback network.
import {readFileSync} from 'node:fs';

import {offlineDocumentLoader} from './contexts.mjs';

const documentLoader = offlineDocumentLoader();
console.log = console.error;  // stdout carries the answer alone

async function dataIntegrityHolder() {
  const vc = await import('@digitalbazaar/vc');
  const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
  const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
  const {cryptosuite} = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const sign = ({challenge, domain}) => vc.signPresentation({
    presentation: vc.createPresentation({holder: did}),
    suite: new DataIntegrityProof({signer: key.signer(), cryptosuite}),
    challenge, domain, documentLoader
  });
  return {did, sign};
}

async function lcwHolder() {
  const vc = await import('@digitalcredentials/vc');
  const {Ed25519Signature2020} = await import('@digitalcredentials/ed25519-signature-2020');
  const {Ed25519VerificationKey2020} =
    await import('@digitalcredentials/ed25519-verification-key-2020');
  const key = await Ed25519VerificationKey2020.generate();
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  const sign = ({challenge, domain}) => vc.signPresentation({
    presentation: vc.createPresentation({holder: did}),
    suite: new Ed25519Signature2020({key}), challenge, domain, documentLoader
  });
  return {did, sign};
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)
  });
  return {status: response.status, answer: await response.json()};
}

const {interaction, suite = 'eddsa-rdfc-2022'} = JSON.parse(readFileSync(0, 'utf8'));
const holder = suite === 'Ed25519Signature2020' ? await lcwHolder() : await dataIntegrityHolder();

const discovered = await fetch(interaction, {headers: {Accept: 'application/json'}});
if(!discovered.ok) {
  throw new Error(`interaction URL answered HTTP ${discovered.status}`);
}
const {protocols} = await discovered.json();
const started = await post(protocols.vcapi, {});
const request = started.answer.verifiablePresentationRequest;
const queries = [].concat(request.query);
if(!queries.some(query => query.type === 'DIDAuthentication')) {
  throw new Error(`not a DID Authentication request: ${JSON.stringify(request)}`);
}
const presentation = await holder.sign(request);
const endpoint = request.interact?.service?.[0]?.serviceEndpoint ?? protocols.vcapi;
const {status, answer} = await post(endpoint, {verifiablePresentation: presentation});
process.stdout.write(JSON.stringify(
  {did: holder.did, protocols, request, presentation, status, answer}));
