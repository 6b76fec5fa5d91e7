import { useMemo, useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { HealthPack, Icebreaker, Page, Result, RetroTemplate, StepKind } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useServices } from '../services';
import { ChoiceField, Field, FormError } from '../ui/forms';
import { useLoad } from '../ui/useLoad';
import { maxVotesOffered, suggestedVoting } from '../retro/votingDefaults';

/** The steps a retro gets when it is created without an agenda (domain/retro DefaultAgenda). */
export const defaultSteps: StepKind[] = [
  'lobby', 'icebreaker', 'action-review', 'health-check', 'collect', 'group', 'vote', 'discuss', 'roti', 'closed',
];

export function matchesTemplate(t: RetroTemplate, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  const hay = [t.name, t.description, ...(t.tags ?? []), ...(t.columns ?? []).map((c) => `${c.title} ${c.prompt}`)]
    .join(' ')
    .toLowerCase();
  return needle.split(/\s+/).every((w) => hay.includes(w));
}

export function NewRetro({ teamId }: { teamId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const templates = useLoad(() => client.get<Page<RetroTemplate>>('/v1/catalog/retro-templates'), []);
  const icebreakers = useLoad(() => client.get<Page<Icebreaker>>('/v1/catalog/icebreakers'), []);
  const packs = useLoad(() => client.get<Page<HealthPack>>('/v1/catalog/health-packs'), []);
  const [icebreakerId, setIcebreakerId] = useState('');
  const [packId, setPackId] = useState('');
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState('');
  const [title, setTitle] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [budget, setBudget] = useState(String(suggestedVoting.budget));
  const [cap, setCap] = useState(String(suggestedVoting.cap ?? 0));
  const [error, setError] = useState('');
  // One key per intent, so a retried submit creates one retro and chooses once.
  const [key] = useState(newUUID);
  const [iceKey] = useState(newUUID);
  const [packKey] = useState(newUUID);
  const all = templates.data?.items ?? [];
  const shown = useMemo(() => all.filter((t) => matchesTemplate(t, q)), [all, q]);
  const current = all.find((t) => t.id === chosen) ?? shown[0];

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const r = await client.request<Result>(
        'POST',
        `/v1/teams/${encodeURIComponent(teamId)}/retros`,
        { title, templateId: current?.id, anonymous, voting: { budget: Number(budget), cap: Number(cap) || 0 } },
        { idempotencyKey: key },
      );
      if (!r.id) return;
      const retro = `/v1/retros/${encodeURIComponent(r.id)}`;
      // The choices are the moderator's first commands in the new retro: the
      // question shows at the icebreaker step, the pack's questions at the
      // health check (started now, answered when the agenda gets there).
      if (icebreakerId) await client.request('POST', `${retro}/icebreaker`, { icebreakerId }, { idempotencyKey: iceKey });
      if (packId) await client.request('POST', `${retro}/health`, { packId }, { idempotencyKey: packKey });
      navigate(`/retros/${r.id}`);
    } catch (err) {
      setError(describeError(err, tr));
    }
  };

  return (
    <div class="stack">
      <h1>{tr.t('newRetro.title')}</h1>
      <form onSubmit={submit} class="stack">
        <Field label={tr.t('newRetro.retroTitle')} name="title" value={title} onInput={setTitle} required maxLength={200} />
        <Field label={tr.t('newRetro.search')} type="search" value={q} onInput={setQ} />
        {templates.error ? <p role="alert">{describeError(templates.error, tr)}</p> : null}
        <fieldset class="templates">
          <legend>{tr.t('newRetro.template')}</legend>
          {shown.length === 0 && templates.data && <p>{tr.t('newRetro.noMatch', { q })}</p>}
          {shown.map((t) => (
            <label key={t.id} class={`template ${current?.id === t.id ? 'selected' : ''}`}>
              <input type="radio" name="template" value={t.id} checked={current?.id === t.id} onChange={() => setChosen(t.id)} />
              <span class="strong">{t.name}</span>
              <span class="muted">{t.description}</span>
            </label>
          ))}
        </fieldset>
        {current && (
          <section class="card preview" aria-labelledby="preview-h">
            <h2 id="preview-h">{current.name}</h2>
            <h3>{tr.t('newRetro.columns')}</h3>
            <ul class="columns-preview">
              {(current.columns ?? []).map((c) => (
                <li key={c.id}>
                  <span class="strong">{c.title}</span> <span class="muted">{c.prompt}</span>
                </li>
              ))}
            </ul>
            <h3>{tr.t('newRetro.steps')}</h3>
            <ol class="steps-preview">
              {defaultSteps.map((k) => (
                <li key={k}>{tr.t(`step.${k}`)}</li>
              ))}
            </ol>
          </section>
        )}
        <ChoiceField
          label={tr.t('newRetro.icebreaker')}
          value={icebreakerId}
          onChange={setIcebreakerId}
          none={tr.t('newRetro.icebreakerRandom')}
          options={(icebreakers.data?.items ?? []).map((i) => ({ id: i.id, label: i.text }))}
        />
        <ChoiceField
          label={tr.t('newRetro.healthPack')}
          value={packId}
          onChange={setPackId}
          none={tr.t('newRetro.healthPackDefault')}
          options={(packs.data?.items ?? []).map((p) => ({ id: p.id, label: p.name }))}
        />
        <fieldset class="stack">
          <legend>{tr.t('newRetro.voting')}</legend>
          <p class="muted small" id="voting-help">{tr.t('newRetro.votingHelp')}</p>
          <div class="inline-form">
            <div class="field">
              <label for="new-vote-budget">{tr.t('vote.budget')}</label>
              <input id="new-vote-budget" type="number" min={1} max={maxVotesOffered} required aria-describedby="voting-help" value={budget} onInput={(e) => setBudget((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="new-vote-cap">{tr.t('vote.cap')}</label>
              <input id="new-vote-cap" type="number" min={0} max={maxVotesOffered} aria-describedby="voting-help" value={cap} onInput={(e) => setCap((e.currentTarget as HTMLInputElement).value)} />
            </div>
          </div>
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.currentTarget as HTMLInputElement).checked)} />
          {tr.t('newRetro.anonymous')}
        </label>
        <FormError>{error}</FormError>
        <button type="submit" disabled={!current}>
          {tr.t('newRetro.create')}
        </button>
      </form>
    </div>
  );
}
