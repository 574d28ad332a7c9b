import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { UsageError } from '../src/errors.js';
import { cellRecordSchema } from '../src/experiment/cell-record.js';
import { childCellRunner } from '../src/experiment/child-runner.js';
import { enumerateCells } from '../src/experiment/grid.js';
import { planSweep, startCell } from '../src/experiment/sweep.js';
import { TEST_AXES, TEST_RECIPE } from './experiment.helpers.js';
import { tempDir } from './helpers.js';

/** The smallest real cells: a few seconds each. */
const TINY = [
  '--targets', 'gmm',
  '--dims', '2',
  '--processes', 'pbm',
  '--seeds', '0',
  '--depth', '1',
  '--steps', '20',
  '--batch-size', '64',
  '--components', '3',
  '--eval-samples', '40',
  '--pbm-eval-steps', '10',
  '--score-tau-count', '3',
  '--score-points', '20',
  '--backend', 'wasm',
  '--threads', '1',
];

/** TINY with some flags' values replaced or added. */
function tiny(overrides: Record<string, string>): string[] {
  const args = [...TINY];
  for (const [flag, value] of Object.entries(overrides)) {
    const k = args.indexOf(flag);
    if (k === -1) args.push(flag, value);
    else args[k + 1] = value;
  }
  return args;
}

const readCell = (out: string, id: string) => cellRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'cells', id, 'cell.json'), 'utf8')));

describe('experiment vp-vs-pbm end to end', () => {
  it('runs two real cells in this process, shares their oracle run, writes every output, and skips them on a re-run', async () => {
    const out = path.join(tempDir('experiment'), 'exp');
    expect(await experimentCli(['vp-vs-pbm', ...TINY, '--widths', '8,16', '--jobs', '1', '--out', out])).toBe(0);

    for (const id of ['gmm-d2-pbm-w8-s0', 'gmm-d2-pbm-w16-s0']) {
      const dir = path.join(out, 'cells', id);
      for (const file of ['config.json', 'checkpoint.bin', 'log.jsonl', 'score_error.json', 'cell.json', 'cell-spec.json']) {
        expect(fs.existsSync(path.join(dir, file)), `${id}/${file}`).toBe(true);
      }
      for (const source of ['ema', 'oracle']) {
        for (const file of ['samples.npy', 'samples.png', 'metrics.json']) {
          expect(fs.existsSync(path.join(dir, 'samples', `${source}-n40-steps10-seed0`, file)), `${id} ${source} ${file}`).toBe(true);
        }
      }
    }
    const wide = readCell(out, 'gmm-d2-pbm-w16-s0');
    const narrow = readCell(out, 'gmm-d2-pbm-w8-s0');
    // Widths run widest first: the second cell copies the first one's oracle run.
    expect(wide.oracle.reused).toBe(false);
    expect(narrow.oracle.reused).toBe(true);
    expect(narrow.oracle.metrics).toEqual(wide.oracle.metrics);
    expect(wide.spec.recipe.pbmTauMin).toBe(1e-4);
    expect(wide.scoreError.taus).toHaveLength(3);
    expect(wide.scoreError.taus[0]).toBe(1e-4);
    expect(wide.scoreError.average).toBeGreaterThan(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'cells', 'gmm-d2-pbm-w16-s0', 'config.json'), 'utf8')) as { model: { width: number }; process: { params: Record<string, number> } };
    expect(config.model.width).toBe(16);
    expect(config.process.params['tau_min']).toBe(1e-4);

    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    expect(csv).toHaveLength(3);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| 2 | pbm | 16 | 1 |');
    expect(fs.existsSync(path.join(out, 'figures', 'score-error-vs-tau.svg'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'figures', 'mmd-vs-width.png'))).toBe(true);

    // A re-run skips both cells: their markers are untouched.
    const before = fs.statSync(path.join(out, 'cells', 'gmm-d2-pbm-w16-s0', 'cell.json')).mtimeMs;
    expect(await experimentCli(['vp-vs-pbm', ...TINY, '--widths', '8,16', '--jobs', '1', '--out', out, '--json'])).toBe(0);
    expect(fs.statSync(path.join(out, 'cells', 'gmm-d2-pbm-w16-s0', 'cell.json')).mtimeMs).toBe(before);
    // The same grid with a changed recipe is refused before anything runs.
    await expect(experimentCli(['vp-vs-pbm', ...tiny({ '--steps': '30' }), '--widths', '8,16', '--out', out])).rejects.toThrow(
      /written by a different grid config \(recipe\.steps is 30 now, 20 there\)/,
    );
  });

  it('runs cells as parallel child processes (--jobs 2), each with its log', async () => {
    const out = path.join(tempDir('experiment-jobs'), 'exp');
    expect(await experimentCli(['vp-vs-pbm', ...tiny({ '--processes': 'vp,pbm', '--eval-steps': '10' }), '--widths', '8', '--jobs', '2', '--out', out])).toBe(0);
    for (const id of ['gmm-d2-pbm-w8-s0', 'gmm-d2-vp-w8-s0']) {
      const record = readCell(out, id);
      expect(record.threads).toBe(1);
      expect(fs.readFileSync(path.join(out, 'cells', id, 'job.log'), 'utf8')).toMatch(new RegExp(`cell ${id} done`));
    }
  });

  it('a parallel job reports its phases to the sweep (for the bar) and logs them', async () => {
    const out = tempDir('experiment-job-phases');
    const plan = planSweep(out, enumerateCells('vp-vs-pbm', { ...TEST_AXES, targets: ['gmm'], dims: [2], processes: ['vp'] }, TEST_RECIPE));
    const cell = plan.toRun[0]!;
    const seen: string[] = [];
    const runner = childCellRunner({ study: 'vp-vs-pbm', backend: 'wasm', threads: 1, onPhase: (c, phase, done, total) => void seen.push(`${c.id} ${phase} ${done}/${total}`) });
    const record = await runner(cell, startCell(cell));
    expect(record.id).toBe(cell.id);
    // Training from step 0 (every 100th step is sent) and its end, then each phase after it once.
    const end = `${TEST_RECIPE.steps}/${TEST_RECIPE.steps}`;
    expect(seen).toEqual([`${cell.id} train 0/${TEST_RECIPE.steps}`, `${cell.id} train ${end}`, `${cell.id} model 0/1`, `${cell.id} oracle 0/1`, `${cell.id} score-error 0/1`]);
    const log = fs.readFileSync(path.join(cell.dir, 'job.log'), 'utf8');
    expect(log.split('\n').filter((l) => ['model', 'oracle', 'score-error'].includes(l))).toEqual(['model', 'oracle', 'score-error']);
  });
});

describe('experiment: any process and exact target of the registries', () => {
  it('runs a sub-VP cell on the checkerboard (fixed 2-D: its cells skip the other dimensions)', async () => {
    const out = path.join(tempDir('experiment-registries'), 'exp');
    const args = tiny({ '--targets': 'checkerboard', '--dims': '2,3', '--processes': 'sub-vp', '--eval-steps': '10' });
    expect(await experimentCli(['vp-vs-pbm', ...args, '--widths', '8', '--jobs', '1', '--out', out])).toBe(0);
    expect(fs.readdirSync(path.join(out, 'cells'))).toEqual(['checkerboard-d2-sub-vp-w8-s0']);
    const record = readCell(out, 'checkerboard-d2-sub-vp-w8-s0');
    const config = JSON.parse(fs.readFileSync(path.join(out, 'cells', 'checkerboard-d2-sub-vp-w8-s0', 'config.json'), 'utf8')) as {
      target: { name: string; options: Record<string, unknown> };
      process: { name: string; params: Record<string, number> };
    };
    expect(config.target).toMatchObject({ name: 'checkerboard', options: {} });
    // sub-VP keeps its own range; the recipe's range is for processes singular at tau = 1.
    expect(config.process).toEqual({ name: 'sub-vp', params: { beta_min: 0.1, beta_max: 20, tau_min: 0.001, tau_max: 1 } });
    expect(Number.isFinite(record.oracle.metrics.mmd)).toBe(true);
    expect(record.scoreError.taus[0]).toBe(0.001);
    expect(fs.existsSync(path.join(out, 'cells', 'checkerboard-d2-sub-vp-w8-s0', 'samples', 'oracle-n40-steps10-seed0', 'samples.npy'))).toBe(true);
    const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| 2 | sub-vp | 8 | 1 |');
    expect(summary).toContain('40 samples with 10 (sub-VP) Euler-Maruyama steps');
  });
});

describe('experiment: bad input gets a one-line error and writes nothing', () => {
  const cases: [string[], RegExp][] = [
    [['vp-vs-pbm', '--dims', '2,51'], /^--dims '2,51': expected integers from 2 to 50, comma-separated, without repeats$/],
    [['vp-vs-pbm', '--dims', '2,2'], /^--dims '2,2': expected integers from 2 to 50/],
    [['vp-vs-pbm', '--widths', '1024'], /^--widths '1024': expected integers from 1 to 512/],
    [['vp-vs-pbm', '--targets', 'mnist'], /^--targets 'mnist': expected targets among funnel, grid9, ring8, gmm, gaussian, two-point, checkerboard,/],
    [['vp-vs-pbm', '--targets', 'checkerboard', '--dims', '3,10'], /^--targets checkerboard: a 2-D target, and --dims 3,10 leaves that out; add 2 to --dims$/],
    [['vp-vs-pbm', '--processes', 've'], /^--processes 've': expected processes among vp, pbm/],
    [['vp-vs-pbm', '--seeds', '-1'], /^--seeds '-1': expected integers from 0 to 2147483647/],
    [['vp-vs-pbm', '--jobs', '0'], /^--jobs '0': expected an integer from 1 to 16$/],
    [['vp-vs-pbm', '--steps', '1.5'], /^--steps '1.5': expected an integer from 1 to 1e8 \(/],
    [['vp-vs-pbm', '--score-taus', '0.5,0.2'], /^--score-taus '0.5,0.2': expected increasing numbers in \(0, 1\)/],
    [['vp-vs-pbm', '--score-taus', '0.0001,0.5'], /^--score-taus 0.0001: outside the vp range \[0.001, 1\]/],
    [['vp-vs-pbm', '--score-taus', '0.5', '--score-tau-count', '4'], /^--score-tau-count 4: not with --score-taus/],
    [['vp-vs-pbm', '--pbm-tau-min', '0.5', '--pbm-tau-max', '0.4'], /^--pbm-tau-min 0.5: must be below --pbm-tau-max \(0.4\)$/],
    [['vp-vs-pbm', '--score-points', '1'], /^--score-points 1: expected an integer >= 2$/],
    [['vp-vs-pbm', '--bogus'], /^--bogus: unknown flag/],
    [['vp-vs-pbm', 'extra'], /^unexpected argument 'extra'/],
    [['vp-vs-ve'], /^unknown experiment 'vp-vs-ve'; accepted: vp-vs-pbm, budget$/],
    [['--quick'], /^missing the experiment to run/],
  ];
  it.each(cases)('%j', async (args, message) => {
    const out = path.join(tempDir('experiment-bad'), 'exp');
    const error = await experimentCli([...args, '--out', out]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses an --out that holds something other than an experiment', async () => {
    const out = tempDir('experiment-foreign');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await expect(experimentCli(['vp-vs-pbm', '--quick', '--dry-run', '--out', out])).rejects.toThrow(/not empty and not an experiment directory/);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
  });
});
