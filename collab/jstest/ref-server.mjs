// The reference sync server for the benchmark: a stock Repo with the stock
// WebSocket server adapter and filesystem storage. Prints its port, serves
// until stdin closes.
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const dir = process.argv[2]
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
await new Promise(r => wss.on("listening", r))
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: "reference-server",
  sharePolicy: async () => false,
})
process.stdout.write(JSON.stringify({ port: wss.address().port }) + "\n")
process.stdin.resume()
process.stdin.on("end", async () => {
  await repo.shutdown()
  wss.close()
  process.exit(0)
})
