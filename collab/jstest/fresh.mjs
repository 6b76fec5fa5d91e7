// The first-load and join benchmark's clients (BENCHMARKS.md, issue 12).
//   node fresh.mjs ref-seed <dir> <file>      the reference server's storage holds that document; prints its ID
//   node fresh.mjs load <ws URL> <doc ID> <notes>  a fresh stock Repo opens the board; prints how long until it holds every note
//   node fresh.mjs join <ws URL> <clients>    that many stock Repos connect at once; prints how long until the server answered all
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { readFileSync } from "node:fs"

console.log = console.info = console.debug = (...args) => console.error(...args)
const sleep = ms => new Promise(r => setTimeout(r, ms))
const say = v => process.stdout.write(JSON.stringify(v) + "\n")
const [mode, ...args] = process.argv.slice(2)

// joined is a Repo that resolves once the server has answered its join.
const joined = url => {
  const repo = new Repo({ network: [new WebSocketClientAdapter(url, 1000)] })
  return [repo, new Promise(r => repo.networkSubsystem.once("peer", r))]
}

if (mode === "ref-seed") {
  const repo = new Repo({ network: [], storage: new NodeFSStorageAdapter(args[0]) })
  const h = repo.import(new Uint8Array(readFileSync(args[1])))
  await repo.flush()
  say({ docId: h.documentId })
  await repo.shutdown()
} else if (mode === "load") {
  const [url, docId, notes] = [args[0], args[1], Number(args[2])]
  const [repo, peer] = joined(url)
  await peer
  const start = performance.now()
  const h = await repo.find(`automerge:${docId}`)
  while ((h.doc().notes ?? []).length !== notes) await sleep(1)
  say({ loadMs: performance.now() - start })
  await repo.shutdown()
} else if (mode === "join") {
  const [url, n] = [args[0], Number(args[1])]
  const start = performance.now()
  const clients = Array.from({ length: n }, () => joined(url))
  await Promise.all(clients.map(([, peer]) => peer))
  say({ joinMs: performance.now() - start })
  await Promise.all(clients.map(([repo]) => repo.shutdown()))
} else {
  throw new Error(`unknown mode ${mode}`)
}
process.exit(0)
