import type { CellPhase } from './cell-job.js';
import type { CellEstimate } from './estimate.js';

/**
 * Where a cell is: a phase and the steps done of it (training: updates of the cap; its end, done =
 * total = the last update), or finished (done or failed).
 */
export type CellProgress = { phase: CellPhase; done: number; total: number } | 'finished';

/** A cell's estimate (training costed at `cap` updates) and, once known, the update its training ended at. */
export interface CellWork {
  estimate: CellEstimate;
  cap: number;
  trainEnd?: number;
}

/** The cell's estimated seconds, its training scaled to where it ended (a cell whose loss flattened early has less work). */
export function cellWorkTotal(w: CellWork): number {
  return w.estimate.total - w.estimate.train + trainSeconds(w);
}

function trainSeconds(w: CellWork): number {
  return w.trainEnd === undefined ? w.estimate.train : (w.estimate.train * Math.min(w.trainEnd, w.cap)) / w.cap;
}

/** The estimated seconds of a cell's work behind it: training by its update, each phase after it whole once the next begins, the band swaps by their count. */
export function cellWorkDone(w: CellWork, p: CellProgress): number {
  const e = w.estimate;
  if (p === 'finished') return cellWorkTotal(w);
  const share = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  const train = trainSeconds(w);
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

export interface SweepProgress {
  report(id: string, p: CellProgress): void;
  /**
   * The share of this run's work done, in [0, 1], by the cost model. Work done before this run (a
   * resumed cell's training up to its checkpoint) does not count, and training a cell skipped by
   * stopping early is neither done nor left; cells not yet ended count at their cap.
   */
  workDone(): number;
}

/**
 * The sweep's progress weighted by each cell's estimated cost, for an ETA that does not count a
 * 40-minute cell like a 1-minute one. `resumed`: the cells that go on from a checkpoint, and its step.
 */
export function sweepProgress(cells: ReadonlyMap<string, { estimate: CellEstimate; cap: number }>, resumed: ReadonlyMap<string, number> = new Map()): SweepProgress {
  const work = new Map<string, CellWork>([...cells].map(([id, c]) => [id, { ...c }]));
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
      if (p !== 'finished' && p.phase === 'train' && p.done === p.total) w.trainEnd = p.done;
      now.set(id, p);
    },
    workDone() {
      let done = 0;
      let left = 0;
      for (const [id, w] of work) {
        const p = now.get(id);
        const at = p === undefined ? (before.get(id) ?? 0) : cellWorkDone(w, p);
        done += at - (before.get(id) ?? 0);
        left += cellWorkTotal(w) - at;
      }
      done = Math.max(0, done);
      return done + left > 0 ? done / (done + left) : 0;
    },
  };
}
