import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';
import preact from '@preact/preset-vite';

const swEntry = 'sw';
const swFile = 'sw.js';

/**
 * Finishes the service worker (src/sw/sw.ts, built as dist/sw.js at the
 * root so its scope is the whole app): writes into it the list of this
 * build's files and a version made of their contents. A build that changes
 * nothing keeps its version; one that changes anything is a new cache.
 */
function hindsightServiceWorker(): Plugin {
  return {
    name: 'hindsight-service-worker',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_opts, bundle) {
        const sw = bundle[swFile];
        if (!sw || sw.type !== 'chunk') return this.error(`the build has no ${swFile}`);
        const files = new Map<string, string | Uint8Array>();
        for (const [name, out] of Object.entries(bundle)) {
          if (name !== swFile) files.set(name, out.type === 'chunk' ? out.code : out.source);
        }
        const pub = resolve(__dirname, 'public');
        for (const name of readdirSync(pub)) files.set(name, readFileSync(resolve(pub, name)));
        const names = [...files.keys()].sort();
        const h = createHash('sha256');
        for (const n of names) h.update(n).update('\0').update(files.get(n)!).update('\0');
        const version = h.digest('hex').slice(0, 16);
        const before = sw.code;
        sw.code = sw.code
          .replaceAll('__HINDSIGHT_SHELL_FILES__', JSON.stringify(names.map((n) => '/' + n)))
          .replaceAll('__HINDSIGHT_SHELL_VERSION__', JSON.stringify(version));
        if (sw.code === before || sw.code.includes('__HINDSIGHT_SHELL_')) this.error(`${swFile}: the placeholders were not all replaced`);
      },
    },
  };
}

// The build is committed (web/dist) and embedded in the binary, and CI
// rebuilds it and fails on any difference, so it must be deterministic:
// content-hashed names, no build time or absolute path in the output.
export default defineConfig({
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false, prerender: { enabled: false } }), hindsightServiceWorker()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Strict CSP: no inline scripts or styles, no data: URLs for assets.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    rolldownOptions: {
      input: { index: resolve(__dirname, 'index.html'), [swEntry]: resolve(__dirname, 'src/sw/sw.ts') },
      output: {
        entryFileNames: (chunk) => (chunk.name === swEntry ? swFile : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    // `npm run dev` talks to a `hindsight serve` on :8080, or at HINDSIGHT_URL.
    proxy: { '/v1': { target: process.env.HINDSIGHT_URL ?? 'http://localhost:8080', ws: true } },
  },
  test: {
    environment: 'happy-dom',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
  },
});
