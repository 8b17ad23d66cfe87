// tests/browser/totp.test.mjs: a real headless browser (Debian's
// chromium, driven by playwright-core) through the TOTP second step of
// the password login (RFC 6238, issue 22 item 2; the harness runs
// `totp = optional`): the account is enrolled with `oidcctl user totp
// enroll`, the sign-in page leads to the code page, whose field is found
// by its label; a wrong code shows the error (role=alert), the right one
// reaches the redirect_uri with a code whose ID Token has amr pwd+otp;
// a recovery code (typed with its dash) works in a second sign-in.  With
// `totp = required` (t/52's private worker): the enrolment page shows the
// key and its otpauth URI, a wrong code keeps the key, the right one
// shows 10 recovery codes in a labelled list, Continue reaches the
// redirect_uri.  No CSP violations on the pages.  Run by tests/integration/t/52-totp-browser.py
// through t/50-browser.py's installer (OIDC_BROWSER_SCRIPT).
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.OIDC_ROOT || resolve(HERE, "../..");
const ISSUER = (process.env.OIDC_ISSUER || "").replace(/\/+$/, "");
const CTL = process.env.OIDC_CTL;
const CHROMIUM = process.env.OIDC_CHROMIUM || "/usr/bin/chromium";
const ART = process.env.OIDC_ARTIFACTS || join(ROOT, "tests/artifacts");
const TIMEOUT = 15000 * Number(process.env.OIDC_TEST_TIMEOUT_MULT || "1");
const REDIRECT = `${ISSUER}/static-200`;

let failed = 0;
function check(name, cond, detail) {
  console.log(`${cond ? "ok" : "not ok"} - browser: totp: ${name}`);
  if (!cond) {
    failed++;
    if (detail !== undefined)
      for (const l of String(detail).split("\n").slice(0, 20))
        console.log(`#   ${l}`);
  }
  return !!cond;
}
function ctl(args, input) {
  return execFileSync(CTL, args, { input: input ?? "", cwd: ROOT,
    env: process.env, stdio: ["pipe", "pipe", "pipe"] }).toString();
}

function b32decode(s) {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of s) {
    acc = (acc << 5) | A.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totp(key, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(msg).digest();
  const off = mac[19] & 15;
  const v = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(v).padStart(6, "0");
}
const now = () => Math.floor(Date.now() / 1000 / 30);

const user = `totpb-${randomBytes(4).toString("hex")}`;
const pw = `pw-${randomBytes(8).toString("hex")}`;
ctl(["user", "create", user], pw);
const lines = ctl(["user", "totp", "enroll", user]).trim().split("\n");
const secret = new URL(lines[0]).searchParams.get("secret");
const key = b32decode(secret);
check("enrolled: an otpauth URI and 10 recovery codes",
  lines[0].startsWith("otpauth://totp/") && lines.length === 11,
  lines.join("\n"));
const client = JSON.parse(ctl(["client", "create"], JSON.stringify({
  client_name: "TOTP browser", redirect_uris: [REDIRECT],
  response_types: ["code"], first_party: true })));
mkdirSync(ART, { recursive: true });

let browser;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM,
    headless: true, timeout: 60000,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"] });
} catch (e) {
  console.log(`not ok - browser: totp: chromium starts (${CHROMIUM})`);
  process.exit(2);
}

// One sign-in up to the code page; returns {page, ctx, csp, seen}.
async function toCodePage(issuer = ISSUER, who = user) {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(TIMEOUT);
  const page = await ctx.newPage();
  const st = { page, ctx, csp: [], seen: [] };
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text()))
      st.csp.push(m.text());
  });
  await page.route((u) => u.href.startsWith(REDIRECT), async (route) => {
    st.seen.push(route.request().url());
    await route.fulfill({ status: 200, contentType: "text/plain",
      body: "ok" });
  });
  const u = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries({ client_id: client.client_id,
    redirect_uri: REDIRECT, response_type: "code", scope: "openid",
    state: "st", nonce: randomBytes(8).toString("hex") }))
    u.searchParams.set(k, v);
  await page.goto(u.href);
  await page.fill("#username", who);
  await page.fill("#password", pw);
  await Promise.all([page.waitForNavigation(),
    page.click("button[value=login]")]);
  return st;
}

async function waitSeen(st) {
  const t0 = Date.now();
  while (st.seen.length === 0 && !st.page.url().startsWith(REDIRECT) &&
    Date.now() - t0 < TIMEOUT)
    await st.page.waitForTimeout(50);
  return st.seen[0] || (st.page.url().startsWith(REDIRECT) ?
    st.page.url() : null);
}

try {
  const st = await toCodePage();
  const page = st.page;
  const field = page.getByLabel("Authentication code");
  check("the code page follows the password; its field has a label",
    (await field.count()) === 1 &&
    (await page.textContent("h1")).includes("Two-step verification"),
    await page.content());
  check("the field is described and suggests one-time-code autofill",
    (await field.getAttribute("autocomplete")) === "one-time-code" &&
    (await field.getAttribute("aria-describedby")) === "code-help");
  await page.screenshot({ path: join(ART, "totp-code.png") });
  const good = totp(key, now());
  await field.fill(good === "000000" ? "111111" : "000000");
  await Promise.all([page.waitForNavigation(),
    page.click("button[value=totp]")]);
  check("a wrong code: the page again with an alert",
    (await page.getByRole("alert").count()) === 1 &&
    (await page.getByLabel("Authentication code").count()) === 1,
    await page.content());
  await page.getByLabel("Authentication code").fill(totp(key, now()));
  await page.click("button[value=totp]");
  const url = await waitSeen(st);
  const got = url ? new URL(url).searchParams : new URLSearchParams();
  check("the right code reaches the redirect_uri with a code and state",
    got.get("code") && got.get("state") === "st", url);
  const tr = await fetch(`${ISSUER}/token`, { method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
      Authorization: "Basic " + Buffer.from(
        `${encodeURIComponent(client.client_id)}:` +
        `${encodeURIComponent(client.client_secret)}`).toString("base64") },
    body: new URLSearchParams({ grant_type: "authorization_code",
      code: got.get("code") || "", redirect_uri: REDIRECT }).toString() });
  const tj = await tr.json();
  const claims = tj.id_token ? JSON.parse(Buffer.from(
    tj.id_token.split(".")[1], "base64url").toString()) : {};
  check("the ID Token: amr pwd+otp, acr mfa",
    JSON.stringify(claims.amr) === '["pwd","otp"]' &&
    claims.acr === "urn:oidc-fcgi:acr:mfa", JSON.stringify(tj));
  check("no CSP violations on the pages", st.csp.length === 0,
    st.csp.join("\n"));
  await st.ctx.close();

  const st2 = await toCodePage();
  await st2.page.getByLabel("Authentication code").fill(lines[1]);
  await st2.page.click("button[value=totp]");
  const url2 = await waitSeen(st2);
  check("a recovery code, typed with its dash, signs in",
    url2 && new URL(url2).searchParams.get("code"), url2);
  await st2.ctx.close();

  // totp = required (t/52's private worker behind its relay): enrolment.
  const REQ = process.env.OIDC_TOTP_REQUIRED_ISSUER;
  if (check("OIDC_TOTP_REQUIRED_ISSUER is set (by t/52)", !!REQ)) {
    const u2 = `totpr-${randomBytes(4).toString("hex")}`;
    ctl(["user", "create", u2], pw);
    const st3 = await toCodePage(REQ, u2);
    const p3 = st3.page;
    const code3 = p3.getByLabel("Code from your app");
    const shown = (await p3.textContent("#totp-secret")) || "";
    const href = (await p3.getAttribute("#totp-uri", "href")) || "";
    check("required: the enrolment page follows the password, with the " +
      "key, its otpauth URI and a labelled field",
      (await code3.count()) === 1 && /^[A-Z2-7]{32}$/.test(shown) &&
      href.startsWith("otpauth://totp/") &&
      new URL(href).searchParams.get("secret") === shown,
      await p3.content());
    await p3.screenshot({ path: join(ART, "totp-enrol.png") });
    const k3 = b32decode(shown);
    const good3 = totp(k3, now());
    await code3.fill(good3 === "000000" ? "111111" : "000000");
    await Promise.all([p3.waitForNavigation(),
      p3.click("button[value=totp]")]);
    check("required: a wrong code: the same key again with an alert",
      (await p3.getByRole("alert").count()) === 1 &&
      (await p3.textContent("#totp-secret")) === shown,
      await p3.content());
    await p3.getByLabel("Code from your app").fill(totp(k3, now()));
    await Promise.all([p3.waitForNavigation(),
      p3.click("button[value=totp]")]);
    const items = p3.getByRole("list", { name: "Recovery codes" })
      .getByRole("listitem");
    check("required: the recovery codes, 10 in a labelled list",
      (await items.count()) === 10, await p3.content());
    await p3.screenshot({ path: join(ART, "totp-recovery.png") });
    await p3.click("button[value=continue]");
    const url3 = await waitSeen(st3);
    check("required: Continue reaches the redirect_uri with a code",
      url3 && new URL(url3).searchParams.get("code") &&
      new URL(url3).searchParams.get("state") === "st", url3);
    check("required: no CSP violations on the pages", st3.csp.length === 0,
      st3.csp.join("\n"));
    const stat = JSON.parse(ctl(["user", "totp", "status", u2]));
    check("required: the user is enrolled, 10 recovery codes",
      stat.enrolled === true && stat.recovery_codes_left === 10,
      JSON.stringify(stat));
    await st3.ctx.close();
  }
} catch (e) {
  check("the flow runs", false, e && e.stack);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
