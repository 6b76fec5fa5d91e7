import { topicTitle } from './names';
import { useEffect, useState } from 'preact/hooks';
import type { RetroView } from '../api/types';
import { useI18n } from '../i18n';
import { Actions } from './Actions';
import type { RetroState } from './useRetro';

/** Discussion: topics by votes, the one in focus, the server's timer, actions. */
export function Discuss({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const topics = [...(view.topics ?? [])].sort((a, b) => b.votes - a.votes);
  const mod = view.you.moderator && !view.closed;
  return (
    <div class="stack">
      <section class="card" aria-labelledby="discuss-h">
        <h2 id="discuss-h">{tr.t('step.discuss')}</h2>
        <Timer view={view} retro={retro} />
        <ol class="topics">
          {topics.map((t) => (
            <li key={t.id} class={`topic ${view.focus === t.id ? 'focused' : ''}`} aria-current={view.focus === t.id ? 'true' : undefined}>
              <span class="topic-title">{topicTitle(t, tr)}</span>
              <span class="topic-votes">{tr.t('vote.total', { n: t.votes })}</span>
              {view.focus === t.id && <span class="badge">{tr.t('discuss.focused')}</span>}
              <TopicBoard view={view} retro={retro} topicId={t.id} title={topicTitle(t, tr)} />
              {mod && view.focus !== t.id && (
                <button
                  type="button"
                  class="secondary"
                  aria-label={tr.t('discuss.focusNamed', { title: topicTitle(t, tr) })}
                  onClick={() => retro.send('POST', `/topics/${encodeURIComponent(t.id)}/focus`)}
                >
                  {tr.t('discuss.focus')}
                </button>
              )}
            </li>
          ))}
        </ol>
      </section>
      <Actions view={view} retro={retro} />
    </div>
  );
}

/** The topic's whiteboard: a link once it exists; any participant opens one. */
function TopicBoard({ view, retro, topicId, title }: { view: RetroView; retro: RetroState; topicId: string; title: string }) {
  const tr = useI18n();
  const wb = (view.whiteboards ?? []).find((w) => w.topicId === topicId && !w.actionId);
  if (wb) {
    return (
      <a href={`/boards/${wb.whiteboardId}`} aria-label={`${tr.t('wb.open')}: ${title}`}>
        {tr.t('wb.open')}
      </a>
    );
  }
  if (view.closed || !view.you.participant) return null;
  return (
    <button type="button" class="secondary" aria-label={`${tr.t('wb.openNew')}: ${title}`} onClick={() => retro.send('POST', '/whiteboards', { topicId })}>
      {tr.t('wb.openNew')}
    </button>
  );
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, [active]);
  return now;
}

function Timer({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const timer = view.timer;
  const now = useNow(!!timer);
  const mod = view.you.moderator && !view.closed;
  const left = timer ? Math.max(0, Math.round((Date.parse(timer.deadline) - now) / 1000)) : 0;
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <div class="timer">
      {timer && <p class="timer-left">{left > 0 ? tr.t('discuss.remaining', { time: mmss }) : tr.t('discuss.over')}</p>}
      {mod && !timer && (
        <button type="button" class="secondary" onClick={() => retro.send('POST', '/timer', { seconds: 300 })}>
          {tr.t('discuss.startTimer', { min: 5 })}
        </button>
      )}
      {mod && timer && (
        <div class="row">
          <button type="button" class="secondary" onClick={() => retro.send('POST', '/timer/extend', { seconds: 60 })}>
            {tr.t('discuss.extend')}
          </button>
          <button type="button" class="secondary" onClick={() => retro.send('DELETE', '/timer')}>
            {tr.t('discuss.stopTimer')}
          </button>
        </div>
      )}
    </div>
  );
}
