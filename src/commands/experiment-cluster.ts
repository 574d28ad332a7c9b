import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPERIMENT_CLUSTER, EXPERIMENT_DEFAULTS } from '../config/experiment-defaults.js';
import { UsageError } from '../errors.js';
import { inspectCell } from '../experiment/cell-record.js';
import { runCell } from '../experiment/cell-job.js';
import { clusterResources, type ClusterJob } from '../experiment/cluster-job.js';
import { collectCells, writeCellFailure, type IndexedCell } from '../experiment/collect.js';
import { k8sJobManifest } from '../experiment/emit-k8s.js';
import { slurmScript } from '../experiment/emit-slurm.js';
import { estimateCell, formatDuration } from '../experiment/estimate.js';
import { cellDir, cellId, enumerateCells, oracleCacheDir, type CellSpec, type StudyName } from '../experiment/grid.js';
import { writeOutputs } from '../experiment/outputs.js';
import { writeStudyOutputs } from '../experiment/study-outputs.js';
import { cellIndexFromEnv, CELL_INDEX_VARIABLES, checkPlan, PLAN_FILE, planOf, planPath, readPlan, writePlan, type SweepPlanFile } from '../experiment/plan-file.js';
import { startCell, startLine } from '../experiment/sweep.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { describeBackend, initBackend } from '../platform/backend.js';
import { gridArgs } from './experiment-grid-args.js';
import type { ExperimentCommandRequest } from './experiment-request.js';
import { checkOutDir, EXPERIMENT_MARKER, preamble, resolveExperiment, writeExperimentMarker, type ResolvedExperiment } from './experiment-setup.js';
import { printJsonSummary } from './json-summary.js';
import { progressBar } from './progress.js';

/** The project's root, where every node runs the payload (it is installed at the same path on each). */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export type ClusterMode = 'plan' | 'cell' | 'emit' | 'collect';

/** Which of the cluster steps the flags ask for (one at most), or null for a local sweep. */
export function clusterMode(f: ExperimentCommandRequest): ClusterMode | null {
  const modes: [ClusterMode, string, boolean][] = [
    ['plan', '--plan', f.plan],
    ['cell', f.cell !== undefined ? `--cell ${f.cell}` : '--cell-from-env', f.cell !== undefined || f.cellFromEnv],
    ['emit', `--emit ${f.emit}`, f.emit !== undefined],
    ['collect', '--collect', f.collect],
  ];
  const asked = modes.filter(([, , on]) => on);
  if (f.cell !== undefined && f.cellFromEnv) throw new UsageError(`--cell ${f.cell}: not with --cell-from-env (one index or the other)`);
  if (asked.length > 1) throw new UsageError(`${asked[1]![1]}: not with ${asked[0]![1]} (one step at a time: --plan, --cell, --emit or --collect)`);
  if (asked.length === 1 && (f.jobs !== undefined || f.dryRun)) {
    throw new UsageError(`${f.jobs !== undefined ? `--jobs ${f.jobs}` : '--dry-run'}: not with ${asked[0]![1]} (it runs no local sweep)`);
  }
  // What the array job asks the scheduler for means nothing without --emit (and the other kind's, nothing with it).
  const only: [string, unknown, 'slurm' | 'k8s' | 'any'][] = [
    ['--max-running', f.maxRunning, 'any'],
    ['--gres', f.gres, 'any'],
    ['--partition', f.partition, 'slurm'],
    ['--account', f.account, 'slurm'],
    ['--image', f.image, 'k8s'],
    ['--volume-claim', f.volumeClaim, 'k8s'],
  ];
  for (const [name, value, kind] of only) {
    if (value === undefined || (f.emit !== undefined && (kind === 'any' || kind === f.emit))) continue;
    throw new UsageError(`${name} ${String(value)}: only with --emit ${kind === 'any' ? 'slurm or --emit k8s' : kind}`);
  }
  return asked[0]?.[0] ?? null;
}

/** The grid from the flags, and the plan in --out (null when there is none) checked against it. */
function gridAndPlan(study: StudyName, f: ExperimentCommandRequest): { e: ResolvedExperiment; specs: CellSpec[]; plan: SweepPlanFile | null } {
  const e = resolveExperiment(study, f);
  checkOutDir(e.out);
  const specs = enumerateCells(study, e.axes, e.recipe);
  const plan = readPlan(e.out);
  if (plan !== null) checkPlan(e.out, plan, specs);
  return { e, specs, plan };
}

/** The grid from the flags, and the plan already in --out checked against it (refused when absent or different). */
function planned(study: StudyName, f: ExperimentCommandRequest, step: string): { e: ResolvedExperiment; specs: CellSpec[] } {
  const { e, specs, plan } = gridAndPlan(study, f);
  if (plan === null) throw new UsageError(`${step}: no ${planPath(e.out)}; make it first: the same flags with --plan`);
  return { e, specs };
}

/** `--plan`: plan.json in --out, and the number of cells. */
function planStep(study: StudyName, f: ExperimentCommandRequest): number {
  const e = resolveExperiment(study, f);
  checkOutDir(e.out);
  const specs = enumerateCells(study, e.axes, e.recipe);
  const plan = writePlan(e.out, specs);
  writeExperimentMarker(e);
  console.log(`${specs.length} cells (indices 0 to ${specs.length - 1}), fingerprint ${plan.fingerprint}, in ${planPath(e.out)}`);
  if (f.json) printJsonSummary({ status: 'planned', out: e.out, plan: planPath(e.out), cells: specs.length, fingerprint: plan.fingerprint });
  return 0;
}

/** `--cell K` / `--cell-from-env`: one cell of the plan, in this process; a finished one is skipped. */
async function cellStep(study: StudyName, f: ExperimentCommandRequest): Promise<number> {
  const index = f.cell ?? cellIndexFromEnv(process.env);
  const flag = f.cell !== undefined ? `--cell ${index}` : `--cell-from-env (${CELL_INDEX_VARIABLES.find((v) => process.env[v])}=${index})`;
  const { e, specs } = planned(study, f, flag);
  const spec = specs[index];
  if (spec === undefined) throw new UsageError(`${flag}: the plan has ${specs.length} cells, indices 0 to ${specs.length - 1}`);
  const cell = { spec, id: cellId(spec.key), dir: cellDir(e.out, spec.key), state: inspectCell(cellDir(e.out, spec.key), spec) };
  const tag: IndexedCell = { index, id: cell.id };
  if (cell.state.kind === 'conflict') throw new UsageError(cell.state.reason);
  if (cell.state.kind === 'done') {
    console.log(`cell ${index} (${cell.id}): already done, skipped`);
    if (f.json) printJsonSummary({ status: 'skipped', cell: index, id: cell.id, dir: cell.dir });
    return 0;
  }
  // A cell cut off (time limit, preemption, requeue) goes on from its last checkpoint; any other
  // unfinished one (a recorded failure, no checkpoint yet) is cleared and starts again.
  const resumeFrom = startCell(cell);
  console.log(`cell ${index} (${cell.id}) of ${specs.length}: ${startLine(cell, resumeFrom)}; estimate ${formatDuration(estimateCell(spec, true).total)}`);
  const backend = await initBackend(f.backend ?? EXPERIMENT_DEFAULTS.backend, { threads: f.threads ?? EXPERIMENT_CLUSTER.threads });
  console.log(describeBackend(backend));
  const bar = progressBar('train', spec.recipe.steps, 'steps');
  try {
    const record = await runCell(spec, cell.dir, {
      backend: backend.name,
      threads: backend.threads,
      oracleCacheDir: oracleCacheDir(e.out, spec.key),
      resume: resumeFrom !== null,
      onPhase: (phase, done) => {
        if (phase === 'train') {
          if (done % 25 === 0) bar.update(done);
        } else bar.update(spec.recipe.steps, { phase });
      },
    });
    bar.stop();
    console.log(`cell ${index} (${record.id}) done in ${formatDuration(record.seconds.wall.total)}`);
    if (f.json) printJsonSummary({ status: 'completed', cell: index, id: record.id, dir: cell.dir, seconds: record.seconds });
    return 0;
  } catch (err) {
    bar.stop();
    writeCellFailure(cell.dir, tag, (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
    throw err;
  }
}

/** `--emit slurm|k8s`: the plan, and a ready array job over its cells in <out>/cluster. */
function emitStep(study: StudyName, f: ExperimentCommandRequest, kind: 'slurm' | 'k8s'): number {
  const e = resolveExperiment(study, f);
  checkOutDir(e.out);
  const specs = enumerateCells(study, e.axes, e.recipe);
  writePlan(e.out, specs);
  writeExperimentMarker(e);
  const out = path.resolve(e.out);
  const threads = f.threads ?? EXPERIMENT_CLUSTER.threads;
  const { minutes, memoryMB } = clusterResources(specs);
  const job: ClusterJob = {
    name: `score-sde-${study}`,
    cells: specs.length,
    maxRunning: Math.min(f.maxRunning ?? EXPERIMENT_CLUSTER.maxRunning, specs.length),
    minutes,
    memoryMB,
    cpus: threads,
    workdir: kind === 'slurm' ? PROJECT_ROOT : EXPERIMENT_CLUSTER.imageWorkdir,
    out,
    command: ['node', '--import', 'tsx', 'scripts/experiment.ts', study, ...gridArgs(f), '--out', out, '--cell-from-env', '--backend', f.backend ?? EXPERIMENT_DEFAULTS.backend, '--threads', String(threads)],
  };
  const dir = path.join(out, 'cluster');
  fs.mkdirSync(dir, { recursive: true });
  let file: string;
  if (kind === 'slurm') {
    // Slurm does not create the log folder; an element whose --output folder is missing fails without a log.
    fs.mkdirSync(path.join(out, 'logs'), { recursive: true });
    file = path.join(dir, 'sweep.sbatch');
    writeFileAtomicSync(file, slurmScript(job, { partition: f.partition, account: f.account, gres: f.gres }));
    fs.chmodSync(file, 0o755);
    console.log(`${file}: ${job.cells} cells, at most ${job.maxRunning} at once, ${minutes} min and ${memoryMB} MB each; submit with: sbatch ${file}`);
  } else {
    file = path.join(dir, 'sweep-job.json');
    const manifest = k8sJobManifest(job, { image: f.image ?? EXPERIMENT_CLUSTER.image, claim: f.volumeClaim ?? EXPERIMENT_CLUSTER.claim, gres: f.gres });
    writeFileAtomicSync(file, JSON.stringify(manifest, null, 2) + '\n');
    console.log(`${file}: an Indexed Job of ${job.cells} cells, ${job.maxRunning} pods at once; submit with: kubectl apply -f ${file}`);
  }
  console.log(`then, when all have ended: the same flags with --collect`);
  if (f.json) printJsonSummary({ status: 'emitted', kind, file, out, cells: job.cells, max_running: job.maxRunning, minutes, memory_mb: memoryMB });
  return 0;
}

/**
 * The cells --collect reads: the plan's, or, in a local sweep's directory (no plan.json), the cells
 * of these flags, so the finished cells' outputs can be written while the sweep runs or after it
 * was cut off.
 */
function collectable(study: StudyName, f: ExperimentCommandRequest): { e: ResolvedExperiment; specs: CellSpec[]; plan: SweepPlanFile; local: boolean } {
  const { e, specs, plan } = gridAndPlan(study, f);
  if (plan !== null) return { e, specs, plan, local: false };
  if (!fs.existsSync(path.join(e.out, EXPERIMENT_MARKER))) {
    throw new UsageError(`--collect: ${e.out} holds no experiment (no ${PLAN_FILE}, no ${EXPERIMENT_MARKER}); run the sweep, or --plan and the cells, there first`);
  }
  return { e, specs, plan: planOf(specs), local: true };
}

const LISTED_IDS = 10;

/** Cells listed with their ids: "3 (funnel-d10-vp-w512-s0), ..."; beyond LISTED_IDS cells, their count and index ranges "211 cells: 5-215". */
export function listCells(cells: readonly IndexedCell[]): string {
  if (cells.length <= LISTED_IDS) return cells.map((c) => `${c.index} (${c.id})`).join(', ');
  const ranges: string[] = [];
  let k = 0;
  while (k < cells.length) {
    let end = k;
    while (end + 1 < cells.length && cells[end + 1]!.index === cells[end]!.index + 1) end += 1;
    ranges.push(end === k ? `${cells[k]!.index}` : `${cells[k]!.index}-${cells[end]!.index}`);
    k = end + 1;
  }
  return `${cells.length} cells: ${ranges.join(', ')}`;
}

/** `--collect`: the finished cells into results.csv, summary and figures, as a local run writes them. */
async function collectStep(study: StudyName, f: ExperimentCommandRequest): Promise<number> {
  const { e, specs, plan, local } = collectable(study, f);
  const got = collectCells(e.out, plan);
  const outputs = await writeOutputs(e.out, got.records, preamble(e, specs.length));
  const extra = await writeStudyOutputs(study, e.out, got.records);
  outputs.figures.push(...extra.figures);
  console.log(outputs.summary + extra.summary);
  console.log(`results: ${outputs.files.join(', ')}`);
  console.log(`collected ${got.records.length} of ${specs.length} cells`);
  if (got.missing.length) console.log(`missing (never started): ${listCells(got.missing)}`);
  if (got.unfinished.length) console.log(`unfinished (running, or interrupted): ${listCells(got.unfinished)}`);
  for (const c of got.failed) console.log(`failed: ${c.index} (${c.id}): ${c.message}`);
  const complete = got.records.length === specs.length;
  if (!complete) {
    console.log(
      local
        ? 'run the same command without --collect to go on (finished cells are skipped, cut-off ones resume)'
        : 'run the array job again (finished cells are skipped), or those cells with --cell K, then --collect',
    );
  }
  if (f.json) {
    printJsonSummary({
      status: complete ? 'completed' : 'incomplete',
      out: e.out,
      cells: specs.length,
      collected: got.records.length,
      missing: got.missing.map((c) => c.index),
      unfinished: got.unfinished.map((c) => c.index),
      failed: got.failed.map((c) => ({ index: c.index, message: c.message })),
      files: outputs.files,
      figures: outputs.figures,
    });
  }
  return complete ? 0 : 1;
}

export async function experimentClusterCommand(study: StudyName, f: ExperimentCommandRequest): Promise<number> {
  const mode = clusterMode(f);
  if (mode === 'plan') return planStep(study, f);
  if (mode === 'cell') return cellStep(study, f);
  if (mode === 'emit') return emitStep(study, f, f.emit!);
  return collectStep(study, f);
}
