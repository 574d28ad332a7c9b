import type { LineChartOptions } from './line-types.js';

export interface LineRow {
  series: string;
  style: string;
  /** series + style: one drawn line. */
  key: string;
  x: number;
  y: number;
}

export interface RuleRow {
  value: number;
  label: string;
}

/** What Vega draws: rows already cut to the axes, and the axes themselves. */
export interface LineData {
  rows: LineRow[];
  xRules: RuleRow[];
  yRules: RuleRow[];
  domain: { x: [number, number]; y: [number, number] };
  seriesOrder: string[];
  styleOrder: string[];
  /** Every series is named after its style: one legend says it all. */
  stylesMirrorSeries: boolean;
}

function extent(values: number[], log: boolean): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0) return log ? [0.1, 10] : [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const pad = log ? 2 : Math.max(Math.abs(lo) * 0.1, 1);
    return log ? [lo / pad, hi * pad] : [lo - pad, hi + pad];
  }
  if (!log) {
    const pad = 0.03 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

function checkDomain(name: string, range: [number, number] | undefined, log: boolean): void {
  if (!range) return;
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi) || (log && !(lo > 0))) {
    throw new Error(`plot: domain.${name} [${lo}, ${hi}] must be finite and increasing${log ? ', and positive on a log axis' : ''}`);
  }
}

/**
 * Validates the options and prepares the rows. Points and rules outside the axes are dropped
 * rather than clipped: resvg-js 2.6.2 aborts the process (an uncatchable panic) on marks
 * lying entirely outside the image, so nothing is ever drawn there.
 */
export function lineData(o: LineChartOptions): LineData {
  const xLog = o.xScale === 'log';
  checkDomain('x', o.domain?.x, xLog);
  checkDomain('y', o.domain?.y, false);
  for (const s of o.series) {
    if (s.x.length !== s.y.length) throw new Error(`plot: series '${s.label}' has ${s.x.length} x values and ${s.y.length} y values`);
  }
  const usable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0);
  const all: LineRow[] = [];
  for (const s of o.series) {
    const style = s.style ?? '';
    for (let i = 0; i < s.x.length; i++) {
      if (usable(s.x[i], s.y[i])) all.push({ series: s.label, style, key: `${s.label}|${style}`, x: s.x[i], y: s.y[i] });
    }
  }
  const xRules = (o.xRules ?? []).filter((r) => Number.isFinite(r.value) && (!xLog || r.value > 0));
  const yRules = (o.yRules ?? []).filter((r) => Number.isFinite(r.value));
  const domain = {
    x: o.domain?.x ?? extent([...all.map((r) => r.x), ...xRules.map((r) => r.value)], xLog),
    y: o.domain?.y ?? extent([...all.map((r) => r.y), ...yRules.map((r) => r.value)], false),
  };
  const within = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;
  return {
    rows: all.filter((r) => within(r.x, domain.x) && within(r.y, domain.y)),
    xRules: xRules.filter((r) => within(r.value, domain.x)),
    yRules: yRules.filter((r) => within(r.value, domain.y)),
    domain,
    seriesOrder: [...new Set(o.series.map((s) => s.label))],
    styleOrder: [...new Set(o.series.map((s) => s.style ?? ''))],
    stylesMirrorSeries: o.series.every((s) => s.style === s.label),
  };
}
