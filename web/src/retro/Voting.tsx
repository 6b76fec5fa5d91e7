import { topicTitle } from './names';
import { useState } from 'preact/hooks';
import { maxVotesOffered, suggestedVoting } from './votingDefaults';
import type { RetroView, TopicView } from '../api/types';
import { useI18n } from '../i18n';
import type { RetroState } from './useRetro';

/** Voting: the remaining budget and cap, a vote and an unvote per topic. The
 * moderator opens a round with the retro's voting defaults, or others. */
export function Voting({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const v = view.voting;
  const defaults = view.votingDefaults ?? suggestedVoting;
  const [budget, setBudget] = useState(String(defaults.budget));
  const [cap, setCap] = useState(String(defaults.cap ?? 0));
  const topics = view.topics ?? [];
  const mod = view.you.moderator && !view.closed;
  return (
    <section class="card" aria-labelledby="vote-h">
      <h2 id="vote-h">{tr.t('vote.title')}</h2>
      {v?.open ? (
        <p role="status" class="budget">
          {tr.t('vote.remaining', { left: v.yourRemaining, budget: v.budget })} {v.cap ? tr.t('vote.capNote', { cap: v.cap }) : ''}
        </p>
      ) : (
        <p class="muted">{tr.t('vote.notOpen')}</p>
      )}
      {v?.open && <p class="muted small">{tr.t('vote.progress', { cast: v.cast, total: v.cast + v.remaining })}</p>}
      <ul class="topics">
        {topics.map((t) => (
          <TopicRow key={t.id} topic={t} view={view} retro={retro} />
        ))}
      </ul>
      {mod && !v?.open && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void retro.send('POST', '/voting', { budget: Number(budget), cap: Number(cap) || undefined });
          }}
        >
          <div class="field">
            <label for="vote-budget">{tr.t('vote.budget')}</label>
            <input id="vote-budget" type="number" min={1} max={maxVotesOffered} value={budget} onInput={(e) => setBudget((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="vote-cap">{tr.t('vote.cap')}</label>
            <input id="vote-cap" type="number" min={0} max={maxVotesOffered} value={cap} onInput={(e) => setCap((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit">{tr.t('vote.start')}</button>
        </form>
      )}
      {mod && v?.open && (
        <button type="button" onClick={() => retro.send('POST', '/voting/close')}>
          {tr.t('vote.close')}
        </button>
      )}
    </section>
  );
}

function TopicRow({ topic, view, retro }: { topic: TopicView; view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const v = view.voting;
  const mine = v?.yourVotes?.[topic.id] ?? 0;
  const open = !!v?.open && view.you.participant;
  const canAdd = open && (v?.yourRemaining ?? 0) > 0 && (!v?.cap || mine < v.cap);
  const unsent = retro.pending.filter((p) => p.method === 'POST' && p.path.endsWith('/votes') && (p.body as { topicId?: unknown } | undefined)?.topicId === topic.id).length;
  return (
    <li class="topic">
      <span class="topic-title">{topicTitle(topic, tr)}</span>
      <span class="topic-votes">
        {v?.open ? tr.t('vote.yours', { n: mine }) : tr.t('vote.total', { n: topic.votes })}
      </span>
      {unsent > 0 && <span class="small muted unsent">{tr.tn('offline.unsentVotes', unsent)}</span>}
      {view.you.moderator && !view.closed && v && !v.open && <CorrectVotes topic={topic} retro={retro} />}
      {open && (
        <span class="row">
          <button type="button" class="secondary" disabled={mine === 0} onClick={() => retro.send('DELETE', `/votes/${encodeURIComponent(topic.id)}`)} aria-label={tr.t('vote.unvote', { title: topicTitle(topic, tr) })}>
            −
          </button>
          <button type="button" disabled={!canAdd} onClick={() => retro.send('POST', '/votes', { topicId: topic.id })} aria-label={tr.t('vote.vote', { title: topicTitle(topic, tr) })}>
            +
          </button>
        </span>
      )}
    </li>
  );
}

/** The moderator corrects a topic's total after the round (facilitated vote correction). */
function CorrectVotes({ topic, retro }: { topic: TopicView; retro: RetroState }) {
  const tr = useI18n();
  const [n, setN] = useState(String(topic.votes));
  const id = `correct-${topic.id}`;
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        const votes = Number(n);
        if (Number.isInteger(votes) && votes >= 0) void retro.send('POST', `/topics/${encodeURIComponent(topic.id)}/votes`, { votes });
      }}
    >
      <label for={id} class="sr-only">
        {tr.t('vote.correctLabel', { title: topicTitle(topic, tr) })}
      </label>
      <input id={id} class="narrow-input" type="number" min={0} max={999} value={n} onInput={(e) => setN((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit" class="secondary">
        {tr.t('vote.correct')}
      </button>
    </form>
  );
}
