import type { Options } from 'yargs';
import { z } from 'zod';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { BUDGET_DEFAULTS, BUDGET_QUICK } from '../config/budget-defaults.js';
import { EXPERIMENT_CLUSTER, EXPERIMENT_DEFAULTS, EXPERIMENT_OUT, EXPERIMENT_QUICK } from '../config/experiment-defaults.js';
import { endLabels, EXPERIMENT_TARGETS, fixedDimension, GRID_LIMITS } from '../experiment/grid.js';
import { PROCESS_NAMES } from '../process/index.js';
import { MAX_WASM_THREADS } from '../platform/wasm-threads.js';
import { bounded, flag, numberFlag, textOption, threadsFlag } from './flags.js';

/** Most parallel jobs: each is a Node process with its own TensorFlow.js. */
export const MAX_JOBS = 16;

const D = EXPERIMENT_DEFAULTS;
const Q = EXPERIMENT_QUICK;
const str = (describe: string, group: string, defaultDescription?: string) => textOption(describe, defaultDescription, group);
/** "VP, sub-VP": the processes regular (or singular) at tau = 1, which share a recipe's sampling steps. */
const labels = (singular: boolean) => endLabels(PROCESS_NAMES, singular);
/** "grid9 2-D, checkerboard 2-D only": the targets whose cells take one dimension. */
const fixedDimensionTargets = () =>
  EXPERIMENT_TARGETS.flatMap((t) => {
    const d = fixedDimension(t);
    return d === null ? [] : [`${t} ${d}-D`];
  }).join(', ') + ' only';
const both = (full: unknown, quick: unknown) => `${String(full)} (--quick: ${String(quick)})`;

export const EXPERIMENT_FLAGS: Record<string, Options> = {
  targets: str(`targets, comma-separated: ${EXPERIMENT_TARGETS.join(', ')} (${fixedDimensionTargets()})`, 'Grid:', D.axes.targets.join(',')),
  dims: str(`dimensions, comma-separated, ${GRID_LIMITS.minDim} to ${GRID_LIMITS.maxDim}`, 'Grid:', both(D.axes.dims, Q.axes.dims)),
  processes: str(`noising processes, comma-separated: ${PROCESS_NAMES.join(', ')}`, 'Grid:', D.axes.processes.join(',')),
  widths: str(`MLP hidden widths, comma-separated, 1 to ${GRID_LIMITS.maxWidth}`, 'Grid:', both(D.axes.widths, Q.axes.widths)),
  seeds: str('seeds (initialisation, data, sampling), comma-separated', 'Grid:', both(D.axes.seeds, Q.axes.seeds)),
  depth: str(bounded('hidden layers of every MLP', 'depth'), 'Recipe:', String(D.recipe.depth)),
  steps: str(bounded('optimiser updates per cell', 'trainSteps'), 'Recipe:', both(D.recipe.steps, Q.recipe.steps)),
  'batch-size': str(bounded('examples per update', 'batchSize'), 'Recipe:', String(D.recipe.batchSize)),
  lr: str('Adam learning rate', 'Recipe:', String(D.recipe.lr)),
  components: str(bounded('gmm: number of components', 'components'), 'Recipe:', String(D.recipe.components)),
  'target-seed': str('gmm: seed of the means (one mixture for every training seed)', 'Recipe:', String(D.recipe.targetSeed)),
  'eval-samples': str(bounded('samples from the model and from the oracle, and target samples they are compared with', 'samples'), 'Recipe:', both(D.recipe.evalSamples, Q.recipe.evalSamples)),
  'eval-steps': str(bounded(`Euler-Maruyama steps with the processes regular at tau = 1: ${labels(false)} (model and oracle)`, 'samplerSteps'), 'Recipe:', both(D.recipe.evalSteps.vp, Q.recipe.evalSteps.vp)),
  'pbm-eval-steps': str(bounded(`Euler-Maruyama steps with the processes singular at tau = 1: ${labels(true)} (model and oracle)`, 'samplerSteps'), 'Recipe:', both(D.recipe.evalSteps.pbm, Q.recipe.evalSteps.pbm)),
  'pbm-tau-min': str(`${labels(true)}: smallest noise level, in training and sampling`, 'Recipe:', String(D.recipe.pbmTauMin)),
  'pbm-tau-max': str(`${labels(true)}: largest noise level (where sampling starts from the point 0), in training and sampling`, 'Recipe:', String(D.recipe.pbmTauMax)),
  'score-taus': str('noise levels of the score-error curve, comma-separated and increasing, in (0, 1)', 'Recipe:', "evenly over each process's range"),
  'score-tau-count': str(bounded('number of noise levels of the score-error curve (without --score-taus)', 'gridPoints'), 'Recipe:', both(D.recipe.scoreTauCount, Q.recipe.scoreTauCount)),
  'score-points': str(bounded('points x ~ p_tau per noise level of the score-error curve', 'points'), 'Recipe:', both(D.recipe.scorePoints, Q.recipe.scorePoints)),
  'min-steps': str('budget: fewest updates before the convergence rule may stop training', 'Budget study:', `${BUDGET_DEFAULTS.recipe.convergence.minSteps} (--quick: ${BUDGET_QUICK.recipe.convergence.minSteps}); --steps is the cap`),
  'chunk-steps': str('budget: updates per chunk; the rule looks at the mean loss of each chunk', 'Budget study:', both(BUDGET_DEFAULTS.recipe.convergence.chunkSteps, BUDGET_QUICK.recipe.convergence.chunkSteps)),
  'converge-window': str('budget: chunks over which the smoothed loss must improve by at least --converge-tol', 'Budget study:', both(BUDGET_DEFAULTS.recipe.convergence.window, BUDGET_QUICK.recipe.convergence.window)),
  'converge-tol': str('budget: relative improvement of the smoothed loss over the window below which training stops', 'Budget study:', String(BUDGET_DEFAULTS.recipe.convergence.tol)),
  'band-swap-dims': str('budget: dimensions whose cells also sample with one tau band swapped (exact score in it, or the network only in it)', 'Budget study:', BUDGET_DEFAULTS.recipe.bandSwap.dims.join(',')),
  out: str('experiment directory (cells, results, figures); re-running resumes it', 'Run:', `${EXPERIMENT_OUT.full} (--quick: ${EXPERIMENT_OUT.quick})`),
  quick: { type: 'boolean', default: false, describe: 'a reduced grid and a short recipe (flags given still apply)', group: 'Run:' },
  jobs: str(`cells run in parallel, each as its own process (1 to ${MAX_JOBS}); 1 runs them in this process`, 'Run:', 'one per core'),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, 'Run:', D.backend),
  threads: str(`threads of the wasm backend (1 to ${MAX_WASM_THREADS}): of this process with --jobs 1, of each job otherwise`, 'Run:', 'one per core with --jobs 1, else 1'),
  'dry-run': { type: 'boolean', default: false, describe: 'print the plan (cells done and to run) and the time estimate; run nothing', group: 'Run:' },
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
  'run-cell': { type: 'string', hidden: true, describe: 'run the one prepared cell in this directory (used by parallel jobs)' },
  plan: { type: 'boolean', default: false, describe: 'write plan.json (the cells in order, with a fingerprint of the grid) into --out and print the number of cells; run nothing', group: 'Cluster:' },
  cell: str('run cell K of the plan (0-based) in this process; refused when the plan was made with other grid flags; a finished cell is skipped', 'Cluster:', 'none'),
  'cell-from-env': { type: 'boolean', default: false, describe: 'as --cell, with K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)', group: 'Cluster:' },
  emit: str('write the plan and an array job over its cells into <out>/cluster: slurm (an sbatch script) or k8s (an Indexed Job manifest)', 'Cluster:', 'none'),
  collect: { type: 'boolean', default: false, describe: "merge the plan's finished cells into results.csv, summary and figures; list missing and failed cells by index", group: 'Cluster:' },
  'max-running': str('--emit: array elements running at once (the %K of --array=0-N%K; Kubernetes: parallelism)', 'Cluster:', String(EXPERIMENT_CLUSTER.maxRunning)),
  partition: str('--emit slurm: the partition (e.g. a GPU partition, with --gres and --backend)', 'Cluster:', "the cluster's default"),
  account: str('--emit slurm: the account charged', 'Cluster:', "the user's default"),
  gres: str('--emit: generic resources per element, e.g. gpu:1 (Kubernetes: nvidia.com/gpu)', 'Cluster:', 'none'),
  image: str('--emit k8s: the container image, with the project installed in ' + EXPERIMENT_CLUSTER.imageWorkdir, 'Cluster:', EXPERIMENT_CLUSTER.image),
  'volume-claim': str('--emit k8s: a ReadWriteMany PersistentVolumeClaim, mounted at --out in every pod', 'Cluster:', EXPERIMENT_CLUSTER.claim),
};

/** Comma-separated values, each checked, no repeats. */
function listFlag<T>(accepted: string, parse: (text: string) => T | undefined) {
  return z.string().transform((text, ctx) => {
    const items = text.split(',').map((t) => t.trim());
    const values = items.map(parse);
    const ok = items.length > 0 && values.every((v) => v !== undefined) && new Set(items).size === items.length;
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: `${accepted}, comma-separated, without repeats` });
      return z.NEVER;
    }
    return values as T[];
  });
}

const integerIn = (lo: number, hi: number) => (t: string) => {
  const v = t === '' ? Number.NaN : Number(t);
  return Number.isInteger(v) && v >= lo && v <= hi ? v : undefined;
};
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (t: string) =>
    (values as readonly string[]).includes(t) ? (t as T) : undefined;

const increasingTaus = z.string().transform((text, ctx) => {
  const values = text.split(',').map((t) => (t.trim() === '' ? Number.NaN : Number(t)));
  if (!values.every((v, k) => v > 0 && v < 1 && (k === 0 || v > values[k - 1]!))) {
    ctx.addIssue({ code: 'custom', message: 'increasing numbers in (0, 1), comma-separated' });
    return z.NEVER;
  }
  return values;
});

const jobsFlag = numberFlag(`an integer from 1 to ${MAX_JOBS}`, (v) => Number.isInteger(v) && v >= 1 && v <= MAX_JOBS);

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const experimentFlagsSchema = z.object({
  targets: opt(listFlag(`targets among ${EXPERIMENT_TARGETS.join(', ')}`, oneOf(EXPERIMENT_TARGETS))),
  dims: opt(listFlag(`integers from ${GRID_LIMITS.minDim} to ${GRID_LIMITS.maxDim}`, integerIn(GRID_LIMITS.minDim, GRID_LIMITS.maxDim))),
  processes: opt(listFlag(`processes among ${PROCESS_NAMES.join(', ')}`, oneOf(PROCESS_NAMES))),
  widths: opt(listFlag(`integers from 1 to ${GRID_LIMITS.maxWidth}`, integerIn(1, GRID_LIMITS.maxWidth))),
  seeds: opt(listFlag('integers from 0 to 2147483647', integerIn(0, 2 ** 31 - 1))),
  depth: opt(flag.intIn('depth')),
  steps: opt(flag.intIn('trainSteps')),
  batchSize: opt(flag.intIn('batchSize')),
  lr: opt(flag.positive()),
  components: opt(flag.intIn('components')),
  targetSeed: opt(flag.intIn('seed')),
  evalSamples: opt(flag.intIn('samples')),
  evalSteps: opt(flag.intIn('samplerSteps')),
  pbmEvalSteps: opt(flag.intIn('samplerSteps')),
  pbmTauMin: opt(flag.unitInterval()),
  pbmTauMax: opt(flag.unitInterval()),
  scoreTaus: opt(increasingTaus),
  scoreTauCount: opt(flag.intIn('gridPoints')),
  scorePoints: opt(flag.intIn('points')),
  minSteps: opt(flag.nonNegativeInt()),
  chunkSteps: opt(flag.positiveInt()),
  convergeWindow: opt(flag.positiveInt()),
  convergeTol: opt(flag.unitInterval()),
  bandSwapDims: opt(listFlag(`integers from ${GRID_LIMITS.minDim} to ${GRID_LIMITS.maxDim}`, integerIn(GRID_LIMITS.minDim, GRID_LIMITS.maxDim))),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  quick: z.boolean(),
  jobs: opt(jobsFlag),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  dryRun: z.boolean(),
  json: z.boolean(),
  runCell: opt(z.string().min(1, { error: 'a cell directory' })),
  plan: z.boolean(),
  cell: opt(flag.nonNegativeInt()),
  cellFromEnv: z.boolean(),
  emit: opt(flag.oneOf(['slurm', 'k8s'] as const)),
  collect: z.boolean(),
  maxRunning: opt(flag.positiveInt()),
  partition: opt(z.string().regex(/^[A-Za-z0-9_.,-]+$/, { error: 'partition names (letters, digits, _ . -), comma-separated' })),
  account: opt(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'an account name (letters, digits, _ . -)' })),
  gres: opt(z.string().regex(/^[A-Za-z0-9_:.,-]+$/, { error: 'generic resources as Slurm writes them, e.g. gpu:1 or gpu:a100:2' })),
  image: opt(z.string().min(1, { error: 'a container image' })),
  volumeClaim: opt(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'a PersistentVolumeClaim name (lower-case letters, digits, - and .)' })),
});

export type ExperimentFlags = z.infer<typeof experimentFlagsSchema>;
