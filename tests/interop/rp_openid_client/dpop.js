// dpop.js: openid-client (an independent RP) with DPoP (RFC 9449) against
// oidc-fcgi, for tests/integration/t/33-dpop.py.  The code comes from the
// test (written into auth_code); the library makes and signs every proof,
// handles the server nonce (use_dpop_nonce, DPoP-Nonce) itself, redeems
// the code, calls UserInfo with the DPoP scheme and refreshes.  Prints
// one JSON line of results; any failure exits 1 with the error.
'use strict';
const crypto = require('crypto');
const { Issuer } = require('openid-client');

async function main() {
  const env = process.env;
  const issuer = await Issuer.discover(env.ISSUER);
  const client = new issuer.Client({
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: [env.REDIRECT_URI],
    response_types: ['code'],
  });
  const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey;
  const tokens = await client.callback(env.REDIRECT_URI,
    { code: env.CODE, iss: issuer.issuer }, {}, { DPoP: key });
  const info = await client.userinfo(tokens, { DPoP: key });
  const refreshed = await client.refresh(tokens.refresh_token,
    { DPoP: key });
  const info2 = await client.userinfo(refreshed, { DPoP: key });
  const jwk = key.export({ format: 'jwk' });
  delete jwk.d;
  console.log(JSON.stringify({
    algs: issuer.dpop_signing_alg_values_supported,
    token_type: tokens.token_type,
    access_token: tokens.access_token,
    sub: info.sub,
    refreshed_type: refreshed.token_type,
    sub2: info2.sub,
    jwk,
  }));
}

main().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
