// tests/browser/themes.test.mjs: the pages' languages, a theme and their
// accessibility in a real headless browser (issue 22 item 4), run by
// t/54-themes-browser.py through t/50-browser.py's installer and relay.
//
// Through nginx (the harness offers ui_locales = en fr): the login page in
// French with ui_locales=fr and with Accept-Language: fr, the French flow
// through login, consent and the redirect, the logout confirmation and the
// error page in French.  A login page of an operator's theme (rendered by a
// private worker with ui_templates, handed over in OIDC_THEMED_PAGE) is
// loaded with setContent.  On every page: each visible input has a
// <label for> naming its id, with text; Tab from the first field visits the
// fields and then the submit button in document order; every text is at
// least 4.5:1 against its background (WCAG 2.x contrast, from the computed
// colours, backgrounds composed up the ancestors).
//
// Environment: as login.test.mjs, plus OIDC_THEMED_PAGE (a file).

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.OIDC_ROOT || resolve(HERE, "../..");
const ISSUER = (process.env.OIDC_ISSUER || "").replace(/\/+$/, "");
const CTL = process.env.OIDC_CTL;
const CHROMIUM = process.env.OIDC_CHROMIUM || "/usr/bin/chromium";
const ART = process.env.OIDC_ARTIFACTS || join(ROOT, "tests/artifacts");
const THEMED = process.env.OIDC_THEMED_PAGE;
const TIMEOUT = 15000 * Number(process.env.OIDC_TEST_TIMEOUT_MULT || "1");

if (!ISSUER || !CTL || !THEMED) {
  console.log("not ok - browser: OIDC_ISSUER, OIDC_CTL and " +
    "OIDC_THEMED_PAGE must be set (run through t/54-themes-browser.py)");
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

function authUrl(params) {
  const u = new URL(`${ISSUER}/authorize`);
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null) u.searchParams.set(k, v);
  return u.href;
}

const USER = unique("theme-user");
const PASSWORD = "theme " + randomBytes(8).toString("hex");
let client;
try {
  ctl(["user", "create", USER], PASSWORD);
  client = JSON.parse(ctl(["client", "create"], JSON.stringify({
    redirect_uris: [REDIRECT], response_types: ["code"],
    client_name: unique("Caf\u00e9 th\u00e8me"),
  })));
} catch (e) {
  check("oidcctl user and client create", false, String(e.stderr || e));
  process.exit(1);
}
mkdirSync(ART, { recursive: true });

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
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

async function newPage(headers) {
  const ctx = await browser.newContext({ extraHTTPHeaders: headers || {} });
  ctx.setDefaultTimeout(TIMEOUT);
  ctx.setDefaultNavigationTimeout(TIMEOUT);
  const page = await ctx.newPage();
  const st = { captured: [], page, ctx };
  await page.route((u) => u.href.startsWith(REDIRECT), async (route) => {
    st.captured.push(route.request().url());
    await route.fulfill({ status: 200, contentType: "text/plain",
      body: "ok" });
  });
  return st;
}

async function shot(page, name) {
  try {
    await page.screenshot({ path: join(ART, `theme-${name}.png`),
      fullPage: true });
  } catch (e) { /* a screenshot is a convenience */ }
}

// ---- accessibility checks, computed in the page ----------------------------

// Inputs a user sees, their labels: [{id, label}] and problems.
async function labelProblems(page) {
  return page.evaluate(() => {
    const bad = [];
    const ids = new Set();
    for (const el of document.querySelectorAll("input, select, textarea")) {
      if (el.type === "hidden") continue;
      if (!el.id) { bad.push(`${el.name}: no id`); continue; }
      if (ids.has(el.id)) bad.push(`${el.id}: id not unique`);
      ids.add(el.id);
      const labels = [...document.querySelectorAll("label")]
        .filter((l) => l.htmlFor === el.id);
      if (labels.length !== 1 || labels[0].textContent.trim() === "")
        bad.push(`${el.id}: ${labels.length} label[for] with text`);
    }
    return { bad, n: ids.size };
  });
}

// Tab from the first focusable field: the order of elements reached must
// be the document order of the fields and buttons, ending at the submit.
async function focusOrder(page) {
  const want = await page.evaluate(() => [...document.querySelectorAll(
    "input:not([type=hidden]), button, select, textarea, a[href]")]
    .filter((e) => e.offsetParent !== null && !e.disabled)
    .map((e) => e.id || `${e.tagName}:${e.textContent.trim()}`));
  // Start at the first field (as autofocus or a click would).
  await page.evaluate(() => [...document.querySelectorAll(
    "input:not([type=hidden]), button, select, textarea, a[href]")]
    .filter((e) => e.offsetParent !== null && !e.disabled)[0]?.focus());
  const id = () => page.evaluate(() => {
    const e = document.activeElement;
    return e ? (e.id || `${e.tagName}:${e.textContent.trim()}`) : null;
  });
  const got = [await id()];
  for (let i = 1; i < want.length; i++) {
    await page.keyboard.press("Tab");
    got.push(await id());
  }
  return { want, got };
}

// Every element with its own text: contrast of its colour against the
// background composed from it up to the root (white canvas below).
async function contrastProblems(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter((x) => x).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a), a: 1 });
    const bgOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) layers.push(c);
        if (c && c.a === 1) break;
      }
      let bg = { r: 255, g: 255, b: 255, a: 1 };
      for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
      return bg;
    };
    const lum = (c) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92
        : Math.pow((v + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const bad = [];
    let n = 0;
    for (const el of document.body.querySelectorAll("*")) {
      const own = [...el.childNodes].some((t) => t.nodeType === 3 &&
        t.textContent.trim() !== "");
      if (!own || el.offsetParent === null && el.tagName !== "BODY")
        continue;
      const bg = bgOf(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      const l1 = lum(fg), l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      n++;
      if (ratio < 4.5)
        bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}": ` +
          `${ratio.toFixed(2)}:1`);
    }
    return { bad, n };
  });
}

async function a11y(page, name, wantLast) {
  const l = await labelProblems(page);
  check(`${name}: every input has its label[for]`, l.bad.length === 0,
    l.bad);
  const f = await focusOrder(page);
  check(`${name}: Tab visits the fields then the buttons in order`,
    f.want.length > 0 && JSON.stringify(f.got) === JSON.stringify(f.want) &&
    (wantLast === undefined || f.got[f.got.length - 1] === wantLast), f);
  const c = await contrastProblems(page);
  check(`${name}: ${c.n} texts, contrast >= 4.5:1`, c.n > 0 &&
    c.bad.length === 0, c.bad);
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);

// ---- French by ui_locales ----------------------------------------------------
{
  const st = await newPage();
  try {
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid email",
      state: "fr1", ui_locales: "fr" }));
    check("ui_locales=fr: <html lang=fr>", await lang(st.page) === "fr");
    check("ui_locales=fr: French labels", (await st.page.locator(
      "label[for=password]").textContent()) === "Mot de passe" &&
      (await st.page.title()) === "Connexion", await st.page.title());
    await shot(st.page, "login-fr");
    await a11y(st.page, "login (fr)", "BUTTON:Se connecter");
  } catch (e) {
    check("ui_locales=fr flow ran", false, String(e));
  }
  await st.ctx.close();
}

// ---- French by Accept-Language, the whole flow -------------------------------
{
  const st = await newPage({ "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5" });
  try {
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid email",
      state: "fr2" }));
    check("Accept-Language fr: <html lang=fr>", await lang(st.page) === "fr");
    await st.page.getByLabel("Nom d\u2019utilisateur").fill(USER);
    await st.page.getByLabel("Mot de passe").fill("wrong");
    await st.page.getByRole("button", { name: "Se connecter" }).click();
    await st.page.waitForLoadState();
    check("failed login: the French alert", (await st.page.locator(
      "[role=alert]").textContent()).includes("incorrect") &&
      await lang(st.page) === "fr");
    await a11y(st.page, "login with an error (fr)", "BUTTON:Se connecter");
    await st.page.getByLabel("Nom d\u2019utilisateur").fill(USER);
    await st.page.getByLabel("Mot de passe").fill(PASSWORD);
    await st.page.getByRole("button", { name: "Se connecter" }).click();
    await st.page.getByRole("button", { name: "Autoriser" }).waitFor();
    check("consent page in French", await lang(st.page) === "fr" &&
      (await st.page.content()).includes("voir votre adresse e-mail"));
    await shot(st.page, "consent-fr");
    await a11y(st.page, "consent (fr)", "BUTTON:Refuser");
    await st.page.getByRole("button", { name: "Autoriser" }).click();
    const t0 = Date.now();
    while (st.captured.length === 0 && !st.page.url().startsWith(REDIRECT) &&
      Date.now() - t0 < TIMEOUT)
      await st.page.waitForTimeout(50);
    const url = st.captured[0] || st.page.url();
    check("the French flow reaches the redirect_uri with a code",
      url.startsWith(REDIRECT) && new URL(url).searchParams.get("code"),
      url);
    await st.page.goto(`${ISSUER}/end_session`);
    check("logout confirmation in French", await lang(st.page) === "fr" &&
      await st.page.getByRole("button", { name: "Se d\u00e9connecter" })
        .count() === 1);
    await a11y(st.page, "logout (fr)", "BUTTON:Se d\u00e9connecter");
    await st.page.goto(`${ISSUER}/authorize?client_id=nope`);
    check("error page in French", await lang(st.page) === "fr" &&
      (await st.page.title()) === "Erreur", await st.page.title());
    await shot(st.page, "error-fr");
    const c = await contrastProblems(st.page);
    check(`error page (fr): ${c.n} texts, contrast >= 4.5:1`,
      c.n > 0 && c.bad.length === 0, c.bad);
  } catch (e) {
    check("Accept-Language fr flow ran", false, String(e));
  }
  await st.ctx.close();
}

// ---- English, for comparison -------------------------------------------------
{
  const st = await newPage({ "Accept-Language": "en-US,en;q=0.9" });
  try {
    await st.page.goto(authUrl({ client_id: client.client_id,
      redirect_uri: REDIRECT, response_type: "code", scope: "openid",
      state: "en" }));
    check("Accept-Language en: English", await lang(st.page) === "en" &&
      (await st.page.title()) === "Sign in");
    await a11y(st.page, "login (en)", "BUTTON:Sign in");
  } catch (e) {
    check("English flow ran", false, String(e));
  }
  await st.ctx.close();
}

// ---- an operator's theme ---------------------------------------------------------
{
  const st = await newPage();
  try {
    await st.page.setContent(readFileSync(THEMED, "utf8"));
    check("theme: the operator's login.html is shown", await st.page
      .locator(".acme-theme").count() === 1 && await lang(st.page) === "fr",
      (await st.page.content()).slice(0, 400));
    await shot(st.page, "login-themed");
    await a11y(st.page, "themed login (fr)", "BUTTON:Se connecter");
  } catch (e) {
    check("theme check ran", false, String(e));
  }
  await st.ctx.close();
}

// ---- the checks themselves catch what they look for -------------------------
{
  const st = await newPage();
  try {
    await st.page.setContent('<html lang="en"><body style="background:#fff">' +
      '<p style="color:#999">pale</p><div style="background:rgba(0,0,0,.5)">' +
      '<span style="color:#333">dark on grey</span></div>' +
      '<input id="a"><label for="b">B</label><input id="b">' +
      '<button tabindex="-1">x</button></body></html>');
    const c = await contrastProblems(st.page);
    check("control: low contrast is caught (#999 on white, #333 on 50% " +
      "black over white)", c.bad.length === 2, c);
    const l = await labelProblems(st.page);
    check("control: an input without a label is caught",
      l.bad.length === 1 && l.bad[0].startsWith("a:"), l);
    const f = await focusOrder(st.page);
    check("control: a button out of the Tab order is caught",
      JSON.stringify(f.got) !== JSON.stringify(f.want), f);
  } catch (e) {
    check("control checks ran", false, String(e));
  }
  await st.ctx.close();
}

await browser.close();
console.log(`# browser: ${count - failed} passed, ${failed} failed, ` +
  "0 skipped");
process.exit(failed ? 1 : 0);
