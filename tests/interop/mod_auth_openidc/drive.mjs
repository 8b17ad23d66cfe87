// tests/interop/mod_auth_openidc/drive.mjs: a real browser (Debian's
// chromium, headless, driven by playwright-core) walks through Apache +
// mod_auth_openidc and the provider's login and consent pages.  Run by
// tests/integration/t/70-mod-auth-openidc.py; not a test by itself.
//
//   node drive.mjs PLAN.json
//
// PLAN: {"protected": URL, "username": ..., "password": ...,
//        "logout": URL or null, "chromium": path (default /usr/bin/chromium),
//        "timeout_ms": N, "bypass_csp": false}
//
// bypass_csp (playwright's bypassCSP) is only for diagnosis: with it the
// browser ignores the provider's Content-Security-Policy.
//
// Steps: open PLAN.protected; fill in the login page, click "allow" on the
// consent page (whichever is shown, as often as shown); record the page the
// browser ends on.  Then open PLAN.protected again (the Apache session must
// hold: no login page).  With PLAN.logout: open it, follow wherever it
// leads (confirming on our sign-out page if it is shown), then open
// PLAN.protected once more and record whether the login
// page comes back.  Prints one JSON object on stdout; exit 0 unless the
// browser itself failed (the caller judges the pages).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const timeout = plan.timeout_ms || 20000;
const out = { steps: [], responses: [], console: [] };

function note(kind, extra) {
  out.steps.push(Object.assign({ kind }, extra || {}));
}

async function snapshot(page, resp) {
  let text = '';
  try { text = await page.innerText('body', { timeout: 2000 }); } catch (e) { text = ''; }
  return {
    url: page.url(),
    status: resp ? resp.status() : null,
    title: await page.title().catch(() => ''),
    text: text.slice(0, 20000),
    headers: resp ? Object.fromEntries(Object.entries(resp.headers())
      .filter(([k]) => k.startsWith('x-echo-'))) : {},
  };
}

// Whichever of our pages is showing: 'login', 'consent' or null.
async function kind(page) {
  if (await page.locator('input[type=password]').count()) return 'login';
  if (await page.locator('button[name=decision][value=allow]').count()) return 'consent';
  return null;
}

// Clicks the button and waits for the navigation it starts; returns the
// main-frame response of the last navigation (redirect chains included).
async function clickAndWait(page, selector) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ timeout, waitUntil: 'load' }),
    page.click(selector, { timeout }),
  ]);
  return resp;
}

async function throughProvider(page, resp) {
  for (let i = 0; i < 6; i++) {
    const k = await kind(page);
    if (k === 'login') {
      note('login', { url: page.url() });
      await page.fill('input[name=username]', plan.username, { timeout });
      await page.fill('input[type=password]', plan.password, { timeout });
      resp = await clickAndWait(page, 'button[name=action][value=login]');
    } else if (k === 'consent') {
      note('consent', { url: page.url() });
      resp = await clickAndWait(page, 'button[name=decision][value=allow]');
    } else {
      break;
    }
  }
  return resp;
}

const browser = await chromium.launch({
  executablePath: plan.chromium || '/usr/bin/chromium',
  headless: true,
  timeout,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage'],
});
let rc = 0;
try {
  const ctx = await browser.newContext({ bypassCSP: !!plan.bypass_csp });
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeout);
  page.on('response', (r) => {
    if (r.request().isNavigationRequest()) {
      const loc = r.headers()['location'];
      out.responses.push({ status: r.status(), url: r.url(), location: loc || null });
    }
  });
  page.on('console', (m) => out.console.push(m.text()));

  let resp = await page.goto(plan.protected, { timeout, waitUntil: 'load' });
  resp = await throughProvider(page, resp);
  out.first = await snapshot(page, resp);

  resp = await page.goto(plan.protected, { timeout, waitUntil: 'load' });
  out.again = await snapshot(page, resp);
  out.again.kind = await kind(page);

  if (plan.logout) {
    resp = await page.goto(plan.logout, { timeout, waitUntil: 'load' });
    // Our end_session asks for confirmation unless the id_token_hint
    // names the signed-in user.
    if (await page.locator('button[name=action][value=logout]').count()) {
      note('logout-confirm', { url: page.url() });
      resp = await clickAndWait(page, 'button[name=action][value=logout]');
    }
    out.logout = await snapshot(page, resp);
    resp = await page.goto(plan.protected, { timeout, waitUntil: 'load' });
    out.after_logout = await snapshot(page, resp);
    out.after_logout.kind = await kind(page);
  }
  out.cookies = (await ctx.cookies()).map((c) => ({
    name: c.name, domain: c.domain, path: c.path, sameSite: c.sameSite,
    httpOnly: c.httpOnly, secure: c.secure,
  }));
} catch (e) {
  out.error = String(e && e.stack ? e.stack : e);
  rc = 1;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(rc);
