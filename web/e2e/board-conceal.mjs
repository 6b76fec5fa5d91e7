// End-to-end: a whiteboard's concealed writing phase in two headless Chromium
// browsers against a real `hindsight serve` (started by web/browser_test.go).
// Ada made the board and moderates it; she starts the writing phase on the
// page, both she and Ben add notes, and until Ada reveals them nothing of
// either person's note text may reach the other's browser: not the DOM, not
// IndexedDB (every stored document loaded with Automerge), not an HTTP
// answer, not a WebSocket frame (neither the text's bytes nor any frame of
// the other's notes document, named in each frame). After the reveal both pages show
// both notes on the board.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/board-conceal.mjs
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import * as Automerge from '@automerge/automerge';

const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/board-conceal';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';
const failures = [];
const log = (...a) => console.log('[conceal]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[conceal] FAIL', msg);
};

async function api(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function account(name) {
  const email = `${name}-${run}@example.com`;
  await api('POST', '/v1/accounts', '', { email, password, name });
  const s = await api('POST', '/v1/sessions', '', { email, password });
  return { name, email, token: s.token, id: s.userId };
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** A logged-in browser recording every HTTP answer and WebSocket frame it receives. */
async function browserAs(a) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const p = { ...a, context, page, answers: [], framesIn: [], framesOut: [] };
  page.on('pageerror', (e) => fail(`${a.name}: page error: ${e.message}`));
  page.on('response', async (r) => {
    try {
      p.answers.push((await r.body()).toString('latin1'));
    } catch {
      /* a body that is gone (navigation, redirect) */
    }
  });
  page.on('websocket', (ws) => {
    const bytes = (f) => (typeof f.payload === 'string' ? f.payload : Buffer.from(f.payload).toString('latin1'));
    ws.on('framereceived', (f) => p.framesIn.push(bytes(f)));
    ws.on('framesent', (f) => p.framesOut.push(bytes(f)));
  });
  await page.goto(`${base}/login`);
  await page.evaluate(
    async ({ email, password }) => {
      const r = await fetch('/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Session-Mode': 'cookie' }, body: JSON.stringify({ email, password }) });
      if (!r.ok) throw new Error(`log in: ${r.status}`);
    },
    { email: a.email, password },
  );
  return p;
}

/** Every document the browser keeps in IndexedDB, loaded with Automerge, as JSON. */
async function storedDocs(p) {
  const byDoc = await p.page.evaluate(async (db) => {
    const conn = await new Promise((res, rej) => {
      const r = indexedDB.open(db);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    if (!conn.objectStoreNames.contains('documents')) return {};
    const rows = await new Promise((res, rej) => {
      const r = conn.transaction('documents').objectStore('documents').getAll();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    conn.close();
    const out = {};
    for (const r of rows) {
      // Documents' chunks only (not sync states or the adapter's own ID); snapshots first.
      if (r.key[1] !== 'snapshot' && r.key[1] !== 'incremental') continue;
      (out[r.key[0]] ??= [])[r.key[1] === 'snapshot' ? 'unshift' : 'push'](Array.from(r.binary));
    }
    return out;
  }, `hindsight-boards-${p.id}`);
  const docs = [];
  for (const chunks of Object.values(byDoc)) {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    docs.push(JSON.stringify(Automerge.toJS(Automerge.load(all))));
  }
  return docs;
}

/** Fails if anything p's browser holds or received contains text. */
async function holdsNot(p, text, owner, label) {
  const where = {
    DOM: await p.page.evaluate(() => document.documentElement.outerHTML),
    IndexedDB: (await storedDocs(p)).join('\n'),
    'HTTP answers': p.answers.join('\n'),
    'WebSocket frames': p.framesIn.join('\n'),
  };
  for (const [w, v] of Object.entries(where)) if (v.includes(text)) fail(`${label}: ${p.name}'s ${w} holds ${owner}'s concealed note`);
}

async function until(what, f, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const noteWith = (p, text) => p.page.locator('.board-canvas [data-item]').filter({ hasText: text });

async function addNote(p, x, y, text) {
  await p.page.getByRole('toolbar').getByRole('button', { name: 'Sticky note', exact: true }).click();
  const box = await p.page.locator('.board-canvas').boundingBox();
  await p.page.mouse.click(box.x + x, box.y + y);
  await p.page.locator('textarea.item-edit:focus').waitFor();
  await p.page.keyboard.type(text);
  await p.page.keyboard.press('Escape');
}

let shot = 0;
const snap = async (label, people) => {
  for (const p of people) await p.page.screenshot({ path: `${artefacts}/${String(++shot).padStart(2, '0')}-${label}-${p.name}.png` });
  log('step done:', label);
};

try {
  const adaAcc = await account('ada');
  const benAcc = await account('ben');
  const ws = await api('POST', '/v1/workspaces', adaAcc.token, { name: `Conceal ${run}` });
  const templates = await api('GET', '/v1/catalog/team-templates', adaAcc.token);
  const team = await api('POST', `/v1/workspaces/${ws.id}/teams`, adaAcc.token, { name: 'Platform', templateId: templates.items[0].id });
  await api('POST', `/v1/teams/${team.id}/members`, adaAcc.token, { userId: benAcc.id });
  const board = await api('POST', `/v1/teams/${team.id}/whiteboards`, adaAcc.token, { title: `Ideas ${run}` });

  const ada = await browserAs(adaAcc);
  const ben = await browserAs(benAcc);
  for (const p of [ada, ben]) {
    await p.page.goto(`${base}/boards/${board.id}`);
    await p.page.getByText('Synced').waitFor();
  }
  // A note on the shared board before the phase: everyone sees it.
  await addNote(ben, 600, 400, `shared before ${run}`);
  await noteWith(ada, `shared before ${run}`).waitFor();

  // Ada (the board's creator) starts the writing phase; Ben's page follows.
  if ((await ben.page.getByRole('button', { name: 'Start hidden writing' }).count()) !== 0) fail('Ben, not the moderator, is offered to start the writing phase');
  await ada.page.getByRole('button', { name: 'Start hidden writing' }).click();
  for (const p of [ada, ben]) {
    await p.page.getByRole('heading', { name: `Your hidden notes: Ideas ${run}` }).waitFor();
    await p.page.getByText('Synced').waitFor();
  }
  const adaSecret = `ada hidden ${run}`;
  const benSecret = `ben hidden ${run}`;
  await addNote(ada, 200, 150, adaSecret);
  await addNote(ben, 300, 250, benSecret);
  await noteWith(ada, adaSecret).waitFor();
  await noteWith(ben, benSecret).waitFor();
  // Each writer's own notes are on the server (and in their own storage) …
  await until("Ben's note is in his IndexedDB", async () => (await storedDocs(ben)).some((d) => d.includes(benSecret)));
  // Sync frames name their document (CBOR text, readable in the bytes), so
  // a frame of a person's notes document in another browser would show.
  // Their IDs, as the server tells their writers (asking again answers the same):
  const adaNotes = (await api('POST', `/v1/whiteboards/${board.id}/notes`, adaAcc.token)).id;
  const benNotes = (await api('POST', `/v1/whiteboards/${board.id}/notes`, benAcc.token)).id;
  await until("Ben's page syncs his notes", async () => ben.framesIn.some((f) => f.includes(benNotes)) && ben.framesOut.some((f) => f.includes(benNotes)));
  await until("Ada's page syncs her notes", async () => ada.framesIn.some((f) => f.includes(adaNotes)));
  await until('both count as writing', async () => (await ada.page.getByTestId('board-phase').textContent()).includes('2 people are writing'));
  // … and, a while later, still in nobody else's browser.
  await ada.page.waitForTimeout(1500);
  await holdsNot(ada, benSecret, 'Ben', 'writing');
  await holdsNot(ben, adaSecret, 'Ada', 'writing');
  if (ada.framesIn.some((f) => f.includes(benNotes))) fail("writing: a frame of Ben's notes document reached Ada's browser");
  if (ben.framesIn.some((f) => f.includes(adaNotes))) fail("writing: a frame of Ada's notes document reached Ben's browser");
  await snap('writing', [ada, ben]);
  if ((await ben.page.getByRole('button', { name: 'Reveal everyone’s notes' }).count()) !== 0) fail('Ben, not the moderator, is offered the reveal');

  await ada.page.getByRole('button', { name: 'Reveal everyone’s notes' }).click();
  for (const p of [ada, ben]) {
    await p.page.getByRole('heading', { name: `Ideas ${run}`, exact: true }).waitFor({ timeout: 20000 });
    for (const t of [adaSecret, benSecret, `shared before ${run}`]) await noteWith(p, t).waitFor({ timeout: 20000 });
  }
  await snap('revealed', [ada, ben]);
} catch (e) {
  fail(String((e && e.stack) || e));
  for (const [i, c] of browser.contexts().entries()) for (const pg of c.pages()) await pg.screenshot({ path: `${artefacts}/failed-${i}.png` }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[conceal] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[conceal] ok');
process.exit(0);
