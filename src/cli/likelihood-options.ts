import type { Options } from 'yargs';
import { z } from 'zod';
import type { LikelihoodCommandRequest } from '../commands/likelihood-request.js';
import { LIKELIHOOD_DEFAULTS, LIKELIHOOD_SOLVERS, LIKELIHOOD_TOLERANCE } from '../config/likelihood-defaults.js';
import { WEIGHT_CHOICES } from '../config/sample-defaults.js';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { GRID_NAMES } from '../sampler/noise-grid.js';
import { bounded, flag, textOption, threadsFlag, threadsOption } from './flags.js';
import { oneSource } from './sample-options.js';

const str = textOption;
const D = LIKELIHOOD_DEFAULTS;

/** Every flag of `npm run likelihood`. */
export const LIKELIHOOD_FLAGS: Record<string, Options> = {
  run: str('run directory written by npm run train (this or --bundle is required)'),
  bundle: str('bundle directory written by npm run export, instead of --run'),
  points: str('points to evaluate: a float32 or float64 .npy of shape [n, d] (mnist: pixels scaled to [-1, 1], dequantised)', `${D.n.point} fresh target samples (mnist: the first ${D.n.image} test images)`),
  n: str(bounded('fresh target samples (mnist: test images) to evaluate when no --points is given', 'likelihoodPoints'), `${D.n.point} (mnist: ${D.n.image})`),
  seed: str('seed of the fresh points, the Hutchinson probes and the dequantisation', "the run's seed"),
  oracle: { type: 'boolean', default: false, describe: "integrate the target's exact score instead of the network (solver error alone)" },
  weights: str(`network weights: ${WEIGHT_CHOICES.join(', ')}`, D.weights),
  solver: str(`probability-flow ODE solver: ${LIKELIHOOD_SOLVERS.join(', ')}`, D.solver),
  grid: str(`spacing of the levels of heun and euler: ${GRID_NAMES.join(', ')}`, "the solver's (edm)"),
  nfe: str(bounded('heun, euler: velocity evaluations per point (steps = nfe / evaluations per step)', 'samplerSteps'), `${D.steps} steps`),
  rtol: str('rk45: relative tolerance of a step', String(LIKELIHOOD_TOLERANCE.rtol)),
  atol: str('rk45: absolute tolerance of a step', String(LIKELIHOOD_TOLERANCE.atol)),
  'tau-min': str('noise level the points are read at (the flow starts there)', "the process's tau_min"),
  'tau-max': str('noise level where the start density N(0, b^2 I) is evaluated', "the process's tau_max"),
  'batch-size': str(bounded('points integrated together', 'batchSize'), `${D.batchSize.point} (mnist: ${D.batchSize.image})`),
  'exact-div-max-dim': str(bounded('up to this dimension the divergence is exact (d vector-Jacobian products); above it, Hutchinson', 'exactDivMaxDim'), String(D.exactDivMaxDim)),
  probes: str(bounded('Rademacher probes of the Hutchinson estimator (its standard error needs 2 or more)', 'probes'), String(D.probes)),
  out: str(
    'output folder for logp.npy and metrics.json (new or empty: a folder holding anything is refused); by default a folder named by the settings: ' +
      '<ema|raw|oracle>-n<N>-<target|test|points-NAME>-<solver settings>-<exactdiv|hutch<K>>-seed<seed>',
    '<run or bundle>/likelihood/<settings>',
  ),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, D.backend),
  threads: threadsOption(),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const likelihoodFlagsSchema = z
  .object({
    run: opt(z.string().min(1, { error: 'a run directory' })),
    bundle: opt(z.string().min(1, { error: 'a bundle directory' })),
    points: opt(z.string().min(1, { error: 'a .npy file' })),
    n: opt(flag.intIn('likelihoodPoints')),
    seed: opt(flag.intIn('seed')),
    oracle: z.boolean(),
    weights: opt(flag.oneOf(WEIGHT_CHOICES)),
    solver: opt(flag.oneOf(LIKELIHOOD_SOLVERS)),
    grid: opt(flag.oneOf(GRID_NAMES)),
    nfe: opt(flag.intIn('samplerSteps')),
    rtol: opt(flag.positive()),
    atol: opt(flag.positive()),
    tauMin: opt(flag.unitInterval()),
    tauMax: opt(flag.upToOne()),
    batchSize: opt(flag.intIn('batchSize')),
    exactDivMaxDim: opt(flag.intIn('exactDivMaxDim')),
    probes: opt(flag.intIn('probes')),
    out: opt(z.string().min(1, { error: 'a directory path' })),
    backend: opt(flag.oneOf(BACKEND_CHOICES)),
    threads: opt(threadsFlag()),
    json: z.boolean(),
  })
  .superRefine(oneSource);

export type LikelihoodFlags = z.infer<typeof likelihoodFlagsSchema>;

/** What `likelihood` takes, from its flags (the names match). */
export function likelihoodCommandRequest(f: LikelihoodFlags): LikelihoodCommandRequest {
  return { ...f };
}
