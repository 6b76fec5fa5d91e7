import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { CheckInView, RetroView } from '../src/api/types';
import { I18n, translator } from '../src/i18n';
import { CheckIn } from '../src/retro/RetroPage';
import type { RetroState } from '../src/retro/useRetro';

function lobby(checkIn: CheckInView): RetroView {
  return {
    retroId: 'r', teamId: 't', title: 'Sprint', moderator: 'mod',
    you: { userId: 'me', participant: true, moderator: false },
    anonymous: false, locked: false, closed: false,
    agenda: [{ id: 'lobby', kind: 'lobby' }], currentStep: 'lobby',
    participants: [], actionReview: [], columns: [], groups: [], topics: [], actions: [],
    roti: { closed: false, ratings: 0, participants: 1 }, checkIn,
  };
}

function show(v: RetroView, sent: unknown[][]): HTMLElement {
  const retro: RetroState = {
    view: null, presence: { here: [], typingCount: 0 }, conn: 'live', transport: 'ws',
    send: async (...a: unknown[]) => { sent.push(a); return null; }, typing: () => {}, names: new Map(), pending: [], stale: false,
  } as RetroState;
  const el = document.createElement('div');
  render(<I18n.Provider value={translator('en')}><CheckIn view={v} retro={retro} /></I18n.Provider>, el);
  return el;
}

const options = [{ id: 'sunny', label: '☀️ Sunny' }, { id: 'rainy', label: '🌧️ Rainy' }];

describe('the lobby check-in', () => {
  it('sends a pick and marks my own', () => {
    const sent: unknown[][] = [];
    const el = show(lobby({ id: 'w', question: 'Weather?', options, open: true, respondents: 1, withheld: true, yours: 'rainy' }), sent);
    const buttons = [...el.querySelectorAll('button')];
    expect(buttons.map((b) => b.getAttribute('aria-pressed'))).toEqual(['false', 'true']);
    expect(el.textContent).not.toMatch(/pick/); // no counts below the minimum group
    expect(el.textContent).toContain('the counts show once a few more have');
    buttons[0].click();
    expect(sent).toEqual([['POST', '/check-in', { optionId: 'sunny' }]]);
  });

  it('shows counts once enough answered, and takes no pick after the lobby', () => {
    const sent: unknown[][] = [];
    const el = show(lobby({
      id: 'w', question: 'Weather?', open: false, respondents: 3,
      options: [{ ...options[0], count: 2 }, { ...options[1], count: 1 }],
    }), sent);
    expect(el.textContent).toContain('2 picks');
    expect(el.textContent).toContain('1 pick');
    expect(el.textContent).toContain('the check-in has ended');
    expect([...el.querySelectorAll('button')].every((b) => b.disabled)).toBe(true);
  });
});
