import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// The build is committed (web/dist) and embedded in the binary, and CI
// rebuilds it and fails on any difference, so it must be deterministic:
// content-hashed names, no build time or absolute path in the output.
export default defineConfig({
  plugins: [preact({ prefreshEnabled: false, devToolsEnabled: false, prerender: { enabled: false } })],
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
