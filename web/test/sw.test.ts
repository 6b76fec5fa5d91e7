import { beforeAll, describe, expect, it, vi } from 'vitest';

// The service worker (src/sw/sw.ts) against fakes of its scope: the Cache
// Storage, fetch and the events the browser sends it.

type Handler = (ev: unknown) => void;
const handlers = new Map<string, Handler>();
const stores = new Map<string, Map<string, Response>>();
const network = { up: true, fetched: [] as string[] };

const path = (r: Request | string) => new URL(typeof r === 'string' ? r : r.url, 'https://retro.example').pathname;

const fakeCaches = {
  open: async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      addAll: async (reqs: Request[]) => {
        for (const r of reqs) store.set(path(r), await fakeFetch(r));
      },
    };
  },
  keys: async () => [...stores.keys()],
  delete: async (name: string) => stores.delete(name),
  match: async (r: Request | string, o?: { cacheName?: string }) => {
    const names = o?.cacheName ? [o.cacheName] : [...stores.keys()];
    for (const n of names) {
      const hit = stores.get(n)?.get(path(r));
      if (hit) return hit.clone();
    }
    return undefined;
  },
};

async function fakeFetch(r: Request | string): Promise<Response> {
  network.fetched.push(path(r));
  if (!network.up) throw new TypeError('Failed to fetch');
  return new Response(`network ${path(r)}`);
}

/** Sends an event with waitUntil/respondWith; resolves with what the worker answered, if it did. */
async function dispatch(type: string, init: Record<string, unknown> = {}): Promise<Response | undefined> {
  let waited: Promise<unknown> | undefined;
  let answer: Promise<Response> | undefined;
  handlers.get(type)!({ ...init, waitUntil: (p: Promise<unknown>) => (waited = p), respondWith: (p: Promise<Response>) => (answer = p) });
  await waited;
  return answer ? await answer : undefined;
}

const navigate = (p: string) => dispatch('fetch', { request: { method: 'GET', url: `https://retro.example${p}`, mode: 'navigate' } });
const get = (p: string) => dispatch('fetch', { request: new Request(`https://retro.example${p}`) });

beforeAll(async () => {
  vi.stubGlobal('__HINDSIGHT_SHELL_FILES__', ['/assets/index-abc.js', '/assets/index-def.css', '/favicon.svg', '/index.html']);
  vi.stubGlobal('__HINDSIGHT_SHELL_VERSION__', 'v2');
  vi.stubGlobal('caches', fakeCaches);
  vi.stubGlobal('fetch', fakeFetch);
  vi.stubGlobal('self', {
    location: { origin: 'https://retro.example' },
    addEventListener: (t: string, h: Handler) => handlers.set(t, h),
    skipWaiting: async () => {},
    clients: { claim: async () => {} },
  });
  // The last build's cache and another app's cache on the same origin.
  stores.set('hindsight-shell-v1', new Map([['/assets/index-old.js', new Response('old')]]));
  stores.set('someone-else', new Map());
  // By a name the type check does not follow: the worker is checked with
  // the WebWorker library (tsconfig.sw.json), this test with the DOM's.
  const worker = '../src/sw/sw';
  await import(/* @vite-ignore */ worker);
});

describe('the service worker', () => {
  it('keeps every file of its build when installed, and drops the older builds’ caches when active', async () => {
    await dispatch('install');
    expect([...stores.get('hindsight-shell-v2')!.keys()].sort()).toEqual(['/assets/index-abc.js', '/assets/index-def.css', '/favicon.svg', '/index.html']);
    await dispatch('activate');
    expect([...stores.keys()].sort()).toEqual(['hindsight-shell-v2', 'someone-else']);
  });

  it('serves a page from the network while there is one, else its build’s index.html', async () => {
    network.up = true;
    expect(await (await navigate('/retros/r1'))!.text()).toBe('network /retros/r1');
    network.up = false;
    expect(await (await navigate('/retros/r1'))!.text()).toBe('network /index.html');
  });

  it('serves the build’s files from its cache, with no network', async () => {
    network.up = false;
    network.fetched = [];
    expect(await (await get('/assets/index-abc.js'))!.text()).toBe('network /assets/index-abc.js');
    expect(network.fetched).toEqual([]);
  });

  it('leaves the API, other builds’ files and writes to the network', async () => {
    expect(await get('/v1/retros/r1')).toBeUndefined();
    expect(await dispatch('fetch', { request: { method: 'GET', url: 'https://retro.example/v1/me', mode: 'navigate' } })).toBeUndefined();
    expect(await get('/assets/index-old.js')).toBeUndefined();
    expect(await dispatch('fetch', { request: new Request('https://retro.example/index.html', { method: 'POST' }) })).toBeUndefined();
    expect(await dispatch('fetch', { request: new Request('https://elsewhere.example/assets/index-abc.js') })).toBeUndefined();
  });
});
