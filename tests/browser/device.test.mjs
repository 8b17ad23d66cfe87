// tests/browser/device.test.mjs: a real headless browser (Debian's
// chromium, driven by playwright-core) through the /device verification
// page of the Device Authorization Grant (RFC 8628 3.3, issue 21 item 4):
// verification_uri_complete, the code form, a wrong code, the sign-in,
// the confirmation, allow, then the device's poll at /token gets tokens.
// Also: no CSP violations on the pages.  Run by
// tests/integration/t/51-device-browser.py through t/50-browser.py's
// installer (OIDC_BROWSER_SCRIPT); the same environment as login.test.mjs.
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
const TIMEOUT = 15000 * Number(process.env.OIDC_TEST_TIMEOUT_MULT || "1");
const GT = "urn:ietf:params:oauth:grant-type:device_code";

let failed = 0;
function check(name, cond, detail) {
  console.log(`${cond ? "ok" : "not ok"} - browser: device: ${name}`);
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

const user = `devb-${randomBytes(4).toString("hex")}`;
const pw = `pw-${randomBytes(8).toString("hex")}`;
ctl(["user", "create", user], pw);
const client = JSON.parse(ctl(["client", "create"], JSON.stringify({
  client_name: "Browser TV", grant_types: [GT], response_types: [],
  token_endpoint_auth_method: "none" })));
const form = (o) => new URLSearchParams(o).toString();
const post = (path, o) => fetch(`${ISSUER}${path}`, { method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: form(o) });

const da = await (await post("/device_authorization",
  { client_id: client.client_id, scope: "openid" })).json();
check("device authorization request", typeof da.user_code === "string",
  JSON.stringify(da));
mkdirSync(ART, { recursive: true });

let browser;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM,
    headless: true, timeout: 60000,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"] });
} catch (e) {
  console.log(`not ok - browser: device: chromium starts (${CHROMIUM})`);
  process.exit(2);
}
try {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(TIMEOUT);
  const page = await ctx.newPage();
  const csp = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) csp.push(m.text());
  });

  await page.goto(`${ISSUER}/device`);
  await page.fill("#user_code", "bbbb-bbbb");
  await Promise.all([page.waitForNavigation(), page.click("button[value=code]")]);
  check("a wrong code: the form again with the error",
    (await page.locator(".error").count()) === 1 &&
    (await page.isVisible("#user_code")),
    await page.content());

  await page.goto(da.verification_uri_complete);
  check("verification_uri_complete fills the code in",
    (await page.inputValue("#user_code")) === da.user_code);
  await page.screenshot({ path: join(ART, "device-code.png") });
  await Promise.all([page.waitForNavigation(), page.click("button[value=code]")]);
  check("the code leads to the sign-in form", await page.isVisible("#password"),
    await page.content());
  await page.fill("#username", user);
  await page.fill("#password", pw);
  await page.screenshot({ path: join(ART, "device-login.png") });
  await Promise.all([page.waitForNavigation(), page.click("button[value=login]")]);
  const body = await page.textContent("body");
  check("the confirmation names the code and the client",
    body.includes(da.user_code) && body.includes("Browser TV"), body);
  await page.screenshot({ path: join(ART, "device-confirm.png") });
  await Promise.all([page.waitForNavigation(), page.click("button[value=allow]")]);
  check("allowed: Device connected",
    (await page.textContent("body")).includes("Device connected"));
  check("no CSP violations on the pages", csp.length === 0, csp.join("\n"));

  const t = await post("/token", { grant_type: GT,
    device_code: da.device_code, client_id: client.client_id });
  const tj = await t.json();
  check("the device's poll gets the tokens", t.status === 200 &&
    tj.access_token && tj.id_token, JSON.stringify(tj));
} catch (e) {
  check("the flow runs", false, e && e.stack);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
