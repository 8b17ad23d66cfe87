// tests/browser/login.test.mjs: a real headless browser (Debian's chromium,
// driven by playwright-core) through the authorization endpoint's pages
// (issue 4): for every response type and every allowed response mode it
// opens the authorization URL, fills the login form, clicks "allow" on the
// consent page and checks that the browser reaches the redirect_uri with the
// expected parameters (query, fragment, or an auto-submitted form_post).
// Also: deny, prompt=none without a session, the redirect_uri error page,
// framing refused (frame-ancestors 'none'), no CSP violations on the pages.
//
// Environment (as given by tests/integration/run.sh): OIDC_ISSUER, OIDC_CTL,
// OIDC_CONFIG, OIDC_ROOT.  Optional: OIDC_CHROMIUM (default
// /usr/bin/chromium), OIDC_ARTIFACTS (default <repo>/tests/artifacts).
// Prints "ok - browser: ..." / "not ok - browser: ..." lines; exit 1 if any
// check failed, 2 if the browser cannot start.
//
// The redirect_uri is ${OIDC_ISSUER}/static-200 (nginx answers 200 there);
// the browser's requests to it are intercepted with page.route() so the
// final URL, method and form_post body are captured exactly.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
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
const T0 = Date.now();
const TIMEOUT = 15000 * Number(process.env.OIDC_TEST_TIMEOUT_MULT || "1");

if (!ISSUER || !CTL) {
  console.log("not ok - browser: OIDC_ISSUER and OIDC_CTL must be set " +
    "(run through tests/integration/run.sh)");
  process.exit(2);
}

let failed = 0;
let count = 0;
function check(name, cond, detail) {
  count++;
  if (cond) {
    console.log(`ok - browser: ${name}`);
  } else {
    failed++;
    console.log(`not ok - browser: ${name}`);
    if (detail !== undefined) {
      const s = typeof detail === "string" ? detail
        : JSON.stringify(detail, null, 1);
      for (const line of String(s).split("\n").slice(0, 30))
        console.log(`#   ${line}`);
    }
  }
  return !!cond;
}

function unique(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

function ctl(args, input) {
  // ETXTBSY: a concurrent `make` in the same checkout is relinking
  // oidcctl; wait for it.
  for (let i = 0; ; i++) {
    try {
      return execFileSync(CTL, args, {
        input: input ?? "", cwd: ROOT, env: process.env,
        stdio: ["pipe", "pipe", "pipe"],
      }).toString();
    } catch (e) {
      if (!["ETXTBSY", "EACCES", "ENOENT"].includes(e.code) || i >= 50)
        throw e;
      execFileSync("sleep", ["0.2"]);
    }
  }
}

const REDIRECT = `${ISSUER}/static-200`;
const ALL = ["code", "id_token", "id_token token", "code id_token",
  "code token", "code id_token token"];
const MODES = { code: ["query", "fragment", "form_post"] };
for (const rt of ALL.slice(1)) MODES[rt] = ["fragment", "form_post"];
const DEFAULT_MODE = (rt) => (rt === "code" ? "query" : "fragment");

function makeClient(extra = {}) {
  const meta = {
    redirect_uris: [REDIRECT], response_types: ALL,
    client_name: unique("browser"), ...extra,
  };
  return JSON.parse(ctl(["client", "create"], JSON.stringify(meta)));
}

function authUrl(params) {
  const u = new URL(`${ISSUER}/authorize`);
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null) u.searchParams.set(k, v);
  return u.href;
}

function b64urlJson(part) {
  const s = part.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(Buffer.from(s, "base64").toString("utf8"));
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9]+/g, "_");
}

// ---- set up ------------------------------------------------------------

const USER = unique("browser-user");
const PASSWORD = "browser " + randomBytes(8).toString("hex");
try {
  ctl(["user", "create", USER], PASSWORD);
} catch (e) {
  check("oidcctl user create", false, String(e.stderr || e));
  process.exit(1);
}
mkdirSync(ART, { recursive: true });

// playwright's launch() starts chromium with a fresh temporary
// --user-data-dir of its own (removed on close); every flow gets a new
// browser context (its own cookie jar), so flows can run side by side.
let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    timeout: 60000,
  });
} catch (e) {
  console.log(`not ok - browser: chromium starts (${CHROMIUM})`);
  console.log(`#   ${String(e).split("\n").slice(0, 5).join("\n#   ")}`);
  process.exit(2);
}
check(`chromium starts (${browser.version()})`, true);

// One page per flow, fresh cookies, requests to the redirect_uri captured.
async function newPage() {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(TIMEOUT);
  ctx.setDefaultNavigationTimeout(TIMEOUT);
  const page = await ctx.newPage();
  const st = { captured: [], csp: [], page, ctx };
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text()))
      st.csp.push(m.text());
  });
  await page.route((u) => u.href.startsWith(REDIRECT), async (route) => {
    const r = route.request();
    st.captured.push({ url: r.url(), method: r.method(),
      body: r.postData(), ctype: await r.headerValue("content-type") });
    await route.fulfill({ status: 200, contentType: "text/plain",
      body: "ok" });
  });
  return st;
}

// page.route() sees the form_post POST (a new request), but not a
// redirect's target (Playwright routes only the first request of a redirect
// chain): then nginx itself answers /static-200 and page.url() has the
// query or fragment.
async function waitCaptured(st) {
  const t0 = Date.now();
  while (st.captured.length === 0 &&
    !st.page.url().startsWith(REDIRECT) && Date.now() - t0 < TIMEOUT)
    await st.page.waitForTimeout(50);
  if (st.captured.length > 0) return st.captured[0];
  if (st.page.url().startsWith(REDIRECT))
    return { url: st.page.url(), method: "GET" };
  return null;
}

// The authorization response the browser delivered: {mode, params, ...}.
function result(st, cap) {
  if (!cap) return null;
  if (cap.method === "POST") {
    const q = new URL(cap.url).search;
    return { mode: "form_post", params: Object.fromEntries(
      new URLSearchParams(cap.body || "")), extraQuery: q, ctype: cap.ctype,
    url: cap.url };
  }
  const u = new URL(cap.url);
  if (u.hash.length > 1)
    return { mode: "fragment", params: Object.fromEntries(
      new URLSearchParams(u.hash.slice(1))), query: u.search,
    url: u.href };
  return { mode: "query", params: Object.fromEntries(u.searchParams),
    url: u.href };
}

async function shot(page, name) {
  try {
    await page.screenshot({ path: join(ART, `${name}.png`) });
  } catch (e) {
    check(`screenshot ${name}`, false, String(e));
  }
}

async function isLoginPage(page) {
  return (await page.locator("input[name=username]").count()) === 1 &&
    (await page.locator("input[name=password][type=password]").count()) ===
    1;
}

async function login(st, tag, screenshot) {
  const page = st.page;
  if (!check(`${tag}: login page shown`, await isLoginPage(page),
    page.url())) return false;
  if (screenshot) await shot(page, `login-${tag}`);
  await page.fill("input[name=username]", USER);
  await page.fill("input[name=password]", PASSWORD);
  // waitForLoadState() returns at once on the already loaded login page;
  // wait for the navigation the form submission starts.
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.click("button[name=action][value=login]"),
  ]);
  return true;
}

async function consent(st, tag, decision, screenshot) {
  const page = st.page;
  const btn = page.locator(`button[name=decision][value=${decision}]`);
  try {
    await btn.waitFor({ timeout: TIMEOUT });
  } catch (e) { /* checked below */ }
  if (!check(`${tag}: consent page shown`, (await btn.count()) === 1,
    page.url())) {
    if (screenshot) await shot(page, `unexpected-${tag}`);
    return false;
  }
  if (screenshot) await shot(page, `consent-${tag}`);
  await btn.click();
  return true;
}

// ---- every response type in every response mode -------------------------

async function flow(rt, mode) {
  {
    const m = mode || DEFAULT_MODE(rt);
    const tag = `${slug(rt)}-${mode || m + "-default"}`;
    console.log(`# ${tag} at ${((Date.now() - T0) / 1000).toFixed(1)}s`);
    const state = `s ${tag} &=?#/%+`;
    const nonce = unique("n");
    const st = await newPage();
    let client;
    try {
      const t00 = Date.now();
      client = makeClient();
      const url = authUrl({ client_id: client.client_id,
        redirect_uri: REDIRECT, response_type: rt, scope: "openid email",
        state, nonce, response_mode: mode });
      const t = [Date.now()];
      await st.page.goto(url);
      t.push(Date.now());
      if (!(await login(st, tag, !mode))) return;
      t.push(Date.now());
      if (!(await consent(st, tag, "allow", !mode))) return;
      t.push(Date.now());
      const cap = await waitCaptured(st);
      t.push(Date.now());
      console.log(`# ${tag}: client ${t[0] - t00} ms, goto ${t[1] - t[0]}, ` +
        `login ${t[2] - t[1]}, consent ${t[3] - t[2]}, back ${t[4] - t[3]}`);
      const r = result(st, cap);
      if (!check(`${tag}: the browser reaches the redirect_uri`, r !== null,
        st.page.url())) {
        await shot(st.page, `stuck-${tag}`);
        return;
      }
      const p = r.params;
      const words = rt.split(" ");
      check(`${tag}: delivered by ${m}`, r.mode === m, r);
      if (m === "form_post") {
        check(`${tag}: form_post is a urlencoded POST to the exact ` +
          `redirect_uri`, r.url === REDIRECT &&
          /application\/x-www-form-urlencoded/.test(r.ctype || ""), r);
      }
      if (m === "fragment")
        check(`${tag}: nothing in the query with fragment mode`,
          !r.query, r);
      check(`${tag}: state echoed`, p.state === state, p);
      check(`${tag}: iss is the issuer`, p.iss === ISSUER, p);
      check(`${tag}: no error`, p.error === undefined, p);
      check(`${tag}: code iff requested`,
        words.includes("code") === (typeof p.code === "string" &&
          p.code.length >= 22), p);
      check(`${tag}: access_token (Bearer) iff requested`,
        words.includes("token") === (typeof p.access_token === "string" &&
          /^bearer$/i.test(p.token_type || "")), p);
      if (check(`${tag}: id_token iff requested`,
        words.includes("id_token") === (typeof p.id_token === "string"), p) &&
        p.id_token) {
        let c = {};
        try {
          c = b64urlJson(p.id_token.split(".")[1]);
        } catch (e) { /* checked below */ }
        check(`${tag}: ID Token nonce, aud, iss`, c.nonce === nonce &&
          (c.aud === client.client_id || (Array.isArray(c.aud) &&
            c.aud.includes(client.client_id))) && c.iss === ISSUER, c);
      }
      check(`${tag}: no CSP violations on the pages`, st.csp.length === 0,
        st.csp);
    } catch (e) {
      check(`${tag}: flow ran`, false, String(e));
      await shot(st.page, `exception-${tag}`);
    } finally {
      await st.ctx.close();
    }
  }
}

// Three flows at a time.
{
  const jobs = [];
  // The default mode of each response type is requested without
  // response_mode (the explicit form is in t/10-authorize.py).
  for (const rt of ALL)
    for (const m of MODES[rt])
      jobs.push([rt, m === DEFAULT_MODE(rt) ? null : m]);
  const worker = async () => {
    while (jobs.length) {
      const [rt, mode] = jobs.shift();
      await flow(rt, mode);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

// ---- consent deny ----------------------------------------------------------

{
  const st = await newPage();
  try {
    const client = makeClient();
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid",
      state: "deny" }));
    if (await login(st, "deny", false) &&
      await consent(st, "deny", "deny", false)) {
      const r = result(st, await waitCaptured(st));
      check("deny: access_denied at the redirect_uri with state and iss",
        r && r.params.error === "access_denied" &&
        r.params.state === "deny" && r.params.iss === ISSUER &&
        r.params.code === undefined, r);
    }
  } catch (e) {
    check("deny flow ran", false, String(e));
  }
}

// ---- prompt=none without a session ------------------------------------------

{
  const st = await newPage();
  try {
    const client = makeClient();
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "id_token", scope: "openid",
      state: "pn", nonce: unique("n"), prompt: "none",
      response_mode: "form_post" }));
    const r = result(st, await waitCaptured(st));
    check("prompt=none without a session: login_required posted back " +
      "(form_post)", r && r.mode === "form_post" &&
      r.params.error === "login_required" && r.params.state === "pn" &&
      r.params.iss === ISSUER, r);
  } catch (e) {
    check("prompt=none flow ran", false, String(e));
  }
}

// ---- first-party client: login and straight back ------------------------

{
  const st = await newPage();
  try {
    const client = makeClient({ first_party: true });
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid",
      state: "fp" }));
    if (await login(st, "first-party", false)) {
      const r = result(st, await waitCaptured(st));
      check("first-party client: no consent page, a code", r &&
        typeof r.params.code === "string" && r.params.state === "fp", r);
      // Same browser, another request: the session goes straight through.
      st.captured.length = 0;
      await st.page.goto(authUrl({ client_id: client.client_id,
        redirect_uri: REDIRECT, response_type: "code", scope: "openid",
        state: "fp2", prompt: "none" }));
      const r2 = result(st, await waitCaptured(st));
      check("session cookie kept by the browser: prompt=none succeeds",
        r2 && typeof r2.params.code === "string" &&
        r2.params.state === "fp2", r2);
      const cookies = await st.ctx.cookies(ISSUER);
      const sc = cookies.find((c) => c.name === "oidc_session");
      check("oidc_session cookie in the browser: HttpOnly, SameSite=Lax",
        sc && sc.httpOnly && sc.sameSite === "Lax" && sc.path === "/", sc);
    }
  } catch (e) {
    check("first-party flow ran", false, String(e));
  }
}

// ---- the error page (redirect_uri not registered) --------------------------

{
  const st = await newPage();
  try {
    const client = makeClient();
    const resp = await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: `${REDIRECT}/evil`, response_type: "code",
      scope: "openid", state: "e" }));
    await shot(st.page, "error-redirect-uri");
    check("unregistered redirect_uri: a 400 error page, no navigation away",
      resp && resp.status() === 400 && st.captured.length === 0 &&
      st.page.url().startsWith(`${ISSUER}/authorize`),
      { status: resp && resp.status(), url: st.page.url(),
        captured: st.captured });
    const resp2 = await st.page.goto(authUrl({ client_id: unique("nobody"),
      redirect_uri: REDIRECT, response_type: "code", scope: "openid" }));
    await shot(st.page, "error-unknown-client");
    check("unknown client: a 400 error page", resp2 &&
      resp2.status() === 400 && st.captured.length === 0,
    { status: resp2 && resp2.status() });
  } catch (e) {
    check("error page flow ran", false, String(e));
  }
}

// ---- wrong password ---------------------------------------------------------

{
  const st = await newPage();
  try {
    const client = makeClient();
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid",
      state: "wp" }));
    await st.page.fill("input[name=username]", USER);
    await st.page.fill("input[name=password]", "not the password");
    await Promise.all([st.page.waitForNavigation({ waitUntil: "load" }),
      st.page.click("button[name=action][value=login]")]);
    await shot(st.page, "login-wrong-password");
    const cookies = await st.ctx.cookies(ISSUER);
    check("wrong password: the login page again, no session",
      await isLoginPage(st.page) && st.captured.length === 0 &&
      !cookies.some((c) => c.name === "oidc_session"), st.page.url());
  } catch (e) {
    check("wrong password flow ran", false, String(e));
  }
}

// ---- framing is refused (frame-ancestors 'none' / X-Frame-Options) -------

{
  const st = await newPage();
  try {
    const client = makeClient();
    const target = authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid",
      state: "frame" });
    await st.page.goto(REDIRECT);      // an origin of our own, captured
    await st.page.setContent(`<iframe id=f src="${target}"></iframe>`);
    await st.page.waitForTimeout(1500);
    let framed = false;
    for (const f of st.page.frames()) {
      if (f === st.page.mainFrame()) continue;
      try {
        framed = framed || (await f.locator("input[name=password]").count())
          > 0;
      } catch (e) { /* a blocked frame may not answer */ }
    }
    check("the login page cannot be framed", !framed);
  } catch (e) {
    check("framing check ran", false, String(e));
  }
}

await browser.close();
// Nothing here skips: a check that cannot run fails.
console.log(`# browser: ${count - failed} passed, ${failed} failed, ` +
  `0 skipped in ` +
  `${((Date.now() - T0) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
