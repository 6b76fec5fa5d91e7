import { useState } from 'preact/hooks';
import type { Page, TeamMember } from '../api/types';
import { useI18n } from '../i18n';
import { useServices } from '../services';
import { useLoad } from '../ui/useLoad';
import { describeError } from '../api/problem';

export interface TrackerItem {
  id: string;
  teamId: string;
  title: string;
  status: string;
  assignee?: string;
  due?: string | null;
  overdue: boolean;
  ageDays: number;
  originRetroId?: string;
}
export interface TrackerSummary {
  asOf: string;
  open: TrackerItem[] | null;
  done: TrackerItem[] | null;
  discarded: TrackerItem[] | null;
  overdue: number;
}

/**
 * The action tracker: a team's open actions (or, with no team, the ones
 * assigned to me), oldest first, overdue marked; open ones can be marked
 * done or dropped.
 */
export function Tracker({ teamId, members }: { teamId?: string; members?: Page<TeamMember> | undefined }) {
  const tr = useI18n();
  const { client, outbox, report } = useServices();
  // After a change, read at least up to its position (read models follow the log).
  const [after, setAfter] = useState(0);
  const base = teamId ? `/v1/teams/${encodeURIComponent(teamId)}/action-tracker` : '/v1/me/actions';
  const path = after > 0 ? `${base}?after=${after}` : base;
  const data = useLoad(() => client.get<TrackerSummary>(path), [path]);
  const names = new Map((members?.items ?? []).map((m) => [m.userId, m.name || m.userId]));
  const setStatus = async (a: TrackerItem, status: string) => {
    try {
      const r = await outbox.submit('POST', `/v1/teams/${encodeURIComponent(a.teamId)}/actions/${encodeURIComponent(a.id)}/status`, { status });
      if (r.sent) setAfter(r.result.position);
    } catch (err) {
      report(err);
    }
  };
  if (data.error) return <p role="alert">{describeError(data.error, tr)}</p>;
  if (!data.data) return <p>{tr.t('app.loading')}</p>;
  const open = data.data.open ?? [];
  return (
    <>
      {data.data.overdue > 0 && <p class="strong">{tr.tn('tracker.overdue', data.data.overdue)}</p>}
      {open.length === 0 ? (
        <p class="muted">{teamId ? tr.t('actions.none') : tr.t('home.noActions')}</p>
      ) : (
        <ul class="list">
          {open.map((a) => (
            <li key={a.id} class={a.overdue ? 'overdue' : ''}>
              <span class="strong">{a.title}</span>{' '}
              <span class="muted small">
                {a.assignee ? names.get(a.assignee) ?? '' : tr.t('actions.nobody')}
                {a.due ? ` · ${tr.t('actions.dueOn', { date: tr.date(a.due) })}` : ''}
                {a.overdue ? ` · ${tr.t('tracker.isOverdue')}` : ''}
              </span>
              <span class="row">
                <button type="button" class="secondary" aria-label={tr.t('tracker.doneNamed', { title: a.title })} onClick={() => setStatus(a, 'done')}>
                  {tr.t('review.outcome.done')}
                </button>
                <button type="button" class="secondary" aria-label={tr.t('tracker.dropNamed', { title: a.title })} onClick={() => setStatus(a, 'discarded')}>
                  {tr.t('review.outcome.discarded')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <p class="muted small">{tr.t('tracker.closedCount', { done: (data.data.done ?? []).length, discarded: (data.data.discarded ?? []).length })}</p>
    </>
  );
}
