// End-to-end: the pages mailed links lead to, in headless Chromium against a
// real `hindsight serve` that sends its mail through a real SMTP server on
// loopback (started by web/mail_test.go, which serves what that SMTP server
// received at MAILBOX_URL). Vera signs up and confirms her address by the
// mailed link; forgets her password, has a reset link mailed, sets a new
// password and logs in with it; Gil joins a retro as a guest from its invite
// and comes in by the link mailed to him. A link used again or garbled is
// refused in words, never as raw JSON (in German too). axe-core runs on each
// page; a CSP violation fails.
//
// Usage: BASE_URL=… MAILBOX_URL=… MAIL_ORIGIN=… ARTEFACTS=dir node e2e/mail.mjs
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const mailbox = process.env.MAILBOX_URL;
const mailOrigin = process.env.MAIL_ORIGIN;
const artefacts = process.env.ARTEFACTS || 'test-results/mail';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base || !mailbox || !mailOrigin) throw new Error('BASE_URL, MAILBOX_URL and MAIL_ORIGIN are required');
mkdirSync(artefacts, { recursive: true });

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';
const newPassword = 'a brand new password, longer';
const failures = [];
const log = (...a) => console.log('[mail]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[mail] FAIL', msg);
};

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const people = [];
async function person(name, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const p = { name, context, page, csp: [] };
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to (apply|execute|load)/i.test(t)) p.csp.push(t);
  });
  page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
  people.push(p);
  return p;
}

let shot = 0;
async function step(p, label) {
  await p.page.screenshot({ path: `${artefacts}/${String(++shot).padStart(2, '0')}-${label}-${p.name}.png`, fullPage: true });
  // page.evaluate runs outside the page's CSP, so axe needs no inline script.
  await p.page.evaluate(axeSource + '\n;0');
  const res = await p.page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  for (const v of res) {
    if (v.impact === 'serious' || v.impact === 'critical') fail(`${p.name} @ ${label}: axe ${v.impact} ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);
  }
  log('step done:', label);
}

async function api(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function until(what, f, timeout = 30000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const escaped = mailOrigin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const linkPattern = new RegExp(`${escaped}(/[a-z-]+)#token=([A-Za-z0-9_-]{43})`);

/** The n-th mail (1-based) to addr whose link leads to page; the link on this server. */
async function mailedLink(addr, page, n = 1) {
  const mails = await until(`mail ${n} to ${addr} with a link to ${page}`, async () => {
    const all = await (await fetch(mailbox)).json();
    const mine = all.filter((m) => m.to === addr && linkPattern.exec(m.text)?.[1] === page);
    return mine.length >= n && mine;
  });
  const m = mails[n - 1];
  const [, path, token] = linkPattern.exec(m.text);
  log(`mail to ${addr}: "${m.subject}" links to ${path}`);
  return `${base}${path}#token=${token}`;
}

/** Opens a mailed link as a person would: a fresh load of the page. */
async function open(p, link) {
  await p.page.goto(`${base}/login`);
  await p.page.goto(link);
}

/** Fails unless the page's alert says want in words, with no JSON of the problem anywhere on the page. */
async function refusedInWords(p, want, label) {
  await p.page.getByRole('alert').filter({ hasText: want }).waitFor();
  const text = await p.page.evaluate(() => document.body.innerText);
  if (/[{}]|"code"|problem\+json|urn:|https?:\/\/\S+\/problems?\//.test(text)) fail(`${label}: the page shows the problem as data, not words: ${text}`);
}

try {
  // Vera signs up in the browser; the server mails her a link to confirm her address.
  const vera = await person('vera');
  const veraEmail = `vera-${run}@example.com`;
  await vera.page.goto(`${base}/signup`);
  await vera.page.getByLabel('Your name').fill('Vera');
  await vera.page.getByLabel('E-mail address').fill(veraEmail);
  await vera.page.getByLabel('Password').fill(password);
  await vera.page.getByRole('button', { name: 'Sign up' }).click();
  await vera.page.getByRole('heading', { name: 'Your workspaces and teams' }).waitFor();
  const verifyLink = await mailedLink(veraEmail, '/verify-email');
  await open(vera, verifyLink);
  await vera.page.getByRole('heading', { name: 'Confirm your e-mail address' }).waitFor();
  await step(vera, 'verify-email');
  await vera.page.getByRole('button', { name: 'Confirm my address' }).click();
  await vera.page.getByRole('status').filter({ hasText: 'Your e-mail address is confirmed.' }).waitFor();
  const me = await vera.page.evaluate(async () => (await fetch('/v1/me')).json());
  if (me.emailVerified !== true) fail(`after the link, /v1/me says emailVerified ${me.emailVerified}`);
  await step(vera, 'verified');
  // The same link again: used, said in words.
  await open(vera, verifyLink);
  await vera.page.getByRole('button', { name: 'Confirm my address' }).click();
  await refusedInWords(vera, 'This link was used already. Ask for a new one.', 'verify link used again');
  await step(vera, 'verify-email-used');

  // Vera, in a browser where she is not signed in, forgot her password.
  const later = await person('vera-later');
  await later.page.goto(`${base}/login`);
  await later.page.getByRole('link', { name: 'Forgot your password?' }).click();
  await later.page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await step(later, 'forgot-password');
  await later.page.getByLabel('E-mail address').fill(veraEmail);
  await later.page.getByRole('button', { name: 'Mail me a link' }).click();
  await later.page.getByRole('status').filter({ hasText: 'If an account has this address, a link is on its way there.' }).waitFor();
  await step(later, 'reset-requested');
  const resetLink = await mailedLink(veraEmail, '/reset-password');
  await open(later, resetLink);
  await later.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await step(later, 'reset-password');
  await later.page.getByRole('textbox', { name: 'New password' }).fill(newPassword);
  await later.page.getByRole('button', { name: 'Set the new password' }).click();
  await later.page.getByRole('status').filter({ hasText: 'Your new password is set, and every earlier session has ended.' }).waitFor();
  await step(later, 'password-set');
  await later.page.getByRole('status').getByRole('link', { name: 'Log in' }).click();
  await later.page.getByLabel('E-mail address').fill(veraEmail);
  await later.page.getByLabel('Password').fill(newPassword);
  await later.page.getByRole('button', { name: 'Log in' }).click();
  await later.page.getByRole('heading', { name: 'Your workspaces and teams' }).waitFor();
  const old = await api('POST', '/v1/sessions', '', { email: veraEmail, password });
  if (old.status !== 401) fail(`the old password still logs in after the reset: ${old.status}`);
  // The reset link again: used, in words; a garbled one in German: unknown, in words.
  await open(later, resetLink);
  await later.page.getByRole('textbox', { name: 'New password' }).fill('yet another password here');
  await later.page.getByRole('button', { name: 'Set the new password' }).click();
  await refusedInWords(later, 'This link was used already. Ask for a new one.', 'reset link used again');
  await step(later, 'reset-password-used');
  const german = await person('vera-de', 'de-DE');
  await open(german, resetLink.replace(/#token=.*/, `#token=${'x'.repeat(43)}`));
  await german.page.getByRole('heading', { name: 'Neues Passwort wählen' }).waitFor();
  await german.page.getByRole('textbox', { name: 'Neues Passwort' }).fill('yet another password here');
  await german.page.getByRole('button', { name: 'Neues Passwort setzen' }).click();
  await refusedInWords(german, 'Dieser Link ist unbekannt. Fordere einen neuen an.', 'garbled reset link');
  await step(german, 'reset-password-garbled-de');

  // Ada's retro; Gil joins it as a guest from the invite, by the link mailed to him.
  const adaEmail = `ada-${run}@example.com`;
  await api('POST', '/v1/accounts', '', { email: adaEmail, password, name: 'Ada' });
  const ada = (await api('POST', '/v1/sessions', '', { email: adaEmail, password })).body.token;
  const ws = (await api('POST', '/v1/workspaces', ada, { name: `Mail ${run}` })).body;
  const templates = (await api('GET', '/v1/catalog/team-templates', ada)).body;
  const team = (await api('POST', `/v1/workspaces/${ws.id}/teams`, ada, { name: 'Platform', templateId: templates.items[0].id })).body;
  const retroTitle = `Mail retro ${run}`;
  const retro = (await api('POST', `/v1/teams/${team.id}/retros`, ada, { title: retroTitle })).body;
  const invite = (await api('POST', `/v1/retros/${retro.id}/invites`, ada, {})).body;
  if (!invite.code) throw new Error(`no invite code: ${JSON.stringify(invite)}`);
  const gil = await person('gil');
  const gilEmail = `gil-${run}@example.com`;
  await gil.page.goto(`${base}/join/${encodeURIComponent(invite.code)}`);
  await gil.page.getByLabel('Your name').fill('Gil');
  await gil.page.getByLabel('E-mail address').fill(gilEmail);
  await gil.page.getByRole('button', { name: 'Join' }).click();
  await gil.page.getByRole('status').filter({ hasText: `Check your mailbox: we sent a link to ${gilEmail}.` }).waitFor();
  await step(gil, 'join-mailed');
  const guestLink = await mailedLink(gilEmail, '/guest-link');
  await open(gil, guestLink);
  await gil.page.getByRole('heading', { name: 'Join the retro' }).waitFor();
  await step(gil, 'guest-link');
  await gil.page.getByRole('button', { name: 'Join' }).click();
  await gil.page.getByRole('heading', { name: retroTitle }).waitFor();
  if (!gil.page.url().endsWith(`/retros/${retro.id}`)) fail(`the guest link led to ${gil.page.url()}, not the retro`);
  const gilMe = await gil.page.evaluate(async () => (await fetch('/v1/me')).json());
  if (gilMe.email !== gilEmail || gilMe.guest !== true) fail(`Gil came in as ${JSON.stringify(gilMe)}, not as the guest of his address`);
  const names = (await api('GET', `/v1/retros/${retro.id}/names`, ada)).body;
  if (!JSON.stringify(names).includes('Gil')) fail(`Gil is not among the retro's people: ${JSON.stringify(names)}`);
  await step(gil, 'guest-in-retro');
  // Someone else opening Gil's link afterwards is refused, in words.
  const other = await person('other');
  await open(other, guestLink);
  await other.page.getByRole('button', { name: 'Join' }).click();
  await refusedInWords(other, 'This link was used already. Ask for a new one.', 'guest link used again');
  await step(other, 'guest-link-used');

  for (const p of people) if (p.csp.length) fail(`${p.name}: CSP violations: ${p.csp.join(' | ')}`);
} catch (e) {
  fail(String((e && e.stack) || e));
  for (const [i, c] of browser.contexts().entries()) for (const pg of c.pages()) await pg.screenshot({ path: `${artefacts}/failed-${i}.png` }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[mail] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[mail] ok');
process.exit(0);
