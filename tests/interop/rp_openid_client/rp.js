#!/usr/bin/env node
// rp.js: an independent relying party (openid-client 5, a certified RP
// library) against the running oidc-fcgi stack.  Run by
// tests/integration/t/60-openid-client.py; prints TAP-ish "ok - " /
// "not ok - " lines and "note:" lines, exits 1 if a check failed.
//
// Covers (issue 11): discovery; the code flow with PKCE; refresh; UserInfo;
// introspection (own client, a client without and one with
// "resource_server": true); revocation (access token, refresh token taking
// its grant's access tokens with it, foreign tokens); private_key_jwt with
// RS256 and ES256 keys made here; client_secret_jwt; the hybrid flow
// (code id_token) in fragment and form_post response modes; JARM
// (query.jwt, fragment.jwt, form_post.jwt, ES256); RP-Initiated
// Logout through endSessionUrl(); Pushed Authorization Requests (RFC 9126,
// issue 21 item 1) through pushedAuthorizationRequest(): a request_uri
// redeemed once at /authorize, refused the second time, a wrong secret and
// a bad parameter refused at /par.  openid-client validates every ID Token,
// c_hash, at_hash, nonce, state and the RFC 9207 iss parameter itself.
//
// env: OIDC_ISSUER, RP_CLIENT_ID, RP_CLIENT_SECRET, RP_REDIRECT_URI,
//      RP_POST_LOGOUT_URI (registered for RP_CLIENT_ID), RP_USERNAME,
//      RP_PASSWORD, OIDC_KEY_RS256 (only for the JWKS fallback),
//      RP_EXPECT_SUB (the user's sub, from oidcctl user show), OIDC_CTL,
//      OIDC_CONFIG and OIDC_ROOT (further clients are registered here with
//      `oidcctl client create`, since their keys are made here).
'use strict';

'use strict';

const crypto = require('crypto');
const http = require('http');
const { execFileSync } = require('child_process');
const { Issuer, generators, custom, errors } = require('openid-client');

const env = (n) => {
  const v = process.env[n];
  if (!v) { console.log(`not ok - environment variable ${n} is set`); process.exit(2); }
  return v;
};
const ISSUER = env('OIDC_ISSUER').replace(/\/$/, '');
const CLIENT_ID = env('RP_CLIENT_ID');
const CLIENT_SECRET = env('RP_CLIENT_SECRET');
const REDIRECT_URI = env('RP_REDIRECT_URI');
const POST_LOGOUT_URI = env('RP_POST_LOGOUT_URI');
const USERNAME = env('RP_USERNAME');
const PASSWORD = env('RP_PASSWORD');
const EXPECT_SUB = process.env.RP_EXPECT_SUB || '';

let failed = 0;
let passed = 0;
function check(name, cond, detail) {
  if (cond) {
    passed++;
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

// An error from openid-client with what caused it: OPError carries the
// provider's error/error_description and the HTTP response, RPError the
// parameters or JWT it rejected.
function why(e) {
  const out = [`${e.name}: ${e.message}`];
  if (e.error) out.push(`error=${e.error} error_description=${e.error_description || ''}`);
  if (e.response) {
    const r = e.response;
    out.push(`HTTP ${r.statusCode} ${r.headers ? JSON.stringify({
      'content-type': r.headers['content-type'],
      'www-authenticate': r.headers['www-authenticate'],
    }) : ''}`);
    out.push(`body: ${typeof r.body === 'object' && !Buffer.isBuffer(r.body) ? JSON.stringify(r.body) : String(r.body || '').slice(0, 600)}`);
  }
  if (e.params) out.push(`params: ${JSON.stringify(e.params)}`);
  if (e.jwt) out.push(`jwt: ${e.jwt}`);
  if (e.checks) out.push(`checks: ${JSON.stringify(e.checks)}`);
  if (!e.response && !e.params && !(e instanceof errors.RPError) && e.stack) out.push(e.stack);
  return out.join('\n');
}

// Run fn; a check named name passes when it does not throw.  Returns fn's
// value, or undefined after a failure.
async function must(name, fn) {
  try {
    const v = await fn();
    check(name, true);
    return v;
  } catch (e) {
    check(name, false, why(e));
    return undefined;
  }
}

// fn must throw an OPError with the given error code.
async function refused(name, code, fn) {
  try {
    const v = await fn();
    check(name, false, `accepted: ${JSON.stringify(v)}`);
  } catch (e) {
    check(name, e instanceof errors.OPError && e.error === code, why(e));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// JWT payload, undecoded signature ignored (openid-client verified it).
const jwtPayload = (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());
const jwtHeader = (t) => JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString());

// `oidcctl client create` with metadata on stdin; its JSON output.
function createClient(metadata) {
  const out = execFileSync(env('OIDC_CTL'), ['client', 'create'], {
    input: JSON.stringify(metadata),
    cwd: process.env.OIDC_ROOT || process.cwd(),
    env: process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 30000,
  });
  return JSON.parse(out.toString());
}

// A signing key made here: the private JWK for openid-client's keystore,
// the public one for the client's registered "jwks".
function makeKey(alg) {
  const { publicKey, privateKey } = alg === 'RS256'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  const extra = { kid, alg, use: 'sig' };
  return {
    priv: Object.assign(privateKey.export({ format: 'jwk' }), extra),
    pub: Object.assign(publicKey.export({ format: 'jwk' }), extra),
  };
}

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

// Follow an authorization request through login and consent.  Returns
// { location } for the final redirect to redirectUri (query or fragment
// response modes), or { formPost: { action, fields } } for the
// auto-submitting form_post page aimed at redirectUri.
async function browse(startUrl, redirectUri = REDIRECT_URI) {
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
      if (loc.startsWith(redirectUri)) return { location: loc, steps };
      url = new URL(loc, url).toString();
      if (!url.startsWith(ISSUER)) throw new Error(`redirected elsewhere: ${loc}\n${steps.join('\n')}`);
      opts = { method: 'GET' };
      continue;
    }
    const body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}\n${steps.join('\n')}`);
    const forms = parseForms(body).filter((f) => f.method === 'post');
    const fp = forms.find((f) => f.action === redirectUri);
    if (fp) {
      const fields = {};
      for (const x of fp.inputs) if (x.name) fields[x.name] = x.value;
      return { formPost: { action: fp.action, fields, html: body }, steps };
    }
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


// One code flow (with PKCE) for client through the browser; the TokenSet
// from callback() and the validated ID Token claims.  label prefixes the
// check names.
async function codeFlow(label, client, extra = {}) {
  const codeVerifier = generators.codeVerifier();
  const nonce = generators.nonce();
  const state = generators.state();
  const authUrl = client.authorizationUrl(Object.assign({
    scope: 'openid email profile offline_access',
    code_challenge: generators.codeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  }, extra));
  let loc;
  try {
    loc = (await browse(authUrl)).location;
  } catch (e) {
    check(`${label}: authorization ends in a redirect to redirect_uri`, false, e.message);
    return undefined;
  }
  const params = client.callbackParams(loc);
  const ts = await must(`${label}: callback() redeems the code, ID Token validated by openid-client`,
    () => client.callback(REDIRECT_URI, params, { code_verifier: codeVerifier, nonce, state }));
  if (!ts) note(`${label}: the callback was ${loc}`);
  return ts;
}

async function main() {
  const issuer = await getIssuer();
  const client = new issuer.Client({
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_URI],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  });
  check('discovery: revocation, introspection and end_session endpoints advertised',
    issuer.revocation_endpoint === `${ISSUER}/revoke` &&
    issuer.introspection_endpoint === `${ISSUER}/introspect` &&
    issuer.end_session_endpoint === `${ISSUER}/end_session`, issuer.metadata);

  // ---- code flow with PKCE (client_secret_basic) --------------------------
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
    return;
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
    check('callback(): code redeemed with PKCE, ID Token validated by openid-client', false, why(e));
    return;
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
    check('userinfo(): sub matches the ID Token', false, why(e));
  }

  await sleep(1100);
  let ts2;
  try {
    ts2 = await client.refresh(ts);
    check('refresh(): new tokens, refreshed ID Token validated by openid-client', true);
  } catch (e) {
    check('refresh(): new tokens, refreshed ID Token validated by openid-client', false, why(e));
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
      check('userinfo() with the refreshed access token', false, why(e));
    }
    try {
      await client.refresh(ts.refresh_token);
      check('refresh with the rotated (old) refresh token is refused', false);
    } catch (e) {
      check('refresh with the rotated (old) refresh token is refused (invalid_grant)',
        e.error === 'invalid_grant', why(e));
    }
  }
  if (!ts2) return;
  // Presenting a rotated refresh token revokes the whole family (README:
  // "reuse revokes the family"), the refreshed tokens included.
  await refused('after refresh token reuse: the family\'s access token is refused at userinfo (invalid_token)',
    'invalid_token', () => client.userinfo(ts2.access_token));
  await refused('after refresh token reuse: the family\'s current refresh token is refused (invalid_grant)',
    'invalid_grant', () => client.refresh(ts2.refresh_token));

  // A second grant (the session is remembered).  offline_access needs
  // consent given now (OIDC Core 11): prompt=consent shows the page again.
  const tsB = await codeFlow('second code flow (session remembered, prompt=consent)', client,
    { prompt: 'consent' });
  if (!tsB) return;
  await sleep(1100);
  const ts2b = await must('refresh() the second grant', () => client.refresh(tsB));
  if (!ts2b) return;
  // From here on: cur is the live token set, old the one it replaced.
  const cur = ts2b;
  const old = tsB;

  // ---- introspection (RFC 7662) -------------------------------------------
  const secretClient = (c, extra = {}) => new issuer.Client(Object.assign({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: [REDIRECT_URI],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }, extra));
  const other = secretClient(createClient({
    client_name: 'openid-client RP, a stranger', redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_basic',
  }));
  const rs = secretClient(createClient({
    client_name: 'openid-client RP, a resource server', redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_basic', resource_server: true,
  }));

  const tokenFields = (label, j, kind) => {
    check(`${label}: active, client_id, sub, scope, iss, exp and iat right`,
      j && j.active === true && j.client_id === CLIENT_ID && j.sub === claims.sub &&
      typeof j.scope === 'string' && j.scope.split(' ').includes('openid') &&
      j.iss === ISSUER && Number.isInteger(j.exp) && Number.isInteger(j.iat) &&
      j.exp > Math.floor(Date.now() / 1000) && j.iat <= Math.floor(Date.now() / 1000) + 5 &&
      (kind !== 'access' || j.exp === cur.expires_at || Math.abs(j.exp - cur.expires_at) <= 5), j);
  };
  let j = await must('introspect(): the client\'s own access token',
    () => client.introspect(cur.access_token, 'access_token'));
  tokenFields('introspect own access token', j, 'access');
  if (j) check('introspect own access token: token_type Bearer', String(j.token_type).toLowerCase() === 'bearer', j);
  j = await must('introspect(): the client\'s own refresh token',
    () => client.introspect(cur.refresh_token, 'refresh_token'));
  tokenFields('introspect own refresh token', j, 'refresh');
  j = await must('introspect(): the rotated (old) refresh token answers',
    () => client.introspect(old.refresh_token, 'refresh_token'));
  check('introspect rotated refresh token: {active:false}', j && j.active === false, j);
  j = await must('introspect() by a client without resource_server answers',
    () => other.introspect(cur.access_token));
  check('introspect by another client: exactly {active:false}',
    j && j.active === false && Object.keys(j).length === 1, j);
  j = await must('introspect() by a "resource_server": true client answers',
    () => rs.introspect(cur.access_token));
  tokenFields('introspect by the resource server', j, 'access');
  j = await must('introspect(): an unknown token answers',
    () => client.introspect(generators.random(32)));
  check('introspect unknown token: {active:false}', j && j.active === false, j);

  // ---- revocation (RFC 7009) ----------------------------------------------
  await must('revoke(): a stranger revoking the client\'s refresh token gets 200',
    () => other.revoke(cur.refresh_token, 'refresh_token'));
  j = await must('introspect(): after a stranger\'s revoke', () => client.introspect(cur.refresh_token));
  check('a stranger\'s revoke leaves the refresh token active', j && j.active === true, j);

  await sleep(1100);
  const ts3 = await must('refresh() for the revocation checks', () => client.refresh(cur));
  if (ts3) {
    await must('revoke(): the access token (token_type_hint access_token)',
      () => client.revoke(ts3.access_token, 'access_token'));
    await refused('userinfo() with the revoked access token is refused (invalid_token)',
      'invalid_token', () => client.userinfo(ts3.access_token));
    j = await must('introspect(): the revoked access token answers', () => client.introspect(ts3.access_token));
    check('introspect revoked access token: {active:false}', j && j.active === false, j);
    j = await must('introspect(): the refresh token after its access token was revoked',
      () => client.introspect(ts3.refresh_token));
    check('revoking an access token leaves its refresh token active', j && j.active === true, j);

    await sleep(1100);
    const ts4 = await must('refresh() before revoking the refresh token', () => client.refresh(ts3));
    if (ts4) {
      await must('userinfo() with the fresh access token', () => client.userinfo(ts4));
      await must('revoke(): the refresh token (no hint)', () => client.revoke(ts4.refresh_token));
      await refused('refresh() with the revoked refresh token is refused (invalid_grant)',
        'invalid_grant', () => client.refresh(ts4.refresh_token));
      await refused('userinfo() with an access token of the revoked grant is refused (invalid_token)',
        'invalid_token', () => client.userinfo(ts4.access_token));
      j = await must('introspect(): the revoked grant\'s access token answers', () => client.introspect(ts4.access_token));
      check('introspect: a revoked refresh token takes its access token with it ({active:false})',
        j && j.active === false, j);
      j = await must('introspect(): the revoked refresh token answers', () => client.introspect(ts4.refresh_token, 'refresh_token'));
      check('introspect revoked refresh token: {active:false}', j && j.active === false, j);
    }
  }
  await must('revoke(): an unknown token gets 200', () => client.revoke(generators.random(32)));

  // ---- private_key_jwt (RS256 and ES256 keys made here) -------------------
  const kRS = makeKey('RS256');
  const kES = makeKey('ES256');
  const kStray = makeKey('ES256');
  let pk;
  try {
    pk = createClient({
      client_name: 'openid-client RP, private_key_jwt', redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [kRS.pub, kES.pub] },
      first_party: true,
    });
    check('private_key_jwt: oidcctl client create accepts the jwks', !pk.client_secret, pk);
  } catch (e) {
    check('private_key_jwt: oidcctl client create accepts the jwks', false, `${e.message}\n${e.stderr || ''}`);
  }
  if (pk) {
    const pkClient = (alg, keys) => new issuer.Client({
      client_id: pk.client_id,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg,
    }, { keys });
    const pRS = pkClient('RS256', [kRS.priv]);
    const pES = pkClient('ES256', [kES.priv]);
    const pStray = pkClient('ES256', [kStray.priv]);
    const pts = await codeFlow('private_key_jwt RS256 (first-party, no consent)', pRS);
    if (pts) {
      await must('private_key_jwt RS256: userinfo()', () => pRS.userinfo(pts));
      await sleep(1100);
      const pts2 = await must('private_key_jwt ES256: refresh(), ID Token validated',
        () => pES.refresh(pts));
      j = await must('private_key_jwt ES256: introspect() its own access token',
        () => pES.introspect(pts2 ? pts2.access_token : pts.access_token));
      check('private_key_jwt: introspection active for its own token',
        j && j.active === true && j.client_id === pk.client_id, j);
      await refused('private_key_jwt with a key not in the registered jwks is refused (invalid_client)',
        'invalid_client', () => pStray.introspect(pts.access_token));
      if (pts2) {
        await must('private_key_jwt RS256: revoke() the refresh token',
          () => pRS.revoke(pts2.refresh_token, 'refresh_token'));
        await refused('private_key_jwt: refresh after revocation is refused (invalid_grant)',
          'invalid_grant', () => pES.refresh(pts2.refresh_token));
      }
    }
  }

  // ---- client_secret_jwt ---------------------------------------------------
  let sj;
  try {
    sj = createClient({
      client_name: 'openid-client RP, client_secret_jwt', redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_jwt', first_party: true,
    });
  } catch (e) {
    check('client_secret_jwt: oidcctl client create', false, `${e.message}\n${e.stderr || ''}`);
  }
  if (sj) {
    const sjc = new issuer.Client({
      client_id: sj.client_id,
      client_secret: sj.client_secret,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
    });
    const sts = await codeFlow('client_secret_jwt HS256', sjc);
    if (sts) {
      await sleep(1100);
      await must('client_secret_jwt: refresh()', () => sjc.refresh(sts));
      j = await must('client_secret_jwt: introspect() its own access token', () => sjc.introspect(sts.access_token));
      check('client_secret_jwt: introspection active for its own token',
        j && j.active === true && j.client_id === sj.client_id, j);
    }
  }

  // ---- hybrid flow: code id_token, fragment and form_post -----------------
  let hy;
  try {
    hy = createClient({
      client_name: 'openid-client RP, hybrid', redirect_uris: [REDIRECT_URI],
      response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    });
  } catch (e) {
    check('hybrid: oidcctl client create', false, `${e.message}\n${e.stderr || ''}`);
  }
  if (hy) {
    const hc = new issuer.Client({
      client_id: hy.client_id,
      client_secret: hy.client_secret,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code id_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    });
    for (const mode of ['fragment', 'form_post']) {
      const label = `hybrid code id_token (${mode}, ES256)`;
      const cv = generators.codeVerifier();
      const hn = generators.nonce();
      const hs = generators.state();
      const url = hc.authorizationUrl({
        scope: 'openid email', response_type: 'code id_token', response_mode: mode,
        code_challenge: generators.codeChallenge(cv), code_challenge_method: 'S256',
        nonce: hn, state: hs,
      });
      let r;
      try {
        r = await browse(url);
      } catch (e) {
        check(`${label}: authorization ends at the client`, false, e.message);
        continue;
      }
      let hp;
      if (mode === 'fragment') {
        if (!check(`${label}: a redirect with the response in the fragment`, !!r.location && r.location.includes('#'), r)) continue;
        const u = new URL(r.location);
        check(`${label}: nothing in the query`, u.search === '', r.location);
        hp = Object.fromEntries(new URLSearchParams(u.hash.slice(1)));
      } else {
        if (!check(`${label}: an auto-submitting form aimed at redirect_uri`, !!r.formPost, r)) continue;
        // What a web framework hands the RP: the POSTed form as req.body.
        hp = hc.callbackParams({ method: 'POST', url: new URL(REDIRECT_URI).pathname, body: r.formPost.fields });
      }
      check(`${label}: code, id_token, state and iss returned`,
        !!hp.code && !!hp.id_token && hp.state === hs && hp.iss === ISSUER, hp);
      if (hp.id_token) {
        check(`${label}: front-channel ID Token is ES256 with c_hash`,
          jwtHeader(hp.id_token).alg === 'ES256' && !!jwtPayload(hp.id_token).c_hash, jwtPayload(hp.id_token));
      }
      const hts = await must(`${label}: callback() validates both ID Tokens (c_hash, nonce, state, iss) and redeems the code`,
        () => hc.callback(REDIRECT_URI, hp, { response_type: 'code id_token', code_verifier: cv, nonce: hn, state: hs }));
      if (hts && hp.id_token) {
        const front = jwtPayload(hp.id_token);
        const back = hts.claims();
        check(`${label}: both ID Tokens name the same iss and sub (Core 3.3.3.6)`,
          front.iss === back.iss && front.sub === back.sub && back.sub === claims.sub, { front, back });
        await must(`${label}: userinfo()`, () => hc.userinfo(hts));
      }
      if (!hts) note(`${label}: the response was ${JSON.stringify(r.location || r.formPost)}`);
    }
  }

  // ---- JARM: the response as one signed JWT (issue 21 item 5) -------------
  // The harness runs with `jarm = yes`.  callback() with checks.jarm wants
  // the "response" parameter, verifies it against the JWKS with the
  // client's authorization_signed_response_alg and checks iss, aud and exp
  // (openid-client's validateJARM), then the code as usual.
  let jm;
  try {
    jm = createClient({
      client_name: 'openid-client RP, JARM', redirect_uris: [REDIRECT_URI],
      response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      authorization_signed_response_alg: 'ES256',
    });
  } catch (e) {
    check('JARM: oidcctl client create', false, `${e.message}\n${e.stderr || ''}`);
  }
  check('JARM: discovery lists the .jwt modes and authorization_signing_alg_values_supported',
    ['query.jwt', 'fragment.jwt', 'form_post.jwt', 'jwt'].every((m) => (issuer.response_modes_supported || []).includes(m)) &&
    (issuer.authorization_signing_alg_values_supported || []).includes('ES256'),
    { modes: issuer.response_modes_supported, algs: issuer.authorization_signing_alg_values_supported });
  if (jm) {
    const jc = new issuer.Client({
      client_id: jm.client_id,
      client_secret: jm.client_secret,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      authorization_signed_response_alg: 'ES256',
    });
    for (const mode of ['jwt', 'fragment.jwt', 'form_post.jwt']) {
      const label = `JARM code flow (response_mode=${mode}, ES256)`;
      const cv = generators.codeVerifier();
      const jn = generators.nonce();
      const js = generators.state();
      const url = jc.authorizationUrl({
        scope: 'openid email', response_mode: mode,
        code_challenge: generators.codeChallenge(cv), code_challenge_method: 'S256',
        nonce: jn, state: js,
      });
      let r;
      try {
        r = await browse(url);
      } catch (e) {
        check(`${label}: authorization ends at the client`, false, e.message);
        continue;
      }
      let jp;
      if (mode === 'form_post.jwt') {
        if (!check(`${label}: an auto-submitting form aimed at redirect_uri`, !!r.formPost, r)) continue;
        jp = jc.callbackParams({ method: 'POST', url: new URL(REDIRECT_URI).pathname, body: r.formPost.fields });
      } else if (mode === 'fragment.jwt') {
        if (!check(`${label}: a redirect with the response in the fragment`, !!r.location && r.location.includes('#'), r)) continue;
        jp = Object.fromEntries(new URLSearchParams(new URL(r.location).hash.slice(1)));
      } else {
        if (!check(`${label}: a redirect with the response in the query (query.jwt)`, !!r.location && !r.location.includes('#'), r)) continue;
        jp = jc.callbackParams(r.location);
      }
      check(`${label}: the one parameter "response"`,
        Object.keys(jp).join(',') === 'response' && jwtHeader(jp.response).alg === 'ES256', jp);
      const jts = await must(`${label}: callback() verifies the JARM JWT (alg, iss, aud, exp) and redeems the code`,
        () => jc.callback(REDIRECT_URI, jp, { code_verifier: cv, nonce: jn, state: js, jarm: true }));
      if (jts) {
        check(`${label}: the ID Token names the same user`, jts.claims().sub === claims.sub, jts.claims());
      } else {
        note(`${label}: the response was ${JSON.stringify(r.location || r.formPost)}`);
      }
    }
    // An error is a JARM response too; callback() turns it into an OPError.
    const es = generators.state();
    try {
      const r = await browse(jc.authorizationUrl({
        scope: 'openid', response_mode: 'jwt', state: es,
        code_challenge: generators.codeChallenge(generators.codeVerifier()),
        code_challenge_method: 'plain',
      }));
      await refused('JARM: an invalid request answers a signed invalid_request (through callback())',
        'invalid_request', () => jc.callback(REDIRECT_URI, jc.callbackParams(r.location), { state: es, jarm: true }));
    } catch (e) {
      check('JARM: an invalid request answers a signed invalid_request (through callback())', false, e.message);
    }
  }
  await parFlow(issuer, client);

  // ---- RP-Initiated Logout ------------------------------------------------
  const ls = generators.state();
  const endUrl = client.endSessionUrl({ id_token_hint: ts.id_token, state: ls });
  check('endSessionUrl(): post_logout_redirect_uri and client_id sent',
    endUrl.startsWith(`${ISSUER}/end_session?`) &&
    new URL(endUrl).searchParams.get('post_logout_redirect_uri') === POST_LOGOUT_URI &&
    new URL(endUrl).searchParams.get('client_id') === CLIENT_ID, endUrl);
  try {
    const res = await fetch(endUrl, { headers: { cookie: cookieHeader() }, redirect: 'manual' });
    storeCookies(res);
    const loc = res.headers.get('location') || '';
    const body = res.status === 302 || res.status === 303 ? '' : (await res.text()).slice(0, 600);
    check('end_session: a redirect to post_logout_redirect_uri with state',
      [302, 303].includes(res.status) && loc === `${POST_LOGOUT_URI}?state=${encodeURIComponent(ls)}`,
      `HTTP ${res.status} location=${loc} ${body}`);
  } catch (e) {
    check('end_session: a redirect to post_logout_redirect_uri with state', false, why(e));
  }
  // The session is gone: prompt=none now answers login_required, which
  // callback() turns into an OPError (after checking state and iss).
  const pn = generators.state();
  try {
    const r = await browse(client.authorizationUrl({ scope: 'openid', prompt: 'none', state: pn, nonce: generators.nonce() }));
    await refused('after logout: prompt=none answers login_required (through callback())', 'login_required',
      () => client.callback(REDIRECT_URI, client.callbackParams(r.location), { state: pn }));
  } catch (e) {
    check('after logout: prompt=none answers login_required (through callback())', false, e.message);
  }
}

// Pushed Authorization Requests (RFC 9126): the parameters go to /par with
// the client's authentication; /authorize gets only client_id and the
// request_uri (and a state that must be ignored), once.
async function parFlow(issuer, client) {
  check('PAR: discovery advertises pushed_authorization_request_endpoint',
    issuer.pushed_authorization_request_endpoint === `${ISSUER}/par`, issuer.metadata);
  const cv = generators.codeVerifier();
  const nonce = generators.nonce();
  const state = generators.state();
  const pushed = {
    scope: 'openid email', code_challenge: generators.codeChallenge(cv),
    code_challenge_method: 'S256', nonce, state,
  };
  const par = await must('PAR: pushedAuthorizationRequest() answers 201 with a request_uri',
    () => client.pushedAuthorizationRequest(pushed));
  if (!par) return;
  check('PAR: request_uri is urn:ietf:params:oauth:request_uri:<43 base64url>, expires_in 60',
    /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/.test(par.request_uri) &&
    par.expires_in === 60, par);
  const url = `${issuer.authorization_endpoint}?${new URLSearchParams({
    client_id: CLIENT_ID, request_uri: par.request_uri, state: 'from-the-query' })}`;
  let loc;
  try {
    loc = (await browse(url)).location;
  } catch (e) {
    check('PAR: /authorize with the request_uri ends at redirect_uri', false, e.message);
    return;
  }
  const ts = await must('PAR: callback() redeems the code, the pushed state and nonce, ID Token validated',
    () => client.callback(REDIRECT_URI, client.callbackParams(loc), { code_verifier: cv, nonce, state }));
  if (ts) check('PAR: the pushed scope was granted', (ts.scope || '').split(' ').includes('email'), ts);
  const res = await fetch(url, { headers: { cookie: cookieHeader() }, redirect: 'manual' });
  const body = await res.text();
  check('PAR: the same request_uri again: an error page, invalid_request_uri',
    res.status === 400 && !res.headers.get('location') && body.includes('invalid_request_uri'),
    `HTTP ${res.status} ${body.slice(0, 300)}`);
  const bad = new issuer.Client({
    client_id: CLIENT_ID, client_secret: 'not-the-secret', redirect_uris: [REDIRECT_URI],
    response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
  });
  await refused('PAR: a wrong client secret: invalid_client', 'invalid_client',
    () => bad.pushedAuthorizationRequest(pushed));
  await refused('PAR: code_challenge_method plain: invalid_request', 'invalid_request',
    () => client.pushedAuthorizationRequest(Object.assign({}, pushed, { code_challenge_method: 'plain' })));
  await refused('PAR: an unregistered redirect_uri: invalid_request', 'invalid_request',
    () => client.pushedAuthorizationRequest(Object.assign({}, pushed, { redirect_uri: 'https://evil.example/cb' })));
}

// Nothing here skips: a check that cannot run fails.
main().then(() => {
  console.log(`# rp.js: ${passed} passed, ${failed} failed, 0 skipped`);
  process.exit(failed ? 1 : 0);
}).catch((e) => {
  console.log(`not ok - rp.js crashed: ${e.stack || e}`);
  process.exit(1);
});
