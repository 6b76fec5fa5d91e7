import { beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../src/api/client';
import { claimQuickRetro } from '../src/pages/QuickRetro';

function answering(status: number, seen: string[]): Client {
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push(`${init.method} ${url} ${String(init.body ?? '')}`);
    const body = status === 200 ? { retroId: 'r' } : { type: 'https://hindsight.dev/problems/x', title: 'x', status };
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status === 200 ? 'application/json' : 'application/problem+json' } });
  }) as unknown as typeof globalThis.fetch;
  return new Client({ fetch, cookies: () => 'hindsight_csrf=c' });
}

describe('claiming a quick retro after logging in', () => {
  beforeEach(() => localStorage.clear());

  it('sends the claim token this browser kept and forgets it once claimed', async () => {
    localStorage.setItem('hindsight.quickRetroClaim', 'q-1.mac');
    const seen: string[] = [];
    await claimQuickRetro(answering(200, seen));
    expect(seen).toEqual(['POST /v1/quick-retros/claim {"claimToken":"q-1.mac"}']);
    expect(localStorage.getItem('hindsight.quickRetroClaim')).toBeNull();
  });

  it('forgets an expired or already claimed one, and keeps it when the server could not answer', async () => {
    for (const [status, kept] of [[404, false], [409, false], [503, true]] as const) {
      localStorage.setItem('hindsight.quickRetroClaim', 'q-1.mac');
      await claimQuickRetro(answering(status, []));
      expect(localStorage.getItem('hindsight.quickRetroClaim') !== null).toBe(kept);
    }
  });

  it('sends nothing when this browser started no quick retro', async () => {
    const seen: string[] = [];
    await claimQuickRetro(answering(200, seen));
    expect(seen).toEqual([]);
  });
});
