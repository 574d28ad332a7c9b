import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { cellRecordSchema, type CellRecord } from '../src/experiment/cell-record.js';
import { readPlan } from '../src/experiment/plan-file.js';
import { jobStates, slurmUnavailable, startSlurmCluster, waitForJob, type SlurmCluster } from './slurm-cluster.js';
import { tempDir } from './temp-dirs.js';

/** The quick grid (8 cells) with a shorter recipe: a few seconds a cell. */
const GRID = ['--quick', '--steps', '60', '--eval-samples', '60', '--score-points', '30', '--backend', 'wasm', '--threads', '1'];

const unavailable = slurmUnavailable();
if (unavailable) console.warn(`experiment.slurm.test.ts skipped: ${unavailable}`);

const readCell = (out: string, id: string): CellRecord => cellRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'cells', id, 'cell.json'), 'utf8')));

/** What a cell measured (not when, where or how fast). */
const measured = (r: CellRecord) => ({ spec: r.spec, train: { steps: r.train.steps, parameters: r.train.parameters, finalLoss: r.train.finalLoss }, model: r.model.metrics, floor: r.model.floor, oracle: r.oracle.metrics, scoreError: r.scoreError });

/** results.csv without the timing columns. */
function resultsWithoutTimes(out: string): string[][] {
  const [header, ...rows] = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
  const keep = header!.map((c, k) => (c.includes('seconds') ? -1 : k)).filter((k) => k >= 0);
  return [header!, ...rows].map((row) => keep.map((k) => row[k]!));
}

async function submit(cluster: SlurmCluster, out: string, extra: string[] = []): Promise<string> {
  expect(await experimentCli(['vp-vs-pbm', ...GRID, ...extra, '--out', out, '--emit', 'slurm'])).toBe(0);
  return cluster.run('sbatch', ['--parsable', path.join(out, 'cluster', 'sweep.sbatch')]).trim().split(';')[0]!;
}

describe.skipIf(unavailable !== null)('the sweep on a real single-node Slurm cluster', () => {
  let cluster: SlurmCluster | undefined;
  const local = path.join(tempDir('slurm-local'), 'exp');

  beforeAll(async () => {
    cluster = await startSlurmCluster(tempDir('slurm-cluster'));
    // The same cells, run here by the ordinary local sweep: the reference.
    expect(await experimentCli(['vp-vs-pbm', ...GRID, '--jobs', '1', '--out', local])).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('runs the quick grid as an array job, one element per cell, and --collect writes what the local run wrote', async () => {
    const out = path.join(tempDir('slurm-sweep'), 'exp');
    const job = await submit(cluster!, out);
    const states = await waitForJob(cluster!, job, 170_000);
    const plan = readPlan(out)!;
    expect(plan.cells).toHaveLength(8);
    expect([...states.entries()].sort((a, b) => a[0] - b[0])).toEqual(plan.cells.map((c) => [c.index, 'COMPLETED']));
    // One log per cell, each its own element's.
    for (const c of plan.cells) expect(fs.readFileSync(path.join(out, 'logs', `cell-${c.index}.log`), 'utf8')).toContain(`cell ${c.index} (${c.id})`);

    expect(await experimentCli(['vp-vs-pbm', ...GRID, '--out', out, '--collect'])).toBe(0);
    for (const c of plan.cells) expect(measured(readCell(out, c.id)), c.id).toEqual(measured(readCell(local, c.id)));
    expect(resultsWithoutTimes(out)).toEqual(resultsWithoutTimes(local));
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toBe(fs.readFileSync(path.join(local, 'summary.md'), 'utf8'));
    expect(fs.readdirSync(path.join(out, 'figures')).sort()).toEqual(fs.readdirSync(path.join(local, 'figures')).sort());
  }, 180_000);

  it('an element cancelled mid-cell and requeued resumes its cell from its checkpoint, and the collected results are unchanged', async () => {
    const out = path.join(tempDir('slurm-requeue'), 'exp');
    // Two cells of the same grid (the funnel at d = 10), one element at a time.
    const subset = ['--targets', 'funnel', '--dims', '10', '--max-running', '1'];
    const job = await submit(cluster!, out, subset);
    const plan = readPlan(out)!;
    const victim = plan.cells[0]!;
    const dir = path.join(out, 'cells', victim.id);
    // Mid-training: a checkpoint written (every cell keeps CELL_CHECKPOINTS), no cell.json yet.
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(path.join(dir, 'checkpoint.bin')) && !fs.existsSync(path.join(dir, 'cell.json')))) {
      if (Date.now() > deadline || fs.existsSync(path.join(dir, 'cell.json'))) throw new Error(`never saw ${victim.id} mid-training`);
      await new Promise((r) => setTimeout(r, 50));
    }
    cluster!.run('scancel', [`${job}_${victim.index}`]);
    for (let k = 0; k < 40 && jobStates(cluster!, job).get(victim.index) !== 'CANCELLED'; k++) await new Promise((r) => setTimeout(r, 250));
    expect(jobStates(cluster!, job).get(victim.index)).toBe('CANCELLED');
    expect(fs.existsSync(path.join(dir, 'cell.json'))).toBe(false);

    // The requeue, as after a preemption; a requeued job waits a while unless told to start now.
    cluster!.run('scontrol', ['requeue', `${job}_${victim.index}`]);
    cluster!.run('scontrol', ['update', `jobid=${job}_${victim.index}`, 'StartTime=now']);
    const states = await waitForJob(cluster!, job, 120_000);
    expect([...states.values()]).toEqual(['COMPLETED', 'COMPLETED']);
    const log = fs.readFileSync(path.join(out, 'logs', `cell-${victim.index}.log`), 'utf8');
    expect(log).toContain('attempt 1');
    expect(log).toContain('attempt 2');
    // The second attempt went on from the first one's checkpoint.
    expect(log).toMatch(/interrupted before, resuming from its checkpoint at step [1-9]/);

    // Nothing is missing, and every cell measured what the local run measured.
    expect(await experimentCli(['vp-vs-pbm', ...GRID, ...subset.slice(0, 4), '--out', out, '--collect'])).toBe(0);
    for (const c of plan.cells) expect(measured(readCell(out, c.id)), c.id).toEqual(measured(readCell(local, c.id)));
    const localRows = resultsWithoutTimes(local).filter((row, k) => k === 0 || (row[0] === 'funnel' && row[1] === '10'));
    expect(resultsWithoutTimes(out)).toEqual(localRows);
  }, 180_000);
});
