import { useMemo, useState } from 'preact/hooks';
import { describeError } from '../api/problem';
import type { CatalogPack, Dimension, HeatCell, HeatMap, TrendPoint, WorkspaceDashboard as Dash, WorkspaceTeam } from '../api/types';
import { useI18n } from '../i18n';
import { useServices } from '../services';
import { useLoad } from '../ui/useLoad';
import { LineChart } from './Chart';
import { allPages, changeFormat, numberFormat } from './format';
import { scaleBounds } from './shape';

/**
 * A heat-map cell's shade class: five bands over its dimension's scale
 * (top 5, or 10 for the eNPS dimension's 0–10 questions), none without a value.
 */
export function heatBand(c: HeatCell, top = 5): string {
  if (c.suppressed || typeof c.value !== 'number') return 'heat-none';
  const band = Math.min(5, Math.max(1, Math.round((c.value * 5) / top)));
  return `heat-${band}`;
}

/** The top of each dimension's scale, from the catalogue's questions. */
export function dimensionTops(packs: CatalogPack[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of packs) for (const q of p.questions ?? []) out.set(q.dimension, Math.max(out.get(q.dimension) ?? 0, scaleBounds(q.scale)[1]));
  return out;
}

/**
 * A workspace's dashboard for its admins: the monthly figures (retros,
 * participation, ROTI and health), the pooled eNPS and the heat map of
 * teams × health dimensions. Groups under the minimum size show "too few
 * answers" in words, never a number.
 */
export function WorkspaceDashboard({ workspaceId }: { workspaceId: string }) {
  const tr = useI18n();
  const { client } = useServices();
  const id = encodeURIComponent(workspaceId);
  const ws = useLoad(() => client.get<{ id: string; name: string }>(`/v1/workspaces/${id}`), [workspaceId]);
  // The months shown: from and to as the server reads them (2026-03), either open.
  const [range, setRange] = useState({ from: '', to: '' });
  const q = new URLSearchParams(Object.entries(range).filter(([, v]) => /^\d{4}-\d{2}$/.test(v))).toString();
  const months = useLoad(() => client.get<Dash>(`/v1/workspaces/${id}/dashboard${q ? `?${q}` : ''}`), [workspaceId, q]);
  const heat = useLoad(() => client.get<HeatMap>(`/v1/workspaces/${id}/health/heatmap`), [workspaceId]);
  const enps = useLoad(() => client.get<TrendPoint>(`/v1/workspaces/${id}/health/enps`), [workspaceId]);
  const teams = useLoad(() => allPages<WorkspaceTeam>((x) => client.get(x), `/v1/workspaces/${id}/teams`), [workspaceId]);
  const dims = useLoad(() => allPages<Dimension>((x) => client.get(x), '/v1/catalog/dimensions'), []);
  const packs = useLoad(() => allPages<CatalogPack>((x) => client.get(x), '/v1/catalog/health-packs'), []);
  const fmt = useMemo(() => numberFormat(tr), [tr]);
  const pct = useMemo(() => new Intl.NumberFormat(tr.lang, { style: 'percent', maximumFractionDigits: 0 }), [tr]);
  const tooFew = tr.t('dash.tooFew');

  const ms = months.data?.months ?? [];
  const monthLabel = useMemo(() => {
    const f = new Intl.DateTimeFormat(tr.lang, { year: 'numeric', month: 'short', timeZone: 'UTC' });
    return (m: string) => f.format(new Date(`${m}-01T00:00:00Z`));
  }, [tr]);
  const labels = useMemo(() => ms.map((m) => monthLabel(m.month)), [ms, monthLabel]);
  const series = useMemo(
    () => [
      { id: 'roti', label: tr.t('dash.rotiAverage'), values: ms.map((m) => m.rotiAverage ?? null), notes: ms.map((m) => (m.rotiRatings > 0 && m.rotiAverage === undefined ? tooFew : undefined)) },
      { id: 'health', label: tr.t('dash.healthAverage'), values: ms.map((m) => m.healthAverage ?? null) },
    ],
    [ms, tr, tooFew],
  );

  if (ws.error) return <p role="alert">{describeError(ws.error, tr)}</p>;
  if (!ws.data) return <p>{tr.t('app.loading')}</p>;
  const teamName = new Map((teams.data ?? []).map((t) => [t.id, t.name]));
  const dimName = new Map((dims.data ?? []).map((d) => [d.id, d.name]));

  return (
    <div class="stack dashboard">
      <h1>{tr.t('dash.workspaceTitle', { name: ws.data.name })}</h1>

      <section class="card" aria-labelledby="months-h">
        <h2 id="months-h">{tr.t('dash.monthly')}</h2>
        <div class="row" role="group" aria-label={tr.t('dash.range')}>
          {(['from', 'to'] as const).map((k) => (
            <div class="field" key={k}>
              <label for={`range-${k}`}>{tr.t(k === 'from' ? 'dash.fromMonth' : 'dash.toMonth')}</label>
              <input
                id={`range-${k}`}
                type="month"
                value={range[k]}
                onChange={(e) => setRange({ ...range, [k]: (e.currentTarget as HTMLInputElement).value })}
              />
            </div>
          ))}
        </div>
        {months.error ? (
          <p role="alert">{describeError(months.error, tr)}</p>
        ) : !months.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : ms.length === 0 ? (
          <p class="muted">{tr.t('dash.noData')}</p>
        ) : (
          <>
            <LineChart title={tr.t('dash.monthlyChart')} xLabels={labels} series={series} min={1} max={5} format={fmt} />
            <div class="table-scroll">
              <table class="months">
                <caption class="sr-only">{tr.t('dash.monthly')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{tr.t('dash.month')}</th>
                    <th scope="col">{tr.t('dash.retros')}</th>
                    <th scope="col">{tr.t('dash.teams')}</th>
                    <th scope="col">{tr.t('dash.participants')}</th>
                    <th scope="col">{tr.t('dash.participation')}</th>
                    <th scope="col">{tr.t('dash.rotiAverage')}</th>
                    <th scope="col">{tr.t('dash.healthAverage')}</th>
                  </tr>
                </thead>
                <tbody>
                  {ms.map((m) => (
                    <tr key={m.month} data-month={m.month}>
                      <th scope="row">{monthLabel(m.month)}</th>
                      <td>{m.retros}</td>
                      <td>{m.teams}</td>
                      <td>{m.participants}</td>
                      <td>{typeof m.participationRate === 'number' ? pct.format(m.participationRate) : '—'}</td>
                      <td>{typeof m.rotiAverage === 'number' ? fmt(m.rotiAverage) : m.rotiRatings > 0 ? tooFew : '—'}</td>
                      <td>{typeof m.healthAverage === 'number' ? fmt(m.healthAverage) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="ws-enps-h">
        <h2 id="ws-enps-h">{tr.t('dash.enps')}</h2>
        <p class="muted small">{tr.t('dash.enpsPooled')}</p>
        {enps.error ? (
          <p role="alert">{describeError(enps.error, tr)}</p>
        ) : !enps.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : (
          <p class="strong" id="ws-enps">
            {enps.data.suppressed || typeof enps.data.value !== 'number' ? tooFew : fmt(enps.data.value)}
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="heat-h">
        <h2 id="heat-h">{tr.t('dash.heatMap')}</h2>
        {heat.error ? (
          <p role="alert">{describeError(heat.error, tr)}</p>
        ) : !heat.data ? (
          <p>{tr.t('app.loading')}</p>
        ) : (heat.data.teams ?? []).length === 0 ? (
          <p class="muted">{tr.t('dash.noHealth')}</p>
        ) : (
          <HeatTable heat={heat.data} teamName={(t) => teamName.get(t) ?? t} dimName={(d) => dimName.get(d) ?? d} tops={dimensionTops(packs.data ?? [])} />
        )}
      </section>
    </div>
  );
}

function HeatTable({ heat, teamName, dimName, tops }: { heat: HeatMap; teamName: (id: string) => string; dimName: (id: string) => string; tops: Map<string, number> }) {
  const tr = useI18n();
  const fmt = useMemo(() => numberFormat(tr), [tr]);
  const chg = useMemo(() => changeFormat(tr), [tr]);
  const dims = heat.dimensions ?? [];
  return (
    <>
      <p class="muted small">{tr.t('dash.heatHint')}</p>
      <div class="table-scroll">
        <table class="heat">
          <caption class="sr-only">{tr.t('dash.heatMap')}</caption>
          <thead>
            <tr>
              <th scope="col">{tr.t('dash.team')}</th>
              {dims.map((d) => (
                <th scope="col" key={d}>
                  {dimName(d)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(heat.teams ?? []).map((t, i) => (
              <tr key={t} data-team={t}>
                <th scope="row">{teamName(t)}</th>
                {(heat.cells?.[i] ?? []).map((c) => (
                  <td key={c.dimension} class={heatBand(c, tops.get(c.dimension))} data-dimension={c.dimension}>
                    {c.suppressed ? (
                      <span class="too-few">{tr.t('dash.tooFew')}</span>
                    ) : typeof c.value === 'number' ? (
                      <>
                        <span class="heat-value">{fmt(c.value)}</span>
                        {typeof c.change === 'number' && c.change !== 0 && (
                          <span class="heat-change">
                            {' '}
                            {c.change > 0 ? '▲' : '▼'}
                            <span class="sr-only">{c.change > 0 ? tr.t('dash.up') : tr.t('dash.down')}</span> {chg(c.change)}
                          </span>
                        )}
                      </>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
