import type { RetroView } from '../api/types';
import { useI18n, type MessageKey } from '../i18n';
import type { ConnState, Transport } from '../live/feed';
import { AgendaEditor } from './Agenda';
import { Board } from './Board';
import { Discuss } from './Discuss';
import { Grouping } from './Grouping';
import { Invite } from './Invite';
import { personName } from './names';
import { Roti } from './Roti';
import { neighbours, StepNav } from './StepNav';
import { Summary } from './Summary';
import { useRetro, type RetroState } from './useRetro';
import { Voting } from './Voting';
import { ActionReviewStep, HealthStep, IcebreakerStep } from './Warmup';
import { memo } from '../ui/memo';

const connText: Record<ConnState, MessageKey> = {
  connecting: 'conn.connecting',
  live: 'conn.live',
  reconnecting: 'conn.reconnecting',
  revoked: 'conn.revoked',
  closed: 'conn.reconnecting',
};

export function ConnectionState({ state, transport, endCode }: { state: ConnState; transport: Transport; endCode?: string | undefined }) {
  const tr = useI18n();
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  const ended = state === 'revoked' && endCode ? `conn.ended.${endCode}` : '';
  const key: MessageKey = offline
    ? 'conn.offline'
    : ended && tr.has(ended)
      ? (ended as MessageKey)
      : state === 'live' && transport === 'sse'
        ? 'conn.sse'
        : connText[state];
  return (
    <p class={`conn conn-${offline ? 'offline' : state}`} role="status" data-state={offline ? 'offline' : state}>
      <span class="dot" aria-hidden="true" />
      {tr.t(key)}
    </p>
  );
}

/** An expired quick retro was erased: what is left to do is to start another. */
function QuickRetroEnded() {
  const tr = useI18n();
  return (
    <p class="card">
      <a href="/login">{tr.t('quick.startNew')}</a>
    </p>
  );
}

export function RetroPage({ retroId }: { retroId: string }) {
  const tr = useI18n();
  const retro = useRetro(retroId);
  const view = retro.view;
  if (!view) {
    return (
      <div class="stack">
        <ConnectionState state={retro.conn} transport={retro.transport} endCode={retro.endCode} />
        {retro.endCode === 'quick-retro-expired' ? <QuickRetroEnded /> : <p>{tr.t('app.loading')}</p>}
      </div>
    );
  }
  const step = (view.agenda ?? []).find((s) => s.id === view.currentStep);
  const kind = view.closed ? 'closed' : step?.kind ?? 'lobby';
  const go = (id: string) => void retro.send('POST', `/steps/${encodeURIComponent(id)}/go`);
  const { prev, next } = neighbours(view);
  const mod = view.you.moderator && !view.closed;

  return (
    <div class="retro">
      <header class="retro-head">
        <h1>{view.title}</h1>
        <ConnectionState state={retro.conn} transport={retro.transport} endCode={retro.endCode} />
        {retro.endCode === 'quick-retro-expired' && <QuickRetroEnded />}
        <p class={`badge ${view.anonymous ? 'anon' : ''}`}>{view.anonymous ? tr.t('retro.anonymous') : tr.t('retro.notAnonymous')}</p>
        {view.locked && <p class="badge">{tr.t('retro.locked')}</p>}
        {view.closed && <p class="badge">{tr.t('retro.closedNotice')}</p>}
        {view.you.moderator && <p class="muted small">{tr.t('retro.youModerate')}</p>}
        {retro.stale && (
          <p class="muted small" role="status">
            {tr.t('offline.kept')}
          </p>
        )}
      </header>
      <StepNav view={view} go={go} />
      {mod && <AgendaEditor view={view} retro={retro} />}
      {!view.you.participant && !view.closed && (
        <p class="card">
          {tr.t('retro.notParticipant')}{' '}
          <button type="button" onClick={() => retro.send('POST', '/join')}>
            {tr.t('retro.join')}
          </button>
        </p>
      )}
      <div class="retro-body">
        <section class="step" aria-labelledby="step-h">
          <h2 id="step-h" class="step-title">
            {step?.title || tr.t(`step.${kind}`)}
          </h2>
          <StepContent kind={kind} view={view} retro={retro} />
          {mod && (
            <div class="row mod-bar">
              {prev && (
                <button type="button" class="secondary" onClick={() => go(prev)}>
                  {tr.t('retro.prev')}
                </button>
              )}
              {next && (
                <button type="button" onClick={() => go(next)}>
                  {tr.t('retro.next')}
                </button>
              )}
              {step && kind !== 'closed' && (
                <button type="button" class="secondary" onClick={() => retro.send('POST', `/steps/${encodeURIComponent(step.id)}/skip`)}>
                  {tr.t('retro.skip')}
                </button>
              )}
              <button type="button" class="secondary" onClick={() => retro.send('POST', view.locked ? '/unlock' : '/lock')}>
                {view.locked ? tr.t('retro.unlock') : tr.t('retro.lock')}
              </button>
              {kind === 'lobby' && (
                <button type="button" class="secondary" onClick={() => retro.send('POST', '/anonymity', { anonymous: !view.anonymous })}>
                  {view.anonymous ? tr.t('retro.makeNamed') : tr.t('retro.makeAnonymous')}
                </button>
              )}
              <button
                type="button"
                class="danger"
                onClick={() => {
                  if (confirm(tr.t('close.confirm'))) void retro.send('POST', '/close');
                }}
              >
                {tr.t('close.close')}
              </button>
            </div>
          )}
        </section>
        <aside class="side">
          <Lobby view={view} retro={retro} />
          {mod && <Invite view={view} />}
        </aside>
      </div>
    </div>
  );
}

function StepContent({ kind, view, retro }: { kind: string; view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  switch (kind) {
    case 'lobby':
      return (
        <>
          <CheckIn view={view} retro={retro} />
          {!view.you.moderator && <p>{tr.t('lobby.waiting')}</p>}
        </>
      );
    case 'icebreaker':
      return <IcebreakerStep view={view} retro={retro} />;
    case 'action-review':
      return <ActionReviewStep view={view} retro={retro} />;
    case 'health-check':
      return <HealthStep view={view} retro={retro} />;
    case 'collect':
      return <Board view={view} retro={retro} writable />;
    case 'group':
      return <Grouping view={view} retro={retro} />;
    case 'vote':
      return <Voting view={view} retro={retro} />;
    case 'discuss':
      return <Discuss view={view} retro={retro} />;
    case 'roti':
      return <Roti view={view} retro={retro} />;
    case 'closed':
      return <Summary view={view} retro={retro} />;
    default:
      return <p class="muted">{tr.t('step.notYet')}</p>;
  }
}

/** Who is here now, and who takes part. */
/**
 * The lobby's check-in: a light poll everyone answers while people arrive.
 * It ends when the moderator moves on; counts show once enough answered.
 */
export function CheckIn({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const ci = view.checkIn;
  if (!ci) return null;
  const canPick = ci.open && view.you.participant && !view.closed;
  return (
    <section class="card" aria-labelledby="checkin-h">
      <h2 id="checkin-h">{tr.t('checkin.title')}</h2>
      <p>{ci.question}</p>
      <ul class="checkin-options" role="list">
        {(ci.options ?? []).map((o) => (
          <li key={o.id}>
            <button
              type="button"
              class={ci.yours === o.id ? 'primary' : 'secondary'}
              aria-pressed={ci.yours === o.id}
              disabled={!canPick}
              onClick={() => retro.send('POST', '/check-in', { optionId: o.id })}
            >
              {o.label}
              {o.count !== undefined && <span class="muted small"> · {tr.tn('checkin.count', o.count)}</span>}
            </button>
          </li>
        ))}
      </ul>
      <p class="muted small" aria-live="polite">
        {ci.withheld ? tr.tn('checkin.withheld', ci.respondents) : tr.tn('checkin.answered', ci.respondents)}
        {!ci.open && <> · {tr.t('checkin.ended')}</>}
      </p>
    </section>
  );
}

export function Lobby({ view, retro }: { view: RetroView; retro: RetroState }) {
  return (
    <People
      participants={view.participants}
      you={view.you}
      moderator={view.moderator}
      closed={view.closed}
      here={retro.presence.here}
      names={retro.names}
      send={retro.send}
    />
  );
}

interface PeopleProps {
  participants: RetroView['participants'];
  you: RetroView['you'];
  moderator: string;
  closed: boolean;
  here: string[];
  names: Map<string, string>;
  send: RetroState['send'];
}

/**
 * Who is here and who takes part. Memoized on the parts of the view it
 * shows: a card arriving (a patch that leaves participants alone) does not
 * render the list of people again in every browser.
 */
const People = memo(function People({ participants, you, moderator, closed, here: hereIds, names, send }: PeopleProps) {
  const tr = useI18n();
  const here = new Set(hereIds);
  const who = { you, participants };
  return (
    <section class="card" aria-labelledby="here-h">
      <h2 id="here-h">{tr.t('retro.here')}</h2>
      <p class="muted small">{tr.tn('retro.hereCount', here.size)}</p>
      <ul class="people">
        {(participants ?? []).map((p) => (
          <li key={p.userId} class={here.has(p.userId) ? 'here' : 'away'}>
            <span class="dot" aria-hidden="true" />
            {personName(p.userId, who, names, tr)}
            {p.userId === moderator && <span class="muted small"> · {tr.t('retro.moderator')}</span>}
            {p.role === 'guest' && <span class="muted small"> · {tr.t('role.guest')}</span>}
            {you.moderator && !closed && p.userId !== moderator && (
              <button
                type="button"
                class="link"
                aria-label={tr.t('retro.handOverTo', { name: personName(p.userId, who, names, tr) })}
                onClick={() => send('POST', '/moderator', { userId: p.userId })}
              >
                {tr.t('retro.handOver')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
});
