// Test-only: a real OpenID Provider (oidc-provider, as it ships) for the desk's single
// sign-on tests. Listens on a free loopback port and prints one JSON line on stdout,
// {"issuer": "http://127.0.0.1:<port>"}, once it answers; runs until killed.
//
// Configured from the environment:
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URI  the one client (our desk) and its callback
//   ACCOUNTS  JSON {login: {email, email_verified, name}}: the test accounts. The sign-in
//             page is oidc-provider's devInteractions form: any password, a login from
//             ACCOUNTS (an unknown login signs in no one).
// Consent is granted for the client's scopes without asking (a first-party client, as an
// employer's directory treats its own applications), so a sign-in is one form.
import http from 'node:http';

import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.ACCOUNTS ?? '{}');
const SCOPES = 'openid email profile';

// stdout carries the issuer line alone: the package's own warnings go to stderr.
console.log = console.error;

const server = http.createServer();
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {openid: ['sub'], email: ['email', 'email_verified'], profile: ['name']},
  // The scopes' claims in the ID token itself, as Entra ID and Okta put email there.
  conformIdTokenClaims: false,
  pkce: {required: () => true},
  cookies: {keys: ['test-only-cookie-signing-key']},
  features: {devInteractions: {enabled: true}},
  async findAccount(_ctx, id) {
    if(!Object.hasOwn(accounts, id)) {
      return undefined;
    }
    return {accountId: id, claims: async () => ({sub: id, ...accounts[id]})};
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId});
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});

server.on('request', provider.callback());
process.stdout.write(JSON.stringify({issuer}) + '\n');
