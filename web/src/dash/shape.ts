import type { CatalogPack, Dimension, HistoryEntry, TeamTrends, TrendPoint, TrendSeries } from '../api/types';
import type { ChartSeries } from './Chart';

/** A chart's data, ready for LineChart. */
export interface ChartData {
  id: string;
  title: string;
  /** The dates of the x positions, as ISO times (formatted by the page). */
  at: string[];
  series: ChartSeries[];
  min: number;
  max: number;
}

/** Bounds of a question's scale ("1-5", "0-10"). */
export function scaleBounds(scale: string | undefined): [number, number] {
  const m = /^(-?\d+)-(\d+)$/.exec(scale ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [1, 5];
}

interface Check {
  sourceId: string;
  at: string;
}

/** The checks the series were measured at, oldest first, each once. */
function checksOf(series: TrendSeries[]): Check[] {
  const seen = new Map<string, Check>();
  for (const s of series) for (const p of s.points ?? []) if (!seen.has(p.sourceId)) seen.set(p.sourceId, { sourceId: p.sourceId, at: p.at });
  return [...seen.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function line(label: string, s: TrendSeries, checks: Check[], tooFew: string): ChartSeries {
  const by = new Map<string, TrendPoint>((s.points ?? []).map((p) => [p.sourceId, p]));
  const values: (number | null)[] = [];
  const notes: (string | undefined)[] = [];
  for (const c of checks) {
    const p = by.get(c.sourceId);
    values.push(p && !p.suppressed && typeof p.value === 'number' ? p.value : null);
    notes.push(p?.suppressed ? tooFew : undefined);
  }
  return { id: s.id, label, values, notes };
}

/**
 * The team's health as one chart per pack: a line per question, named by
 * its dimension (a pack asks one question per dimension), over the checks
 * that asked it. Questions no catalogue pack holds go in one chart of their
 * own. Suppressed checks have no value, and the table says "too few answers".
 */
export function healthCharts(trends: TeamTrends, packs: CatalogPack[], dims: Dimension[], tooFew: string, other: string): ChartData[] {
  const dimName = new Map(dims.map((d) => [d.id, d.name]));
  const packOf = new Map<string, CatalogPack>();
  const question = new Map<string, { dimension: string; scale: string }>();
  for (const p of packs) {
    for (const q of p.questions ?? []) {
      if (!packOf.has(q.id)) packOf.set(q.id, p);
      question.set(q.id, q);
    }
  }
  const groups = new Map<string, { title: string; series: TrendSeries[] }>();
  for (const s of trends.questions ?? []) {
    if (!s.points?.length) continue;
    const p = packOf.get(s.id);
    const key = p?.id ?? '';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { title: p?.name ?? other, series: [] }));
    g.series.push(s);
  }
  const out: ChartData[] = [];
  for (const [key, g] of groups) {
    const checks = checksOf(g.series);
    let [min, max] = scaleBounds(g.series[0]?.scale);
    for (const s of g.series) {
      const [a, b] = scaleBounds(s.scale);
      min = Math.min(min, a);
      max = Math.max(max, b);
    }
    out.push({
      id: `health-${key || 'other'}`,
      title: g.title,
      at: checks.map((c) => c.at),
      series: labelled(g.series, (s) => {
        const q = question.get(s.id);
        return (q && dimName.get(q.dimension)) || '';
      }).map(([s, label]) => line(label, s, checks, tooFew)),
      min,
      max,
    });
  }
  return out;
}

/**
 * Each series' label: its dimension's name where that names one line of
 * the chart, else the question itself (a pack may ask several questions of
 * one dimension, like the eNPS pack).
 */
function labelled(series: TrendSeries[], dim: (s: TrendSeries) => string): [TrendSeries, string][] {
  const n = new Map<string, number>();
  for (const s of series) n.set(dim(s), (n.get(dim(s)) ?? 0) + 1);
  return series.map((s) => {
    const d = dim(s);
    return [s, d && n.get(d) === 1 ? d : s.title || s.id];
  });
}

/** eNPS over the checks that asked it, on its scale of −100 to 100. */
export function enpsChart(trends: TeamTrends, title: string, tooFew: string): ChartData {
  const checks = checksOf([trends.enps]);
  return { id: 'enps', title, at: checks.map((c) => c.at), series: [line(title, trends.enps, checks, tooFew)], min: -100, max: 100 };
}

/**
 * ROTI per closed retro, oldest first: one line per scale the team's retros
 * used (old ones rated 0–10, new ones 1–5), so no average mixes scales. A
 * retro with too few ratings for the minimum group has none to show.
 */
export function rotiChart(history: HistoryEntry[], title: (scale: string) => string, tooFew: string): ChartData {
  const closed = history.filter((h) => h.closedAt).sort((a, b) => (a.closedAt! < b.closedAt! ? -1 : a.closedAt! > b.closedAt! ? 1 : 0));
  const scales = [...new Set(closed.map((h) => h.rotiScale || '1-5'))];
  let min = Infinity;
  let max = -Infinity;
  const series = scales.map((sc) => {
    const [a, b] = scaleBounds(sc);
    min = Math.min(min, a);
    max = Math.max(max, b);
    return {
      id: `roti-${sc}`,
      label: title(sc),
      values: closed.map((h) => ((h.rotiScale || '1-5') === sc && typeof h.rotiAverage === 'number' ? h.rotiAverage : null)),
      notes: closed.map((h) => ((h.rotiScale || '1-5') === sc && typeof h.rotiAverage !== 'number' && (h.rotiRatings ?? 0) > 0 ? tooFew : undefined)),
    };
  });
  return { id: 'roti', title: title(''), at: closed.map((h) => h.closedAt!), series, min: Number.isFinite(min) ? min : 1, max: Number.isFinite(max) ? max : 5 };
}
