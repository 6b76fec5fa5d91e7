import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { RetroView } from '../src/api/types';
import { I18n, translator } from '../src/i18n';
import { Board } from '../src/retro/Board';
import { Roti } from '../src/retro/Roti';
import { ConnectionState, Lobby } from '../src/retro/RetroPage';
import type * as preact from 'preact';
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
  send: async () => null, typing: () => {}, names: new Map(), pending: [], stale: false,
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

  it('shows my cards still waiting in the outbox in their column, once, until the server has them', () => {
    const pending = [{ key: 'k1', method: 'POST', path: '/v1/retros/r/cards', body: { columnId: 'start', text: 'written offline' }, user: 'me' }];
    const waitingFor = (v: RetroView) => {
      const el = document.createElement('div');
      render(
        <I18n.Provider value={translator('en')}>
          <Board view={v} retro={{ ...retro(), pending }} writable />
        </I18n.Provider>,
        el,
      );
      return el;
    };
    const before = waitingFor(view());
    expect(before.querySelectorAll('.unsent')).toHaveLength(1);
    expect(before.querySelector('.unsent')?.textContent).toContain('written offline');
    expect(before.querySelector('.unsent')?.textContent).toContain('Not sent yet');
    // The feed brought it before the POST's answer: shown once, as on the board.
    const cols = view().columns!;
    const arrived = waitingFor(view({ columns: [{ ...cols[0]!, cards: [...cols[0]!.cards!, { id: 'c9', columnId: 'start', text: 'written offline', concealed: true, mine: true, votes: 0 }] }] }));
    expect(arrived.querySelectorAll('.unsent')).toHaveLength(0);
    expect(arrived.textContent?.split('written offline')).toHaveLength(2);
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

function showWith(node: preact.ComponentChild, lang: 'en' | 'de' = 'en'): HTMLElement {
  const el = document.createElement('div');
  render(<I18n.Provider value={translator(lang)}>{node}</I18n.Provider>, el);
  return el;
}

const revealed = (mod: boolean, mine = false) =>
  view({
    you: { userId: 'me', participant: true, moderator: mod },
    columns: [
      {
        id: 'start', title: 'Start', revealed: true,
        cards: [
          { id: 'h', columnId: 'start', concealed: false, hidden: true, votes: 0, ...(mine ? { mine: true, text: 'rude words' } : {}) },
          { id: 'ok', columnId: 'start', concealed: false, text: 'fine words', votes: 0 },
        ],
      },
    ],
  });

describe('hidden cards', () => {
  it('shows a card the moderator hid as hidden, to the others without text', () => {
    const el = show(revealed(false));
    const card = el.querySelector('.hidden-card')!;
    expect(card.textContent).toContain('Hidden by the moderator');
    expect(card.querySelector('.card-text')).toBeNull();
  });

  it('tells its author that only they still read it', () => {
    const el = show(revealed(false, true));
    expect(el.querySelector('.hidden-card')?.textContent).toContain('only you see its text');
    expect(el.querySelector('.hidden-card')?.textContent).toContain('rude words');
  });

  it('lets the moderator alone hide a revealed card, by its own route', async () => {
    const sent: string[] = [];
    const r = { ...retro(), send: async (m: string, p: string) => (sent.push(`${m} ${p}`), null) };
    const member = showWith(<Board view={revealed(false)} retro={r} writable />);
    expect([...member.querySelectorAll('button')].filter((b) => b.textContent === 'Hide card')).toHaveLength(0);
    const mod = showWith(<Board view={revealed(true)} retro={r} writable />);
    const hides = [...mod.querySelectorAll('button')].filter((b) => b.textContent === 'Hide card');
    expect(hides).toHaveLength(1); // the hidden one has none
    hides[0]!.click();
    expect(sent).toEqual(['POST /cards/ok/hide']);
  });
});

describe('ROTI', () => {
  it('offers the scale the retro says: 1 to 5, or 0 to 10 for an old retro', () => {
    const five = showWith(<Roti view={view({ roti: { scale: '1-5', closed: false, ratings: 0, participants: 1 } })} retro={retro()} />);
    expect([...five.querySelectorAll('.roti button')].map((b) => b.textContent)).toEqual(['1', '2', '3', '4', '5']);
    expect(five.querySelector('legend')?.textContent).toContain('1 = wasted, 5 = very well');
    const ten = showWith(<Roti view={view({ roti: { scale: '0-10', closed: false, ratings: 0, participants: 1 } })} retro={retro()} />);
    expect(ten.querySelectorAll('.roti button')).toHaveLength(11);
    expect(ten.querySelector('legend')?.textContent).toContain('0 = wasted, 10 = very well');
  });
});

describe('who is here', () => {
  const people = view({
    moderator: 'me',
    you: { userId: 'me', participant: true, moderator: true },
    participants: [{ userId: 'me', role: 'member' }, { userId: 'bea', role: 'member' }, { userId: 'gus', role: 'guest' }],
  });
  const names = new Map([['bea', 'Bea'], ['gus', 'Gus']]);

  it('names everyone the server named, the guest too', () => {
    const el = showWith(<Lobby view={people} retro={{ ...retro(), names }} />);
    const items = [...el.querySelectorAll('.people li')].map((li) => li.textContent ?? '');
    expect(items[0]).toMatch(/^You/);
    expect(items[1]).toMatch(/^Bea/);
    expect(items[2]).toMatch(/^Gus · guest/);
  });

  it('lets the moderator hand moderation to another participant, and nobody else', () => {
    const sent: string[] = [];
    const r = { ...retro(), names, send: async (m: string, p: string, b?: unknown) => (sent.push(`${m} ${p} ${JSON.stringify(b)}`), null) };
    const el = showWith(<Lobby view={people} retro={r} />);
    const buttons = [...el.querySelectorAll('button')];
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(['Make moderator: Bea', 'Make moderator: Gus']);
    buttons[0]!.click();
    expect(sent).toEqual(['POST /moderator {"userId":"bea"}']);
    const member = showWith(<Lobby view={{ ...people, moderator: 'bea', you: { userId: 'me', participant: true, moderator: false } }} retro={r} />);
    expect(member.querySelectorAll('button')).toHaveLength(0);
  });
});

describe('the connection state', () => {
  function state(lang: 'en' | 'de', endCode?: string): string {
    const el = document.createElement('div');
    render(
      <I18n.Provider value={translator(lang)}>
        <ConnectionState state="revoked" transport="ws" endCode={endCode} />
      </I18n.Provider>,
      el,
    );
    return el.textContent ?? '';
  }

  it('says an expired quick retro ended and was erased, in English and German, not that access was revoked', () => {
    expect(state('en', 'quick-retro-expired')).toMatch(/quick retro has ended.*erased/);
    expect(state('de', 'quick-retro-expired')).toMatch(/schnelle Retro ist beendet.*gelöscht/);
    expect(state('en')).toBe('You no longer have access to this retro.');
    expect(state('en', 'some-code-without-words')).toBe('You no longer have access to this retro.');
  });
});
