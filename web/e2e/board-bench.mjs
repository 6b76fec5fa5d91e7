// Whiteboard budgets (issue 13) in headless Chromium against a real server
// (started by BenchmarkAWhiteboardInBrowsers in web/browser_test.go):
//   - a board with NOTES notes opens (every note drawn) from the server, in a
//     browser that has never seen it (includes fetching Automerge's wasm);
//   - the same board opens from IndexedDB with the sync socket cut;
//   - frame times while dragging a note across the board (p95);
// each next to a baseline of the same run: opening the team page (an app
// page without Automerge) for the two opens, and frame times while moving
// the mouse over the board without dragging.
// Prints one JSON line of figures in milliseconds.
import { chromium } from 'playwright-core';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import * as Automerge from '@automerge/automerge';
import { loadavg } from 'node:os';

const base = process.env.BASE_URL;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const notes = Number(process.env.NOTES || 500);
const rounds = Number(process.env.ROUNDS || 3);
if (!base) throw new Error('BASE_URL is required');
const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';

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

const email = `bench-${run}@example.com`;
await api('POST', '/v1/accounts', '', { email, password, name: 'Bench' });
const session = await api('POST', '/v1/sessions', '', { email, password });
const ws = await api('POST', '/v1/workspaces', session.token, { name: `Bench ${run}` });
const templates = await api('GET', '/v1/catalog/team-templates', session.token);
const team = await api('POST', `/v1/workspaces/${ws.id}/teams`, session.token, { name: 'Bench', templateId: templates.items[0].id });
const board = await api('POST', `/v1/teams/${team.id}/whiteboards`, session.token, { templateId: 'blank', title: 'Bench' });

// The notes are written by a stock Node client, in batches, as people would.
const syncURL = `${base.replace(/^http/, 'ws')}/v1/sync?token=${encodeURIComponent(session.token)}`;
async function until(what, f, timeout = 120000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
{
  const repo = new Repo({ network: [new WebSocketClientAdapter(syncURL, 200)] });
  const h = await repo.find(`automerge:${board.id}`);
  const colors = ['yellow', 'pink', 'blue', 'green'];
  for (let i = 0; i < notes; i += 50) {
    h.change((d) => {
      for (let j = i; j < Math.min(notes, i + 50); j++) {
        d.items[`n${j}`] = { kind: 'note', x: (j % 25) * 180, y: Math.floor(j / 25) * 140, w: 160, h: 120, color: colors[j % 4], z: j + 1, author: session.userId, text: `note ${j} of the bench` };
      }
    });
  }
  // A second client sees them all: the server has them.
  const check = new Repo({ network: [new WebSocketClientAdapter(syncURL, 200)] });
  const c = await check.find(`automerge:${board.id}`);
  await until('the server holds every note', () => Object.keys(c.doc().items ?? {}).length === notes);
  await check.shutdown();
  await repo.shutdown();
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function loggedIn() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const state = { offline: false };
  await page.routeWebSocket(/\/v1\/sync/, (s) => {
    if (state.offline) s.close({ code: 1006 });
    else s.connectToServer();
  });
  await page.goto(`${base}/login`);
  await page.evaluate(
    async ({ email, password }) => {
      const r = await fetch('/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Session-Mode': 'cookie' }, body: JSON.stringify({ email, password }) });
      if (!r.ok) throw new Error(`log in: ${r.status}`);
    },
    { email, password },
  );
  return { context, page, state };
}

/** The board as the browser stored it in IndexedDB, loaded here. */
async function stored(page, userId, boardId) {
  const chunks = await page.evaluate(
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
    { db: `hindsight-boards-${userId}`, boardId },
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

/** Milliseconds from navigation until `ready` holds. */
async function open(page, path, ready) {
  const t0 = Date.now();
  await page.goto(base + path);
  await page.waitForFunction(ready, notes, { timeout: 60000, polling: 'raf' });
  const ms = Date.now() - t0;
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
  if (process.env.MARKS) console.error(path, ms, JSON.stringify(marks), Math.round(await page.evaluate(() => performance.now())));
  return ms;
}
const allNotesDrawn = (n) => document.querySelectorAll('.board-canvas [data-item]').length >= n;
const teamPageDrawn = () => !!document.querySelector('#boards-h') && document.querySelectorAll('#boards-h ~ ul li').length > 0;

/** Frame times (ms) while the mouse moves 90 steps across the board, dragging or not. */
async function frames(page, drag) {
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__frames.length < 100000) window.__raf = requestAnimationFrame(tick);
    };
    window.__raf = requestAnimationFrame(tick);
  });
  const note = page.locator('.board-canvas [data-item]').filter({ hasText: 'note 26 of the bench' });
  const b = await note.boundingBox();
  await page.mouse.move(b.x + 30, b.y + 30);
  if (drag) await page.mouse.down();
  for (let i = 1; i <= 90; i++) {
    await page.mouse.move(b.x + 30 + i * 4, b.y + 30 + i * 2);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  if (drag) await page.mouse.up();
  const f = await page.evaluate(() => {
    cancelAnimationFrame(window.__raf);
    return window.__frames.slice(1);
  });
  return f;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);

const out = { notes, rounds, load: loadavg().map((x) => Math.round(x * 100) / 100), teamPage: [], fromServer: [], fromLocal: [], dragP95: [], moveP95: [] };
for (let r = 0; r < rounds; r++) {
  const { context, page, state } = await loggedIn();
  out.teamPage.push(await open(page, `/teams/${team.id}`, teamPageDrawn));
  out.fromServer.push(await open(page, `/boards/${board.id}`, allNotesDrawn));
  // Wait until the browser stored the board, then open it with no sync socket.
  await page.getByText('Synced').waitFor();
  await until('every note is in IndexedDB', async () => Object.keys((await stored(page, session.userId, board.id))?.items ?? {}).length === notes);
  state.offline = true;
  out.fromLocal.push(await open(page, `/boards/${board.id}`, allNotesDrawn));
  state.offline = false;
  await page.getByText('Synced').waitFor({ timeout: 30000 });
  out.moveP95.push(pct(await frames(page, false), 95));
  out.dragP95.push(pct(await frames(page, true), 95));
  await context.close();
}
await browser.close();
out.median = { teamPage: median(out.teamPage), fromServer: median(out.fromServer), fromLocal: median(out.fromLocal), dragP95: median(out.dragP95), moveP95: median(out.moveP95) };
out.loadAfter = loadavg().map((x) => Math.round(x * 100) / 100);
console.log(JSON.stringify(out));
process.exit(0);
