import * as fs from 'node:fs';
import * as path from 'node:path';
import { studyBase } from '../config/studies.js';
import { UsageError } from '../errors.js';
import {
  endLabels,
  fixedDimension,
  recipeProcessOptions,
  targetDims,
  type ExperimentProcess,
  type GridAxes,
  type Recipe,
  type StudyName,
} from '../experiment/grid.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { LOCK_FILE } from '../io/dir-lock.js';
import { checkOutPlace, makeDir } from '../io/out-place.js';
import { createProcess } from '../process/index.js';
import type { ExperimentCommandRequest } from './experiment-request.js';

/** Marks a directory as an experiment's, and records the grid it was last run with. */
export const EXPERIMENT_MARKER = 'experiment.json';

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

/** The grid and recipe from the flags: the study's defaults, then --quick's, then every flag given. */
export function resolveExperiment(study: StudyName, f: ExperimentCommandRequest): ResolvedExperiment {
  const quick = f.quick;
  const d = studyBase(study, quick);
  const axes: GridAxes = {
    targets: f.targets ?? d.axes.targets,
    dims: f.dims ?? d.axes.dims,
    processes: f.processes ?? d.axes.processes,
    widths: f.widths ?? d.axes.widths,
    seeds: f.seeds ?? d.axes.seeds,
  };
  const base = d.recipe;
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
    ...budgetRecipe(base, f),
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
  return { study, axes, recipe, out: f.out ?? d.out };
}

/** The flags that only a study with the matching recipe field takes. */
const BUDGET_ONLY_FLAGS = {
  minSteps: '--min-steps',
  chunkSteps: '--chunk-steps',
  convergeWindow: '--converge-window',
  convergeTol: '--converge-tol',
  bandSwapDims: '--band-swap-dims',
} as const;

/** The budget study's recipe fields (convergence, tau bands, band swaps) with their flags; none for a study without them. */
function budgetRecipe(base: Recipe, f: ExperimentCommandRequest): Partial<Recipe> {
  const out: Partial<Recipe> = {};
  if (base.convergence) {
    out.convergence = {
      ...base.convergence,
      minSteps: f.minSteps ?? base.convergence.minSteps,
      chunkSteps: f.chunkSteps ?? base.convergence.chunkSteps,
      window: f.convergeWindow ?? base.convergence.window,
      tol: f.convergeTol ?? base.convergence.tol,
    };
  }
  if (base.tauBands !== undefined) out.tauBands = base.tauBands;
  if (base.bandSwap) out.bandSwap = { ...base.bandSwap, dims: f.bandSwapDims ?? base.bandSwap.dims };
  for (const [key, flag] of Object.entries(BUDGET_ONLY_FLAGS) as [keyof typeof BUDGET_ONLY_FLAGS, string][]) {
    const value = f[key];
    const takes = key === 'bandSwapDims' ? base.bandSwap !== undefined : base.convergence !== undefined;
    if (value !== undefined && !takes) throw new UsageError(`${flag} ${Array.isArray(value) ? value.join(',') : String(value)}: only the budget study takes it`);
  }
  return out;
}

/** An --out that is neither new, empty, nor an experiment's is refused: nothing in it is touched. */
export function checkOutDir(out: string): void {
  if (!fs.existsSync(out)) return checkOutPlace(out, '--out');
  if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out}: exists and is not a directory`);
  checkOutPlace(out, '--out');
  if (fs.readdirSync(out).some((name) => name !== LOCK_FILE) && !fs.existsSync(path.join(out, EXPERIMENT_MARKER))) {
    throw new UsageError(`--out ${out}: not empty and not an experiment directory (no ${EXPERIMENT_MARKER}); choose a new directory`);
  }
}

/** "3000 Adam steps", or the convergence rule with its cap. */
function trainingLength(r: Recipe): string {
  const c = r.convergence;
  if (!c) return `${r.steps} Adam steps`;
  return (
    `Adam steps until the loss flattens (chunks of ${c.chunkSteps} steps; stop after >= ${c.minSteps} steps once the chunk losses' EMA (beta ${c.beta}) ` +
    `improved by < ${c.tol * 100}% over ${c.window} chunks; cap ${r.steps} steps)`
  );
}

export function recipeLine(r: Recipe, processes: readonly ExperimentProcess[]): string {
  const taus = r.scoreTaus ? `tau in {${r.scoreTaus.join(', ')}}` : `${r.scoreTauCount} tau evenly over each process's range`;
  const regular = endLabels(processes, false);
  const singular = endLabels(processes, true);
  const steps = [regular && `${r.evalSteps.vp} (${regular})`, singular && `${r.evalSteps.pbm} (${singular})`].filter(Boolean).join(' / ');
  return (
    `Recipe: MLP depth ${r.depth}, ${trainingLength(r)} (lr ${r.lr}) of batch ${r.batchSize}, EMA weights; ` +
    `${r.evalSamples} samples with ${steps} Euler-Maruyama steps, model and oracle alike; ` +
    (singular ? `${singular} tau in [${r.pbmTauMin}, ${r.pbmTauMax}]; ` : '') +
    `gmm: ${r.components} components, means from seed ${r.targetSeed}; ` +
    `score error on ${taus}, ${r.scorePoints} points each.`
  );
}

export function preamble(e: ResolvedExperiment, cells: number): string {
  const a = e.axes;
  return [
    `${cells} cells: targets ${a.targets.join(', ')}; d in {${a.dims.join(', ')}}; ${a.processes.join(', ')}; widths {${a.widths.join(', ')}}; seeds {${a.seeds.join(', ')}}.`,
    recipeLine(e.recipe, e.axes.processes),
    'Model: the EMA network with the reverse-time Euler-Maruyama sampler. Oracle: the exact score with the same sampler and steps (its gap to the floor is the discretisation error). ' +
      'Floor: the metric between two independent target samples of the same size. ' +
      "Score error: E b^2 |s_theta - grad log p_tau|^2 / d, averaged over tau by the trapezoid rule (over the training range: the network's excess denoising loss per coordinate).",
  ].join('\n\n');
}

/** Marks `out` as this experiment's directory, recording the grid it was last used with. */
export function writeExperimentMarker(e: ResolvedExperiment): void {
  makeDir(e.out, '--out');
  writeFileAtomicSync(path.join(e.out, EXPERIMENT_MARKER), JSON.stringify({ study: e.study, axes: e.axes, recipe: e.recipe, updatedAt: new Date().toISOString() }, null, 2) + '\n');
}
