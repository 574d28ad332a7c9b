import type { CellValue, Row } from './rows.js';

/** Mean and sample standard deviation (n - 1) of the values present; std is null below 2 values. */
export interface Stat {
  mean: number | null;
  std: number | null;
  n: number;
}

export interface GroupStats {
  /** The grouping columns' values. */
  group: Record<string, CellValue>;
  /** Rows in the group (seeds). */
  count: number;
  stats: Record<string, Stat>;
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/**
 * Groups rows by `by` (in order of first appearance) and summarises each of `columns` over the
 * group: finite numbers only; booleans count as 0/1 (e.g. the share of converged runs).
 */
export function aggregate(rows: readonly Row[], by: readonly string[], columns: readonly string[]): GroupStats[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = JSON.stringify(by.map((c) => row[c] ?? null));
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((members) => {
    const stats: Record<string, Stat> = {};
    for (const c of columns) {
      const values: number[] = [];
      for (const r of members) {
        const v = r[c];
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
        else if (typeof v === 'boolean') values.push(v ? 1 : 0);
      }
      stats[c] = stat(values);
    }
    return { group: Object.fromEntries(by.map((c) => [c, members[0]![c] ?? null])), count: members.length, stats };
  });
}
