import type { Aggregate, RetroView } from '../api/types';
import { useI18n, type Translator } from '../i18n';
import type { RetroState } from './useRetro';
import { scores } from './Warmup';

export function Roti({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const r = view.roti;
  const scale = scores(r.scale);
  const mod = view.you.moderator && !view.closed;
  return (
    <section class="card" aria-labelledby="roti-h">
      <h2 id="roti-h">{tr.t('roti.title')}</h2>
      <fieldset class="roti" disabled={!view.you.participant || r.closed || view.closed}>
        <legend>{tr.t('roti.question', { low: scale[0]!, high: scale[scale.length - 1]! })}</legend>
        <div class="row">
          {scale.map((s) => (
            <button
              key={s}
              type="button"
              class={r.yourScore === s ? 'chosen' : 'secondary'}
              aria-pressed={r.yourScore === s}
              onClick={() => retro.send('POST', '/roti', { score: s })}
            >
              {s}
            </button>
          ))}
        </div>
      </fieldset>
      {r.yourScore != null && <p>{tr.t('roti.yours', { score: r.yourScore })}</p>}
      <p class="muted" role="status">
        {tr.t('roti.progress', { ratings: r.ratings, participants: r.participants })}
      </p>
      {r.result && <p class="strong">{rotiResult(tr, r.result)}</p>}
      {mod && !r.closed && (
        <button type="button" onClick={() => retro.send('POST', '/roti/close')}>
          {tr.t('roti.close')}
        </button>
      )}
    </section>
  );
}

/** The ROTI result in words: the average, or only the count when too few rated to show it. */
export function rotiResult(tr: Translator, r: Aggregate): string {
  if (r.withheld || r.average == null) return tr.t('roti.withheld', { count: r.count });
  return tr.t('roti.result', { avg: r.average.toFixed(1), count: r.count });
}
