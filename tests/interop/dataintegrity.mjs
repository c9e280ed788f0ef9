// Test-only bridge to Digital Bazaar's Data Integrity stack (an implementation independent of
// ours). Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"action": "verify", "credential": {...}}          -> {"verified": bool, "error": str}
//   {"action": "issue", "credential": {...}, "seed": hex, "created": str}
//                                                       -> {"credential": {...}, "vm": str}
//   {"action": "issue", "credential": {...}, "cryptosuite": "ecdsa-rdfc-2019" | "ecdsa-jcs-2019",
//    "publicKeyMultibase": str, "secretKeyMultibase": str, "created": str}  -> (the same)
//   {"action": "present", "presentation": {...}, "seed": hex, "challenge": str,
//    "domain": str, "created": str}  -> {"presentation": {...}, "vm": str}
//      (vc.signPresentation: an authentication proof, eddsa-rdfc-2022, by the seed's did:key)
//   {"action": "verifyPresentation", "presentation": {...}, "challenge": str, "domain": str}
//      -> {"verified": bool, "error": str} (the holder's proof and every credential)
// Verification accepts eddsa-rdfc-2022, ecdsa-rdfc-2019 and ecdsa-jcs-2019 proofs (P-256, P-384).
// JSON-LD contexts come only from this project's contexts/MANIFEST (no network); did:key
// verification methods are expanded locally.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  createSignCryptosuite as ecdsaJcs2019Sign, createVerifyCryptosuite as ecdsaJcs2019Verify
} from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {offlineDocumentLoader} from './contexts.mjs';

function didKeyDocuments(url) {
  const did = url.split('#')[0];
  const multibase = did.slice('did:key:'.length);
  const vmId = `${did}#${multibase}`;
  const method = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase
  };
  if(url.includes('#')) {
    return method;
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did, verificationMethod: [method], assertionMethod: [vmId], authentication: [vmId]
  };
}

// did:key verification methods are expanded here, not resolved.
const documentLoader = offlineDocumentLoader(
  url => url.startsWith('did:key:') ? didKeyDocuments(url) : undefined);

async function verify({credential}) {
  const suite = [eddsaRdfc2022, ecdsaRdfc2019, ecdsaJcs2019Verify()]
    .map(cryptosuite => new DataIntegrityProof({cryptosuite}));
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  const error = result.error ? String(result.error.errors?.[0]?.message ?? result.error) : '';
  return {verified: result.verified, error};
}

// The signing key: Ed25519 from a 32-byte seed, or a P-256/P-384 key pair given as Multikeys
// (so the secret key's multicodec header is read by their code, not ours).
async function signingKey({seed, publicKeyMultibase, secretKeyMultibase}) {
  if(seed) {
    return Ed25519Multikey.generate({seed: Uint8Array.from(Buffer.from(seed, 'hex'))});
  }
  return EcdsaMultikey.from({publicKeyMultibase, secretKeyMultibase});
}

const signingSuites = {
  'eddsa-rdfc-2022': () => eddsaRdfc2022,
  'ecdsa-rdfc-2019': () => ecdsaRdfc2019,
  'ecdsa-jcs-2019': ecdsaJcs2019Sign
};

async function issue({credential, created, cryptosuite = 'eddsa-rdfc-2022', ...key}) {
  const keyPair = await signingKey(key);
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  const signer = keyPair.signer();
  const suite = new DataIntegrityProof(
    {signer, date: created, cryptosuite: signingSuites[cryptosuite]()});
  const signed = await vc.issue({credential, suite, documentLoader});
  return {credential: signed, vm: keyPair.id};
}

async function present({presentation, seed, challenge, domain, created}) {
  const keyPair = await signingKey({seed});
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  const suite = new DataIntegrityProof(
    {signer: keyPair.signer(), date: created, cryptosuite: eddsaRdfc2022});
  const signed = await vc.signPresentation(
    {presentation, suite, challenge, domain, documentLoader});
  return {presentation: signed, vm: keyPair.id};
}

async function verifyPresentation({presentation, challenge, domain}) {
  const suite = [eddsaRdfc2022, ecdsaRdfc2019, ecdsaJcs2019Verify()]
    .map(cryptosuite => new DataIntegrityProof({cryptosuite}));
  const result = await vc.verify(
    {presentation, challenge, domain, suite, documentLoader});
  const first = result.error?.errors?.[0] ?? result.error;
  return {verified: result.verified, error: first ? String(first.message ?? first) : ''};
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const handlers = {verify, issue, present, verifyPresentation};
process.stdout.write(JSON.stringify(await handlers[request.action](request)));
