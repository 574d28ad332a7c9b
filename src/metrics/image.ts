import { MNIST_PIXELS, MnistLoader } from '../../datasets/mnist.js';
import { predict } from '../classifier/predict.js';
import { DEFAULT_CLASSIFIER_DIR, loadClassifier, type StoredClassifier } from '../classifier/store.js';
import { UsageError } from '../errors.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { classMetrics } from './classes.js';
import { fitGaussian, frechetDistance, type GaussianFit } from './frechet.js';

/**
 * Metrics of generated MNIST-like images, in the cached classifier's
 * penultimate-layer features (128 numbers after a ReLU):
 *
 * - fid: squared Frechet distance between Gaussian fits of the features of
 *   the n generated images and of all 10,000 test images;
 * - fid_floor: the same with n train images (a seeded random sample without
 *   replacement) in place of the generated ones: what a perfect generator
 *   would score at this n. FID is biased upwards at small n (the covariance of
 *   128 features from n samples is noisy), so compare fid with fid_floor at the
 *   same n, never across different n. The floor's own spread over seeds is
 *   part of the picture (at n = 1000: 2.6 to 4.4 for seeds 0-3);
 * - class_entropy (nats; ln 10 = 2.303 for evenly spread labels),
 *   confident_share (share with top probability >= 0.9) and class_histogram
 *   of the classifier's predicted labels of the generated images.
 *
 * Real images score near the floor only as a random sample: MNIST's test split
 * is ordered by writer population (its first 5000 images come from one, the
 * last 5000 from another), so a leading slice of it is not a fair sample.
 */
export interface ImageMetrics {
  fid: number;
  fid_floor: number;
  class_entropy: number;
  confident_share: number;
  class_histogram: number[];
}

/**
 * The classifier and what it says about the reference data, computed once:
 * the Gaussian fit of the test set's features (and floors per sample size).
 * The data is the classifier's own (its classifier.json names the folder).
 */
export class ImageMetricsReference {
  readonly classifier: StoredClassifier;
  readonly loader: MnistLoader;
  private testFitMemo: GaussianFit | null = null;
  private readonly floors = new Map<string, number>();

  constructor(classifier: StoredClassifier, loader?: MnistLoader) {
    this.classifier = classifier;
    const dataDir = classifier.info.data['dataDir'];
    this.loader = loader ?? new MnistLoader(typeof dataDir === 'string' ? dataDir : undefined);
  }

  /**
   * Loads the classifier cached in `dir` (checkpoints/mnist-classifier by
   * default); needs an initialised tfjs backend. Without one: a one-line
   * UsageError naming the directory, "run npm run classifier first".
   */
  static fromDir(dir: string = DEFAULT_CLASSIFIER_DIR, loader?: MnistLoader): ImageMetricsReference {
    return new ImageMetricsReference(loadClassifier(dir), loader);
  }

  /** Gaussian fit of the features of every test image. */
  testFit(): GaussianFit {
    if (this.testFitMemo === null) {
      const test = this.loader.test();
      this.testFitMemo = this.fit(test.images, test.count);
    }
    return this.testFitMemo;
  }

  fit(images: ArrayLike<number>, count: number): GaussianFit {
    const p = predict(this.classifier.model, images, count);
    return fitGaussian(p.features, count, p.featureDim);
  }

  /** FID of `count` train images (seeded sample without replacement) against the test set. */
  floor(count: number, seed: number): number {
    const key = `${count}/${seed}`;
    let value = this.floors.get(key);
    if (value === undefined) {
      const train = this.loader.train();
      if (count > train.count) {
        throw new UsageError(`image metrics: ${count} samples, more than the ${train.count} train images the floor is drawn from`);
      }
      const picked = sampleWithoutReplacement(train.count, count, Rng.derive(seed, RNG_STREAMS.imageFloor));
      const images = new Float32Array(count * MNIST_PIXELS);
      picked.forEach((k, i) => images.set(train.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), i * MNIST_PIXELS));
      value = frechetDistance(this.fit(images, count), this.testFit());
      this.floors.set(key, value);
    }
    return value;
  }

  dispose(): void {
    this.classifier.model.dispose();
  }
}

/** `count` distinct indices of 0..total-1, in random order (partial Fisher-Yates). */
export function sampleWithoutReplacement(total: number, count: number, rng: Rng): Uint32Array {
  const p = Uint32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(total - i);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p.slice(0, count);
}

export interface ImageMetricsOptions {
  /** Seed of the floor's train sample (default 0). */
  seed?: number;
}

/**
 * The image metrics of `images`: n rows of 784 values in [-1, 1] (row-major
 * 28 x 28, as datasets/mnist.ts lays them out), n >= 2.
 */
export function imageMetrics(images: ArrayLike<number>, reference: ImageMetricsReference, options: ImageMetricsOptions = {}): ImageMetrics {
  const count = images.length / MNIST_PIXELS;
  if (!Number.isInteger(count) || count < 2) {
    throw new UsageError(`image metrics: ${images.length} values are not n >= 2 images of ${MNIST_PIXELS} pixels`);
  }
  const p = predict(reference.classifier.model, images, count);
  const fid = frechetDistance(fitGaussian(p.features, count, p.featureDim), reference.testFit());
  const classes = classMetrics(p.probabilities, count, p.classes);
  return {
    fid,
    fid_floor: reference.floor(count, options.seed ?? 0),
    class_entropy: classes.entropy,
    confident_share: classes.confidentShare,
    class_histogram: classes.histogram,
  };
}
