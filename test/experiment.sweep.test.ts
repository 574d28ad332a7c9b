import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { CELL_FILES, inspectCell, writeCellRecord } from '../src/experiment/cell-record.js';
import { cellTrainRequest, cellSampler } from '../src/experiment/cell-settings.js';
import { cellDir, enumerateCells, recipeEvalSteps, recipeProcessOptions, type CellSpec } from '../src/experiment/grid.js';
import { createProcess } from '../src/process/index.js';
import { planSweep, runSweep, type CellRunner, type PlannedCell } from '../src/experiment/sweep.js';
import { syntheticRecord, TEST_AXES, TEST_RECIPE } from './experiment.helpers.js';
import { tempDir } from './helpers.js';

const specs = () => enumerateCells('vp-vs-pbm', TEST_AXES, TEST_RECIPE);

/** A runner that only writes the done marker, and remembers what it ran. */
function fakeRunner(ran: string[], fail: (cell: PlannedCell) => boolean = () => false): CellRunner {
  return async (cell) => {
    ran.push(cell.id);
    fs.writeFileSync(path.join(cell.dir, 'checkpoint.bin'), 'weights');
    if (fail(cell)) throw new Error(`${cell.id}: the loss became NaN at step 3\nsecond line`);
    const record = syntheticRecord(cell.spec);
    writeCellRecord(cell.dir, record);
    return record;
  };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

describe('sweep: skip and resume', () => {
  it('runs every cell of a new grid, then skips them all on a re-run', async () => {
    const out = tempDir('sweep');
    const first = planSweep(out, specs());
    expect(first.cells).toHaveLength(8);
    expect(first.toRun).toHaveLength(8);
    const ran: string[] = [];
    const result = await runSweep(first, fakeRunner(ran), 1);
    expect(result.failures).toEqual([]);
    expect(ran).toEqual(first.cells.map((c) => c.id));

    const again = planSweep(out, specs());
    expect(again.done.map((c) => c.id)).toEqual(first.cells.map((c) => c.id));
    expect(again.toRun).toEqual([]);
    const ranAgain: string[] = [];
    await runSweep(again, fakeRunner(ranAgain), 2);
    expect(ranAgain).toEqual([]);
  });

  it('redoes an unfinished cell from scratch and leaves finished ones alone', async () => {
    const out = tempDir('sweep-partial');
    const all = specs();
    const [finished, unfinished] = [all[0]!, all[1]!];
    await runSweep(planSweep(out, [finished]), fakeRunner([]), 1);
    const finishedBefore = snapshot(cellDir(out, finished.key));
    // A crash mid-cell: a run directory without its done marker.
    const partialDir = cellDir(out, unfinished.key);
    fs.mkdirSync(path.join(partialDir, 'samples'), { recursive: true });
    fs.writeFileSync(path.join(partialDir, 'log.jsonl'), '{"step": 5}\n');
    fs.writeFileSync(path.join(partialDir, 'samples', 'stale.npy'), 'stale');

    const plan = planSweep(out, all);
    expect(plan.cells[0]!.state.kind).toBe('done');
    expect(plan.cells[1]!.state.kind).toBe('partial');
    expect(plan.toRun.map((c) => c.id)).toEqual(plan.cells.slice(1).map((c) => c.id));
    const ran: string[] = [];
    await runSweep(plan, fakeRunner(ran), 1);
    expect(ran).not.toContain(plan.cells[0]!.id);
    expect(ran).toContain(plan.cells[1]!.id);
    // The stale files of the crashed attempt are gone; the finished cell is byte for byte as it was.
    expect(fs.existsSync(path.join(partialDir, 'samples', 'stale.npy'))).toBe(false);
    expect(fs.existsSync(path.join(partialDir, 'log.jsonl'))).toBe(false);
    expect(fs.existsSync(path.join(partialDir, CELL_FILES.marker))).toBe(true);
    expect(fs.existsSync(path.join(partialDir, CELL_FILES.spec))).toBe(true);
    expect(snapshot(cellDir(out, finished.key))).toEqual(finishedBefore);
  });

  it('refuses a finished cell written by a different grid config, naming it and the field, and touches nothing', async () => {
    const out = tempDir('sweep-conflict');
    await runSweep(planSweep(out, specs()), fakeRunner([]), 1);
    const before = snapshot(out);
    const changed: CellSpec[] = enumerateCells('vp-vs-pbm', TEST_AXES, { ...TEST_RECIPE, steps: 20 });
    const error = (() => {
      try {
        planSweep(out, changed);
        return null;
      } catch (err) {
        return err as Error;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toMatch(/cell\.json: written by a different grid config \(recipe\.steps is 20 now, 10 there\); use another --out, or delete that cell directory to redo it \(and 7 more cells\)$/);
    expect(error!.message).not.toContain('\n');
    expect(snapshot(out)).toEqual(before);
  });

  it('a grid that adds cells keeps the finished ones (same recipe, more seeds)', async () => {
    const out = tempDir('sweep-grow');
    await runSweep(planSweep(out, specs()), fakeRunner([]), 1);
    const grown = enumerateCells('vp-vs-pbm', { ...TEST_AXES, seeds: [0, 1] }, TEST_RECIPE);
    const plan = planSweep(out, grown);
    expect(plan.done).toHaveLength(8);
    expect(plan.toRun.map((c) => c.spec.key.seed)).toEqual(new Array(8).fill(1));
  });

  it('refuses a marker that is not valid JSON or not a cell record', () => {
    const out = tempDir('sweep-bad-marker');
    const [spec] = specs();
    const dir = cellDir(out, spec!.key);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, CELL_FILES.marker), '{ not json');
    expect(inspectCell(dir, spec!)).toMatchObject({ kind: 'conflict', reason: expect.stringMatching(/cell\.json: not valid JSON/) });
    fs.writeFileSync(path.join(dir, CELL_FILES.marker), JSON.stringify({ format: 'something-else' }));
    expect(inspectCell(dir, spec!)).toMatchObject({ kind: 'conflict', reason: expect.stringMatching(/cell\.json: field format is invalid/) });
    fs.writeFileSync(path.join(dir, CELL_FILES.marker), JSON.stringify({ ...syntheticRecord(spec!), formatVersion: 9 }));
    expect(inspectCell(dir, spec!)).toMatchObject({ kind: 'conflict', reason: expect.stringMatching(/version 9 is newer than this build reads \(1\)/) });
    expect(() => planSweep(out, specs())).toThrow(UsageError);
  });

  it('a failed cell is reported, the others go on, and the next run retries it only', async () => {
    const out = tempDir('sweep-fail');
    const plan = planSweep(out, specs());
    const victim = plan.cells[2]!.id;
    const failed: string[] = [];
    const result = await runSweep(plan, fakeRunner([], (c) => c.id === victim), 2, { onFail: (c) => failed.push(c.id) });
    expect(result.records).toHaveLength(7);
    expect(result.failures).toEqual([{ id: victim, dir: plan.cells[2]!.dir, message: `${victim}: the loss became NaN at step 3` }]);
    expect(failed).toEqual([victim]);
    const retry = planSweep(out, specs());
    expect(retry.toRun.map((c) => c.id)).toEqual([victim]);
    expect(retry.cells[2]!.state.kind).toBe('partial');
  });

  it('runs at most `jobs` cells at once, and all of them', async () => {
    const out = tempDir('sweep-jobs');
    let running = 0;
    let peak = 0;
    const inner = fakeRunner([]);
    const runner: CellRunner = async (cell, resumeFrom) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      const record = await inner(cell, resumeFrom);
      running -= 1;
      return record;
    };
    const result = await runSweep(planSweep(out, specs()), runner, 3);
    expect(result.records).toHaveLength(8);
    expect(peak).toBe(3);
  });
});

describe('grid', () => {
  it('orders cells seed-major, then width, heavier cells first within a seed', () => {
    const cells = enumerateCells('vp-vs-pbm', { targets: ['gmm', 'funnel'], dims: [2, 10], processes: ['vp', 'pbm'], widths: [32, 128], seeds: [1, 0] }, TEST_RECIPE);
    const ids = cells.map((c) => `${c.key.seed}/${c.key.width}/${c.key.target}/${c.key.dim}/${c.key.process}`);
    expect(ids.slice(0, 5)).toEqual(['1/128/funnel/10/pbm', '1/128/funnel/10/vp', '1/128/funnel/2/pbm', '1/128/funnel/2/vp', '1/128/gmm/10/pbm']);
    expect(ids[8]).toBe('1/32/funnel/10/pbm');
    expect(ids[16]).toBe('0/128/funnel/10/pbm');
    expect(new Set(ids).size).toBe(32);
  });

  it('takes every process and exact target: a fixed-dimension target has cells at its dimension only', () => {
    const cells = enumerateCells('vp-vs-pbm', { targets: ['checkerboard', 'gmm'], dims: [2, 3], processes: ['vp', 'sub-vp', 'pbm'], widths: [8], seeds: [0] }, TEST_RECIPE);
    const ids = cells.map((c) => `${c.key.target}/${c.key.dim}/${c.key.process}`);
    expect(ids).toEqual(['gmm/3/pbm', 'gmm/3/vp', 'gmm/3/sub-vp', 'gmm/2/pbm', 'gmm/2/vp', 'gmm/2/sub-vp', 'checkerboard/2/pbm', 'checkerboard/2/vp', 'checkerboard/2/sub-vp']);
  });

  it('gives each cell its target options and its process the steps and range of its kind of end', () => {
    const [board, mixture] = enumerateCells('vp-vs-pbm', { targets: ['checkerboard', 'gmm'], dims: [2], processes: ['sub-vp'], widths: [8], seeds: [0] }, TEST_RECIPE).sort((a, b) => (a.key.target < b.key.target ? -1 : 1));
    // The checkerboard takes no --dim and no gmm options; the gmm takes both.
    expect(cellTrainRequest(board!)).not.toHaveProperty('dim');
    expect(cellTrainRequest(board!)).not.toHaveProperty('components');
    expect(cellTrainRequest(mixture!)).toMatchObject({ dim: 2, components: 3, targetSeed: 0, process: 'sub-vp' });
    // Regular at tau = 1 (VP, sub-VP): the recipe's first step count and their own range; singular (PBM): the second, and the recipe's range.
    expect(['vp', 'sub-vp', 'pbm'].map((p) => recipeEvalSteps(TEST_RECIPE, p as 'vp'))).toEqual([5, 5, 6]);
    expect(recipeProcessOptions(TEST_RECIPE, 'sub-vp')).toEqual({});
    expect(recipeProcessOptions(TEST_RECIPE, 'pbm')).toEqual({ tauMin: 1e-4, tauMax: 0.9999 });
    expect(cellSampler(board!, createProcess('sub-vp')).steps).toBe(5);
  });
});
