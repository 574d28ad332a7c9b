import type { MetricValues } from './index.js';

const DESCRIPTIONS: Record<keyof MetricValues, string> = {
  mmd: 'MMD^2',
  sinkhorn: 'Sinkhorn divergence',
  sliced_wasserstein: 'sliced Wasserstein-2',
  energy: 'energy distance',
  mean_error: 'mean error',
  cov_error: 'covariance error',
  x0_w1: 'W1 of x0 vs N(0, scale^2)',
  mode_coverage: 'mode coverage',
  weight_tv: 'weight TV',
};

function format(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-2 && a < 1e4 ? v.toPrecision(4) : v.toExponential(3);
}

/** Aligned plain-text table: metric | key | value | floor. */
export function formatMetricsTable(metrics: MetricValues, floor: MetricValues): string {
  const rows = (Object.keys(DESCRIPTIONS) as (keyof MetricValues)[])
    .filter((k) => metrics[k] !== undefined)
    .map((k) => [DESCRIPTIONS[k], k, format(metrics[k]!), floor[k] === undefined ? '' : format(floor[k]!)]);
  const header = ['metric', 'key', 'value', 'floor'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
