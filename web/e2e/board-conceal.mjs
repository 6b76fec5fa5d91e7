// End-to-end: a whiteboard's concealed writing phase in two headless Chromium
// browsers against a real `hindsight serve` (started by web/browser_test.go).
// Ada made the board and moderates it; she starts the writing phase on the
// page, both she and Ben add notes, and until Ada reveals them nothing of
// either person's note text may reach the other's browser: not the DOM, not
// IndexedDB (every stored document loaded with Automerge), not an HTTP
// answer, not a WebSocket frame (neither the text's bytes nor any frame of
// the other's notes document, named in each frame). Ben loses his network before
// the reveal and writes on. Ada's page says what her reveal did (how many notes
// went on the board, how many were left out); after the reveal both pages show
// both notes on the board, Ben's note written offline after the reveal stays on
// his device only, and his page says so (the sync server's "notes revealed"
// answer), in English and German.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/board-conceal.mjs
import { boardKit } from './boardkit.mjs';

const { base, artefacts, run, failures, log, fail, api, account, browser, browserAs, goOffline, goOnline, storedDocs, until, noteWith, addNote } = await boardKit('conceal');

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
  const ben = await browserAs(benAcc, { cuttable: true });
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

  // Ben's network goes before the reveal; his page still shows his notes.
  await goOffline(ben);
  await ben.page.getByText('Offline').first().waitFor();
  await ada.page.getByRole('button', { name: 'Reveal everyone’s notes' }).click();
  // The moderator reads what the reveal did: both notes the server had, none left out.
  await until("Ada's page says what the reveal did", async () =>
    ((await ada.page.getByTestId('board-revealed').textContent().catch(() => '')) ?? '').includes('The reveal put 2 notes on the board. None was left out.'));
  await ada.page.getByRole('heading', { name: `Ideas ${run}`, exact: true }).waitFor({ timeout: 20000 });
  // After the reveal, still offline, Ben writes on in his notes.
  const benLate = `ben after the reveal ${run}`;
  await ben.page.getByRole('heading', { name: `Your hidden notes: Ideas ${run}` }).waitFor();
  await addNote(ben, 400, 350, benLate);
  await until("Ben's late note is in his IndexedDB", async () => (await storedDocs(ben)).some((d) => d.includes(benLate)));
  await goOnline(ben);
  // The server tells his page that document closed at the reveal; the page says so.
  await ben.page.getByText('Your hidden notes closed at the reveal', { exact: false }).waitFor({ timeout: 30000 });
  await ben.page.getByText('The notes were revealed: the board now shows everyone’s notes, yours too.').waitFor({ timeout: 20000 });
  for (const p of [ada, ben]) {
    await p.page.getByRole('heading', { name: `Ideas ${run}`, exact: true }).waitFor({ timeout: 20000 });
    for (const t of [adaSecret, benSecret, `shared before ${run}`]) await noteWith(p, t).waitFor({ timeout: 20000 });
  }
  await ben.page.getByText('Synced').waitFor({ timeout: 20000 });
  await ada.page.waitForTimeout(1500);
  for (const p of [ada, ben]) if ((await noteWith(p, benLate).count()) !== 0) fail(`${p.name}'s board shows Ben's note written after the reveal`);
  await snap('revealed', [ada, ben]);
  await ben.page.getByLabel('Language').selectOption('de');
  await ben.page.getByText('Deine verdeckten Notizen wurden beim Aufdecken geschlossen', { exact: false }).waitFor();
  await ben.page.getByText('Die Notizen sind aufgedeckt', { exact: false }).waitFor();
  await ada.page.getByLabel('Language').selectOption('de');
  await ada.page.getByText('Das Aufdecken hat 2 Notizen auf das Board gebracht. Keine wurde weggelassen.').waitFor();
  await snap('revealed-de', [ada, ben]);
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
