import type { Options } from 'yargs';
import { z } from 'zod';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { BENCH_CASES, type BenchCaseName } from '../bench/cases.js';
import { BENCH_DEFAULTS } from '../config/bench-defaults.js';
import { bounded, flag, textOption, threadsFlag, threadsOption } from './flags.js';
import { replicasFlag, replicasOption } from './train-options.js';

/** Every flag of `npm run bench`. */
export const BENCH_FLAGS: Record<string, Options> = {
  cases: textOption(`comma-separated cases to run: ${BENCH_CASES.join(', ')}`, BENCH_DEFAULTS.cases),
  'repeat-scale': textOption(bounded('scale every case\'s number of timed repeats (at least 3 are kept)', 'repeatScale'), String(BENCH_DEFAULTS.repeatScale)),
  baseline: {
    type: 'boolean',
    default: true,
    describe: 'time the tf.layers + minimize build of each training case alongside (--no-baseline skips)',
  },
  backend: textOption(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, BENCH_DEFAULTS.backend),
  threads: threadsOption(),
  replicas: {
    ...replicasOption(),
    describe: 'data-parallel replicas of the training cases (mlp50, mlp2, unet): the batch split over R worker threads (wasm or cpu), as train --replicas',
  },
  json: { type: 'boolean', default: false, describe: 'print only the results, as one JSON object, on stdout (other text goes to stderr)' },
};

const caseList = z.string().transform((text, ctx) => {
  const names = text.split(',').map((s) => s.trim());
  const bad = names.find((s) => !(BENCH_CASES as readonly string[]).includes(s));
  if (bad !== undefined || names.length === 0) {
    ctx.addIssue({ code: 'custom', message: `a comma-separated list of ${BENCH_CASES.join(', ')}` });
    return z.NEVER;
  }
  return [...new Set(names)] as BenchCaseName[];
});

export const benchFlagsSchema = z.object({
  cases: caseList.optional(),
  repeatScale: flag.positiveUpTo('repeatScale').optional(),
  baseline: z.boolean(),
  backend: flag.oneOf(BACKEND_CHOICES).optional(),
  threads: threadsFlag().optional(),
  replicas: replicasFlag().optional(),
  json: z.boolean(),
});

export type BenchFlags = z.infer<typeof benchFlagsSchema>;
