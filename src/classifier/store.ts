import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createClassifier, type ClassifierConfig, type ImageClassifier } from '../../models/classifier.js';
import { decodeSafetensors, encodeSafetensors } from '../bundle/safetensors.js';
import { UsageError } from '../errors.js';
import { readJsonFileSync, writeFileAtomic } from '../io/atomic.js';
import { Rng } from '../rng.js';
import { classifierRecipeSchema } from './recipe.js';

/**
 * A trained classifier on disk: a directory with
 *   classifier.json     what it is: architecture, data, test accuracy, training recipe
 *   model.safetensors   its weights (float32, named as in the architecture)
 * classifier.json is written last, so its presence means the directory is complete.
 */
export const CLASSIFIER_FILES = { info: 'classifier.json', weights: 'model.safetensors' } as const;
export const CLASSIFIER_FORMAT = 'score-sde-classifier';
export const CLASSIFIER_FORMAT_VERSION = 1;
/** Where `npm run classifier` caches the MNIST classifier (relative to the project root). */
export const DEFAULT_CLASSIFIER_DIR = path.join('checkpoints', 'mnist-classifier');

const architectureSchema = z.object({
  kind: z.literal('cnn-classifier'),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.number().int().positive(),
  convChannels: z.array(z.number().int().positive()),
  kernel: z.number().int().positive(),
  hidden: z.number().int().positive(),
  classes: z.number().int().min(2),
});

export const classifierInfoSchema = z.object({
  format: z.literal(CLASSIFIER_FORMAT),
  formatVersion: z.literal(CLASSIFIER_FORMAT_VERSION),
  architecture: architectureSchema,
  parameterCount: z.number().int().nonnegative(),
  /** The layer the image metrics read. */
  features: z.object({ layer: z.string(), dim: z.number().int().positive() }),
  input: z.object({ layout: z.string(), scaling: z.string() }),
  /** The data source's params (MNIST: dataDir, subset, counts, layout). */
  data: z.record(z.string(), z.unknown()),
  testAccuracy: z.number().min(0).max(1),
  testCount: z.number().int().positive(),
  training: z.object({
    recipe: classifierRecipeSchema,
    steps: z.number().int().nonnegative(),
    finalLoss: z.number().nullable(),
    backend: z.string(),
    threads: z.number().int().positive(),
    wallSeconds: z.number().nonnegative(),
  }),
  createdAt: z.string(),
});

export type ClassifierInfo = z.infer<typeof classifierInfoSchema>;

/** A classifier loaded from its directory, ready to predict. */
export interface StoredClassifier {
  dir: string;
  info: ClassifierInfo;
  model: ImageClassifier;
}

/** True when `dir` holds a complete classifier (its classifier.json). */
export function hasClassifier(dir: string): boolean {
  return existsSync(path.join(dir, CLASSIFIER_FILES.info));
}

/** True when `dir` does not exist or is empty: a place a new classifier may be written. */
export function isFreshDir(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/** Reads and checks classifier.json; every problem is a one-line UsageError naming the file. */
export function readClassifierInfo(dir: string): ClassifierInfo {
  const file = path.join(dir, CLASSIFIER_FILES.info);
  if (!existsSync(file)) {
    throw new UsageError(`no classifier in ${dir} (${CLASSIFIER_FILES.info} is missing): run npm run classifier first`);
  }
  let raw: unknown;
  try {
    raw = readJsonFileSync(file);
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const parsed = classifierInfoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: not a classifier description of this version: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Writes the weights, then classifier.json (so a crash leaves no complete-looking directory). */
export async function saveClassifier(dir: string, model: ImageClassifier, info: ClassifierInfo): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tensors = model.params.map((p) => ({
    name: p.name,
    shape: p.variable.shape,
    data: p.variable.dataSync() as Float32Array,
  }));
  const metadata = { format: CLASSIFIER_FORMAT, formatVersion: String(CLASSIFIER_FORMAT_VERSION) };
  await writeFileAtomic(path.join(dir, CLASSIFIER_FILES.weights), encodeSafetensors(tensors, metadata));
  await writeFileAtomic(path.join(dir, CLASSIFIER_FILES.info), JSON.stringify(info, null, 2) + '\n');
}

/**
 * Loads the classifier cached in `dir` (by default checkpoints/mnist-classifier).
 * Needs an initialised tfjs backend. Fails with one line naming the directory
 * when there is none: "run npm run classifier first".
 */
export function loadClassifier(dir: string = DEFAULT_CLASSIFIER_DIR): StoredClassifier {
  const info = readClassifierInfo(dir);
  const file = path.join(dir, CLASSIFIER_FILES.weights);
  if (!existsSync(file)) throw new UsageError(`${file}: missing (the classifier in ${dir} is incomplete); run npm run classifier -- --out NEW_DIR`);
  const weights = decodeSafetensors(new Uint8Array(readFileSync(file)), file);
  const byName = new Map(weights.tensors.map((t) => [t.name, t]));
  const config: ClassifierConfig = info.architecture;
  // The initial values are overwritten at once; the seed is irrelevant.
  const model = createClassifier(config, Rng.fromSeed(0));
  try {
    for (const p of model.params) {
      const t = byName.get(p.name);
      if (t === undefined) throw new UsageError(`${file}: tensor ${p.name} of the architecture in ${CLASSIFIER_FILES.info} is missing`);
      if (t.shape.join(',') !== p.variable.shape.join(',')) {
        throw new UsageError(`${file}: tensor ${p.name} has shape [${t.shape}], the architecture needs [${p.variable.shape}]`);
      }
      tf.tidy(() => p.variable.assign(tf.tensor(t.data, t.shape)));
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { dir, info, model };
}
