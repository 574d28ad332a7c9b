import type { Options } from 'yargs';
import { z } from 'zod';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import type { SampleCommandRequest } from '../commands/sample-request.js';
import { SAMPLE_DEFAULTS, WEIGHT_CHOICES } from '../config/sample-defaults.js';
import { SAMPLING_RECIPES, type SamplingRequest } from '../config/sampling.js';
import { refuseStepsAndNfe, SOLVER_FLAGS, solverFlagsShape, solverRequest } from './solver-options.js';
import { bounded, flag, textOption, threadsFlag, threadsOption } from './flags.js';

const POINT = SAMPLING_RECIPES.point;
const IMAGE = SAMPLING_RECIPES.image;

/** The image recipe as the help texts quote it (train's --eval-* flags too). */
export const IMAGE_SAMPLE_DEFAULTS = {
  n: IMAGE.n,
  steps: IMAGE.steps,
  batchSize: IMAGE.batchSize,
  correctorSteps: IMAGE.corrector.steps,
  correctorSnr: IMAGE.corrector.snr,
} as const;

const str = textOption;

/** Every flag of `npm run sample`. */
export const SAMPLE_FLAGS: Record<string, Options> = {
  run: str('run directory written by npm run train (this or --bundle is required)'),
  bundle: str('bundle directory written by npm run export, instead of --run'),
  n: str(bounded('number of samples', 'samples'), `${POINT.n} (mnist: ${IMAGE.n})`),
  ...SOLVER_FLAGS,
  steps: str(bounded('solver steps (grid intervals); rk45 does not use it', 'samplerSteps'), `${POINT.steps} (mnist: ${IMAGE.steps})`),
  'tau-min': str('last noise level of the reverse SDE', "the process's tau_min"),
  'tau-max': str('first noise level (where the prior is placed)', "the process's tau_max"),
  'batch-size': str(bounded('particles integrated together', 'batchSize'), `${POINT.batchSize} (mnist: ${IMAGE.batchSize})`),
  'corrector-steps': str(bounded('Langevin corrector steps after each Euler-Maruyama step (predictor-corrector); 0: plain EM', 'correctorSteps'), `${POINT.corrector.steps} (mnist: ${IMAGE.corrector.steps})`),
  'corrector-snr': str('signal-to-noise ratio r of a corrector step (step size 2 (r mean|z| / mean|s|)^2, norms averaged over the batch)', `${POINT.corrector.snr} (mnist: ${IMAGE.corrector.snr})`),
  denoise: { type: 'boolean', default: true, describe: 'finish with one denoising step (Tweedie); --no-denoise skips it' },
  clip: {
    type: 'boolean',
    default: true,
    describe: "clip the denoised estimate to the data's range at every step (bounded data: mnist); --no-clip skips",
  },
  oracle: { type: 'boolean', default: false, describe: "use the target's exact score instead of the network" },
  weights: str(`network weights: ${WEIGHT_CHOICES.join(', ')}`, SAMPLE_DEFAULTS.weights),
  seed: str('seed of the sampling noise and reference samples', "the run's seed"),
  out: str(
    'output directory (new or empty: a folder holding anything is refused); by default a folder named by the settings: ' +
      '<ema|raw|oracle>-n<N>-steps<S>-seed<seed>[-em|-pc<K>-snr<r>][-nodenoise][-noclip] (em or pc: a corrector other than the default); ' +
      'another solver or grid: <ema|raw|oracle>-n<N>-<solver>-<grid | rtol<r>-atol<a>>-nfe<evaluations spent>-seed<seed>[-nodenoise][-noclip]',
    '<run or bundle>/samples/<settings>',
  ),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, SAMPLE_DEFAULTS.backend),
  threads: threadsOption(),
  classifier: str('classifier of the image metrics (mnist; npm run classifier writes it)', DEFAULT_CLASSIFIER_DIR),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

/** Exactly one of --run and --bundle; with neither, the message names --run as before. */
export function oneSource(flags: { run?: string | undefined; bundle?: string | undefined }, ctx: z.RefinementCtx): void {
  if (flags.run === undefined && flags.bundle === undefined) {
    ctx.addIssue({ code: 'custom', path: ['run'], message: 'the run directory written by npm run train (or --bundle BUNDLE)' });
  } else if (flags.run !== undefined && flags.bundle !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['bundle'], message: 'either --run or --bundle, not both' });
  }
}

export const sampleFlagsSchema = z.object({
  run: opt(z.string().min(1, { error: 'a run directory' })),
  bundle: opt(z.string().min(1, { error: 'a bundle directory' })),
  n: opt(flag.intIn('samples')),
  ...solverFlagsShape,
  steps: opt(flag.intIn('samplerSteps')),
  tauMin: opt(flag.unitInterval()),
  tauMax: opt(flag.upToOne()),
  batchSize: opt(flag.intIn('batchSize')),
  correctorSteps: opt(flag.intIn('correctorSteps')),
  correctorSnr: opt(flag.positive()),
  denoise: z.boolean(),
  clip: z.boolean(),
  oracle: z.boolean(),
  weights: opt(flag.oneOf(WEIGHT_CHOICES)),
  seed: opt(flag.intIn('seed')),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  classifier: opt(z.string().min(1, { error: 'a directory path' })),
  json: z.boolean(),
}).superRefine((flags, ctx) => {
  oneSource(flags, ctx);
  refuseStepsAndNfe(flags, ctx);
});

export type SampleFlags = z.infer<typeof sampleFlagsSchema>;

/** The sampling the flags ask for; what they leave out, the target's recipe fills in. */
export function samplingRequest(f: SampleFlags): SamplingRequest {
  return {
    n: f.n,
    ...solverRequest(f),
    tauMin: f.tauMin,
    tauMax: f.tauMax,
    denoise: f.denoise,
    batchSize: f.batchSize,
    seed: f.seed,
    ...(f.clip ? {} : { clip: null }),
    corrector: { steps: f.correctorSteps, snr: f.correctorSnr },
  };
}

/** What `sample` takes, from its flags. */
export function sampleCommandRequest(f: SampleFlags): SampleCommandRequest {
  const { run, bundle, oracle, weights, out, backend, threads, classifier, json } = f;
  return { run, bundle, sampling: samplingRequest(f), oracle, weights, out, backend, threads, classifier, json };
}
