import { useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { HealthPack, Page, Result, SurveyQuestionResult, SurveyView } from '../api/types';
import { newUUID } from '../api/ids';
import { useI18n, type Translator } from '../i18n';
import { scores } from '../retro/Warmup';
import { useServices } from '../services';
import { ChoiceField, Field, FormError } from '../ui/forms';
import { useLoad } from '../ui/useLoad';

/** A question's result in words: the average, or "too few answers" under the minimum group. */
export function surveyResult(tr: Translator, r: SurveyQuestionResult): string {
  if (r.withheld || r.average == null) return tr.t('survey.tooFew', { count: r.count });
  const base = tr.t('survey.average', { avg: r.average.toFixed(1), count: r.count });
  return r.enps != null ? `${base} · eNPS ${Math.round(r.enps)}` : base;
}

/** One survey: answer it while open, close it (its sender), read its results once closed. */
export function SurveyPage({ surveyId }: { surveyId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const path = `/v1/surveys/${encodeURIComponent(surveyId)}`;
  const survey = useLoad(() => client.get<SurveyView>(path), [surveyId]);
  const [ratings, setRatings] = useState<Record<string, number>>({});
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [key] = useState(newUUID);
  const [closeKey] = useState(newUUID);
  if (survey.error) return <p role="alert">{describeError(survey.error, tr)}</p>;
  const s = survey.data;
  if (!s) return <p>{tr.t('app.loading')}</p>;
  const act = async (run: () => Promise<unknown>) => {
    setError('');
    try {
      await run();
      survey.reload();
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const open = Object.fromEntries(Object.entries(answers).filter(([, v]) => v.trim()));
    void act(() => client.request<Result>('POST', `${path}/responses`, { ratings, answers: open }, { idempotencyKey: key }));
  };
  const answering = !s.closed && !s.own;
  return (
    <div class="stack">
      <h1>{s.title}</h1>
      <p class="muted">
        {s.closed ? tr.t('survey.closed') : tr.t('survey.open', { date: tr.date(s.closesAt) })} · {tr.tn('survey.responses', s.responseCount)}
      </p>
      {s.own && <p role="status">{tr.t('survey.answered')}</p>}
      {answering && (
        <form class="stack" onSubmit={submit}>
          <p class="muted">{tr.t('survey.anonymous')}</p>
          {(s.healthQuestions ?? []).map((q) => (
            <fieldset key={q.id} class="card health-q">
              <legend class="strong">{q.text}</legend>
              {q.low && (
                <p class="small muted">
                  {q.low} ↔ {q.high}
                </p>
              )}
              <div class="row">
                {scores(q.scale).map((n) => (
                  <button
                    key={n}
                    type="button"
                    class={ratings[q.id] === n ? 'chosen' : 'secondary'}
                    aria-pressed={ratings[q.id] === n}
                    aria-label={tr.t('health.scoreLabel', { score: n, question: q.text })}
                    onClick={() => setRatings({ ...ratings, [q.id]: n })}
                  >
                    {n}
                  </button>
                ))}
              </div>
            </fieldset>
          ))}
          {(s.openQuestions ?? []).map((q) => (
            <Field key={q.id} label={q.text} value={answers[q.id] ?? ''} onInput={(v) => setAnswers({ ...answers, [q.id]: v })} maxLength={2000} />
          ))}
          <button type="submit" disabled={Object.keys(ratings).length === 0}>
            {tr.t('survey.submit')}
          </button>
        </form>
      )}
      <FormError>{error}</FormError>
      {s.canClose && !s.closed && (
        <p>
          <button type="button" class="secondary" onClick={() => act(() => client.request<Result>('POST', `${path}/close`, undefined, { idempotencyKey: closeKey }))}>
            {tr.t('survey.close')}
          </button>
        </p>
      )}
      {s.results && (
        <section class="card" aria-labelledby="results-h">
          <h2 id="results-h">{tr.t('survey.results')}</h2>
          <ul class="list">
            {(s.results.questions ?? []).map((r) => (
              <li key={r.question.id}>
                <span class="strong">{r.question.text}</span>: <span class="survey-result">{surveyResult(tr, r)}</span>
              </li>
            ))}
          </ul>
          {s.results.openAnswersWithheld && <p class="muted">{tr.t('survey.openWithheld')}</p>}
          {(s.results.openAnswers ?? []).length > 0 && (
            <ul class="list">
              {(s.results.openAnswers ?? []).map((a, i) => (
                <li key={i}>{a.text}</li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

/** The team's surveys, and a form to send one (a team page section). */
export function TeamSurveys({ teamId, canSend }: { teamId: string; canSend: boolean }) {
  const tr = useI18n();
  const { client } = useServices();
  const [after, setAfter] = useState(0);
  const list = useLoad(
    () => client.get<Page<SurveyView>>(`/v1/teams/${encodeURIComponent(teamId)}/surveys${after ? `?after=${after}` : ''}`),
    [teamId, after],
  );
  const items = [...(list.data?.items ?? [])].reverse();
  return (
    <section class="card" aria-labelledby="surveys-h">
      <h2 id="surveys-h">{tr.t('survey.title')}</h2>
      {list.error ? (
        <p role="alert">{describeError(list.error, tr)}</p>
      ) : items.length === 0 ? (
        <p>{tr.t('survey.none')}</p>
      ) : (
        <ul class="list">
          {items.map((s) => (
            <li key={s.id}>
              <a href={`/surveys/${s.id}`}>{s.title}</a>{' '}
              <span class="muted">
                {s.closed ? tr.t('survey.closed') : tr.t('survey.open', { date: tr.date(s.closesAt) })} · {tr.tn('survey.responses', s.responseCount)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canSend && <SendSurvey teamId={teamId} onSent={setAfter} />}
    </section>
  );
}

function SendSurvey({ teamId, onSent }: { teamId: string; onSent: (position: number) => void }) {
  const tr = useI18n();
  const { client } = useServices();
  const packs = useLoad(() => client.get<Page<HealthPack>>('/v1/catalog/health-packs'), []);
  const [title, setTitle] = useState('');
  const [packId, setPackId] = useState('');
  const [days, setDays] = useState('7');
  const [error, setError] = useState('');
  const [key, setKey] = useState(newUUID);
  const chosen = packId || packs.data?.items[0]?.id || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const closesAt = new Date(Date.now() + Math.max(1, Number(days) || 7) * 86_400_000).toISOString();
    try {
      const r = await client.request<Result>('POST', '/v1/surveys', { teamIds: [teamId], title, packId: chosen, closesAt }, { idempotencyKey: key });
      setTitle('');
      setKey(newUUID());
      onSent(r.position);
    } catch (err) {
      setError(describeError(err, tr));
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={tr.t('survey.send')}>
      <Field label={tr.t('survey.name')} value={title} onInput={setTitle} required maxLength={200} />
      <ChoiceField
        label={tr.t('survey.pack')}
        value={packId}
        onChange={setPackId}
        none={packs.data?.items[0]?.name ?? '—'}
        options={(packs.data?.items ?? []).slice(1).map((p) => ({ id: p.id, label: p.name }))}
      />
      <Field label={tr.t('survey.days')} type="number" value={days} onInput={setDays} required />
      <FormError>{error}</FormError>
      <button type="submit" disabled={!chosen}>
        {tr.t('survey.send')}
      </button>
    </form>
  );
}
