import { useState } from 'preact/hooks';
import type { Aggregate, CarriedAction, HealthPack, HealthQuestion, Page, RetroView } from '../api/types';
import { useServices } from '../services';
import { ChoiceField } from '../ui/forms';
import { useLoad } from '../ui/useLoad';
import { useI18n, type Translator } from '../i18n';
import { personName } from './names';
import type { RetroState } from './useRetro';

/** Icebreaker: the moderator picks a question (or a random one); everyone answers. */
export function IcebreakerStep({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const [text, setText] = useState('');
  const ice = view.icebreaker;
  const mod = view.you.moderator && !view.closed;
  return (
    <section class="card" aria-labelledby="ice-h">
      <h3 id="ice-h">{ice?.text || tr.t('ice.none')}</h3>
      {mod && (
        <button type="button" class="secondary" onClick={() => retro.send('POST', '/icebreaker', {})}>
          {ice ? tr.t('ice.another') : tr.t('ice.choose')}
        </button>
      )}
      {ice && (
        <>
          <ul class="cards">
            {(ice.answers ?? []).map((a) => (
              <li key={a.id} class={`card-item ${a.mine ? 'mine' : ''}`}>
                <p class="card-text">{a.text}</p>
                {a.author && !view.anonymous && <p class="small muted">{personName(a.author, view, retro.names, tr)}</p>}
              </li>
            ))}
          </ul>
          {view.you.participant && !view.closed && (
            <form
              class="add-card"
              onSubmit={(e) => {
                e.preventDefault();
                if (!text.trim()) return;
                void retro.send('POST', '/icebreaker/answers', { text: text.trim() });
                setText('');
              }}
            >
              <label for="ice-answer">{tr.t('ice.answer')}</label>
              <textarea id="ice-answer" rows={2} maxLength={2000} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
              <button type="submit">{tr.t('board.add')}</button>
            </form>
          )}
        </>
      )}
    </section>
  );
}

const outcomes = ['kept', 'done', 'discarded'] as const;

/** Review of the team's open actions carried into this retro. */
export function ActionReviewStep({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const items = view.actionReview ?? [];
  if (items.length === 0) return <p class="muted">{tr.t('review.none')}</p>;
  return (
    <ul class="list">
      {items.map((a) => (
        <CarriedRow key={a.id} a={a} view={view} retro={retro} />
      ))}
    </ul>
  );
}

function CarriedRow({ a, view, retro }: { a: CarriedAction; view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const [comment, setComment] = useState('');
  const can = view.you.participant && !view.closed;
  const path = `/review/${encodeURIComponent(a.id)}`;
  return (
    <li>
      <p class="strong">{a.title}</p>
      <p class="small muted">
        {a.assignee ? personName(a.assignee, view, retro.names, tr) : tr.t('actions.nobody')} ·{' '}
        {a.outcome ? tr.t(`review.outcome.${a.outcome as (typeof outcomes)[number]}`) : tr.t('review.open')}
      </p>
      {can && (
        <div class="row" role="group" aria-label={tr.t('review.outcomeFor', { title: a.title })}>
          {outcomes.map((o) => (
            <button key={o} type="button" class={a.outcome === o ? 'chosen' : 'secondary'} aria-pressed={a.outcome === o} onClick={() => retro.send('POST', path, { outcome: o })}>
              {tr.t(`review.outcome.${o}`)}
            </button>
          ))}
        </div>
      )}
      <ul class="comments">
        {(a.comments ?? []).map((c) => (
          <li key={c.id} class="small">
            {c.text}
          </li>
        ))}
      </ul>
      {can && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!comment.trim()) return;
            void retro.send('POST', `${path}/comments`, { text: comment.trim() });
            setComment('');
          }}
        >
          <label for={`rc-${a.id}`} class="sr-only">
            {tr.t('review.comment', { title: a.title })}
          </label>
          <input id={`rc-${a.id}`} value={comment} maxLength={2000} onInput={(e) => setComment((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="secondary">
            {tr.t('review.addComment')}
          </button>
        </form>
      )}
    </li>
  );
}

/** The scores a scale offers: 1 to 5, or 0 to 10. */
export function scores(scale: string | undefined): number[] {
  return scale === '0-10' ? Array.from({ length: 11 }, (_, i) => i) : [1, 2, 3, 4, 5];
}

export function aggregateText(tr: Translator, r: Aggregate): string {
  if (r.withheld || r.average == null) return tr.t('health.withheld', { count: r.count });
  const base = tr.t('health.result', { avg: r.average.toFixed(1), count: r.count });
  return r.enps != null ? `${base} · eNPS ${Math.round(r.enps)}` : base;
}

/** Health check: a score per question, results once the moderator reveals them. */
export function HealthStep({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const h = view.health;
  const mod = view.you.moderator && !view.closed;
  if (!h) {
    return mod ? (
      <StartHealth retro={retro} />
    ) : (
      <p class="muted">{tr.t('health.notStarted')}</p>
    );
  }
  return (
    <div class="stack">
      <p class="muted">{tr.t('health.private')}</p>
      {(h.questions ?? []).map((q) => (
        <HealthRow key={q.id} q={q} view={view} retro={retro} revealed={h.revealed} />
      ))}
      {mod && !h.revealed && (
        <button type="button" onClick={() => retro.send('POST', '/health/reveal')}>
          {tr.t('health.reveal')}
        </button>
      )}
    </div>
  );
}

function HealthRow({ q, view, retro, revealed }: { q: HealthQuestion; view: RetroView; retro: RetroState; revealed: boolean }) {
  const tr = useI18n();
  const can = view.you.participant && !view.closed && !revealed;
  return (
    <fieldset class="card health-q" disabled={!can}>
      <legend class="strong">{q.text}</legend>
      <p class="small muted">
        {q.low} ↔ {q.high}
      </p>
      <div class="row">
        {scores(q.scale).map((s) => (
          <button
            key={s}
            type="button"
            class={q.yourScore === s ? 'chosen' : 'secondary'}
            aria-pressed={q.yourScore === s}
            aria-label={tr.t('health.scoreLabel', { score: s, question: q.text })}
            onClick={() => retro.send('POST', '/health/answers', { questionId: q.id, score: s })}
          >
            {s}
          </button>
        ))}
      </div>
      <p class="small muted">{tr.tn('health.respondents', q.respondents)}</p>
      {revealed && q.result && <p class="strong">{aggregateText(tr, q.result)}</p>}
    </fieldset>
  );
}

/** The moderator starts the health check with a pack, or the one the template or team suggests. */
function StartHealth({ retro }: { retro: RetroState }) {
  const tr = useI18n();
  const { client } = useServices();
  const packs = useLoad(() => client.get<Page<HealthPack>>('/v1/catalog/health-packs'), []);
  const [packId, setPackId] = useState('');
  return (
    <div class="stack">
      <ChoiceField
        label={tr.t('health.pack')}
        value={packId}
        onChange={setPackId}
        none={tr.t('newRetro.healthPackDefault')}
        options={(packs.data?.items ?? []).map((p) => ({ id: p.id, label: p.name }))}
      />
      <button type="button" onClick={() => retro.send('POST', '/health', packId ? { packId } : {})}>
        {tr.t('health.start')}
      </button>
    </div>
  );
}
