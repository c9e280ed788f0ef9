// Test-only: an OpenID4VP 1.0 wallet built on the OpenWallet Foundation's client
// (@openid4vc/openid4vp), presenting with Digital Bazaar's @digitalbazaar/vc. It answers one
// authorization request the way a wallet app does: parse the openid4vp:// link, resolve it
// (for a request by reference: fetch the request object and check its signature against the
// verifier's DID document, as the client's decentralized_identifier: rules ask), sign a
// presentation whose proof carries the nonce as challenge and the client_id as domain (the
// W3C VC profile's binding), and build the authorization response. Reads one JSON request on
// stdin, writes one JSON answer on stdout:
//   {"link": "openid4vp://...", "requestObject": "<jwt>" | null, "didDocument": {...} | null,
//    "credentials": [...], "seed": hex, "created": str, "nonce": str | null}
//   -> {"client": {...}, "version": n, "signed": bool, "dcql": {...},
//       "response": {"vp_token": {...}, "state": str}}
// "nonce" replaces the request's nonce in the proof (a wrong-nonce test). No network: the
// request object and DID document come in the request.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {setGlobalConfig} from '@openid4vc/utils';

import {offlineDocumentLoader} from './contexts.mjs';

const request = JSON.parse(readFileSync(0, 'utf8'));
console.log = console.error; // stdout carries the answer alone
// The service under test answers at http://localhost:5000 (Flask's test client, no
// network); the client asks for https:// everywhere else.
setGlobalConfig({allowInsecureUrls: true});

function didKeyDocument(url) {
  const did = url.split('#')[0];
  const multibase = did.slice('did:key:'.length);
  return {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: `${did}#${multibase}`, type: 'Multikey', controller: did,
    publicKeyMultibase: multibase
  };
}
const documentLoader = offlineDocumentLoader(
  url => url.startsWith('did:key:') ? didKeyDocument(url) : undefined);

// The request object's signature, by the verification method its kid names in the
// verifier's DID document (given), whose DID must be the client_id's.
async function verifyJwt(signer, jwt) {
  const method = (request.didDocument?.verificationMethod ?? [])
    .find(vm => vm.id === signer.didUrl);
  if(signer.method !== 'did' || !method?.publicKeyMultibase) {
    return {verified: false};
  }
  const key = await Ed25519Multikey.from(method);
  const [header, payload, signature] = jwt.compact.split('.');
  const verified = await key.verifier().verify({
    data: new TextEncoder().encode(`${header}.${payload}`),
    signature: Buffer.from(signature, 'base64url')
  });
  return {verified, signerJwk: await Ed25519Multikey.toJwk({keyPair: key})};
}

async function fetchRequestObject(url) {
  if(!request.requestObject) {
    throw new TypeError(`fetch failed: ${url} is not reachable offline`);
  }
  return new Response(request.requestObject, {
    status: 200, headers: {'content-type': 'application/oauth-authz-req+jwt'}
  });
}

const client = new Openid4vpClient({callbacks: {
  fetch: fetchRequestObject, verifyJwt,
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  decryptJwe: () => {
    throw new Error('no encrypted requests here');
  },
  encryptJwe: () => {
    throw new Error('no encrypted responses here');
  },
  signJwt: () => {
    throw new Error('no signed responses here');
  }
}});

const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: request.link});
const resolved = await client.resolveOpenId4vpAuthorizationRequest(
  {authorizationRequestPayload: parsed.params});
const asked = resolved.authorizationRequestPayload;

const keyPair = await Ed25519Multikey.generate(
  {seed: Uint8Array.from(Buffer.from(request.seed, 'hex'))});
const holder = `did:key:${keyPair.publicKeyMultibase}`;
keyPair.controller = holder;
keyPair.id = `${holder}#${keyPair.publicKeyMultibase}`;
const suite = new DataIntegrityProof(
  {signer: keyPair.signer(), date: request.created, cryptosuite: eddsaRdfc2022});
const presentation = await vc.signPresentation({
  presentation: {
    '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'],
    holder, verifiableCredential: request.credentials
  },
  suite, challenge: request.nonce ?? asked.nonce, domain: asked.client_id, documentLoader
});

// One ldp_vc presentation answers the first competency's ldp_vc query; it holds every
// credential, so it answers the others' too.
const queries = resolved.dcql.query.credentials.filter(q => q.format === 'ldp_vc');
const vpToken = Object.fromEntries(queries.map(q => [q.id, [presentation]]));
const response = await client.createOpenid4vpAuthorizationResponse({
  authorizationRequestPayload: asked,
  authorizationResponsePayload: {vp_token: vpToken}
});
process.stdout.write(JSON.stringify({
  client: resolved.client, version: resolved.version, signed: Boolean(resolved.jar),
  dcql: resolved.dcql.query, response: response.authorizationResponsePayload
}));
