import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { MyTeam, MyWorkspace, Page, Result, SurveyView, TeamTemplate } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices } from '../services';
import { Field, FormError } from '../ui/forms';
import { useLoad } from '../ui/useLoad';
import { Tracker } from './Tracker';

export function Home() {
  const tr = useI18n();
  const { client } = useServices();
  const ws = useLoad(() => client.get<Page<MyWorkspace>>('/v1/me/workspaces'), []);
  const teams = useLoad(() => client.get<Page<MyTeam>>('/v1/me/teams'), []);
  const templates = useLoad(() => client.get<Page<TeamTemplate>>('/v1/catalog/team-templates'), []);

  return (
    <div class="stack">
      <h1>{tr.t('home.title')}</h1>
      <section aria-labelledby="teams-h" class="card">
        <h2 id="teams-h">{tr.t('home.teams')}</h2>
        {teams.error ? (
          <p role="alert">{describeError(teams.error, tr)}</p>
        ) : !teams.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : teams.data.items.length === 0 ? (
          <p>{tr.t('home.noTeams')}</p>
        ) : (
          <ul class="list">
            {teams.data.items.map((t) => (
              <li key={t.id}>
                <a href={`/teams/${t.id}`}>{t.name}</a> <span class="muted">{t.workspaceName}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <OpenSurveys />
      <section aria-labelledby="my-actions-h" class="card">
        <h2 id="my-actions-h">{tr.t('home.myActions')}</h2>
        <Tracker />
      </section>
      <section aria-labelledby="ws-h" class="card">
        <h2 id="ws-h">{tr.t('home.workspaces')}</h2>
        {ws.error ? (
          <p role="alert">{describeError(ws.error, tr)}</p>
        ) : !ws.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : ws.data.items.length === 0 ? (
          <p>{tr.t('home.noWorkspaces')}</p>
        ) : (
          <ul class="list">
            {ws.data.items.map((w) => (
              <li key={w.id}>
                <span class="strong">{w.name}</span> <span class="muted">{tr.t('home.role', { role: roleName(tr, w.role) })}</span>
                {w.role === 'admin' && (
                  <>
                    {' '}
                    <a href={`/workspaces/${w.id}/dashboard`} aria-label={`${tr.t('dash.wsLink')}: ${w.name}`}>
                      {tr.t('dash.wsLink')}
                    </a>
                  </>
                )}
                {w.role === 'admin' && (
                  <CreateTeam workspaceId={w.id} templates={templates.data?.items ?? []} onCreated={(id) => navigate(`/teams/${id}`)} />
                )}
              </li>
            ))}
          </ul>
        )}
        <CreateWorkspace onCreated={ws.reload} />
      </section>
    </div>
  );
}

function roleName(tr: ReturnType<typeof useI18n>, role: string): string {
  return role === 'admin' || role === 'member' || role === 'guest' ? tr.t(`role.${role}`) : role;
}

function CreateWorkspace({ onCreated }: { onCreated: () => void }) {
  const tr = useI18n();
  const { client } = useServices();
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [key, setKey] = useState(newUUID);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      await client.request<Result>('POST', '/v1/workspaces', { name }, { idempotencyKey: key });
      setName('');
      setKey(newUUID());
      onCreated();
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  return (
    <form onSubmit={submit} class="inline-form" aria-label={tr.t('home.createWorkspace')}>
      <Field label={tr.t('home.workspaceName')} value={name} onInput={setName} required maxLength={200} />
      <FormError>{error}</FormError>
      <button type="submit">{tr.t('home.createWorkspace')}</button>
    </form>
  );
}

function CreateTeam({ workspaceId, templates, onCreated }: { workspaceId: string; templates: TeamTemplate[]; onCreated: (id: string) => void }) {
  const tr = useI18n();
  const { client } = useServices();
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [error, setError] = useState('');
  const [key] = useState(newUUID);
  const chosen = templateId || templates[0]?.id || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const r = await client.request<Result>('POST', `/v1/workspaces/${workspaceId}/teams`, { name, templateId: chosen }, { idempotencyKey: key });
      if (r.id) onCreated(r.id);
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  const selectId = `tt-${workspaceId}`;
  return (
    <form onSubmit={submit} class="inline-form" aria-label={tr.t('home.createTeam')}>
      <Field label={tr.t('home.teamName')} value={name} onInput={setName} required maxLength={200} />
      <div class="field">
        <label for={selectId}>{tr.t('home.teamTemplate')}</label>
        <select id={selectId} value={chosen} onChange={(e) => setTemplateId((e.currentTarget as HTMLSelectElement).value)}>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <FormError>{error}</FormError>
      <button type="submit">{tr.t('home.createTeam')}</button>
    </form>
  );
}

/** Surveys open to me now, so nobody has to be told one exists. */
export function OpenSurveys() {
  const tr = useI18n();
  const { client } = useServices();
  const open = useLoad(() => client.get<Page<SurveyView>>('/v1/me/surveys'), []);
  const items = open.data?.items ?? [];
  if (!open.error && items.length === 0) return null;
  return (
    <section aria-labelledby="open-surveys-h" class="card">
      <h2 id="open-surveys-h">{tr.t('home.openSurveys')}</h2>
      {open.error ? (
        <p role="alert">{describeError(open.error, tr)}</p>
      ) : (
        <ul class="list">
          {items.map((s) => (
            <li key={s.id}>
              <a href={`/surveys/${s.id}`}>{s.title}</a>{' '}
              <span class="muted">
                {tr.t('survey.open', { date: tr.date(s.closesAt) })}
                {s.own ? ` · ${tr.t('survey.answered')}` : ` · ${tr.t('home.surveyWaiting')}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
