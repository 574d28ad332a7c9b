import type { CellPhase } from './cell-job.js';
import type { CellEstimate } from './estimate.js';

/**
 * Where a cell is: a phase and the steps done of it (training: updates of the cap; its end, done =
 * total = the last update), or finished (done or failed).
 */
export type CellProgress = { phase: CellPhase; done: number; total: number } | 'finished';

/**
 * A cell's estimate (training costed at `cap` updates) and, once known, the update its training
 * ended at. A cell that `stopsEarly` (a convergence rule) and has not ended yet is expected to
 * end at `expectedShare` of its cap (1: at the cap), and not before the update it has reached.
 */
export interface CellWork {
  estimate: CellEstimate;
  cap: number;
  trainEnd?: number;
  stopsEarly?: boolean;
}

/** The cell's estimated seconds, its training scaled to where it ended or is expected to (a cell whose loss flattened early has less work). */
export function cellWorkTotal(w: CellWork, expectedShare = 1, reached = 0): number {
  return w.estimate.total - w.estimate.train + trainSeconds(w, expectedShare, reached);
}

function trainSeconds(w: CellWork, expectedShare: number, reached: number): number {
  const end = w.trainEnd ?? (w.stopsEarly ? Math.max(expectedShare * w.cap, reached) : w.cap);
  return (w.estimate.train * Math.min(end, w.cap)) / w.cap;
}

/** The estimated seconds of a cell's work behind it: training by its update, each phase after it whole once the next begins, the band swaps by their count. */
export function cellWorkDone(w: CellWork, p: CellProgress, expectedShare = 1): number {
  const e = w.estimate;
  if (p === 'finished') return cellWorkTotal(w);
  const share = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  const train = trainSeconds(w, expectedShare, 0);
  switch (p.phase) {
    case 'train':
      return (e.train * Math.min(p.done, w.cap)) / w.cap;
    case 'model':
      return train;
    case 'oracle':
      return train + e.model;
    case 'score-error':
      return train + e.model + e.oracle;
    case 'band-swap':
      return train + e.model + e.oracle + e.scoreError + e.bandSwap * share;
  }
}

/** The mean of the stop shares (the update training ended at over the cap); 1 without any. */
export function meanStopShare(shares: readonly number[]): number {
  return shares.length > 0 ? shares.reduce((s, x) => s + x, 0) / shares.length : 1;
}

export interface SweepProgress {
  report(id: string, p: CellProgress): void;
  /**
   * The share of this run's work done, in [0, 1], by the cost model. Work done before this run (a
   * resumed cell's training up to its checkpoint) does not count, and training a cell skipped by
   * stopping early is neither done nor left. Cells whose training has not ended count at their
   * cap, or, where a convergence rule may stop them, at the mean stop share of the cells whose
   * training ended (this run's and `endedShares`).
   */
  workDone(): number;
}

/**
 * The sweep's progress weighted by each cell's estimated cost, for an ETA that does not count a
 * 40-minute cell like a 1-minute one. `resumed`: the cells that go on from a checkpoint, and its
 * step. `endedShares`: the stop shares of cells finished before this run.
 */
export function sweepProgress(
  cells: ReadonlyMap<string, { estimate: CellEstimate; cap: number; stopsEarly?: boolean }>,
  resumed: ReadonlyMap<string, number> = new Map(),
  endedShares: readonly number[] = [],
): SweepProgress {
  const work = new Map<string, CellWork>([...cells].map(([id, c]) => [id, { ...c }]));
  const shares = [...endedShares];
  const before = new Map<string, number>();
  for (const [id, step] of resumed) {
    const w = work.get(id);
    if (w) before.set(id, cellWorkDone(w, { phase: 'train', done: step, total: w.cap }));
  }
  const now = new Map<string, CellProgress>();
  return {
    report(id, p) {
      const w = work.get(id);
      if (!w) return;
      if (p !== 'finished' && p.phase === 'train' && p.done === p.total && w.trainEnd === undefined) {
        w.trainEnd = p.done;
        if (w.stopsEarly) shares.push(Math.min(p.done, w.cap) / w.cap);
      }
      now.set(id, p);
    },
    workDone() {
      const expected = meanStopShare(shares);
      let done = 0;
      let left = 0;
      for (const [id, w] of work) {
        const p = now.get(id);
        const at = p === undefined ? (before.get(id) ?? 0) : cellWorkDone(w, p, expected);
        // Training at least as far as reached: this run's report, else the checkpoint resumed from.
        const reached = p !== undefined && p !== 'finished' && p.phase === 'train' ? p.done : (resumed.get(id) ?? 0);
        done += at - (before.get(id) ?? 0);
        left += Math.max(0, cellWorkTotal(w, expected, reached) - at);
      }
      done = Math.max(0, done);
      return done + left > 0 ? done / (done + left) : 0;
    },
  };
}
