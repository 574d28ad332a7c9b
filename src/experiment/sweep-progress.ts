import type { CellPhase } from './cell-job.js';
import type { CellEstimate } from './estimate.js';

/** Where a cell is: a phase and the steps done of it (training: updates), or finished (done or failed). */
export type CellProgress = { phase: CellPhase; done: number; total: number } | 'finished';

/**
 * The estimated seconds of a cell's work behind it: training by its update, each phase after it
 * whole once the next begins, the band swaps by their count. Training that stops early (its loss
 * flattened) counts whole once sampling begins: the updates skipped are work the sweep no longer has.
 */
export function cellWorkDone(e: CellEstimate, p: CellProgress): number {
  if (p === 'finished') return e.total;
  const share = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  switch (p.phase) {
    case 'train':
      return e.train * share;
    case 'model':
      return e.train;
    case 'oracle':
      return e.train + e.model;
    case 'score-error':
      return e.train + e.model + e.oracle;
    case 'band-swap':
      return e.train + e.model + e.oracle + e.scoreError + e.bandSwap * share;
  }
}

export interface SweepProgress {
  report(id: string, p: CellProgress): void;
  /** The share of this run's work done, in [0, 1], by the cost model; work done before this run (a resumed cell's checkpoint) does not count. */
  workDone(): number;
}

/**
 * The sweep's progress weighted by each cell's estimated cost, for an ETA that does not treat a
 * 40-minute cell like a 1-minute one. `resumed`: the cells that go on from a checkpoint, and its step.
 */
export function sweepProgress(estimates: ReadonlyMap<string, CellEstimate>, resumed: ReadonlyMap<string, { step: number; cap: number }> = new Map()): SweepProgress {
  const before = new Map<string, number>();
  const now = new Map<string, number>();
  for (const [id, { step, cap }] of resumed) {
    const e = estimates.get(id);
    if (e) before.set(id, cellWorkDone(e, { phase: 'train', done: step, total: cap }));
  }
  return {
    report(id, p) {
      const e = estimates.get(id);
      if (e) now.set(id, cellWorkDone(e, p));
    },
    workDone() {
      let done = 0;
      let left = 0;
      for (const [id, e] of estimates) {
        const at = now.get(id) ?? before.get(id) ?? 0;
        done += at - (before.get(id) ?? 0);
        left += e.total - at;
      }
      return done + left > 0 ? Math.max(0, done) / (Math.max(0, done) + left) : 0;
    },
  };
}
