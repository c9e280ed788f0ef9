// Digital Bazaar's @digitalbazaar/vc signing and verifying one credential in-process (eddsa-rdfc-2022,
// one sequential loop, warm), the yardstick bench_http.py sets our HTTP rates beside.
// Reads {"credential": {...}, "seconds": n} on stdin (an unsigned credential); writes
// {"sign": per second, "verify": per second, "verified": bool}. Run from bench_http.py; needs
// tests/interop's node_modules (npm ci there). Contexts come from contexts/MANIFEST, offline.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const interop = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'interop');
const fromInterop = createRequire(join(interop, 'package.json'));
const load = async name => import(pathToFileURL(fromInterop.resolve(name)).href);

const vc = await load('@digitalbazaar/vc');
const Ed25519Multikey = await load('@digitalbazaar/ed25519-multikey');
const {DataIntegrityProof} = await load('@digitalbazaar/data-integrity');
const {cryptosuite} = await load('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const {offlineDocumentLoader} = await import(pathToFileURL(join(interop, 'contexts.mjs')).href);

const {credential, seconds} = JSON.parse(readFileSync(0, 'utf8'));
const keyPair = await Ed25519Multikey.generate({seed: new Uint8Array(32).fill(7)});
const did = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = did;
keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
const method = {
  '@context': 'https://w3id.org/security/multikey/v1', id: keyPair.id, type: 'Multikey',
  controller: did, publicKeyMultibase: keyPair.publicKeyMultibase
};
const controller = {
  '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
  id: did, verificationMethod: [method], assertionMethod: [keyPair.id]
};
const documentLoader = offlineDocumentLoader(
  url => url === keyPair.id ? method : url === did ? controller : undefined);

// The same credential, issued by the did:key (their issuance purpose ties issuer to signer).
const unsigned = structuredClone(credential);
unsigned.issuer = typeof unsigned.issuer === 'string' ? did : {...unsigned.issuer, id: did};
const signSuite = () => new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
const verifySuite = new DataIntegrityProof({cryptosuite});
// The status bit is not looked up (no network); our HTTP verifier does look it up.
const checkStatus = async () => ({verified: true});

async function rate(action) {
  await action();
  let count = 0;
  const started = performance.now();
  while(performance.now() - started < seconds * 1000) {
    await action();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

const sign = () => vc.issue({credential: structuredClone(unsigned), suite: signSuite(),
  documentLoader});
const signed = await sign();
let verified = true;
const verify = async () => {
  const result = await vc.verifyCredential(
    {credential: signed, suite: verifySuite, documentLoader, checkStatus});
  verified &&= result.verified;
};
const signRate = await rate(sign);
const verifyRate = await rate(verify);
process.stdout.write(JSON.stringify({sign: signRate, verify: verifyRate, verified}));
