import * as fs from 'node:fs';
import { UsageError } from '../errors.js';
import { inspectCell, resumableStep, writeCellSpec, type CellRecord, type CellState } from './cell-record.js';
import { cellDir, cellId, type CellSpec } from './grid.js';

export interface PlannedCell {
  spec: CellSpec;
  id: string;
  dir: string;
  state: CellState;
}

export interface SweepPlan {
  cells: PlannedCell[];
  /** Finished under this very spec: skipped. */
  done: PlannedCell[];
  /** New cells, and unfinished ones (from their last checkpoint where they have one, else from scratch). */
  toRun: PlannedCell[];
}

/**
 * Judges every cell directory before anything runs. A finished cell of a different grid config
 * is refused (one line naming it and the first differing field): its results are kept, never
 * overwritten; the whole sweep stops before touching anything.
 */
export function planSweep(out: string, specs: CellSpec[]): SweepPlan {
  const cells = specs.map((spec): PlannedCell => {
    const dir = cellDir(out, spec.key);
    return { spec, id: cellId(spec.key), dir, state: inspectCell(dir, spec) };
  });
  const conflicts = cells.filter((c) => c.state.kind === 'conflict');
  if (conflicts.length > 0) {
    const first = conflicts[0]!.state as { kind: 'conflict'; reason: string };
    const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more cell${conflicts.length > 2 ? 's' : ''})` : '';
    throw new UsageError(`${first.reason}${more}`);
  }
  return {
    cells,
    done: cells.filter((c) => c.state.kind === 'done'),
    toRun: cells.filter((c) => c.state.kind === 'fresh' || c.state.kind === 'partial'),
  };
}

/** Empties an unfinished cell's directory (only ever one without its done marker) and leaves its spec there. */
export function prepareCellDir(cell: PlannedCell): void {
  if (fs.existsSync(cell.dir)) {
    const state = inspectCell(cell.dir, cell.spec);
    if (state.kind === 'done' || state.kind === 'conflict') throw new Error(`${cell.dir}: not an unfinished cell; refusing to clear it`);
    fs.rmSync(cell.dir, { recursive: true, force: true });
  }
  fs.mkdirSync(cell.dir, { recursive: true });
  writeCellSpec(cell.dir, cell.spec);
}

/**
 * Readies an unfinished cell to run: one cut off after a checkpoint (the same spec, no recorded
 * failure) goes on from it, and its step is returned; any other is cleared to start again (null).
 */
export function startCell(cell: PlannedCell): number | null {
  const resumeFrom = cell.state.kind === 'partial' ? resumableStep(cell.dir, cell.spec) : null;
  if (resumeFrom === null) prepareCellDir(cell);
  return resumeFrom;
}

/** How a readied cell starts, in words (the tests and cluster logs read it). */
export function startLine(cell: PlannedCell, resumeFrom: number | null): string {
  if (resumeFrom !== null) return `interrupted before, resuming from its checkpoint at step ${resumeFrom}`;
  return cell.state.kind === 'partial' ? 'interrupted before, starting again' : 'starting';
}

/** Runs one readied cell (`resumeFrom`: startCell's answer) and returns its record, in this process or as a child process. */
export type CellRunner = (cell: PlannedCell, resumeFrom: number | null) => Promise<CellRecord>;

export interface CellFailure {
  id: string;
  dir: string;
  message: string;
}

export interface SweepHooks {
  onStart?(cell: PlannedCell, resumeFrom: number | null): void;
  onDone?(cell: PlannedCell, record: CellRecord): void;
  onFail?(cell: PlannedCell, failure: CellFailure): void;
}

export interface SweepResult {
  records: CellRecord[];
  failures: CellFailure[];
}

/**
 * Runs the plan's unfinished cells, `jobs` at a time, in plan order, each from its last checkpoint
 * where it has one. A failed cell is reported and the others go on; it has no done marker, so the
 * next run takes it up again.
 */
export async function runSweep(plan: SweepPlan, runner: CellRunner, jobs: number, hooks: SweepHooks = {}): Promise<SweepResult> {
  const queue = [...plan.toRun];
  const records: CellRecord[] = [];
  const failures: CellFailure[] = [];
  const worker = async () => {
    for (let cell = queue.shift(); cell !== undefined; cell = queue.shift()) {
      try {
        const resumeFrom = startCell(cell);
        hooks.onStart?.(cell, resumeFrom);
        const record = await runner(cell, resumeFrom);
        records.push(record);
        hooks.onDone?.(cell, record);
      } catch (err) {
        const failure = { id: cell.id, dir: cell.dir, message: (err instanceof Error ? err.message : String(err)).split('\n')[0]! };
        failures.push(failure);
        hooks.onFail?.(cell, failure);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, worker));
  return { records, failures };
}
