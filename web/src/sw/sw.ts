// The service worker: keeps the app shell (index.html and the hashed
// assets of this build) so a page can be reloaded with no network at all.
// It never touches the API: /v1 requests (the view, commands, the live
// feed) go to the network as if it were not there; the app keeps what it
// needs offline itself (its last view, the outbox).
//
// The build (vite.config.ts, hindsightServiceWorker) replaces the two
// placeholders below with this build's file list and a version derived
// from those files' contents: a new build is a new cache, and the old
// ones are deleted once it is active, so a deploy never serves stale
// assets for ever.
export {}; // a module: the declarations below are its own, not the global scope's
declare const self: ServiceWorkerGlobalScope;
declare const __HINDSIGHT_SHELL_FILES__: string[];
declare const __HINDSIGHT_SHELL_VERSION__: string;

const prefix = 'hindsight-shell-';
const cacheName = prefix + __HINDSIGHT_SHELL_VERSION__;
const shell = __HINDSIGHT_SHELL_FILES__;
const index = '/index.html';

/** Paths that belong to the server, never to the app (api.serverPaths). */
const serverPaths = ['/v1', '/healthz', '/readyz', '/metrics'];

self.addEventListener('install', (ev) => {
  ev.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // cache: 'reload' so the HTTP cache cannot hand an older index.html.
      await cache.addAll(shell.map((p) => new Request(p, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(prefix) && name !== cacheName) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (serverPaths.some((p) => url.pathname === p || url.pathname.startsWith(p + '/'))) return;
  if (req.mode === 'navigate') {
    ev.respondWith(page(req));
    return;
  }
  if (shell.includes(url.pathname)) ev.respondWith(fromCache(req));
});

/**
 * A page: from the network while there is one (the server routes every
 * app path to index.html, and a new release shows at once), else this
 * build's index.html.
 */
async function page(req: Request): Promise<Response> {
  try {
    return await fetch(req);
  } catch (err) {
    const cached = await caches.match(index, { cacheName });
    if (cached) return cached;
    throw err;
  }
}

/** A file of the build: its name never changes its bytes, so the cache answers. */
async function fromCache(req: Request): Promise<Response> {
  const cached = await caches.match(req, { cacheName });
  return cached ?? fetch(req);
}
