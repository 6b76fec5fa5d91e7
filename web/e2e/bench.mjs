// Benchmarks of issue 10's budgets in headless Chromium against a real
// `hindsight serve` (started by web/bench_test.go):
//   render:      first render of a retro with 20 people and 200 revealed
//                cards, from navigation until every card's text is on the
//                page; baseline: the same page for a retro with 1 card.
//   propagation: a card posted by one person appears in 19 other browsers'
//                pages (a MutationObserver in each notes when its text is in
//                the DOM, and when the frame that shows it has been made);
//                baseline: the round trip of the POST that writes it. A card
//                is posted every PACE_MS (500): the harness does nothing in
//                the pages while they receive, it reads their notes at the end.
// Prints one JSON line: {"render": {...}, "propagation": {...}}.
//
// Usage: BASE_URL=http://127.0.0.1:PORT node e2e/bench.mjs
// TRACE=file.json also writes a Chromium trace of the propagation (every
// process: renderers, GPU process, browser), for Perfetto or chrome://tracing.
import fs from 'node:fs';
import os from 'node:os';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const renders = Number(process.env.RENDERS || 5);
const posts = Number(process.env.POSTS || 20);
const paceMs = Number(process.env.PACE_MS || 500);
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

async function account(i) {
  const email = `p${i}-${run}@example.com`;
  await api('POST', '/v1/accounts', '', { email, password, name: `Person ${i}` });
  const s = await api('POST', '/v1/sessions', '', { email, password });
  return { email, token: s.token, id: s.userId };
}

/** A team of n people and a retro they all joined, with `cards` revealed cards. */
async function retroWith(n, cards) {
  const people = [];
  for (let i = 0; i < n; i++) people.push(await account(i));
  const mod = people[0];
  const ws = await api('POST', '/v1/workspaces', mod.token, { name: `Bench ${run}` });
  const templates = await api('GET', '/v1/catalog/team-templates', mod.token);
  const team = await api('POST', `/v1/workspaces/${ws.id}/teams`, mod.token, { name: 'Bench', templateId: templates.items[0].id });
  for (const p of people.slice(1)) await api('POST', `/v1/teams/${team.id}/members`, mod.token, { userId: p.id });
  const retro = await api('POST', `/v1/teams/${team.id}/retros`, mod.token, { title: `Bench ${run}` });
  for (const p of people.slice(1)) await api('POST', `/v1/retros/${retro.id}/join`, p.token);
  const view = await api('GET', `/v1/retros/${retro.id}`, mod.token);
  const columns = view.columns.map((c) => c.id);
  // The board shows at the collect step.
  const collect = view.agenda.find((s) => s.kind === 'collect');
  await api('POST', `/v1/retros/${retro.id}/steps/${collect.id}/go`, mod.token);
  for (const c of columns) await api('POST', `/v1/retros/${retro.id}/columns/${c}/reveal`, mod.token);
  for (let i = 0; i < cards; i++) {
    const p = people[i % n];
    await api('POST', `/v1/retros/${retro.id}/cards`, p.token, { columnId: columns[i % columns.length], text: `card ${i} of ${run}` });
  }
  return { people, retroId: retro.id, columns, mod };
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // Every browser context is a window, and Chromium gives each window its
    // own renderer process for the address bar's drop-down (a WebUI page it
    // loads ahead, at some moment after the window opens). On a desktop that
    // is one process of the person's own browser on their own machine; here
    // 19 of them, idle or loading at random, share the 2 cores with what is
    // measured. The pages measured and their renderers are unchanged.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI',
  ],
});

/** A page logged in as p with the browser session cookie. */
async function pageAs(p) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.evaluate(
    async ({ email, password }) => {
      const r = await fetch('/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Session-Mode': 'cookie' }, body: JSON.stringify({ email, password }) });
      if (!r.ok) throw new Error(`log in: ${r.status}`);
    },
    { email: p.email, password },
  );
  return { context, page };
}

/** Milliseconds from navigation to every one of `cards` cards' text being on the page. */
async function renderOnce(page, retroId, cards) {
  const t0 = Date.now();
  await page.goto(`${base}/retros/${retroId}`);
  await page.waitForFunction((n) => document.querySelectorAll('.card-text').length >= n, cards, { timeout: 30_000, polling: 'raf' });
  return Date.now() - t0;
}

/**
 * CPU time (ms) so far of this script's browser by kind of process
 * (renderer, gpu-process, utility, browser), from /proc: every process
 * descended from this node process. Empty where there is no /proc.
 */
function browserCPU() {
  const byPid = new Map();
  let pids = [];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return {};
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      // utime and stime, in clock ticks of 10 ms.
      byPid.set(Number(pid), { ppid: Number(f[1]), type, ms: (Number(f[11]) + Number(f[12])) * 10 });
    } catch {
      // gone meanwhile
    }
  }
  const ours = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 10; p = byPid.get(p)?.ppid ?? 0, hops++) if (p === process.pid) return pid !== process.pid;
    return false;
  };
  const out = {};
  for (const [pid, v] of byPid) if (ours(pid) && v.type !== 'zygote') out[v.type] = (out[v.type] ?? 0) + v.ms;
  return out;
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)];
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs) });

try {
  // Render: the big retro and the baseline alternate, each on a fresh page.
  const big = await retroWith(20, 200);
  const small = await retroWith(1, 1);
  const bigPage = await pageAs(big.people[1]);
  const smallPage = await pageAs(small.people[0]);
  const bigMs = [];
  const smallMs = [];
  await renderOnce(bigPage.page, big.retroId, 200); // warm the caches once
  await renderOnce(smallPage.page, small.retroId, 1);
  for (let i = 0; i < renders; i++) {
    bigMs.push(await renderOnce(bigPage.page, big.retroId, 200));
    smallMs.push(await renderOnce(smallPage.page, small.retroId, 1));
  }
  await bigPage.context.close();
  await smallPage.context.close();

  // Propagation: 19 readers on the big retro's page, one writer posting.
  const readers = [];
  for (const p of big.people.slice(1)) {
    const r = await pageAs(p);
    await renderOnce(r.page, big.retroId, 200);
    // The page notes when each card's text first is in the DOM (seen) and
    // when the frame that shows it has been made (framed: the task after
    // the next animation frame's style, layout and paint). Nothing of the
    // harness runs in the page but this observer until the end.
    await r.page.evaluate(() => {
      window.__seen = {};
      window.__framed = {};
      const note = (el) => {
        const t = el.textContent || '';
        if (!t.startsWith('prop ') || t in window.__seen) return;
        window.__seen[t] = Date.now();
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            window.__framed[t] = Date.now();
          };
          ch.port2.postMessage(0);
        });
      };
      new MutationObserver((records) => {
        for (const rec of records) {
          const nodes = rec.type === 'characterData' ? [rec.target.parentElement] : [...rec.addedNodes];
          for (const n of nodes) {
            if (!(n instanceof Element)) continue;
            if (n.matches('.card-text')) note(n);
            for (const el of n.querySelectorAll('.card-text')) note(el);
          }
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    readers.push(r);
  }
  /** Waits until every reader has framed every one of texts. */
  const allFramed = (texts) =>
    Promise.all(
      readers.map((r) =>
        r.page.waitForFunction((ts) => ts.every((t) => t in window.__framed), texts, { timeout: 60_000, polling: 100 }),
      ),
    );
  const writer = big.people[0];
  const sent = {};
  const roundTrips = [];
  // One card first, not counted: the first change after the pages opened
  // pays for warming the server's and the pages' code paths once.
  await api('POST', `/v1/retros/${big.retroId}/cards`, writer.token, { columnId: big.columns[0], text: `prop warm ${run}` });
  await allFramed([`prop warm ${run}`]);
  if (process.env.TRACE) {
    await browser.startTracing(undefined, {
      path: process.env.TRACE,
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'viz', 'v8'],
    });
  }
  const loadBefore = os.loadavg();
  const cpuBefore = browserCPU();
  // A card every paceMs, as people write them, whatever the pages do; no
  // harness round trips into the pages while they receive.
  for (let i = 0; i < posts; i++) {
    const text = `prop ${i} ${run}`;
    const t0 = Date.now();
    await api('POST', `/v1/retros/${big.retroId}/cards`, writer.token, { columnId: big.columns[0], text });
    roundTrips.push(Date.now() - t0);
    sent[text] = t0;
    await new Promise((wake) => setTimeout(wake, Math.max(0, t0 + paceMs - Date.now())));
  }
  await allFramed(Object.keys(sent));
  const cpuAfter = browserCPU();
  const loadAfter = os.loadavg();
  if (process.env.TRACE) await browser.stopTracing();
  // What the 19 pages' browser spent per card, by kind of process (the
  // readers' final waitForFunction polls are included: a few ms per card).
  const cpuMsPerCard = {};
  for (const [k, v] of Object.entries(cpuAfter)) cpuMsPerCard[k] = (v - (cpuBefore[k] ?? 0)) / posts;
  const delays = [];
  const frames = [];
  for (const r of readers) {
    const { seen, framed } = await r.page.evaluate(() => ({ seen: window.__seen, framed: window.__framed }));
    for (const [text, at] of Object.entries(seen)) if (text in sent) delays.push(at - sent[text]);
    for (const [text, at] of Object.entries(framed)) if (text in sent) frames.push(at - sent[text]);
  }
  const render = { big: summary(bigMs), baseline: summary(smallMs), ratioP50: pct(bigMs, 50) / Math.max(1, pct(smallMs, 50)) };
  const propagation = {
    browsers: readers.length,
    paceMs,
    card: summary(delays),
    frame: summary(frames),
    baseline: summary(roundTrips),
    ratioP99: pct(delays, 99) / Math.max(1, pct(roundTrips, 99)),
    load: [loadBefore[0], loadAfter[0]],
    cpuMsPerCard,
  };
  console.log(JSON.stringify({ render, propagation }));
} finally {
  await browser.close();
}
