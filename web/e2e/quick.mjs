// End-to-end: a quick retro that expires while it is open in the browser, in
// headless Chromium against a real `hindsight serve` with a short
// --quick-retro-ttl (started by web/quick_test.go). Ada starts one from the
// login page with only her name, in English; Bea one in German. When the
// server's sweep erases them, each page says in its own language that the
// quick retro ended and was erased (not a generic "no access"), and offers to
// start a new one. A CSP violation or a page error fails.
//
// Usage: BASE_URL=… ARTEFACTS=dir node e2e/quick.mjs
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS || 'test-results/quick';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('BASE_URL is required');
mkdirSync(artefacts, { recursive: true });

const failures = [];
const log = (...a) => console.log('[quick]', ...a);
const fail = (msg) => {
  failures.push(msg);
  console.log('[quick] FAIL', msg);
};

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const people = [
  { name: 'Ada', locale: 'en-US', ended: /quick retro has ended: nobody claimed it in time, and everything written in it was erased/, again: 'Start a new quick retro' },
  { name: 'Bea', locale: 'de-DE', ended: /schnelle Retro ist beendet: Niemand hat sie rechtzeitig übernommen, und alles, was darin geschrieben wurde, ist gelöscht/, again: 'Neue schnelle Retro starten' },
];

async function expireIn(p) {
  const context = await browser.newContext({ locale: p.locale, viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  const csp = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (apply|execute|load)/i.test(m.text())) csp.push(m.text());
  });
  page.on('pageerror', (e) => fail(`${p.name}: page error: ${e.message}`));
  await page.goto(`${base}/login`);
  await page.fill('input[name="quick-name"]', p.name);
  await page.click('section[aria-labelledby="quick-h"] button[type="submit"]');
  await page.waitForURL(/\/retros\/[^/]+$/, { timeout: 30_000 });
  await page.waitForSelector('.conn[data-state="live"]', { timeout: 30_000 });
  log(p.name, 'is in her quick retro, live');
  await page.screenshot({ path: `${artefacts}/1-live-${p.name}.png`, fullPage: true });
  // The server erases it at its expiry (the test's --quick-retro-ttl) and cuts the feed.
  await page.waitForSelector('.conn[data-state="revoked"]', { timeout: 120_000 });
  await page.screenshot({ path: `${artefacts}/2-ended-${p.name}.png`, fullPage: true });
  const said = (await page.textContent('.conn')) ?? '';
  if (!p.ended.test(said)) fail(`${p.name} (${p.locale}) is told "${said}" when her quick retro expired, want ${p.ended}`);
  const again = page.locator('a[href="/login"]', { hasText: p.again });
  if ((await again.count()) !== 1) fail(`${p.name} (${p.locale}) is not offered "${p.again}" once her quick retro expired`);
  if (csp.length) fail(`${p.name}: CSP violations: ${csp.join(' | ')}`);
  log(p.name, 'was told:', said);
  await context.close();
}

try {
  await Promise.all(people.map((p) => expireIn(p).catch((e) => fail(`${p.name}: ${e.message}`))));
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[quick] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[quick] ok');
