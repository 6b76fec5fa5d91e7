// End-to-end: one whiteboard in two headless Chromium browsers against a real
// `hindsight serve` (started by web/browser_test.go). Ada creates the board
// from a whiteboard template on her team page; Ben opens it. Both add notes,
// move them and type at once; Ada's cursor shows in Ben's page; Ben loses the
// sync socket, edits, reloads (the board opens from IndexedDB with his
// edits), Ada edits meanwhile; the socket comes back and both pages show the
// same board, which a stock Node automerge-repo client also reads. axe-core
// runs on the page, and the CSP must refuse nothing.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/board.mjs
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { Repo } from '@automerge/automerge-repo';
import * as Automerge from '@automerge/automerge';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/board';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';
const failures = [];
const log = (...a) => console.log('[board]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[board] FAIL', msg);
};

async function api(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
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

/** A logged-in browser whose sync socket can be cut (p.offline = true). */
async function browserAs(a, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const p = { ...a, context, page, csp: [], offline: false, sockets: [] };
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to (apply|execute|load|compile|instantiate)/i.test(t)) p.csp.push(t);
  });
  page.on('pageerror', (e) => fail(`${a.name}: page error: ${e.message}`));
  // The sync socket goes through this route: cut while offline, passed to the server otherwise.
  await page.routeWebSocket(/\/v1\/sync/, (ws) => {
    if (p.offline) {
      ws.close({ code: 1006 });
      return;
    }
    const server = ws.connectToServer();
    p.sockets.push({ ws, server });
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

/** The board as the browser stored it in IndexedDB (every saved chunk, loaded
 * with Automerge here), or null when nothing is stored yet. */
async function stored(p, boardId) {
  const chunks = await p.page.evaluate(
    async ({ db, boardId }) => {
      const conn = await new Promise((res, rej) => {
        const r = indexedDB.open(db);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      if (!conn.objectStoreNames.contains('documents')) return [];
      const rows = await new Promise((res, rej) => {
        const r = conn.transaction('documents').objectStore('documents').getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      conn.close();
      return rows.filter((r) => r.key[0] === boardId && r.key[1] !== 'sync-state').map((r) => Array.from(r.binary));
    },
    { db: `hindsight-boards-${p.id}`, boardId },
  );
  if (chunks.length === 0) return null;
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return Automerge.toJS(Automerge.load(all));
}

async function goOffline(p) {
  p.offline = true;
  for (const s of p.sockets.splice(0)) {
    await s.ws.close({ code: 1006 }).catch(() => {});
    await s.server.close().catch(() => {});
  }
}

async function axeCheck(p, label) {
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

/** The board as the page draws it: every item's kind, text and box, sorted. */
async function drawn(p) {
  return p.page.evaluate(() =>
    [...document.querySelectorAll('.board-canvas [data-item]')]
      .map((g) => {
        const body = g.querySelector('foreignObject, rect, polyline, image, line');
        const text = g.querySelector('.item-text, textarea');
        return [g.getAttribute('data-item'), g.getAttribute('class').split(' ')[1] ?? '', text ? (text.value ?? text.textContent) : '',
          body?.getAttribute('x') ?? body?.getAttribute('x1') ?? '', body?.getAttribute('y') ?? body?.getAttribute('y1') ?? ''].join('|');
      })
      .sort(),
  );
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

/** Adds a sticky note by clicking the tool and the canvas at (x, y), then types. */
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
  const ws = await api('POST', '/v1/workspaces', adaAcc.token, { name: `Boards ${run}` });
  const templates = await api('GET', '/v1/catalog/team-templates', adaAcc.token);
  const team = await api('POST', `/v1/workspaces/${ws.id}/teams`, adaAcc.token, { name: 'Platform', templateId: templates.items[0].id });
  await api('POST', `/v1/teams/${team.id}/members`, adaAcc.token, { userId: benAcc.id });

  const ada = await browserAs(adaAcc);
  const ben = await browserAs(benAcc);

  // Ada makes a board from the check-in template on her team page.
  await ada.page.goto(`${base}/teams/${team.id}`);
  await ada.page.getByLabel('Template').selectOption('check-in');
  await ada.page.getByRole('button', { name: 'Create whiteboard' }).click();
  await ada.page.waitForURL(/\/boards\//);
  const boardId = ada.page.url().split('/boards/')[1];
  await ada.page.getByRole('heading', { name: 'Check-in' }).waitFor();
  await ada.page.getByText('Synced').waitFor();
  // The template is a layout: its prompts are frames on the canvas, under a mood scale.
  await noteWith(ada, 'How are you arriving today, in one word?').waitFor();
  await noteWith(ada, 'What do you need from this session?').waitFor();
  const seeded = await ada.page.locator('.board-canvas [data-item]').count();
  if (seeded !== 7) fail(`the check-in board starts with ${seeded} items, want 2 frames and 5 moods`);

  // Ben finds it on the team page.
  await ben.page.goto(`${base}/teams/${team.id}`);
  await ben.page.getByRole('link', { name: 'Check-in' }).click();
  await ben.page.getByRole('heading', { name: 'Check-in' }).waitFor();
  await ben.page.getByText('Synced').waitFor();
  await axeCheck(ada, 'board');

  // Both add notes at the same time.
  await Promise.all([addNote(ada, 200, 150, `ada says hello ${run}`), addNote(ben, 500, 150, `ben says hi ${run}`)]);
  for (const p of [ada, ben]) {
    await noteWith(p, `ada says hello ${run}`).waitFor();
    await noteWith(p, `ben says hi ${run}`).waitFor();
  }
  await snap('two-notes', [ada, ben]);

  // Ada's cursor shows in Ben's page, with her name.
  const canvas = await ada.page.locator('.board-canvas').boundingBox();
  await ada.page.mouse.move(canvas.x + 400, canvas.y + 400);
  await ada.page.mouse.move(canvas.x + 420, canvas.y + 410, { steps: 5 });
  await ben.page.locator('.peer-cursor', { hasText: 'ada' }).waitFor();

  // Ada drags Ben's note; Ben sees it where she put it. Ben moves Ada's at the same time by keyboard.
  const benBefore = (await drawn(ada)).find((l) => l.includes(`ben says hi ${run}`));
  const benNote = noteWith(ada, `ben says hi ${run}`);
  const nb = await benNote.boundingBox();
  await ada.page.mouse.move(nb.x + 20, nb.y + 20);
  await ada.page.mouse.down();
  await ada.page.mouse.move(nb.x + 120, nb.y + 220, { steps: 8 });
  await ada.page.mouse.up();
  await noteWith(ben, `ada says hello ${run}`).focus();
  await ben.page.keyboard.press('Shift+ArrowDown');
  await until('both pages draw the same board after moves', async () => JSON.stringify(await drawn(ada)) === JSON.stringify(await drawn(ben)));
  const afterMove = await drawn(ben);
  if (afterMove.includes(benBefore)) fail(`Ben's note did not move: ${benBefore}`);

  // Both type into Ada's note at once: both keep their letters.
  await noteWith(ada, `ada says hello ${run}`).focus();
  await ada.page.keyboard.press('Enter');
  await ada.page.locator('textarea.item-edit:focus').waitFor();
  await noteWith(ben, `ben says hi ${run}`).focus();
  await ben.page.keyboard.press('Enter');
  await ben.page.locator('textarea.item-edit:focus').waitFor();
  await Promise.all([ada.page.keyboard.type(' and welcome'), ben.page.keyboard.type(' there')]);
  await ada.page.keyboard.press('Escape');
  await ben.page.keyboard.press('Escape');
  for (const p of [ada, ben]) {
    await noteWith(p, `ada says hello ${run} and welcome`).waitFor();
    await noteWith(p, `ben says hi ${run} there`).waitFor();
  }

  // Undo takes back Ada's own last change only.
  await ada.page.getByRole('toolbar').getByRole('button', { name: 'Sticky note', exact: true }).click();
  await ada.page.mouse.click(canvas.x + 800, canvas.y + 300);
  await ada.page.locator('textarea.item-edit:focus').waitFor();
  await ada.page.keyboard.type('undo me');
  await ada.page.keyboard.press('Escape');
  await noteWith(ben, 'undo me').waitFor();
  await ada.page.getByRole('toolbar').getByRole('button', { name: 'Undo', exact: true }).click(); // the typing
  await ada.page.getByRole('toolbar').getByRole('button', { name: 'Undo', exact: true }).click(); // the note
  await until('the undone note is gone for Ben', async () => (await noteWith(ben, 'undo me').count()) === 0 && (await ben.page.locator('.board-canvas [data-item]').count()) === seeded + 2);
  await ada.page.getByRole('toolbar').getByRole('button', { name: 'Redo', exact: true }).click();
  await until('the redone note is back for Ben', async () => (await ben.page.locator('.board-canvas [data-item]').count()) === seeded + 3);
  await snap('edited', [ada, ben]);

  // Ben loses the sync socket, edits, reloads: his edits are still there (IndexedDB).
  await goOffline(ben);
  await ben.page.getByText('Offline').first().waitFor();
  await addNote(ben, 300, 450, `ben offline ${run}`);
  await noteWith(ben, `ada says hello ${run}`).focus();
  await ben.page.keyboard.press('ArrowRight');
  // A person reloads once the edit is on the device: wait for IndexedDB to hold it.
  const benMoved = (await drawn(ben)).find((l) => l.includes(`ada says hello ${run}`));
  await until('Ben\'s offline edits are in IndexedDB', async () => {
    const d = await stored(ben, boardId);
    const items = Object.values(d?.items ?? {});
    return items.some((i) => i.text === `ben offline ${run}`) && items.some((i) => benMoved.endsWith(`|${i.x}|${i.y}`));
  });
  await ben.page.reload();
  await ben.page.getByRole('heading', { name: 'Check-in' }).waitFor();
  await noteWith(ben, `ben offline ${run}`).waitFor({ timeout: 5000 });
  await ben.page.getByText('Offline').first().waitFor();
  if (!(await drawn(ben)).includes(benMoved)) fail(`Ben's offline move is gone after the reload: ${benMoved}`);
  // Ada works on meanwhile; she does not see Ben's offline note.
  await addNote(ada, 700, 500, `ada while ben away ${run}`);
  if ((await noteWith(ada, `ben offline ${run}`).count()) !== 0) fail('an offline edit reached the other browser');
  await snap('ben-offline', [ada, ben]);

  // Back online: both converge to one board.
  ben.offline = false;
  await ben.page.getByText('Synced').waitFor({ timeout: 30000 });
  await noteWith(ada, `ben offline ${run}`).waitFor({ timeout: 20000 });
  await noteWith(ben, `ada while ben away ${run}`).waitFor({ timeout: 20000 });
  await until('both pages draw the same board after reconnecting', async () => JSON.stringify(await drawn(ada)) === JSON.stringify(await drawn(ben)));
  const final = await drawn(ada);
  if (final.length !== seeded + 5) fail(`the board has ${final.length} items, want ${seeded + 5}: ${final}`);
  await snap('converged', [ada, ben]);

  // A stock Node client reads the same document.
  const repo = new Repo({ network: [new WebSocketClientAdapter(`${base.replace(/^http/, 'ws')}/v1/sync?token=${encodeURIComponent(adaAcc.token)}`, 200)] });
  const handle = await repo.find(`automerge:${boardId}`);
  await until('the Node client holds every item', () => Object.keys(handle.doc().items ?? {}).length === seeded + 5);
  const doc = handle.doc();
  const texts = Object.values(doc.items).filter((i) => i.kind !== 'connector').map((i) => i.text ?? '').sort();
  const pageTexts = (await ada.page.locator('.board-canvas .item-text').allTextContents()).sort();
  if (JSON.stringify(texts) !== JSON.stringify(pageTexts)) fail(`the Node client's texts ${JSON.stringify(texts)} differ from the page's ${JSON.stringify(pageTexts)}`);
  if (doc.title !== 'Check-in') fail(`the Node client's title is ${JSON.stringify(doc.title)}`);
  for (const [id, it] of Object.entries(doc.items)) {
    const line = final.find((l) => l.startsWith(id + '|'));
    if (!line || !line.endsWith(`|${it.x}|${it.y}`)) fail(`item ${id} is at ${it.x},${it.y} for Node but drawn as ${line}`);
  }
  await repo.shutdown();

  // German page and keyboard: a note added by keyboard alone.
  await ben.page.getByLabel('Language').selectOption('de');
  await ben.page.getByRole('toolbar').getByRole('button', { name: 'Haftnotiz', exact: true }).focus();
  await ben.page.keyboard.press('Enter');
  await ben.page.keyboard.press('Enter'); // chosen twice by keyboard: added in the middle of the view
  await ben.page.locator('textarea.item-edit:focus').waitFor();
  await ben.page.keyboard.type('per Tastatur');
  await ben.page.keyboard.press('Escape');
  await noteWith(ada, 'per Tastatur').waitFor();
  await axeCheck(ben, 'board-de');
  await snap('german', [ben]);

  for (const p of [ada, ben]) if (p.csp.length) fail(`${p.name}: the CSP refused: ${p.csp.join('; ')}`);
} catch (e) {
  fail(String(e && e.stack || e));
  for (const [i, c] of browser.contexts().entries()) {
    for (const pg of c.pages()) {
      await pg.screenshot({ path: `${artefacts}/failed-${i}.png` }).catch(() => {});
      log(`browser ${i} draws`, JSON.stringify(await pg.evaluate(() => [...document.querySelectorAll('[data-item]')].map((g) => g.textContent + ' ' + g.outerHTML.length)).catch(() => [])));
    }
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[board] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[board] ok');
process.exit(0);
