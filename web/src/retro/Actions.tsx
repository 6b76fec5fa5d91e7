import { useState } from 'preact/hooks';
import type { RetroView } from '../api/types';
import { useI18n } from '../i18n';
import { personName, topicTitle } from './names';
import type { RetroState } from './useRetro';

/** Action items with assignee and due date. */
export function Actions({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const [title, setTitle] = useState('');
  const [assignee, setAssignee] = useState('');
  const [due, setDue] = useState('');
  const [topicId, setTopicId] = useState('');
  const actions = view.actions ?? [];
  const topics = view.topics ?? [];
  const can = view.you.participant && !view.closed;
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = title.trim();
    if (!t) return;
    const body: Record<string, unknown> = { title: t };
    if (assignee) body.assignee = assignee;
    if (topicId) body.topicId = topicId;
    if (due) body.due = new Date(`${due}T12:00:00Z`).toISOString();
    setTitle('');
    await retro.send('POST', '/actions', body);
  };
  return (
    <section class="card" aria-labelledby="actions-h">
      <h2 id="actions-h">{tr.t('actions.title')}</h2>
      {actions.length === 0 ? (
        <p class="muted">{tr.t('actions.none')}</p>
      ) : (
        <ul class="list">
          {actions.map((a) => (
            <li key={a.id}>
              <span class="strong">{a.title}</span>{' '}
              <span class="muted">
                {a.assignee ? personName(a.assignee, view, retro.names, tr) : tr.t('actions.nobody')}
                {a.due ? ` · ${tr.t('actions.dueOn', { date: tr.date(a.due) })}` : ''}
                {' · '}
                {a.status === 'open' || a.status === 'done' || a.status === 'discarded' ? tr.t(`actions.status.${a.status}`) : a.status}
              </span>
            </li>
          ))}
        </ul>
      )}
      {can && (
        <form class="inline-form" onSubmit={submit} aria-label={tr.t('actions.new')}>
          <div class="field">
            <label for="action-title">{tr.t('actions.what')}</label>
            <input id="action-title" value={title} maxLength={500} required onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="action-assignee">{tr.t('actions.assignee')}</label>
            <select id="action-assignee" value={assignee} onChange={(e) => setAssignee((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{tr.t('actions.nobody')}</option>
              {(view.participants ?? []).map((p) => (
                <option key={p.userId} value={p.userId}>
                  {personName(p.userId, view, retro.names, tr)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="action-due">{tr.t('actions.due')}</label>
            <input id="action-due" type="date" value={due} onInput={(e) => setDue((e.currentTarget as HTMLInputElement).value)} />
          </div>
          {topics.length > 0 && (
            <div class="field">
              <label for="action-topic">{tr.t('actions.topic')}</label>
              <select id="action-topic" value={topicId} onChange={(e) => setTopicId((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">—</option>
                {topics.map((t) => (
                  <option key={t.id} value={t.id}>
                    {topicTitle(t, tr)}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="submit">{tr.t('actions.add')}</button>
        </form>
      )}
    </section>
  );
}
