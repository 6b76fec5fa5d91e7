// Memory per loaded document in a stock Repo, for TestMemoryPerIdleBoard:
// n documents of `changes` one-note changes each, held by the Repo.
// Usage: node --expose-gc mem-ref.mjs <n> <changes>
import { Repo } from "@automerge/automerge-repo"

const [n, changes] = process.argv.slice(2).map(Number)
const settle = async () => { for (let i = 0; i < 3; i++) { global.gc(); await new Promise(r => setTimeout(r, 20)) } }
const repo = new Repo({ network: [] })
await settle()
const before = process.memoryUsage().rss
const handles = []
for (let i = 0; i < n; i++) {
  const h = repo.create({ notes: [] })
  for (let c = 0; c < changes; c++) h.change(d => { d.notes.push(`note-${c}`) })
  handles.push(h)
}
await settle()
const after = process.memoryUsage().rss
process.stdout.write(JSON.stringify({ perDocKB: (after - before) / 1024 / n }) + "\n")
process.exit(0)
