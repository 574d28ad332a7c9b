import * as os from 'node:os';
import * as path from 'node:path';
import { describeBackend, initBackend } from '../platform/backend.js';
import { EXPERIMENT_DEFAULTS } from '../config/experiment-defaults.js';
import { progressBar } from './progress.js';
import { printJsonSummary } from './json-summary.js';
import { readCellSpec, resumableStep, type CellRecord } from '../experiment/cell-record.js';
import { runCell, type CellPhase } from '../experiment/cell-job.js';
import { childCellRunner, jobPhaseReporter, phaseText, reportsProgress } from '../experiment/child-runner.js';
import { estimateCells, estimateSweep, formatDuration } from '../experiment/estimate.js';
import { meanStopShare, sweepProgress } from '../experiment/sweep-progress.js';
import { enumerateCells, oracleCacheDir, type StudyName } from '../experiment/grid.js';
import { writeOutputs } from '../experiment/outputs.js';
import { writeStudyOutputs } from '../experiment/study-outputs.js';
import { planSweep, runSweep, type CellRunner, type PlannedCell } from '../experiment/sweep.js';
import { acquireLock, insideLockPath, withLocks, type DirLock } from '../io/dir-lock.js';
import { makeDir } from '../io/out-place.js';
import { defaultWasmThreads } from '../platform/wasm-threads.js';
import { clusterMode, experimentClusterCommand } from './experiment-cluster.js';
import type { ExperimentCommandRequest } from './experiment-request.js';
import { checkOutDir, preamble, recipeLine, resolveExperiment, writeExperimentMarker } from './experiment-setup.js';

/** `--run-cell DIR`: one prepared cell, in this process (a parallel job of the sweep). */
async function runOneCell(f: ExperimentCommandRequest, dir: string): Promise<number> {
  const spec = readCellSpec(dir);
  const backend = await initBackend(f.backend ?? EXPERIMENT_DEFAULTS.backend, { threads: f.threads ?? 1 });
  console.log(describeBackend(backend));
  // The job's directory is <out>/cells/<id>.
  const out = path.resolve(dir, '..', '..');
  // The sweep cleared the directory unless the cell can go on from its checkpoint.
  const resumeFrom = resumableStep(dir, spec);
  if (resumeFrom !== null) console.log(`resuming from the checkpoint at step ${resumeFrom}`);
  const onPhase = jobPhaseReporter(resumeFrom ?? 0);
  const record = await runCell(spec, dir, { backend: backend.name, threads: backend.threads, oracleCacheDir: oracleCacheDir(out, spec.key), resume: resumeFrom !== null, onPhase });
  console.log(`cell ${record.id} done in ${record.seconds.wall.total.toFixed(1)} s`);
  if (f.json) printJsonSummary({ status: 'completed', cell: record.id, dir, seconds: record.seconds });
  return 0;
}

/** What the dry run says of a cell: done, resumed from its checkpoint's step (`resumeFrom`), redone from scratch, or run. */
function cellPlanLine(c: PlannedCell, resumeFrom: number | undefined): string {
  if (c.state.kind === 'done') return `  done   ${c.id}`;
  if (c.state.kind !== 'partial') return `  run    ${c.id}`;
  return resumeFrom !== undefined ? `  resume ${c.id} (from its checkpoint at step ${resumeFrom})` : `  redo   ${c.id}`;
}

/** `npm run experiment -- vp-vs-pbm [flags]`: the sweep, resumable, then its tables and figures. */
export async function experimentCommand(study: StudyName, f: ExperimentCommandRequest): Promise<number> {
  if (f.runCell !== undefined) return runOneCell(f, f.runCell);
  if (clusterMode(f) !== null) return experimentClusterCommand(study, f);
  return withLocks((locks) => runSweepCommand(study, f, locks));
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
  const resumed = new Map(
    plan.toRun.flatMap((c) => {
      const step = c.state.kind === 'partial' ? resumableStep(c.dir, c.spec) : null;
      return step === null ? [] : [[c.id, step] as const];
    }),
  );
  // Where the finished cells with a convergence rule stopped, as a share of their cap: what the rest are expected to train.
  const endedShares = plan.done.flatMap((c) => {
    const stop = c.state.kind === 'done' ? c.state.record.train.stop : undefined;
    return stop ? [Math.min(stop.step, stop.cap) / stop.cap] : [];
  });
  const resuming = resumed.size;
  const resumeNote = resuming > 0 ? ` (${resuming} from ${resuming === 1 ? 'its' : 'their'} last checkpoint)` : '';
  console.log(`experiment ${study}: ${specs.length} cells, ${plan.done.length} done, ${plan.toRun.length} to run${resumeNote}, in ${e.out}`);
  console.log(recipeLine(e.recipe, e.axes.processes));
  console.log(
    `estimate: ${formatDuration(estimate.wallSeconds)} with ${jobs} job${jobs === 1 ? '' : 's'} ` +
      `(${formatDuration(estimate.cellSeconds)} of cell time; cost model measured on a 2-core x86-64 CPU` +
      (e.recipe.convergence ? `; every cell costed at its ${e.recipe.steps}-step cap, an upper bound: cells stop earlier once their loss flattens)` : ')'),
  );
  const stopShare = meanStopShare(endedShares);
  const expected = e.recipe.convergence && endedShares.length > 0 ? estimateSweep(plan.toRun.map((c) => c.spec), jobs, cores, stopShare) : null;
  if (expected) {
    console.log(
      `expected: ${formatDuration(expected.wallSeconds)} with ${jobs} job${jobs === 1 ? '' : 's'}, ` +
        `if the cells left stop where the ${endedShares.length} finished ones did on average (${(100 * stopShare).toFixed(0)}% of the cap)`,
    );
  }
  if (f.dryRun) {
    for (const c of plan.cells) console.log(cellPlanLine(c, resumed.get(c.id)));
    if (f.json) {
      printJsonSummary({
        status: 'planned',
        out: e.out,
        cells: specs.length,
        done: plan.done.length,
        to_run: plan.toRun.length,
        estimate_seconds: estimate.wallSeconds,
        ...(expected ? { expected_seconds: expected.wallSeconds, expected_stop_share: stopShare } : {}),
        jobs,
      });
    }
    return 0;
  }

  makeDir(e.out, '--out');
  // One sweep per experiment directory at a time: a second would run the same cells.
  locks.push(acquireLock(insideLockPath(e.out), e.out, 'npm run experiment'));
  writeExperimentMarker(e);

  let runner: CellRunner;
  const phases = new Map<string, string>();
  const estimates = estimateCells(plan.toRun.map((c) => c.spec));
  const work = sweepProgress(
    new Map(plan.toRun.map((c, k) => [c.id, { estimate: estimates[k]!, cap: c.spec.recipe.steps, stopsEarly: c.spec.recipe.convergence !== undefined }])),
    resumed,
    endedShares,
  );
  const onPhase = (cell: PlannedCell, phase: CellPhase, done: number, total: number) => {
    phases.set(cell.id, phaseText(phase, done, total));
    work.report(cell.id, { phase, done, total });
    if (reportsProgress(phase, done, total)) refresh();
  };
  if (jobs === 1) {
    const backend = await initBackend(f.backend ?? EXPERIMENT_DEFAULTS.backend, { threads: f.threads ?? defaultWasmThreads() });
    console.log(describeBackend(backend));
    runner = (cell: PlannedCell, resumeFrom: number | null) =>
      runCell(cell.spec, cell.dir, {
        resume: resumeFrom !== null,
        backend: backend.name,
        threads: backend.threads,
        oracleCacheDir: oracleCacheDir(e.out, cell.spec.key),
        onPhase: (phase, done, total) => onPhase(cell, phase, done, total),
      });
  } else {
    const threads = f.threads ?? 1;
    console.log(`${jobs} parallel jobs, ${threads} thread${threads === 1 ? '' : 's'} each; each cell's output in its job.log`);
    runner = childCellRunner({ study, backend: f.backend ?? EXPERIMENT_DEFAULTS.backend, threads, onPhase });
  }

  const bar = progressBar('cells', plan.toRun.length, 'cells', { perMinute: true });
  let finished = 0;
  let failed = 0;
  // The ETA goes by the cost model's share of the work done, not by the count of cells.
  const refresh = () =>
    bar.update(
      finished + failed,
      {
        ...(failed > 0 ? { failed: String(failed) } : {}),
        running: [...phases.entries()].map(([id, phase]) => `${id} ${phase}`).join(', ') || '-',
      },
      work.workDone(),
    );
  refresh();
  const result = await runSweep(plan, runner, jobs, {
    onStart: (cell) => {
      phases.set(cell.id, 'start');
      refresh();
    },
    onDone: (cell) => {
      phases.delete(cell.id);
      work.report(cell.id, 'finished');
      finished += 1;
      refresh();
    },
    onFail: (cell) => {
      phases.delete(cell.id);
      work.report(cell.id, 'finished');
      failed += 1;
      refresh();
    },
  });
  bar.stop();
  for (const failure of result.failures) process.stderr.write(`failed: ${failure.message}\n`);

  const records: CellRecord[] = [...plan.done.map((c) => (c.state as { record: CellRecord }).record), ...result.records];
  const outputs = await writeOutputs(e.out, records, preamble(e, specs.length));
  const extra = await writeStudyOutputs(study, e.out, records);
  outputs.figures.push(...extra.figures);
  console.log(outputs.summary + extra.summary);
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
