import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { listCells } from '../src/commands/experiment-cluster.js';
import { UsageError } from '../src/errors.js';
import { cellRecordSchema } from '../src/experiment/cell-record.js';
import { readPlan } from '../src/experiment/plan-file.js';
import { tempDir } from './temp-dirs.js';

/** Two of the smallest real cells (gmm at d = 2, VP and PBM): a few seconds each. */
const TINY = [
  '--targets', 'gmm',
  '--dims', '2',
  '--processes', 'vp,pbm',
  '--widths', '8',
  '--seeds', '0',
  '--depth', '1',
  '--steps', '20',
  '--batch-size', '64',
  '--components', '3',
  '--eval-samples', '40',
  '--eval-steps', '10',
  '--pbm-eval-steps', '10',
  '--score-tau-count', '3',
  '--score-points', '20',
  '--backend', 'wasm',
  '--threads', '1',
];

/** TINY with some flags' values replaced. */
function tiny(overrides: Record<string, string>): string[] {
  const args = [...TINY];
  for (const [flag, value] of Object.entries(overrides)) args[args.indexOf(flag) + 1] = value;
  return args;
}

const cli = (...args: string[]) => experimentCli(['vp-vs-pbm', ...args]);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => err,
  );

/** The last line of stdout, parsed: the --json summary. */
async function jsonOf(run: () => Promise<number>): Promise<{ code: number; json: Record<string, unknown> }> {
  let last = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    last = String(chunk);
    return true;
  });
  try {
    const code = await run();
    return { code, json: JSON.parse(last) as Record<string, unknown> };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  delete process.env['SLURM_ARRAY_TASK_ID'];
  delete process.env['JOB_COMPLETION_INDEX'];
});

describe('experiment --plan', () => {
  it('writes the ordered cells and a fingerprint, prints the count, and refuses to replace it with another grid', async () => {
    const out = path.join(tempDir('plan'), 'exp');
    const { code, json } = await jsonOf(() => cli('--quick', '--out', out, '--plan', '--json'));
    expect(code).toBe(0);
    expect(json).toMatchObject({ status: 'planned', cells: 8 });
    const plan = readPlan(out)!;
    expect(plan.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.cells[0]!.id).toBe('funnel-d10-pbm-w32-s0');
    expect(json['fingerprint']).toBe(plan.fingerprint);
    // The same flags again: the same plan, kept.
    expect(await cli('--quick', '--out', out, '--plan')).toBe(0);
    expect(readPlan(out)).toEqual(plan);
    const before = fs.readFileSync(path.join(out, 'plan.json'), 'utf8');
    const err = await refusal(cli('--quick', '--steps', '301', '--out', out, '--plan'));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/plan\.json: made for another grid .*cell 0: recipe\.steps is 301 from these flags, 300 in the plan/);
    expect(fs.readFileSync(path.join(out, 'plan.json'), 'utf8')).toBe(before);
  });

  it('refuses one step with another, and --jobs with a step', async () => {
    const out = path.join(tempDir('plan'), 'exp');
    await expect(cli('--quick', '--out', out, '--plan', '--collect')).rejects.toThrow('--collect: not with --plan');
    await expect(cli('--quick', '--out', out, '--cell', '0', '--cell-from-env')).rejects.toThrow('--cell 0: not with --cell-from-env');
    await expect(cli('--quick', '--out', out, '--emit', 'slurm', '--jobs', '2')).rejects.toThrow('--jobs 2: not with --emit slurm');
    await expect(cli('--quick', '--out', out, '--emit', 'pbs')).rejects.toThrow(/--emit/);
    await expect(cli('--quick', '--out', out, '--partition', 'gpu')).rejects.toThrow('--partition gpu: only with --emit slurm');
    await expect(cli('--quick', '--out', out, '--emit', 'slurm', '--image', 'x:1')).rejects.toThrow('--image x:1: only with --emit k8s');
    await expect(cli('--quick', '--out', out, '--plan', '--max-running', '4')).rejects.toThrow('--max-running 4: only with --emit slurm or --emit k8s');
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('experiment --cell', () => {
  it('runs exactly cell K of the plan, skips it when done, and refuses other flags or another index', async () => {
    const out = path.join(tempDir('cell'), 'exp');
    await expect(cli(...TINY, '--out', out, '--cell', '0')).rejects.toThrow(/no .*plan\.json; make it first/);
    expect(await cli(...TINY, '--out', out, '--plan')).toBe(0);
    const plan = readPlan(out)!;
    const { code, json } = await jsonOf(() => cli(...TINY, '--out', out, '--cell', '1', '--json'));
    expect(code).toBe(0);
    expect(json).toMatchObject({ status: 'completed', cell: 1, id: plan.cells[1]!.id });
    expect(fs.readdirSync(path.join(out, 'cells'))).toEqual([plan.cells[1]!.id]);
    const marker = path.join(out, 'cells', plan.cells[1]!.id, 'cell.json');
    const record = cellRecordSchema.parse(JSON.parse(fs.readFileSync(marker, 'utf8')));
    expect(record.spec).toEqual(plan.cells[1]!.spec);

    // Again: skipped, its results untouched.
    const written = fs.statSync(marker).mtimeMs;
    expect((await jsonOf(() => cli(...TINY, '--out', out, '--cell', '1', '--json'))).json).toMatchObject({ status: 'skipped', cell: 1 });
    expect(fs.statSync(marker).mtimeMs).toBe(written);

    await expect(cli(...TINY, '--out', out, '--cell', '2')).rejects.toThrow('--cell 2: the plan has 2 cells, indices 0 to 1');
    const other = await refusal(cli(...TINY, '--lr', '0.002', '--out', out, '--cell', '0'));
    expect(other).toBeInstanceOf(UsageError);
    expect((other as Error).message).toMatch(/made for another grid .*recipe\.lr is 0\.002 from these flags, 0\.001 in the plan/);
    await expect(cli(...TINY, '--out', out, '--cell', '-1')).rejects.toThrow(/--cell/);
  });

  it('a cell cut off after its checkpoint goes on from it and measures what an uninterrupted run measured', async () => {
    const whole = path.join(tempDir('cell'), 'exp');
    const cut = path.join(tempDir('cell'), 'exp');
    for (const out of [whole, cut]) expect(await cli(...TINY, '--out', out, '--plan')).toBe(0);
    expect(await cli(...TINY, '--out', whole, '--cell', '0')).toBe(0);
    // As if killed after training's last checkpoint, before the results: no cell.json.
    const id = readPlan(whole)!.cells[0]!.id;
    fs.cpSync(path.join(whole, 'cells', id), path.join(cut, 'cells', id), { recursive: true });
    fs.rmSync(path.join(cut, 'cells', id, 'cell.json'));
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      expect(await cli(...TINY, '--out', cut, '--cell', '0')).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toContain('interrupted before, resuming from its checkpoint at step 20');
    const read = (out: string) => cellRecordSchema.parse(JSON.parse(fs.readFileSync(path.join(out, 'cells', id, 'cell.json'), 'utf8')));
    expect(read(cut).model.metrics).toEqual(read(whole).model.metrics);
    expect(read(cut).scoreError).toEqual(read(whole).scoreError);
  });

  it('--cell-from-env takes the index from SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX', async () => {
    const out = path.join(tempDir('cell'), 'exp');
    expect(await cli(...TINY, '--out', out, '--plan')).toBe(0);
    await expect(cli(...TINY, '--out', out, '--cell-from-env')).rejects.toThrow('--cell-from-env: none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX is set');
    process.env['JOB_COMPLETION_INDEX'] = '0';
    expect((await jsonOf(() => cli(...TINY, '--out', out, '--cell-from-env', '--json'))).json).toMatchObject({ status: 'completed', cell: 0 });
    process.env['SLURM_ARRAY_TASK_ID'] = 'x';
    await expect(cli(...TINY, '--out', out, '--cell-from-env')).rejects.toThrow('--cell-from-env: SLURM_ARRAY_TASK_ID=x is not a cell index');
    process.env['SLURM_ARRAY_TASK_ID'] = '7';
    await expect(cli(...TINY, '--out', out, '--cell-from-env')).rejects.toThrow('--cell-from-env (SLURM_ARRAY_TASK_ID=7): the plan has 2 cells');
  });
});

describe('experiment --collect', () => {
  it('writes the outputs of the finished cells and lists the missing and failed ones by index', async () => {
    const out = path.join(tempDir('collect'), 'exp');
    // A learning rate that diverges at once: each cell fails quickly, and says why.
    const failing = [...tiny({ '--processes': 'vp', '--widths': '8,16' }), '--lr', '1e12', '--out', out];
    expect(await cli(...failing, '--plan')).toBe(0);
    const plan = readPlan(out)!;
    await expect(cli(...failing, '--cell', '0')).rejects.toThrow(/the loss became/);
    const { code, json } = await jsonOf(() => cli(...failing, '--collect', '--json'));
    expect(code).toBe(1);
    expect(json).toMatchObject({ status: 'incomplete', cells: 2, collected: 0, missing: [1], unfinished: [] });
    expect(json['failed']).toEqual([{ index: 0, message: expect.stringMatching(new RegExp(`^${plan.cells[0]!.id}: the loss became`)) as unknown }]);
    expect(fs.existsSync(path.join(out, 'results.csv'))).toBe(true);
  });

  it("in a local sweep's directory (no plan): writes the finished cells' outputs and names the cut-off ones", async () => {
    const out = path.join(tempDir('collect'), 'exp');
    await expect(cli(...TINY, '--out', out, '--collect')).rejects.toThrow(`--collect: ${out} holds no experiment (no plan.json, no experiment.json)`);
    expect(await cli(...TINY, '--out', out, '--jobs', '1')).toBe(0);
    const whole = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    expect(whole).toHaveLength(3);
    // As if the sweep were cut off in its PBM cell.
    fs.rmSync(path.join(out, 'cells', 'gmm-d2-pbm-w8-s0', 'cell.json'));
    for (const file of ['results.csv', 'summary.md']) fs.rmSync(path.join(out, file));
    const { code, json } = await jsonOf(() => cli(...TINY, '--out', out, '--collect', '--json'));
    expect(code).toBe(1);
    expect(json).toMatchObject({ status: 'incomplete', cells: 2, collected: 1, missing: [], unfinished: [expect.any(Number)], failed: [] });
    const rows = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    expect(rows).toEqual([whole[0], whole.find((row) => row.includes(',vp,'))]);
    expect(fs.existsSync(path.join(out, 'summary.md'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'plan.json'))).toBe(false);
  });

  it('merges cells run one by one into what a local run of the same grid writes', async () => {
    const byIndex = path.join(tempDir('collect'), 'exp');
    const local = path.join(tempDir('collect'), 'exp');
    expect(await cli(...TINY, '--out', byIndex, '--plan')).toBe(0);
    expect(await cli(...TINY, '--out', byIndex, '--cell', '1')).toBe(0);
    expect(await cli(...TINY, '--out', byIndex, '--cell', '0')).toBe(0);
    expect(await cli(...TINY, '--out', byIndex, '--collect')).toBe(0);
    expect(await cli(...TINY, '--out', local, '--jobs', '1')).toBe(0);
    const table = (out: string) => fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(table(byIndex)).toBe(table(local));
  });
});

describe('experiment --emit', () => {
  it('slurm: an sbatch array over the plan with a concurrency cap, time, memory, requeue, one log per cell and the payload', async () => {
    const out = path.join(tempDir('emit'), 'exp');
    const { json } = await jsonOf(() => cli('--quick', '--out', out, '--emit', 'slurm', '--max-running', '3', '--partition', 'gpu', '--account', 'lab42', '--gres', 'gpu:1', '--backend', 'webgpu', '--json'));
    expect(json).toMatchObject({ status: 'emitted', kind: 'slurm', cells: 8, max_running: 3 });
    expect(readPlan(out)!.cells).toHaveLength(8);
    const script = fs.readFileSync(path.join(out, 'cluster', 'sweep.sbatch'), 'utf8');
    const directives = script.split('\n').filter((l) => l.startsWith('#SBATCH '));
    expect(directives).toEqual([
      '#SBATCH --job-name=score-sde-vp-vs-pbm',
      '#SBATCH --array=0-7%3',
      `#SBATCH --time=00:${String(json['minutes']).padStart(2, '0')}:00`,
      `#SBATCH --mem=${String(json['memory_mb'])}M`,
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=1',
      '#SBATCH --requeue',
      '#SBATCH --open-mode=append',
      `#SBATCH --output=${path.resolve(out)}/logs/cell-%a.log`,
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab42',
      '#SBATCH --gres=gpu:1',
    ]);
    expect(fs.statSync(path.join(out, 'logs')).isDirectory()).toBe(true);
    // The payload is this project's command; its flags resolve to the plan's grid.
    const exec = script.split('\n').find((l) => l.startsWith('exec '))!.split(' ');
    expect(exec.slice(0, 6)).toEqual(['exec', 'node', '--import', 'tsx', 'scripts/experiment.ts', 'vp-vs-pbm']);
    expect(exec.slice(-5)).toEqual(['--cell-from-env', '--backend', 'webgpu', '--threads', '1']);
    const payloadFlags = exec.slice(6, -5);
    expect(payloadFlags.slice(-2)).toEqual(['--out', path.resolve(out)]);
    expect(await cli(...payloadFlags, '--plan')).toBe(0);
  });

  it('k8s: an Indexed Job that the batch/v1 Job schema (a subset, offline) accepts, and the schema has teeth', async () => {
    const out = path.join(tempDir('emit'), 'exp');
    expect(await cli('--quick', '--out', out, '--emit', 'k8s', '--max-running', '4', '--gres', 'gpu:2', '--image', 'registry.example/score-sde:1')).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'cluster', 'sweep-job.json'), 'utf8')) as {
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { command: string[]; resources: { limits: Record<string, string> }; volumeMounts: { mountPath: string }[] }[] } } };
    };
    const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'k8s-batch-v1-job.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest.spec).toMatchObject({ completionMode: 'Indexed', completions: 8, parallelism: 4 });
    const container = manifest.spec.template.spec.containers[0]!;
    expect(container.command).toContain('--cell-from-env');
    expect(container.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(container.volumeMounts[0]!.mountPath).toBe(path.resolve(out));

    const broken = structuredClone(manifest);
    broken.spec.completionMode = 'indexed';
    expect(validate(broken)).toBe(false);
    const typo = structuredClone(manifest) as unknown as { spec: Record<string, unknown> };
    typo.spec['paralelism'] = 4;
    expect(validate(typo)).toBe(false);
  });
});

describe('listCells', () => {
  const cells = (indices: number[]) => indices.map((index) => ({ index, id: `c${index}` }));
  it('names up to ten cells with their ids, and more by their count and index ranges', () => {
    expect(listCells(cells([1, 4]))).toBe('1 (c1), 4 (c4)');
    expect(listCells(cells([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))).toContain('9 (c9)');
    expect(listCells(cells([0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 20]))).toBe('11 cells: 0-3, 5, 7-11, 20');
  });
});

