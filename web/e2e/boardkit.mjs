// The two-browser whiteboard scripts' shared parts (board-conceal.mjs,
// board-anonymous.mjs): accounts over the API, a logged-in browser that
// records every HTTP answer and WebSocket frame it receives, what its
// IndexedDB holds loaded with Automerge, and a sticky note added by mouse
// and keyboard as a person would.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import * as Automerge from '@automerge/automerge';


/** Everything a two-browser board script uses; tag names its log lines and artefacts. */
export async function boardKit(tag) {
  const base = process.env.BASE_URL;
  const artefacts = process.env.ARTEFACTS || `test-results/board-${tag}`;
  const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!base) throw new Error('BASE_URL is required');
  mkdirSync(artefacts, { recursive: true });

  const run = Math.random().toString(36).slice(2, 8);
  const password = 'correct horse battery staple';
  const failures = [];
  const log = (...a) => console.log(`[${tag}]`, ...a);
  const fail = (msg) => {
    failures.push(msg);
    console.log(`[${tag}] FAIL`, msg);
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

  /** A logged-in browser recording every HTTP answer and WebSocket frame it receives.
   * With cuttable, goOffline(p) and goOnline(p) take its network away and give it back. */
  async function browserAs(a, { cuttable = false } = {}) {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const p = { ...a, context, page, answers: [], framesIn: [], framesOut: [], offline: false, sockets: [] };
    if (cuttable) {
      // The sync socket goes through this route: refused while offline, passed to the server otherwise.
      await page.routeWebSocket(/\/v1\/sync/, (ws) => {
        if (p.offline) {
          ws.close({ code: 1006 });
          return;
        }
        p.sockets.push({ ws, server: ws.connectToServer() });
      });
    }
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

  /** Cuts p's network: HTTP fails, its sync socket closes and cannot reconnect (browserAs with cuttable). */
  async function goOffline(p) {
    p.offline = true;
    await p.context.setOffline(true);
    for (const s of p.sockets.splice(0)) {
      await s.ws.close({ code: 1006 }).catch(() => {});
      await s.server.close().catch(() => {});
    }
  }

  async function goOnline(p) {
    p.offline = false;
    await p.context.setOffline(false);
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

  return { base, artefacts, run, password, failures, log, fail, api, account, browser, browserAs, goOffline, goOnline, storedDocs, until, noteWith, addNote };
}
