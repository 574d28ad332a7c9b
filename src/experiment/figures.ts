import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { METRICS } from '../metrics/registry.js';
import { renderLineChartsSvg, type LineChartOptions, type LineSeries } from '../plot/line.js';
import { svgToPng } from '../plot/render.js';
import { inRegistryOrder, processLabel } from '../process/index.js';
import { aggregate } from './aggregate.js';
import type { Row } from './rows.js';
import { presentMetrics } from './table.js';

const METRIC_LABEL: Record<string, string> = {
  score_error: 'score error (mean over tau)',
  ...Object.fromEntries(METRICS.map((m) => [m.name, m.label])),
};

const distinct = (rows: readonly Row[], column: string) =>
  [...new Set(rows.map((r) => r[column]))].filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
const distinctText = (rows: readonly Row[], column: string) => [...new Set(rows.map((r) => String(r[column])))];

/** Processes in registry order (VP beside PBM), others after. */
function processes(rows: readonly Row[]): string[] {
  return inRegistryOrder(distinctText(rows, 'process'));
}

/** One y range for charts that are read side by side (VP beside PBM). */
function sharedDomain(charts: LineChartOptions[], logLike = false): [number, number] | undefined {
  const ys = charts.flatMap((c) => c.series.flatMap((s) => Array.from(s.y))).filter(Number.isFinite);
  if (ys.length === 0) return undefined;
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  // On a symlog axis with only positive values, pad by a factor: a linear pad below the smallest
  // value would reach below 0 and spend half the plot on the empty linear part.
  if (logLike && lo > 0) return [lo / 1.25, hi * 1.25];
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(Math.abs(lo) * 0.1, 1e-12);
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

/** Means over seeds of `column` against `axis`, one series per value of `other`. */
function meanSeries(rows: readonly Row[], axis: 'dim' | 'width', other: 'dim' | 'width', column: string, label: (v: number) => string, style: string): LineSeries[] {
  const groups = aggregate(rows, [other, axis], [column]);
  return distinct(rows, other).map((value) => {
    const points = groups.filter((g) => g.group[other] === value && g.stats[column]!.mean !== null).sort((a, b) => Number(a.group[axis]) - Number(b.group[axis]));
    return { label: label(value), style, x: points.map((g) => Number(g.group[axis])), y: points.map((g) => g.stats[column]!.mean!) };
  });
}

/** Means over seeds (and, for the oracle and floor, over the widths they do not depend on). */
function sourceSeries(rows: readonly Row[], axis: 'dim' | 'width', metric: string): LineSeries[] {
  const other = axis === 'dim' ? 'width' : 'dim';
  const name = (v: number) => (other === 'width' ? `width ${v}` : `d = ${v}`);
  if (metric === 'score_error') return meanSeries(rows, axis, other, 'score_error', name, 'model');
  const series = meanSeries(rows, axis, other, `model_${metric}`, name, 'model');
  if (axis === 'dim') {
    // Oracle and floor do not depend on the width: one line each.
    const flat = rows.map((r) => ({ ...r, width: 0 }));
    series.push(...meanSeries(flat, 'dim', 'width', `oracle_${metric}`, () => 'oracle', 'oracle'));
    series.push(...meanSeries(flat, 'dim', 'width', `floor_${metric}`, () => 'floor', 'floor'));
  } else {
    series.push(...meanSeries(rows, 'width', 'dim', `oracle_${metric}`, name, 'oracle'));
  }
  return series.filter((s) => s.x.length > 0);
}

/** Metrics bounded in [0, 1] read best on a linear axis. */
const LINEAR_METRICS = new Set<string>(METRICS.filter((m) => m.linear).map((m) => m.name));

/**
 * The y axis of a metric: symlog, linear within the noise floor's magnitude (so the oracle and the
 * floor, near 0 and possibly negative, stay apart) and logarithmic beyond (the networks' errors span
 * orders of magnitude). Without a floor (the score error), the smallest value sets the linear part.
 */
function metricAxis(metric: string, charts: LineChartOptions[]): Pick<LineChartOptions, 'yScale' | 'yConstant'> {
  if (LINEAR_METRICS.has(metric)) return {};
  const magnitudes = (style?: string) =>
    charts.flatMap((c) => c.series.filter((s) => style === undefined || s.style === style).flatMap((s) => Array.from(s.y, Math.abs))).filter((v) => v > 0);
  const floor = magnitudes('floor');
  const scale = floor.length > 0 ? Math.min(...floor) : Math.min(...magnitudes()) / 2;
  return Number.isFinite(scale) && scale > 0 ? { yScale: 'symlog', yConstant: scale } : {};
}

/** A metric against dim or width: rows of targets, VP and PBM side by side on one y range. */
export function metricCharts(rows: readonly Row[], metric: string, axis: 'dim' | 'width'): LineChartOptions[] {
  const charts: LineChartOptions[] = [];
  for (const target of distinctText(rows, 'target')) {
    const mine = rows.filter((r) => r['target'] === target);
    const pair = processes(mine).map(
      (p): LineChartOptions => ({
        title: `${target}, ${processLabel(p)}: ${METRIC_LABEL[metric] ?? metric}`,
        xLabel: axis === 'dim' ? 'dimension d' : 'MLP width',
        yLabel: `${METRIC_LABEL[metric] ?? metric}, mean over seeds${LINEAR_METRICS.has(metric) ? '' : ' (symlog)'}`,
        xScale: 'log',
        series: sourceSeries(
          mine.filter((r) => r['process'] === p),
          axis,
          metric,
        ),
        width: 320,
        height: 220,
      }),
    );
    const yAxis = metricAxis(metric, pair);
    const y = sharedDomain(pair, yAxis.yScale === 'symlog');
    charts.push(...pair.map((c) => ({ ...c, ...yAxis, ...(y ? { domain: { y } } : {}) })));
  }
  return charts.filter((c) => c.series.some((s) => s.x.length > 0));
}

/** log10 of the score error against tau, per (dim, width), means over seeds: VP beside PBM. */
export function scoreErrorCharts(curves: readonly Row[]): LineChartOptions[] {
  const charts: LineChartOptions[] = [];
  for (const target of distinctText(curves, 'target')) {
    const mine = curves.filter((r) => r['target'] === target);
    const pair = processes(mine).map((p): LineChartOptions => {
      const rows = mine.filter((r) => r['process'] === p);
      const groups = aggregate(rows, ['dim', 'width', 'tau'], ['score_error']);
      const series: LineSeries[] = [];
      for (const dim of distinct(rows, 'dim')) {
        for (const width of distinct(rows, 'width')) {
          const points = groups.filter((g) => g.group['dim'] === dim && g.group['width'] === width && (g.stats['score_error']!.mean ?? 0) > 0);
          if (points.length === 0) continue;
          points.sort((a, b) => Number(a.group['tau']) - Number(b.group['tau']));
          series.push({ label: `d = ${dim}`, style: `width ${width}`, x: points.map((g) => Number(g.group['tau'])), y: points.map((g) => Math.log10(g.stats['score_error']!.mean!)) });
        }
      }
      return {
        title: `${target}, ${processLabel(p)}: score error against tau`,
        xLabel: 'tau',
        yLabel: 'log10 E b^2 |s - grad log p|^2 / d',
        legendTitle: 'dimension',
        series,
        width: 320,
        height: 220,
      };
    });
    const y = sharedDomain(pair);
    charts.push(...pair.map((c) => (y ? { ...c, domain: { y } } : c)));
  }
  return charts.filter((c) => c.series.length > 0);
}

/** The figures' names: every metric against dim and against width, and the score-error curves. */
export function figurePlan(rows: readonly Row[], curves: readonly Row[]): { name: string; charts: LineChartOptions[] }[] {
  const plan: { name: string; charts: LineChartOptions[] }[] = [];
  const metrics = ['score_error', ...presentMetrics(rows)];
  for (const axis of ['dim', 'width'] as const) {
    // A line needs two points on its axis.
    if (distinct(rows, axis).length < 2) continue;
    for (const metric of metrics) {
      const charts = metricCharts(rows, metric, axis);
      if (charts.length > 0) plan.push({ name: `${metric.replace(/_/g, '-')}-vs-${axis}`, charts });
    }
  }
  const curveCharts = scoreErrorCharts(curves);
  if (curveCharts.length > 0) plan.push({ name: 'score-error-vs-tau', charts: curveCharts });
  return plan;
}

/** Writes every figure as SVG and PNG into dir; returns the file names. */
export async function writeFigures(rows: readonly Row[], curves: readonly Row[], dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const { name, charts } of figurePlan(rows, curves)) {
    const svg = await renderLineChartsSvg(charts, 2);
    writeFileAtomicSync(path.join(dir, `${name}.svg`), svg);
    writeFileAtomicSync(path.join(dir, `${name}.png`), svgToPng(svg));
    written.push(`${name}.svg`, `${name}.png`);
  }
  return written;
}
