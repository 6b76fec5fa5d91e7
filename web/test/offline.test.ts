import { describe, expect, it } from 'vitest';
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
