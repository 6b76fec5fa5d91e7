import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { RetroView } from '../src/api/types';
import { I18n, translator } from '../src/i18n';
import { Board } from '../src/retro/Board';
import { neighbours } from '../src/retro/StepNav';
import type { RetroState } from '../src/retro/useRetro';

function view(over: Partial<RetroView> = {}): RetroView {
  return {
    retroId: 'r', teamId: 't', title: 'Sprint', moderator: 'mod',
    you: { userId: 'me', participant: true, moderator: false },
    anonymous: true, locked: false, closed: false,
    agenda: [
      { id: 'lobby', kind: 'lobby' },
      { id: 'icebreaker', kind: 'icebreaker', skipped: true },
      { id: 'collect', kind: 'collect' },
      { id: 'vote', kind: 'vote' },
    ],
    currentStep: 'lobby', participants: [{ userId: 'me', role: 'member' }], actionReview: [],
    columns: [
      {
        id: 'start', title: 'Start', revealed: false,
        cards: [
          { id: 'c1', columnId: 'start', text: 'my own words', concealed: true, mine: true, votes: 0 },
          { id: 'c2', columnId: 'start', concealed: true, votes: 0 },
          { id: 'c3', columnId: 'start', concealed: true, votes: 0 },
        ],
      },
    ],
    groups: [], topics: [], actions: [], roti: { closed: false, ratings: 0, participants: 1 },
    ...over,
  };
}

const retro = (): RetroState => ({
  view: null, presence: { here: [], typingCount: 2 }, conn: 'live', transport: 'ws',
  send: async () => null, typing: () => {}, names: new Map(),
});

function show(v: RetroView, lang: 'en' | 'de' = 'en'): HTMLElement {
  const el = document.createElement('div');
  render(
    <I18n.Provider value={translator(lang)}>
      <Board view={v} retro={retro()} writable />
    </I18n.Provider>,
    el,
  );
  return el;
}

describe('the board', () => {
  it('shows my concealed card with its text and others’ as a counted placeholder', () => {
    const el = show(view());
    expect(el.textContent).toContain('my own words');
    expect(el.querySelectorAll('.placeholder')).toHaveLength(2);
    expect(el.querySelector('[aria-label="2 hidden cards"]')).not.toBeNull();
    expect(el.querySelectorAll('.card-item.mine button')).toHaveLength(2); // edit, delete
  });

  it('offers the reveal to the moderator only', () => {
    expect(show(view()).querySelector('[aria-label="Reveal column Start"]')).toBeNull();
    const mod = show(view({ you: { userId: 'me', participant: true, moderator: true } }));
    expect(mod.querySelector('[aria-label="Reveal column Start"]')).not.toBeNull();
  });

  it('says how many are typing, never who', () => {
    const el = show(view(), 'de');
    expect(el.querySelector('.typing')?.textContent).toBe('2 Personen schreiben');
  });

  it('has a labelled field to write a card in each column', () => {
    const el = show(view());
    const ta = el.querySelector('textarea')!;
    expect(el.querySelector(`label[for="${ta.id}"]`)?.textContent).toBe('Card text for Start');
  });
});

describe('step navigation', () => {
  it('moves past skipped steps', () => {
    expect(neighbours(view())).toEqual({ prev: undefined, next: 'collect' });
    expect(neighbours(view({ currentStep: 'collect' }))).toEqual({ prev: 'lobby', next: 'vote' });
    expect(neighbours(view({ currentStep: 'vote' }))).toEqual({ prev: 'collect', next: undefined });
  });
});
