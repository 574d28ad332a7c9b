import * as path from 'node:path';
import { z } from 'zod';
import { exactTargetModule, TARGET_NAMES, type TargetName } from '../../datasets/exact-targets.js';
import { heaviestFirst, inRegistryOrder, PROCESS_NAMES, processLabel, processModule, type ProcessName } from '../process/index.js';

/**
 * The studies this command runs, named on the command line; each one's default axes, recipe and
 * output folder are in src/config/studies.ts, its extra outputs in study-outputs.ts.
 */
export const STUDIES = ['vp-vs-pbm', 'budget'] as const;
export type StudyName = (typeof STUDIES)[number];

/** Targets with exact scores (the oracle and the score error need them): every one the registry lists. */
export const EXPERIMENT_TARGETS = TARGET_NAMES;
export type ExperimentTarget = TargetName;

/** Bounds the issue sets on the grid. */
export const GRID_LIMITS = { minDim: 2, maxDim: 50, maxWidth: 512 } as const;

/**
 * Euler-Maruyama steps (model and oracle alike): `vp` for the processes regular at tau = 1
 * (VP, sub-VP), `pbm` for those singular there (PBM), which need finer steps near that end.
 * The keys keep their first names so that sweeps recorded before stay comparable.
 */
const evalStepsSchema = z.object({ vp: z.number().int().positive(), pbm: z.number().int().positive() }).strict();

/**
 * Training stops at the end of a chunk of `chunkSteps` updates once at least `minSteps` are done and
 * the smoothed chunk loss improved by less than the fraction `tol` over the last `window` chunks
 * (see convergence.ts); at the recipe's `steps` it stops regardless (the cap).
 */
export const convergenceSchema = z
  .object({
    chunkSteps: z.number().int().positive(),
    minSteps: z.number().int().nonnegative(),
    window: z.number().int().positive(),
    tol: z.number().nonnegative(),
    /** Weight of the previous smoothed value in the chunk losses' exponential moving average. */
    beta: z.number().min(0).lt(1),
  })
  .strict();
export type ConvergenceRule = z.infer<typeof convergenceSchema>;

/** Every process of the registry can join the study. */
export const EXPERIMENT_PROCESSES = PROCESS_NAMES;
export type ExperimentProcess = ProcessName;

/** The axes of the grid: every combination is one cell. */
export interface GridAxes {
  targets: ExperimentTarget[];
  dims: number[];
  processes: ExperimentProcess[];
  widths: number[];
  seeds: number[];
}

/**
 * What every cell shares: the recipe. Two cells differ only in their axes, so a change of
 * the recipe is a different experiment (a cell written under another recipe is refused).
 */
export const recipeSchema = z
  .object({
    depth: z.number().int().positive(),
    steps: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    lr: z.number().positive(),
    /** gmm: number of components, and the seed of their means (the same mixture for every training seed). */
    components: z.number().int().positive(),
    targetSeed: z.number().int(),
    /** Samples drawn from the model and from the oracle; the metrics compare them with as many target samples. */
    evalSamples: z.number().int().positive(),
    evalSteps: evalStepsSchema,
    /** The noise-level range of the processes singular at tau = 1 (PBM), for training and sampling (the others keep their defaults). */
    pbmTauMin: z.number().positive().lt(1),
    pbmTauMax: z.number().positive().lt(1),
    /** Noise levels of the score-error curve: explicit, or `scoreTauCount` evenly over each process's range. */
    scoreTaus: z.array(z.number().positive().lt(1)).nullable(),
    scoreTauCount: z.number().int().positive(),
    scorePoints: z.number().int().min(2),
    /**
     * The budget study's additions, absent from the other recipes (so their specs stay as they were):
     * a convergence rule (then `steps` is the cap), the number of equal tau bands of the score error,
     * and where each cell also samples with one band's score swapped (convergence.ts, tau-bands.ts).
     */
    convergence: convergenceSchema.optional(),
    tauBands: z.number().int().min(1).optional(),
    bandSwap: z.object({ dims: z.array(z.number().int()), processes: z.array(z.enum(PROCESS_NAMES)) }).strict().optional(),
  })
  .strict();
export type Recipe = z.infer<typeof recipeSchema>;

/** The options a cell's process takes from the recipe: the singular processes' noise-level range (the others keep their defaults). */
export function recipeProcessOptions(recipe: Recipe, process: ExperimentProcess): { tauMin?: number; tauMax?: number } {
  return processModule(process).singularAtOne ? { tauMin: recipe.pbmTauMin, tauMax: recipe.pbmTauMax } : {};
}

/** A cell's sampling steps: the recipe's for processes singular at tau = 1, or for the regular ones. */
export function recipeEvalSteps(recipe: Recipe, process: ExperimentProcess): number {
  return processModule(process).singularAtOne ? recipe.evalSteps.pbm : recipe.evalSteps.vp;
}

/** "VP, sub-VP": the labels, in registry order, of the processes among `processes` that are (or are not) singular at tau = 1. */
export function endLabels(processes: readonly ExperimentProcess[], singular: boolean): string {
  return inRegistryOrder(processes.filter((p) => processModule(p).singularAtOne === singular))
    .map(processLabel)
    .join(', ');
}

/**
 * The request values a cell's target takes: the cell's dimension unless the target's is fixed,
 * and from the recipe gmm's number of components and the seed of its means.
 */
export function recipeTargetOptions(recipe: Recipe, target: ExperimentTarget, dim: number): { dim?: number; components?: number; targetSeed?: number } {
  const takes = exactTargetModule(target).requestKeys;
  return {
    ...(takes.dim ? { dim } : {}),
    ...(takes.components ? { components: recipe.components } : {}),
    ...(takes.targetSeed ? { targetSeed: recipe.targetSeed } : {}),
  };
}

/** The one dimension of a target that has no --dim (grid9, checkerboard), or null when any dimension is accepted. */
export function fixedDimension(target: ExperimentTarget): number | null {
  const module = exactTargetModule(target);
  return module.requestKeys.dim ? null : module.create({}).dim;
}

/** The dimensions a target's cells take from the grid's: all, or its fixed one when the grid has it. */
export function targetDims(target: ExperimentTarget, dims: readonly number[]): number[] {
  const fixed = fixedDimension(target);
  return fixed === null ? [...dims] : dims.filter((d) => d === fixed);
}

export const cellKeySchema = z
  .object({
    target: z.enum(EXPERIMENT_TARGETS),
    dim: z.number().int().min(GRID_LIMITS.minDim).max(GRID_LIMITS.maxDim),
    process: z.enum(EXPERIMENT_PROCESSES),
    width: z.number().int().positive().max(GRID_LIMITS.maxWidth),
    seed: z.number().int(),
  })
  .strict();
export type CellKey = z.infer<typeof cellKeySchema>;

/** Everything that determines a cell's results. */
export const cellSpecSchema = z.object({ study: z.enum(STUDIES), key: cellKeySchema, recipe: recipeSchema }).strict();
export type CellSpec = z.infer<typeof cellSpecSchema>;

/** Whether the recipe asks this cell for band swaps (its dimension and process are listed). */
export function takesBandSwap(spec: CellSpec): boolean {
  const swap = spec.recipe.bandSwap;
  return swap !== undefined && swap.dims.includes(spec.key.dim) && swap.processes.includes(spec.key.process);
}

export function cellId(key: CellKey): string {
  return `${key.target}-d${key.dim}-${key.process}-w${key.width}-s${key.seed}`;
}

/** The cells of the sweep live in <out>/cells/<id>. */
export function cellDir(out: string, key: CellKey): string {
  return path.join(out, 'cells', cellId(key));
}

/** The exact-score sampler does not depend on the network: one run per (target, dim, process, seed). */
export function oracleId(key: CellKey): string {
  return `${key.target}-d${key.dim}-${key.process}-s${key.seed}`;
}

export function oracleCacheDir(out: string, key: CellKey): string {
  return path.join(out, 'oracle', oracleId(key));
}

/**
 * Every cell of the grid, seed-major (a sweep stopped early has whole seeds), then width (the two
 * cells that share an oracle run are far apart, so parallel jobs do not both compute it), then the
 * heavier cells first within a seed: registry order of targets (the funnel first), higher dimension, the costlier
 * process to sample (PBM). A target of fixed dimension has cells only at that dimension.
 */
export function enumerateCells(study: StudyName, axes: GridAxes, recipe: Recipe): CellSpec[] {
  const targets = [...axes.targets].sort((x, y) => EXPERIMENT_TARGETS.indexOf(x) - EXPERIMENT_TARGETS.indexOf(y));
  const dims = [...axes.dims].sort((x, y) => y - x);
  const processes = heaviestFirst(axes.processes);
  const cells: CellSpec[] = [];
  for (const seed of axes.seeds) {
    for (const width of [...axes.widths].sort((x, y) => y - x)) {
      for (const target of targets) {
        for (const dim of targetDims(target, dims)) {
          for (const process of processes) cells.push({ study, key: { target, dim, process, width, seed }, recipe });
        }
      }
    }
  }
  return cells;
}

/** Canonical JSON (sorted keys) so two specs compare by value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The first field (dotted path) where two JSON values differ, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, prefix = ''): { path: string; a: unknown; b: unknown } | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const found = firstDifference(a[key], b[key], prefix ? `${prefix}.${key}` : key);
      if (found) return found;
    }
  }
  return { path: prefix || '(root)', a, b };
}
