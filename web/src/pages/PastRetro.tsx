import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { RetroAt, RetroView } from '../api/types';
import { useI18n } from '../i18n';
import { Board } from '../retro/Board';
import { Summary } from '../retro/Summary';
import type { RetroState } from '../retro/useRetro';
import { useServices } from '../services';
import { useLoad } from '../ui/useLoad';

/** A retro's state for pages that only show it: nothing is sent from them. */
function readOnly(view: RetroView, names: Map<string, string>): { view: RetroView; retro: RetroState } {
  // Drawn as closed and by nobody's moderator, so no control offers a command.
  const shown: RetroView = { ...view, closed: true, you: { ...view.you, moderator: false } };
  return {
    view: shown,
    retro: { view: shown, presence: { here: [], typingCount: 0 }, conn: 'live', transport: 'ws', send: async () => null, typing: () => {}, names },
  };
}

function useNames(retroId: string): Map<string, string> {
  const { client } = useServices();
  const [names, setNames] = useState<Map<string, string>>(() => new Map());
  useEffect(() => {
    let live = true;
    client.get<Record<string, string>>(`/v1/retros/${encodeURIComponent(retroId)}/names`).then(
      (n) => live && setNames(new Map(Object.entries(n ?? {}))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [retroId, client]);
  return names;
}

/** A closed retro's board as everyone saw it at the end (GET /v1/retros/{id}/archive). */
export function Archive({ retroId }: { retroId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const names = useNames(retroId);
  const archive = useLoad(() => client.get<RetroView>(`/v1/retros/${encodeURIComponent(retroId)}/archive`), [retroId]);
  if (archive.error) return <p role="alert">{describeError(archive.error, tr)}</p>;
  if (!archive.data) return <p>{tr.t('app.loading')}</p>;
  const { view, retro } = readOnly(archive.data, names);
  return (
    <div class="stack">
      <h1>{tr.t('past.archiveTitle', { title: view.title })}</h1>
      <p>
        <a href={`/retros/${retroId}/at`}>{tr.t('past.timeTravel')}</a>
      </p>
      <Summary view={view} retro={retro} />
      <Board view={view} retro={retro} writable={false} />
    </div>
  );
}

/**
 * Time travel: the retro as the reader may see it after one event, stepping
 * back one event at a time (GET /v1/retros/{id}/at?position=N) and forward
 * again along the way they came.
 */
export function TimeTravel({ retroId }: { retroId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const names = useNames(retroId);
  // later: the positions stepped back from, newest last.
  const [later, setLater] = useState<number[]>([]);
  const [ask, setAsk] = useState<string>(() => `time=${encodeURIComponent(new Date().toISOString())}`);
  const at = useLoad(() => client.get<RetroAt>(`/v1/retros/${encodeURIComponent(retroId)}/at?${ask}`), [retroId, ask]);
  const snap = at.data;
  const earlier = () => {
    if (!snap || snap.position <= 1) return;
    setLater([...later, snap.position]);
    setAsk(`position=${snap.position - 1}`);
  };
  const forward = () => {
    const next = later[later.length - 1];
    if (next === undefined) return;
    setLater(later.slice(0, -1));
    setAsk(`position=${next}`);
  };
  const step = snap ? (snap.view.agenda ?? []).find((s) => s.id === snap.view.currentStep) : undefined;
  const shown = snap ? readOnly(snap.view, names) : null;
  return (
    <div class="stack">
      <h1>{tr.t('past.timeTravelTitle', { title: snap?.view.title ?? '' })}</h1>
      <div class="row" role="group" aria-label={tr.t('past.timeTravel')}>
        <button type="button" class="secondary" onClick={earlier} disabled={!snap || snap.position <= 1}>
          {tr.t('past.earlier')}
        </button>
        <button type="button" class="secondary" onClick={forward} disabled={later.length === 0}>
          {tr.t('past.later')}
        </button>
      </div>
      {at.error ? <p role="alert">{describeError(at.error, tr)}</p> : null}
      {snap && shown && (
        <>
          <p role="status">
            {tr.t('past.asOf', { when: new Date(snap.recordedAt).toLocaleString(tr.lang), step: step?.title || tr.t(`step.${step?.kind ?? 'lobby'}`) })}
          </p>
          <Board view={shown.view} retro={shown.retro} writable={false} />
        </>
      )}
    </div>
  );
}
