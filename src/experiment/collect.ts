import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { CELL_FILES, inspectCell, type CellRecord } from './cell-record.js';
import { cellDir } from './grid.js';
import type { SweepPlanFile } from './plan-file.js';

/** A cell of the plan by its index, as the scheduler's array counts. */
export interface IndexedCell {
  index: number;
  id: string;
}

export interface CollectedCells {
  /** Finished cells, in plan order. */
  records: CellRecord[];
  /** No directory yet: never started. */
  missing: IndexedCell[];
  /** Started, not finished, no failure recorded: running now, or killed (time limit, preemption). */
  unfinished: IndexedCell[];
  failed: (IndexedCell & { message: string })[];
}

const failureSchema = z.object({ index: z.number().int(), id: z.string(), message: z.string(), at: z.string() });

/** Records why a cell run by index failed, for --collect; the cell's next run clears it. */
export function writeCellFailure(dir: string, cell: IndexedCell, message: string): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(path.join(dir, CELL_FILES.failure), JSON.stringify({ ...cell, message, at: new Date().toISOString() }, null, 2) + '\n');
}

function readFailure(dir: string): string | null {
  const file = path.join(dir, CELL_FILES.failure);
  if (!fs.existsSync(file)) return null;
  try {
    return failureSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).message;
  } catch {
    return `${file} is unreadable`;
  }
}

/** Every cell of the plan, judged: finished ones' records, and the others by index. */
export function collectCells(out: string, plan: SweepPlanFile): CollectedCells {
  const result: CollectedCells = { records: [], missing: [], unfinished: [], failed: [] };
  for (const { index, id, spec } of plan.cells) {
    const dir = cellDir(out, spec.key);
    const state = inspectCell(dir, spec);
    if (state.kind === 'conflict') throw new UsageError(state.reason);
    if (state.kind === 'done') {
      result.records.push(state.record);
      continue;
    }
    const failure = state.kind === 'partial' ? readFailure(dir) : null;
    if (failure !== null) result.failed.push({ index, id, message: failure });
    else if (state.kind === 'partial') result.unfinished.push({ index, id });
    else result.missing.push({ index, id });
  }
  return result;
}
