import { topicTitle } from './names';
import type { RetroView } from '../api/types';
import { useI18n } from '../i18n';
import { Actions } from './Actions';
import { Documents } from './Documents';
import { rotiResult } from './Roti';
import type { RetroState } from './useRetro';

export function Summary({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const cards = (view.columns ?? []).reduce((n, c) => n + (c.cards ?? []).length, 0);
  const top = [...(view.topics ?? [])].sort((a, b) => b.votes - a.votes).slice(0, 5);
  return (
    <div class="stack">
      <section class="card" aria-labelledby="summary-h">
        <h2 id="summary-h">{tr.t('summary.title')}</h2>
        <p>{tr.tn('summary.cards', cards)}</p>
        {view.roti.result && <p>{rotiResult(tr, view.roti.result)}</p>}
        {top.length > 0 && (
          <>
            <h3>{tr.t('summary.topTopics')}</h3>
            <ol>
              {top.map((t) => (
                <li key={t.id}>
                  {topicTitle(t, tr)} <span class="muted">{tr.t('vote.total', { n: t.votes })}</span>
                </li>
              ))}
            </ol>
          </>
        )}
        {!view.you.role || view.you.role !== 'guest' ? (
          <p>
            <a href={`/teams/${view.teamId}`}>{tr.t('summary.backToTeam')}</a>
          </p>
        ) : null}
      </section>
      <Documents view={view} />
      <Actions view={view} retro={retro} />
    </div>
  );
}
