import { describe, expect, it } from 'vitest';
import type { CatalogPack, HistoryEntry, TeamTrends } from '../src/api/types';
import { enpsChart, healthCharts, rotiChart, scaleBounds } from '../src/dash/shape';
import { dimensionTops, heatBand } from '../src/dash/WorkspaceDashboard';

const packs: CatalogPack[] = [
  { id: 'pulse', name: 'Quick pulse', questions: [{ id: 'q-fun', dimension: 'fun', text: 'Fun?', scale: '1-5' }, { id: 'q-speed', dimension: 'speed', text: 'Speed?', scale: '1-5' }] },
  { id: 'enps', name: 'eNPS', questions: [{ id: 'e1', dimension: 'rec', text: 'Recommend the team?', scale: '0-10' }, { id: 'e2', dimension: 'rec', text: 'Recommend the company?', scale: '0-10' }] },
];
const dims = [{ id: 'fun', name: 'Fun' }, { id: 'speed', name: 'Speed' }, { id: 'rec', name: 'Recommendation' }];
const pt = (sourceId: string, at: string, value?: number) => (value === undefined ? { sourceId, at, source: 'retro', suppressed: true } : { sourceId, at, source: 'retro', value, respondents: 3 });

describe('healthCharts', () => {
  const trends: TeamTrends = {
    teamId: 't',
    questions: [
      { id: 'q-fun', title: 'Fun?', scale: '1-5', trend: 'steady', points: [pt('r2', '2026-02-01T00:00:00Z', 4), pt('r1', '2026-01-01T00:00:00Z', 3)] },
      { id: 'q-speed', title: 'Speed?', scale: '1-5', trend: 'new', points: [pt('r1', '2026-01-01T00:00:00Z')] },
      { id: 'e1', title: 'Recommend the team?', scale: '0-10', trend: 'new', points: [pt('s1', '2026-03-01T00:00:00Z', 8)] },
      { id: 'e2', title: 'Recommend the company?', scale: '0-10', trend: 'new', points: [pt('s1', '2026-03-01T00:00:00Z', 6)] },
    ],
    packs: [],
    enps: { id: 'enps', trend: 'new', points: [pt('s1', '2026-03-01T00:00:00Z', 25), pt('s2', '2026-04-01T00:00:00Z')] },
  };
  const charts = healthCharts(trends, packs, dims, 'too few answers', 'Other');

  it('draws one chart per pack, its checks oldest first, a line per question named by its dimension', () => {
    const pulse = charts.find((c) => c.title === 'Quick pulse')!;
    expect(pulse.at).toEqual(['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z']);
    expect(pulse.series.map((s) => s.label)).toEqual(['Fun', 'Speed']);
    expect(pulse.series[0]!.values).toEqual([3, 4]);
    expect([pulse.min, pulse.max]).toEqual([1, 5]);
  });

  it('says "too few answers" where a check was withheld, and nothing where a question was not asked', () => {
    const speed = charts.find((c) => c.title === 'Quick pulse')!.series[1]!;
    expect(speed.values).toEqual([null, null]);
    expect(speed.notes).toEqual(['too few answers', undefined]);
  });

  it('names lines by the question where a chart asks more than one of a dimension, on its own scale', () => {
    const e = charts.find((c) => c.title === 'eNPS')!;
    expect(e.series.map((s) => s.label)).toEqual(['Recommend the team?', 'Recommend the company?']);
    expect([e.min, e.max]).toEqual([0, 10]);
  });

  it('draws eNPS on −100…100 with withheld checks as too few answers', () => {
    const e = enpsChart(trends, 'eNPS', 'too few answers');
    expect(e.series[0]!.values).toEqual([25, null]);
    expect(e.series[0]!.notes).toEqual([undefined, 'too few answers']);
    expect([e.min, e.max]).toEqual([-100, 100]);
  });
});

describe('rotiChart', () => {
  const h = (id: string, closedAt: string | null, rotiScale: string, rotiAverage?: number, rotiRatings = 4): HistoryEntry => ({ retroId: id, createdAt: '2026-01-01T00:00:00Z', closedAt, rotiScale, rotiAverage, rotiRatings });
  it('keeps each scale on its own line, closed retros only, oldest first', () => {
    const c = rotiChart([h('b', '2026-02-01T00:00:00Z', '1-5', 4), h('a', '2026-01-01T00:00:00Z', '0-10', 7), h('open', null, '1-5')], (s) => `ROTI ${s}`, 'too few');
    expect(c.at).toEqual(['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z']);
    expect(c.series.map((s) => [s.label, s.values])).toEqual([
      ['ROTI 0-10', [7, null]],
      ['ROTI 1-5', [null, 4]],
    ]);
    expect([c.min, c.max]).toEqual([0, 10]);
  });
  it('says too few where ratings were withheld', () => {
    const c = rotiChart([h('a', '2026-01-01T00:00:00Z', '1-5', undefined, 2)], (s) => s, 'too few');
    expect(c.series[0]!.notes).toEqual(['too few']);
  });
});

describe('heat map cells', () => {
  it('shade by value in five bands and not at all without a number', () => {
    expect(heatBand({ teamId: 't', dimension: 'd', value: 1.2 })).toBe('heat-1');
    expect(heatBand({ teamId: 't', dimension: 'd', value: 4.6 })).toBe('heat-5');
    expect(heatBand({ teamId: 't', dimension: 'd', suppressed: true })).toBe('heat-none');
    expect(scaleBounds('0-10')).toEqual([0, 10]);
  });
  it('shade a 0–10 dimension over its own scale', () => {
    const tops = dimensionTops(packs);
    expect([tops.get('fun'), tops.get('rec')]).toEqual([5, 10]);
    expect(heatBand({ teamId: 't', dimension: 'rec', value: 8.25 }, tops.get('rec'))).toBe('heat-4');
    expect(heatBand({ teamId: 't', dimension: 'rec', value: 1 }, tops.get('rec'))).toBe('heat-1');
  });
});
