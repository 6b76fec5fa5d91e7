// A line-driven automerge-repo client host: Go tests write one JSON command
// per line on stdin and read one JSON reply per line on stdout. Every client
// is a stock Repo with the stock WebSocketClientAdapter.
import { Repo, cbor } from "@automerge/automerge-repo"
import * as Automerge from "@automerge/automerge"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import WebSocket from "ws"
import readline from "node:readline"

// Library logging goes to stderr: stdout carries only replies.
console.log = console.info = console.debug = (...args) => console.error(...args)

// The stock adapter throws from its socket's error handler when a reconnect
// is refused (401 once a token is revoked; 503, a reset or a refused
// connection from a server shutting down while a test restarts it), and
// from a shutdown while its socket is still connecting (an offline client
// closed), which would end this process; a Node app using it has to catch
// that the same way. Anything else still ends the process.
process.on("uncaughtException", e => {
  if (/Unexpected server response: (40[13]|503)|socket hang up|ECONNRESET|ECONNREFUSED|closed before the connection was established/.test(String(e && (e.message + " " + e.code)))) {
    console.error("driver: reconnect refused:", e.message)
    return
  }
  console.error(e)
  process.exit(1)
})

const clients = new Map() // name -> { repo, adapter, handles: Map<url, handle>, ephemeral: [] }
const sleep = ms => new Promise(r => setTimeout(r, ms))

function client(name) {
  const c = clients.get(name)
  if (!c) throw new Error(`no client ${name}`)
  return c
}

async function handle(c, url) {
  let h = c.handles.get(url)
  if (!h) {
    h = await c.repo.find(url)
    track(c, url, h)
  }
  return h
}

function track(c, url, h) {
  c.handles.set(url, h)
  h.on("ephemeral-message", ({ message, senderId }) => c.ephemeral.push({ url, message, senderId }))
}

async function until(timeoutMs, f) {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await f()
    if (v) return v
    if (Date.now() > end) throw new Error("timed out")
    await sleep(20)
  }
}

const ops = {
  async open({ client: name, url, storage }) {
    const adapter = new WebSocketClientAdapter(url, 200)
    const repo = new Repo({
      network: [adapter],
      storage: storage ? new NodeFSStorageAdapter(storage) : undefined,
      sharePolicy: async () => true,
    })
    const errors = []
    // The stock adapter only logs the server's error messages; a test reads
    // them from here (what an app would show its user).
    const receive = adapter.receiveMessage.bind(adapter)
    adapter.receiveMessage = bytes => {
      try {
        const m = cbor.decode(new Uint8Array(bytes))
        if (m.type === "error") errors.push(m.message)
      } catch {}
      return receive(bytes)
    }
    clients.set(name, { repo, adapter, handles: new Map(), ephemeral: [], errors })
    return { peerId: repo.peerId }
  },
  // errors waits until the client has received at least count error
  // messages from the server and returns them.
  async errors({ client: name, count = 0, timeoutMs = 10000 }) {
    const c = client(name)
    await until(timeoutMs, () => c.errors.length >= count).catch(() => {})
    return { errors: c.errors }
  },
  // history is every change of the client's copy of a document: who made it
  // (its actor) and what it holds, so a test can look for an author.
  async history({ client: name, url }) {
    const h = await handle(client(name), url)
    const text = v => JSON.stringify(v, (_, x) => typeof x === "bigint" ? String(x) : x instanceof Uint8Array ? Buffer.from(x).toString("hex") : x)
    const changes = Automerge.getAllChanges(h.doc()).map(b => Automerge.decodeChange(b))
    return { self: Automerge.getActorId(h.doc()), changes: changes.map(c => ({ actor: c.actor, message: c.message ?? "", time: c.time, deps: c.deps.length, ops: text(c.ops) })) }
  },
  async create({ client: name, value }) {
    const c = client(name)
    const h = c.repo.create(value ?? {})
    track(c, h.url, h)
    return { url: h.url }
  },
  // find retries until the document is there: a find can race the creator's
  // first sync, and the repo answers unavailable until then.
  async find({ client: name, url, timeoutMs = 10000, once = false }) {
    const c = client(name)
    const end = Date.now() + timeoutMs
    for (;;) {
      try {
        const h = await c.repo.find(url, { signal: AbortSignal.timeout(Math.max(100, end - Date.now())) })
        track(c, url, h)
        return { ok: true, doc: h.doc() }
      } catch (e) {
        if (once || Date.now() > end) return { ok: false, error: String(e && e.message || e) }
        await sleep(100)
      }
    }
  },
  async edit({ client: name, url, key, count, prefix }) {
    const h = await handle(client(name), url)
    for (let i = 0; i < count; i++) {
      h.change(d => {
        if (!d[key]) d[key] = []
        d[key].push(`${prefix}-${i}`)
      })
      if (i % 10 === 9) await sleep(1)
    }
    return { length: h.doc()[key].length }
  },
  // splice edits collaborative text in place, as an editor does; the
  // library refuses it on a scalar string.
  async splice({ client: name, url, path, index, remove = 0, insert = "" }) {
    const h = await handle(client(name), url)
    h.change(d => { Automerge.splice(d, path, index, remove, insert) })
    return { doc: h.doc() }
  },
  // set assigns value at path (a list of keys) as an app does: a string
  // becomes collaborative text (JS Automerge 3's plain assignment).
  async set({ client: name, url, path, value }) {
    const h = await handle(client(name), url)
    h.change(d => {
      const parent = path.slice(0, -1).reduce((v, k) => v[k], d)
      parent[path[path.length - 1]] = value
    })
    return { doc: h.doc() }
  },
  // waitValue waits until the value at path (a list of keys) equals want.
  async waitValue({ client: name, url, path, want, timeoutMs = 20000 }) {
    const c = client(name)
    const h = await handle(c, url)
    const at = () => path.reduce((v, k) => v?.[k], h.doc())
    await until(timeoutMs, () => String(at()) === want).catch(e => {
      throw new Error(`${e.message}: ${name} has ${JSON.stringify(at())} at ${path.join(".")}, want ${JSON.stringify(want)}`)
    })
    return { doc: h.doc() }
  },
  async waitFor({ client: name, url, key, length, timeoutMs = 20000 }) {
    const c = client(name)
    const h = await handle(c, url)
    await until(timeoutMs, () => (h.doc()?.[key]?.length ?? 0) >= length).catch(e => {
      throw new Error(`${e.message}: ${name} (${c.repo.peerId}) has ${h.doc()?.[key]?.length ?? 0} of ${length}`)
    })
    return { doc: h.doc(), heads: h.heads() }
  },
  // doc is the client's copy of a board and how many presence messages of
  // that board it has received.
  async doc({ client: name, url }) {
    const c = client(name)
    const h = await handle(c, url)
    return { doc: h.doc(), heads: h.heads(), ephemeral: c.ephemeral.filter(e => e.url === url).length }
  },
  async broadcast({ client: name, url, message }) {
    const h = await handle(client(name), url)
    h.broadcast(message)
    return {}
  },
  async waitEphemeral({ client: name, url, count = 1, timeoutMs = 10000 }) {
    const c = client(name)
    await until(timeoutMs, () => c.ephemeral.filter(e => e.url === url).length >= count)
    return { messages: c.ephemeral.filter(e => e.url === url) }
  },
  async close({ client: name }) {
    const c = client(name)
    await c.repo.shutdown()
    clients.delete(name)
    return {}
  },
  // raw speaks the wire protocol directly with a plain WebSocket, to send what
  // no well-behaved repo would: each data blob as a sync message.
  async raw({ url, documentId, blobs, timeoutMs = 10000 }) {
    const ws = new WebSocket(url)
    ws.binaryType = "arraybuffer"
    const got = []
    let closed = null
    const opened = new Promise((res, rej) => { ws.on("open", res); ws.on("error", rej) })
    ws.on("message", b => got.push(cbor.decode(new Uint8Array(b))))
    ws.on("close", code => { closed = code })
    await opened
    const senderId = "raw-" + Math.random().toString(36).slice(2)
    ws.send(cbor.encode({ type: "join", senderId, peerMetadata: { isEphemeral: true }, supportedProtocolVersions: ["1"] }))
    await until(timeoutMs, () => got.some(m => m.type === "peer"))
    const targetId = got.find(m => m.type === "peer").senderId
    for (const b64 of blobs) {
      if (closed !== null) break
      ws.send(cbor.encode({ type: "sync", senderId, targetId, documentId, data: new Uint8Array(Buffer.from(b64, "base64")) }))
    }
    // Refused input closes the socket; a refused board only answers doc-unavailable.
    await until(timeoutMs, () => closed !== null || got.some(m => m.type === "doc-unavailable")).catch(() => {})
    ws.close()
    return { closed, types: got.map(m => m.type), errors: got.filter(m => m.type === "error").map(m => m.message) }
  },
}

const rl = readline.createInterface({ input: process.stdin })
for await (const line of rl) {
  if (!line.trim()) continue
  const cmd = JSON.parse(line)
  let reply
  try {
    reply = { ok: true, ...(await ops[cmd.op](cmd)) }
  } catch (e) {
    reply = { ok: false, error: String(e && e.stack || e) }
  }
  process.stdout.write(JSON.stringify(reply) + "\n")
}
for (const c of clients.values()) await c.repo.shutdown()
process.exit(0)
