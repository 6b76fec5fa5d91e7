import { describe, expect, it } from 'vitest';
import { ApiError, Client, NetworkError, readCookie } from '../src/api/client';
import { describeError } from '../src/api/problem';
import { newUUID } from '../src/api/ids';
import { translator } from '../src/i18n';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function fakeFetch(status: number, body: unknown, seen: Seen[], contentType = 'application/json'): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.push({ method: init.method!, url, headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': contentType } });
  }) as unknown as typeof fetch;
}

describe('Client', () => {
  it('sends the CSRF cookie as X-CSRF-Token on unsafe requests only', async () => {
    const seen: Seen[] = [];
    const c = new Client({ fetch: fakeFetch(200, { ok: 1 }, seen), cookies: () => 'a=b; hindsight_csrf=tok%2B1; c=d' });
    await c.get('/v1/me');
    await c.request('POST', '/v1/workspaces', { name: 'x' }, { idempotencyKey: 'k1' });
    expect(seen[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(seen[1]!.headers['X-CSRF-Token']).toBe('tok+1');
    expect(seen[1]!.headers['Idempotency-Key']).toBe('k1');
    expect(seen[1]!.body).toBe('{"name":"x"}');
  });

  it('asks for a cookie session when logging in', async () => {
    const seen: Seen[] = [];
    const c = new Client({ fetch: fakeFetch(200, {}, seen), cookies: () => '' });
    await c.request('POST', '/v1/sessions', { email: 'a@b', password: 'p' }, { cookieSession: true });
    expect(seen[0]!.headers['X-Session-Mode']).toBe('cookie');
  });

  it('turns a problem+json answer into an ApiError with its kind and code', async () => {
    const c = new Client({
      fetch: fakeFetch(409, { type: 'https://hindsight.dev/problems/conflict', title: 'Conflict', status: 409, code: 'vote-budget-exhausted', detail: 'no votes left' }, [], 'application/problem+json'),
      cookies: () => '',
    });
    const err = await c.request('POST', '/v1/retros/r/votes', { topicId: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe('conflict');
    expect((err as ApiError).problem.code).toBe('vote-budget-exhausted');
  });

  it('reports an unreachable server as a NetworkError', async () => {
    const c = new Client({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch, cookies: () => '' });
    await expect(c.get('/v1/me')).rejects.toBeInstanceOf(NetworkError);
  });

  it('reads cookies by exact name', () => {
    expect(readCookie('xhindsight_csrf=1; hindsight_csrf=2', 'hindsight_csrf')).toBe('2');
    expect(readCookie('', 'hindsight_csrf')).toBeUndefined();
  });
});

describe('describeError', () => {
  const en = translator('en');
  const de = translator('de');
  const problem = (p: object, status = 409) => new ApiError(status, { type: 'https://hindsight.dev/problems/conflict', ...p });

  it('says what a quick retro’s refusals mean and what to do, in English and German, never the server’s English detail', () => {
    const unclaimed = new ApiError(403, { type: 'https://hindsight.dev/problems/forbidden', code: 'quick-retro-unclaimed', detail: 'claim the quick retro first' });
    expect(describeError(unclaimed, en)).toMatch(/sign up or log in to keep it/);
    expect(describeError(unclaimed, de)).toMatch(/Registriere dich oder melde dich an/);
    const expired = new ApiError(404, { type: 'https://hindsight.dev/problems/not-found', code: 'quick-retro-expired', detail: 'this quick retro has expired' });
    expect(describeError(expired, en)).toMatch(/ended.*erased/);
    expect(describeError(expired, de)).toMatch(/abgelaufen.*gelöscht/);
    for (const e of [unclaimed, expired]) expect(describeError(e, de)).not.toContain(e.problem.detail);
  });

  it('says a known code in the person’s language', () => {
    expect(describeError(problem({ code: 'vote-budget-exhausted' }), en)).toBe('You have no votes left.');
    expect(describeError(problem({ code: 'vote-budget-exhausted' }), de)).toBe('Du hast keine Stimmen mehr.');
  });

  it('falls back to the problem type, never to raw JSON', () => {
    const text = describeError(new ApiError(403, { type: 'https://hindsight.dev/problems/forbidden', code: 'some-new-code', detail: '{"x":1}' }), de);
    expect(text).toBe('Das darfst du nicht.');
    expect(describeError(new NetworkError('x'), en)).toBe('No connection to the server.');
    expect(describeError(new Error('{"type":"x"}'), en)).toBe('Something went wrong.');
  });

  it('lists the fields a validation problem names', () => {
    const e = new ApiError(400, { type: 'https://hindsight.dev/problems/validation', errors: [{ field: 'title', message: 'required' }] });
    expect(describeError(e, en)).toBe('Some input was not accepted: title: required');
  });
});

describe('newUUID', () => {
  it('makes version 4 UUIDs without crypto.randomUUID (plain-http pages have none)', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newUUID()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
