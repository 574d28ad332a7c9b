import type { Options } from 'yargs';
import { z } from 'zod';
import { isImageTargetName } from '../../datasets/index.js';
import { BACKEND_CHOICES } from '../backend.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import type { CorrectorOptions } from '../sampler/langevin-corrector.js';
import { flag, textOption, threadsFlag, threadsOption } from './flags.js';

export const SAMPLE_DEFAULTS = { n: 2000, steps: 500, batchSize: 2000, weights: 'ema', backend: 'auto', correctorSteps: 0, correctorSnr: 0.16 } as const;
/**
 * Image targets (mnist): fewer samples, fewer steps, smaller batches (a U-Net
 * pass over 2000 images at once needs gigabytes). The same for `npm run
 * sample` from a run or a bundle and for train's evaluation, so that they draw
 * the same samples.
 */
export const IMAGE_SAMPLE_DEFAULTS = {
  n: 1000,
  steps: 100,
  batchSize: 250,
  // One Langevin corrector step per level at snr 0.25: measured on the CPU recipe's networks (seed 0),
  // the confident share rises VP 76.6% -> 81.6%, PBM 78.2% -> 86.2% (at 0.16: 78.7%, 81.7%), for
  // about 1.7 times the sampling time.
  correctorSteps: 1,
  correctorSnr: 0.25,
} as const;

export interface SamplingDefaults {
  n: number;
  steps: number;
  batchSize: number;
  corrector: CorrectorOptions;
}

/** n, steps, batch size and corrector when the flags leave them out. */
export function samplingDefaults(targetName: string): SamplingDefaults {
  const d = isImageTargetName(targetName) ? IMAGE_SAMPLE_DEFAULTS : SAMPLE_DEFAULTS;
  return { n: d.n, steps: d.steps, batchSize: d.batchSize, corrector: { steps: d.correctorSteps, snr: d.correctorSnr } };
}
export const WEIGHT_CHOICES = ['ema', 'raw'] as const;

const str = textOption;

/** Every flag of `npm run sample`. */
export const SAMPLE_FLAGS: Record<string, Options> = {
  run: str('run directory written by npm run train (this or --bundle is required)'),
  bundle: str('bundle directory written by npm run export, instead of --run'),
  n: str('number of samples', `${SAMPLE_DEFAULTS.n} (mnist: ${IMAGE_SAMPLE_DEFAULTS.n})`),
  steps: str('Euler-Maruyama steps', `${SAMPLE_DEFAULTS.steps} (mnist: ${IMAGE_SAMPLE_DEFAULTS.steps})`),
  'tau-min': str('last noise level of the reverse SDE', "the process's tau_min"),
  'tau-max': str('first noise level (where the prior is placed)', "the process's tau_max"),
  'batch-size': str('particles integrated together', `${SAMPLE_DEFAULTS.batchSize} (mnist: ${IMAGE_SAMPLE_DEFAULTS.batchSize})`),
  'corrector-steps': str('Langevin corrector steps after each Euler-Maruyama step (predictor-corrector); 0: plain EM', `${SAMPLE_DEFAULTS.correctorSteps} (mnist: ${IMAGE_SAMPLE_DEFAULTS.correctorSteps})`),
  'corrector-snr': str('signal-to-noise ratio r of a corrector step (step size 2 (r mean|z| / mean|s|)^2, norms averaged over the batch)', `${SAMPLE_DEFAULTS.correctorSnr} (mnist: ${IMAGE_SAMPLE_DEFAULTS.correctorSnr})`),
  denoise: { type: 'boolean', default: true, describe: 'finish with one denoising step (Tweedie); --no-denoise skips' },
  clip: {
    type: 'boolean',
    default: true,
    describe: "clip the denoised estimate to the data's range at every step (bounded data: mnist); --no-clip skips",
  },
  oracle: { type: 'boolean', default: false, describe: "use the target's exact score instead of the network" },
  weights: str(`network weights: ${WEIGHT_CHOICES.join(', ')}`, SAMPLE_DEFAULTS.weights),
  seed: str('seed of the sampling noise and reference samples', "the run's seed"),
  out: str('output directory (new: a folder holding samples is refused)', '<run or bundle>/samples/<ema|raw|oracle>-n<N>-steps<S>-seed<seed>[-em|-pc<K>-snr<r>][-nodenoise][-noclip] (em or pc: a corrector other than the default)'),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, SAMPLE_DEFAULTS.backend),
  threads: threadsOption(),
  classifier: str('classifier of the image metrics (mnist; npm run classifier writes it)', DEFAULT_CLASSIFIER_DIR),
  json: { type: 'boolean', default: false, describe: 'print a JSON summary as the last line of stdout' },
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

/** Exactly one of --run and --bundle; with neither, the message names --run as before. */
function oneSource(flags: { run?: string | undefined; bundle?: string | undefined }, ctx: z.RefinementCtx): void {
  if (flags.run === undefined && flags.bundle === undefined) {
    ctx.addIssue({ code: 'custom', path: ['run'], message: 'a run directory (the flag is required)' });
  } else if (flags.run !== undefined && flags.bundle !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['bundle'], message: 'either --run or --bundle, not both' });
  }
}

export const sampleFlagsSchema = z.object({
  run: opt(z.string().min(1, { error: 'a run directory' })),
  bundle: opt(z.string().min(1, { error: 'a bundle directory' })),
  n: opt(flag.positiveInt()),
  steps: opt(flag.positiveInt()),
  tauMin: opt(flag.unitInterval()),
  tauMax: opt(flag.upToOne()),
  batchSize: opt(flag.positiveInt()),
  correctorSteps: opt(flag.nonNegativeInt()),
  correctorSnr: opt(flag.positive()),
  denoise: z.boolean(),
  clip: z.boolean(),
  oracle: z.boolean(),
  weights: opt(flag.oneOf(WEIGHT_CHOICES)),
  seed: opt(flag.int()),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  classifier: opt(z.string().min(1, { error: 'a directory path' })),
  json: z.boolean(),
}).superRefine(oneSource);

export type SampleFlags = z.infer<typeof sampleFlagsSchema>;
