import { useState } from 'preact/hooks';
import type { RetroView, StepKind } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import type { RetroState } from './useRetro';

const addable: StepKind[] = ['icebreaker', 'action-review', 'health-check', 'collect', 'group', 'vote', 'discuss', 'roti'];

/** The moderator edits the agenda: moves steps up or down, adds a step after the current one. */
export function AgendaEditor({ view, retro }: { view: RetroView; retro: RetroState }) {
  const tr = useI18n();
  const steps = view.agenda ?? [];
  const [kind, setKind] = useState<StepKind>('discuss');
  const [title, setTitle] = useState('');
  const move = (i: number, by: number) => {
    const order = steps.map((s) => s.id);
    const j = i + by;
    if (j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j]!, order[i]!];
    void retro.send('POST', '/steps/order', { order });
  };
  return (
    <details class="agenda-editor">
      <summary>{tr.t('agenda.edit')}</summary>
      <ol class="list">
        {steps.map((s, i) => {
          const label = s.title || tr.t(`step.${s.kind}`);
          return (
            <li key={s.id} class="row">
              <span class="topic-title">{label}</span>
              <button type="button" class="secondary" disabled={i === 0} aria-label={tr.t('agenda.up', { step: label })} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" class="secondary" disabled={i === steps.length - 1} aria-label={tr.t('agenda.down', { step: label })} onClick={() => move(i, 1)}>
                ↓
              </button>
            </li>
          );
        })}
      </ol>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const step: Record<string, string> = { id: `step-${newUUID().slice(0, 8)}`, kind };
          if (title.trim()) step.title = title.trim();
          void retro.send('POST', '/steps', { step, after: view.currentStep });
          setTitle('');
        }}
      >
        <div class="field">
          <label for="new-step-kind">{tr.t('agenda.kind')}</label>
          <select id="new-step-kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as StepKind)}>
            {addable.map((k) => (
              <option key={k} value={k}>
                {tr.t(`step.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="new-step-title">{tr.t('agenda.title')}</label>
          <input id="new-step-title" value={title} maxLength={200} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="secondary">
          {tr.t('agenda.add')}
        </button>
      </form>
    </details>
  );
}
