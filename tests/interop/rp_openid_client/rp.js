#!/usr/bin/env node
// rp.js: an independent relying party (openid-client 5, a certified RP
// library) against the running oidc-fcgi stack.  Run by
// tests/integration/t/60-openid-client.py; prints TAP-ish "ok - " /
// "not ok - " lines and "note:" lines, exits 1 if a check failed.
//
// env: OIDC_ISSUER, RP_CLIENT_ID, RP_CLIENT_SECRET, RP_REDIRECT_URI,
//      RP_USERNAME, RP_PASSWORD, OIDC_KEY_RS256 (only for the JWKS
//      fallback), RP_EXPECT_SUB (the user's sub, from oidcctl user show).
'use strict';

const crypto = require('crypto');
const http = require('http');
const { Issuer, generators, custom } = require('openid-client');

const env = (n) => {
  const v = process.env[n];
  if (!v) { console.log(`not ok - environment variable ${n} is set`); process.exit(2); }
  return v;
};
const ISSUER = env('OIDC_ISSUER').replace(/\/$/, '');
const CLIENT_ID = env('RP_CLIENT_ID');
const CLIENT_SECRET = env('RP_CLIENT_SECRET');
const REDIRECT_URI = env('RP_REDIRECT_URI');
const USERNAME = env('RP_USERNAME');
const PASSWORD = env('RP_PASSWORD');
const EXPECT_SUB = process.env.RP_EXPECT_SUB || '';

let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    if (detail !== undefined) {
      for (const l of String(typeof detail === 'string' ? detail : JSON.stringify(detail)).split('\n')) {
        console.log(`#   ${l}`);
      }
    }
  }
  return !!cond;
}
const note = (s) => console.log(`note: ${s}`);

custom.setHttpOptionsDefaults({ timeout: 10000 });

// ---- a minimal browser: cookies, manual redirects, HTML forms -------------

const jar = new Map();
function storeCookies(res) {
  const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  for (const c of list) {
    const nv = c.split(';')[0];
    const i = nv.indexOf('=');
    if (i <= 0) continue;
    const name = nv.slice(0, i).trim();
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
    else jar.set(name, nv.slice(i + 1).trim());
  }
}
const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (m, e) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos' || l === '#39') return "'";
    if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
    return String.fromCodePoint(parseInt(l.slice(1), 10));
  });
}
function attrs(s) {
  const out = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(s)) !== null) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}
function parseForms(html) {
  const forms = [];
  let cur = null;
  const re = /<\s*(\/?)(form|input|button)\b([^>]*)>/gi;
  let m;
  while ((m = re.exec(html)) !== null) {
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    if (tag === 'form') {
      if (closing) { cur = null; continue; }
      const a = attrs(m[3]);
      cur = { action: a.action || '', method: (a.method || 'get').toLowerCase(), inputs: [], buttons: [] };
      forms.push(cur);
    } else if (!closing && cur) {
      const a = attrs(m[3]);
      if (tag === 'input') cur.inputs.push({ type: (a.type || 'text').toLowerCase(), name: a.name, value: a.value || '' });
      else cur.buttons.push({ name: a.name, value: a.value || '' });
    }
  }
  return forms;
}

// Follow the authorization request through login and consent; return the
// final redirect (to the client's redirect_uri).
async function browse(startUrl) {
  let url = startUrl;
  let opts = { method: 'GET' };
  const steps = [];
  for (let i = 0; i < 12; i++) {
    const headers = Object.assign({}, opts.headers || {});
    if (jar.size) headers.cookie = cookieHeader();
    const res = await fetch(url, Object.assign({}, opts, { headers, redirect: 'manual' }));
    storeCookies(res);
    steps.push(`${opts.method} ${url.slice(0, 100)} -> ${res.status}`);
    if ([301, 302, 303, 307].includes(res.status)) {
      const loc = res.headers.get('location') || '';
      if (loc.startsWith(REDIRECT_URI)) return { location: loc, steps };
      url = new URL(loc, url).toString();
      if (!url.startsWith(ISSUER)) throw new Error(`redirected elsewhere: ${loc}\n${steps.join('\n')}`);
      opts = { method: 'GET' };
      continue;
    }
    const body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}\n${steps.join('\n')}`);
    const forms = parseForms(body).filter((f) => f.method === 'post');
    const form = forms.find((f) => f.inputs.some((x) => x.name === 'password') ||
                                   f.buttons.some((b) => b.name === 'decision'));
    if (!form) throw new Error(`no login or consent form: ${body.slice(0, 300)}\n${steps.join('\n')}`);
    const fields = new URLSearchParams();
    for (const x of form.inputs) if (x.name && x.type === 'hidden') fields.append(x.name, x.value);
    if (form.inputs.some((x) => x.name === 'password')) {
      fields.append('username', USERNAME);
      fields.append('password', PASSWORD);
      const b = form.buttons.find((b) => b.name === 'action' && b.value === 'login');
      if (b && !fields.has('action')) fields.append('action', 'login');
    } else {
      const b = form.buttons.find((b) => b.name === 'decision' && b.value === 'allow');
      if (!b) throw new Error('consent page without decision=allow');
      fields.append('decision', 'allow');
    }
    url = new URL(form.action || '/authorize', url).toString();
    opts = { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error(`too many steps\n${steps.join('\n')}`);
}

// ---- JWKS fallback: serve the provider's public key locally ---------------

async function localJwks() {
  const fs = require('fs');
  const pem = fs.readFileSync(env('OIDC_KEY_RS256'));
  const jwk = crypto.createPublicKey(pem).export({ format: 'jwk' });
  const thumb = crypto.createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  const doc = JSON.stringify({ keys: [Object.assign({ kid: thumb, use: 'sig', alg: 'RS256' }, jwk)] });
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(doc);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  srv.unref();
  return `http://127.0.0.1:${srv.address().port}/jwks`;
}

async function getIssuer() {
  try {
    const iss = await Issuer.discover(ISSUER);
    check('discovery: Issuer.discover() accepts the provider metadata', true);
    check('discovery: issuer is OIDC_ISSUER', iss.issuer === ISSUER, iss.issuer);
    return iss;
  } catch (e) {
    note(`discovery failed (${e.message}); using a hand-built Issuer (shortcut)`);
  }
  let jwksUri = `${ISSUER}/jwks`;
  try {
    const r = await fetch(jwksUri);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  } catch (e) {
    jwksUri = await localJwks();
    note(`${ISSUER}/jwks unavailable (${e.message}); the JWKS is built from OIDC_KEY_RS256 and served at ${jwksUri} (shortcut)`);
  }
  return new Issuer({
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    userinfo_endpoint: `${ISSUER}/userinfo`,
    jwks_uri: jwksUri,
  });
}

(async () => {
  const issuer = await getIssuer();
  const client = new issuer.Client({
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  });
  const codeVerifier = generators.codeVerifier();
  const nonce = generators.nonce();
  const state = generators.state();
  const authUrl = client.authorizationUrl({
    scope: 'openid email profile offline_access',
    code_challenge: generators.codeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });

  let loc;
  try {
    const r = await browse(authUrl);
    loc = r.location;
    check('code flow: login (and consent) end in a redirect to redirect_uri', true);
  } catch (e) {
    check('code flow: login (and consent) end in a redirect to redirect_uri', false, e.message);
    process.exit(1);
  }

  const params = client.callbackParams(loc);
  check('callback: carries code and state', !!params.code && params.state === state, params);
  let ts;
  try {
    // Validates state, iss (RFC 9207) and the ID Token: signature against
    // the JWKS, iss, aud, exp, iat, nonce, at_hash; sends the PKCE verifier.
    ts = await client.callback(REDIRECT_URI, params, { code_verifier: codeVerifier, nonce, state });
    check('callback(): code redeemed with PKCE, ID Token validated by openid-client', true);
  } catch (e) {
    check('callback(): code redeemed with PKCE, ID Token validated by openid-client', false,
      `${e.name}: ${e.message}${e.response ? `\nHTTP ${e.response.statusCode} ${JSON.stringify(e.response.body)}` : ''}`);
    process.exit(1);
  }
  const claims = ts.claims();
  check('ID Token: sub is the user\'s', !EXPECT_SUB || claims.sub === EXPECT_SUB, claims);
  check('ID Token: nonce echoed', claims.nonce === nonce, claims);
  check('token set: Bearer access token, refresh token, expires_at',
    ts.token_type && ts.token_type.toLowerCase() === 'bearer' && !!ts.access_token &&
    !!ts.refresh_token && typeof ts.expires_at === 'number', ts);

  try {
    const ui = await client.userinfo(ts);
    check('userinfo(): sub matches the ID Token (checked by openid-client)', ui.sub === claims.sub, ui);
  } catch (e) {
    check('userinfo(): sub matches the ID Token', false, `${e.name}: ${e.message}`);
  }

  await new Promise((r) => setTimeout(r, 1100));
  let ts2;
  try {
    ts2 = await client.refresh(ts);
    check('refresh(): new tokens, refreshed ID Token validated by openid-client', true);
  } catch (e) {
    check('refresh(): new tokens, refreshed ID Token validated by openid-client', false,
      `${e.name}: ${e.message}${e.response ? `\nHTTP ${e.response.statusCode} ${JSON.stringify(e.response.body)}` : ''}`);
  }
  if (ts2) {
    check('refresh: a new refresh token (rotation)', !!ts2.refresh_token && ts2.refresh_token !== ts.refresh_token);
    check('refresh: a new access token', !!ts2.access_token && ts2.access_token !== ts.access_token);
    if (ts2.id_token) {
      const c2 = ts2.claims();
      check('refreshed ID Token: same sub and auth_time, later iat',
        c2.sub === claims.sub && c2.auth_time === claims.auth_time && c2.iat > claims.iat, { before: claims, after: c2 });
    } else {
      note('the refresh response carries no id_token');
    }
    try {
      const ui2 = await client.userinfo(ts2);
      check('userinfo() with the refreshed access token', ui2.sub === claims.sub, ui2);
    } catch (e) {
      check('userinfo() with the refreshed access token', false, `${e.name}: ${e.message}`);
    }
    try {
      await client.refresh(ts.refresh_token);
      check('refresh with the rotated (old) refresh token is refused', false);
    } catch (e) {
      check('refresh with the rotated (old) refresh token is refused (invalid_grant)',
        e.error === 'invalid_grant', `${e.name}: ${e.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log(`not ok - rp.js crashed: ${e.stack || e}`);
  process.exit(1);
});
