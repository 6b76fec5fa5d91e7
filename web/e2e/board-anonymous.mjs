// End-to-end: a whiteboard of an anonymous retro in two headless Chromium
// browsers against a real `hindsight serve` (started by web/browser_test.go).
// Ada moderates an anonymous retro and opens a whiteboard for Ben's card;
// both add notes and move their cursors on it, and each sees the other's
// notes and cursor. Neither browser may then hold the other person's user
// ID or name in its DOM, its IndexedDB (every stored document, loaded with
// Automerge: every item's author empty) or the WebSocket frames it received
// (sync changes and presence messages). As a control, on a team board of
// the same people the same checks do find the other's user ID and name.
//
// Usage: BASE_URL=http://127.0.0.1:PORT ARTEFACTS=dir node e2e/board-anonymous.mjs
import { boardKit } from './boardkit.mjs';

const { base, artefacts, run, failures, log, fail, api, account, browser, browserAs, storedDocs, until, noteWith, addNote } = await boardKit('anonymous');

/** Whether anything p's board page holds or received names person o. */
async function names(p, o) {
  const where = {
    DOM: await p.page.evaluate(() => document.documentElement.outerHTML),
    IndexedDB: (await storedDocs(p)).join('\n'),
    'WebSocket frames': p.framesIn.join('\n'),
  };
  return Object.entries(where).filter(([, v]) => v.includes(o.id) || v.includes(o.name)).map(([w]) => w);
}

async function openBoard(p, id) {
  await p.page.goto(`${base}/boards/${id}`);
  await p.page.getByText('Synced').waitFor();
}

/** Both add a note and move their cursor; each sees the other's note and cursor. */
async function work(ada, ben, tag) {
  await addNote(ada, 200, 150, `ada ${tag} ${run}`);
  await addNote(ben, 500, 250, `ben ${tag} ${run}`);
  for (const [p, o] of [[ada, ben], [ben, ada]]) {
    const box = await p.page.locator('.board-canvas').boundingBox();
    await p.page.mouse.move(box.x + 400, box.y + 400);
    await p.page.mouse.move(box.x + 420, box.y + 410, { steps: 5 });
    await noteWith(o, `${p === ada ? 'ada' : 'ben'} ${tag} ${run}`).waitFor();
  }
  await ada.page.locator('.peer-cursor').first().waitFor();
  await ben.page.locator('.peer-cursor').first().waitFor();
  await until('both notes are stored in both browsers', async () => {
    for (const p of [ada, ben]) {
      const docs = (await storedDocs(p)).join('\n');
      if (!docs.includes(`ada ${tag} ${run}`) || !docs.includes(`ben ${tag} ${run}`)) return false;
    }
    return true;
  });
}

let shot = 0;
const snap = async (label, people) => {
  for (const p of people) await p.page.screenshot({ path: `${artefacts}/${String(++shot).padStart(2, '0')}-${label}-${p.name}.png` });
  log('step done:', label);
};

try {
  const adaAcc = await account(`Ada${run}`);
  const benAcc = await account(`Ben${run}`);
  const ws = await api('POST', '/v1/workspaces', adaAcc.token, { name: `Anon ${run}` });
  const templates = await api('GET', '/v1/catalog/team-templates', adaAcc.token);
  const team = await api('POST', `/v1/workspaces/${ws.id}/teams`, adaAcc.token, { name: 'Platform', templateId: templates.items[0].id });
  await api('POST', `/v1/teams/${team.id}/members`, adaAcc.token, { userId: benAcc.id });
  const retro = await api('POST', `/v1/teams/${team.id}/retros`, adaAcc.token, { title: 'Sprint', anonymous: true });
  await api('POST', `/v1/retros/${retro.id}/join`, benAcc.token);
  const card = await api('POST', `/v1/retros/${retro.id}/cards`, benAcc.token, { columnId: 'start', text: 'flaky deploys' });
  await api('POST', `/v1/retros/${retro.id}/columns/start/reveal`, adaAcc.token);
  const board = await api('POST', `/v1/retros/${retro.id}/whiteboards`, adaAcc.token, { topicId: card.id });

  const ada = await browserAs(adaAcc);
  const ben = await browserAs(benAcc);
  for (const p of [ada, ben]) await openBoard(p, board.id);
  await work(ada, ben, 'anonymous');
  await snap('anonymous', [ada, ben]);
  for (const [p, o] of [[ada, ben], [ben, ada]]) {
    const found = await names(p, o);
    if (found.length) fail(`${p.name}'s ${found.join(', ')} name ${o.name} on an anonymous retro's board`);
    for (const d of await storedDocs(p)) {
      for (const [id, it] of Object.entries(JSON.parse(d).items ?? {})) if (it.author) fail(`${p.name} stores item ${id} with author ${JSON.stringify(it.author)} on an anonymous retro's board`);
    }
  }

  // The control: on the team's own board the same checks find the other person.
  const teamBoard = await api('POST', `/v1/teams/${team.id}/whiteboards`, adaAcc.token, { title: `Named ${run}` });
  for (const p of [ada, ben]) {
    p.framesIn.length = 0;
    await openBoard(p, teamBoard.id);
  }
  await work(ada, ben, 'named');
  await until('the team board names each to the other', async () => (await names(ada, ben)).includes('IndexedDB') && (await names(ben, ada)).includes('WebSocket frames'));
  await snap('named', [ada, ben]);
} catch (e) {
  fail(String((e && e.stack) || e));
  for (const [i, c] of browser.contexts().entries()) for (const pg of c.pages()) await pg.screenshot({ path: `${artefacts}/failed-${i}.png` }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`[anonymous] ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('[anonymous] ok');
process.exit(0);
