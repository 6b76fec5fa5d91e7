import { useState } from 'preact/hooks';
import { newUUID } from '../api/ids';
import { describeError } from '../api/problem';
import type { Page, Result } from '../api/types';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices } from '../services';
import { FormError } from '../ui/forms';
import { useLoad } from '../ui/useLoad';

interface BoardListing {
  id: string;
  title: string;
  retroId?: string;
  templateId?: string;
  archived: boolean;
}
interface BoardTemplate {
  id: string;
  name: string;
  description: string;
}

/** A team's whiteboards, and a new one from a whiteboard template. */
export function TeamBoards({ teamId, canCreate }: { teamId: string; canCreate: boolean }) {
  const tr = useI18n();
  const { client } = useServices();
  const id = encodeURIComponent(teamId);
  const boards = useLoad(() => client.get<Page<BoardListing>>(`/v1/teams/${id}/whiteboards`), [teamId]);
  const templates = useLoad(() => client.get<Page<BoardTemplate>>('/v1/catalog/whiteboard-templates'), []);
  const [template, setTemplate] = useState('');
  const [error, setError] = useState('');
  const [key, setKey] = useState(newUUID);
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const r = await client.request<Result>('POST', `/v1/teams/${id}/whiteboards`, { templateId: template || undefined }, { idempotencyKey: key });
      setKey(newUUID());
      if (r.id) navigate(`/boards/${r.id}`);
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  const items = boards.data?.items ?? [];
  return (
    <section class="card" aria-labelledby="boards-h">
      <h2 id="boards-h">{tr.t('wb.boards')}</h2>
      {boards.error ? (
        <p role="alert">{describeError(boards.error, tr)}</p>
      ) : items.length === 0 ? (
        <p>{tr.t('wb.none')}</p>
      ) : (
        <ul class="list">
          {items.map((b) => (
            <li key={b.id}>
              <a href={`/boards/${b.id}`}>{b.title || b.id}</a>
              {b.archived && <span class="muted"> · {tr.t('wb.archived')}</span>}
            </li>
          ))}
        </ul>
      )}
      {canCreate && (
        <form onSubmit={create} class="inline-form" aria-label={tr.t('wb.new')}>
          <div class="field">
            <label for="board-template">{tr.t('wb.template')}</label>
            <select id="board-template" value={template} onChange={(e) => setTemplate((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">—</option>
              {(templates.data?.items ?? []).map((t) => (
                <option value={t.id} key={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <FormError>{error}</FormError>
          <button type="submit">{tr.t('wb.create')}</button>
        </form>
      )}
    </section>
  );
}
