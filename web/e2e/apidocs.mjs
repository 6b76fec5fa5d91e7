// End-to-end: the API reference at /v1/docs in headless Chromium against a
// real `hindsight serve` (started by web/apidocs_test.go). A signed-in person
// opens it, and "Try it out" reads their own account (GET /v1/me) and
// creates a workspace (POST /v1/workspaces) with their session cookie: the
// page must send the CSRF token and an Idempotency-Key itself. Fails on any
// Content Security Policy violation or page error.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/apidocs.mjs
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/apidocs';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const failures = [];
const log = (...a) => console.log('[apidocs]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[apidocs] FAIL', msg);
};

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
page.on('console', (m) => {
  if (/Content Security Policy|Refused to (apply|execute|load|evaluate)/i.test(m.text())) fail(`CSP: ${m.text()}`);
});
page.on('pageerror', (e) => fail(`page error: ${e.message}`));

/**
 * Finds the operation through the reference's filter box (Swagger UI renders
 * only the tags in view, so a locator alone would not find one further
 * down), tries it out and answers the response shown.
 */
async function tryOut(tag, operationId, body) {
  await page.goto(`${base}/v1/docs`);
  await page.locator('.operation-filter-input').fill(tag);
  const op = page.locator(`[id="operations-${tag}-${operationId}"]`);
  await op.waitFor({ timeout: 60_000 });
  if (!(await op.locator('.opblock-body').count())) await op.locator('.opblock-summary-control').first().click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(JSON.stringify(body));
  await op.getByRole('button', { name: 'Execute' }).click();
  const row = op.locator('.live-responses-table .response').first();
  await row.waitFor({ timeout: 30_000 });
  const status = Number((await row.locator('.response-col_status').first().innerText()).trim());
  const text = await row.locator('.response-col_description pre').first().innerText();
  return { status, text };
}

try {
  const run = Math.random().toString(36).slice(2, 8);
  const email = `docs-${run}@example.com`;
  await page.goto(`${base}/`);
  const signedIn = await page.evaluate(async ({ email }) => {
    const password = 'correct horse battery staple';
    const json = { 'Content-Type': 'application/json' };
    const reg = await fetch('/v1/accounts', { method: 'POST', headers: json, body: JSON.stringify({ email, password, name: 'Dee' }) });
    const login = await fetch('/v1/sessions', { method: 'POST', headers: { ...json, 'X-Session-Mode': 'cookie' }, body: JSON.stringify({ email, password }) });
    return `${reg.status} ${login.status}`;
  }, { email });
  log('register, log in:', signedIn);

  await page.goto(`${base}/v1/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: 60_000 });
  const ops = await page.evaluate(() => window.ui.specSelectors.operations().size);
  log(`${ops} operations in the reference`);
  if (ops < 100) fail(`only ${ops} operations are in the reference`);
  const title = await page.locator('.information-container .title').first().innerText();
  if (!/hindsight/i.test(title)) fail(`the reference's title is ${JSON.stringify(title)}`);
  await page.screenshot({ path: `${artefacts}/reference.png` });

  const me = await tryOut('accounts', 'getMe');
  if (me.status !== 200 || !me.text.includes(email)) fail(`GET /v1/me tried out: ${me.status} ${me.text.slice(0, 200)}`);

  const ws = await tryOut('workspaces', 'createWorkspace', { name: `Docs ${run}` });
  if (ws.status !== 201) fail(`POST /v1/workspaces tried out: ${ws.status} ${ws.text.slice(0, 300)}`);
  const mine = await page.evaluate(async () => (await fetch('/v1/me/workspaces')).text());
  if (!mine.includes(`Docs ${run}`)) fail(`the workspace made from the reference is not among mine: ${mine.slice(0, 300)}`);
  await page.screenshot({ path: `${artefacts}/tried.png`, fullPage: false });
} catch (e) {
  fail(`${e.stack || e}`);
  await page.screenshot({ path: `${artefacts}/failure.png` }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[apidocs] ${failures.length} failure(s)`);
  process.exit(1);
}
log('ok');
