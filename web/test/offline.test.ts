import { describe, expect, it, vi } from 'vitest';
import type { RetroView } from '../src/api/types';
import { OfflineStore } from '../src/live/offline';

const view = (retroId: string) => ({ retroId, title: `Retro ${retroId}` }) as unknown as RetroView;

describe('the offline store', () => {
  it('gives a person back their own last view of a retro, and nobody else', () => {
    localStorage.clear();
    const s = new OfflineStore(localStorage);
    s.keepRetro('ann', view('r1'), new Map([['bob', 'Bob']]));
    expect(s.retro('ann', 'r1')?.view.title).toBe('Retro r1');
    expect(s.retro('ann', 'r1')?.names).toEqual({ bob: 'Bob' });
    expect(s.retro('bob', 'r1')).toBeNull();
    expect(s.retro('ann', 'r2')).toBeNull();
  });

  it('keeps the five retros seen last and forgets older ones', () => {
    localStorage.clear();
    const s = new OfflineStore(localStorage);
    for (let i = 1; i <= 7; i++) s.keepRetro('ann', view(`r${i}`), new Map());
    const kept = Array.from({ length: 7 }, (_, i) => s.retro('ann', `r${i + 1}`) !== null);
    expect(kept.filter(Boolean)).toHaveLength(5);
    expect(s.retro('ann', 'r7')).not.toBeNull();
  });

  it('forgets the retro seen longest ago when a sixth is kept, however storage orders them', () => {
    localStorage.clear();
    const s = new OfflineStore(localStorage);
    let now = 1_000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      for (const r of ['r1', 'r2', 'r3', 'r4', 'r5', 'r1']) {
        now += 1_000;
        s.keepRetro('ann', view(r), new Map());
      }
      now += 1_000;
      s.keepRetro('ann', view('r6'), new Map());
    } finally {
      clock.mockRestore();
    }
    expect(s.retro('ann', 'r2')).toBeNull();
    for (const r of ['r1', 'r3', 'r4', 'r5', 'r6']) expect(s.retro('ann', r)).not.toBeNull();
  });

  it('forgets who was signed in and every view on log-out, and leaves the rest of storage alone', () => {
    localStorage.clear();
    localStorage.setItem('hindsight.lang', 'de');
    const s = new OfflineStore(localStorage);
    s.setMe({ userId: 'ann', name: 'Ann' });
    s.keepRetro('ann', view('r1'), new Map());
    s.clear();
    expect(s.me()).toBeNull();
    expect(s.retro('ann', 'r1')).toBeNull();
    expect(localStorage.getItem('hindsight.lang')).toBe('de');
  });
});
