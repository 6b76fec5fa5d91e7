// Bundles browser-entry.js, opens it in headless Chromium (Debian's package,
// driven by playwright-core) from the Go test's server, edits the board given
// on the command line, waits until the page holds `want` notes, prints the
// page's document, and keeps the page open until stdin closes.
// Usage: node browser.mjs <base http URL> <token> <automerge URL> <edits> <want>
import { build } from "esbuild"
import { chromium } from "playwright-core"
import { mkdirSync, writeFileSync } from "node:fs"

const [base, token, docUrl, edits, want] = process.argv.slice(2)
mkdirSync("dist", { recursive: true })
await build({
  entryPoints: ["browser-entry.js"], bundle: true, format: "esm", outfile: "dist/board.js",
  platform: "browser", logLevel: "error",
})
writeFileSync("dist/index.html", '<!doctype html><meta charset="utf-8"><title>board</title><script type="module" src="board.js"></script>')

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] })
try {
  const page = await browser.newPage()
  page.on("console", m => console.error("page:", m.text()))
  await page.goto(`${base}/browser/index.html`)
  await page.waitForFunction(() => typeof window.runBoard === "function")
  const syncUrl = base.replace(/^http/, "ws") + "/v1/sync?token=" + token
  await page.evaluate(args => window.runBoard(args), { syncUrl, docUrl, edits: Number(edits) })
  await page.waitForFunction(n => (window.boardDoc().notes || []).length >= n, Number(want), { timeout: 20000 })
  process.stdout.write(JSON.stringify(await page.evaluate(() => window.boardDoc())) + "\n")
  // Keep the page (and its unsent edits) alive until the test has seen them
  // arrive elsewhere and closes our stdin.
  process.stdin.resume()
  await new Promise(r => process.stdin.on("end", r))
} finally {
  await browser.close()
}
