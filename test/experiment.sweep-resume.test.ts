import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { CELL_CHECKPOINTS } from '../src/config/experiment-defaults.js';
import { cellRecordSchema, type CellRecord } from '../src/experiment/cell-record.js';
import { tempDir } from './temp-dirs.js';

/**
 * The local sweep killed mid-cell (a session that ends, kill -9 of a job) and run again goes on from
 * each cell's last checkpoint, and measures what an uninterrupted sweep measured. The kill is the
 * test-only SCORE_SDE_TEST_KILL_AT hook, which the parallel jobs inherit.
 */

const STEPS = 60;
/**
 * Two cells of the budget study's quick grid (the funnel at d = 2, width 16, VP and PBM) with their
 * six band swaps: a few seconds each. Chunks of 10 updates (a log record each); at least STEPS
 * updates, so both reach the cap.
 */
const GRID = [
  'budget', '--quick', '--targets', 'funnel', '--dims', '2', '--widths', '16', '--steps', String(STEPS),
  '--chunk-steps', '10', '--min-steps', String(STEPS), '--eval-samples', '60', '--score-points', '30', '--band-swap-dims', '2',
  '--backend', 'wasm', '--threads', '1',
];
const IDS = ['funnel-d2-vp-w16-s0', 'funnel-d2-pbm-w16-s0'];
const EVERY = Math.ceil(STEPS / CELL_CHECKPOINTS);
const KILL_AFTER = 40;
const LAST_CHECKPOINT = Math.floor(KILL_AFTER / EVERY) * EVERY;

const readCell = (out: string, id: string): CellRecord => cellRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'cells', id, 'cell.json'), 'utf8')));
/** What a cell measured (not when or how fast). */
const measured = (r: CellRecord) => ({
  spec: r.spec,
  train: { steps: r.train.steps, parameters: r.train.parameters, finalLoss: r.train.finalLoss, stop: r.train.stop },
  model: r.model.metrics,
  oracle: r.oracle.metrics,
  scoreError: r.scoreError,
  bandSwaps: r.bandSwaps?.map((b) => ({ band: b.band, inside: b.inside, metrics: b.metrics })),
});

async function logged(run: () => Promise<number>): Promise<{ code: number; lines: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await run(), lines: lines.join('\n') };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

let reference: string;
let killed: string;

beforeAll(async () => {
  reference = path.join(tempDir('sweep-resume-ref'), 'exp');
  expect(await experimentCli([...GRID, '--jobs', '1', '--out', reference])).toBe(0);
  // Both parallel jobs die right after update KILL_AFTER, with no chance to clean up.
  killed = path.join(tempDir('sweep-resume-killed'), 'exp');
  process.env['SCORE_SDE_TEST_KILL_AT'] = `step:${KILL_AFTER}`;
  try {
    const first = await logged(() => experimentCli([...GRID, '--jobs', '2', '--out', killed]));
    expect(first.code).toBe(1);
  } finally {
    delete process.env['SCORE_SDE_TEST_KILL_AT'];
  }
}, 120_000);

afterEach(() => {
  delete process.env['SCORE_SDE_TEST_KILL_AT'];
});

describe('the local sweep, killed mid-cell and run again', () => {
  it('keeps each killed cell with its last checkpoint, and --dry-run says it will resume from it', async () => {
    for (const id of IDS) {
      expect(fs.existsSync(path.join(killed, 'cells', id, 'checkpoint.bin'))).toBe(true);
      expect(fs.existsSync(path.join(killed, 'cells', id, 'cell.json'))).toBe(false);
    }
    const dry = await logged(() => experimentCli([...GRID, '--out', killed, '--dry-run']));
    expect(dry.code).toBe(0);
    for (const id of IDS) expect(dry.lines).toContain(`  resume ${id} (from its checkpoint at step ${LAST_CHECKPOINT})`);
  });

  it.each([
    ['parallel jobs', '2'],
    ['one job in this process', '1'],
  ])('with %s: goes on from the checkpoint and measures what the uninterrupted sweep measured', async (_label, jobs) => {
    const out = path.join(tempDir('sweep-resume'), 'exp');
    fs.cpSync(killed, out, { recursive: true });
    const again = await logged(() => experimentCli([...GRID, '--jobs', jobs, '--out', out]));
    expect(again.code).toBe(0);
    expect(again.lines).toContain('2 cells, 0 done, 2 to run (2 from their last checkpoint)');
    expect(again.lines).toContain('2 cells run');
    for (const id of IDS) {
      expect(measured(readCell(out, id)), id).toEqual(measured(readCell(reference, id)));
      if (jobs === '2') {
        // The job's log keeps the killed attempt's output, then says where the second went on.
        const log = fs.readFileSync(path.join(out, 'cells', id, 'job.log'), 'utf8');
        expect(log.match(/^backend: /gm)).toHaveLength(2);
        expect(log).toContain(`resuming from the checkpoint at step ${LAST_CHECKPOINT}`);
      }
    }
    for (const id of IDS) {
      const { train } = readCell(out, id);
      // Both stop at the cap, from the resumed run's chunk losses too.
      expect(train.steps).toBe(STEPS);
      expect(train.stop).toMatchObject({ reason: 'cap', step: STEPS });
      // The killed attempt's training time is kept (compute spent), and the rate is this attempt's.
      expect(train.earlierAttemptsSeconds).toBeGreaterThan(0);
      expect(readCell(reference, id).train.earlierAttemptsSeconds).toBeUndefined();
      expect(Number.isFinite(train.stepsPerSecond) && train.stepsPerSecond > 0).toBe(true);
    }
    const header = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n')[0]!.split(',');
    const rows = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n').slice(1);
    const k = header.indexOf('seconds_earlier_attempts');
    for (const row of rows) expect(Number(row.split(',')[k])).toBeGreaterThan(0);
  }, 120_000);
});

describe('the local sweep, killed among a cell\'s band swaps and run again', () => {
  it('keeps the swaps already finished, redoes the rest, and measures what the uninterrupted sweep measured', async () => {
    const out = path.join(tempDir('sweep-resume-swaps'), 'exp');
    const KILL_BEFORE = 3;
    process.env['SCORE_SDE_TEST_KILL_AT'] = `band-swap:${KILL_BEFORE}`;
    try {
      expect((await logged(() => experimentCli([...GRID, '--jobs', '2', '--out', out]))).code).toBe(1);
    } finally {
      delete process.env['SCORE_SDE_TEST_KILL_AT'];
    }
    const swapsDir = (id: string) => path.join(out, 'cells', id, 'samples');
    const finishedSwaps = new Map<string, Map<string, number>>();
    for (const id of IDS) {
      expect(fs.existsSync(path.join(out, 'cells', id, 'cell.json'))).toBe(false);
      const kept = JSON.parse(fs.readFileSync(path.join(out, 'cells', id, 'band-swaps-so-far.json'), 'utf8')) as { dir: string }[];
      expect(kept).toHaveLength(KILL_BEFORE);
      finishedSwaps.set(id, new Map(kept.map((k) => [k.dir, fs.statSync(path.join(out, 'cells', id, k.dir, 'metrics.json')).mtimeMs])));
      expect(fs.readdirSync(swapsDir(id)).filter((name) => name.startsWith('swap-'))).toHaveLength(KILL_BEFORE);
    }
    const again = await logged(() => experimentCli([...GRID, '--jobs', '2', '--out', out]));
    expect(again.code).toBe(0);
    for (const id of IDS) {
      expect(measured(readCell(out, id)), id).toEqual(measured(readCell(reference, id)));
      // The three finished swaps were read back, not sampled again.
      for (const [dir, mtime] of finishedSwaps.get(id)!) expect(fs.statSync(path.join(out, 'cells', id, dir, 'metrics.json')).mtimeMs).toBe(mtime);
      expect(fs.readdirSync(swapsDir(id)).filter((name) => name.startsWith('swap-'))).toHaveLength(6);
    }
  }, 120_000);
});

