// The whiteboard benchmark's clients: `clients` stock Repos on one board,
// each making `edits` edits at once; prints how long until every client
// holds every edit. Usage: node bench.mjs <ws URL> <clients> <edits>
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const [url, nClients, nEdits] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const sleep = ms => new Promise(r => setTimeout(r, ms))
const repos = Array.from({ length: nClients }, () => new Repo({ network: [new WebSocketClientAdapter(url, 200)], sharePolicy: async () => true }))

const first = repos[0].create({ notes: [] })
const handles = [first]
for (const repo of repos.slice(1)) {
  for (let i = 0; ; i++) {
    try { handles.push(await repo.find(first.url)); break } catch (e) { if (i > 100) throw e; await sleep(50) }
  }
}
const total = nClients * nEdits
const start = performance.now()
await Promise.all(handles.map(async (h, c) => {
  for (let i = 0; i < nEdits; i++) {
    h.change(d => { d.notes.push(`${c}-${i}`) })
    if (i % 10 === 9) await sleep(1)
  }
}))
while (!handles.every(h => h.doc().notes.length === total)) await sleep(5)
const convergeMs = performance.now() - start
process.stdout.write(JSON.stringify({ convergeMs, clients: nClients, edits: nEdits }) + "\n")
await Promise.all(repos.map(r => r.shutdown()))
process.exit(0)
