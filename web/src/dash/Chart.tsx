import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../i18n';

/** One line of a chart: a value per x, or null where there is none to show. */
export interface ChartSeries {
  /** Names the series in the table's markup (data-series), for tests and tools. */
  id: string;
  label: string;
  values: (number | null)[];
  /** What the table says where values has null (e.g. "too few answers"). */
  notes?: (string | undefined)[];
}

export interface ChartProps {
  /** Names the chart for screen readers and titles its table. */
  title: string;
  /** The label of each x position (a check's or retro's date), in order. */
  xLabels: string[];
  series: ChartSeries[];
  /** The scale's bounds (1–5, 0–10, −100…100); from the data when absent. */
  min?: number;
  max?: number;
  format: (v: number) => string;
}

// Told apart by shape and dash as well as by colour (Okabe–Ito, safe for
// the common colour-vision deficiencies), so a chart reads in greyscale.
const colours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const dashes: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 5], [12, 6]];
export const shapes = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star', 'bar'] as const;
type Shape = (typeof shapes)[number];

export function seriesStyle(i: number): { colour: string; dash: number[]; shape: Shape } {
  return { colour: colours[i % colours.length]!, dash: dashes[i % dashes.length]!, shape: shapes[i % shapes.length]! };
}

function drawShape(ctx: CanvasRenderingContext2D, shape: Shape, x: number, y: number, r: number): void {
  ctx.beginPath();
  switch (shape) {
    case 'circle':
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      break;
    case 'square':
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      break;
    case 'triangle':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.lineTo(x - r, y + r);
      ctx.closePath();
      break;
    case 'diamond':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      break;
    case 'cross':
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r);
      ctx.lineTo(x - r, y + r);
      break;
    case 'star':
      for (let k = 0; k < 10; k++) {
        const rr = k % 2 ? r / 2 : r;
        const a = (Math.PI / 5) * k - Math.PI / 2;
        const px = x + rr * Math.cos(a);
        const py = y + rr * Math.sin(a);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.closePath();
      break;
    case 'bar':
      ctx.rect(x - r, y - r / 3, 2 * r, (2 * r) / 3);
      break;
  }
}

/** The legend's marker: the series' shape on a stroke of its dash. */
export function Marker({ i }: { i: number }) {
  const s = seriesStyle(i);
  const r = 5;
  const c = 14;
  let shape;
  switch (s.shape) {
    case 'circle':
      shape = <circle cx={c} cy={8} r={r} />;
      break;
    case 'square':
      shape = <rect x={c - r} y={8 - r} width={2 * r} height={2 * r} />;
      break;
    case 'triangle':
      shape = <polygon points={`${c},${8 - r} ${c + r},${8 + r} ${c - r},${8 + r}`} />;
      break;
    case 'diamond':
      shape = <polygon points={`${c},${8 - r} ${c + r},8 ${c},${8 + r} ${c - r},8`} />;
      break;
    case 'cross':
      shape = <path d={`M${c - r} ${8 - r}L${c + r} ${8 + r}M${c + r} ${8 - r}L${c - r} ${8 + r}`} stroke-width="2" />;
      break;
    case 'star':
      shape = <polygon points={Array.from({ length: 10 }, (_, k) => { const rr = k % 2 ? r / 2 : r; const a = (Math.PI / 5) * k - Math.PI / 2; return `${(c + rr * Math.cos(a)).toFixed(1)},${(8 + rr * Math.sin(a)).toFixed(1)}`; }).join(' ')} />;
      break;
    default:
      shape = <rect x={c - r} y={8 - r / 3} width={2 * r} height={(2 * r) / 3} />;
  }
  return (
    <svg class="marker" width="28" height="16" viewBox="0 0 28 16" aria-hidden="true" fill={s.colour} stroke={s.colour}>
      <line x1="0" y1="8" x2="28" y2="8" stroke-width="2" stroke-dasharray={s.dash.join(' ') || undefined} />
      {shape}
    </svg>
  );
}

/**
 * A line chart drawn by uPlot on a canvas, hidden from screen readers; its
 * legend tells the lines apart by shape and dash, and a table below holds
 * every number, with the reason where there is none.
 */
export function LineChart({ title, xLabels, series, min, max, format }: ChartProps) {
  const tr = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || xLabels.length === 0) return;
    const xs = xLabels.map((_, i) => i);
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values.map((v) => (v === null ? null : v)))];
    const width = () => Math.max(240, el.clientWidth || 600);
    // Axes in the page's colours (light or dark scheme): the canvas takes no CSS.
    const css = getComputedStyle(el);
    const fg = css.color || '#1b1f24';
    const grid = css.getPropertyValue('--line').trim() || '#d0d7de';
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: () => [-0.3, Math.max(0.3, xs.length - 0.7)] },
          y: min !== undefined && max !== undefined ? { range: () => [min, max] } : {},
        },
        axes: [
          { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, incrs: [1], values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? xLabels[v] ?? '' : '')) },
          { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, values: (_u, splits) => splits.map((v) => format(v)) },
        ],
        series: [
          {},
          ...series.map((s, i) => {
            const st = seriesStyle(i);
            return { label: s.label, stroke: st.colour, dash: st.dash, width: 2, spanGaps: true, points: { show: false } };
          }),
        ],
        hooks: {
          draw: [
            (u: uPlot) => {
              const ctx = u.ctx;
              const r = 5 * devicePixelRatio;
              ctx.save();
              ctx.lineWidth = 2 * devicePixelRatio;
              series.forEach((s, i) => {
                const st = seriesStyle(i);
                ctx.fillStyle = st.colour;
                ctx.strokeStyle = st.colour;
                s.values.forEach((v, j) => {
                  if (v === null) return;
                  const x = u.valToPos(j, 'x', true);
                  const y = u.valToPos(v, 'y', true);
                  drawShape(ctx, st.shape, x, y, r);
                  if (st.shape === 'cross') ctx.stroke();
                  else ctx.fill();
                });
              });
              ctx.restore();
            },
          ],
        },
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [xLabels, series, min, max, format]);

  if (xLabels.length === 0) return <p class="muted">{tr.t('dash.noData')}</p>;
  return (
    <figure class="chart">
      <figcaption class="chart-title">{title}</figcaption>
      <ul class="legend" aria-hidden="true">
        {series.map((s, i) => (
          <li key={s.id}>
            <Marker i={i} /> {s.label}
          </li>
        ))}
      </ul>
      <div class="chart-canvas" ref={box} aria-hidden="true" />
      <details class="chart-table">
        <summary>{tr.t('dash.asTable', { title })}</summary>
        <table>
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{tr.t('dash.when')}</th>
              {series.map((s) => (
                <th scope="col" key={s.id} data-series={s.id}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {xLabels.map((x, j) => (
              <tr key={j}>
                <th scope="row">{x}</th>
                {series.map((s) => {
                  const v = s.values[j];
                  return <td key={s.id}>{v === null || v === undefined ? s.notes?.[j] ?? '—' : format(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
