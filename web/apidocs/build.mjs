// Builds dist/: our page and initialiser (src/) beside Swagger UI's prebuilt
// bundle, stylesheet and licence files from swagger-ui-dist. No bundler: the
// package ships a browser build, and copying it keeps dist byte-for-byte the
// same for the same package-lock.json (the Go tests rebuild and compare).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, 'dist');
const ui = join(here, 'node_modules', 'swagger-ui-dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of readdirSync(join(here, 'src'))) copyFileSync(join(here, 'src', f), join(out, f));
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-bundle.js.LICENSE.txt', 'LICENSE', 'NOTICE']) {
  copyFileSync(join(ui, f), join(out, f));
}
