import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeBackend, initBackend } from '../platform/backend.js';
import { EXPERIMENT_DEFAULTS, EXPERIMENT_OUT, EXPERIMENT_QUICK } from '../config/experiment-defaults.js';
import { progressBar } from './progress.js';
import { printJsonSummary } from './json-summary.js';
import { UsageError } from '../errors.js';
import { readCellSpec, type CellRecord } from '../experiment/cell-record.js';
import { runCell, type CellPhase } from '../experiment/cell-job.js';
import { childCellRunner } from '../experiment/child-runner.js';
import { estimateSweep, formatDuration } from '../experiment/estimate.js';
import {
  endLabels,
  enumerateCells,
  fixedDimension,
  oracleCacheDir,
  recipeProcessOptions,
  targetDims,
  type ExperimentProcess,
  type GridAxes,
  type Recipe,
  type StudyName,
} from '../experiment/grid.js';
import { writeOutputs } from '../experiment/outputs.js';
import { planSweep, runSweep, type CellRunner, type PlannedCell } from '../experiment/sweep.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { acquireLock, insideLockPath, LOCK_FILE, type DirLock } from '../io/dir-lock.js';
import { checkOutPlace, makeDir } from '../io/out-place.js';
import { createProcess } from '../process/index.js';
import { defaultWasmThreads } from '../platform/wasm-threads.js';
import type { ExperimentCommandRequest } from './experiment-request.js';

/** Marks a directory as an experiment's, and records the grid it was last run with. */
const EXPERIMENT_MARKER = 'experiment.json';

export interface ResolvedExperiment {
  study: StudyName;
  axes: GridAxes;
  recipe: Recipe;
  out: string;
}

/** Each target of the grid has cells: one of fixed dimension needs that dimension among --dims. */
function checkTargetDims(axes: GridAxes): void {
  for (const target of axes.targets) {
    if (targetDims(target, axes.dims).length > 0) continue;
    throw new UsageError(`--targets ${target}: a ${fixedDimension(target)}-D target, and --dims ${axes.dims.join(',')} leaves that out; add ${fixedDimension(target)} to --dims`);
  }
}

/** The grid and recipe from the flags: defaults, then --quick's, then every flag given. */
export function resolveExperiment(study: StudyName, f: ExperimentCommandRequest): ResolvedExperiment {
  const quick = f.quick;
  const axes: GridAxes = {
    targets: f.targets ?? [...EXPERIMENT_DEFAULTS.axes.targets],
    dims: f.dims ?? [...(quick ? EXPERIMENT_QUICK.axes.dims : EXPERIMENT_DEFAULTS.axes.dims)],
    processes: f.processes ?? [...EXPERIMENT_DEFAULTS.axes.processes],
    widths: f.widths ?? [...(quick ? EXPERIMENT_QUICK.axes.widths : EXPERIMENT_DEFAULTS.axes.widths)],
    seeds: f.seeds ?? [...(quick ? EXPERIMENT_QUICK.axes.seeds : EXPERIMENT_DEFAULTS.axes.seeds)],
  };
  const base: Recipe = quick
    ? { ...EXPERIMENT_DEFAULTS.recipe, ...EXPERIMENT_QUICK.recipe, evalSteps: { ...EXPERIMENT_QUICK.recipe.evalSteps } }
    : { ...EXPERIMENT_DEFAULTS.recipe, evalSteps: { ...EXPERIMENT_DEFAULTS.recipe.evalSteps } };
  const recipe: Recipe = {
    depth: f.depth ?? base.depth,
    steps: f.steps ?? base.steps,
    batchSize: f.batchSize ?? base.batchSize,
    lr: f.lr ?? base.lr,
    components: f.components ?? base.components,
    targetSeed: f.targetSeed ?? base.targetSeed,
    evalSamples: f.evalSamples ?? base.evalSamples,
    evalSteps: { vp: f.evalSteps ?? base.evalSteps.vp, pbm: f.pbmEvalSteps ?? base.evalSteps.pbm },
    pbmTauMin: f.pbmTauMin ?? base.pbmTauMin,
    pbmTauMax: f.pbmTauMax ?? base.pbmTauMax,
    scoreTaus: f.scoreTaus ?? base.scoreTaus,
    scoreTauCount: f.scoreTauCount ?? base.scoreTauCount,
    scorePoints: f.scorePoints ?? base.scorePoints,
  };
  checkTargetDims(axes);
  if (recipe.scorePoints < 2) throw new UsageError(`--score-points ${recipe.scorePoints}: expected an integer >= 2`);
  if (recipe.evalSamples < 2) throw new UsageError(`--eval-samples ${recipe.evalSamples}: expected an integer >= 2 (the metrics compare pairs)`);
  if (f.scoreTaus !== undefined && f.scoreTauCount !== undefined) {
    throw new UsageError(`--score-tau-count ${f.scoreTauCount}: not with --score-taus (which lists the noise levels itself)`);
  }
  if (!(recipe.pbmTauMin < recipe.pbmTauMax)) throw new UsageError(`--pbm-tau-min ${recipe.pbmTauMin}: must be below --pbm-tau-max (${recipe.pbmTauMax})`);
  if (recipe.scoreTaus) {
    for (const name of axes.processes) {
      const p = createProcess(name, recipeProcessOptions(recipe, name));
      const outside = recipe.scoreTaus.find((t) => t < p.tauMin || t > p.tauMax);
      if (outside !== undefined) {
        throw new UsageError(`--score-taus ${outside}: outside the ${name} range [${p.tauMin}, ${p.tauMax}] the networks are trained on`);
      }
    }
  }
  return { study, axes, recipe, out: f.out ?? (quick ? EXPERIMENT_OUT.quick : EXPERIMENT_OUT.full) };
}

/** An --out that is neither new, empty, nor an experiment's is refused: nothing in it is touched. */
function checkOutDir(out: string): void {
  if (!fs.existsSync(out)) return checkOutPlace(out, '--out');
  if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out}: exists and is not a directory`);
  checkOutPlace(out, '--out');
  if (fs.readdirSync(out).some((name) => name !== LOCK_FILE) && !fs.existsSync(path.join(out, EXPERIMENT_MARKER))) {
    throw new UsageError(`--out ${out}: not empty and not an experiment directory (no ${EXPERIMENT_MARKER}); choose a new directory`);
  }
}

function recipeLine(r: Recipe, processes: readonly ExperimentProcess[]): string {
  const taus = r.scoreTaus ? `tau in {${r.scoreTaus.join(', ')}}` : `${r.scoreTauCount} tau evenly over each process's range`;
  const regular = endLabels(processes, false);
  const singular = endLabels(processes, true);
  const steps = [regular && `${r.evalSteps.vp} (${regular})`, singular && `${r.evalSteps.pbm} (${singular})`].filter(Boolean).join(' / ');
  return (
    `Recipe: MLP depth ${r.depth}, ${r.steps} Adam steps (lr ${r.lr}) of batch ${r.batchSize}, EMA weights; ` +
    `${r.evalSamples} samples with ${steps} Euler-Maruyama steps, model and oracle alike; ` +
    (singular ? `${singular} tau in [${r.pbmTauMin}, ${r.pbmTauMax}]; ` : '') +
    `gmm: ${r.components} components, means from seed ${r.targetSeed}; ` +
    `score error on ${taus}, ${r.scorePoints} points each.`
  );
}

function preamble(e: ResolvedExperiment, cells: number): string {
  const a = e.axes;
  return [
    `${cells} cells: targets ${a.targets.join(', ')}; d in {${a.dims.join(', ')}}; ${a.processes.join(', ')}; widths {${a.widths.join(', ')}}; seeds {${a.seeds.join(', ')}}.`,
    recipeLine(e.recipe, e.axes.processes),
    'Model: the EMA network with the reverse-time Euler-Maruyama sampler. Oracle: the exact score with the same sampler and steps (its gap to the floor is the discretisation error). ' +
      'Floor: the metric between two independent target samples of the same size. ' +
      "Score error: E b^2 |s_theta - grad log p_tau|^2 / d, averaged over tau by the trapezoid rule (over the training range: the network's excess denoising loss per coordinate).",
  ].join('\n\n');
}

/** `--run-cell DIR`: one prepared cell, in this process (a parallel job of the sweep). */
async function runOneCell(f: ExperimentCommandRequest, dir: string): Promise<number> {
  const spec = readCellSpec(dir);
  const backend = await initBackend(f.backend ?? EXPERIMENT_DEFAULTS.backend, { threads: f.threads ?? 1 });
  console.log(describeBackend(backend));
  // The job's directory is <out>/cells/<id>.
  const out = path.resolve(dir, '..', '..');
  const record = await runCell(spec, dir, { backend: backend.name, threads: backend.threads, oracleCacheDir: oracleCacheDir(out, spec.key) });
  console.log(`cell ${record.id} done in ${record.seconds.wall.total.toFixed(1)} s`);
  if (f.json) printJsonSummary({ status: 'completed', cell: record.id, dir, seconds: record.seconds });
  return 0;
}

/** `npm run experiment -- vp-vs-pbm [flags]`: the sweep, resumable, then its tables and figures. */
export async function experimentCommand(study: StudyName, f: ExperimentCommandRequest): Promise<number> {
  if (f.runCell !== undefined) return runOneCell(f, f.runCell);
  const locks: DirLock[] = [];
  try {
    return await runSweepCommand(study, f, locks);
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** experimentCommand's sweep; the lock it takes goes into `locks`, released when it ends. */
async function runSweepCommand(study: StudyName, f: ExperimentCommandRequest, locks: DirLock[]): Promise<number> {
  const startedAt = performance.now();
  const e = resolveExperiment(study, f);
  checkOutDir(e.out);
  const specs = enumerateCells(study, e.axes, e.recipe);
  const plan = planSweep(e.out, specs);
  const cores = os.availableParallelism();
  const jobs = Math.min(f.jobs ?? cores, Math.max(1, plan.toRun.length));
  const estimate = estimateSweep(
    plan.toRun.map((c) => c.spec),
    jobs,
    cores,
  );
  console.log(`experiment ${study}: ${specs.length} cells, ${plan.done.length} done, ${plan.toRun.length} to run, in ${e.out}`);
  console.log(recipeLine(e.recipe, e.axes.processes));
  console.log(
    `estimate: ${formatDuration(estimate.wallSeconds)} with ${jobs} job${jobs === 1 ? '' : 's'} ` +
      `(${formatDuration(estimate.cellSeconds)} of cell time; cost model measured on a 2-core x86-64 CPU)`,
  );
  if (f.dryRun) {
    for (const c of plan.cells) console.log(`  ${c.state.kind === 'done' ? 'done ' : c.state.kind === 'partial' ? 'redo ' : 'run  '} ${c.id}`);
    if (f.json) {
      printJsonSummary({ status: 'planned', out: e.out, cells: specs.length, done: plan.done.length, to_run: plan.toRun.length, estimate_seconds: estimate.wallSeconds, jobs });
    }
    return 0;
  }

  makeDir(e.out, '--out');
  // One sweep per experiment directory at a time: a second would run the same cells.
  locks.push(acquireLock(insideLockPath(e.out), e.out, 'npm run experiment'));
  writeFileAtomicSync(path.join(e.out, EXPERIMENT_MARKER), JSON.stringify({ study, axes: e.axes, recipe: e.recipe, updatedAt: new Date().toISOString() }, null, 2) + '\n');

  let runner: CellRunner;
  const phases = new Map<string, string>();
  if (jobs === 1) {
    const backend = await initBackend(f.backend ?? EXPERIMENT_DEFAULTS.backend, { threads: f.threads ?? defaultWasmThreads() });
    console.log(describeBackend(backend));
    runner = (cell: PlannedCell) =>
      runCell(cell.spec, cell.dir, {
        backend: backend.name,
        threads: backend.threads,
        oracleCacheDir: oracleCacheDir(e.out, cell.spec.key),
        onPhase: (phase: CellPhase, done, total) => {
          phases.set(cell.id, phase === 'train' ? `train ${done}/${total}` : phase);
          if (phase !== 'train' || done % 100 === 0) refresh();
        },
      });
  } else {
    const threads = f.threads ?? 1;
    console.log(`${jobs} parallel jobs, ${threads} thread${threads === 1 ? '' : 's'} each; each cell's output in its job.log`);
    runner = childCellRunner({ study, backend: f.backend ?? EXPERIMENT_DEFAULTS.backend, threads });
  }

  const bar = progressBar('cells', plan.toRun.length, 'cells', { perMinute: true });
  let finished = 0;
  let failed = 0;
  const refresh = () =>
    bar.update(finished + failed, {
      ...(failed > 0 ? { failed: String(failed) } : {}),
      running: [...phases.entries()].map(([id, phase]) => (jobs === 1 ? `${id} ${phase}` : id)).join(', ') || '-',
    });
  refresh();
  const result = await runSweep(plan, runner, jobs, {
    onStart: (cell) => {
      phases.set(cell.id, 'start');
      refresh();
    },
    onDone: (cell) => {
      phases.delete(cell.id);
      finished += 1;
      refresh();
    },
    onFail: (cell) => {
      phases.delete(cell.id);
      failed += 1;
      refresh();
    },
  });
  bar.stop();
  for (const failure of result.failures) process.stderr.write(`failed: ${failure.message}\n`);

  const records: CellRecord[] = [...plan.done.map((c) => (c.state as { record: CellRecord }).record), ...result.records];
  const outputs = await writeOutputs(e.out, records, preamble(e, specs.length));
  console.log(outputs.summary);
  console.log(`results: ${outputs.files.join(', ')}`);
  console.log(`figures: ${outputs.figures.filter((f) => f.endsWith('.svg')).length} (SVG and PNG) in ${path.join(e.out, 'figures')}`);
  const ranSeconds = result.records.reduce((s, r) => s + r.seconds.wall.total, 0);
  const wall = (performance.now() - startedAt) / 1000;
  console.log(
    `${result.records.length} cell${result.records.length === 1 ? '' : 's'} run in ${formatDuration(wall)} (${result.records.length > 0 ? (ranSeconds / result.records.length).toFixed(0) : 0} s per cell), ` +
      `${plan.done.length} skipped (already done), ${result.failures.length} failed${result.failures.length ? ': re-run the same command to retry them' : ''}`,
  );
  if (f.json) {
    printJsonSummary({
      status: result.failures.length ? 'incomplete' : 'completed',
      out: e.out,
      cells: specs.length,
      ran: result.records.length,
      skipped: plan.done.length,
      failed: result.failures.map((x) => x.message),
      wall_seconds: wall,
      estimate_seconds: estimate.wallSeconds,
      files: outputs.files,
      figures: outputs.figures,
    });
  }
  return result.failures.length ? 1 : 0;
}
