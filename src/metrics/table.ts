import { METRICS, type MetricValues } from './registry.js';

function format(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-2 && a < 1e4 ? v.toPrecision(4) : v.toExponential(3);
}

/** Aligned plain-text table: metric | key | value | floor. */
export function formatMetricsTable(metrics: MetricValues, floor: MetricValues): string {
  const rows = METRICS.flatMap(({ name, description }) => {
    const value = metrics[name];
    if (value === undefined) return [];
    const below = floor[name];
    return [[description, name, format(value), below === undefined ? '' : format(below)]];
  });
  const header = ['metric', 'key', 'value', 'floor'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
