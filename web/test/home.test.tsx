import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { SurveyView } from '../src/api/types';
import { I18n, translator } from '../src/i18n';
import { OpenSurveys } from '../src/pages/Home';
import { ServicesContext, type Services } from '../src/services';

function survey(id: string, title: string, answered: boolean): SurveyView {
  return {
    id, title, teamIds: ['t'], healthQuestions: [], openQuestions: [], opensAt: '2026-12-01T09:00:00Z',
    closesAt: '2026-12-08T09:00:00Z', closed: false, responseCount: 1, canClose: false,
    own: answered ? { ratings: { q: 4 } } : null,
  };
}

async function show(items: SurveyView[]): Promise<HTMLElement> {
  const asked: string[] = [];
  const services = {
    client: { get: async (path: string) => { asked.push(path); return { items }; } },
  } as unknown as Services;
  const el = document.createElement('div');
  await act(async () => {
    render(
      <ServicesContext.Provider value={services}>
        <I18n.Provider value={translator('en')}><OpenSurveys /></I18n.Provider>
      </ServicesContext.Provider>,
      el,
    );
  });
  await act(async () => { await Promise.resolve(); });
  expect(asked).toEqual(['/v1/me/surveys']);
  return el;
}

describe('the home page', () => {
  it('lists the surveys open to me, each linked, saying which wait for my answers', async () => {
    const el = await show([survey('s1', 'Sprint pulse', false), survey('s2', 'Quarterly check', true)]);
    const links = [...el.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toEqual([['Sprint pulse', '/surveys/s1'], ['Quarterly check', '/surveys/s2']]);
    expect(el.textContent).toContain('waiting for your answers');
    expect(el.textContent).toContain('You answered.');
  });

  it('shows nothing when no survey is open', async () => {
    const el = await show([]);
    expect(el.textContent).toBe('');
  });
});
