#!/usr/bin/env node
// device.js: the Device Authorization Grant (RFC 8628) with openid-client
// 5 (client.deviceAuthorization(), handle.poll()) against the running
// stack; the user's part at /device is driven over plain HTTP.  Run by
// tests/integration/t/62-device-openid-client.py; prints "ok - " /
// "not ok - " lines, exits 1 if a check failed.
// env: OIDC_ISSUER, DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_USERNAME,
//      DEV_PASSWORD, DEV_EXPECT_SUB.
'use strict';

const http = require('http');
const { Issuer } = require('openid-client');

const ISSUER = process.env.OIDC_ISSUER.replace(/\/$/, '');
let failed = 0;
function check(name, cond, detail) {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
  if (!cond) {
    failed++;
    if (detail !== undefined) console.log(`#   ${String(detail).slice(0, 1500)}`);
  }
  return !!cond;
}

const cookies = {};
function req(method, path, form) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, ISSUER);
    const body = form ? new URLSearchParams(form).toString() : null;
    const headers = {};
    const jar = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar) headers.Cookie = jar;
    if (body !== null) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const r = http.request(u, { method, headers }, (res) => {
      for (const sc of res.headers['set-cookie'] || []) {
        const [kv] = sc.split(';');
        const i = kv.indexOf('=');
        cookies[kv.slice(0, i)] = kv.slice(i + 1);
      }
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    r.on('error', reject);
    if (body !== null) r.write(body);
    r.end();
  });
}
const csrfOf = (html) => (html.match(/name="csrf" value="([^"]*)"/) || [])[1];

(async () => {
  const issuer = await Issuer.discover(ISSUER);
  check('discovery: device_authorization_endpoint',
    issuer.device_authorization_endpoint === `${ISSUER}/device_authorization`,
    issuer.device_authorization_endpoint);
  const client = new issuer.Client({
    client_id: process.env.DEV_CLIENT_ID,
    client_secret: process.env.DEV_CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const handle = await client.deviceAuthorization({ scope: 'openid profile offline_access' });
  check('deviceAuthorization(): a user code XXXX-XXXX',
    /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/.test(handle.user_code), handle.user_code);
  check('... verification_uri and expires_in', handle.verification_uri === `${ISSUER}/device` &&
    handle.expires_in > 590, handle.verification_uri);

  // The user, in a browser: the complete URI, sign-in, allow.
  let r = await req('GET', handle.verification_uri_complete);
  check('GET verification_uri_complete: 200', r.status === 200, r.body);
  r = await req('POST', '/device', { csrf: csrfOf(r.body), user_code: handle.user_code, action: 'code' });
  check('the code: the sign-in page', r.status === 200 && /type="password"/.test(r.body), r.body);
  r = await req('POST', '/device', {
    csrf: csrfOf(r.body), user_code: handle.user_code, action: 'login',
    username: process.env.DEV_USERNAME, password: process.env.DEV_PASSWORD,
  });
  check('signed in: the confirmation', /name="decision"/.test(r.body), r.body);
  r = await req('POST', '/device', {
    csrf: csrfOf(r.body), user_code: handle.user_code, action: 'confirm', decision: 'allow',
  });
  check('allowed', /Device connected/.test(r.body), r.body);

  // handle.poll() waits the interval and validates the ID Token itself.
  const ts = await handle.poll();
  check('poll(): tokens, the ID Token validated by openid-client',
    ts.access_token && ts.refresh_token && ts.id_token &&
    ts.claims().sub === process.env.DEV_EXPECT_SUB, JSON.stringify(ts));
  const ui = await client.userinfo(ts.access_token);
  check('userinfo with the device grant access token', ui.sub === process.env.DEV_EXPECT_SUB, JSON.stringify(ui));

  // Denied: poll() rejects with access_denied.
  const h2 = await client.deviceAuthorization({ scope: 'openid' });
  r = await req('GET', '/device');
  r = await req('POST', '/device', { csrf: csrfOf(r.body), user_code: h2.user_code, action: 'code' });
  r = await req('POST', '/device', {
    csrf: csrfOf(r.body), user_code: h2.user_code, action: 'confirm', decision: 'deny',
  });
  let e = null;
  try { await h2.poll(); } catch (x) { e = x; }
  check('denied: poll() rejects with access_denied', e && e.error === 'access_denied', e && e.message);
})().catch((x) => { check('no exception', false, x && x.stack); }).finally(() => {
  process.exit(failed ? 1 : 0);
});
