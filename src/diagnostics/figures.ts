import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { renderLineChartsSvg, type LineChartOptions, type LineRule, type LineSeries } from '../plot/line.js';
import { svgToPng } from '../plot/render.js';
import type { LocalisationCurves } from './curves.js';
import type { DiagnosticsResult, SourceResult } from './diagnose.js';
import { fmt } from './summary.js';

/** Curves drawn per SNR band of the survival figure. */
const CURVES_PER_BAND = 6;
/** The survival axis ends where every drawn curve is below this. */
const SURVIVAL_AXIS_FLOOR = 0.005;

interface Source {
  name: 'exact' | 'network';
  result: SourceResult;
}

function sources(result: DiagnosticsResult): Source[] {
  const list: Source[] = [{ name: 'exact', result: result.exact }];
  if (result.network) list.push({ name: 'network', result: result.network });
  return list;
}

/** At most `count` indices spread evenly over [from, to). */
function spread(from: number, to: number, count: number): number[] {
  const size = to - from;
  if (size <= count) return Array.from({ length: size }, (_, k) => from + k);
  return Array.from({ length: count }, (_, k) => from + Math.round((k * (size - 1)) / (count - 1)));
}

/** Where a survival curve drops below the floor: past it the curve is flat at ~0. */
function survivalReach(c: LocalisationCurves): number {
  const k = c.survival.findIndex((s) => s <= SURVIVAL_AXIS_FLOOR);
  return k === -1 ? c.u[c.u.length - 1] : c.u[k];
}

function rStarRules(result: DiagnosticsResult): LineRule[] {
  const rules: LineRule[] = [];
  for (const s of sources(result)) {
    const r = s.result.summary.rStar;
    if (r !== null && s.result.summary.firstNonConcaveR !== null) rules.push({ value: r, label: `r* ${s.name}` });
  }
  return rules;
}

/** s_r(u) for the lower and the upper half of the r grid, threshold u = 1 marked. */
export function survivalCharts(result: DiagnosticsResult, targetLabel: string): LineChartOptions[] {
  const count = result.levels.length;
  const half = Math.ceil(count / 2);
  const bands = [
    { name: 'low SNR', indices: spread(0, half, CURVES_PER_BAND) },
    { name: 'high SNR', indices: spread(half, count, CURVES_PER_BAND) },
  ].filter((b) => b.indices.length > 0);
  return bands.map((band) => {
    const series: LineSeries[] = [];
    let reach = 1.25;
    for (const k of band.indices) {
      for (const s of sources(result)) {
        const c = s.result.levels[k];
        reach = Math.max(reach, 1.05 * survivalReach(c));
        series.push({ label: `r = ${fmt(c.r)}`, style: s.name, x: c.u, y: c.survival });
      }
    }
    return {
      title: `${targetLabel}: survival s_r(u) = P(L > u), ${band.name}`,
      xLabel: 'u',
      yLabel: 's_r(u)',
      legendTitle: 'SNR',
      series,
      domain: { x: [0, reach], y: [0, 1] },
      xRules: [{ value: 1, label: 'u = 1' }],
    };
  });
}

/** m*(r) and delta*(r) against r, r* and the bottleneck marked. */
export function optimumCharts(result: DiagnosticsResult, targetLabel: string): LineChartOptions[] {
  const rs = result.levels.map((l) => l.r);
  const rules = rStarRules(result);
  const bottlenecks: LineRule[] = [];
  for (const s of sources(result)) {
    const r = s.result.summary.bottleneckR;
    if (r !== null) bottlenecks.push({ value: r, label: `bottleneck ${s.name}` });
  }
  const series = (pick: (c: LocalisationCurves) => number): LineSeries[] =>
    sources(result).map((s) => ({ label: s.name, style: s.name, x: rs, y: s.result.levels.map(pick) }));
  return [
    {
      title: `${targetLabel}: m*(r) = min over delta of h(delta, r) / delta`,
      xLabel: 'r = a / b',
      yLabel: 'm*(r)',
      xScale: 'log',
      series: series((c) => c.mStar),
      xRules: [...rules, ...bottlenecks],
    },
    {
      title: `${targetLabel}: delta*(r), the largest minimiser`,
      xLabel: 'r = a / b',
      yLabel: 'delta*(r)',
      xScale: 'log',
      series: series((c) => c.deltaStar),
      domain: { y: [0, 1.02] },
      xRules: rules,
    },
  ];
}

/** zeta*_M(r) for every M, zero marked. */
export function zetaChart(result: DiagnosticsResult, targetLabel: string): LineChartOptions {
  const rs = result.levels.map((l) => l.r);
  const series: LineSeries[] = [];
  result.settings.mValues.forEach((m, j) => {
    for (const s of sources(result)) series.push({ label: `M = ${m}`, style: s.name, x: rs, y: s.result.levels.map((c) => c.zeta[j]) });
  });
  return {
    title: `${targetLabel}: effective curvature zeta*_M(r)`,
    xLabel: 'r = a / b',
    yLabel: 'zeta*_M (symlog axis)',
    legendTitle: 'level',
    xScale: 'log',
    yScale: 'symlog',
    series,
    yRules: [{ value: 0, label: 'zeta = 0' }],
    xRules: rStarRules(result),
  };
}

export const FIGURE_NAMES = ['survival', 'm-star-delta-star', 'zeta'] as const;

/** Writes every figure as SVG and PNG; returns the file names. */
export async function writeFigures(result: DiagnosticsResult, outDir: string, targetLabel: string): Promise<string[]> {
  const figures: [string, LineChartOptions[], number][] = [
    ['survival', survivalCharts(result, targetLabel), 2],
    ['m-star-delta-star', optimumCharts(result, targetLabel), 1],
    ['zeta', [zetaChart(result, targetLabel)], 1],
  ];
  const written: string[] = [];
  for (const [name, charts, columns] of figures) {
    const svg = await renderLineChartsSvg(charts, columns);
    writeFileAtomicSync(path.join(outDir, `${name}.svg`), svg);
    writeFileAtomicSync(path.join(outDir, `${name}.png`), svgToPng(svg));
    written.push(`${name}.svg`, `${name}.png`);
  }
  return written;
}
