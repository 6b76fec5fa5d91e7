import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { HistoryEntry, Page, Result, TeamMember, TeamView } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import { useServices, useSession } from '../services';
import { Field, FormError } from '../ui/forms';
import { useLoad } from '../ui/useLoad';
import { TeamSurveys } from './Survey';
import { TeamBoards } from './TeamBoards';
import { Tracker } from './Tracker';

export function Team({ teamId }: { teamId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const { me } = useSession();
  const id = encodeURIComponent(teamId);
  const team = useLoad(() => client.get<TeamView>(`/v1/teams/${id}`), [teamId]);
  const members = useLoad(() => client.get<Page<TeamMember>>(`/v1/teams/${id}/members`), [teamId]);
  const retros = useLoad(() => client.get<Page<HistoryEntry>>(`/v1/teams/${id}/retros`), [teamId]);

  if (team.error) return <p role="alert">{describeError(team.error, tr)}</p>;
  if (!team.data) return <p>{tr.t('app.loading')}</p>;
  const t = team.data;
  const history = [...(retros.data?.items ?? [])].reverse();

  return (
    <div class="stack">
      <h1>{tr.t('team.title', { name: t.name })}</h1>
      {t.isMember && (
        <p>
          <a href={`/teams/${teamId}/dashboard`}>{tr.t('dash.link')}</a>
        </p>
      )}
      <section class="card" aria-labelledby="retros-h">
        <h2 id="retros-h">{tr.t('team.retros')}</h2>
        {t.isMember && (
          <p>
            <a class="button" href={`/teams/${teamId}/new-retro`}>
              {tr.t('team.newRetro')}
            </a>
          </p>
        )}
        {retros.error ? (
          <p role="alert">{describeError(retros.error, tr)}</p>
        ) : history.length === 0 ? (
          <p>{tr.t('team.noRetros')}</p>
        ) : (
          <ul class="list">
            {history.map((r) => (
              <li key={r.retroId}>
                <a href={`/retros/${r.retroId}`}>{r.title || r.retroId}</a>{' '}
                <span class="muted">
                  {tr.date(r.createdAt)} · {tr.t('team.retroSummary', { cards: r.cards ?? 0, actions: r.actions ?? 0 })}
                  {r.closedAt ? ` · ${tr.t('step.closed')}` : ''}
                </span>
                {r.closedAt && (
                  <>
                    {' '}
                    <a href={`/retros/${r.retroId}/archive`} aria-label={`${tr.t('past.archive')}: ${r.title || r.retroId}`}>
                      {tr.t('past.archive')}
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {t.isMember && <TeamSurveys teamId={teamId} canSend />}
      {t.isMember && <TeamBoards teamId={teamId} canCreate />}
      <section class="card" aria-labelledby="tracker-h">
        <h2 id="tracker-h">{tr.t('team.actions')}</h2>
        <Tracker teamId={teamId} members={members.data} />
      </section>
      <section class="card" aria-labelledby="members-h">
        <h2 id="members-h">{tr.t('team.members')}</h2>
        {members.error ? (
          <p role="alert">{describeError(members.error, tr)}</p>
        ) : (
          <ul class="list">
            {(members.data?.items ?? []).map((m) => (
              <li key={m.userId}>
                {m.name || m.email || m.userId}
                {m.userId === me?.userId ? ` (${tr.t('team.you')})` : ''}{' '}
                <span class="muted">{m.role === 'guest' ? tr.t('role.guest') : m.admin || m.role === 'admin' ? tr.t('role.admin') : tr.t('role.member')}</span>
              </li>
            ))}
          </ul>
        )}
        {t.isAdmin && <AddMember teamId={teamId} onAdded={members.reload} />}
      </section>
    </div>
  );
}

function AddMember({ teamId, onAdded }: { teamId: string; onAdded: () => void }) {
  const tr = useI18n();
  const { client } = useServices();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [key, setKey] = useState(newUUID);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setDone('');
    try {
      await client.request<Result>('POST', `/v1/teams/${encodeURIComponent(teamId)}/members`, { email, role }, { idempotencyKey: key });
      setDone(tr.t('team.added', { email }));
      setEmail('');
      setKey(newUUID());
      onAdded();
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  return (
    <form onSubmit={submit} class="inline-form" aria-label={tr.t('team.addMember')}>
      <Field label={tr.t('team.memberEmail')} type="email" value={email} onInput={setEmail} required />
      <div class="field">
        <label for="member-role">{tr.t('team.memberRole')}</label>
        <select id="member-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value)}>
          <option value="member">{tr.t('role.member')}</option>
          <option value="admin">{tr.t('role.admin')}</option>
        </select>
      </div>
      <FormError>{error}</FormError>
      {done && <p role="status">{done}</p>}
      <button type="submit">{tr.t('team.addMember')}</button>
    </form>
  );
}
