import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { RetroView } from '../src/api/types';
import { I18n, translator } from '../src/i18n';
import { applyPatch, PatchError, type PatchOp } from '../src/live/patch';
import { Board } from '../src/retro/Board';
import type { RetroState } from '../src/retro/useRetro';
// Written by the server's own feed (go test ./api/live -run
// TestWriteWebPatchFixture): a retro played through the hub as two
// viewers follow it with ?changes=patch, and the view REST's time travel
// gives at each position.
import fixture from './testdata/live-patches.json';

interface Step {
  message: { type: 'snapshot' | 'change'; position: number; view?: RetroView; patch?: PatchOp[] };
  view: RetroView;
}
const runs = fixture as unknown as { viewer: string; steps: Step[] }[];

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

const retro = (): RetroState => ({
  view: null, presence: { here: [], typingCount: 0 }, conn: 'live', transport: 'ws',
  send: async () => null, typing: () => {}, names: new Map(), pending: [], stale: false,
});

function board(v: RetroView, into: HTMLElement = document.createElement('div')): HTMLElement {
  render(
    <I18n.Provider value={translator('en')}>
      <Board view={v} retro={retro()} writable />
    </I18n.Provider>,
    into,
  );
  return into;
}

describe('the live feed’s patches', () => {
  it('covers adds, removes in the middle of lists, reorders and nested changes', () => {
    const ops = runs.flatMap((r) => r.steps.flatMap((s) => s.message.patch ?? []));
    expect(new Set(ops.map((o) => o.op))).toEqual(new Set(['add', 'remove', 'replace']));
    expect(ops.some((o) => o.op === 'remove' && /^\/topics\/0$/.test(o.path))).toBe(true); // head of a list
    expect(ops.some((o) => o.op === 'replace' && o.path.startsWith('/agenda/'))).toBe(true); // steps reordered
    expect(ops.some((o) => o.path.startsWith('/voting/yourVotes/'))).toBe(true); // map keys
  });

  for (const run of runs) {
    it(`rebuild ${run.viewer}’s view at every position from the snapshot, without changing the views they patch`, () => {
      let held: RetroView | null = null;
      for (const step of run.steps) {
        if (step.message.type === 'snapshot') held = deepFreeze(step.message.view!);
        else held = deepFreeze(applyPatch(held!, step.message.patch!));
        expect(held, `${run.viewer} at ${step.message.position}`).toEqual(step.view);
      }
    });

    it(`render ${run.viewer}’s board from the patched view exactly as from the view itself`, () => {
      let held: RetroView | null = null;
      const live = document.createElement('div');
      for (const step of run.steps) {
        held = step.message.type === 'snapshot' ? step.message.view! : applyPatch(held!, step.message.patch!);
        // One element re-rendered change after change, as the page does.
        board(held, live);
        expect(live.innerHTML, `${run.viewer} at ${step.message.position}`).toBe(board(step.view).innerHTML);
      }
    });
  }

  it('shares whatever a patch does not touch with the view before it', () => {
    const before = deepFreeze(runs[0]!.steps[0]!.message.view!);
    const after = applyPatch(before, [{ op: 'add', path: '/columns/1/cards/0', value: { id: 'n', columnId: 'x', votes: 0 } }]);
    expect(after.columns![1]!.cards).toHaveLength((before.columns![1]!.cards ?? []).length + 1);
    expect(after.columns![0]).toBe(before.columns![0]);
    expect(after.agenda).toBe(before.agenda);
    expect(after.columns![1]).not.toBe(before.columns![1]);
  });

  it('refuses a patch that does not fit, leaving the view as it was', () => {
    const before = deepFreeze({ cards: [{ id: 'a' }], title: 't' });
    expect(() => applyPatch(before, [{ op: 'remove', path: '/cards/1' }])).toThrow(PatchError);
    expect(() => applyPatch(before, [{ op: 'replace', path: '/nothing', value: 1 }])).toThrow(PatchError);
    expect(() => applyPatch(before, [{ op: 'add', path: '/title/x', value: 1 }])).toThrow(PatchError);
    expect(() => applyPatch(before, [{ op: 'move', path: '/title' } as unknown as PatchOp])).toThrow(PatchError);
    expect(before).toEqual({ cards: [{ id: 'a' }], title: 't' });
  });

  it('keeps a key named __proto__ as data', () => {
    const out = applyPatch({ votes: {} as Record<string, number> }, [{ op: 'add', path: '/votes/__proto__', value: 2 }]);
    expect(Object.getPrototypeOf(out.votes)).toBe(Object.prototype);
    expect(Object.hasOwn(out.votes, '__proto__')).toBe(true);
  });

  it('re-renders only the column and card a change touched, not the whole board', () => {
    const base = translator('en');
    let calls = 0;
    const counting = { ...base, t: ((...a: Parameters<typeof base.t>) => (calls++, base.t(...a))) as typeof base.t };
    const cards = (col: string) =>
      Array.from({ length: 100 }, (_, i) => ({ id: `${col}${i}`, columnId: col, text: `card ${i}`, votes: 1, mine: i % 2 === 0 }));
    let v = deepFreeze({
      ...runs[0]!.steps[0]!.message.view!,
      columns: [
        { id: 'keep', title: 'Keep', revealed: true, cards: cards('keep') },
        { id: 'stop', title: 'Stop', revealed: true, cards: cards('stop') },
      ],
    } as RetroView);
    const el = document.createElement('div');
    const draw = () =>
      render(
        <I18n.Provider value={counting}>
          <Board view={v} retro={stable} writable />
        </I18n.Provider>,
        el,
      );
    const stable = retro();
    draw();
    const whole = calls;
    calls = 0;
    v = applyPatch(v, [{ op: 'add', path: '/columns/1/cards/100', value: { id: 'new', columnId: 'stop', text: 'the new one', votes: 0 } }]);
    draw();
    expect(el.textContent).toContain('the new one');
    expect(whole).toBeGreaterThan(400);
    expect(calls).toBeLessThan(whole / 20);
  });
});
