import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { renderLineChartsSvg, type LineChartOptions, type LineSeries } from '../plot/line.js';
import { svgToPng } from '../plot/render.js';
import { inRegistryOrder, processLabel } from '../process/index.js';
import { aggregate, stat } from './aggregate.js';
import type { CellRecord } from './cell-record.js';
import type { Row } from './rows.js';
import { BAND_SCORE_ERROR_PREFIX, SWAP_METRICS } from './rows.js';
import { formatStat, markdownTable } from './table.js';

/** The thresholds of the "smallest parameter count" table (BUDGET_THRESHOLDS in src/config). */
export interface BudgetThresholds {
  sinkhornOracleFactor: number;
  scoreError: number;
}

const distinctText = (rows: readonly Row[], column: string) => [...new Set(rows.map((r) => String(r[column])))];
const distinctNumbers = (rows: readonly Row[], column: string) =>
  [...new Set(rows.map((r) => r[column]))].filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Whether a row (one cell and seed) is within a threshold; null when a value it needs is missing. */
export type Criterion = (row: Row) => boolean | null;

export function criteria(t: BudgetThresholds): { name: string; label: string; test: Criterion }[] {
  return [
    {
      name: 'sinkhorn',
      label: `Sinkhorn <= ${t.sinkhornOracleFactor}x the oracle's`,
      test: (r) => {
        const model = num(r['model_sinkhorn']);
        const oracle = num(r['oracle_sinkhorn']);
        return model === null || oracle === null ? null : model <= t.sinkhornOracleFactor * oracle;
      },
    },
    {
      name: 'score_error',
      label: `score error <= ${t.scoreError}`,
      test: (r) => {
        const e = num(r['score_error']);
        return e === null ? null : e <= t.scoreError;
      },
    },
  ];
}

/** Per seed: the smallest parameter count whose row meets the criterion, or null (not reached among the widths run). */
export function thresholdPerSeed(rows: readonly Row[], test: Criterion): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const seed of distinctNumbers(rows, 'seed')) {
    const reached = rows
      .filter((r) => r['seed'] === seed && test(r) === true)
      .map((r) => num(r['parameters']))
      .filter((p): p is number => p !== null);
    out.set(seed, reached.length > 0 ? Math.min(...reached) : null);
  }
  return out;
}

export interface ThresholdSpread {
  seeds: number;
  /** Seeds that reached the threshold at some width. */
  reached: number;
  /** Over seeds, counting a seed that never reached it as infinitely many parameters. */
  min: number | null;
  median: number | null;
  max: number | null;
}

/** min / median / max over seeds of the per-seed threshold count (a seed not reaching it counts as infinite). */
export function thresholdSpread(perSeed: Map<number, number | null>): ThresholdSpread {
  const values = [...perSeed.values()].map((v) => v ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
  const n = values.length;
  const median = n === 0 ? undefined : n % 2 === 1 ? values[(n - 1) / 2] : (values[n / 2 - 1]! + values[n / 2]!) / 2;
  return { seeds: n, reached: values.filter(Number.isFinite).length, min: finite(values[0]), median: finite(median), max: finite(values[n - 1]) };
}

/** Parameter counts in full (a median of two seeds may be a half). */
const count = (v: number) => String(Math.round(v));

export function formatSpread(s: ThresholdSpread): string {
  if (s.reached === 0) return 'not reached';
  const median = s.median === null ? 'not reached' : count(s.median);
  const range = s.seeds > 1 ? ` (${count(s.min!)} to ${s.max === null ? 'not reached' : count(s.max)})` : '';
  const missing = s.reached < s.seeds ? `; ${s.seeds - s.reached} of ${s.seeds} seeds not reached` : '';
  return `${median}${range}${missing}`;
}

/** The rows of each target and dimension, targets in order of first appearance, dimensions ascending. */
function byTargetAndDim(rows: readonly Row[]): { target: string; dim: number; mine: Row[] }[] {
  return distinctText(rows, 'target').flatMap((target) =>
    distinctNumbers(rows.filter((r) => r['target'] === target), 'dim').map((dim) => ({ target, dim, mine: rows.filter((r) => r['target'] === target && r['dim'] === dim) })),
  );
}

/** The summary's section: per target and dimension, each process's smallest parameter count within each threshold. */
export function thresholdMarkdown(rows: readonly Row[], t: BudgetThresholds): string {
  const cs = criteria(t);
  const parts = [
    '## Smallest parameter count within the thresholds',
    '',
    `Thresholds fixed before the runs: ${cs.map((c) => c.label).join('; ')}. Per seed, the smallest parameter count among the widths run ` +
      'that meets the threshold; shown as the median over seeds (min to max), a seed that never meets it counting as infinite.',
    '',
  ];
  const body: string[][] = [];
  for (const { target, dim, mine } of byTargetAndDim(rows)) {
    for (const p of inRegistryOrder(distinctText(mine, 'process'))) {
      const cell = mine.filter((r) => r['process'] === p);
      // While a sweep runs, a seed may lack some widths: the cell count says how complete a line is.
      const seeds = distinctNumbers(cell, 'seed').length;
      body.push([target, String(dim), processLabel(p), `${seeds} (${cell.length})`, ...cs.map((c) => formatSpread(thresholdSpread(thresholdPerSeed(cell, c.test))))]);
    }
  }
  parts.push(markdownTable(['target', 'd', 'process', 'seeds (cells)', ...cs.map((c) => c.label)], body));
  return parts.join('\n');
}

const numbers = (values: readonly (number | null)[]) => values.filter((v): v is number => v !== null);
const sinkhornRatio = (r: Row) => {
  const model = num(r['model_sinkhorn']);
  const oracle = num(r['oracle_sinkhorn']);
  return model === null || oracle === null || oracle <= 0 ? null : model / oracle;
};

/**
 * The summary's section by width: per target and dimension, one line per width with the processes
 * side by side: Sinkhorn over the oracle's (per seed, the quantity the threshold reads), score error
 * and the step training stopped at, each a mean ± std over seeds.
 */
export function widthMarkdown(rows: readonly Row[]): string {
  const quantities: { label: string; value: (r: Row) => number | null }[] = [
    { label: 'Sinkhorn / oracle', value: sinkhornRatio },
    { label: 'score error', value: (r) => num(r['score_error']) },
    { label: 'stopped at', value: (r) => num(r['train_steps']) },
  ];
  const parts = [
    '## By width',
    '',
    "Sinkhorn / oracle: the model's Sinkhorn divergence over the oracle's (same seed); score error: mean over tau, per coordinate; " +
      'stopped at: the update training stopped at. Means ± std over seeds.',
  ];
  for (const { target, dim, mine } of byTargetAndDim(rows)) {
    const processes = inRegistryOrder(distinctText(mine, 'process'));
    const header = ['width', 'parameters', 'seeds', ...quantities.flatMap((q) => processes.map((p) => `${processLabel(p)} ${q.label}`))];
    const body = distinctNumbers(mine, 'width')
      .sort((a, b) => b - a)
      .map((width) => {
        const atWidth = mine.filter((r) => r['width'] === width);
        const seeds = distinctNumbers(atWidth, 'seed').length;
        return [
          String(width),
          String(atWidth[0]!['parameters'] ?? '–'),
          String(seeds),
          ...quantities.flatMap((q) => processes.map((p) => formatStat(stat(numbers(atWidth.filter((r) => r['process'] === p).map(q.value)))))),
        ];
      });
    parts.push('', `**${target}, d = ${dim}**`, '', markdownTable(header, body));
  }
  return parts.join('\n');
}

/** One line per target, dimension, process and width: each column's mean ± std over seeds, under its label. */
function perCellTable(rows: readonly Row[], columns: readonly string[], labels: readonly string[]): string {
  const groups = aggregate(rows, ['target', 'dim', 'process', 'width'], columns);
  const header = ['target', 'd', 'process', 'width', 'seeds', ...labels];
  const body = groups.map((g) => [String(g.group['target']), String(g.group['dim']), String(g.group['process']), String(g.group['width']), String(g.count), ...columns.map((c) => formatStat(g.stats[c]))]);
  return markdownTable(header, body);
}

/**
 * The summary's score error per tau band (overall, then the bands from the data end to the prior /
 * pinned end): where along tau each network's error sits, beside the band swaps that measure what
 * that error does to the samples.
 */
export function bandScoreErrorMarkdown(rows: readonly Row[]): string {
  const bandsOf = (r: Row) => Object.keys(r).filter((k) => k.startsWith(BAND_SCORE_ERROR_PREFIX)).map((k) => k.slice(BAND_SCORE_ERROR_PREFIX.length));
  const withBands = rows.filter((r) => bandsOf(r).length > 0);
  if (withBands.length === 0) return '';
  const bands = [...new Set(withBands.flatMap(bandsOf))];
  return [
    '## Score error by tau band',
    '',
    "The score error's mean over tau (overall) and over each band's points, per coordinate; the bands run from the data end " +
      '(near_data, small tau) to the prior or pinned end (near_prior). Means ± std over seeds.',
    '',
    perCellTable(withBands, ['score_error', ...bands.map((b) => BAND_SCORE_ERROR_PREFIX + b)], ['overall', ...bands]),
  ].join('\n');
}

/** The summary's band-swap section: the model, each band's swaps, and the oracle, means ± std over seeds. */
export function bandSwapMarkdown(rows: readonly Row[]): string {
  const withSwaps = rows.filter((r) => Object.keys(r).some((k) => k.startsWith('swap_')));
  if (withSwaps.length === 0) return '';
  const bands = [...new Set(Object.keys(withSwaps[0]!).filter((k) => k.startsWith('swap_exact_in_') && k.endsWith('_sinkhorn')).map((k) => k.slice('swap_exact_in_'.length, -'_sinkhorn'.length)))];
  const parts = [
    '## Band swaps: each tau band\'s share of the sample error',
    '',
    '"exact in B": the network everywhere but the exact score in band B (the error left comes from outside B); ' +
      '"network in B": the exact score everywhere but the network in B (the error that B alone makes). Means ± std over seeds.',
  ];
  for (const m of SWAP_METRICS) {
    const columns = [`model_${m}`, ...bands.flatMap((b) => [`swap_exact_in_${b}_${m}`, `swap_network_in_${b}_${m}`]), `oracle_${m}`];
    const labels = ['model', ...bands.flatMap((b) => [`exact in ${b}`, `network in ${b}`]), 'oracle'];
    parts.push('', `**${m}**`, '', perCellTable(withSwaps, columns, labels));
  }
  return parts.join('\n');
}

const hours = (seconds: number) => (seconds / 3600).toFixed(2);

/**
 * The summary's compute section: job hours of the finished cells (each cell's wall seconds, the
 * training of its earlier cut-off attempts included), by width and in all, split into training,
 * band swaps and the rest (sampling, metrics, score error, start-up).
 */
export function computeMarkdown(rows: readonly Row[]): string {
  // Seconds of one row; the rest (sampling, metrics, score error, start-up) is what is left of the total.
  const parts = (r: Row) => {
    const earlier = num(r['seconds_earlier_attempts']) ?? 0;
    return {
      total: (num(r['seconds_total']) ?? 0) + earlier,
      train: (num(r['seconds_train']) ?? 0) + earlier,
      earlier,
      swaps: num(r['seconds_band_swap']) ?? 0,
    };
  };
  const sum = (rs: readonly Row[]) => {
    const t = { total: 0, train: 0, earlier: 0, swaps: 0 };
    for (const p of rs.map(parts)) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += p[k];
    return t;
  };
  const line = (label: string, rs: readonly Row[]) => {
    const t = sum(rs);
    return [label, String(rs.length), hours(t.total), hours(t.train), hours(t.swaps), hours(t.total - t.train - t.swaps)];
  };
  const widths = distinctNumbers(rows, 'width').sort((a, b) => b - a);
  const all = sum(rows);
  return [
    '## Compute',
    '',
    `${rows.length} finished cells took ${hours(all.total)} h of job time (each cell's wall seconds in its job, ` +
      `the training of earlier cut-off attempts included: ${hours(all.earlier)} h of it).`,
    '',
    markdownTable(
      ['width', 'cells', 'job hours', 'training', 'band swaps', 'sampling, metrics, score error'],
      [...widths.map((w) => line(String(w), rows.filter((r) => r['width'] === w))), line('all', rows)],
    ),
  ].join('\n');
}

const LABEL: Record<string, string> = { score_error: 'score error', sinkhorn: 'Sinkhorn', mmd: 'MMD^2' };

/** Mean over seeds of `column` against the parameter count, log10 of both (non-positive means dropped). */
function paramSeries(rows: readonly Row[], column: string, label: string, style: string): LineSeries {
  const groups = aggregate(rows, ['parameters'], [column])
    .filter((g) => (g.stats[column]!.mean ?? 0) > 0)
    .sort((a, b) => Number(a.group['parameters']) - Number(b.group['parameters']));
  return { label, style, x: groups.map((g) => Number(g.group['parameters'])), y: groups.map((g) => Math.log10(g.stats[column]!.mean!)) };
}

/**
 * Per target and dimension, one chart per quantity (score error, Sinkhorn, MMD^2) against the
 * parameter count, log-log, VP and PBM on one chart (one colour each); the metrics with each process's oracle (dashed).
 */
export function budgetCharts(rows: readonly Row[]): LineChartOptions[] {
  const charts: LineChartOptions[] = [];
  for (const { target, dim, mine } of byTargetAndDim(rows)) {
    for (const q of ['score_error', 'sinkhorn', 'mmd']) {
      const series: LineSeries[] = [];
      for (const p of inRegistryOrder(distinctText(mine, 'process'))) {
        const rowsP = mine.filter((r) => r['process'] === p);
        if (q === 'score_error') series.push(paramSeries(rowsP, 'score_error', processLabel(p), 'network'));
        else series.push(paramSeries(rowsP, `model_${q}`, processLabel(p), 'network'), paramSeries(rowsP, `oracle_${q}`, processLabel(p), 'oracle'));
      }
      charts.push({
        title: `${target}, d = ${dim}: ${LABEL[q]} against parameters`,
        xLabel: 'network parameters (log)',
        // MMD^2 is estimated without bias and can be negative near the floor: such means are left out.
        yLabel: `log10 ${LABEL[q]}, mean over seeds${q === 'mmd' ? ' (<= 0 left out)' : ''}`,
        legendTitle: 'process',
        xScale: 'log',
        // Series without points stay: colours and dashes keep their meaning from chart to chart.
        series,
        width: 300,
        height: 200,
      });
    }
  }
  return charts.filter((c) => c.series.some((s) => s.x.length > 0));
}

/**
 * The training loss curves the convergence rule read (log10 of each chunk's mean loss, mean over the
 * seeds that reached that chunk), one chart per target, dimension and process, one line per width:
 * a flat end shows the loss had flattened where the cell stopped.
 */
export function lossCurveCharts(records: readonly CellRecord[]): LineChartOptions[] {
  const charts: LineChartOptions[] = [];
  const withCurves = records.filter((r) => r.train.stop?.chunkLosses && r.train.stop.chunkSteps);
  const keys = [...new Set(withCurves.map((r) => JSON.stringify([r.spec.key.target, r.spec.key.dim, r.spec.key.process])))];
  for (const key of keys) {
    const [target, dim, process] = JSON.parse(key) as [string, number, string];
    const mine = withCurves.filter((r) => r.spec.key.target === target && r.spec.key.dim === dim && r.spec.key.process === process);
    const series: LineSeries[] = [];
    for (const width of [...new Set(mine.map((r) => r.spec.key.width))].sort((a, b) => a - b)) {
      const curves = mine.filter((r) => r.spec.key.width === width).map((r) => r.train.stop!);
      const chunks = Math.max(...curves.map((c) => c.chunkLosses!.length));
      const x: number[] = [];
      const y: number[] = [];
      for (let k = 0; k < chunks; k++) {
        const values = curves.filter((c) => k < c.chunkLosses!.length).map((c) => c.chunkLosses![k]!);
        const mean = values.reduce((t, v) => t + v, 0) / values.length;
        if (!(mean > 0)) continue;
        x.push((k + 1) * curves[0]!.chunkSteps!);
        y.push(Math.log10(mean));
      }
      series.push({ label: `width ${width}`, style: 'loss', x, y });
    }
    charts.push({
      title: `${target}, d = ${dim}, ${processLabel(process)}: training loss`,
      xLabel: 'step',
      yLabel: 'log10 chunk mean loss, mean over seeds',
      legendTitle: 'width',
      series,
      width: 300,
      height: 200,
    });
  }
  return charts;
}

async function writeChartFile(charts: LineChartOptions[], columns: number, dir: string, name: string): Promise<string[]> {
  if (charts.length === 0) return [];
  const svg = await renderLineChartsSvg(charts, columns);
  writeFileAtomicSync(path.join(dir, `${name}.svg`), svg);
  writeFileAtomicSync(path.join(dir, `${name}.png`), svgToPng(svg));
  return [`${name}.svg`, `${name}.png`];
}

/** Writes figures/budget-vs-params and figures/budget-loss-curves (SVG and PNG); returns the file names. */
export async function writeBudgetFigures(rows: readonly Row[], records: readonly CellRecord[], dir: string): Promise<string[]> {
  return [...(await writeChartFile(budgetCharts(rows), 3, dir, 'budget-vs-params')), ...(await writeChartFile(lossCurveCharts(records), 2, dir, 'budget-loss-curves'))];
}
