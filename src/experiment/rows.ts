import { METRIC_NAMES } from '../metrics/registry.js';
import type { CellRecord } from './cell-record.js';

/** Every metric of the evaluation, in the registry's order; a target has the subset that applies to it. */
export const METRIC_KEYS = METRIC_NAMES;

export const KEY_COLUMNS = ['target', 'dim', 'process', 'width', 'seed'] as const;

export type CellValue = string | number | boolean | null;
/** One cell and seed, flat: what results.csv holds. */
export type Row = Record<string, CellValue>;

const SOURCES = ['model', 'oracle', 'floor'] as const;

/** Column order of results.csv. */
export const ROW_COLUMNS: string[] = [
  ...KEY_COLUMNS,
  'parameters',
  'train_steps',
  'final_loss',
  'score_error',
  ...SOURCES.flatMap((source) => METRIC_KEYS.map((m) => `${source}_${m}`)),
  'model_sinkhorn_converged',
  'oracle_sinkhorn_converged',
  'oracle_reused',
  'seconds_total',
  'seconds_train',
  'seconds_model',
  'seconds_oracle',
  'seconds_score_error',
  'seconds_earlier_attempts',
  'cpu_seconds_total',
];

/** The flat row of a finished cell; a metric that does not apply to the target is null. */
export function cellRow(record: CellRecord): Row {
  const { key } = record.spec;
  const row: Row = {
    target: key.target,
    dim: key.dim,
    process: key.process,
    width: key.width,
    seed: key.seed,
    parameters: record.train.parameters,
    train_steps: record.train.steps,
    final_loss: record.train.finalLoss,
    score_error: record.scoreError.average,
  };
  const values = { model: record.model.metrics, oracle: record.oracle.metrics, floor: record.model.floor };
  for (const source of SOURCES) {
    for (const m of METRIC_KEYS) row[`${source}_${m}`] = values[source][m] ?? null;
  }
  row['model_sinkhorn_converged'] = record.model.sinkhornConverged;
  row['oracle_sinkhorn_converged'] = record.oracle.sinkhornConverged;
  row['oracle_reused'] = record.oracle.reused;
  const { wall, cpu } = record.seconds;
  row['seconds_total'] = wall.total;
  row['seconds_train'] = wall.train;
  row['seconds_model'] = wall.model;
  row['seconds_oracle'] = wall.oracle;
  row['seconds_score_error'] = wall.scoreError;
  row['seconds_earlier_attempts'] = record.train.earlierAttemptsSeconds ?? 0;
  row['cpu_seconds_total'] = cpu.total;
  return { ...row, ...budgetColumns(record) };
}

/** Prefix of the per-tau-band score error columns (score_error_near_data, ...). */
export const BAND_SCORE_ERROR_PREFIX = 'score_error_';

/** Metrics of the band-swap samplings in results.csv (cell.json has them all). */
export const SWAP_METRICS = ['sinkhorn', 'mmd'] as const;

/**
 * The budget study's columns, present only in its cells' rows: where training stopped and why,
 * the score error per tau band, and each band swap's metrics beside the model's.
 */
function budgetColumns(record: CellRecord): Row {
  const row: Row = {};
  const stop = record.train.stop;
  if (stop) {
    row['train_stop'] = stop.reason;
    row['train_stop_improvement'] = stop.improvement;
  }
  for (const [band, value] of Object.entries(record.scoreError.bands ?? {})) row[`${BAND_SCORE_ERROR_PREFIX}${band}`] = value;
  for (const swap of record.bandSwaps ?? []) {
    for (const m of SWAP_METRICS) row[`swap_${swap.inside}_in_${swap.band}_${m}`] = swap.metrics[m] ?? null;
  }
  if (record.bandSwapSeconds !== undefined) row['seconds_band_swap'] = record.bandSwapSeconds;
  return row;
}

/**
 * results.csv's columns for these rows: ROW_COLUMNS, with the budget study's where its rows have
 * them (stop after train_steps, bands after score_error, swaps at the end); other studies' are unchanged.
 */
export function rowColumns(rows: readonly Row[]): string[] {
  const known = new Set(ROW_COLUMNS);
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !known.has(c));
  const columns: string[] = [];
  for (const c of ROW_COLUMNS) {
    columns.push(c);
    if (c === 'train_steps') columns.push(...extra.filter((e) => e.startsWith('train_stop')));
    if (c === 'score_error') columns.push(...extra.filter((e) => e.startsWith(BAND_SCORE_ERROR_PREFIX)));
  }
  return [...columns, ...extra.filter((e) => !e.startsWith('train_stop') && !e.startsWith(BAND_SCORE_ERROR_PREFIX))];
}

/** The score-error curve of every cell, long format: one row per cell, seed and tau. */
export const CURVE_COLUMNS = [...KEY_COLUMNS, 'tau', 'score_error', 'std_error'];

export function curveRows(record: CellRecord): Row[] {
  const { key } = record.spec;
  return record.scoreError.taus.map((tau, k) => ({
    ...key,
    tau,
    score_error: record.scoreError.errors[k]!,
    std_error: record.scoreError.stdErrors[k]!,
  }));
}

/** Rows in a stable order: target, dim, process, width, seed (and tau). */
export function sortRows(rows: Row[]): Row[] {
  const order = [...KEY_COLUMNS, 'tau'];
  return [...rows].sort((a, b) => {
    for (const c of order) {
      const x = a[c];
      const y = b[c];
      if (x === y || x === undefined || y === undefined) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
    return 0;
  });
}
