// End-to-end: a whole anonymous retro in headless Chromium against a real
// `hindsight serve` (started by web/browser_test.go). A moderator, two
// members and a guest (in German, joining by the invite link) click and type like
// people. At every step it checks that nobody's page — DOM, storage, HTTP
// answers, live-feed frames — holds another person's concealed card text, an
// anonymous author or an open vote; runs axe-core on every page; and keeps
// a screenshot of each step.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/retro.mjs
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/e2e';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';
const failures = [];
const log = (...a) => console.log('[e2e]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[e2e] FAIL', msg);
};

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** A person with their own browser context, recording what reached their page. */
async function person(name, locale, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const p = { name, locale, context, page, texts: [], frames: [], csp: [], id: '' };
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to (apply|execute|load)/i.test(t)) p.csp.push(t);
  });
  page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
  page.on('response', async (r) => {
    const type = r.request().resourceType();
    if (type !== 'fetch' && type !== 'xhr') return;
    try {
      p.texts.push({ at: Date.now(), url: r.url(), body: await r.text() });
    } catch {
      /* a body that is gone (navigation) */
    }
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => p.frames.push({ at: Date.now(), body: typeof f.payload === 'string' ? f.payload : '' }));
  });
  return p;
}

/** A retro column by its title. */
const column = (p, title) => p.page.locator('.column').filter({ has: p.page.getByRole('heading', { name: title, exact: true }) });

let shot = 0;
async function step(label, people) {
  for (const p of people) {
    shot++;
    await p.page.screenshot({ path: `${artefacts}/${String(shot).padStart(2, '0')}-${label}-${p.name}.png`, fullPage: true });
    await axeCheck(p, label);
  }
  log('step done:', label);
}

async function axeCheck(p, label) {
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
}

/** Everything a person's browser holds: DOM, storage, answers, frames. */
async function holdings(p) {
  const dom = await p.page.evaluate(() => document.documentElement.outerHTML);
  const storage = await p.page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie }));
  return { dom, storage, net: p.texts.map((t) => t.body).join('\n'), ws: p.frames.map((f) => f.body).join('\n') };
}

async function assertNobodyElseHolds(people, secrets, label) {
  for (const p of people) {
    const h = await holdings(p);
    for (const [owner, secret] of secrets) {
      if (owner === p.name) continue;
      for (const [where, text] of Object.entries(h)) {
        if (text.includes(secret)) fail(`${label}: ${p.name}'s ${where} holds ${owner}'s concealed text`);
      }
    }
  }
}

/** Walks every JSON value a person received. */
function* received(p, since = 0) {
  const lines = [...p.texts.filter((t) => t.at >= since).map((t) => t.body), ...p.frames.filter((f) => f.at >= since).map((f) => f.body)];
  for (const l of lines) {
    try {
      yield JSON.parse(l);
    } catch {
      /* not JSON */
    }
  }
}
function* walk(v) {
  if (v && typeof v === 'object') {
    yield v;
    for (const x of Object.values(v)) yield* walk(x);
  }
}

/** Every JSON value a person's page keeps in localStorage and sessionStorage. */
async function stored(p) {
  const raw = await p.page.evaluate(() => [...Object.values(localStorage), ...Object.values(sessionStorage)]);
  const out = [];
  for (const r of raw) {
    try {
      out.push(JSON.parse(r));
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/** Clicks a download link; the file's suggested name and bytes. */
async function download(p, link) {
  const [d] = await Promise.all([p.page.waitForEvent('download'), link.click()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), body: readFileSync(path) };
}

/** Waits until the page's service worker is active; checks how it is served. */
async function serviceWorkerReady(p) {
  const sw = await p.page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const res = await fetch('/sw.js', { cache: 'no-store' });
    return { scope: reg.scope, script: reg.active?.scriptURL, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy') };
  });
  if (sw.scope !== `${base}/` || sw.script !== `${base}/sw.js`) fail(`${p.name}: service worker ${sw.script} with scope ${sw.scope}`);
  if (!/^text\/javascript/.test(sw.type || '')) fail(`${p.name}: /sw.js served as ${sw.type}`);
  if (!/script-src 'self'/.test(sw.csp || '') || /unsafe-inline/.test(sw.csp || '')) fail(`${p.name}: /sw.js served with CSP ${sw.csp}`);
}

/** Waits until the page has kept a view of the retro that satisfies ok (it keeps at most every 500 ms). */
async function keptView(p, retroId, ok) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const views = await p.page.evaluate((id) => Object.entries(localStorage).filter(([k]) => k.startsWith('hindsight.view.') && k.endsWith(`.${id}`)).map(([, v]) => JSON.parse(v).view), retroId);
    if (views.some(ok)) return;
    if (Date.now() > deadline) throw new Error(`${p.name}'s page never kept the view it shows`);
    await p.page.waitForTimeout(100);
  }
}

/** What the service worker cached: the app's files only, nothing from the API. */
async function checkCaches(people, label) {
  for (const p of people) {
    const urls = await p.page.evaluate(async () => {
      const out = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) out.push(`${name} ${new URL(r.url).pathname}`);
      return out;
    });
    if (urls.length === 0) fail(`${label}: ${p.name}'s service worker cached nothing`);
    for (const u of urls) if (/ \/v1\//.test(u)) fail(`${label}: ${p.name}'s cache holds an API answer: ${u}`);
    if (new Set(urls.map((u) => u.split(' ')[0])).size > 1) fail(`${label}: ${p.name} has caches of several builds: ${urls.join(', ')}`);
  }
}

/** An anonymous retro names no author to anyone: redacted events carry author "", views leave it out. */
async function checkNoAuthors(people, label) {
  for (const p of people) {
    for (const v of [...received(p), ...(await stored(p))]) {
      for (const o of walk(v)) {
        if (typeof o.author === 'string' && o.author !== '' && !o.mine) fail(`${label}: ${p.name} received an author of someone else's card in an anonymous retro: ${JSON.stringify(o)}`);
        if (typeof o.author === 'string' && o.author !== p.id && people.some((x) => x.id === o.author)) {
          fail(`${label}: ${p.name} received another person's user ID as an author`);
        }
      }
    }
  }
}

async function signUp(p, email) {
  await p.page.goto(`${base}/signup`);
  await p.page.getByLabel('Your name').fill(p.name);
  await p.page.getByLabel('E-mail address').fill(email);
  await p.page.getByLabel('Password').fill(password);
  await p.page.getByRole('button', { name: 'Sign up' }).click();
  await p.page.getByRole('heading', { name: 'Your workspaces and teams' }).waitFor();
  p.id = await p.page.evaluate(async () => (await (await fetch('/v1/me')).json()).userId);
}

const everyone = [];
try {
  const ada = await person('ada', 'en-US');
  const ben = await person('ben', 'en-US');
  const cy = await person('cy', 'en-US');
  const gus = await person('gus', 'de-DE', { width: 390, height: 844 }); // a phone, in German
  const all = [ada, ben, cy, gus];
  everyone.push(...all);

  // A wrong password is said in words, not as JSON.
  await ada.page.goto(`${base}/login`);
  await step('login', [ada]);
  await ada.page.getByLabel('E-mail address').fill(`nobody-${run}@example.com`);
  await ada.page.getByLabel('Password').fill('wrong password!!');
  await ada.page.getByRole('button', { name: 'Log in' }).click();
  await ada.page.getByRole('alert').filter({ hasText: 'Wrong e-mail address or password.' }).waitFor();
  if ((await ada.page.content()).includes('"type"')) fail('a problem was shown as raw JSON');

  await signUp(ada, `ada-${run}@example.com`);
  await signUp(ben, `ben-${run}@example.com`);
  await signUp(cy, `cy-${run}@example.com`);
  await step('home-empty', [ada]);

  // Ada: workspace, team from a template, Ben by e-mail.
  await ada.page.getByLabel('Workspace name').fill(`Acme ${run}`);
  await ada.page.getByRole('button', { name: 'Create a workspace' }).click();
  await ada.page.getByLabel('Team name').fill('Platform');
  await ada.page.getByRole('button', { name: 'Create a team' }).click();
  await ada.page.getByRole('heading', { name: 'Team Platform' }).waitFor();
  await ada.page.getByLabel('Member’s e-mail address').fill(`ben-${run}@example.com`);
  await ada.page.getByRole('button', { name: 'Add a member' }).click();
  await ada.page.getByRole('status').filter({ hasText: 'was added to the team' }).waitFor();
  await ada.page.getByRole('listitem').filter({ hasText: 'ben' }).first().waitFor();
  await ada.page.getByLabel('Member’s e-mail address').fill(`cy-${run}@example.com`);
  await ada.page.getByRole('button', { name: 'Add a member' }).click();
  await ada.page.getByRole('listitem').filter({ hasText: /^cy/ }).first().waitFor();
  await step('team', [ada]);

  // A new anonymous retro from the catalogue, found by searching.
  await ada.page.getByRole('link', { name: 'Start a new retro' }).click();
  await ada.page.getByLabel('Title').fill(`Sprint ${run}`);
  await ada.page.getByLabel('Search templates').fill('start stop continue');
  await ada.page.getByRole('radio', { name: /Start, Stop, Continue/ }).check();
  await ada.page.getByRole('heading', { name: 'Columns' }).waitFor();
  await ada.page.getByLabel(/^Anonymous/).check();
  // The icebreaker question and the health pack are chosen here.
  const iceSelect = ada.page.getByLabel('Icebreaker question');
  await iceSelect.locator('option').nth(2).waitFor({ state: 'attached' });
  const iceQuestion = (await iceSelect.locator('option').nth(2).textContent()).trim();
  await iceSelect.selectOption({ index: 2 });
  const packSelect = ada.page.getByLabel('Health check', { exact: true });
  await packSelect.locator('option').nth(1).waitFor({ state: 'attached' });
  await packSelect.selectOption({ index: 1 });
  // So are the voting defaults: 4 votes each, at most 2 per topic.
  await ada.page.getByLabel('Votes per person').fill('4');
  await ada.page.getByLabel('At most per person and topic').fill('2');
  await step('new-retro', [ada]);
  await ada.page.getByRole('button', { name: 'Create retro' }).click();
  await ada.page.getByText('Anonymous retro: authors and voters are hidden from everyone.').waitFor();
  await ada.page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor();
  const retroUrl = ada.page.url();

  // The invite link, as text and QR code; the guest joins with it.
  await ada.page.getByRole('button', { name: 'Create an invite link' }).click();
  const link = await ada.page.locator('a.invite-link').textContent();
  await ada.page.getByRole('img', { name: 'QR code of the invite link' }).waitFor();
  // The QR code downloads as PNG and as SVG.
  const png = await download(ada, ada.page.getByRole('link', { name: 'QR code as PNG' }));
  if (!png.name.endsWith('.png') || png.body.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') fail(`the QR code's PNG download is ${png.name}, ${png.body.subarray(0, 8).toString('hex')}`);
  const svg = await download(ada, ada.page.getByRole('link', { name: 'QR code as SVG' }));
  if (!svg.name.endsWith('.svg') || !svg.body.toString('utf8').includes('<svg')) fail(`the QR code's SVG download is ${svg.name}`);
  await gus.page.goto(link);
  await step('join', [gus]);
  await gus.page.getByLabel('Dein Name').fill('Gus');
  await gus.page.getByLabel('E-Mail-Adresse').fill(`gus-${run}@example.com`);
  await gus.page.getByRole('button', { name: 'Beitreten' }).click();
  await gus.page.getByText('Anonyme Retro', { exact: false }).first().waitFor();
  gus.id = await gus.page.evaluate(async () => (await (await fetch('/v1/me')).json()).userId);

  // Ben finds the retro from his home page and takes part.
  await ben.page.goto(`${base}/`);
  await ben.page.getByRole('link', { name: 'Platform' }).click();
  await ben.page.getByRole('link', { name: `Sprint ${run}` }).click();
  await ben.page.getByRole('button', { name: 'Take part' }).click();
  // So does Cy, the second member.
  await cy.page.goto(`${base}/`);
  await cy.page.getByRole('link', { name: 'Platform' }).click();
  await cy.page.getByRole('link', { name: `Sprint ${run}` }).click();
  await cy.page.getByRole('button', { name: 'Take part' }).click();
  await ada.page.getByText('4 people here').waitFor();
  // Everyone sees the others by name, the guest too (presence is not anonymous).
  const named = (p, name) => p.page.locator('.people li').filter({ hasText: new RegExp(`^\\s*${name}\\b`) }).waitFor();
  await named(gus, 'ada');
  await named(gus, 'ben');
  await named(ada, 'Gus');
  await named(gus, 'cy');
  await step('lobby', all);
  // The moderator adds a step after the current one and moves it later.
  await ada.page.getByText('Edit the agenda').click();
  await ada.page.getByLabel('New step').selectOption({ label: 'Discuss' });
  await ada.page.getByLabel('Its title (optional)').fill('Kudos');
  await ada.page.getByRole('button', { name: 'Add after the current step' }).click();
  await ada.page.getByRole('button', { name: 'Move Kudos later' }).click();
  await ben.page.locator('.steps li').nth(2).getByText('Kudos').waitFor();

  // Icebreaker: the question chosen at creation; everyone answers, nobody's name shows.
  await ada.page.getByRole('button', { name: 'Go to this step: Icebreaker' }).click();
  await ben.page.getByRole('heading', { name: iceQuestion }).waitFor();
  await ben.page.getByLabel('Your answer').fill('Pancakes');
  await ben.page.getByRole('button', { name: 'Add' }).click();
  await gus.page.getByLabel('Deine Antwort').fill('Berge');
  await gus.page.getByRole('button', { name: 'Hinzufügen' }).click();
  await ada.page.getByText('Berge').waitFor();
  await ada.page.getByText('Pancakes').waitFor();
  await step('icebreaker', all);

  // Review of carried actions: none in a team's first retro.
  await ada.page.getByRole('button', { name: 'Go to this step: Review of actions' }).click();
  await ben.page.getByText('No open actions to review.').waitFor();

  // Health check: everyone scores the first question; results once revealed.
  await ada.page.getByRole('button', { name: 'Go to this step: Health check' }).click();
  // Started at creation with the pack chosen there.
  await ada.page.locator('.health-q').first().waitFor();
  for (const [p, s] of [[ada, '4'], [ben, '2'], [cy, '3'], [gus, '3']]) {
    await p.page.locator('.health-q').first().getByRole('button', { name: new RegExp(`^${s}:`) }).click();
    await p.page.locator('.health-q').first().getByRole('button', { name: new RegExp(`^${s}:`), pressed: true }).waitFor();
  }
  await ada.page.locator('.health-q').first().getByText('4 answers').waitFor();
  await step('health', all);
  await ada.page.getByRole('button', { name: 'Reveal results' }).click();
  await ben.page.locator('.health-q').first().getByText('Average 3.0 from 4 answers').waitFor();
  await gus.page.locator('.health-q').nth(1).getByText(/^0 Antworten: zu wenige/).waitFor();

  // Collect: everyone writes a card; others' stay placeholders.
  await ada.page.getByRole('button', { name: 'Go to this step: Collect' }).click();
  const secrets = [
    ['ada', `ADA-SECRET-${run}`],
    ['ben', `BEN-SECRET-${run}`],
    ['gus', `GUS-SECRET-${run}`],
    ['cy', `CY-SECRET-${run}`],
  ];
  await ada.page.getByLabel('Card text for Start').fill(secrets[0][1]);
  await ada.page.getByRole('button', { name: 'Add to Start' }).click();
  await ben.page.getByLabel('Card text for Stop').fill(secrets[1][1]);
  await ben.page.getByRole('button', { name: 'Add to Stop' }).click();
  await cy.page.getByLabel('Card text for Stop').fill(secrets[3][1]);
  await cy.page.getByRole('button', { name: 'Add to Stop' }).click();
  await gus.page.getByLabel('Text der Karte für Start').fill(secrets[2][1]);
  await gus.page.getByLabel('Text der Karte für Start').press('Enter');
  await gus.page.getByText(secrets[2][1]).waitFor();
  const rude = `GUS-RUDE-${run}`;
  await gus.page.getByLabel('Text der Karte für Start').fill(rude);
  await gus.page.getByLabel('Text der Karte für Start').press('Enter');
  for (const [owner, secret] of secrets) {
    const p = all.find((x) => x.name === owner);
    await p.page.getByText(secret).waitFor();
  }
  await column(ada, 'Start').getByText('2 hidden cards').waitFor();
  await column(ada, 'Stop').getByText('2 hidden cards').waitFor();
  await column(cy, 'Stop').getByText('1 hidden card').waitFor();
  await assertNobodyElseHolds(all, [...secrets, ['gus', rude]], 'collect');
  await step('collect', all);

  // Offline. Ben writes a card whose answer is lost (the server acted), then
  // one while offline, reloads the page with no network at all (the service
  // worker serves the app, the page shows the retro as he last saw it and
  // what waits to be sent), and comes back: each card arrives exactly once
  // (the outbox resends with the same keys).
  const lostText = `BEN-LOST-ANSWER-${run}`;
  const offlineText = `BEN-OFFLINE-${run}`;
  const retroId = new URL(retroUrl).pathname.split('/')[2];
  await serviceWorkerReady(ben);
  await keptView(ben, retroId, (v) => JSON.stringify(v).includes(secrets[1][1]));
  let lost = 0;
  await ben.page.route('**/v1/retros/*/cards', async (route) => {
    if (route.request().method() !== 'POST' || lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await ben.page.getByLabel('Card text for Continue').fill(lostText);
  await ben.page.getByRole('button', { name: 'Add to Continue' }).click();
  await ben.page.getByText('1 change waiting to be sent').waitFor();
  await ben.context.setOffline(true);
  await ben.page.getByLabel('Card text for Continue').fill(offlineText);
  await ben.page.getByRole('button', { name: 'Add to Continue' }).click();
  await ben.page.getByText('2 changes waiting to be sent').waitFor();
  await step('offline', [ben]);
  await ben.page.unroute('**/v1/retros/*/cards');
  await ben.page.reload(); // still offline: nothing reaches the server
  await ben.page.getByRole('heading', { name: `Sprint ${run}`, level: 1 }).waitFor();
  await ben.page.getByText('Shown as you last saw it: waiting for the server.').waitFor();
  await ben.page.getByText(secrets[1][1]).waitFor(); // his card from before, in the kept view
  await column(ben, 'Continue').locator('.unsent').filter({ hasText: offlineText }).waitFor();
  await ben.page.getByText(lostText).first().waitFor();
  await ben.page.getByText('2 changes waiting to be sent').waitFor();
  await column(ben, 'Start').getByText('3 hidden cards').waitFor(); // others' cards still placeholders
  await step('offline-reload', [ben]);
  const queued = await ben.page.evaluate(() => localStorage.getItem('hindsight.outbox') || '');
  if (!queued.includes(offlineText) || !queued.includes(lostText)) fail('the queued cards did not survive the reload');
  await assertNobodyElseHolds([ben], secrets, 'offline reload');
  await ben.context.setOffline(false);
  await ben.page.getByText('Shown as you last saw it: waiting for the server.').waitFor({ state: 'detached' });
  await ben.page.getByText(offlineText).waitFor();
  await ben.page.getByText(lostText).waitFor();
  await ben.page.getByText('changes waiting to be sent').waitFor({ state: 'detached' });
  for (const t of [offlineText, lostText]) {
    const n = await ben.page.getByText(t).count();
    if (n !== 1) fail(`Ben's page shows "${t}" ${n} times, want once`);
  }
  await column(ada, 'Continue').getByText('2 hidden cards').waitFor();
  // The server holds each of them once.
  const serverView = await ben.page.evaluate(async (id) => (await fetch(`/v1/retros/${id}`)).json(), retroId);
  const benTexts = serverView.columns.flatMap((c) => c.cards ?? []).map((c) => c.text);
  for (const t of [offlineText, lostText]) {
    const n = benTexts.filter((x) => x === t).length;
    if (n !== 1) fail(`the server holds "${t}" ${n} times, want once`);
  }
  await assertNobodyElseHolds(all, [...secrets, ['ben', lostText], ['ben', offlineText]], 'offline');

  // Ben edits his card; still hidden from the others.
  await column(ben, 'Stop').getByRole('button', { name: 'Edit' }).click();
  const benEdited = `BEN-EDITED-${run}`;
  await ben.page.getByLabel('Edit', { exact: true }).fill(benEdited);
  await ben.page.getByRole('button', { name: 'Save' }).click();
  await ben.page.getByText(benEdited).waitFor();
  await assertNobodyElseHolds(all, [...secrets, ['ben', benEdited]], 'edit');

  // Reveal: the moderator reveals each column; texts appear, authors do not.
  for (const col of ['Start', 'Stop']) await ada.page.getByRole('button', { name: `Reveal column ${col}` }).click();
  await ada.page.getByText(benEdited).waitFor();
  await gus.page.getByText(benEdited).waitFor();
  await ben.page.getByText(secrets[2][1]).waitFor();
  await cy.page.getByText(benEdited).waitFor();
  await ben.page.getByText(secrets[3][1]).waitFor();
  await checkNoAuthors(all, 'revealed');
  await step('revealed', all);

  // The moderator hides Gus's rude card: the others see it as hidden, without
  // its text; Gus still reads it and is told.
  await column(ada, 'Start').locator('.card-item').filter({ hasText: rude }).getByRole('button', { name: 'Hide card' }).click();
  await ben.page.getByText('Hidden by the moderator').waitFor();
  await ben.page.getByText(rude).waitFor({ state: 'detached' });
  await ada.page.getByText(rude).waitFor({ state: 'detached' });
  await gus.page.getByText('Die Moderation hat deine Karte ausgeblendet', { exact: false }).waitFor();
  await gus.page.getByText(rude).waitFor();

  // Group: Ben puts Gus's card with Ada's by keyboard; Ada names the group;
  // Ben drags his own card onto it and takes it out again.
  await ada.page.getByRole('button', { name: 'Go to this step: Group' }).click();
  await ben.page.getByLabel(`Put “${secrets[2][1]}” with`).selectOption({ label: secrets[0][1] });
  await ben.page.getByLabel(`Put “${secrets[2][1]}” with`).locator('xpath=..').getByRole('button', { name: 'Group' }).click();
  await ada.page.getByLabel('Group name').fill('Deploys');
  await ada.page.getByLabel('Group name').press('Enter');
  await gus.page.getByText('Deploys').first().waitFor().catch(() => {});
  await ben.page.locator('.grouping .card-item').filter({ has: ben.page.locator('.card-text', { hasText: benEdited }) }).dragTo(ben.page.locator('.group').first());
  await ada.page.getByRole('button', { name: `Take out: “${benEdited}”` }).waitFor();
  await step('grouped', all);
  await ada.page.getByRole('button', { name: `Take out: “${benEdited}”` }).click();
  await ben.page.locator('.grouping .card-item').filter({ has: ben.page.locator('.card-text', { hasText: benEdited }) }).waitFor();

  // Vote: the retro's defaults (4 votes each, at most 2 per topic) are offered; open votes stay hidden.
  await ada.page.getByRole('button', { name: 'Go to this step: Vote' }).click();
  for (const [label, want] of [['Votes per person', '4'], ['At most per person and topic', '2']]) {
    const got = await ada.page.getByLabel(label).inputValue();
    if (got !== want) fail(`the voting form offers ${label} ${got}, not the retro's default ${want}`);
  }
  await ada.page.getByRole('button', { name: 'Open voting' }).click();
  const votingOpened = Date.now();
  const benTopic = `Vote for “${benEdited}”`;
  await ben.page.getByRole('button', { name: benTopic }).click();
  await ben.page.getByText('You have 3 of 4 votes left.').waitFor();
  await ben.page.getByRole('button', { name: benTopic }).click();
  await ben.page.getByText('You have 2 of 4 votes left.').waitFor();
  if (!(await ben.page.getByRole('button', { name: benTopic }).isDisabled())) fail('the cap of 2 per topic did not disable a third vote');
  await gus.page.getByRole('button', { name: 'Für „Deploys“ stimmen' }).click();
  await gus.page.getByText('Du hast noch 3 von 4 Stimmen.').waitFor();
  // Cy votes offline, reloads with no network (his vote shows as waiting)
  // and comes back: it counts once.
  await serviceWorkerReady(cy);
  await keptView(cy, retroId, (v) => v.voting?.open === true);
  await cy.context.setOffline(true);
  await cy.page.getByRole('button', { name: `Vote for “${secrets[3][1]}”` }).click();
  await cy.page.getByText('1 change waiting to be sent').waitFor();
  await cy.page.reload();
  await cy.page.getByText('Shown as you last saw it: waiting for the server.').waitFor();
  await cy.page.locator('.topic').filter({ hasText: secrets[3][1] }).getByText('1 vote waiting to be sent').waitFor();
  await step('offline-vote', [cy]);
  await cy.context.setOffline(false);
  await cy.page.getByText('You have 3 of 4 votes left.').waitFor();
  await cy.page.getByText('1 vote waiting to be sent').waitFor({ state: 'detached' });
  await ada.page.getByText('4 of 16 votes cast').waitFor();
  await step('voting', all);
  for (const p of all) {
    for (const v of [...received(p, votingOpened), ...(await stored(p))]) {
      for (const o of walk(v)) {
        if (o.yourVotes && p !== ben && Object.values(o.yourVotes).some((n) => n >= 2)) fail(`${p.name} received Ben's open votes`);
        if (Array.isArray(o.topics) && o.voting?.open && o.topics.some((t) => t.votes > 0)) fail(`${p.name} received vote totals while voting was open`);
      }
    }
  }
  await ada.page.getByRole('button', { name: 'Close voting' }).click();
  await ada.page.locator('.topic').filter({ hasText: benEdited }).getByText('2 votes').waitFor();
  // Facilitated vote correction: the moderator sets a topic's total.
  await ada.page.getByLabel(`New total for “${benEdited}”`).fill('3');
  await ada.page.getByLabel(`New total for “${benEdited}”`).press('Enter');
  await ben.page.locator('.topic').filter({ hasText: benEdited }).getByText('3 votes').waitFor();

  // Discuss: focus the top topic, a 5-minute timer, an action for Ben.
  await ada.page.getByRole('button', { name: 'Go to this step: Discuss' }).click();
  await ada.page.getByRole('button', { name: `Discuss now: ${benEdited}` }).click();
  await ben.page.getByText('Being discussed').waitFor();
  await ada.page.getByRole('button', { name: 'Start 5-minute timer' }).click();
  await gus.page.getByText(/noch \d+:\d\d/).waitFor();
  await ada.page.getByRole('button', { name: 'One more minute' }).click();
  await ben.page.getByText(/^6:\d\d left$/).waitFor();
  await ada.page.getByLabel('What will be done').fill('Script the deploy');
  await ada.page.getByLabel('Who', { exact: true }).selectOption({ label: 'ben' });
  await ada.page.getByLabel('Due date').fill('2030-01-31');
  await ada.page.getByRole('button', { name: 'Add action' }).click();
  await ben.page.getByText('Script the deploy').waitFor();
  await step('discuss', all);

  // ROTI, then close.
  await ada.page.getByRole('button', { name: 'Go to this step: ROTI' }).click();
  for (const [p, score] of [[ada, '4'], [ben, '5'], [cy, '4'], [gus, '3']]) await p.page.getByRole('button', { name: score, exact: true }).click();
  await ada.page.getByText('4 of 4 rated').waitFor();
  await step('roti', all);
  // Ada hands moderation to Ben, who closes the retro.
  await ada.page.getByRole('button', { name: 'Make moderator: ben' }).click();
  await ben.page.getByText('You moderate this retro.').waitFor();
  await ada.page.getByText('You moderate this retro.').waitFor({ state: 'detached' });
  ben.page.once('dialog', (d) => d.accept());
  await ben.page.getByRole('button', { name: 'Close the retro' }).click();
  await ben.page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
  await gus.page.getByRole('heading', { name: 'Zusammenfassung', exact: true }).waitFor();
  await ada.page.getByText('Average 4.0 from 4 ratings').first().waitFor();
  await cy.page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
  // The closed retro's documents download, each as what it says it is.
  const docs = {
    Markdown: (d) => d.name.endsWith('.md') && d.body.toString('utf8').includes(`Sprint ${run}`),
    PDF: (d) => d.name.endsWith('.pdf') && d.body.subarray(0, 5).toString('latin1') === '%PDF-',
    CSV: (d) => d.name.endsWith('.csv') && d.body.toString('utf8').includes('Script the deploy'),
    JSON: (d) => d.name.endsWith('.json') && JSON.parse(d.body.toString('utf8')) !== null,
  };
  for (const [format, ok] of Object.entries(docs)) {
    const d = await download(cy, cy.page.getByRole('link', { name: `Summary as ${format}` }));
    if (!ok(d)) fail(`the summary as ${format} downloaded as ${d.name}: ${d.body.subarray(0, 40).toString('latin1')}`);
    for (const [owner, secret] of [['ben', secrets[1][1]], ['ben', lostText], ['ben', offlineText]]) {
      if (d.body.toString('latin1').includes(secret)) fail(`cy's summary as ${format} holds ${owner}'s never-revealed text`);
    }
  }
  const sheet = await download(cy, cy.page.getByRole('link', { name: "The team's actions (CSV)" }));
  if (!sheet.name.endsWith('.csv') || !sheet.body.toString('utf8').includes('Script the deploy')) fail(`the team's actions downloaded as ${sheet.name}`);
  if (await gus.page.getByRole('link', { name: 'Die Maßnahmen des Teams (CSV)' }).count()) fail("the guest is offered the team's actions");
  // Ben, the moderator now, shares the summary; the link opens with no
  // session, and not once revoked.
  await ben.page.getByRole('button', { name: 'Create a share link' }).click();
  const shared = await ben.page.getByRole('link', { name: 'Open as Markdown' }).getAttribute('href');
  const outsider = await browser.newContext();
  const opened = await outsider.request.get(shared);
  if (opened.status() !== 200 || !(await opened.text()).includes(`Sprint ${run}`)) fail(`the share link answered ${opened.status()}`);
  await step('shared', [ben]);
  await ben.page.getByRole('button', { name: /^Revoke the share link valid until/ }).click();
  await ben.page.getByText('Revoked: the link opens for nobody now.').waitFor();
  const revokedBy = Date.now() + 15_000;
  for (;;) {
    const r = await outsider.request.get(shared);
    if (r.status() >= 400) break;
    if (Date.now() > revokedBy) {
      fail(`a revoked share link still answers ${r.status()}`);
      break;
    }
    await ben.page.waitForTimeout(200);
  }
  await outsider.close();
  await step('closed', all);

  // Reload: the closed retro comes back from the server as it was.
  await ben.page.goto(retroUrl);
  await ben.page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
  // The share link made before the reload is listed from the server, revoked.
  await ben.page.getByText('Revoked: the link opens for nobody now.').waitFor();

  // The action lands in Ben's tracker (read models follow the log: reload
  // until it shows, within a deadline); he marks it done.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await ben.page.goto(`${base}/`);
    await ben.page.getByRole('heading', { name: 'My actions' }).waitFor();
    if (await ben.page.getByText('Script the deploy').isVisible()) break;
    if (Date.now() > deadline) throw new Error("the action never reached Ben's tracker");
    await ben.page.waitForTimeout(250);
  }
  await step('home-actions', [ben]);
  await ben.page.getByRole('button', { name: 'Done: Script the deploy' }).click();
  await ben.page.getByText('1 done, 0 dropped').waitFor();

  // Surveys: Ada sends one to the team, Ben answers it, Ada closes it. One
  // answer is under the minimum group: the result says so, with no average.
  const teamPage = async (p) => {
    await p.page.goto(`${base}/`);
    await p.page.getByRole('link', { name: 'Platform' }).click();
    await p.page.getByRole('heading', { name: 'Team Platform' }).waitFor();
  };
  await teamPage(ada);
  await ada.page.getByLabel('Survey title').fill(`Pulse ${run}`);
  await ada.page.getByRole('button', { name: 'Send a survey' }).click();
  await ada.page.getByRole('link', { name: `Pulse ${run}` }).waitFor();
  await teamPage(ben);
  await ben.page.getByRole('link', { name: `Pulse ${run}` }).click();
  await ben.page.locator('.health-q').first().getByRole('button', { name: /^4:/ }).click();
  await step('survey-answer', [ben]);
  await ben.page.getByRole('button', { name: 'Send my answers' }).click();
  await ben.page.getByText('You answered.').waitFor();
  await ada.page.getByRole('link', { name: `Pulse ${run}` }).click();
  await ada.page.getByText('1 answer', { exact: false }).first().waitFor();
  await ada.page.getByRole('button', { name: 'Close and show results' }).click();
  await ada.page.getByRole('heading', { name: 'Results' }).waitFor();
  await ada.page.locator('.survey-result').first().filter({ hasText: 'too few answers' }).waitFor();
  if (await ada.page.getByText(/Average \d/).count()) fail('a survey result under the minimum group showed an average');
  await step('survey-results', [ada]);

  // History: the closed retro's archive from the team page, then time travel
  // back through it, for Ada and for the guest.
  await teamPage(ada);
  await ada.page.getByRole('link', { name: `Archive: Sprint ${run}` }).click();
  await ada.page.getByRole('heading', { name: `Archive: Sprint ${run}` }).waitFor();
  await ada.page.getByText(benEdited).first().waitFor();
  await step('archive', [ada]);
  await ada.page.getByRole('link', { name: 'Step through the retro as it happened' }).click();
  const asOf = ada.page.getByRole('status').filter({ hasText: 'As it stood on' });
  await asOf.waitFor();
  for (let i = 0; i < 3; i++) {
    const before = await asOf.textContent();
    await ada.page.getByRole('button', { name: 'One event earlier' }).click();
    await ada.page.getByRole('status').filter({ hasText: 'As it stood on' }).filter({ hasNotText: before }).waitFor().catch(() => {});
  }
  await ada.page.getByRole('button', { name: 'One event later' }).waitFor();
  if (await ada.page.getByRole('button', { name: 'One event later' }).isDisabled()) fail('time travel cannot step forward again');
  await step('time-travel', [ada]);
  await gus.page.goto(`${retroUrl}/at`);
  await gus.page.getByRole('status').filter({ hasText: 'Stand vom' }).waitFor();
  await gus.page.getByRole('button', { name: 'Ein Ereignis früher' }).click();
  await step('time-travel', [gus]);

  // Where WebSockets are blocked the page follows the retro over
  // Server-Sent Events (with the session cookie) and says so.
  await ben.page.addInitScript(() => {
    delete window.WebSocket;
  });
  await ben.page.goto(retroUrl);
  await ben.page.getByRole('status').filter({ hasText: 'Live (fallback)' }).waitFor();
  await ben.page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();

  await checkNoAuthors(all, 'end');
  await checkCaches(all, 'end');
  for (const p of all) if (p.csp.length) fail(`${p.name}: CSP violations: ${p.csp.join(' | ')}`);
  await assertNobodyElseHolds([ada, cy, gus], [['ben', secrets[1][1]], ['ben', lostText], ['ben', offlineText]], 'end: Ben’s first text and his never-revealed cards');
} catch (e) {
  fail(`scenario stopped: ${e && e.stack ? e.stack : e}`);
  for (const p of everyone) {
    await p.page.screenshot({ path: `${artefacts}/failed-${p.name}.png`, fullPage: true }).catch(() => {});
  }
} finally {
  await browser.close();
}

writeFileSync(`${artefacts}/result.json`, JSON.stringify({ failures }, null, 2));
if (failures.length) {
  console.log(`[e2e] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[e2e] ok');
