import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MnistLoader, mnistDataSource } from '../datasets/mnist.js';
import { createClassifier, MNIST_CLASSIFIER_CONFIG } from '../models/classifier.js';
import { BACKEND_CHOICES } from '../src/platform/backend.js';
import { classifierCli } from '../src/cli/classifier-cli.js';
import { predict } from '../src/classifier/predict.js';
import { CLASSIFIER_RECIPE_DEFAULTS, stepsPerEpoch } from '../src/classifier/recipe.js';
import { CLASSIFIER_FILES, loadClassifier, readClassifierInfo } from '../src/classifier/store.js';
import { batchIndices, crossEntropy, epochPermutation, trainClassifier } from '../src/classifier/train.js';
import { UsageError } from '../src/errors.js';
import { imageMetrics, ImageMetricsReference, sampleWithoutReplacement } from '../src/metrics/image.js';
import { Rng } from '../src/rng.js';
import { tempDir, useWasm } from './helpers.js';

const loader = new MnistLoader();
let trainedDir: string;

/** Runs the command with stdout captured; returns its exit code and the printed lines. */
async function runCli(argv: string[]): Promise<{ code: number; lines: string[]; stdout: string }> {
  const lines: string[] = [];
  let stdout = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  // With --json the human text goes to stderr, stdout holds the summary alone.
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), true));
  try {
    return { code: await classifierCli(argv), lines, stdout };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

beforeAll(async () => {
  await useWasm();
  trainedDir = path.join(tempDir('classifier'), 'cls');
  const { code } = await runCli(['--steps', '20', '--subset', '512', '--batch-size', '64', '--out', trainedDir, '--backend', 'wasm']);
  expect(code).toBe(0);
});

describe('classifier training', () => {
  it('a few updates on a small subset lower the loss', async () => {
    const source = mnistDataSource({ subset: 256 }, loader);
    const model = createClassifier(MNIST_CLASSIFIER_CONFIG, Rng.fromSeed(1));
    const lossOnSubset = () =>
      tf.tidy(() => crossEntropy(model, tf.tensor2d(source.train.images, [256, 784]), tf.tensor1d(source.train.labels, 'int32')).dataSync()[0]!);
    const before = lossOnSubset();
    const recipe = { ...CLASSIFIER_RECIPE_DEFAULTS, batchSize: 32, warmupSteps: 5 };
    const tensors = tf.memory().numTensors;
    const result = await trainClassifier(model, source.train, { ...recipe, steps: 20 });
    const growth = tf.memory().numTensors - tensors;
    const after = lossOnSubset();
    expect(result.steps).toBe(20);
    expect(result.losses).toHaveLength(20);
    // Untrained: about ln 10 = 2.30 (10 classes) or more; 20 updates of 32 images bring it well down.
    expect(before).toBeGreaterThan(1.8);
    expect(after).toBeLessThan(0.6 * before);
    // No tensor is left behind per update (Adam's construction may leave a fixed few).
    const again = tf.memory().numTensors;
    await trainClassifier(model, source.train, { ...recipe, steps: 2 });
    expect(tf.memory().numTensors - again).toBe(growth);
    model.dispose();
  });

  it('shuffles with a seeded permutation per epoch and cuts it into whole batches', () => {
    const p = epochPermutation(100, 3, 0);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...epochPermutation(100, 3, 0)]).toEqual([...p]);
    expect([...epochPermutation(100, 3, 1)]).not.toEqual([...p]);
    const recipe = { ...CLASSIFIER_RECIPE_DEFAULTS, batchSize: 30, seed: 3 };
    expect(stepsPerEpoch(100, 30)).toBe(3);
    const cache = { epoch: -1, perm: null as Uint32Array | null };
    const epoch0 = [0, 1, 2].flatMap((s) => [...batchIndices(100, recipe, s, cache)]);
    expect(new Set(epoch0).size).toBe(90);
    expect(epoch0).toEqual([...p.subarray(0, 90)]);
    expect([...batchIndices(100, recipe, 3, cache)]).toEqual([...epochPermutation(100, 3, 1).subarray(0, 30)]);
  });
});

describe('the cached classifier', () => {
  it('is a directory with classifier.json and model.safetensors that loads back to the same predictions', () => {
    expect(fs.readdirSync(trainedDir).sort()).toEqual([CLASSIFIER_FILES.info, CLASSIFIER_FILES.weights].sort());
    const info = readClassifierInfo(trainedDir);
    expect(info.architecture).toEqual(MNIST_CLASSIFIER_CONFIG);
    expect(info.training.recipe).toMatchObject({ steps: 20, batchSize: 64, subset: 512 });
    expect(info.data).toMatchObject({ name: 'mnist', dataDir: null, subset: 512, testCount: 10000 });
    expect(info.testCount).toBe(10000);
    const test = loader.test();
    const a = loadClassifier(trainedDir);
    const b = loadClassifier(trainedDir);
    const images = test.images.subarray(0, 50 * 784);
    const pa = predict(a.model, images, 50);
    expect(pa.features.length).toBe(50 * 128);
    expect(Buffer.from(pa.probabilities.buffer).equals(Buffer.from(predict(b.model, images, 50).probabilities.buffer))).toBe(true);
    // A briefly trained classifier is already far better than chance.
    expect(info.testAccuracy).toBeGreaterThan(0.5);
    a.model.dispose();
    b.model.dispose();
  });

  it('is reported, not retrained, when the command runs again', async () => {
    const before = fs.readFileSync(path.join(trainedDir, CLASSIFIER_FILES.weights));
    const { code, lines, stdout } = await runCli(['--out', trainedDir, '--epochs', '5', '--json']);
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(`${trainedDir} already holds a classifier`);
    const summary = JSON.parse(stdout) as { status: string; test_accuracy: number };
    expect(summary.status).toBe('cached');
    expect(summary.test_accuracy).toBe(readClassifierInfo(trainedDir).testAccuracy);
    expect(fs.readFileSync(path.join(trainedDir, CLASSIFIER_FILES.weights)).equals(before)).toBe(true);
  });

  it('without one: a one-line error naming the directory', () => {
    const missing = path.join(tempDir('no-classifier'), 'none');
    expect(() => loadClassifier(missing)).toThrow(UsageError);
    expect(() => loadClassifier(missing)).toThrow(`no classifier in ${missing} (classifier.json is missing): run npm run classifier first`);
    expect(() => ImageMetricsReference.fromDir(missing)).toThrow('run npm run classifier first');
  });
});

describe('npm run classifier: bad input is one line, nothing written', () => {
  it.each([
    [['--epochs', '0'], /^--epochs '0': expected an integer from 1 to 1000 \(/],
    [['--lr', '-1'], /^--lr '-1': expected a finite number > 0$/],
    [['--backend', 'gpu'], new RegExp(`^--backend 'gpu': expected one of ${BACKEND_CHOICES.join(', ')}$`)],
    [['--steps', '5', '--epochs', '2'], /^--steps 5 and --epochs 2: give one of them$/],
    [['--subset', '60001', '--steps', '1'], /^--subset 60001: expected at most 60000/],
    [['--data-dir', '/nonexistent/mnist'], /^MNIST data dir \/nonexistent\/mnist: not found$/],
    [['--nope'], /^--nope: unknown flag/],
  ])('%s', async (argv, message) => {
    const out = path.join(tempDir('bad'), 'cls');
    const err = await classifierCli([...argv, '--out', out]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('an --out that holds something else is refused', async () => {
    const out = tempDir('occupied');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await expect(classifierCli(['--steps', '1', '--out', out])).rejects.toThrow(`--out ${out}: exists and holds no classifier.json`);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
  });
});

describe('image metrics with a (briefly trained) classifier', () => {
  it('test images score near the floor, noise far above it; class metrics of the predictions', () => {
    const reference = ImageMetricsReference.fromDir(trainedDir, loader);
    const n = 500;
    const test = loader.test();
    // A random sample: the test split is ordered by writer population (its first 5000 images come
    // from one, the last 5000 from another), so a contiguous block is a biased sample.
    const picked = sampleWithoutReplacement(test.count, n, Rng.fromSeed(4));
    const sample = new Float32Array(n * 784);
    picked.forEach((k, i) => sample.set(test.images.subarray(k * 784, (k + 1) * 784), i * 784));
    const real = imageMetrics(sample, reference);
    const rng = Rng.fromSeed(9);
    const noise = imageMetrics(Float32Array.from({ length: n * 784 }, () => 2 * rng.uniform() - 1), reference);
    for (const m of [real, noise]) {
      expect(m.class_histogram).toHaveLength(10);
      expect(m.class_histogram.reduce((a, b) => a + b, 0)).toBe(n);
      expect(m.class_entropy).toBeGreaterThanOrEqual(0);
      expect(m.class_entropy).toBeLessThanOrEqual(Math.log(10) + 1e-12);
      expect(m.fid_floor).toBe(real.fid_floor);
    }
    expect(real.fid).toBeLessThan(3 * real.fid_floor);
    expect(noise.fid).toBeGreaterThan(10 * real.fid_floor);
    // Real digits are spread over the classes; noise is not a digit.
    expect(real.class_entropy).toBeGreaterThan(noise.class_entropy);
    expect(() => imageMetrics(new Float32Array(784 + 3), reference)).toThrow('are not n >= 2 images of 784 pixels');
    reference.dispose();
  });

  it('draws the floor sample without replacement', () => {
    const s = sampleWithoutReplacement(50, 50, Rng.fromSeed(1));
    expect([...s].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(sampleWithoutReplacement(60000, 1000, Rng.fromSeed(2))).size).toBe(1000);
  });
});
