// dpop_jkt.js: openid-client and jose (independent of oidc-fcgi) binding
// an authorization code to a DPoP key (RFC 9449 10, 10.1), for
// tests/integration/t/86-dpop-jkt.py.  Two steps, one JSON line each:
//   STEP=push   make a P-256 key, compute its RFC 7638 thumbprint with
//               jose, push the authorization request with dpop_jkt
//               (client.pushedAuthorizationRequest); prints request_uri,
//               jkt and the private JWK for the next step.
//   STEP=redeem redeem CODE with DPoP proofs of KEY_JWK made and signed by
//               openid-client (it handles the server nonce itself);
//               prints the token type and access token.
// Any failure exits 1 with the error.
'use strict';
const crypto = require('crypto');
const jose = require('jose');
const { Issuer } = require('openid-client');

async function client(env) {
  const issuer = await Issuer.discover(env.ISSUER);
  return [issuer, new issuer.Client({
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: [env.REDIRECT_URI],
    response_types: ['code'],
  })];
}

async function push(env) {
  const [, c] = await client(env);
  const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey;
  const pub = key.export({ format: 'jwk' });
  delete pub.d;
  const jkt = await jose.calculateJwkThumbprint(pub, 'sha256');
  const r = await c.pushedAuthorizationRequest({
    redirect_uri: env.REDIRECT_URI, scope: 'openid', state: 'jkt-state',
    code_challenge: env.CHALLENGE, code_challenge_method: 'S256',
    dpop_jkt: jkt,
  });
  return { request_uri: r.request_uri, jkt,
    key: key.export({ format: 'jwk' }) };
}

async function redeem(env) {
  const [issuer, c] = await client(env);
  const key = crypto.createPrivateKey({ key: JSON.parse(env.KEY_JWK),
    format: 'jwk' });
  const tokens = await c.callback(env.REDIRECT_URI,
    { code: env.CODE, iss: issuer.issuer, state: 'jkt-state' },
    { state: 'jkt-state', code_verifier: env.VERIFIER }, { DPoP: key });
  return { token_type: tokens.token_type,
    access_token: tokens.access_token };
}

(process.env.STEP === 'push' ? push : redeem)(process.env)
  .then((out) => console.log(JSON.stringify(out)))
  .catch((e) => {
    console.error(String(e && e.stack || e));
    process.exit(1);
  });
