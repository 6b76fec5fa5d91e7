// The many-boards memory benchmark's clients (BENCHMARKS.md, issue 12).
//   node many.mjs ref-seed <dir> <boards>            the reference server's storage holds that many empty boards; prints their IDs
//   node many.mjs edit <ws URL> <ids file> <edits>   two stock Repos per board (each its own socket) open it, then every one adds
//                                                    <edits> notes at once; prints how long until both hold all of their board's notes
//   node many.mjs storm <ws URL> <doc ID> <peers>    that many stock Repos open one board at once, then all leave; prints how long
//                                                    until every one held it
// The ids file holds one document ID a line.
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { readFileSync } from "node:fs"

console.log = console.info = console.debug = (...args) => console.error(...args)
const sleep = ms => new Promise(r => setTimeout(r, ms))
const say = v => process.stdout.write(JSON.stringify(v) + "\n")
const [mode, ...args] = process.argv.slice(2)

// An empty board in collab's schema, as the server seeds a blank one.
const emptyBoard = () => ({ schema: 1, title: "Blank board", prompts: [], items: {} })

const client = url => new Repo({ network: [new WebSocketClientAdapter(url, 1000)], sharePolicy: async () => true })

// open finds the board, asking again while the server is still loading it
// (a find that says unavailable is retried, as a page would on reload).
const open = async (repo, id) => {
  for (let i = 0; ; i++) {
    try {
      const h = await repo.find(`automerge:${id}`)
      if (h.doc()?.items) return h
    } catch (e) {
      if (i > 50) throw e
    }
    await sleep(100)
  }
}

// A socket the server resets before answering the upgrade (a loaded server
// past its header timeout) is an unhandled error in the stock adapter; the
// adapter reconnects, so it is counted, not fatal.
let socketErrors = 0
process.on("uncaughtException", e => {
  if (e?.code !== "ECONNRESET" && e?.code !== "ECONNREFUSED") throw e
  socketErrors++
})

const count = h => Object.keys(h.doc()?.items ?? {}).length

if (mode === "ref-seed") {
  const repo = new Repo({ network: [], storage: new NodeFSStorageAdapter(args[0]) })
  const ids = Array.from({ length: Number(args[1]) }, () => repo.create(emptyBoard()).documentId)
  await repo.flush()
  say({ docIds: ids })
  await repo.shutdown()
} else if (mode === "edit") {
  const [url, file, edits] = [args[0], args[1], Number(args[2])]
  const ids = readFileSync(file, "utf8").split("\n").filter(Boolean)
  const pairs = ids.map(id => ({ id, repos: [client(url), client(url)] }))
  const handles = await Promise.all(pairs.flatMap(p => p.repos.map(r => open(r, p.id))))
  const start = performance.now()
  await Promise.all(handles.map(async (h, c) => {
    for (let i = 0; i < edits; i++) {
      h.change(d => { d.items[`n-${c}-${i}`] = { kind: "note", x: 10 * i, y: 10 * c, w: 160, h: 120, color: "yellow", z: i, author: "", text: `note ${c}-${i}` } })
      if (i % 5 === 4) await sleep(1)
    }
  }))
  const deadline = performance.now() + 10 * 60 * 1000
  while (!handles.every(h => count(h) === 2 * edits)) {
    if (performance.now() > deadline) throw new Error("boards did not converge in 10 minutes")
    await sleep(20)
  }
  say({ editMs: performance.now() - start, boards: ids.length, clients: handles.length, socketErrors })
  await Promise.all(pairs.flatMap(p => p.repos.map(r => r.shutdown())))
} else if (mode === "storm") {
  const [url, id, n] = [args[0], args[1], Number(args[2])]
  const start = performance.now()
  const repos = Array.from({ length: n }, () => client(url))
  await Promise.all(repos.map(r => open(r, id)))
  const joinMs = performance.now() - start
  await Promise.all(repos.map(r => r.shutdown()))
  say({ joinMs, peers: n, socketErrors })
} else {
  throw new Error(`unknown mode ${mode}`)
}
process.exit(0)
