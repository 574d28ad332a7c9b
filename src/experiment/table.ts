import { aggregate, type Stat } from './aggregate.js';
import { METRIC_KEYS, type Row } from './rows.js';

/** Three significant digits; exponent form outside [0.01, 10^4). */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-2 && a < 1e4) return String(Number(v.toPrecision(3)));
  return v.toExponential(2).replace(/\.?0+e/, 'e');
}

/** "mean ± std" ("mean" alone for one seed, "–" for none). */
export function formatStat(s: Stat | undefined): string {
  if (!s || s.mean === null) return '–';
  return s.std === null ? formatNumber(s.mean) : `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`;
}

export function markdownTable(header: string[], body: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Metrics that have a value in at least one of the rows. */
export function presentMetrics(rows: readonly Row[], source: 'model' | 'floor' = 'model'): string[] {
  return METRIC_KEYS.filter((m) => rows.some((r) => typeof r[`${source}_${m}`] === 'number'));
}

/**
 * Per target: a table of means ± standard deviations over seeds for every (dim, process, width),
 * model beside oracle for each metric, then the floors per dim (they depend on target, dim and
 * seed only). `preamble` says what was run.
 */
export function summaryMarkdown(rows: readonly Row[], preamble: string): string {
  const parts: string[] = ['# VP vs PBM: means ± standard deviations over seeds', '', preamble];
  const evaluations = rows.length * 2;
  const capped = rows.filter((r) => r['model_sinkhorn_converged'] === false).length + rows.filter((r) => r['oracle_sinkhorn_converged'] === false).length;
  if (capped > 0) {
    parts.push('', `Sinkhorn stopped at its iteration cap in ${capped} of ${evaluations} evaluations (model and oracle; heavy tails converge slowly): those values are approximate.`);
  }
  const targets = [...new Set(rows.map((r) => String(r['target'])))];
  for (const target of targets) {
    const mine = rows.filter((r) => r['target'] === target);
    const metrics = presentMetrics(mine);
    const columns = ['score_error', 'final_loss', ...metrics.flatMap((m) => [`model_${m}`, `oracle_${m}`])];
    const groups = aggregate(mine, ['dim', 'process', 'width'], columns);
    const header = ['d', 'process', 'width', 'seeds', 'score error', 'final loss', ...metrics.flatMap((m) => [`${m} model`, `${m} oracle`])];
    const body = groups.map((g) => [
      String(g.group['dim']),
      String(g.group['process']),
      String(g.group['width']),
      String(g.count),
      ...columns.map((c) => formatStat(g.stats[c])),
    ]);
    parts.push('', `## ${target}`, '', markdownTable(header, body));

    const floorMetrics = presentMetrics(mine, 'floor');
    // The floor does not depend on the process or the width: one row per (dim, seed).
    const perSeed = aggregate(mine, ['dim', 'seed'], floorMetrics.map((m) => `floor_${m}`)).map((g) => ({
      ...g.group,
      ...Object.fromEntries(floorMetrics.map((m) => [`floor_${m}`, g.stats[`floor_${m}`]!.mean])),
    }));
    const floors = aggregate(perSeed, ['dim'], floorMetrics.map((m) => `floor_${m}`));
    parts.push(
      '',
      `Floors (${target}): the same metrics between two independent target samples of the evaluation's size.`,
      '',
      markdownTable(
        ['d', 'seeds', ...floorMetrics],
        floors.map((g) => [String(g.group['dim']), String(g.count), ...floorMetrics.map((m) => formatStat(g.stats[`floor_${m}`]))]),
      ),
    );
  }
  return parts.join('\n') + '\n';
}
