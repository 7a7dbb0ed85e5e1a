/**
 * The charts of /admin, drawn with uPlot from what the page carries: each `[data-chart]` element names a
 * `<script type="application/json">` block (the CSP runs no inline script, and a JSON block is not one).
 * Nothing is computed here: the numbers are the report's figures as the server wrote them. The tables
 * beside each chart say the same without JavaScript.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BarChart, ChartData, ProgressChart } from '../chart-data.ts';

/** Each chart drawn, for whoever inspects the page (tests read the instance's data, not its pixels). */
export interface DrawnChart {
  id: string;
  kind: ChartData['kind'];
  plot: uPlot;
}
declare global {
  interface Window {
    appwardenCharts?: DrawnChart[];
  }
}

const COLOURS = ['#1f883d', '#0969da', '#8250df', '#cf222e'];
const DAY_SECONDS = 86_400;
/** A local date as the x value uPlot draws: its midnight, UTC (the labels are dates, not instants). */
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;
const dateLabel = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** As wide as the page lets it be (a phone's screen), within bounds. */
function widthOf(el: HTMLElement): number {
  return Math.max(260, Math.min((el.clientWidth || el.parentElement?.clientWidth || 640) - 2, 900));
}

function progressChart(el: HTMLElement, chart: ProgressChart): uPlot {
  const xs = chart.points.map((p) => dayOf(p.date));
  const deadline = chart.deadline ? dayOf(chart.deadline) : undefined;
  // The axis runs to the deadline when it is still ahead: how far there is to go shows.
  const last = Math.max(xs[xs.length - 1] ?? 0, deadline === undefined ? 0 : deadline + DAY_SECONDS);
  const series: uPlot.Series[] = [
    { label: chart.labels.date, value: (_u, v) => (v == null ? '' : dateLabel(v)) },
    { label: chart.labels.attested, stroke: COLOURS[0], width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
    { label: chart.labels.settled, stroke: COLOURS[1], width: 2, dash: [6, 4], paths: uPlot.paths.stepped!({ align: 1 }) },
    { label: chart.labels.total, stroke: '#57606a', width: 1 },
  ];
  const data: uPlot.AlignedData = [
    xs,
    chart.points.map((p) => p.attested),
    chart.points.map((p) => p.settled),
    chart.points.map(() => chart.total),
  ];
  if (chart.verified !== undefined) {
    // Verified by the inventory: today's figure, one point (an inventory keeps no history).
    series.push({ label: chart.labels.verified ?? '', stroke: COLOURS[2], width: 0, points: { show: true, size: 10 } });
    data.push(chart.points.map((_, i) => (i === chart.points.length - 1 ? (chart.verified ?? null) : null)));
  }
  return new uPlot(
    {
      width: widthOf(el),
      height: 260,
      series,
      scales: { x: { time: false, range: () => [xs[0] ?? last - DAY_SECONDS, last] }, y: { range: () => [0, Math.max(1, chart.total)] } },
      axes: [
        { values: (_u, splits) => splits.map(dateLabel), space: 90 },
        { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
      ],
      hooks: {
        draw: [
          (u) => {
            if (deadline === undefined) return;
            // The deadline: a red line at the end of its day.
            const x = u.valToPos(deadline + DAY_SECONDS, 'x', true);
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = COLOURS[3]!;
            ctx.lineWidth = 2;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    },
    data,
    el,
  );
}

function barChart(el: HTMLElement, chart: BarChart): uPlot {
  const xs = chart.categories.map((_, i) => i);
  const bars = uPlot.paths.bars!({ size: [0.6 / Math.max(1, chart.series.length), 60] });
  return new uPlot(
    {
      width: widthOf(el),
      height: 80 + 30 * Math.min(chart.categories.length, 8),
      series: [
        { label: chart.labels.category, value: (_u, v) => (v == null ? '' : (chart.categories[v] ?? '')) },
        ...chart.series.map((s, i) => ({
          label: s.label,
          fill: COLOURS[i % COLOURS.length],
          stroke: COLOURS[i % COLOURS.length],
          paths: bars,
        })),
      ],
      scales: {
        x: { time: false, range: () => [-0.5, chart.categories.length - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: [
        { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? (chart.categories[v] ?? '') : '')), space: 40 },
        { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
      ],
    },
    [xs, ...chart.series.map((s) => s.values)],
    el,
  );
}

function drawAll(): void {
  const drawn: DrawnChart[] = [];
  for (const el of document.querySelectorAll<HTMLElement>('[data-chart]')) {
    const id = el.dataset.chart!;
    const block = document.getElementById(id);
    if (!block?.textContent) continue;
    const chart = JSON.parse(block.textContent) as ChartData;
    const plot = chart.kind === 'progress' ? progressChart(el, chart) : barChart(el, chart);
    el.dataset.rendered = 'true';
    drawn.push({ id, kind: chart.kind, plot });
  }
  window.appwardenCharts = drawn;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
else drawAll();
