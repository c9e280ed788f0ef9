// Test-only: an OpenID4VCI 1.0 wallet built on the OpenWallet Foundation's client
// (@openid4vc/openid4vci, @openid4vc/oauth2), with its own keys and crypto from node:crypto.
// It takes one offer the way a wallet app does: resolve the offer (by reference or by value),
// fetch the issuer and authorization server metadata, trade the pre-authorized code (and the
// transaction code) for an access token, take a c_nonce, sign a jwt key proof with a fresh
// holder key, and ask for the credential. Reads one JSON request on stdin, writes one JSON
// answer on stdout:
//   {"offer": "openid-credential-offer://...", "txCode": "123456" | null,
//    "configurationId": "OpenBadgeCredential_ldp_vc", "key": "ed25519" | "p256",
//    "binding": "did:key" | "did:jwk" | "jwk"}
//   -> {"offer": {...}, "issuer": {...metadata}, "holder": "did:...", "credential": ...,
//       "tokenType": "Bearer"}
// Loopback HTTPS (our test server) is trusted through NODE_EXTRA_CA_CERTS.
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {Openid4vciClient} from '@openid4vc/openid4vci';

const request = JSON.parse(readFileSync(0, 'utf8'));
console.log = console.error; // stdout carries the answer alone

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes) {
  let number = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let text = '';
  while(number > 0n) {
    text = BASE58[Number(number % 58n)] + text;
    number /= 58n;
  }
  for(const byte of bytes) {
    if(byte !== 0) {
      break;
    }
    text = '1' + text;
  }
  return text;
}

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

// A fresh holder key, its public JWK, and the DID URL a proof's kid names.
function holderKey(kind, binding) {
  const pair = kind === 'p256' ?
    generateKeyPairSync('ec', {namedCurve: 'P-256'}) : generateKeyPairSync('ed25519');
  const jwk = pair.publicKey.export({format: 'jwk'});
  const alg = kind === 'p256' ? 'ES256' : 'EdDSA';
  let did = null;
  let didUrl = null;
  if(binding === 'did:key') {
    // Multicodec ed25519-pub (0xed01) or p256-pub (0x8024) with a compressed point.
    const raw = kind === 'p256' ?
      Buffer.concat([Buffer.from([0x80, 0x24]), compressed(jwk)]) :
      Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(jwk.x, 'base64url')]);
    const multikey = 'z' + base58btc(raw);
    did = `did:key:${multikey}`;
    didUrl = `${did}#${multikey}`;
  } else if(binding === 'did:jwk') {
    did = `did:jwk:${b64url(JSON.stringify(jwk))}`;
    didUrl = `${did}#0`;
  }
  return {privateKey: pair.privateKey, jwk, alg, did, didUrl};
}

function compressed(jwk) {
  const y = Buffer.from(jwk.y, 'base64url');
  return Buffer.concat([Buffer.from([2 + (y[y.length - 1] & 1)]),
    Buffer.from(jwk.x, 'base64url')]);
}

const holder = holderKey(request.key ?? 'ed25519', request.binding ?? 'did:key');

const callbacks = {
  fetch: globalThis.fetch,
  hash: (data, alg) => new Uint8Array(
    createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
  generateRandom: length => new Uint8Array(randomBytes(length)),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, {header, payload}) => {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = holder.alg === 'ES256' ?
      sign('sha256', Buffer.from(input), {key: holder.privateKey, dsaEncoding: 'ieee-p1363'}) :
      sign(null, Buffer.from(input), holder.privateKey);
    return {jwt: `${input}.${b64url(signature)}`, signerJwk: holder.jwk};
  }
};

const client = new Openid4vciClient({callbacks});
const credentialOffer = await client.resolveCredentialOffer(request.offer);
const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer, issuerMetadata, txCode: request.txCode ?? undefined
});
const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
const signer = holder.didUrl ?
  {method: 'did', didUrl: holder.didUrl, alg: holder.alg} :
  {method: 'jwk', publicJwk: holder.jwk, alg: holder.alg};
const {jwt} = await client.createCredentialRequestJwtProof({
  issuerMetadata, signer, nonce, credentialConfigurationId: request.configurationId
});
const response = await client.retrieveCredentials({
  issuerMetadata, accessToken: accessTokenResponse.access_token,
  credentialConfigurationId: request.configurationId, proofs: {jwt: [jwt]}
});
const body = response.credentialResponse;
process.stdout.write(JSON.stringify({
  offer: credentialOffer,
  issuer: issuerMetadata.credentialIssuer,
  authorizationServer: issuerMetadata.authorizationServers[0],
  holder: holder.did,
  holderJwk: holder.jwk,
  tokenType: accessTokenResponse.token_type,
  credential: body.credentials[0].credential
}));
