// End-to-end: the dashboards, time travel's slider and the downloads in
// headless Chromium against a real `hindsight serve` (started by
// web/dashboard_test.go). It seeds a workspace through the API as people
// would (two teams, retros with health checks, cards, ROTI, a survey,
// actions: one overdue), then checks that every number the pages show is
// the number the API gives for the same data, that a group under the
// minimum reads "too few answers" and never a number, that the slider shows
// the retro at a position as GET /at does, and that the downloads arrive and
// parse. axe-core runs on every page.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/dashboards.mjs
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/dashboards';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const run = Math.random().toString(36).slice(2, 8);
const password = 'correct horse battery staple';
const failures = [];
const log = (...a) => console.log('[dash]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[dash] FAIL', msg);
};
const expectEq = (got, want, what) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(`${what}: page shows ${JSON.stringify(got)}, the API says ${JSON.stringify(want)}`);
};

// ---- the API, as the seeding people use it ----------------------------------

let keyN = 0;
async function api(method, path, token, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['Idempotency-Key'] = `${run}-${++keyN}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function account(name) {
  const email = `${name}-${run}@example.com`;
  const r = await fetch(`${base}/v1/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${run}-reg-${name}` }, body: JSON.stringify({ email, password, name }) });
  if (r.status !== 202) throw new Error(`register ${name}: ${r.status} ${await r.text()}`);
  const s = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const j = await s.json();
  if (s.status !== 201) throw new Error(`log in ${name}: ${s.status} ${JSON.stringify(j)}`);
  return { name, email, id: j.userId, token: j.token };
}

let last = 0;
async function cmd(method, path, who, body) {
  const r = await api(method, path, who.token, body);
  if (r && typeof r.position === 'number' && r.position > last) last = r.position;
  return r;
}

const stepId = (view, kind) => {
  const s = (view.agenda ?? []).find((x) => x.kind === kind);
  if (!s) throw new Error(`the retro has no ${kind} step`);
  return s.id;
};

/** A retro run through the API: a health check, cards (concealed, then revealed), ROTI. */
async function retro(teamId, title, mod, people, { pack, scores, cards = [], roti = [] }) {
  const id = (await cmd('POST', `/v1/teams/${teamId}/retros`, mod, { title })).id;
  for (const p of people) await cmd('POST', `/v1/retros/${id}/join`, p);
  let view = await api('GET', `/v1/retros/${id}`, mod.token);
  if (pack) await cmd('POST', `/v1/retros/${id}/health`, mod, { packId: pack });
  await cmd('POST', `/v1/retros/${id}/steps/${stepId(view, 'health-check')}/go`, mod);
  view = await api('GET', `/v1/retros/${id}`, mod.token);
  const qs = view.health?.questions ?? [];
  if (!qs.length) throw new Error(`${title}: the health check has no questions`);
  const everyone = [mod, ...people];
  for (let i = 0; i < scores.length; i++) {
    for (const [k, q] of qs.entries()) {
      const ten = String(q.scale).includes('10');
      const score = ten ? Math.min(10, scores[i] * 2 + (k % 2)) : Math.min(5, Math.max(1, scores[i] - (k % 2)));
      await cmd('POST', `/v1/retros/${id}/health/answers`, everyone[i], { questionId: q.id, score });
    }
  }
  await cmd('POST', `/v1/retros/${id}/health/reveal`, mod);
  if (cards.length) {
    await cmd('POST', `/v1/retros/${id}/steps/${stepId(view, 'collect')}/go`, mod);
    const col = view.columns[0].id;
    for (const [who, text] of cards) await cmd('POST', `/v1/retros/${id}/cards`, who, { columnId: col, text });
    await cmd('POST', `/v1/retros/${id}/columns/${col}/reveal`, mod);
  }
  await cmd('POST', `/v1/retros/${id}/steps/${stepId(view, 'roti')}/go`, mod);
  for (const [who, score] of roti) await cmd('POST', `/v1/retros/${id}/roti`, who, { score });
  await cmd('POST', `/v1/retros/${id}/roti/close`, mod);
  await cmd('POST', `/v1/retros/${id}/close`, mod);
  return id;
}

// ---- the browser ------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let shot = 0;
async function check(page, label) {
  shot++;
  await page.screenshot({ path: `${artefacts}/${String(shot).padStart(2, '0')}-${label}.png`, fullPage: true });
  await page.evaluate(axeSource + '\n;0');
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  for (const v of res) if (v.impact === 'serious' || v.impact === 'critical') fail(`${label}: axe ${v.impact} ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);
  log('checked:', label);
}

/** Reads a table's body as text cells, row by row (th and td alike). */
const tableRows = (locator) =>
  locator.evaluate((t) => [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim())));
const tableHead = (locator) => locator.evaluate((t) => [...t.querySelectorAll('thead th')].map((c) => c.textContent.trim()));

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const shown = (p) => (p.suppressed || typeof p.value !== 'number' ? 'too few answers' : num.format(p.value));

try {
  // Seed: Ana runs the workspace and two teams; Platform has four people,
  // Tiny two (under the server's minimum group of three).
  const [ana, bo, cy, dee] = [await account('ana'), await account('bo'), await account('cy'), await account('dee')];
  const ws = (await cmd('POST', '/v1/workspaces', ana, { name: `Acme ${run}` })).id;
  const templates = await api('GET', '/v1/catalog/team-templates', ana.token);
  const tt = templates.items[0].id;
  const platform = (await cmd('POST', `/v1/workspaces/${ws}/teams`, ana, { name: 'Platform', templateId: tt })).id;
  const tiny = (await cmd('POST', `/v1/workspaces/${ws}/teams`, ana, { name: 'Tiny', templateId: tt })).id;
  for (const u of [bo, cy, dee]) await cmd('POST', `/v1/teams/${platform}/members`, ana, { userId: u.id });
  await cmd('POST', `/v1/teams/${tiny}/members`, ana, { userId: bo.id });

  const r1 = await retro(platform, 'Sprint 1', ana, [bo, cy, dee], {
    scores: [4, 3, 5, 2],
    cards: [[bo, `Deploys were smooth ${run}`], [cy, `Flaky tests ${run}`]],
    roti: [[ana, 4], [bo, 5], [cy, 3], [dee, 4]],
  });
  await retro(platform, 'Sprint 2', ana, [bo, cy, dee], { pack: 'enps', scores: [5, 4, 4, 2], roti: [[ana, 5], [bo, 4], [cy, 4]] });
  // Two ROTI ratings: under the minimum, so the average is withheld.
  await retro(platform, 'Sprint 3', ana, [bo, cy, dee], { scores: [3, 3, 4, 5], roti: [[ana, 2], [bo, 3]] });
  await retro(tiny, 'Tiny 1', ana, [bo], { scores: [4, 2], roti: [[ana, 4], [bo, 4]] });
  // A pulse survey on eNPS for Platform: a second eNPS point.
  const closes = new Date(Date.now() + 3 * 86400_000).toISOString();
  const survey = (await cmd('POST', '/v1/surveys', ana, { teamIds: [platform], title: 'Pulse', packId: 'enps', closesAt: closes })).id;
  const sv = await api('GET', `/v1/surveys/${survey}`, ana.token);
  const sq = (sv.questions ?? sv.healthQuestions ?? []).map((q) => q.id);
  for (const [i, u] of [ana, bo, cy, dee].entries()) await cmd('POST', `/v1/surveys/${survey}/responses`, u, { ratings: Object.fromEntries(sq.map((q) => [q, [10, 9, 6, 8][i]])) });
  await cmd('POST', `/v1/surveys/${survey}/close`, ana);
  // Actions on Platform: one overdue, one open, one done.
  const day = 86400_000;
  await cmd('POST', `/v1/teams/${platform}/actions`, ana, { title: 'Fix the flaky suite', assignee: bo.id, due: new Date(Date.now() - 2 * day).toISOString() });
  await cmd('POST', `/v1/teams/${platform}/actions`, ana, { title: 'Write the runbook', assignee: cy.id, due: new Date(Date.now() + 30 * day).toISOString() });
  const done = (await cmd('POST', `/v1/teams/${platform}/actions`, ana, { title: 'Cancel a meeting' })).id;
  await cmd('POST', `/v1/teams/${platform}/actions/${done}/status`, ana, { status: 'done' });
  log('seeded up to position', last);

  // What the API says, once the read models hold every write.
  const after = `after=${last}`;
  const health = await api('GET', `/v1/teams/${platform}/health?${after}`, ana.token);
  const tracker = await api('GET', `/v1/teams/${platform}/action-tracker?${after}`, ana.token);
  const history = (await api('GET', `/v1/teams/${platform}/retros?limit=200&${after}`, ana.token)).items;
  const heat = await api('GET', `/v1/workspaces/${ws}/health/heatmap?${after}`, ana.token);
  const months = (await api('GET', `/v1/workspaces/${ws}/dashboard?${after}`, ana.token)).months;
  const wsEnps = await api('GET', `/v1/workspaces/${ws}/health/enps?${after}`, ana.token);
  const packs = (await api('GET', '/v1/catalog/health-packs?limit=200', ana.token)).items;
  const dims = (await api('GET', '/v1/catalog/dimensions?limit=200', ana.token)).items;
  const dimOf = new Map(packs.flatMap((p) => p.questions.map((q) => [q.id, q.dimension])));
  const dimName = new Map(dims.map((d) => [d.id, d.name]));
  if ((health.enps.points ?? []).length < 2) fail(`the seed gave ${health.enps.points?.length ?? 0} eNPS points, want 2`);
  if (!(heat.cells ?? []).flat().some((c) => c.suppressed)) fail('the seed left no heat map cell under the minimum group');
  if (!history.some((h) => h.closedAt && typeof h.rotiAverage !== 'number' && h.rotiRatings > 0)) fail('the seed left no ROTI under the minimum group');

  // Ana logs in like a person and opens the team's dashboard from its page.
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const csp = [];
  page.on('console', (m) => /Content Security Policy|Refused to (apply|execute|load)/i.test(m.text()) && csp.push(m.text()));
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  const scripts = [];
  page.on('response', (r) => r.request().resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail address').fill(ana.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Your workspaces and teams' }).waitFor();
  await page.getByRole('link', { name: 'Platform' }).click();
  await page.getByRole('heading', { name: 'Team Platform' }).waitFor();
  if (scripts.some((s) => s.includes('/dash-'))) fail(`the dashboards' chunk loaded before a dashboard was opened: ${scripts.join(', ')}`);
  await page.getByRole('link', { name: 'Dashboard: health, ROTI, actions, history' }).click();
  await page.getByRole('heading', { name: 'Dashboard: Platform' }).waitFor();
  if (!scripts.some((s) => s.includes('/dash-'))) fail(`opening the dashboard loaded no separate chunk: ${scripts.join(', ')}`);

  // Health: one chart per pack; each line's table column holds the API's
  // points of that question, oldest first ("too few answers" where withheld).
  const charts = page.locator('#health-h ~ figure.chart');
  await charts.first().waitFor();
  for (const s of health.questions ?? []) {
    if (!(s.points ?? []).length) continue;
    const th = page.locator(`thead th[data-series="${s.id}"]`);
    const fig = charts.filter({ has: th }).first();
    await fig.locator('summary').click();
    const head = await fig.locator('thead th').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-series') || ''));
    const col = head.indexOf(s.id);
    if (col < 0) {
      fail(`no table column for ${s.id}`);
      continue;
    }
    // Named by its dimension, or by the question where the chart has more of that dimension.
    const label = (await fig.locator('thead th').nth(col).textContent()).trim();
    if (label !== dimName.get(dimOf.get(s.id)) && label !== s.title) fail(`the line of ${s.id} is named "${label}"`);
    const cells = (await tableRows(fig.locator('table'))).map((r) => r[col]).filter((c) => c !== '—');
    expectEq(cells, s.points.map(shown), `health trend of ${s.id} (${label})`);
  }
  // eNPS, its latest value and every point.
  const enpsFig = page.locator('#enps-h ~ figure.chart');
  await enpsFig.locator('summary').click();
  expectEq((await tableRows(enpsFig.locator('table'))).map((r) => r[1]), health.enps.points.map(shown), 'eNPS');
  const lastEnps = health.enps.points.at(-1);
  await page.locator('#enps-latest').filter({ hasText: `Latest: ${shown(lastEnps)}` }).waitFor();
  // ROTI over time: one row per closed retro, oldest first.
  const rotiFig = page.locator('#roti-h ~ figure.chart');
  await rotiFig.locator('summary').click();
  const closed = history.filter((h) => h.closedAt).sort((a, b) => (a.closedAt < b.closedAt ? -1 : 1));
  const rotiShown = (h) => (typeof h.rotiAverage === 'number' ? num.format(h.rotiAverage) : h.rotiRatings > 0 ? 'too few answers' : '—');
  expectEq((await tableRows(rotiFig.locator('table'))).map((r) => r[1]), closed.map(rotiShown), 'ROTI over time');
  // Retro history: newest first, people, cards, actions and ROTI per retro.
  const hist = await tableRows(page.locator('table.history'));
  expectEq(
    hist.map((r) => [r[1].replace(/\s*Replay$/, ''), r[2], r[3], r[4], r[5]]),
    [...history].reverse().map((h) => [h.title, String(h.participants), String(h.cards ?? 0), String(h.actions ?? 0), rotiShown(h)]),
    'retro history',
  );
  // The action tracker's counts and the overdue one by name.
  const count = (k) => page.locator(`dd[data-count="${k}"]`).textContent();
  expectEq(
    [await count('open'), await count('overdue'), await count('done'), await count('discarded')],
    [String(tracker.open.length), String(tracker.overdue), String(tracker.done.length), String(tracker.discarded.length)],
    'action counts',
  );
  if (tracker.overdue !== 1) fail(`the API counts ${tracker.overdue} overdue actions, the seed made 1`);
  await page.locator('.overdue-list li').filter({ hasText: 'Fix the flaky suite' }).waitFor();
  await check(page, 'team-dashboard');

  // Downloads: the events as NDJSON CloudEvents, the SQLite file.
  const [events] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'The team’s events (NDJSON)' }).click()]);
  const ndjson = readFileSync(await events.path(), 'utf8').split('\n').filter(Boolean);
  if (ndjson.length === 0) fail('the events download is empty');
  for (const [i, l] of ndjson.entries()) {
    try {
      const ce = JSON.parse(l);
      if (ce.specversion !== '1.0' || !ce.type) fail(`events line ${i + 1} is no CloudEvent: ${l.slice(0, 200)}`);
    } catch {
      fail(`events line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
    }
  }
  const [sqlite] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'The team’s history as SQLite' }).click()]);
  const sqlitePath = `${artefacts}/team.sqlite`;
  await sqlite.saveAs(sqlitePath);
  if (readFileSync(sqlitePath).subarray(0, 16).toString('latin1') !== 'SQLite format 3\u0000') fail('the SQLite download has no SQLite header');
  writeFileSync(`${artefacts}/ids.json`, JSON.stringify({ platform, retro: r1, retroTitle: 'Sprint 1' }));

  // German: the same page in the other language, checked by axe too.
  await page.getByLabel('Language').selectOption('de');
  await page.getByRole('heading', { name: 'Dashboard: Platform' }).waitFor();
  await page.getByRole('heading', { name: 'Gesundheit im Zeitverlauf' }).waitFor();
  await check(page, 'team-dashboard-de');
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('heading', { name: 'Health over time' }).waitFor();

  // The workspace's dashboard, from the home page.
  await page.getByRole('navigation').getByRole('link', { name: 'Home' }).click();
  await page.getByRole('link', { name: `Dashboard and heat map: Acme ${run}` }).click();
  await page.getByRole('heading', { name: `Workspace dashboard: Acme ${run}` }).waitFor();
  const heatTable = page.locator('table.heat');
  await heatTable.waitFor();
  const teamsList = (await api('GET', `/v1/workspaces/${ws}/teams?limit=200`, ana.token)).items;
  const teamName = new Map(teamsList.map((t) => [t.id, t.name]));
  expectEq(await tableHead(heatTable), ['Team', ...(heat.dimensions ?? []).map((d) => dimName.get(d) ?? d)], 'heat map columns');
  const heatRows = await tableRows(heatTable);
  const chg = new Intl.NumberFormat('en', { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
  const cellShown = (c) =>
    c.suppressed
      ? 'too few answers'
      : typeof c.value !== 'number'
        ? '—'
        : num.format(c.value) + (typeof c.change === 'number' && c.change !== 0 ? ` ${c.change > 0 ? '▲up' : '▼down'} ${chg.format(c.change)}` : '');
  expectEq(
    heatRows,
    (heat.teams ?? []).map((t, i) => [teamName.get(t) ?? t, ...(heat.cells[i] ?? []).map(cellShown)]),
    'heat map cells',
  );
  for (const c of await heatTable.locator('td', { hasText: 'too few answers' }).all()) {
    if (/\d/.test(await c.textContent())) fail('a heat map cell under the minimum group shows a number');
  }
  const monthRows = await tableRows(page.locator('table.months'));
  const pct = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });
  expectEq(
    monthRows.map((r) => r.slice(1)),
    months.map((m) => [
      String(m.retros),
      String(m.teams),
      String(m.participants),
      typeof m.participationRate === 'number' ? pct.format(m.participationRate) : '—',
      typeof m.rotiAverage === 'number' ? num.format(m.rotiAverage) : m.rotiRatings > 0 ? 'too few answers' : '—',
      typeof m.healthAverage === 'number' ? num.format(m.healthAverage) : '—',
    ]),
    'monthly dashboard',
  );
  // Months from next month on: none yet, as the API says; cleared, all again.
  const next = new Date();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const nextMonth = next.toISOString().slice(0, 7);
  const later = (await api('GET', `/v1/workspaces/${ws}/dashboard?from=${nextMonth}`, ana.token)).months;
  if (later.length !== 0) fail(`the API has ${later.length} months from ${nextMonth} on, want none`);
  await page.getByLabel('From (month)').fill(nextMonth);
  await page.locator('#months-h').locator('xpath=..').getByText('Nothing to show yet.').waitFor();
  await page.getByLabel('From (month)').fill(months[0].month);
  await page.locator('table.months').waitFor();
  expectEq((await tableRows(page.locator('table.months'))).length, months.length, 'months from the first month on');
  expectEq(await page.locator('#ws-enps').textContent(), shown(wsEnps), 'workspace eNPS');
  await page.locator('figure.chart summary').first().click();
  await check(page, 'workspace-dashboard');

  // Time travel: the slider over Sprint 1's positions; at each chosen
  // position the page shows what GET /at shows Ana there.
  await page.goto(`${base}/retros/${r1}/at`);
  const slider = page.getByRole('slider', { name: 'Position in the retro' });
  await slider.waitFor();
  const now = await api('GET', `/v1/retros/${r1}/at?time=${encodeURIComponent(new Date().toISOString())}`, ana.token);
  const positions = now.positions ?? [];
  if (positions.length < 10) fail(`Sprint 1 has ${positions.length} positions, want its whole run`);
  await page.getByText(`Event ${positions.length} of ${positions.length}`).waitFor();
  expectEq(await slider.getAttribute('max'), String(positions.length - 1), 'slider range');
  // A position while the cards were concealed, and one after the reveal.
  const cardsAt = async (pos) => {
    const at = await api('GET', `/v1/retros/${r1}/at?position=${pos}`, ana.token);
    const cards = (at.view.columns ?? []).flatMap((c) => c.cards ?? []);
    return { at, hidden: cards.filter((c) => c.concealed && !c.text).length, texts: cards.filter((c) => c.text).map((c) => c.text) };
  };
  let concealedIdx = -1;
  let revealedIdx = -1;
  for (let i = 0; i < positions.length; i++) {
    const c = await cardsAt(positions[i]);
    if (concealedIdx < 0 && c.hidden === 2) concealedIdx = i;
    if (c.texts.length === 2) {
      revealedIdx = i;
      break;
    }
  }
  if (concealedIdx < 0 || revealedIdx < 0) fail(`found no concealed (${concealedIdx}) or revealed (${revealedIdx}) position of Sprint 1`);
  for (const idx of [concealedIdx, revealedIdx, 0, positions.length - 1].filter((i) => i >= 0)) {
    const want = await cardsAt(positions[idx]);
    await slider.fill(String(idx));
    await page.locator(`[role="status"][data-position="${positions[idx]}"]`).waitFor();
    await page.getByText(`Event ${idx + 1} of ${positions.length}`).waitFor();
    const step = (want.at.view.agenda ?? []).find((s) => s.id === want.at.view.currentStep);
    const status = await page.locator(`[role="status"][data-position="${positions[idx]}"]`).textContent();
    if (step?.title && !status.includes(step.title)) fail(`at event ${idx + 1} the page says "${status}", the API's step is ${step.title}`);
    for (const t of want.texts) await page.getByText(t).first().waitFor();
    const board = await page.locator('main').textContent();
    for (const t of [`Deploys were smooth ${run}`, `Flaky tests ${run}`]) {
      if (!want.texts.includes(t) && board.includes(t)) fail(`at event ${idx + 1} the page shows "${t}", which GET /at does not`);
    }
    if (want.hidden > 0) await page.getByText(`${want.hidden} hidden cards`).first().waitFor();
  }
  await check(page, 'time-travel-slider');
  // Play runs on from a position to the end by itself; pause stops it.
  await slider.fill('0');
  await page.locator(`[role="status"][data-position="${positions[0]}"]`).waitFor();
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator(`[role="status"][data-position="${positions[2]}"]`).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  const paused = await slider.inputValue();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  if (Number(paused) < 2 || Number(paused) >= positions.length) fail(`play then pause left the slider at ${paused}`);

  if (csp.length) fail(`CSP violations: ${csp.join(' | ')}`);
  await context.close();
} catch (e) {
  fail(`scenario stopped: ${e && e.stack ? e.stack : e}`);
  for (const c of browser.contexts()) for (const p of c.pages()) await p.screenshot({ path: `${artefacts}/failed.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}

writeFileSync(`${artefacts}/result.json`, JSON.stringify({ failures }, null, 2));
if (failures.length) {
  console.log(`[dash] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[dash] ok');
