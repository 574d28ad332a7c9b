import type { BenchRow } from './cases.js';

const fmt = (v: number | undefined, digits: number) => (v === undefined ? '' : v.toFixed(digits));

/** The bench results as a Markdown table (docs/results.md's Performance section uses the same). */
export function formatBenchTable(rows: BenchRow[]): string {
  const lines = [
    '| case | ms (median) | GFLOP/s | tf.layers + minimize, ms | speed-up | notes |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const notes = [r.stepsPerSecond !== undefined ? `${r.stepsPerSecond.toFixed(1)} steps/s` : '', r.note ?? '']
      .filter((s) => s !== '')
      .join('; ');
    lines.push(
      `| ${r.description} | ${fmt(r.ms, r.ms < 100 ? 1 : 0)} | ${fmt(r.gflops, 1)} | ${fmt(r.baseline?.ms, 1)} | ${
        r.baseline ? `${r.baseline.speedup.toFixed(1)}x` : ''
      } | ${notes} |`,
    );
  }
  return lines.join('\n');
}
