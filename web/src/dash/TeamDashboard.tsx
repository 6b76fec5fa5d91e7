import { useMemo } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { CatalogPack, Dimension, HistoryEntry, TeamTrends, TeamView } from '../api/types';
import { useI18n } from '../i18n';
import type { TrackerSummary } from '../pages/Tracker';
import { useServices } from '../services';
import { useLoad } from '../ui/useLoad';
import { LineChart } from './Chart';
import { allPages, numberFormat } from './format';
import { enpsChart, healthCharts, rotiChart, type ChartData } from './shape';

/** Lays out a chart whose dates are ISO times. */
function Chart({ data }: { data: ChartData }) {
  const tr = useI18n();
  const fmt = useMemo(() => numberFormat(tr), [tr]);
  const labels = useMemo(() => data.at.map((a) => tr.date(a)), [data, tr]);
  return <LineChart title={data.title} xLabels={labels} series={data.series} min={data.min} max={data.max} format={fmt} />;
}

/**
 * A team's dashboard: health per dimension over time, eNPS, ROTI over
 * time, the action tracker's counts with what is overdue, the retro
 * history, and the downloads. Members only, as the server says.
 */
export function TeamDashboard({ teamId }: { teamId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const id = encodeURIComponent(teamId);
  const team = useLoad(() => client.get<TeamView>(`/v1/teams/${id}`), [teamId]);
  const trends = useLoad(() => client.get<TeamTrends>(`/v1/teams/${id}/health`), [teamId]);
  const retros = useLoad(() => allPages<HistoryEntry>((x) => client.get(x), `/v1/teams/${id}/retros`), [teamId]);
  const tracker = useLoad(() => client.get<TrackerSummary>(`/v1/teams/${id}/action-tracker`), [teamId]);
  const packs = useLoad(() => allPages<CatalogPack>((x) => client.get(x), '/v1/catalog/health-packs'), []);
  const dims = useLoad(() => allPages<Dimension>((x) => client.get(x), '/v1/catalog/dimensions'), []);
  const fmt = useMemo(() => numberFormat(tr), [tr]);
  const tooFew = tr.t('dash.tooFew');

  const health = useMemo(
    () => (trends.data && packs.data && dims.data ? healthCharts(trends.data, packs.data, dims.data, tooFew, tr.t('dash.otherQuestions')) : null),
    [trends.data, packs.data, dims.data, tooFew, tr],
  );
  const enps = useMemo(() => (trends.data ? enpsChart(trends.data, tr.t('dash.enps'), tooFew) : null), [trends.data, tooFew, tr]);
  const roti = useMemo(
    () => (retros.data ? rotiChart(retros.data, (sc) => (sc ? tr.t('dash.rotiOn', { scale: sc }) : tr.t('dash.roti')), tooFew) : null),
    [retros.data, tooFew, tr],
  );

  if (team.error) return <p role="alert">{describeError(team.error, tr)}</p>;
  if (!team.data) return <p>{tr.t('app.loading')}</p>;
  const t = team.data;
  const history = [...(retros.data ?? [])].reverse();
  const failed = trends.error ?? packs.error ?? dims.error;
  const lastEnps = trends.data?.enps.points?.at(-1);

  return (
    <div class="stack dashboard">
      <h1>{tr.t('dash.teamTitle', { name: t.name })}</h1>
      <p>
        <a href={`/teams/${teamId}`}>{tr.t('dash.backToTeam', { name: t.name })}</a>
      </p>
      <section class="card" aria-labelledby="downloads-h">
        <h2 id="downloads-h">{tr.t('dash.downloads')}</h2>
        <ul class="list">
          <li>
            <a href={`/v1/teams/${id}/events`} download={`team-${teamId}.ndjson`}>
              {tr.t('dash.downloadEvents')}
            </a>{' '}
            <span class="muted small">{tr.t('dash.downloadEventsHint')}</span>
          </li>
          {t.isAdmin && (
            <li>
              <a href={`/v1/teams/${id}/sqlite`} download={`team-${teamId}.sqlite`}>
                {tr.t('dash.downloadSqlite')}
              </a>{' '}
              <span class="muted small">{tr.t('dash.downloadSqliteHint')}</span>
            </li>
          )}
        </ul>
      </section>

      <section class="card" aria-labelledby="health-h">
        <h2 id="health-h">{tr.t('dash.health')}</h2>
        {failed ? (
          <p role="alert">{describeError(failed, tr)}</p>
        ) : !health ? (
          <p>{tr.t('app.loading')}</p>
        ) : health.length === 0 ? (
          <p class="muted">{tr.t('dash.noHealth')}</p>
        ) : (
          health.map((c) => <Chart key={c.id} data={c} />)
        )}
      </section>

      <section class="card" aria-labelledby="enps-h">
        <h2 id="enps-h">{tr.t('dash.enps')}</h2>
        <p class="muted small">{tr.t('dash.enpsHint')}</p>
        {lastEnps && (
          <p class="strong" id="enps-latest">
            {lastEnps.suppressed || typeof lastEnps.value !== 'number'
              ? tr.t('dash.latestTooFew', { date: tr.date(lastEnps.at) })
              : tr.t('dash.latest', { value: fmt(lastEnps.value), date: tr.date(lastEnps.at) })}
            {trends.data?.enps.trend ? ` · ${tr.t(`dash.trend.${trends.data.enps.trend}` as 'dash.trend.steady')}` : ''}
          </p>
        )}
        {enps ? <Chart data={enps} /> : <p>{tr.t('app.loading')}</p>}
      </section>

      <section class="card" aria-labelledby="roti-h">
        <h2 id="roti-h">{tr.t('dash.roti')}</h2>
        {retros.error ? <p role="alert">{describeError(retros.error, tr)}</p> : roti ? <Chart data={roti} /> : <p>{tr.t('app.loading')}</p>}
      </section>

      <section class="card" aria-labelledby="actions-h">
        <h2 id="actions-h">{tr.t('dash.actions')}</h2>
        {tracker.error ? (
          <p role="alert">{describeError(tracker.error, tr)}</p>
        ) : !tracker.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : (
          <ActionCounts s={tracker.data} />
        )}
      </section>

      <section class="card" aria-labelledby="history-h">
        <h2 id="history-h">{tr.t('dash.history')}</h2>
        {history.length === 0 ? (
          <p class="muted">{tr.t('team.noRetros')}</p>
        ) : (
          <div class="table-scroll">
            <table class="history">
              <caption class="sr-only">{tr.t('dash.history')}</caption>
              <thead>
                <tr>
                  <th scope="col">{tr.t('dash.when')}</th>
                  <th scope="col">{tr.t('dash.retro')}</th>
                  <th scope="col">{tr.t('dash.participants')}</th>
                  <th scope="col">{tr.t('dash.cards')}</th>
                  <th scope="col">{tr.t('dash.actionsCol')}</th>
                  <th scope="col">{tr.t('dash.roti')}</th>
                </tr>
              </thead>
              <tbody>
                {history.map((r) => (
                  <tr key={r.retroId}>
                    <td>{tr.date(r.createdAt)}</td>
                    <td>
                      <a href={r.closedAt ? `/retros/${r.retroId}/archive` : `/retros/${r.retroId}`}>{r.title || r.retroId}</a>{' '}
                      <a href={`/retros/${r.retroId}/at`} class="small" aria-label={tr.t('dash.replayNamed', { title: r.title || r.retroId })}>
                        {tr.t('dash.replay')}
                      </a>
                    </td>
                    <td>{r.participants ?? 0}</td>
                    <td>{r.cards ?? 0}</td>
                    <td>{r.actions ?? 0}</td>
                    <td>{typeof r.rotiAverage === 'number' ? fmt(r.rotiAverage) : r.closedAt && (r.rotiRatings ?? 0) > 0 ? tooFew : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

/** The tracker's counts, and the overdue actions by name. */
export function ActionCounts({ s }: { s: TrackerSummary }) {
  const tr = useI18n();
  const open = s.open ?? [];
  const overdue = open.filter((a) => a.overdue);
  return (
    <>
      <dl class="counts">
        <div>
          <dt>{tr.t('dash.open')}</dt>
          <dd data-count="open">{open.length}</dd>
        </div>
        <div>
          <dt>{tr.t('dash.overdue')}</dt>
          <dd data-count="overdue">{s.overdue}</dd>
        </div>
        <div>
          <dt>{tr.t('dash.done')}</dt>
          <dd data-count="done">{(s.done ?? []).length}</dd>
        </div>
        <div>
          <dt>{tr.t('dash.dropped')}</dt>
          <dd data-count="discarded">{(s.discarded ?? []).length}</dd>
        </div>
      </dl>
      {overdue.length > 0 && (
        <>
          <h3>{tr.t('dash.overdueList')}</h3>
          <ul class="list overdue-list">
            {overdue.map((a) => (
              <li key={a.id}>
                <span class="strong">{a.title}</span>{' '}
                <span class="muted small">
                  {a.due ? tr.t('actions.dueOn', { date: tr.date(a.due) }) : ''} · {tr.tn('dash.ageDays', Math.floor(a.ageDays))}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
