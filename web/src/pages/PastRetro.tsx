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
    retro: { view: shown, presence: { here: [], typingCount: 0 }, conn: 'live', transport: 'ws', send: async () => null, typing: () => {}, names, pending: [], stale: false },
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
 * Time travel: the retro as the reader may see it after each of its commits
 * (GET /v1/retros/{id}/at?position=N), chosen on a slider over the retro's
 * positions, one step at a time, or played back.
 */
export function TimeTravel({ retroId }: { retroId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const names = useNames(retroId);
  const id = encodeURIComponent(retroId);
  // The first answer (as of now) lists the retro's positions; the slider
  // picks one of them by index.
  const first = useLoad(() => client.get<RetroAt>(`/v1/retros/${id}/at?time=${encodeURIComponent(new Date().toISOString())}`), [retroId]);
  const positions = first.data?.positions?.length ? first.data.positions : first.data ? [first.data.position] : [];
  const last = positions.length - 1;
  const [idx, setIdx] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const at = idx === null ? last : idx;
  const pos = positions[at];
  const loaded = useLoad(
    () => (pos === undefined || (first.data && pos === first.data.position) ? Promise.resolve(first.data) : client.get<RetroAt>(`/v1/retros/${id}/at?position=${pos}`)),
    [retroId, pos, first.data],
  );
  const snap = loaded.data && loaded.data.position === pos ? loaded.data : undefined;
  const go = (i: number) => setIdx(Math.max(0, Math.min(last, i)));

  // Playing moves on once the shown position has arrived, so a slow answer
  // is never skipped; it stops at the end.
  useEffect(() => {
    if (!playing) return;
    if (at >= last) {
      setPlaying(false);
      return;
    }
    if (!snap) return;
    const t = window.setTimeout(() => setIdx(at + 1), 700);
    return () => window.clearTimeout(t);
  }, [playing, at, last, snap]);

  const error = first.error ?? loaded.error;
  const step = snap ? (snap.view.agenda ?? []).find((s) => s.id === snap.view.currentStep) : undefined;
  const shown = snap ? readOnly(snap.view, names) : null;
  return (
    <div class="stack">
      <h1>{tr.t('past.timeTravelTitle', { title: (snap ?? first.data)?.view.title ?? '' })}</h1>
      {!first.data && !first.error && <p>{tr.t('app.loading')}</p>}
      {first.data && (
        <div class="timeline" role="group" aria-label={tr.t('past.timeTravel')}>
          <button type="button" class="secondary" onClick={() => go(at - 1)} disabled={positions.length === 0 || at <= 0}>
            {tr.t('past.earlier')}
          </button>
          <button type="button" class="secondary" onClick={() => go(at + 1)} disabled={positions.length === 0 || at >= last}>
            {tr.t('past.later')}
          </button>
          <button
            type="button"
            class="secondary"
            aria-pressed={playing}
            disabled={positions.length < 2}
            onClick={() => {
              if (!playing && at >= last) setIdx(0);
              setPlaying(!playing);
            }}
          >
            {playing ? tr.t('past.pause') : tr.t('past.play')}
          </button>
          <label class="sr-only" for="tt-slider">
            {tr.t('past.slider')}
          </label>
          <input
            id="tt-slider"
            type="range"
            min={0}
            max={Math.max(0, last)}
            step={1}
            value={at}
            disabled={positions.length < 2}
            aria-valuetext={tr.t('past.eventOf', { n: at + 1, total: positions.length })}
            onInput={(e) => {
              setPlaying(false);
              go(Number((e.currentTarget as HTMLInputElement).value));
            }}
          />
          <span class="muted small">{positions.length > 0 ? tr.t('past.eventOf', { n: at + 1, total: positions.length }) : ''}</span>
        </div>
      )}
      {error ? <p role="alert">{describeError(error, tr)}</p> : null}
      {snap && shown && (
        <>
          <p role="status" data-position={snap.position}>
            {tr.t('past.asOf', { when: new Date(snap.recordedAt).toLocaleString(tr.lang), step: step?.title || tr.t(`step.${step?.kind ?? 'lobby'}`) })}
          </p>
          <Board view={shown.view} retro={shown.retro} writable={false} />
        </>
      )}
    </div>
  );
}
