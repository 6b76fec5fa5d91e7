import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, Client } from '../src/api/client';
import { Outbox } from '../src/live/outbox';

/** A server that remembers which Idempotency-Keys it acted on. */
class FakeServer {
  online = true;
  acted: { key: string; path: string; body: unknown }[] = [];
  refuse = new Set<string>();
  fetch = (async (url: string, init: RequestInit) => {
    if (!this.online) throw new TypeError('Failed to fetch');
    const key = (init.headers as Record<string, string>)['Idempotency-Key']!;
    if (this.refuse.has(url)) {
      return new Response(JSON.stringify({ type: 'https://hindsight.dev/problems/conflict', code: 'retro-closed' }), { status: 409 });
    }
    if (!this.acted.some((a) => a.key === key)) this.acted.push({ key, path: url, body: JSON.parse(init.body as string) });
    return new Response(JSON.stringify({ streamVersion: this.acted.length, position: this.acted.length }), { status: 200 });
  }) as unknown as typeof fetch;
}

function outbox(server: FakeServer, storage: Storage, refused: unknown[] = []) {
  const ob = new Outbox({ client: new Client({ fetch: server.fetch, cookies: () => '' }), storage, onRefused: (_p, e) => refused.push(e) });
  ob.setUser('u1');
  return ob;
}

describe('Outbox', () => {
  let storage: Storage;
  beforeEach(() => {
    localStorage.clear();
    storage = localStorage;
  });

  it('sends a command at once when online, with an Idempotency-Key', async () => {
    const server = new FakeServer();
    const out = await outbox(server, storage).submit('POST', '/v1/retros/r/cards', { columnId: 'a', text: 'hi' });
    expect(out.sent).toBe(true);
    expect(server.acted).toHaveLength(1);
    expect(server.acted[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(storage.getItem('hindsight.outbox')).toBeNull();
  });

  it('keeps commands made offline across a reload and sends each exactly once, in order', async () => {
    const server = new FakeServer();
    server.online = false;
    const first = outbox(server, storage);
    expect(await first.submit('POST', '/v1/retros/r/cards', { text: 'one' })).toEqual({ sent: false });
    expect(await first.submit('POST', '/v1/retros/r/votes', { topicId: 't' })).toEqual({ sent: false });
    expect(first.pending()).toHaveLength(2);

    // The page reloads: a new outbox on the same storage.
    const second = outbox(server, storage);
    expect(second.pending().map((p) => p.path)).toEqual(['/v1/retros/r/cards', '/v1/retros/r/votes']);
    server.online = true;
    await Promise.all([second.flush(), second.flush()]);
    await second.flush();
    expect(server.acted.map((a) => a.body)).toEqual([{ text: 'one' }, { topicId: 't' }]);
    expect(second.pending()).toHaveLength(0);
  });

  it('resends with the same key when the answer was lost, so the server acts once', async () => {
    const server = new FakeServer();
    const inner = server.fetch;
    let drop = true;
    // The server acts, but the answer never arrives.
    server.fetch = (async (url: string, init: RequestInit) => {
      await inner(url, init);
      if (drop) {
        drop = false;
        throw new TypeError('connection reset');
      }
      return inner(url, init);
    }) as unknown as typeof fetch;
    const ob = outbox(server, storage);
    expect(await ob.submit('POST', '/v1/retros/r/cards', { text: 'once' })).toEqual({ sent: false });
    await ob.flush();
    expect(server.acted).toHaveLength(1);
    expect(ob.pending()).toHaveLength(0);
  });

  it('drops a command the server refuses and says why; later ones still go', async () => {
    const server = new FakeServer();
    server.online = false;
    const refused: unknown[] = [];
    const ob = outbox(server, storage, refused);
    void ob.submit('POST', '/v1/retros/closed/cards', { text: 'late' }).catch(() => {});
    await ob.submit('POST', '/v1/retros/r/cards', { text: 'fine' });
    await ob.flush();
    server.online = true;
    server.refuse.add('/v1/retros/closed/cards');
    const reloaded = outbox(server, storage, refused);
    await reloaded.flush();
    expect(server.acted.map((a) => a.body)).toEqual([{ text: 'fine' }]);
    expect(refused).toHaveLength(1);
    expect((refused[0] as ApiError).problem.code).toBe('retro-closed');
  });

  it('sends only the signed-in person’s commands and forgets them at log-out', async () => {
    const server = new FakeServer();
    server.online = false;
    const ob = outbox(server, storage);
    await ob.submit('POST', '/v1/retros/r/cards', { text: 'u1 card' });
    ob.setUser('u2');
    server.online = true;
    await ob.flush();
    expect(server.acted).toHaveLength(0);
    ob.setUser('u1');
    ob.clear();
    expect(storage.getItem('hindsight.outbox')).toBeNull();
  });
});
