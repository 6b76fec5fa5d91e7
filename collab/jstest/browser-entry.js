// The page side of the browser test: a stock Repo with the stock WebSocket
// client adapter, bundled by esbuild, with Automerge's wasm inlined.
import { Repo, initializeBase64Wasm } from "@automerge/automerge-repo/slim"
import { automergeWasmBase64 } from "@automerge/automerge/automerge.wasm.base64"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

window.runBoard = async ({ syncUrl, docUrl, edits }) => {
  await initializeBase64Wasm(automergeWasmBase64)
  const repo = new Repo({ network: [new WebSocketClientAdapter(syncUrl, 200)], sharePolicy: async () => true })
  let handle
  for (let i = 0; ; i++) {
    try {
      handle = await repo.find(docUrl)
      break
    } catch (e) {
      if (i > 50) throw e
      await new Promise(r => setTimeout(r, 100))
    }
  }
  for (let i = 0; i < edits; i++) {
    handle.change(d => {
      if (!d.notes) d.notes = []
      d.notes.push(`browser-${i}`)
    })
  }
  window.boardDoc = () => JSON.parse(JSON.stringify(handle.doc()))
  return window.boardDoc()
}
